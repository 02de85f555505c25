// checks: errorshield-ws-timeouts
// Solar farm SCADA gateway: string inverters and tracker controllers connect over
// WebSocket, operators watch a live dashboard, and the gateway forwards hourly
// yield to the grid operator as a client.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>
#include <chrono>
#include <iostream>
#include <memory>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using asio::awaitable;
using asio::use_awaitable;
using namespace std::chrono_literals;

namespace solar {

void record_inverter(const json& j) {
  std::cout << "inverter " << j.value("id", "?") << " " << j.value("ac_kw", 0.0) << " kW\n";
}

// One session per string inverter.
class InverterSession : public std::enable_shared_from_this<InverterSession> {
 public:
  explicit InverterSession(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read();
    });
  }

 private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      auto j = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      if (!j.is_discarded()) record_inverter(j);
      self->buf_.consume(self->buf_.size());
      if (j.value("firmware", "") == "legacy") self->relax_for_legacy_firmware();
      self->read();
    });
  }

  // Legacy firmware only transmits when irradiance changes, which can be hours at night.
  void relax_for_legacy_firmware() {
    websocket::stream_base::timeout opt;
    ws_.get_option(opt);
    opt.idle_timeout = websocket::stream_base::none(); // expect: errorshield-ws-timeouts
    ws_.set_option(opt);
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
};

// Tracker controllers (single-axis trackers) report angle every few seconds.
class TrackerSession : public std::enable_shared_from_this<TrackerSession> {
 public:
  explicit TrackerSession(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    beast::get_lowest_layer(ws_).expires_never();
    using sb = websocket::stream_base;
    ws_.set_option(sb::timeout{sb::none(), sb::none(), false}); // expect: errorshield-ws-timeouts
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

// Weather mast: anemometer + pyranometer, pushes one frame per 10 s.
awaitable<void> weather_mast(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  websocket::stream_base::timeout opt{};
  opt.handshake_timeout = 10s;
  opt.idle_timeout = 60s;
  opt.keep_alive_pings = false;
  ws.set_option(opt);
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    buf.consume(buf.size());
  }
}

// Operator dashboard; pushes a snapshot whenever the operator asks.
awaitable<void> operator_dashboard(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  beast::get_lowest_layer(ws).expires_never();
  co_await ws.async_accept(use_awaitable); // expect: errorshield-ws-timeouts
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    buf.consume(buf.size());
    co_await ws.async_write(asio::buffer(std::string(R"({"farm_mw":41.7})")), use_awaitable);
  }
}

// Combiner box monitors; copied from the grid-uplink client code.
awaitable<void> combiner_box(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client)); // expect: errorshield-ws-timeouts
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    buf.consume(buf.size());
  }
}

// Substation relay: accepted from an HTTP upgrade that the router already parsed.
template <class Body>
awaitable<void> substation_relay(beast::tcp_stream stream, http::request<Body> req) {
  websocket::stream<beast::tcp_stream> ws(std::move(stream));
  beast::get_lowest_layer(ws).expires_never();
  auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
  opt.handshake_timeout = 5s;
  ws.set_option(opt);
  co_await ws.async_accept(req, use_awaitable);
  co_await ws.async_write(asio::buffer(std::string("relay armed")), use_awaitable);
}

// Battery storage container; the vendor asked for the pings to be turned off.
template <class Body>
awaitable<void> battery_container(beast::tcp_stream stream, http::request<Body> req) {
  websocket::stream<beast::tcp_stream> ws(std::move(stream));
  beast::get_lowest_layer(ws).expires_never();
  auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
  opt.keep_alive_pings = false;
  opt.idle_timeout = websocket::stream_base::none(); // expect: errorshield-ws-timeouts
  ws.set_option(opt);
  co_await ws.async_accept(req, use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    buf.consume(buf.size());
  }
}

// Outbound: hourly yield to the grid operator.
awaitable<void> push_yield(tcp::socket sock, double mwh) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  co_await ws.async_handshake("grid-operator.example.net", "/yield", use_awaitable);
  co_await ws.async_write(asio::buffer(json{{"farm", "SF-07"}, {"mwh", mwh}}.dump()), use_awaitable);
  co_await ws.async_close(websocket::close_code::normal, use_awaitable);
}

awaitable<void> listen(tcp::acceptor& acc) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(use_awaitable);
    std::make_shared<InverterSession>(std::move(s))->run();
  }
}

}  // namespace solar

int main() {
  asio::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 7788});
  asio::co_spawn(ioc, solar::listen(acc), asio::detached);
  std::make_shared<solar::TrackerSession>(tcp::socket(ioc))->run();
  asio::co_spawn(ioc, solar::weather_mast(tcp::socket(ioc)), asio::detached);
  asio::co_spawn(ioc, solar::operator_dashboard(tcp::socket(ioc)), asio::detached);
  asio::co_spawn(ioc, solar::combiner_box(tcp::socket(ioc)), asio::detached);
  using Req = http::request<http::string_body>;
  asio::co_spawn(ioc, solar::substation_relay(beast::tcp_stream(ioc), Req{}), asio::detached);
  asio::co_spawn(ioc, solar::battery_container(beast::tcp_stream(ioc), Req{}), asio::detached);
  asio::co_spawn(ioc, solar::push_yield(tcp::socket(ioc), 12.4), asio::detached);
  ioc.run();
}
