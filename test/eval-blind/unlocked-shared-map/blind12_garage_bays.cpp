// checks: errorshield-unlocked-shared-map
// Bay-sensor gateway for a multi-level parking garage: ultrasonic sensors above
// each bay report over UDP, entrance signs and the operator app read free counts
// over WebSocket. The io_context runs on a small thread pool; a separate thread
// sweeps sensors that went silent.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using udp = net::ip::udp;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

struct BayState {
  int level = 0;
  bool occupied = false;
  bool ev_charger = false;
  Clock::time_point last_seen{};
};

// Last datagram time per gateway box (one box serves a row of ~20 sensors).
std::unordered_map<std::string, Clock::time_point> g_gateway_heartbeat;
std::mutex g_gateway_mu;

struct LevelCounters {
  std::mutex mu;
  std::map<int, int> free_per_level;
  std::map<int, int> ev_free_per_level;
};

class BayDirectory {
 public:
  explicit BayDirectory(const json& layout) {
    // Built before any worker thread starts.
    for (const auto& b : layout.at("bays")) {
      BayState st;
      st.level = b.at("level").get<int>();
      st.ev_charger = b.value("ev", false);
      bays_[b.at("id").get<int>()] = st;  // OK: constructor, single-threaded
    }
  }

  // Called from UDP receive handlers on any pool thread.
  void on_reading(int bay, bool occupied) {
    std::lock_guard lk(mu_);
    auto& st = bays_[bay];  // OK: under mu_
    st.occupied = occupied;
    st.last_seen = Clock::now();
    recount_locked();
  }

  // Called from the sweeper thread every few seconds.
  void sweep_silent(Clock::duration max_silence) {
    std::unique_lock lk(mu_);
    std::vector<int> dead;
    for (const auto& [id, st] : bays_)
      if (Clock::now() - st.last_seen > max_silence) dead.push_back(id);
    lk.unlock();
    for (int id : dead) bays_.erase(id);  // expect: errorshield-unlocked-shared-map
  }

  void mark_out_of_service(int bay) {
    {
      std::lock_guard lk(mu_);
      if (!bays_.count(bay)) return;
    }
    out_of_service_.insert({bay, Clock::now()});  // expect: errorshield-unlocked-shared-map
  }

  void clear_out_of_service(int bay) {
    std::scoped_lock lk(mu_);
    out_of_service_.erase(bay);  // OK: under mu_
  }

  // Operator app annotates a bay ("cones", "reserved for deliveries").
  void annotate(int bay, std::string note) {
    std::shared_lock rd(notes_mu_);
    notes_[bay] = std::move(note);  // expect: errorshield-unlocked-shared-map
  }

  std::string note_for(int bay) const {
    std::shared_lock rd(notes_mu_);
    auto it = notes_.find(bay);
    return it == notes_.end() ? std::string{} : it->second;
  }

  void clear_note(int bay) {
    std::unique_lock wr(notes_mu_);
    notes_.erase(bay);  // OK: exclusive lock
  }

  json snapshot() const {
    std::lock_guard lk(mu_);
    json out = json::object();
    for (const auto& [lvl, n] : free_per_level_) out[std::to_string(lvl)] = n;
    return out;
  }

 private:
  // Caller must hold mu_.
  void recount_locked() {
    std::map<int, int> fresh;
    for (const auto& [id, st] : bays_)
      if (!st.occupied && !out_of_service_.count(id)) ++fresh[st.level];  // OK: local map
    free_per_level_.swap(fresh);  // OK: every caller holds mu_
  }

  mutable std::mutex mu_;
  std::unordered_map<int, BayState> bays_;
  std::map<int, Clock::time_point> out_of_service_;
  std::map<int, int> free_per_level_;
  mutable std::shared_mutex notes_mu_;
  std::unordered_map<int, std::string> notes_;
};

void bump_ev_level(LevelCounters& c, int level, int delta) {
  std::lock_guard lk(c.mu);
  c.ev_free_per_level[level] += delta;  // OK: under c.mu
}

class SensorListener {
 public:
  SensorListener(net::io_context& ioc, unsigned short port, BayDirectory& dir,
                 std::shared_ptr<LevelCounters> counters)
      : sock_(ioc, udp::endpoint(udp::v4(), port)), dir_(dir), counters_(std::move(counters)) {}

  void start() { receive(); }

