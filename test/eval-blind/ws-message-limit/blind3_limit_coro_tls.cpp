// checks: errorshield-ws-message-limit
// Market data fan-out: coroutine WebSocket servers over plain TCP and TLS.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <cstddef>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;

struct FeedConfig {
  std::size_t max_subscribe_msg = 16 * 1024;
  std::string upstream_host = "feed.internal";
};

static FeedConfig g_cfg;
constexpr std::size_t kHugeBatch = std::size_t{1} << 31; // 2 GiB

using plain_ws = websocket::stream<beast::tcp_stream>;
using tls_ws = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

// ---------------------------------------------------------------------------

awaitable<void> subscriber_unlimited(tcp::socket sock) {
  plain_ws ws{std::move(sock)}; // expect: errorshield-ws-message-limit
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    buf.consume(buf.size());
  }
}

awaitable<void> subscriber(tcp::socket sock) {
  plain_ws ws{std::move(sock)};
  auto configure = [](plain_ws& s) {
    s.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    s.read_message_max(g_cfg.max_subscribe_msg);
  };
  configure(ws);
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    buf.consume(buf.size());
  }
}

awaitable<void> bulk_loader(tcp::socket sock) {
  plain_ws ws{std::move(sock)};
  ws.read_message_max(kHugeBatch); // expect: errorshield-ws-message-limit
  co_await ws.async_accept(use_awaitable);
}

awaitable<void> bulk_loader_after_auth(tcp::socket sock) {
  plain_ws ws{std::move(sock)};
  ws.read_message_max(4096);
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf;
  co_await ws.async_read(buf, use_awaitable); // auth message
  buf.consume(buf.size());
  // Authenticated: lift the cap for the bulk payload.
  ws.read_message_max(0); // expect: errorshield-ws-message-limit
  co_await ws.async_read(buf, use_awaitable);
}

awaitable<void> bridge(tcp::socket a, tcp::socket b) {
  plain_ws left{std::move(a)};
  plain_ws right{std::move(b)}; // expect: errorshield-ws-message-limit
  left.read_message_max(64 * 1024);
  co_await left.async_accept(use_awaitable);
  co_await right.async_accept(use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await right.async_read(buf, use_awaitable);
    co_await left.async_write(buf.data(), use_awaitable);
    buf.consume(buf.size());
  }
}

// ---------------------------------------------------------------------------

static std::vector<std::unique_ptr<plain_ws>> g_clients;

awaitable<void> register_client(tcp::socket sock) {
  auto ws = std::make_unique<plain_ws>(std::move(sock)); // expect: errorshield-ws-message-limit
  co_await ws->async_accept(use_awaitable);
  g_clients.push_back(std::move(ws));
}

awaitable<void> register_client_limited(tcp::socket sock) {
  auto ws = std::make_unique<plain_ws>(std::move(sock));
  ws->read_message_max(g_cfg.max_subscribe_msg);
  co_await ws->async_accept(use_awaitable);
  g_clients.push_back(std::move(ws));
}

// ---------------------------------------------------------------------------
// TLS, stackful coroutine

void tls_subscriber_unlimited(tcp::socket sock, ssl::context& ctx, net::yield_context yield) {
  tls_ws ws{std::move(sock), ctx}; // expect: errorshield-ws-message-limit
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

class tls_subscriber : public std::enable_shared_from_this<tls_subscriber> {
  tls_ws ws_;
  beast::flat_buffer buf_;

public:
  tls_subscriber(tcp::socket&& s, ssl::context& ctx) : ws_(std::move(s), ctx) {}

  void start() {
    ws_.next_layer().async_handshake(
        ssl::stream_base::server,
        beast::bind_front_handler(&tls_subscriber::on_tls, shared_from_this()));
  }

  void on_tls(beast::error_code ec) {
    if (ec)
      return;
    ws_.read_message_max(32 * 1024);
    ws_.async_accept(beast::bind_front_handler(&tls_subscriber::on_accept,
                                               shared_from_this()));
  }

  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code, std::size_t) {});
  }
};

// Upstream client connection to the exchange feed (limit set anyway).
awaitable<void> upstream(ssl::context& ctx) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver{ex};
  tls_ws ws{ex, ctx};
  auto eps = co_await resolver.async_resolve(g_cfg.upstream_host, "443", use_awaitable);
  co_await beast::get_lowest_layer(ws).async_connect(eps, use_awaitable);
  co_await ws.next_layer().async_handshake(ssl::stream_base::client, use_awaitable);
  ws.read_message_max(2 * 1024 * 1024);
  co_await ws.async_handshake(g_cfg.upstream_host, "/v2/stream", use_awaitable);
}

int main() {
  net::io_context ioc;
  ssl::context ctx{ssl::context::tlsv12};
  net::co_spawn(ioc, upstream(ctx), net::detached);
  ioc.run();
}
