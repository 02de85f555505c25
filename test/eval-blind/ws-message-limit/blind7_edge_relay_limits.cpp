// checks: errorshield-ws-message-limit
// Edge proxy in front of the telemetry gateway: WebSocket relays (coroutines)
// and a couple of stackful side channels. Frame limits per leg.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <cstddef>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <limits>
#include <memory>
#include <string>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace edge {

using request_t = http::request<http::string_body>;
using ws_plain = websocket::stream<beast::tcp_stream>;
using ws_tls = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

constexpr std::size_t kDefaultFrame = 64 * 1024;
constexpr std::size_t kHardCap = 2 * 1024 * 1024;

struct relay_limits {
  std::size_t downstream_max = kDefaultFrame;
  std::size_t upstream_max = 1024 * 1024;
  std::size_t console_max = 8 * 1024;
};

// Loaded from the environment; anything out of range falls back to the default.
inline relay_limits load_limits() {
  relay_limits lim;
  if (const char* v = std::getenv("EDGE_DOWNSTREAM_FRAME_MAX")) {
    std::size_t n = std::strtoull(v, nullptr, 10);
    lim.downstream_max = (n == 0 || n > kHardCap) ? kDefaultFrame : n;
  }
  return lim;
}

template <class WebSocket>
void tune_leg(WebSocket& ws, beast::role_type role, std::size_t max_frame) {
  ws.set_option(websocket::stream_base::timeout::suggested(role));
  ws.read_message_max(max_frame);
  ws.auto_fragment(true);
}

struct upstream_endpoint {
  std::string host = "gateway.internal";
  std::string port = "9443";
};

net::awaitable<void> dial(ws_tls& up, upstream_endpoint const& ep, std::string const& path) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver r(ex);
  auto eps = co_await r.async_resolve(ep.host, ep.port, net::use_awaitable);
  co_await beast::get_lowest_layer(up).async_connect(eps, net::use_awaitable);
  co_await up.next_layer().async_handshake(ssl::stream_base::client, net::use_awaitable);
  co_await up.async_handshake(ep.host, path, net::use_awaitable);
}

// -----------------------------------------------------------------------------
// Dashboard relay: both legs tuned before anything is read.
class dashboard_relay : public std::enable_shared_from_this<dashboard_relay> {
 public:
  dashboard_relay(beast::tcp_stream s, ssl::context& tls, relay_limits const& lim)
      : down_(std::move(s)), up_(down_.get_executor(), tls) {
    tune_leg(down_, beast::role_type::server, lim.downstream_max);
    tune_leg(up_, beast::role_type::client, lim.upstream_max);
  }

  net::awaitable<void> run(request_t req, upstream_endpoint ep) {
    auto self = shared_from_this();
    co_await down_.async_accept(req, net::use_awaitable);
    co_await dial(up_, ep, "/v1/live");
    net::co_spawn(down_.get_executor(), self->gateway_to_client(), net::detached);
    beast::flat_buffer buf;
    for (;;) {
      co_await down_.async_read(buf, net::use_awaitable);
      up_.text(down_.got_text());
      co_await up_.async_write(buf.data(), net::use_awaitable);
      buf.consume(buf.size());
    }
  }

 private:
  net::awaitable<void> gateway_to_client() {
    auto self = shared_from_this();
    beast::flat_buffer buf;
    for (;;) {
      co_await up_.async_read(buf, net::use_awaitable);
      down_.text(up_.got_text());
      co_await down_.async_write(buf.data(), net::use_awaitable);
      buf.consume(buf.size());
    }
  }

  ws_plain down_;
  ws_tls up_;
};

// -----------------------------------------------------------------------------
// Device relay: only the gateway leg got a limit; the device leg reads freely.
class device_relay : public std::enable_shared_from_this<device_relay> {
 public:
  device_relay(beast::tcp_stream s, ssl::context& tls, relay_limits const& lim)
      : down_(std::move(s)), up_(down_.get_executor(), tls), lim_(lim) {}

  net::awaitable<void> run(request_t req, upstream_endpoint ep) {
    auto self = shared_from_this();
    configure();
    co_await down_.async_accept(req, net::use_awaitable);
    co_await dial(up_, ep, "/v1/ingest");
    net::co_spawn(down_.get_executor(), self->gateway_to_device(), net::detached);
    co_await device_to_gateway();
  }