 private:
  void receive() {
    sock_.async_receive_from(net::buffer(buf_), from_,
                             [this](beast::error_code ec, std::size_t n) {
                               if (!ec) handle(std::string(buf_.data(), n));
                               receive();
                             });
  }

  void handle(const std::string& datagram) {
    json j = json::parse(datagram, nullptr, false);
    if (j.is_discarded()) return;
    const std::string box = j.value("box", from_.address().to_string());
    g_gateway_heartbeat[box] = Clock::now();  // expect: errorshield-unlocked-shared-map

    std::map<int, bool> batch;  // OK: local to this call
    for (const auto& r : j.value("readings", json::array()))
      batch[r.at("bay").get<int>()] = r.at("occ").get<bool>();
    for (const auto& [bay, occ] : batch) {
      dir_.on_reading(bay, occ);
      bump_level(level_of(bay), occ ? -1 : +1);
      if (j.value("ev_row", false)) bump_ev_level(*counters_, level_of(bay), occ ? -1 : +1);
    }
    ++datagrams_;
  }

  static int level_of(int bay) { return bay / 1000; }

  void bump_level(int level, int delta) {
    counters_->free_per_level[level] += delta;  // expect: errorshield-unlocked-shared-map
  }

  udp::socket sock_;
  udp::endpoint from_;
  std::array<char, 2048> buf_{};
  BayDirectory& dir_;
  std::shared_ptr<LevelCounters> counters_;
  std::atomic<std::uint64_t> datagrams_{0};
};

void prune_gateways(Clock::duration max_silence) {
  const auto now = Clock::now();
  std::lock_guard lk(g_gateway_mu);
  std::erase_if(g_gateway_heartbeat, [&](const auto& kv) {  // OK: under g_gateway_mu
    return now - kv.second > max_silence;
  });
}

std::string render_sign(int level, int free) {
  thread_local std::unordered_map<int, std::string> cache;  // per-thread, never shared
  auto& s = cache[level];  // OK: thread_local
  s = "L" + std::to_string(level) + " FREE " + std::to_string(free);
  return s;
}

// Operator app: one WebSocket per tablet, commands like {"op":"note","bay":1204,"text":"cones"}.
class OperatorSession : public std::enable_shared_from_this<OperatorSession> {
 public:
  OperatorSession(tcp::socket s, BayDirectory& dir) : ws_(std::move(s)), dir_(dir) {}
  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read();
    });
  }

 private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->apply(json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false));
      self->buf_.consume(self->buf_.size());
      self->read();
    });
  }
  void apply(const json& cmd) {
    if (cmd.is_discarded()) return;
    const std::string op = cmd.value("op", "");
    const int bay = cmd.value("bay", -1);
    ++seen_ops_[op];  // OK: per-session member, one read chain per session
    if (op == "note") dir_.annotate(bay, cmd.value("text", ""));
    else if (op == "unnote") dir_.clear_note(bay);
    else if (op == "oos") dir_.mark_out_of_service(bay);
    else if (op == "back") dir_.clear_out_of_service(bay);
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  BayDirectory& dir_;
  std::map<std::string, int> seen_ops_;
};

void accept_operators(tcp::acceptor& acc, BayDirectory& dir) {
  acc.async_accept([&acc, &dir](beast::error_code ec, tcp::socket s) {
    if (!ec) std::make_shared<OperatorSession>(std::move(s), dir)->start();
    accept_operators(acc, dir);
  });
}

void run_gateway(const std::vector<unsigned short>& level_ports, unsigned short op_port,
                 const json& layout) {
  net::io_context ioc;
  BayDirectory dir(layout);
  auto counters = std::make_shared<LevelCounters>();
  std::vector<std::unique_ptr<SensorListener>> listeners;
  for (unsigned short port : level_ports) {
    listeners.push_back(std::make_unique<SensorListener>(ioc, port, dir, counters));
    listeners.back()->start();
  }
  tcp::acceptor ops(ioc, tcp::endpoint(tcp::v4(), op_port));
  accept_operators(ops, dir);

  std::atomic<bool> stop{false};
  std::thread sweeper([&] {
    while (!stop) {
      dir.sweep_silent(std::chrono::seconds(90));
      prune_gateways(std::chrono::minutes(10));
      std::this_thread::sleep_for(std::chrono::seconds(5));
    }
  });

  std::vector<std::thread> pool;
  for (int i = 0; i < 4; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  for (auto& t : pool) t.join();
  stop = true;
  sweeper.join();
}
