// checks: errorshield-unlocked-shared-map
// Smart-meter telemetry ingest for a distribution grid operator. Concentrators
// stream readings over TCP; a fixed set of decoder threads parses frames and
// updates per-meter state, feeder load totals and alarms.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace grid {

using MeterId = std::uint64_t;

struct Reading {
  MeterId meter = 0;
  std::string feeder;
  std::uint32_t seq = 0;
  std::int64_t watt_hours = 0;
  std::int32_t voltage_dv = 0;  // decivolts
  std::chrono::system_clock::time_point ts;
};

struct FeederLoad {
  std::int64_t wh_total = 0;
  std::uint32_t meters = 0;
  std::uint32_t alarms = 0;
};

// Sequence-gap counters exported to Prometheus.
std::unordered_map<MeterId, std::uint32_t> g_seq_gaps;

template <class Key>
class Histogram {
public:
  void bump(const Key& k) {
    ++counts_[k]; // expect: errorshield-unlocked-shared-map
  }
  void bump_locked(const Key& k) {
    std::lock_guard lk(mu_);
    ++counts_[k];
  }
  std::map<Key, std::uint64_t> snapshot() const {
    std::lock_guard lk(mu_);
    return counts_;
  }

private:
  mutable std::mutex mu_;
  std::map<Key, std::uint64_t> counts_;
};

class FrameQueue {
public:
  void push(std::string f) {
    {
      std::lock_guard lk(mu_);
      q_.push_back(std::move(f));
    }
    cv_.notify_one();
  }
  bool pop(std::string& out) {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return !q_.empty() || closed_; });
    if (q_.empty()) return false;
    out = std::move(q_.front());
    q_.pop_front();
    return true;
  }
  void close() {
    { std::lock_guard lk(mu_); closed_ = true; }
    cv_.notify_all();
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> q_;
  bool closed_ = false;
};

class Ingest {
public:
  Ingest(asio::io_context& ioc, unsigned decoders) : ioc_(ioc), shards_(decoders) {
    for (unsigned i = 0; i < decoders; ++i) workers_.emplace_back([this, i] { decode_loop(i); });
  }
  ~Ingest() {
    frames_.close();
    for (auto& t : workers_) t.join();
  }

  void submit(std::string frame) { frames_.push(std::move(frame)); }

  std::map<std::string, FeederLoad> feeder_snapshot() const {
    std::lock_guard lk(state_mu_);
    return feeder_totals_;
  }

private:
  struct Shard {
    std::unordered_map<std::string, std::uint64_t> malformed_by_reason;  // owned by one decoder
  };

  void decode_loop(unsigned idx) {
    std::string frame;
    while (frames_.pop(frame)) {
      auto j = json::parse(frame, nullptr, false);
      if (j.is_discarded() || !j.contains("m")) {
        shards_[idx].malformed_by_reason[j.is_discarded() ? "json" : "no-meter"]++;
        continue;
      }
      Reading r;
      r.meter = j["m"].get<MeterId>();
      r.feeder = j.value("f", std::string{"unknown"});
      r.seq = j.value("s", 0u);
      r.watt_hours = j.value("wh", std::int64_t{0});
      r.voltage_dv = j.value("v", 2300);
      r.ts = std::chrono::system_clock::now();
      apply(r);
    }
  }

  void apply(const Reading& r) {
    std::unique_lock lk(state_mu_);
    auto prev = latest_.find(r.meter);
    if (prev != latest_.end() && r.seq > prev->second.seq + 1) {
      const auto gap = r.seq - prev->second.seq - 1;
      lk.unlock();  // don't hold the state lock while touching metrics
      g_seq_gaps[r.meter] += gap; // expect: errorshield-unlocked-shared-map
      lk.lock();
    }
    apply_locked(lk, r);
    lk.unlock();

    voltage_hist_.bump(r.voltage_dv / 50);
    feeder_hist_.bump_locked(r.feeder);

    if (r.voltage_dv < 2070 || r.voltage_dv > 2530) raise_alarm(r);
  }

  // Caller passes its held lock; the map writes happen under it.
  void apply_locked(std::unique_lock<std::mutex>& held, const Reading& r) {
    (void)held;
    auto& load = feeder_totals_[r.feeder];
    auto [it, fresh] = latest_.insert_or_assign(r.meter, r);
    if (fresh) ++load.meters;
    load.wh_total += r.watt_hours;
  }

  void raise_alarm(const Reading& r) {
    {
      std::scoped_lock lk(alarm_mu_, state_mu_);
      alarms_[r.meter] = r.ts;
      ++feeder_totals_[r.feeder].alarms;
    }
    // Auto-clear the alarm if the meter stays quiet for a minute.
    auto t = std::make_shared<asio::steady_timer>(ioc_, std::chrono::minutes(1));
    t->async_wait([this, t, meter = r.meter](beast::error_code ec) {
      if (ec) return;
      alarms_.erase(meter); // expect: errorshield-unlocked-shared-map
    });
  }

  asio::io_context& ioc_;
  FrameQueue frames_;
  std::vector<Shard> shards_;
  std::vector<std::thread> workers_;

  mutable std::mutex state_mu_;
  std::unordered_map<MeterId, Reading> latest_;
  std::map<std::string, FeederLoad> feeder_totals_;

  std::mutex alarm_mu_;
  std::map<MeterId, std::chrono::system_clock::time_point> alarms_;

  Histogram<std::int32_t> voltage_hist_;
  Histogram<std::string> feeder_hist_;
};

// Line-oriented concentrator connection; every connection's handlers run on
// the shared io_context, which several threads run.
class ConcentratorLink : public std::enable_shared_from_this<ConcentratorLink> {
public:
  ConcentratorLink(tcp::socket s, Ingest& in) : sock_(std::move(s)), ingest_(in) {}

  void start() { read_line(); }

private:
  void read_line() {
    asio::async_read_until(sock_, asio::dynamic_buffer(buf_), '\n',
                           [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                             if (ec) return;
                             std::string line = self->buf_.substr(0, n - 1);
                             self->buf_.erase(0, n);
                             self->ingest_.submit(std::move(line));
                             self->read_line();
                           });
  }

  tcp::socket sock_;
  std::string buf_;
  Ingest& ingest_;
};

// Config parse: local map, no sharing.
std::map<std::string, int> parse_feeder_limits(const json& cfg) {
  std::map<std::string, int> limits;
  for (auto it = cfg.begin(); it != cfg.end(); ++it) limits[it.key()] = it.value().get<int>();
  limits.erase("_comment");
  return limits;
}

void serve(unsigned short port) {
  asio::io_context ioc;
  Ingest ingest(ioc, 4);
  tcp::acceptor acc(ioc, {tcp::v4(), port});
  std::function<void()> loop = [&] {
    acc.async_accept([&](beast::error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<ConcentratorLink>(std::move(s), ingest)->start();
      loop();
    });
  };
  loop();
  std::vector<std::jthread> io;
  for (int i = 0; i < 3; ++i) io.emplace_back([&ioc] { ioc.run(); });
}

}  // namespace grid
