// checks: errorshield-ws-close-code
// Parking-garage occupancy dashboard: bay sensors report over WebSocket,
// operator dashboards subscribe to per-level occupancy.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace garage {

enum class SensorFault { none, firmware_mismatch, duplicate_bay_id, calibration_lost };

struct CloseCodes {
  static constexpr std::uint16_t garage_closed = 4000;
  static constexpr std::uint16_t level_unknown = 4004;
  static constexpr std::uint16_t sensor_rebind = 4100;
};

struct LevelStats {
  int level = 0;
  int free_bays = 0;
  int total_bays = 0;
};

void to_json(json &j, LevelStats const &s) {
  j = json{{"level", s.level}, {"free", s.free_bays}, {"total", s.total_bays}};
}

class BaySensorLink : public std::enable_shared_from_this<BaySensorLink> {
public:
  BaySensorLink(tcp::socket sock, std::string bay) : ws_(std::move(sock)), bay_(std::move(bay)) {}

  void start() {
    ws_.binary(true);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read_next();
    });
  }

  void reject_fault(SensorFault fault) {
    switch (fault) {
    case SensorFault::firmware_mismatch:
      ws_.async_close(websocket::close_code::unknown_data, [self = shared_from_this()](beast::error_code) {});
      break;
    case SensorFault::duplicate_bay_id:
      ws_.async_close(websocket::close_reason(websocket::close_code::reserved1), // expect: errorshield-ws-close-code
                      [self = shared_from_this()](beast::error_code) {});
      break;
    case SensorFault::calibration_lost:
      ws_.async_close(websocket::close_reason{CloseCodes::sensor_rebind},
                      [self = shared_from_this()](beast::error_code) {});
      break;
    case SensorFault::none:
      break;
    }
  }

  websocket::stream<beast::tcp_stream> &ws() { return ws_; }

private:
  void read_next() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      auto n = self->buf_.size();
      self->buf_.consume(n);
      if (n != 6) {
        self->ws_.async_close(websocket::close_code::protocol_error, [self](beast::error_code) {});
        return;
      }
      self->read_next();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::string bay_;
  beast::flat_buffer buf_;
};

class DashboardSession : public std::enable_shared_from_this<DashboardSession> {
public:
  explicit DashboardSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void subscribe_level(int level, int levels_in_garage) {
    if (level < 0 || level >= levels_in_garage) {
      websocket::close_reason cr{CloseCodes::level_unknown};
      cr.reason = "no such level";
      ws_.async_close(cr, [self = shared_from_this()](beast::error_code) {});
      return;
    }
    level_ = level;
  }

  void push(LevelStats const &s) {
    if (s.level != level_)
      return;
    out_ = json(s).dump();
    ws_.async_write(net::buffer(out_), [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  websocket::stream<beast::tcp_stream> &ws() { return ws_; }

private:
  websocket::stream<beast::tcp_stream> ws_;
  int level_ = -1;
  std::string out_;
};

// Nightly closure and maintenance hooks; registered at startup and run by
// the scheduler thread at the configured time.
class MaintenanceScheduler {
public:
  using Hook = std::function<void()>;

  void on_close(Hook h) { hooks_.push_back(std::move(h)); }

  void run_closing_hooks() {
    for (auto &h : hooks_)
      h();
    hooks_.clear();
  }

private:
  std::vector<Hook> hooks_;
};

class GarageHub {
public:
  explicit GarageHub(MaintenanceScheduler &sched) : sched_(sched) {}

  void add_dashboard(std::shared_ptr<DashboardSession> d) {
    std::lock_guard lk(mu_);
    dashboards_.push_back(d);
    sched_.on_close([d] {
      beast::error_code ec;
      d->ws().close(websocket::close_reason{CloseCodes::garage_closed}, ec);
    });
  }

  void add_sensor(std::string const &bay, std::shared_ptr<BaySensorLink> s) {
    std::lock_guard lk(mu_);
    sensors_[bay] = s;
    // Sensors power-cycle during maintenance; tell them the link is going away.
    sched_.on_close([s] {
      beast::error_code ec;
      s->ws().close(websocket::close_code::abnormal, ec); // expect: errorshield-ws-close-code
    });
  }

  void evict_sensor(std::string const &bay) {
    std::lock_guard lk(mu_);
    auto it = sensors_.find(bay);
    if (it == sensors_.end())
      return;
    beast::error_code ec;
    it->second->ws().close(websocket::close_code::policy_error, ec);
    sensors_.erase(it);
  }

  void restart_all() {
    std::lock_guard lk(mu_);
    for (auto &d : dashboards_) {
      beast::error_code ec;
      d->ws().close(websocket::close_code::service_restart, ec);
    }
  }

private:
  MaintenanceScheduler &sched_;
  std::mutex mu_;
  std::vector<std::shared_ptr<DashboardSession>> dashboards_;
  std::unordered_map<std::string, std::shared_ptr<BaySensorLink>> sensors_;
};

// Generic kick used by the admin API for both sensors and dashboards.
template <class Session>
void kick(Session &s, bool permanent) {
  beast::error_code ec;
  if (permanent)
    s.ws().close(websocket::close_code::policy_error, ec);
  else
    s.ws().close(websocket::close_reason(1100), ec); // expect: errorshield-ws-close-code
}

template void kick<BaySensorLink>(BaySensorLink &, bool);
template void kick<DashboardSession>(DashboardSession &, bool);

// Sensor provisioning over a coroutine: the gateway authenticates a bay sensor.
net::awaitable<void> provision_sensor(tcp::socket sock, std::array<char, 16> expected_key) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  co_await ws.async_read(buf, net::use_awaitable);
  auto key = beast::buffers_to_string(buf.data());
  if (key.size() != expected_key.size()) {
    co_await ws.async_close(websocket::close_code::bad_payload, net::use_awaitable);
    co_return;
  }
  if (!std::equal(key.begin(), key.end(), expected_key.begin())) {
    std::clog << "sensor presented a bad provisioning key\n";
    co_await ws.async_close(websocket::close_reason(5401), net::use_awaitable); // expect: errorshield-ws-close-code
    co_return;
  }
  co_await ws.async_close(websocket::close_code::normal, net::use_awaitable);
}

// Reports why a dashboard went away (the peer's code, never sent by us).
void log_dashboard_loss(DashboardSession &d) {
  auto const &r = d.ws().reason();
  if (r.code == websocket::close_code::abnormal || r.code == websocket::close_code::no_status)
    std::clog << "dashboard dropped without close frame\n";
  else
    std::clog << "dashboard closed with " << r.code << '\n';
}

} // namespace garage
