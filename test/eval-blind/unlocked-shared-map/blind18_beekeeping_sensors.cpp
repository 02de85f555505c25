// checks: errorshield-unlocked-shared-map
// Apiary telemetry ingest: hive scales and brood-chamber sensors report over
// UDP (LoRa gateway and Wi-Fi gateway), samples are fanned out to ingest
// workers, and the alarm board is polled by the beekeeper dashboard.
#include <boost/asio.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace apiary {

namespace asio = boost::asio;
using udp = asio::ip::udp;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

struct HiveSample {
  std::string hive_id;
  std::string gateway;
  double weight_kg = 0.0;
  double brood_temp_c = 0.0;
  double humidity = 0.0;
  int sound_db = 0;
  Clock::time_point at{};
};

// Datagram layout: "hive_id;weight;temp;humidity;sound_db"
std::optional<HiveSample> parse_datagram(std::string_view text, std::string gateway) {
  std::array<std::string_view, 5> parts{};
  std::size_t field = 0;
  while (field < parts.size()) {
    auto semi = text.find(';');
    parts[field++] = text.substr(0, semi);
    if (semi == std::string_view::npos) break;
    text.remove_prefix(semi + 1);
  }
  if (field != parts.size() || parts[0].empty()) return std::nullopt;
  HiveSample s;
  s.hive_id = std::string(parts[0]);
  s.gateway = std::move(gateway);
  try {
    s.weight_kg = std::stod(std::string(parts[1]));
    s.brood_temp_c = std::stod(std::string(parts[2]));
    s.humidity = std::stod(std::string(parts[3]));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  auto [p, ec] = std::from_chars(parts[4].data(), parts[4].data() + parts[4].size(), s.sound_db);
  if (ec != std::errc{}) return std::nullopt;
  s.at = Clock::now();
  return s;
}

// Scale tare offsets; loaded once before the gateways are started.
class CalibrationTable {
 public:
  bool load(const std::string& path) {
    std::ifstream in(path);
    if (!in) return false;
    json doc = json::parse(in, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return false;
    for (auto& [hive, entry] : doc.items()) offsets_[hive] = entry.value("tare_kg", 0.0);
    return true;
  }
  double tare(const std::string& hive) const {
    auto it = offsets_.find(hive);
    return it == offsets_.end() ? 0.0 : it->second;
  }

 private:
  std::unordered_map<std::string, double> offsets_;
};

class HiveRegistry {
 public:
  void record(const HiveSample& s) {
    std::lock_guard lk(mu_);
    latest_[s.hive_id] = s;
  }
  std::optional<HiveSample> latest(const std::string& hive) const {
    std::lock_guard lk(mu_);
    auto it = latest_.find(hive);
    if (it == latest_.end()) return std::nullopt;
    return it->second;
  }

  // Last contact per hive, used by the "silent hive" report.
  std::map<std::string, Clock::time_point> last_seen;
  // Undecodable datagrams per gateway.
  std::map<std::string, std::size_t> malformed;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, HiveSample> latest_;
};

void note_drop(std::map<std::string, std::size_t>& drops, const std::string& gateway) {
  ++drops[gateway];
}

// One receiver per gateway; all receivers share the io_context thread pool.
class GatewayReceiver {
 public:
  GatewayReceiver(asio::io_context& ioc, unsigned short port, std::string name,
                  HiveRegistry* registry, std::function<void(HiveSample)> sink)
      : socket_(ioc, udp::endpoint(udp::v4(), port)),
        name_(std::move(name)),
        registry_(registry),
        sink_(std::move(sink)) {}

  void start() { receive(); }

 private:
  void receive() {
    socket_.async_receive_from(
        asio::buffer(buf_), sender_,
        [this](const boost::system::error_code& ec, std::size_t n) {
          if (ec == asio::error::operation_aborted) return;
          if (!ec) {
            if (auto s = parse_datagram(std::string_view(buf_.data(), n), name_)) {
              registry_->record(*s);
              registry_->last_seen[s->hive_id] = s->at; // expect: errorshield-unlocked-shared-map
              sink_(std::move(*s));
            } else {
              note_drop(registry_->malformed, name_); // expect: errorshield-unlocked-shared-map
            }
          }
          receive();
        });
  }

  udp::socket socket_;
  udp::endpoint sender_;
  std::array<char, 512> buf_{};
  std::string name_;
  HiveRegistry* registry_;
  std::function<void(HiveSample)> sink_;
};

// Swarm-risk counters shown on the morning report.
std::unordered_map<std::string, int> g_swarm_alerts;

class IngestPipeline {
 public:
  explicit IngestPipeline(const CalibrationTable& cal) : cal_(cal) {}

  void start(unsigned workers) {
    for (unsigned i = 0; i < workers; ++i) workers_.emplace_back([this] { run_worker(); });
  }

  void stop() {
    {
      std::lock_guard lk(q_mu_);
      stopping_ = true;
    }
    q_cv_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  void push(HiveSample s) {
    {
      std::lock_guard lk(q_mu_);
      if (queue_.size() >= 4096) {
        note_drop(dropped_, s.gateway);
        return;
      }
      queue_.push_back(std::move(s));
    }
    q_cv_.notify_one();
  }

  std::map<std::string, double> daily_gain_snapshot() const {
    std::shared_lock lk(gain_mu_);
    return daily_gain_;
  }

 private:
  void run_worker() {
    // Per-worker aggregation, merged into the shared totals in batches.
    std::unordered_map<std::string, double> local_gain;
    std::size_t since_flush = 0;
    for (;;) {
      HiveSample s;
      {
        std::unique_lock lk(q_mu_);
        q_cv_.wait(lk, [this] { return stopping_ || !queue_.empty(); });
        if (stopping_ && queue_.empty()) break;
        s = std::move(queue_.front());
        queue_.pop_front();
      }
      if (s.sound_db > 85 && s.brood_temp_c > 35.5) ++g_swarm_alerts[s.hive_id]; // expect: errorshield-unlocked-shared-map

      double net = s.weight_kg - cal_.tare(s.hive_id);
      double prev = remember_weight(s.hive_id, net);
      local_gain[s.hive_id] += net - prev;

      if (net < prev - 1.5) {
        std::lock_guard lk(q_mu_);
        note_drop(dropped_, "swarm-weight-drop:" + s.hive_id);
      }
      if (++since_flush >= 64) {
        flush(local_gain);
        since_flush = 0;
      }
    }
    flush(local_gain);
  }

  double remember_weight(const std::string& hive, double net) {
    thread_local std::unordered_map<std::string, double> last_net;
    auto [it, inserted] = last_net.try_emplace(hive, net);
    double prev = it->second;
    it->second = net;
    return inserted ? net : prev;
  }

  void flush(std::unordered_map<std::string, double>& local) {
    with_exclusive([&] {
      for (auto& [hive, gain] : local) daily_gain_[hive] += gain;
    });
    local.clear();
  }

  template <class Fn>
  void with_exclusive(Fn&& fn) {
    std::unique_lock lk(gain_mu_);
    fn();
  }

  const CalibrationTable& cal_;
  std::vector<std::thread> workers_;
  std::mutex q_mu_;
  std::condition_variable q_cv_;
  std::deque<HiveSample> queue_;
  bool stopping_ = false;
  std::map<std::string, std::size_t> dropped_;
  mutable std::shared_mutex gain_mu_;
  std::map<std::string, double> daily_gain_;
};

// Alarm board: open alarms are only touched on the board's strand.
class AlarmBoard {
 public:
  explicit AlarmBoard(asio::io_context& ioc) : strand_(asio::make_strand(ioc)) {}

  void raise(std::string hive, std::string text) {
    asio::post(strand_, [this, hive = std::move(hive), text = std::move(text)] {
      open_alarms_[hive] = text;
    });
  }
  void clear(std::string hive) {
    asio::post(strand_, [this, hive = std::move(hive)] { open_alarms_.erase(hive); });
  }

 private:
  asio::strand<asio::io_context::executor_type> strand_;
  std::unordered_map<std::string, std::string> open_alarms_;
};

// Queen-loss detection runs on the analysis pool; the handler is installed
// by the service and invoked from whichever pool thread finished the check.
class QueenWatch {
 public:
  QueenWatch() {
    on_queen_loss_ = [this](const std::string& hive) {
      queen_loss_since_.emplace(hive, Clock::now()); // expect: errorshield-unlocked-shared-map
    };
  }

  void analyse(const HiveSample& s) {
    asio::post(pool_, [this, s] {
      // Queenless colonies "roar": sustained high sound level at normal temperature.
      if (s.sound_db > 78 && s.brood_temp_c < 34.0) on_queen_loss_(s.hive_id);
    });
  }

  void shutdown() { pool_.join(); }

 private:
  asio::thread_pool pool_{3};
  std::function<void(const std::string&)> on_queen_loss_;
  std::map<std::string, Clock::time_point> queen_loss_since_;
};

class ApiaryService {
 public:
  explicit ApiaryService(const std::string& calibration_path) {
    if (!cal_.load(calibration_path)) cal_ = CalibrationTable{};
  }

  void run(unsigned io_threads) {
    auto sink = [this](HiveSample s) {
      watch_.analyse(s);
      if (s.brood_temp_c > 37.0) board_.raise(s.hive_id, "brood overheating");
      pipeline_.push(std::move(s));
    };
    lora_.emplace(ioc_, 47001, "lora", &registry_, sink);
    wifi_.emplace(ioc_, 47002, "wifi", &registry_, sink);
    lora_->start();
    wifi_->start();
    pipeline_.start(4);
    for (unsigned i = 0; i < io_threads; ++i) io_threads_.emplace_back([this] { ioc_.run(); });
  }

  void stop() {
    ioc_.stop();
    for (auto& t : io_threads_) t.join();
    pipeline_.stop();
    watch_.shutdown();
  }

 private:
  asio::io_context ioc_;
  CalibrationTable cal_;
  HiveRegistry registry_;
  IngestPipeline pipeline_{cal_};
  AlarmBoard board_{ioc_};
  QueenWatch watch_;
  std::optional<GatewayReceiver> lora_;
  std::optional<GatewayReceiver> wifi_;
  std::vector<std::thread> io_threads_;
};

}  // namespace apiary
