// checks: errorshield-ws-close-code
// Glacier sensor network base station: ablation stakes, GPS velocity nodes and
// borehole thermistor strings uplink over satellite/radio bridges that speak
// WebSocket. The base station evicts misbehaving or stale stations.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <string>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using SensorWs = websocket::stream<beast::tcp_stream>;

constexpr std::uint16_t kNoStatusYet = 1005;

struct StationReading {
  std::string station;
  double ice_temp_c = 0;
  double surface_velocity_m_per_day = 0;
  std::int64_t ts = 0;
};

static void log_close(const char *who, beast::error_code ec) {
  if (ec) std::cerr << "[glacier] close " << who << ": " << ec.message() << "\n";
}

// Shared eviction helper used by the watchdog and the firmware checker.
static void evict_station(SensorWs &ws, websocket::close_code why, const std::string &text) {
  ws.async_close(websocket::close_reason(why, text), [](beast::error_code ec) { log_close("evict", ec); });
}

class StationLink : public std::enable_shared_from_this<StationLink> {
public:
  StationLink(tcp::socket sock, std::string id)
      : ws_(std::move(sock)), id_(std::move(id)), watchdog_(ws_.get_executor()) {}

  void start() {
    arm_watchdog();
    read_next();
  }

private:
  void arm_watchdog() {
    watchdog_.expires_after(std::chrono::minutes(15));
    watchdog_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      // Station missed its reporting window (radio bridge probably iced over).
      self->ws_.async_close(websocket::close_code::abnormal, [self](beast::error_code ec) { // expect: errorshield-ws-close-code
        log_close(self->id_.c_str(), ec);
      });
    });
  }

  void read_next() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        if (self->ws_.reason().code == websocket::close_code::abnormal)
          std::cerr << "[glacier] " << self->id_ << " dropped without close frame\n";
        return;
      }
      self->on_reading(beast::buffers_to_string(self->buf_.data()));
      self->buf_.consume(self->buf_.size());
      self->read_next();
    });
  }

  void on_reading(const std::string &raw) {
    auto j = json::parse(raw, nullptr, false);
    if (j.is_discarded()) {
      ws_.async_close(websocket::close_code::bad_payload, [](beast::error_code ec) { log_close("parse", ec); });
      return;
    }
    if (j.value("fw", 0) < 7) {
      evict_station(ws_, websocket::close_code::reserved1, "firmware too old"); // expect: errorshield-ws-close-code
      return;
    }
    if (j.value("fw", 0) > 99) {
      evict_station(ws_, websocket::close_code::policy_error, "unknown firmware");
      return;
    }
    watchdog_.cancel();
    arm_watchdog();
  }

  SensorWs ws_;
  std::string id_;
  net::steady_timer watchdog_;
  beast::flat_buffer buf_;
};

// Borehole thermistor strings: synchronous, one per bridge thread.
void thermistor_bridge(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept();
  beast::flat_buffer buf;
  beast::error_code ec;
  ws.read(buf, ec);
  if (ec) return;
  auto j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
  if (!j.contains("depth_m")) {
    // Bridge sent an empty hello; hang up without a status.
    ws.close(kNoStatusYet, ec); // expect: errorshield-ws-close-code
    return;
  }
  if (j["depth_m"].get<double>() > 400.0) {
    websocket::close_reason r(4003);
    r.reason = "string deeper than borehole";
    ws.close(r, ec);
    return;
  }
  ws.close(websocket::close_code::normal, ec);
}

// GPS velocity nodes over the satellite relay (coroutines).
net::awaitable<void> gps_node_session(tcp::socket sock) {
  SensorWs ws(std::move(sock));
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  auto [ec, n] = co_await ws.async_read(buf, net::as_tuple(net::use_awaitable));
  if (ec) co_return;
  auto j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
  if (j.value("tls_relay_failed", false)) {
    co_await ws.async_close({websocket::close_code::reserved3, "relay TLS failure"}, net::use_awaitable); // expect: errorshield-ws-close-code
    co_return;
  }
  if (j.value("queue_full", false)) {
    co_await ws.async_close({websocket::close_code::try_again_later, "relay backlog"}, net::use_awaitable);
    co_return;
  }
  co_await ws.async_close(websocket::close_code::normal, net::use_awaitable);
}

// Base station shutdown: tell every connected station we are going offline.
template <class Registry>
void shutdown_all(Registry &links, bool maintenance) {
  for (auto &[id, ws] : links) {
    beast::error_code ec;
    if (maintenance)
      ws->close(websocket::close_reason(websocket::close_code::service_restart, "maintenance window"), ec);
    else
      ws->close(websocket::close_reason(websocket::close_code::no_status), ec); // expect: errorshield-ws-close-code
  }
}

// Translate an internal reason into something we can actually put on the wire.
static websocket::close_code wire_code(websocket::close_code c) {
  if (c == websocket::close_code::abnormal || c == websocket::close_code::no_status ||
      c == websocket::close_code::reserved1 || c == websocket::close_code::reserved3)
    return websocket::close_code::going_away;
  return c;
}

// Calibration supervisor: decommissions stations whose drift is out of range.
class CalibrationSupervisor {
public:
  explicit CalibrationSupervisor(SensorWs &ws) : ws_(ws) {}

  void on_drift(double drift_c) {
    if (drift_c > 2.0)
      ws_.async_close(websocket::close_reason(2100), [](beast::error_code ec) { log_close("drift", ec); }); // expect: errorshield-ws-close-code
    else if (drift_c > 1.0)
      ws_.async_close(wire_code(websocket::close_code::abnormal), [](beast::error_code ec) { log_close("drift", ec); });
    else if (drift_c > 0.5)
      ws_.async_close(websocket::close_code::internal_error, [](beast::error_code ec) { log_close("drift", ec); });
  }

private:
  SensorWs &ws_;
};

int main() {
  net::io_context ioc;
  std::make_shared<StationLink>(tcp::socket(ioc), "stake-07")->start();
  net::co_spawn(ioc, gps_node_session(tcp::socket(ioc)), net::detached);
  std::map<std::string, std::shared_ptr<websocket::stream<tcp::socket>>> links;
  shutdown_all(links, false);
  SensorWs ws(ioc);
  CalibrationSupervisor sup(ws);
  sup.on_drift(1.4);
  ioc.run();
}
