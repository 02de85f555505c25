// checks: errorshield-unlocked-shared-map
// Bike-sharing dock availability service.
//
// Docks report telemetry (free slots, bikes present) over a small JSON-over-TCP protocol;
// the rider app queries availability over HTTP. One io_context is run by a pool of
// threads, and reservation expiry runs on a separate thread_pool.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

struct DockState {
  int bikes = 0;
  int free_slots = 0;
  bool online = true;
  Clock::time_point last_report{};
};

struct Reservation {
  std::string rider;
  std::string dock_id;
  Clock::time_point expires{};
};

// Cross-station rebalancing requests, consumed by the van-dispatch exporter.
static std::unordered_map<std::string, int> g_rebalance_requests;
static std::mutex g_rebalance_mu;

// Per-station aggregate (a station has many docks); shared between all handlers.
struct Station {
  std::string id;
  std::map<std::string, DockState> docks;
  std::mutex mu;
};

class AvailabilityService {
 public:
  explicit AvailabilityService(unsigned threads) : work_(asio::make_work_guard(ioc_)), expiry_pool_(2) {
    for (unsigned i = 0; i < threads; ++i) runners_.emplace_back([this] { ioc_.run(); });
  }

  ~AvailabilityService() {
    work_.reset();
    ioc_.stop();
    for (auto& t : runners_) t.join();
    expiry_pool_.join();
  }

  asio::io_context& ioc() { return ioc_; }

  // Called from the telemetry read handler (any io thread).
  void on_telemetry(const json& msg) {
    const std::string station = msg.value("station", "");
    if (msg.contains("docks")) {  // controller batch instead of a single dock
      if (auto st = find_station(station)) merge_station_batch(*st, msg);
      return;
    }
    const std::string dock = msg.at("dock").get<std::string>();
    {
      std::unique_lock lk(docks_mu_);
      auto& d = docks_[dock];  // OK
      d.bikes = msg.value("bikes", 0);
      d.free_slots = msg.value("free", 0);
      d.last_report = Clock::now();
    }
    if (auto st = find_station(station)) {
      std::lock_guard lk(st->mu);
      st->docks[dock].bikes = msg.value("bikes", 0);  // OK
    }
    note_seen(dock);
  }

  // Dock went offline (TCP session ended).
  void on_dock_lost(const std::string& dock) {
    docks_[dock].online = false;  // expect: errorshield-unlocked-shared-map
    std::lock_guard lk(g_rebalance_mu);
    g_rebalance_requests[dock] += 1;  // OK
  }

  // Rider taps "reserve": hold a bike for 10 minutes.
  bool reserve(const std::string& rider, const std::string& dock) {
    {
      std::shared_lock lk(docks_mu_);
      auto it = docks_.find(dock);
      if (it == docks_.end() || it->second.bikes == 0) return false;
    }
    auto lk = lock_reservations();
    reservations_[rider] = Reservation{rider, dock, Clock::now() + std::chrono::minutes(10)};  // OK: held via helper
    return true;
  }

  void cancel(const std::string& rider) {
    asio::post(expiry_pool_, [this, rider] {
      reservations_.erase(rider);  // expect: errorshield-unlocked-shared-map
    });
  }

  void arm_expiry_sweep() {
    sweep_timer_ = std::make_unique<asio::steady_timer>(ioc_, std::chrono::seconds(30));
    sweep_timer_->async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      auto lk = lock_reservations();
      const auto now = Clock::now();
      for (auto it = reservations_.begin(); it != reservations_.end();) {
        if (it->second.expires < now) it = reservations_.erase(it);  // OK
        else ++it;
      }
      lk.unlock();
      arm_expiry_sweep();
    });
  }

  // Station registry: populated by the admin API while the service is running.
  void add_station(std::shared_ptr<Station> st) {
    std::lock_guard lk(stations_mu_);
    stations_.emplace(st->id, std::move(st));
  }

  void on_station_decommissioned(const std::string& id, bool force) {
    std::unique_lock lk(stations_mu_);
    auto it = stations_.find(id);
    if (it == stations_.end()) return;
    if (force) {
      lk.unlock();
      stations_.erase(id);  // expect: errorshield-unlocked-shared-map
      return;
    }
    stations_.erase(it);  // OK
  }

  // Merge a batch report sent by the station controller (many docks at once).
  void merge_station_batch(Station& st, const json& batch) {
    for (const auto& d : batch.at("docks")) {
      DockState s;
      s.bikes = d.value("bikes", 0);
      s.free_slots = d.value("free", 0);
      s.last_report = Clock::now();
      st.docks.insert_or_assign(d.at("id").get<std::string>(), s);  // expect: errorshield-unlocked-shared-map
    }
  }

  // Build the HTTP answer for GET /stations/{id}/availability.
  http::response<http::string_body> availability(const std::string& station_id, unsigned version) {
    std::map<std::string, int> per_dock;  // local, not shared
    if (auto st = find_station(station_id)) {
      std::lock_guard lk(st->mu);
      for (const auto& [id, d] : st->docks) per_dock[id] = d.online ? d.bikes : 0;  // OK
    }
    json body;
    for (const auto& [id, n] : per_dock) body[id] = n;
    http::response<http::string_body> res{http::status::ok, version};
    res.set(http::field::content_type, "application/json");
    res.body() = body.dump();
    res.prepare_payload();
    return res;
  }

 private:
  std::unique_lock<std::mutex> lock_reservations() { return std::unique_lock<std::mutex>(res_mu_); }

  std::shared_ptr<Station> find_station(const std::string& id) {
    std::lock_guard lk(stations_mu_);
    auto it = stations_.find(id);
    return it == stations_.end() ? nullptr : it->second;
  }

  void note_seen(const std::string& dock) {
    last_seen_[dock] = Clock::now();  // expect: errorshield-unlocked-shared-map
  }

  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  asio::thread_pool expiry_pool_;
  std::vector<std::thread> runners_;
  std::unique_ptr<asio::steady_timer> sweep_timer_;

  std::shared_mutex docks_mu_;
  std::unordered_map<std::string, DockState> docks_;
  std::unordered_map<std::string, Clock::time_point> last_seen_;

  std::mutex res_mu_;
  std::unordered_map<std::string, Reservation> reservations_;

  std::mutex stations_mu_;
  std::unordered_map<std::string, std::shared_ptr<Station>> stations_;
};

// Rebalancing hints pushed from the ML forecaster; each batch is processed on a worker.
void apply_forecast(asio::thread_pool& pool, const json& forecast) {
  for (const auto& item : forecast) {
    asio::post(pool, [item] {
      const auto dock = item.at("dock").get<std::string>();
      if (item.value("deficit", 0) > 3) g_rebalance_requests[dock] = item.value("deficit", 0);  // expect: errorshield-unlocked-shared-map
    });
  }
}

// Per-thread scratch cache for the telemetry decoder; each io thread has its own copy.
int decode_firmware_quirk(const std::string& model) {
  thread_local std::unordered_map<std::string, int> quirk_cache;
  auto [it, inserted] = quirk_cache.try_emplace(model, 0);  // OK: thread_local
  if (inserted) it->second = model.rfind("v1", 0) == 0 ? 1 : 0;
  return it->second;
}

json export_rebalance_requests() {
  std::lock_guard lk(g_rebalance_mu);
  json out = g_rebalance_requests;
  g_rebalance_requests.clear();  // OK
  return out;
}
