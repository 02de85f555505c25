// checks: errorshield-ws-timeouts
// Pairing relay: coroutine WebSocket servers, plain and TLS.
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <iostream>
#include <memory>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;
using namespace std::chrono_literals;
using namespace net::experimental::awaitable_operators;

struct RelayConfig {
  std::chrono::seconds handshake{10};
  std::chrono::seconds idle{120};
  bool pings = true;
};

static RelayConfig g_cfg;

// ---------------------------------------------------------------------------

awaitable<void> echo_unbounded(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws{std::move(sock)}; // expect: errorshield-ws-timeouts
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    co_await ws.async_write(buf.data(), use_awaitable);
    buf.consume(buf.size());
  }
}

awaitable<void> echo_suggested(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws{std::move(sock)};
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    co_await ws.async_write(buf.data(), use_awaitable);
    buf.consume(buf.size());
  }
}

awaitable<void> echo_configured(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws{std::move(sock)};
  websocket::stream_base::timeout opt;
  opt.handshake_timeout = g_cfg.handshake;
  opt.idle_timeout = g_cfg.idle;
  opt.keep_alive_pings = g_cfg.pings;
  ws.set_option(opt);
  co_await ws.async_accept(use_awaitable);
}

// Per-read deadline raced against the read with awaitable operators.
awaitable<void> echo_raced(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws{std::move(sock)};
  net::steady_timer deadline{co_await net::this_coro::executor};
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    deadline.expires_after(60s);
    auto r = co_await (ws.async_read(buf, use_awaitable) || deadline.async_wait(use_awaitable));
    if (r.index() == 1) {
      co_await ws.async_close(websocket::close_code::going_away, use_awaitable);
      co_return;
    }
    buf.consume(buf.size());
  }
}

// Per-read deadline on the underlying tcp_stream.
awaitable<void> echo_lowest_layer_deadline(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws{std::move(sock)};
  beast::get_lowest_layer(ws).expires_after(10s);
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    beast::get_lowest_layer(ws).expires_after(90s);
    co_await ws.async_read(buf, use_awaitable);
    buf.consume(buf.size());
  }
}

// ---------------------------------------------------------------------------
// Pairs two accepted peers; only the host side gets the timeout settings.

awaitable<void> pair_peers(tcp::socket host_sock, tcp::socket guest_sock) {
  websocket::stream<beast::tcp_stream> host{std::move(host_sock)};
  websocket::stream<beast::tcp_stream> guest{std::move(guest_sock)}; // expect: errorshield-ws-timeouts
  host.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await host.async_accept(use_awaitable);
  co_await guest.async_accept(use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await guest.async_read(buf, use_awaitable);
    co_await host.async_write(buf.data(), use_awaitable);
    buf.consume(buf.size());
  }
}

// ---------------------------------------------------------------------------
// Room registry holding heap-allocated streams.

using ws_ptr = std::shared_ptr<websocket::stream<beast::tcp_stream>>;
static std::vector<ws_ptr> g_room;

awaitable<void> join_room(tcp::socket sock) {
  auto ws = std::make_shared<websocket::stream<beast::tcp_stream>>(std::move(sock)); // expect: errorshield-ws-timeouts
  co_await ws->async_accept(use_awaitable);
  g_room.push_back(ws);
}

awaitable<void> join_room_safe(tcp::socket sock) {
  auto ws = std::make_shared<websocket::stream<beast::tcp_stream>>(std::move(sock));
  ws->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws->async_accept(use_awaitable);
  g_room.push_back(ws);
}

// ---------------------------------------------------------------------------
// TLS with stackful coroutines

void tls_relay_unbounded(tcp::socket sock, ssl::context& ctx, net::yield_context yield) {
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws{std::move(sock), ctx}; // expect: errorshield-ws-timeouts
  beast::error_code ec;
  ws.next_layer().async_handshake(ssl::stream_base::server, yield[ec]);
  if (ec)
    return;
  ws.async_accept(yield[ec]);
  beast::flat_buffer buf;
  while (!ec) {
    ws.async_read(buf, yield[ec]);
    buf.consume(buf.size());
  }
}

class tls_relay : public std::enable_shared_from_this<tls_relay> {
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws_;

public:
  tls_relay(tcp::socket&& sock, ssl::context& ctx) : ws_(std::move(sock), ctx) {}

  void start() {
    beast::get_lowest_layer(ws_).expires_after(30s);
    ws_.next_layer().async_handshake(
        ssl::stream_base::server,
        beast::bind_front_handler(&tls_relay::on_tls, shared_from_this()));
  }

  void on_tls(beast::error_code ec) {
    if (ec)
      return;
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code) {});
  }
};

int main() {
  net::io_context ioc;
  ssl::context ctx{ssl::context::tlsv12_server};
  tcp::acceptor acc{ioc, {tcp::v4(), 7443}};
  net::co_spawn(ioc, [&]() -> awaitable<void> {
    for (;;) {
      auto s = co_await acc.async_accept(use_awaitable);
      net::co_spawn(ioc, echo_suggested(std::move(s)), net::detached);
    }
  }, net::detached);
  ioc.run();
}
