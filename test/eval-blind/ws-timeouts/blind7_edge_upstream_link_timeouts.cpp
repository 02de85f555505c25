// checks: errorshield-ws-timeouts
// Edge proxy: relays WebSocket traffic between downstream clients and the
// telemetry gateway. Coroutine relays plus a stackful legacy path.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <functional>
#include <iostream>
#include <memory>
#include <string>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

namespace edge::relay {

using request_t = http::request<http::string_body>;
using ws_plain = websocket::stream<beast::tcp_stream>;
using ws_tls = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

struct upstream_target {
  std::string host = "gateway.internal";
  std::string port = "9443";
  std::string path = "/v1/ingest";
};

struct relay_options {
  std::chrono::seconds idle{60};
  std::chrono::seconds handshake{10};
  std::chrono::seconds per_read{45};
};

// Shared helper, used by every relay that goes through the "new" path.
template <class WebSocket>
void apply_ws_timeouts(WebSocket& ws, beast::role_type role, relay_options const& opts) {
  auto t = websocket::stream_base::timeout::suggested(role);
  t.idle_timeout = opts.idle;
  t.handshake_timeout = opts.handshake;
  ws.set_option(t);
}

template <class From, class To>
net::awaitable<void> forward(From& from, To& to) {
  beast::flat_buffer buf;
  for (;;) {
    co_await from.async_read(buf, net::use_awaitable);
    to.text(from.got_text());
    co_await to.async_write(buf.data(), net::use_awaitable);
    buf.consume(buf.size());
  }
}

// TLS connect + handshake towards the gateway. Timeouts are the caller's job.
net::awaitable<void> connect_tls(ws_tls& up, upstream_target const& tgt) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver(ex);
  auto eps = co_await resolver.async_resolve(tgt.host, tgt.port, net::use_awaitable);
  beast::get_lowest_layer(up).expires_after(10s);
  co_await beast::get_lowest_layer(up).async_connect(eps, net::use_awaitable);
  if (!SSL_set_tlsext_host_name(up.next_layer().native_handle(), tgt.host.c_str()))
    throw beast::system_error(beast::error_code(static_cast<int>(::ERR_get_error()), net::error::get_ssl_category()));
  co_await up.next_layer().async_handshake(ssl::stream_base::client, net::use_awaitable);
  beast::get_lowest_layer(up).expires_never();
}

// --- correct relay: both legs configured through the shared helper ----------
net::awaitable<void> relay_dashboard(beast::tcp_stream down_stream, request_t req, ssl::context& tls,
                                     upstream_target tgt, relay_options opts) {
  auto ex = co_await net::this_coro::executor;
  ws_plain down(std::move(down_stream));
  ws_tls up(ex, tls);
  apply_ws_timeouts(down, beast::role_type::server, opts);
  apply_ws_timeouts(up, beast::role_type::client, opts);
  co_await down.async_accept(req, net::use_awaitable);
  co_await connect_tls(up, tgt);
  co_await up.async_handshake(tgt.host, tgt.path, net::use_awaitable);
  co_await forward(down, up);
}

// --- device relay: upstream leg configured twice, downstream never -----------
net::awaitable<void> relay_device(beast::tcp_stream down_stream, request_t req, ssl::context& tls,
                                  upstream_target tgt, relay_options opts) {
  auto ex = co_await net::this_coro::executor;
  ws_plain down(std::move(down_stream));
  ws_tls up(ex, tls);
  apply_ws_timeouts(up, beast::role_type::client, opts);
  apply_ws_timeouts(up, beast::role_type::server, opts);
  co_await down.async_accept(req, net::use_awaitable); // expect: errorshield-ws-timeouts
  co_await connect_tls(up, tgt);
  co_await up.async_handshake(tgt.host, tgt.path, net::use_awaitable);
  co_await forward(down, up);
}

// --- health probe link: raw TLS link to the gateway with nothing configured --
net::awaitable<void> probe_gateway(ssl::context& tls, upstream_target tgt) {
  auto ex = co_await net::this_coro::executor;
  ws_tls up(ex, tls);
  co_await connect_tls(up, tgt);
  co_await up.async_handshake(tgt.host, "/healthz/ws", net::use_awaitable); // expect: errorshield-ws-timeouts
  beast::flat_buffer buf;
  up.text(true);
  co_await up.async_write(net::buffer(std::string("ping")), net::use_awaitable);
  co_await up.async_read(buf, net::use_awaitable);
  std::cout << "gateway health: " << beast::buffers_to_string(buf.data()) << '\n';
}

// --- metrics tap: no websocket timeout option, but each read has a deadline --
net::awaitable<void> metrics_tap(beast::tcp_stream stream, request_t req, relay_options opts) {
  ws_plain ws(std::move(stream));
  beast::get_lowest_layer(ws).expires_after(opts.handshake);
  co_await ws.async_accept(req, net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    beast::get_lowest_layer(ws).expires_after(opts.per_read);
    co_await ws.async_read(buf, net::use_awaitable);
    std::cout << "tap: " << buf.size() << " bytes\n";
    buf.consume(buf.size());
  }
}

// --- stackful legacy path ------------------------------------------------------

using configure_fn = std::function<void(ws_plain&)>;

// The listener passes a configurator so that the legacy path matches the new one.
void legacy_relay(tcp::socket sock, request_t req, configure_fn const& configure, net::yield_context yield) {
  beast::error_code ec;
  ws_plain ws(std::move(sock));
  configure(ws);
  ws.async_accept(req, yield[ec]);
  if (ec) return void(std::cerr << "legacy accept: " << ec.message() << '\n');
  beast::flat_buffer buf;
  for (;;) {
    ws.async_read(buf, yield[ec]);
    if (ec) break;
    buf.consume(buf.size());
  }
}

// Config push socket: set up by hand, never got timeouts.
void config_push(tcp::socket sock, request_t req, net::yield_context yield) {
  beast::error_code ec;
  ws_plain ws(std::move(sock));
  ws.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, "tgw-edge/cfg"); }));
  ws.auto_fragment(false);
  ws.async_accept(req, yield[ec]); // expect: errorshield-ws-timeouts
  if (ec) return void(std::cerr << "config accept: " << ec.message() << '\n');
  beast::flat_buffer buf;
  while (!ec) {
    ws.async_read(buf, yield[ec]);
    buf.consume(buf.size());
  }
}

// Debug mirror: reads its own upgrade request under a TCP deadline, then clears
// the deadline for the websocket phase; the websocket idle timeout was never installed.
void debug_mirror(tcp::socket sock, net::yield_context yield) {
  beast::error_code ec;
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  request_t req;
  stream.expires_after(5s);
  http::async_read(stream, buf, req, yield[ec]);
  if (ec) return void(std::cerr << "mirror read: " << ec.message() << '\n');
  stream.expires_never();
  ws_plain ws(std::move(stream));
  ws.async_accept(req, yield[ec]); // expect: errorshield-ws-timeouts
  while (!ec) {
    buf.clear();
    ws.async_read(buf, yield[ec]);
    if (!ec) ws.async_write(buf.data(), yield[ec]);
  }
}

void start_legacy(net::io_context& ioc, tcp::socket sock, request_t req, relay_options opts) {
  configure_fn cfg = [opts](ws_plain& ws) { apply_ws_timeouts(ws, beast::role_type::server, opts); };
  net::spawn(ioc, [s = std::move(sock), r = std::move(req), cfg](net::yield_context y) mutable {
    legacy_relay(std::move(s), std::move(r), cfg, y);
  }, net::detached);
}

}  // namespace edge::relay
