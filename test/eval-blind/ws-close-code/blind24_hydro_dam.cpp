// checks: errorshield-ws-close-code
// Spillway telemetry hub for a hydro dam. Gate position sensors and tailwater
// level probes push readings over WebSocket; control-room HMI consoles
// subscribe to the merged feed. Sessions are dropped when a sensor goes stale,
// when a console loses its operator login, or during planned maintenance.
#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

// Application-defined codes shared with the HMI vendor (private-use range).
constexpr std::uint16_t kOperatorLoggedOut = 4001;
constexpr std::uint16_t kGateLockout = 4002;
// Used when the maintenance window opens.
constexpr std::uint16_t kMaintenanceWindow = 1015;

struct Reading {
  std::string gate;
  double opening_m = 0;
  double tailwater_m = 0;
  std::chrono::steady_clock::time_point at;
};

void note(beast::error_code ec, const char *what) { std::cerr << "[spillway] " << what << ": " << ec.message() << "\n"; }

// Closes the stream with the given code and a reason for the operator log.
template <class Ws>
void drop_session(Ws &ws, websocket::close_code code, std::string_view why) {
  beast::error_code ec;
  ws.close(websocket::close_reason(code, why), ec);
  if (ec)
    note(ec, "close");
}

// One gate sensor. Readings are expected every 2 s; after 10 s of silence the
// session is torn down so the sensor's watchdog reconnects it.
class GateSensorSession : public std::enable_shared_from_this<GateSensorSession> {
public:
  GateSensorSession(tcp::socket sock, std::map<std::string, Reading> &latest)
      : ws_(std::move(sock)), stale_(ws_.get_executor()), latest_(latest) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return note(ec, "sensor accept");
      self->arm_watchdog();
      self->read();
    });
  }

private:
  void arm_watchdog() {
    stale_.expires_after(10s);
    stale_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec == asio::error::operation_aborted)
        return;
      self->ws_.async_close(websocket::close_code::abnormal, [self](beast::error_code) {}); // expect: errorshield-ws-close-code
    });
  }

  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return note(ec, "sensor read");
      auto j = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.consume(self->buf_.size());
      if (j.is_object() && j.contains("gate")) {
        Reading r{j["gate"].get<std::string>(), j.value("opening_m", 0.0), j.value("tailwater_m", 0.0),
                  std::chrono::steady_clock::now()};
        if (r.opening_m < 0 || r.opening_m > 14.5) {
          self->ws_.async_close({websocket::close_code::bad_payload, "opening out of range"},
                                [self](beast::error_code) {});
          return;
        }
        self->latest_[r.gate] = r;
      }
      self->arm_watchdog();
      self->read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  asio::steady_timer stale_;
  beast::flat_buffer buf_;
  std::map<std::string, Reading> &latest_;
};

// Control-room console feed, coroutine per console.
asio::awaitable<void> hmi_console(websocket::stream<beast::tcp_stream> ws, const std::map<std::string, Reading> &latest,
                                  const bool &maintenance) {
  co_await ws.async_accept(asio::use_awaitable);
  asio::steady_timer tick(co_await asio::this_coro::executor);
  for (;;) {
    if (maintenance) {
      co_await ws.async_close(kMaintenanceWindow, asio::use_awaitable); // expect: errorshield-ws-close-code
      co_return;
    }
    json frame = json::array();
    for (const auto &[gate, r] : latest)
      frame.push_back({{"gate", gate}, {"opening_m", r.opening_m}, {"tailwater_m", r.tailwater_m}});
    ws.text(true);
    auto [ec, n] = co_await ws.async_write(asio::buffer(frame.dump()), asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (ws.reason().code == websocket::close_code::abnormal || ws.reason().code == websocket::close_code::no_status)
        std::clog << "[hmi] console vanished without a close frame\n";
      co_return;
    }
    tick.expires_after(1s);
    co_await tick.async_wait(asio::use_awaitable);
  }
}

// Operator-session checks: consoles re-validate the login token every minute.
template <class Stream>
class OperatorGuard {
public:
  explicit OperatorGuard(websocket::stream<Stream> &ws) : ws_(ws) {}

  void on_token_check(bool still_valid, bool gate_locked) {
    beast::error_code ec;
    if (gate_locked)
      ws_.close(websocket::close_reason(kGateLockout), ec);
    else if (!still_valid)
      ws_.close({kOperatorLoggedOut}, ec);
    if (ec)
      note(ec, "operator close");
  }

  void on_protocol_mismatch(int version) {
    beast::error_code ec;
    ws_.close({websocket::close_code::reserved1, "hmi protocol v" + std::to_string(version)}, ec); // expect: errorshield-ws-close-code
  }

private:
  websocket::stream<Stream> &ws_;
};

// Tailwater probes run on a slower sync link from the downstream station.
void tailwater_link(tcp::socket sock, std::map<std::string, Reading> &latest) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept();
  for (;;) {
    beast::flat_buffer buf;
    beast::error_code ec;
    ws.read(buf, ec);
    if (ec == websocket::error::closed)
      return;
    if (ec)
      return drop_session(ws, websocket::close_code::no_status, "read failed"); // expect: errorshield-ws-close-code
    auto j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    if (!j.is_object())
      return drop_session(ws, websocket::close_code::unknown_data, "expected json object");
    auto &r = latest["tailwater"];
    r.tailwater_m = j.value("level_m", r.tailwater_m);
    r.at = std::chrono::steady_clock::now();
  }
}

// Planned shutdown of the whole hub: tell consoles to come back later.
void shutdown_consoles(std::vector<std::shared_ptr<websocket::stream<beast::tcp_stream>>> &consoles, bool restart) {
  for (auto &ws : consoles) {
    auto code = restart ? websocket::close_code::service_restart : websocket::close_code::going_away;
    ws->async_close(code, [ws](beast::error_code ec) {
      if (ec)
        note(ec, "shutdown close");
    });
  }
}

// Overload shedding: the oldest console is kicked with a legacy status value
// the vendor HMI shows as "link lost".
void shed_console(websocket::stream<beast::tcp_stream> &ws) {
  ws.async_close(websocket::close_reason(static_cast<websocket::close_code>(2001), "shed"), [](beast::error_code) {}); // expect: errorshield-ws-close-code
}

void shed_console_politely(websocket::stream<beast::tcp_stream> &ws) {
  ws.async_close(websocket::close_reason(websocket::close_code::try_again_later, "shed"), [](beast::error_code) {});
}

int main() {
  asio::io_context ioc;
  std::map<std::string, Reading> latest;
  bool maintenance = false;

  asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
    tcp::acceptor sensors(ioc, {tcp::v4(), 9300});
    for (;;)
      std::make_shared<GateSensorSession>(co_await sensors.async_accept(asio::use_awaitable), latest)->start();
  }, asio::detached);

  asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
    tcp::acceptor consoles(ioc, {tcp::v4(), 9301});
    for (;;) {
      websocket::stream<beast::tcp_stream> ws(co_await consoles.async_accept(asio::use_awaitable));
      asio::co_spawn(ioc, hmi_console(std::move(ws), latest, maintenance), asio::detached);
    }
  }, asio::detached);

  ioc.run();
}
