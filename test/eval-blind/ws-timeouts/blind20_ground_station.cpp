// checks: errorshield-ws-timeouts
// Satellite ground station telemetry gateway: decoded housekeeping frames from
// the antenna front-end are pushed to operator consoles, the flight dynamics
// team and the archive. The gateway also keeps an uplink to mission control.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <iostream>
#include <memory>
#include <string>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

struct TelemetryFrame {
  std::uint32_t scid = 0;
  std::uint32_t vcid = 0;
  std::uint64_t frame_count = 0;
  double battery_v = 0;
  double obc_temp_c = 0;
};

static json to_json(const TelemetryFrame &f) {
  return {{"scid", f.scid}, {"vcid", f.vcid}, {"fc", f.frame_count},
          {"batt_v", f.battery_v}, {"obc_c", f.obc_temp_c}};
}

struct GatewayConfig {
  std::chrono::seconds handshake{10};
  std::chrono::seconds idle{45};
};

// Operator consoles in the control room: callback style.
class ConsoleSession : public std::enable_shared_from_this<ConsoleSession> {
public:
  ConsoleSession(tcp::socket sock, const GatewayConfig &cfg) : ws_(std::move(sock)), cfg_(cfg) {}

  void run() {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout{cfg_.handshake, cfg_.idle, true});
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->send(TelemetryFrame{});
    });
  }

  void send(const TelemetryFrame &f) {
    out_ = to_json(f).dump();
    ws_.async_write(net::buffer(out_), [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
  const GatewayConfig &cfg_;
  std::string out_;
};

// Flight dynamics subscribers: long-running orbit determination jobs.
class FlightDynamicsSession : public std::enable_shared_from_this<FlightDynamicsSession> {
public:
  explicit FlightDynamicsSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void run() {
    beast::get_lowest_layer(ws_).expires_never();
    // Pings keep NAT mappings alive during long passes.
    ws_.set_option(websocket::stream_base::timeout{30s, websocket::stream_base::none(), true}); // expect: errorshield-ws-timeouts
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read();
    });
  }

private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->buf_.consume(self->buf_.size());
      self->read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
};

// Quick-look displays (coroutines).
net::awaitable<void> quicklook_session(tcp::socket sock) {
  beast::tcp_stream stream(std::move(sock));
  stream.expires_after(15s);
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(stream, buf, req, net::use_awaitable);
  stream.expires_never();
  websocket::stream<beast::tcp_stream> ws(std::move(stream));
  co_await ws.async_accept(req, net::use_awaitable); // expect: errorshield-ws-timeouts
  for (std::uint64_t fc = 0;; ++fc) {
    TelemetryFrame f;
    f.frame_count = fc;
    co_await ws.async_write(net::buffer(to_json(f).dump()), net::use_awaitable);
  }
}

net::awaitable<void> pass_planner_session(tcp::socket sock) {
  beast::tcp_stream stream(std::move(sock));
  stream.expires_after(15s);
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(stream, buf, req, net::use_awaitable);
  stream.expires_never();
  websocket::stream<beast::tcp_stream> ws(std::move(stream));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(req, net::use_awaitable);
  co_await ws.async_write(net::buffer(std::string(R"({"next_pass":"AOS 14:02Z"})")), net::use_awaitable);
}

// Telemetry archive writer: batches are large, so the idle limit was raised.
net::awaitable<void> archive_session(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  beast::get_lowest_layer(ws).expires_never();
  websocket::stream_base::timeout opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
  opt.idle_timeout = std::chrono::steady_clock::duration::max(); // expect: errorshield-ws-timeouts
  ws.set_option(opt);
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    buf.consume(buf.size());
  }
}

net::awaitable<void> anomaly_session(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  beast::get_lowest_layer(ws).expires_never();
  websocket::stream_base::timeout opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
  opt.idle_timeout = 120s;
  opt.keep_alive_pings = true;
  ws.set_option(opt);
  co_await ws.async_accept(net::use_awaitable);
}

// Generic relay used for both the S-band and X-band front-end feeds.
template <class NextLayer>
class FrontEndRelay {
public:
  explicit FrontEndRelay(NextLayer next) : ws_(std::move(next)) {}

  void start() {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client)); // expect: errorshield-ws-timeouts
    ws_.async_accept([this](beast::error_code ec) {
      if (ec) std::cerr << "[relay] accept: " << ec.message() << "\n";
    });
  }

private:
  websocket::stream<NextLayer> ws_;
};

// Legacy command echo service on a stackful coroutine.
void command_echo(tcp::socket sock, net::yield_context yield) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  beast::error_code ec;
  ws.async_accept(yield[ec]); // expect: errorshield-ws-timeouts
  if (ec) return;
  beast::flat_buffer buf;
  for (;;) {
    ws.async_read(buf, yield[ec]);
    if (ec) return;
    ws.async_write(buf.data(), yield[ec]);
    if (ec) return;
    buf.consume(buf.size());
  }
}

// Uplink to mission control: the gateway is the client on this link.
net::awaitable<void> mission_control_uplink(std::deque<TelemetryFrame> &backlog) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver(ex);
  websocket::stream<beast::tcp_stream> ws(ex);
  auto eps = co_await resolver.async_resolve("moc.example.space", "443", net::use_awaitable);
  co_await beast::get_lowest_layer(ws).async_connect(eps, net::use_awaitable);
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  co_await ws.async_handshake("moc.example.space", "/telemetry", net::use_awaitable);
  while (!backlog.empty()) {
    co_await ws.async_write(net::buffer(to_json(backlog.front()).dump()), net::use_awaitable);
    backlog.pop_front();
  }
}

int main() {
  net::io_context ioc;
  GatewayConfig cfg;
  std::deque<TelemetryFrame> backlog;
  std::make_shared<ConsoleSession>(tcp::socket(ioc), cfg)->run();
  std::make_shared<FlightDynamicsSession>(tcp::socket(ioc))->run();
  net::co_spawn(ioc, quicklook_session(tcp::socket(ioc)), net::detached);
  net::co_spawn(ioc, pass_planner_session(tcp::socket(ioc)), net::detached);
  net::co_spawn(ioc, archive_session(tcp::socket(ioc)), net::detached);
  net::co_spawn(ioc, anomaly_session(tcp::socket(ioc)), net::detached);
  net::co_spawn(ioc, mission_control_uplink(backlog), net::detached);
  FrontEndRelay<beast::tcp_stream> sband{beast::tcp_stream(ioc)};
  sband.start();
  ioc.run();
}