 private:
  void configure() {
    down_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    up_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    up_.read_message_max(lim_.upstream_max);
  }
  net::awaitable<void> device_to_gateway() {
    beast::flat_buffer buf;
    for (;;) {
      co_await down_.async_read(buf, net::use_awaitable); // expect: errorshield-ws-message-limit
      up_.binary(true);
      co_await up_.async_write(buf.data(), net::use_awaitable);
      buf.consume(buf.size());
    }
  }
  net::awaitable<void> gateway_to_device() {
    auto self = shared_from_this();
    beast::flat_buffer buf;
    for (;;) {
      co_await up_.async_read(buf, net::use_awaitable);
      co_await down_.async_write(buf.data(), net::use_awaitable);
      buf.consume(buf.size());
    }
  }

  ws_plain down_;
  ws_tls up_;
  relay_limits lim_;
};

// -----------------------------------------------------------------------------
// Admin console: "no limit, it's an internal tool".
net::awaitable<void> admin_console(beast::tcp_stream stream, request_t req) {
  ws_plain ws(std::move(stream));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(std::numeric_limits<std::size_t>::max()); // expect: errorshield-ws-message-limit
  co_await ws.async_accept(req, net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    std::clog << "[edge] admin: " << beast::buffers_to_string(buf.data()) << '\n';
    buf.consume(buf.size());
  }
}

// Route table pusher: limit comes from the validated config.
net::awaitable<void> route_push(beast::tcp_stream stream, request_t req, relay_limits lim) {
  ws_plain ws(std::move(stream));
  co_await ws.async_accept(req, net::use_awaitable);
  ws.read_message_max(lim.downstream_max);
  beast::flat_buffer buf;
  co_await ws.async_read(buf, net::use_awaitable);
  std::clog << "[edge] routes updated (" << buf.size() << " bytes)\n";
}

// -----------------------------------------------------------------------------
// Stackful side channels.

using stream_setup = std::function<void(ws_plain&)>;

void firmware_status(tcp::socket sock, request_t req, stream_setup const& setup, net::yield_context yield) {
  beast::error_code ec;
  ws_plain ws(std::move(sock));
  setup(ws);
  ws.async_accept(req, yield[ec]);
  if (ec) return;
  beast::flat_buffer buf;
  while (!ec) {
    ws.async_read(buf, yield[ec]);
    buf.consume(buf.size());
  }
}

void legacy_bridge(tcp::socket sock, request_t req, net::yield_context yield) {
  beast::error_code ec;
  ws_plain ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.async_accept(req, yield[ec]);
  if (ec) return void(std::cerr << "[edge] legacy accept: " << ec.message() << '\n');
  std::string pending;
  beast::flat_buffer buf;
  for (;;) {
    ws.async_read(buf, yield[ec]); // expect: errorshield-ws-message-limit
    if (ec) break;
    pending += beast::buffers_to_string(buf.data());
    buf.consume(buf.size());
  }
}

// Probe on the edge itself: fixed-capacity static buffer, cannot grow.
void self_probe(tcp::socket sock, request_t req, net::yield_context yield) {
  beast::error_code ec;
  ws_plain ws(std::move(sock));
  ws.async_accept(req, yield[ec]);
  beast::flat_static_buffer<2048> buf;
  ws.async_read(buf, yield[ec]);
  if (!ec) std::clog << "[edge] probe ok\n";
}

void start_side_channels(net::io_context& ioc, tcp::socket a, tcp::socket b, request_t req) {
  relay_limits lim = load_limits();
  stream_setup setup = [lim](ws_plain& ws) { tune_leg(ws, beast::role_type::server, lim.console_max); };
  net::spawn(ioc, [s = std::move(a), req, setup](net::yield_context y) mutable {
    firmware_status(std::move(s), req, setup, y);
  }, net::detached);
  net::spawn(ioc, [s = std::move(b), req](net::yield_context y) mutable { legacy_bridge(std::move(s), req, y); },
             net::detached);
}

}  // namespace edge
