// checks: errorshield-ws-timeouts
// Ride-hailing dispatch: drivers stream GPS fixes, riders watch their ETA,
// dispatchers get a live console, and surge multipliers come from pricing.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace dispatch {

template <class WebSocket> void apply_server_timeouts(WebSocket &ws) {
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
}

void update_position(const json &fix) { std::cout << "gps " << fix.dump() << "\n"; }

// Driver app: GPS fixes every few seconds.
awaitable<void> driver_session(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  apply_server_timeouts(ws);
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    update_position(json::parse(beast::buffers_to_string(buf.data()), nullptr, false));
    buf.consume(buf.size());
  }
}

// Rider app: waits for "driver arriving" pushes.
awaitable<void> rider_session(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type &res) {
    res.set(http::field::server, "dispatch-rider/3.4");
  }));
  co_await ws.async_accept(use_awaitable); // expect: errorshield-ws-timeouts
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    buf.clear();
  }
}

// Trip status: the deadline is pushed out before every operation.
awaitable<void> trip_status_session(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  beast::get_lowest_layer(ws).expires_after(15s);
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    beast::get_lowest_layer(ws).expires_after(60s);
    co_await ws.async_read(buf, use_awaitable);
    buf.consume(buf.size());
    beast::get_lowest_layer(ws).expires_after(10s);
    co_await ws.async_write(asio::buffer(std::string("{\"ack\":true}")), use_awaitable);
  }
}

// ETA fan-out channel: heavily tuned, split across methods.
class EtaChannel {
public:
  explicit EtaChannel(tcp::socket s) : ws_(std::move(s)) {}

  awaitable<void> start() {
    tune();
    co_await ws_.async_accept(use_awaitable); // expect: errorshield-ws-timeouts
    co_await serve();
  }

private:
  void tune() {
    websocket::permessage_deflate pmd;
    pmd.server_enable = true;
    pmd.server_max_window_bits = 12;
    ws_.set_option(pmd);
    ws_.auto_fragment(false);
    ws_.read_message_max(8 * 1024);
    ws_.write_buffer_bytes(16 * 1024);
  }

  awaitable<void> serve() {
    beast::flat_buffer buf;
    for (;;) {
      co_await ws_.async_read(buf, use_awaitable);
      buf.consume(buf.size());
      co_await ws_.async_write(asio::buffer(std::string("{\"eta_s\":240}")), use_awaitable);
    }
  }

  websocket::stream<beast::tcp_stream> ws_;
};

// Payment-hold notifications: same shape, but tune() covers the timeouts.
class PaymentHoldChannel {
public:
  explicit PaymentHoldChannel(tcp::socket s) : ws_(std::move(s)) {}

  awaitable<void> start() {
    tune();
    co_await ws_.async_accept(use_awaitable);
    beast::flat_buffer buf;
    co_await ws_.async_read(buf, use_awaitable);
  }

private:
  void tune() {
    ws_.auto_fragment(false);
    ws_.read_message_max(4 * 1024);
    apply_server_timeouts(ws_);
  }

  websocket::stream<beast::tcp_stream> ws_;
};

// Dispatcher console (stackful, from the pre-coroutine code base).
void run_dispatcher_console(asio::io_context &ioc, tcp::acceptor &acc) {
  asio::spawn(
      ioc,
      [&acc](asio::yield_context yield) {
        for (;;) {
          tcp::socket sock = acc.async_accept(yield);
          asio::spawn(
              acc.get_executor(),
              [s = std::move(sock)](asio::yield_context y) mutable {
                websocket::stream<tcp::socket> ws(std::move(s));
                ws.async_accept(y); // expect: errorshield-ws-timeouts
                beast::flat_buffer buf;
                for (;;) {
                  ws.async_read(buf, y);
                  buf.consume(buf.size());
                }
              },
              asio::detached);
        }
      },
      asio::detached);
}

// Fleet-ops console, same style, explicit timeout values.
void run_fleet_ops_console(asio::io_context &ioc, tcp::acceptor &acc) {
  asio::spawn(
      ioc,
      [&acc](asio::yield_context yield) {
        for (;;) {
          tcp::socket sock = acc.async_accept(yield);
          asio::spawn(
              acc.get_executor(),
              [s = std::move(sock)](asio::yield_context y) mutable {
                websocket::stream<tcp::socket> ws(std::move(s));
                ws.set_option(websocket::stream_base::timeout{
                    .handshake_timeout = 15s, .idle_timeout = 120s, .keep_alive_pings = true});
                ws.async_accept(y);
                beast::flat_buffer buf;
                for (;;) {
                  ws.async_read(buf, y);
                  buf.consume(buf.size());
                }
              },
              asio::detached);
        }
      },
      asio::detached);
}

// Surge multipliers from the pricing service (client, TLS).
awaitable<void> surge_feed(ssl::context &tls, std::string host) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(ex, tls);
  auto eps = co_await resolver.async_resolve(host, "443", use_awaitable);
  co_await beast::get_lowest_layer(ws).async_connect(eps, use_awaitable);
  co_await ws.next_layer().async_handshake(ssl::stream_base::client, use_awaitable);
  co_await ws.async_handshake(host, "/surge/v2/stream", use_awaitable); // expect: errorshield-ws-timeouts
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    buf.consume(buf.size());
  }
}

// Geocoder lookups (client, plain TCP inside the VPC).
awaitable<void> geocoder_link(std::string host) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  websocket::stream<beast::tcp_stream> ws(ex);
  auto eps = co_await resolver.async_resolve(host, "8080", use_awaitable);
  beast::get_lowest_layer(ws).expires_after(5s);
  co_await beast::get_lowest_layer(ws).async_connect(eps, use_awaitable);
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  co_await ws.async_handshake(host, "/geocode", use_awaitable);
  co_await ws.async_write(asio::buffer(json{{"lat", 52.52}, {"lng", 13.40}}.dump()), use_awaitable);
}

awaitable<void> listen(tcp::acceptor acc) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(use_awaitable);
    asio::co_spawn(acc.get_executor(), driver_session(std::move(s)), asio::detached);
  }
}

} // namespace dispatch
