// checks: errorshield-ws-concurrent-write
// Sailing regatta tracker: boats report GPS fixes at ~10 Hz, the server fans
// them out to spectator clients over WebSocket together with race signals
// (warning, start, individual recall) and a periodic leaderboard.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace regatta {

struct Fix {
  std::string sail_no;
  double lat = 0, lon = 0;
  double sog_kn = 0, cog_deg = 0;
  std::int64_t t_ms = 0;
};

inline json to_wire(const Fix& f) {
  return {{"sail", f.sail_no}, {"lat", f.lat}, {"lon", f.lon}, {"sog", f.sog_kn}, {"cog", f.cog_deg}, {"t", f.t_ms}};
}

class Spectator : public std::enable_shared_from_this<Spectator> {
 public:
  explicit Spectator(tcp::socket s) : ws_(std::move(s)), heartbeat_(ws_.get_executor()) {}

  websocket::stream<beast::tcp_stream> ws_;

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->send_welcome();
    });
  }

  // Queued send: only one async_write is ever outstanding.
  void send(std::string msg) {
    queue_.push_back(std::move(msg));
    if (queue_.size() > 1) return;
    write_front();
  }

  // Race committee fired the start gun. Gets to the client "faster" by
  // skipping the queue.
  void notify_race_start(int race_no) {
    auto msg = std::make_shared<std::string>(json{{"signal", "start"}, {"race", race_no}}.dump());
    ws_.async_write(net::buffer(*msg), [msg](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
  }

  void notify_recall(int race_no, const std::vector<std::string>& ocs) {
    send(json{{"signal", "recall"}, {"race", race_no}, {"ocs", ocs}}.dump()); // OK: goes through the queue
  }

 private:
  void write_front() {
    ws_.text(true);
    ws_.async_write(net::buffer(queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) { // OK: the only writer
      if (ec) return;
      self->queue_.pop_front();
      if (!self->queue_.empty()) self->write_front();
    });
  }

  void send_welcome() {
    auto hello = std::make_shared<std::string>(json{{"type", "hello"}, {"proto", 3}}.dump());
    auto course = std::make_shared<std::string>(json{{"type", "course"}, {"marks", json::array()}}.dump());
    ws_.async_write(net::buffer(*hello), [self = shared_from_this(), hello](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->read_loop();
      self->schedule_heartbeat();
    });
    ws_.async_write(net::buffer(*course), [course](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
  }

  void schedule_heartbeat() {
    heartbeat_.expires_after(std::chrono::seconds(5));
    heartbeat_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      // Pings are control frames and may overlap a message write.
      self->ws_.async_ping({}, [](beast::error_code) {});
      auto clock = std::make_shared<std::string>(json{{"type", "clock"}, {"t", std::chrono::system_clock::now().time_since_epoch().count()}}.dump());
      self->ws_.async_write(net::buffer(*clock), [clock](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
      self->schedule_heartbeat();
    });
  }

  void read_loop() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      auto req = json::parse(beast::buffers_to_string(self->in_.data()), nullptr, false);
      self->in_.consume(self->in_.size());
      if (!req.is_discarded() && req.value("type", "") == "follow")
        self->send(json{{"type", "following"}, {"sail", req.value("sail", "")}}.dump()); // OK: queued
      self->read_loop();
    });
  }

  std::deque<std::string> queue_;
  beast::flat_buffer in_;
  net::steady_timer heartbeat_;
};

// Fans boat fixes out to every spectator.
class FleetBroadcaster {
 public:
  void subscribe(const std::shared_ptr<Spectator>& s) { spectators_.push_back(s); }

  void on_fix(const Fix& f) {
    const std::string body = to_wire(f).dump();
    for (auto& s : spectators_) s->send(body); // OK: each spectator has its own queue
  }

  // Raw relay used by the jury boat tablets; called for every fix at 10 Hz.
  void relay_to_jury(const Fix& f) {
    auto body = std::make_shared<std::string>(to_wire(f).dump());
    for (Spectator* j : jury_) {
      j->ws_.async_write(net::buffer(*body), [body](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
    }
  }

  void add_jury(Spectator* j) { jury_.push_back(j); }

 private:
  std::vector<std::shared_ptr<Spectator>> spectators_;
  std::vector<Spectator*> jury_;
};

// Results service: a coroutine client that pushes finish times and the
// leaderboard to the regatta office's scoring system.
net::awaitable<void> push_results(websocket::stream<beast::tcp_stream>& office,
                                  std::vector<std::pair<std::string, std::int64_t>> finishes) {
  // Sequential awaits: each write completes before the next starts.
  for (const auto& [sail, t] : finishes) {
    const std::string line = json{{"finish", sail}, {"t", t}}.dump();
    co_await office.async_write(net::buffer(line), net::use_awaitable); // OK: awaited
  }
  const std::string done = json{{"type", "race_complete"}}.dump();
  co_await office.async_write(net::buffer(done), net::use_awaitable); // OK: awaited
}

net::awaitable<void> push_protest(websocket::stream<beast::tcp_stream>& office, std::string protest_json,
                                  std::string attachment) {
  // The scanned protest form is big; start it in the background...
  office.binary(true);
  office.async_write(net::buffer(attachment), net::detached);
  // ...and send the metadata straight away.
  office.binary(false);
  co_await office.async_write(net::buffer(protest_json), net::use_awaitable); // expect: errorshield-ws-concurrent-write
}

// Chained writes: the second starts from the first one's completion handler.
class StartSequence : public std::enable_shared_from_this<StartSequence> {
 public:
  explicit StartSequence(websocket::stream<beast::tcp_stream>& ws) : ws_(ws) {}

  void run() {
    warning_ = json{{"signal", "warning"}, {"minutes", 5}}.dump();
    prep_ = json{{"signal", "preparatory"}, {"flag", "P"}}.dump();
    ws_.async_write(net::buffer(warning_), [self = shared_from_this()](beast::error_code ec, std::size_t) { // OK: first
      if (ec) return;
      self->ws_.async_write(net::buffer(self->prep_), [self](beast::error_code, std::size_t) {}); // OK: after the first finished
    });
  }

 private:
  websocket::stream<beast::tcp_stream>& ws_;
  std::string warning_, prep_;
};

// Two independent feeds on two different sockets may be written at once.
// Called once per race when the provisional results are published.
void mirror_to_backup(websocket::stream<beast::tcp_stream>& primary, websocket::stream<beast::tcp_stream>& backup,
                      std::shared_ptr<std::string> msg) {
  primary.async_write(net::buffer(*msg), [msg](beast::error_code, std::size_t) {}); // OK: stream A
  backup.async_write(net::buffer(*msg), [msg](beast::error_code, std::size_t) {});  // OK: stream B
}

void start_protest_upload(net::io_context& ioc, websocket::stream<beast::tcp_stream>& office, std::string meta,
                          std::string scan) {
  net::co_spawn(ioc, push_protest(office, std::move(meta), std::move(scan)), net::detached);
}

} // namespace regatta
