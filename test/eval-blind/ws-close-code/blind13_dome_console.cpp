// checks: errorshield-ws-close-code
// Observatory dome control: operator consoles connect over WebSocket to send
// shutter / azimuth commands and receive dome state. A weather watchdog and
// a hardware relay to the dome PLC gateway also live here.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace dome {

using ConsoleWs = websocket::stream<tcp::socket>;

enum class Fault : std::uint8_t { none, wind_limit, rain_sensor, plc_offline, estop };

// Close codes the console UI knows how to explain to the operator.
constexpr std::uint16_t kControlTakenOver = 4100;
constexpr std::uint16_t kWeatherLockout = 4200;
constexpr std::uint16_t kEmergencyStop = 5000;

constexpr std::uint16_t close_code_for(Fault f) {
  switch (f) {
  case Fault::wind_limit:
  case Fault::rain_sensor:
    return kWeatherLockout;
  case Fault::plc_offline:
    return websocket::close_code::try_again_later;
  case Fault::estop:
    return 4999;
  case Fault::none:
    break;
  }
  return websocket::close_code::normal;
}

struct Console {
  explicit Console(tcp::socket s, std::string op)
      : ws(std::move(s)), operator_name(std::move(op)) {}
  ConsoleWs ws;
  std::string operator_name;
  bool has_control = false;
};

struct OperatorRoster {
  bool contains(std::string_view cert_cn) const {
    for (const auto &n : names)
      if (n == cert_cn)
        return true;
    return false;
  }
  std::vector<std::string> names{"night-ops-1", "night-ops-2", "astro-lead"};
};

void log(std::string_view what) {
  std::fprintf(stderr, "dome: %.*s\n", static_cast<int>(what.size()), what.data());
}

asio::awaitable<void> send_state(ConsoleWs &ws, const json &state) {
  std::string body = state.dump();
  ws.text(true);
  co_await ws.async_write(asio::buffer(body), asio::use_awaitable);
}

asio::awaitable<void> console_loop(std::shared_ptr<Console> c,
                                   const OperatorRoster &roster,
                                   std::string cert_cn) {
  auto &ws = c->ws;
  co_await ws.async_accept(asio::use_awaitable);

  if (!roster.contains(cert_cn)) {
    log("console certificate not on the roster");
    co_await ws.async_close(websocket::close_reason{1015}, asio::use_awaitable); // expect: errorshield-ws-close-code
    co_return;
  }

  co_await send_state(ws, json{{"shutter", "closed"}, {"azimuth", 182.5}});

  for (;;) {
    beast::flat_buffer buf;
    auto [ec, n] = co_await ws.async_read(
        buf, asio::as_tuple(asio::use_awaitable));
    if (ec == websocket::error::closed) {
      if (ws.reason().code == websocket::close_code::abnormal) // OK: comparison
        log("peer reported abnormal");
      co_return;
    }
    if (ec)
      co_return;

    auto cmd = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    if (cmd.is_discarded() || !cmd.contains("op")) {
      co_await ws.async_close(websocket::close_code::bad_payload, // OK
                              asio::use_awaitable);
      co_return;
    }
    const auto op = cmd["op"].get<std::string>();
    if (op == "release_control") {
      c->has_control = false;
      co_await ws.async_close(websocket::close_code::no_status, // expect: errorshield-ws-close-code
                              asio::use_awaitable);
      co_return;
    }
    if (op == "open_shutter" && !c->has_control) {
      websocket::close_reason cr{websocket::close_code::policy_error,
                                 "shutter command without control token"};
      co_await ws.async_close(cr, asio::use_awaitable); // OK
      co_return;
    }
    co_await send_state(ws, json{{"ack", op}});
  }
}

// Takeover: a second operator grabs control; the previous console is kicked.
asio::awaitable<void> take_over(std::shared_ptr<Console> previous,
                                std::shared_ptr<Console> next) {
  next->has_control = true;
  if (!previous)
    co_return;
  previous->has_control = false;
  websocket::close_reason cr{kControlTakenOver};
  cr.reason = "control taken by another operator";
  co_await previous->ws.async_close(cr, asio::use_awaitable); // OK: 4100
}

// Weather watchdog thread: polls the anemometer and rain sensor.
class WeatherWatchdog {
public:
  void attach(std::shared_ptr<Console> c) {
    std::lock_guard lk(mu_);
    consoles_.push_back(std::move(c));
  }

  void on_fault(Fault f) {
    std::lock_guard lk(mu_);
    for (auto &c : consoles_) {
      beast::error_code ec;
      c->ws.close(close_code_for(f), ec); // OK: table only yields legal codes
    }
    consoles_.clear();
  }

  void on_estop_pressed() {
    estop_.store(true);
    std::lock_guard lk(mu_);
    for (auto &c : consoles_) {
      beast::error_code ec;
      c->ws.close(kEmergencyStop, ec); // expect: errorshield-ws-close-code
    }
    consoles_.clear();
  }

  void on_sensor_timeout(Console *c) {
    if (!c)
      return;
    beast::error_code ec;
    c->ws.close(websocket::close_code::abnormal, ec); // expect: errorshield-ws-close-code
  }

  void on_shutdown() {
    std::lock_guard lk(mu_);
    for (auto &c : consoles_) {
      beast::error_code ec;
      c->ws.close(websocket::close_code::going_away, ec); // OK
    }
  }

private:
  std::mutex mu_;
  std::vector<std::shared_ptr<Console>> consoles_;
  std::atomic<bool> estop_{false};
};

// Relay to the PLC gateway: when the gateway hangs up, pass its reason on.
asio::awaitable<void> relay_gateway_close(websocket::stream<tcp::socket> &gateway,
                                          ConsoleWs &console) {
  beast::flat_buffer buf;
  auto [ec, n] = co_await gateway.async_read(buf, asio::as_tuple(asio::use_awaitable));
  if (ec == websocket::error::closed) {
    const std::uint16_t up = gateway.reason().code;
    const bool relayable = (up >= 1000 && up <= 1003) || (up >= 1007 && up <= 1013) ||
                           (up >= 3000 && up <= 4999);
    websocket::close_reason out{relayable ? up : std::uint16_t{websocket::close_code::going_away}};
    co_await console.async_close(out, asio::use_awaitable); // OK: filtered above
    co_return;
  }
  json status = {{"gateway", "lost"},
                 {"close_code", std::uint16_t{websocket::close_code::abnormal}}}; // OK: status page only
  log(status.dump() + " " + ec.message());
  co_await console.async_close(websocket::close_code::internal_error,
                               asio::use_awaitable);
}

// Retry helper for the azimuth encoder recalibration.
template <class Stream>
void abort_calibration(websocket::stream<Stream> &ws, int attempts) {
  if (attempts < 3)
    return;
  ws.async_close(websocket::close_reason{999}, [](beast::error_code) {}); // expect: errorshield-ws-close-code
}

template void abort_calibration<tcp::socket>(websocket::stream<tcp::socket> &, int);

} // namespace dome
