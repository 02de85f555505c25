// checks: errorshield-unlocked-shared-map
// Live courier tracking for a food-delivery platform. Couriers push GPS fixes
// over WebSocket, customers watch their order; the io_context runs on a pool
// of threads, and a dispatcher thread pool assigns couriers to orders.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace tracking {

using OrderId = std::uint64_t;

struct CourierFix {
  double lat = 0, lon = 0;
  std::chrono::steady_clock::time_point at;
};

// ETA cache shared by all sessions (minutes, keyed by order id as string).
std::unordered_map<std::string, int> g_eta_minutes;
std::mutex g_eta_mu;

// Static lookup table, never written after start-up.
const std::unordered_map<std::string, int> kZoneSpeedKmh = {
    {"downtown", 14}, {"suburb", 28}, {"campus", 10}};

class Watcher;

class TrackingService {
public:
  explicit TrackingService(asio::io_context& ioc) : ioc_(ioc), dispatch_pool_(4) {
    // single-threaded: runs before any worker is started
    zone_of_courier_["bootstrap"] = "downtown";
  }

  void record_fix(const std::string& courier, const CourierFix& fix) {
    std::lock_guard lk(fix_mu_);
    last_fix_[courier] = fix;
  }

  // "hot path" used by the binary GPS protocol, called from every io thread
  void record_fix_fast(const std::string& courier, double lat, double lon) {
    auto& slot = last_fix_[courier]; // expect: errorshield-unlocked-shared-map
    slot.lat = lat;
    slot.lon = lon;
    slot.at = std::chrono::steady_clock::now();
  }

  std::optional<CourierFix> fix_of(const std::string& courier) const {
    std::lock_guard lk(fix_mu_);
    auto it = last_fix_.find(courier);
    if (it == last_fix_.end()) return std::nullopt;
    return it->second;
  }

  // Called from the dispatcher pool for every new order.
  void assign_async(OrderId order, std::string courier) {
    asio::post(dispatch_pool_, [this, order, courier = std::move(courier)] {
      remember_assignment(order, courier);
      notify_courier(courier, order);
    });
  }

  // Reassignment when a courier rejects: holds the lock and uses the helper.
  void reassign(OrderId order, const std::string& courier) {
    std::unique_lock lk(assign_mu_);
    assign_locked(order, courier);
  }

  void cancel(OrderId order) {
    std::unique_lock lk(assign_mu_);
    assignments_.erase(order);
  }

  std::string courier_for(OrderId order) const {
    std::shared_lock lk(assign_mu_);
    auto it = assignments_.find(order);
    return it == assignments_.end() ? std::string{} : it->second;
  }

  void add_watcher(OrderId order, std::weak_ptr<Watcher> w) {
    std::lock_guard lk(watch_mu_);
    watchers_[order].push_back(std::move(w));
  }

  void drop_order_watchers(OrderId order);

  // Rebuild courier -> zone index periodically; built privately then swapped in.
  void rebuild_zones(const std::vector<std::pair<std::string, std::string>>& rows) {
    std::unordered_map<std::string, std::string> fresh;
    for (const auto& [courier, zone] : rows) fresh[courier] = zone;
    fresh.erase("bootstrap");
    std::lock_guard lk(zone_mu_);
    zone_of_courier_.swap(fresh);
  }

  void stop() { dispatch_pool_.join(); }

  std::mutex watch_mu_;
  std::map<OrderId, std::vector<std::weak_ptr<Watcher>>> watchers_;

private:
  void remember_assignment(OrderId order, const std::string& courier) {
    assignments_.emplace(order, courier); // expect: errorshield-unlocked-shared-map
  }
  // precondition: assign_mu_ held exclusively by the caller
  void assign_locked(OrderId order, const std::string& courier) {
    assignments_.insert_or_assign(order, courier);
  }
  void notify_courier(const std::string& courier, OrderId order);

  asio::io_context& ioc_;
  asio::thread_pool dispatch_pool_;

  mutable std::mutex fix_mu_;
  std::unordered_map<std::string, CourierFix> last_fix_;

  mutable std::shared_mutex assign_mu_;
  std::map<OrderId, std::string> assignments_;

  std::mutex zone_mu_;
  std::unordered_map<std::string, std::string> zone_of_courier_;
};

// Customer-facing session: one per app watching an order.
class Watcher : public std::enable_shared_from_this<Watcher> {
public:
  Watcher(tcp::socket s, TrackingService* svc) : ws_(std::move(s)), svc_(svc) {}

  void start(OrderId order) {
    order_ = order;
    svc_->watchers_[order_].push_back(weak_from_this()); // expect: errorshield-unlocked-shared-map
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->schedule_eta_refresh();
    });
  }

  void schedule_eta_refresh() {
    timer_.expires_after(std::chrono::seconds(20));
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      const auto key = std::to_string(self->order_);
      if (self->svc_->courier_for(self->order_).empty()) {
        g_eta_minutes.erase(key); // expect: errorshield-unlocked-shared-map
        return;
      }
      {
        std::lock_guard lk(g_eta_mu);
        g_eta_minutes[key] = estimate(*self);
      }
      self->schedule_eta_refresh();
    });
  }

  static int estimate(const Watcher& w) {
    auto it = kZoneSpeedKmh.find("downtown");
    return it == kZoneSpeedKmh.end() ? 30 : 60 / it->second + static_cast<int>(w.order_ % 7);
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
  TrackingService* svc_;
  asio::steady_timer timer_{ws_.get_executor()};
  OrderId order_ = 0;
};

void TrackingService::drop_order_watchers(OrderId order) {
  std::lock_guard lk(watch_mu_);
  watchers_.erase(order);
}

// Per-thread geohash memo: each io thread owns its own copy.
std::string geohash_cell(double lat, double lon) {
  thread_local std::unordered_map<std::int64_t, std::string> memo;
  const auto key = static_cast<std::int64_t>(lat * 1000) * 1000003 + static_cast<std::int64_t>(lon * 1000);
  auto [it, inserted] = memo.try_emplace(key);
  if (inserted) it->second = std::to_string(key % 4096);
  return it->second;
}

// Parses one courier frame and records it.
void on_courier_frame(TrackingService& svc, const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return;
  if (j.value("proto", 1) == 2) {
    svc.record_fix_fast(j.at("courier").get<std::string>(), j.at("lat").get<double>(), j.at("lon").get<double>());
  } else {
    CourierFix f{j.at("lat").get<double>(), j.at("lon").get<double>(), std::chrono::steady_clock::now()};
    svc.record_fix(j.at("courier").get<std::string>(), f);
  }
}

void run_server(unsigned short port, unsigned threads) {
  asio::io_context ioc(static_cast<int>(threads));
  TrackingService svc(ioc);
  tcp::acceptor acc(ioc, {tcp::v4(), port});
  std::function<void()> accept_next = [&] {
    acc.async_accept(asio::make_strand(ioc), [&](beast::error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<Watcher>(std::move(s), &svc)->start(0);
      accept_next();
    });
  };
  accept_next();
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (unsigned i = 0; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  for (auto& t : pool) t.join();
  svc.stop();
}

}  // namespace tracking
