// checks: errorshield-ws-timeouts
// Wind farm SCADA feed: turbine controllers publish 1 Hz telemetry, the
// control room and the grid operator subscribe over WebSocket.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace scada {

void log_line(const std::string& s) { std::fprintf(stderr, "[scada] %s\n", s.c_str()); }

struct TurbineSample {
  std::string turbine_id;
  double rotor_rpm = 0;
  double power_kw = 0;
  double pitch_deg = 0;
  double nacelle_temp_c = 0;
  std::uint32_t fault_word = 0;
};

inline json to_wire(const TurbineSample& s) {
  return {{"id", s.turbine_id}, {"rpm", s.rotor_rpm}, {"kw", s.power_kw},
          {"pitch", s.pitch_deg}, {"temp", s.nacelle_temp_c}, {"fault", s.fault_word}};
}

// Shared hardening for every control-room facing stream.
template <class Stream>
void harden(Stream& ws) {
  websocket::stream_base::timeout t{};
  t.handshake_timeout = 10s;
  t.idle_timeout = 60s;
  t.keep_alive_pings = true;
  ws.set_option(t);
  ws.read_message_max(64 * 1024);
}

// Turbine controllers connect in and push telemetry.
class TurbineFeedSession : public std::enable_shared_from_this<TurbineFeedSession> {
 public:
  explicit TurbineFeedSession(tcp::socket s) : ws_(std::move(s)) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  }

  void run() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read_sample();
    });
  }

 private:
  void read_sample() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return log_line("turbine link closed: " + ec.message());
      self->buf_.consume(self->buf_.size());
      self->read_sample();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;  // OK: suggested(server) in ctor
  beast::flat_buffer buf_;
};

// Operator consoles in the control room.
class OperatorConsoleSession : public std::enable_shared_from_this<OperatorConsoleSession> {
 public:
  explicit OperatorConsoleSession(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    // tcp_stream timer guards the HTTP upgrade only, then the WebSocket takes over.
    beast::get_lowest_layer(ws_).expires_after(15s);
    harden(ws_);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      beast::get_lowest_layer(self->ws_).expires_never();
      self->push_snapshot();
    });
  }

  void push_snapshot() {
    TurbineSample s{"WTG-07", 14.2, 2950.0, 1.5, 41.0, 0};
    auto text = std::make_shared<std::string>(to_wire(s).dump());
    ws_.async_write(asio::buffer(*text), [text](beast::error_code, std::size_t) {});
  }

 private:
  websocket::stream<beast::tcp_stream> ws_;  // OK: harden() applies idle timeout
};

// Historian bridge: archives every sample into the plant historian.
class HistorianBridge : public std::enable_shared_from_this<HistorianBridge> {
 public:
  explicit HistorianBridge(tcp::socket s) : ws_(std::move(s)) {
    auto planned = websocket::stream_base::timeout::suggested(beast::role_type::server);
    log_line("historian idle budget " +
             std::to_string(std::chrono::duration_cast<std::chrono::seconds>(planned.idle_timeout).count()) + "s");
    ws_.read_message_max(1 << 20);
  }

  void run() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->drain();
    });
  }

 private:
  void drain() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec) return;
      self->buf_.consume(n);
      self->drain();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;  // expect: errorshield-ws-timeouts
  beast::flat_buffer buf_;
};

// Uplink to the transmission system operator (we are the client).
class GridOperatorUplink : public std::enable_shared_from_this<GridOperatorUplink> {
 public:
  GridOperatorUplink(asio::io_context& ioc, tcp::endpoint ep)
      : ioc_(ioc), ep_(ep), ws_(std::make_unique<websocket::stream<beast::tcp_stream>>(asio::make_strand(ioc))) {
    websocket::stream_base::timeout t{};
    t.handshake_timeout = 10s;
    t.idle_timeout = 20s;
    t.keep_alive_pings = true;
    ws_->set_option(t);  // OK: explicit client idle timeout
  }

  void start() {
    beast::get_lowest_layer(*ws_).async_connect(ep_, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->reconnect();
      self->ws_->async_handshake("tso-gateway", "/setpoints", [self](beast::error_code ec2) {
        if (ec2) return self->reconnect();
        self->read_setpoint();
      });
    });
  }

 private:
  void read_setpoint() {
    ws_->async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->reconnect();
      self->buf_.clear();
      self->read_setpoint();
    });
  }

  // Only hit when the TSO gateway fails over (a few times a year).
  void reconnect() {
    if (++attempts_ > 10) return log_line("tso uplink: giving up");
    ws_ = std::make_unique<websocket::stream<beast::tcp_stream>>(asio::make_strand(ioc_));  // expect: errorshield-ws-timeouts
    start();
  }

  asio::io_context& ioc_;
  tcp::endpoint ep_;
  std::unique_ptr<websocket::stream<beast::tcp_stream>> ws_;  // OK: ctor sets timeout
  beast::flat_buffer buf_;
  int attempts_ = 0;
};

// Met mast (anemometer + wind vane) feeds, served as a coroutine per mast.
asio::awaitable<void> serve_met_mast(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));  // expect: errorshield-ws-timeouts
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    auto j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    if (j.is_object() && j.value("gust_ms", 0.0) > 25.0) log_line("gust alarm from mast");
    buf.consume(buf.size());
  }
}

// Same coroutine for the substation meters, written after the mast incident.
asio::awaitable<void> serve_substation_meter(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));  // OK
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    buf.consume(buf.size());
  }
}

// Alarm relay to the maintenance contractor; NextLayer differs between the
// lab rig (plain socket) and site (tcp_stream).
template <class NextLayer>
class AlarmRelay {
 public:
  explicit AlarmRelay(NextLayer layer) : ws_(std::move(layer)) {}

  template <class Handler>
  void send_alarm(const std::string& turbine, std::uint32_t code, Handler&& h) {
    msg_ = json{{"turbine", turbine}, {"code", code}}.dump();
    ws_.async_write(asio::buffer(msg_), std::forward<Handler>(h));
  }

 private:
  websocket::stream<NextLayer> ws_;  // expect: errorshield-ws-timeouts
  std::string msg_;
};

void wire_alarm_relay(tcp::socket s) {
  auto relay = std::make_shared<AlarmRelay<beast::tcp_stream>>(beast::tcp_stream(std::move(s)));
  relay->send_alarm("WTG-12", 0x4012, [relay](beast::error_code, std::size_t) {});
}

}  // namespace scada
