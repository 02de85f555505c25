// checks: errorshield-ws-handshake-origin
// Multiplayer game backend: lobby (coroutines), match server (async callbacks
// shaped after websocket_server_async), and a bot client.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <iostream>
#include <memory>
#include <set>
#include <string>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;

struct lobby_config {
  std::set<std::string, std::less<>> allowed_origins;
  unsigned short port = 8443;
};

// --- lobby: correct, origin is compared with the configured allow-list ----
awaitable<void> lobby_session(tcp::socket socket, lobby_config const &cfg) {
  beast::tcp_stream stream{std::move(socket)};
  beast::flat_buffer buffer;
  http::request<http::string_body> req;
  co_await http::async_read(stream, buffer, req, use_awaitable);
  if (!websocket::is_upgrade(req))
    co_return;
  std::string origin{req[http::field::origin]};
  if (!cfg.allowed_origins.contains(origin)) {
    http::response<http::empty_body> res{http::status::forbidden, req.version()};
    co_await http::async_write(stream, res, use_awaitable);
    co_return;
  }
  websocket::stream<beast::tcp_stream> ws{std::move(stream)};
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(req, use_awaitable);
  for (;;) {
    co_await ws.async_read(buffer, use_awaitable);
    buffer.consume(buffer.size());
  }
}

// --- spectator feed: lets Beast read the handshake, never sees Origin -------
awaitable<void> spectator_session(tcp::socket socket) {
  websocket::stream<beast::tcp_stream> ws{std::move(socket)};
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(use_awaitable); // expect: errorshield-ws-handshake-origin
  beast::flat_buffer buffer;
  for (;;) {
    co_await ws.async_read(buffer, use_awaitable);
    buffer.consume(buffer.size());
  }
}

// --- replay viewer: only checks that *some* Origin is present ---------------
awaitable<void> replay_session(tcp::socket socket) {
  beast::tcp_stream stream{std::move(socket)};
  beast::flat_buffer buffer;
  http::request<http::string_body> req;
  co_await http::async_read(stream, buffer, req, use_awaitable);
  if (req[http::field::origin].empty())
    co_return;
  websocket::stream<beast::tcp_stream> ws{std::move(stream)};
  co_await ws.async_accept(req, use_awaitable); // expect: errorshield-ws-handshake-origin
}

// --- tournament: validates Host, not Origin (a classic mix-up) ---------------
awaitable<void> tournament_session(tcp::socket socket) {
  beast::tcp_stream stream{std::move(socket)};
  beast::flat_buffer buffer;
  http::request<http::string_body> req;
  co_await http::async_read(stream, buffer, req, use_awaitable);
  if (req[http::field::host] != "play.example.com")
    co_return;
  websocket::stream<beast::tcp_stream> ws{std::move(stream)};
  co_await ws.async_accept(req, use_awaitable); // expect: errorshield-ws-handshake-origin
}

// --- guilds: subdomain allow-list via suffix match (correct) ----------------
awaitable<void> guild_session(tcp::socket socket) {
  beast::tcp_stream stream{std::move(socket)};
  beast::flat_buffer buffer;
  http::request<http::string_body> req;
  co_await http::async_read(stream, buffer, req, use_awaitable);
  auto origin = req[http::field::origin];
  bool ok = origin == "https://game.example.com" || origin.ends_with(".game.example.com");
  if (!ok)
    co_return;
  websocket::stream<beast::tcp_stream> ws{std::move(stream)};
  co_await ws.async_accept(req, use_awaitable);
}

// --- match server, websocket_server_async shape -----------------------------
class match_session : public std::enable_shared_from_this<match_session> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;

public:
  explicit match_session(tcp::socket &&socket) : ws_(std::move(socket)) {}

  void run() {
    net::dispatch(ws_.get_executor(),
                  beast::bind_front_handler(&match_session::on_run, shared_from_this()));
  }

  void on_run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type &res) {
      res.set(http::field::server, std::string(BOOST_BEAST_VERSION_STRING) + " match-server");
    }));
    ws_.async_accept(beast::bind_front_handler(&match_session::on_accept, shared_from_this())); // expect: errorshield-ws-handshake-origin
  }

  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    ws_.async_read(buffer_, beast::bind_front_handler(&match_session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    buffer_.consume(buffer_.size());
  }
};

// --- load-test bot: a client, must not be flagged ----------------------------
awaitable<void> bot_client(std::string host, std::string port) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver{ex};
  websocket::stream<beast::tcp_stream> ws{ex};
  auto results = co_await resolver.async_resolve(host, port, use_awaitable);
  co_await beast::get_lowest_layer(ws).async_connect(results, use_awaitable);
  ws.set_option(websocket::stream_base::decorator([](websocket::request_type &req) {
    req.set(http::field::origin, "https://game.example.com");
  }));
  co_await ws.async_handshake(host + ":" + port, "/lobby", use_awaitable);
  co_await ws.async_close(websocket::close_code::normal, use_awaitable);
}

awaitable<void> listener(tcp::endpoint ep, lobby_config const &cfg) {
  auto ex = co_await net::this_coro::executor;
  tcp::acceptor acceptor{ex, ep};
  for (;;) {
    tcp::socket s = co_await acceptor.async_accept(use_awaitable);
    net::co_spawn(ex, lobby_session(std::move(s), cfg), net::detached);
  }
}
