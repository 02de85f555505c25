// checks: errorshield-ws-handshake-origin
// Notification service: coroutine-based WebSocket servers (plain and TLS).
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <iostream>
#include <memory>
#include <set>
#include <string>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;

struct ServerConfig {
  std::set<std::string> allowed_origins;
  std::string required_agent_prefix;
};

static ServerConfig g_config;

static bool is_trusted_origin(beast::string_view origin) {
  return g_config.allowed_origins.count(std::string(origin)) != 0;
}

// ---------------------------------------------------------------------------
// C++20 coroutines

awaitable<void> notify_session_unchecked(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws{std::move(sock)};
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(use_awaitable); // expect: errorshield-ws-handshake-origin
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    buf.consume(buf.size());
  }
}

awaitable<void> notify_session(tcp::socket sock) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(sock, buf, req, use_awaitable);
  if (!websocket::is_upgrade(req))
    co_return;
  if (!is_trusted_origin(req[http::field::origin])) {
    http::response<http::empty_body> res{http::status::forbidden, req.version()};
    res.keep_alive(false);
    co_await http::async_write(sock, res, use_awaitable);
    co_return;
  }
  websocket::stream<beast::tcp_stream> ws{std::move(sock)};
  co_await ws.async_accept(req, use_awaitable);
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    buf.consume(buf.size());
  }
}

// Only the User-Agent is checked; Origin is never looked at.
awaitable<void> bot_session(tcp::socket sock) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(sock, buf, req, use_awaitable);
  if (!req[http::field::user_agent].starts_with(g_config.required_agent_prefix))
    co_return;
  websocket::stream<beast::tcp_stream> ws{std::move(sock)};
  co_await ws.async_accept(req, use_awaitable); // expect: errorshield-ws-handshake-origin
}

awaitable<void> listener(tcp::endpoint ep) {
  auto ex = co_await net::this_coro::executor;
  tcp::acceptor acceptor{ex, ep};
  for (;;) {
    tcp::socket sock = co_await acceptor.async_accept(use_awaitable);
    net::co_spawn(ex, notify_session(std::move(sock)), net::detached);
  }
}

// ---------------------------------------------------------------------------
// Stackful coroutines over TLS

void tls_session_unchecked(websocket::stream<beast::ssl_stream<beast::tcp_stream>>& ws,
                           net::yield_context yield) {
  beast::error_code ec;
  beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(30));
  ws.next_layer().async_handshake(ssl::stream_base::server, yield[ec]);
  if (ec)
    return;
  beast::get_lowest_layer(ws).expires_never();
  ws.async_accept(yield[ec]); // expect: errorshield-ws-handshake-origin
  if (ec)
    return;
  beast::flat_buffer buffer;
  ws.async_read(buffer, yield[ec]);
}

void tls_session(websocket::stream<beast::ssl_stream<beast::tcp_stream>>& ws,
                 net::yield_context yield) {
  beast::error_code ec;
  ws.next_layer().async_handshake(ssl::stream_base::server, yield[ec]);
  if (ec)
    return;
  beast::flat_buffer buffer;
  http::request<http::string_body> req;
  http::async_read(ws.next_layer(), buffer, req, yield[ec]);
  if (ec)
    return;
  auto origin = req.find(http::field::origin);
  if (origin == req.end() || !is_trusted_origin(origin->value())) {
    std::cerr << "rejecting cross-site upgrade\n";
    return;
  }
  ws.async_accept(req, yield[ec]);
  if (ec)
    return;
  ws.async_read(buffer, yield[ec]);
}

// ---------------------------------------------------------------------------
// Beast "advanced server" style: the HTTP session vets the request, then hands
// the socket and the request over to the WebSocket session.

class ws_session : public std::enable_shared_from_this<ws_session> {
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws_;
  beast::flat_buffer buffer_;

public:
  explicit ws_session(beast::ssl_stream<beast::tcp_stream>&& stream)
      : ws_(std::move(stream)) {}

  template <class Body, class Allocator>
  void run(http::request<Body, http::basic_fields<Allocator>> req) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(req, beast::bind_front_handler(&ws_session::on_accept,
                                                    shared_from_this()));
  }

  void on_accept(beast::error_code ec) {
    if (ec)
      std::cerr << "accept: " << ec.message() << "\n";
  }
};

class http_session : public std::enable_shared_from_this<http_session> {
  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;

public:
  http_session(tcp::socket&& socket, ssl::context& ctx) : stream_(std::move(socket), ctx) {}

  void do_read() {
    http::async_read(stream_, buffer_, req_,
                     beast::bind_front_handler(&http_session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    if (websocket::is_upgrade(req_)) {
      if (!is_trusted_origin(req_[http::field::origin]))
        return;
      std::make_shared<ws_session>(std::move(stream_))->run(std::move(req_));
      return;
    }
  }
};

int main() {
  g_config.allowed_origins = {"https://notify.example.com"};
  g_config.required_agent_prefix = "notify-bot/";
  net::io_context ioc;
  ssl::context ctx{ssl::context::tlsv12_server};
  net::co_spawn(ioc, listener({tcp::v4(), 8080}), net::detached);
  net::spawn(ioc, [&](net::yield_context yield) {
    websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws{net::make_strand(ioc), ctx};
    tls_session(ws, yield);
  }, net::detached);
  net::spawn(ioc, [&](net::yield_context yield) {
    websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws{net::make_strand(ioc), ctx};
    tls_session_unchecked(ws, yield);
  }, net::detached);
  ioc.run();
}
