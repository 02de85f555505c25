// checks: errorshield-ws-handshake-origin
// Chat gateway: sync and async WebSocket entry points.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <algorithm>
#include <array>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace gateway {

constexpr std::array<std::string_view, 3> kAllowedOrigins{
    "https://chat.example.com", "https://app.example.com",
    "https://admin.example.com"};

bool origin_allowed(std::string_view origin) {
  return std::find(kAllowedOrigins.begin(), kAllowedOrigins.end(), origin) !=
         kAllowedOrigins.end();
}

bool origin_allowed(http::request<http::string_body> const& req) {
  auto it = req.find(http::field::origin);
  if (it == req.end())
    return false;
  return origin_allowed(std::string_view(it->value().data(), it->value().size()));
}

void fail(beast::error_code ec, char const* what) {
  std::cerr << what << ": " << ec.message() << "\n";
}

// ---------------------------------------------------------------------------
// Thread-per-connection (legacy admin console)

void do_session_legacy(tcp::socket socket) {
  try {
    websocket::stream<tcp::socket> ws{std::move(socket)};
    ws.read_message_max(64 * 1024);
    ws.accept(); // expect: errorshield-ws-handshake-origin
    for (;;) {
      beast::flat_buffer buffer;
      ws.read(buffer);
      ws.text(ws.got_text());
      ws.write(buffer.data());
    }
  } catch (beast::system_error const& se) {
    if (se.code() != websocket::error::closed)
      std::cerr << "Error: " << se.code().message() << std::endl;
  }
}

void do_session_checked(tcp::socket socket) {
  try {
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    http::read(socket, buffer, req);
    if (!websocket::is_upgrade(req) || !origin_allowed(req)) {
      http::response<http::string_body> res{http::status::forbidden, req.version()};
      res.set(http::field::content_type, "text/plain");
      res.body() = "origin not allowed";
      res.prepare_payload();
      http::write(socket, res);
      return;
    }
    websocket::stream<tcp::socket> ws{std::move(socket)};
    ws.accept(req);
    for (;;) {
      beast::flat_buffer b;
      ws.read(b);
      ws.write(b.data());
    }
  } catch (beast::system_error const& se) {
    if (se.code() != websocket::error::closed)
      std::cerr << "Error: " << se.code().message() << std::endl;
  }
}

// Origin is read and logged for metrics, but never enforced.
void do_session_logged_only(tcp::socket socket) {
  beast::error_code ec;
  beast::flat_buffer buffer;
  http::request<http::string_body> req;
  http::read(socket, buffer, req, ec);
  if (ec)
    return fail(ec, "read");
  std::cout << "ws upgrade from origin=" << req[http::field::origin] << "\n";
  websocket::stream<tcp::socket> ws{std::move(socket)};
  ws.accept(req, ec); // expect: errorshield-ws-handshake-origin
  if (ec)
    return fail(ec, "accept");
}

// ---------------------------------------------------------------------------
// Async session: accepts straight off the socket, only decorates the response.

class echo_session : public std::enable_shared_from_this<echo_session> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;

public:
  explicit echo_session(tcp::socket&& socket) : ws_(std::move(socket)) {}

  void run() {
    net::dispatch(ws_.get_executor(),
                  beast::bind_front_handler(&echo_session::on_run, shared_from_this()));
  }

  void on_run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(http::field::server, "gateway-echo/2.1");
    }));
    ws_.async_accept( // expect: errorshield-ws-handshake-origin
        beast::bind_front_handler(&echo_session::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec) {
    if (ec)
      return fail(ec, "accept");
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&echo_session::on_read,
                                                      shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return fail(ec, "read");
    ws_.text(ws_.got_text());
    ws_.async_write(buffer_.data(), beast::bind_front_handler(&echo_session::on_write,
                                                              shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec)
      return fail(ec, "write");
    buffer_.consume(buffer_.size());
    do_read();
  }
};

// ---------------------------------------------------------------------------
// Async session: reads the HTTP upgrade first and rejects foreign origins.

class chat_session : public std::enable_shared_from_this<chat_session> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;

public:
  explicit chat_session(tcp::socket&& socket) : ws_(std::move(socket)) {}

  void run() {
    http::async_read(beast::get_lowest_layer(ws_), buffer_, req_,
                     beast::bind_front_handler(&chat_session::on_upgrade_read,
                                               shared_from_this()));
  }

  void on_upgrade_read(beast::error_code ec, std::size_t) {
    if (ec)
      return fail(ec, "read upgrade");
    auto const origin = req_[http::field::origin];
    if (!origin_allowed(std::string_view(origin.data(), origin.size()))) {
      beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ec);
      return;
    }
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(http::field::server, "gateway-chat/2.1");
    }));
    ws_.async_accept(req_, beast::bind_front_handler(&chat_session::on_accept,
                                                     shared_from_this()));
  }

  void on_accept(beast::error_code ec) {
    if (ec)
      return fail(ec, "accept");
  }
};

// ---------------------------------------------------------------------------
// Outbound connection to the upstream market-data feed (we are the client).

void connect_upstream(net::io_context& ioc, std::string const& host,
                      std::string const& port) {
  tcp::resolver resolver{ioc};
  websocket::stream<tcp::socket> ws{ioc};
  auto const results = resolver.resolve(host, port);
  net::connect(ws.next_layer(), results);
  ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
    req.set(http::field::origin, "https://chat.example.com");
  }));
  ws.handshake(host, "/feed");
  beast::flat_buffer buffer;
  ws.read(buffer);
  ws.close(websocket::close_code::normal);
}

// ---------------------------------------------------------------------------

void listen(net::io_context& ioc, tcp::endpoint ep) {
  tcp::acceptor acceptor{ioc, ep};
  for (;;) {
    tcp::socket socket{ioc};
    acceptor.accept(socket);
    if (ep.port() == 9001)
      std::thread(&do_session_legacy, std::move(socket)).detach();
    else if (ep.port() == 9002)
      std::thread(&do_session_checked, std::move(socket)).detach();
    else if (ep.port() == 9003)
      std::thread(&do_session_logged_only, std::move(socket)).detach();
    else if (ep.port() == 9004)
      std::make_shared<echo_session>(std::move(socket))->run();
    else
      std::make_shared<chat_session>(std::move(socket))->run();
  }
}

} // namespace gateway

int main() {
  net::io_context ioc{1};
  gateway::listen(ioc, tcp::endpoint{net::ip::make_address("0.0.0.0"), 9000});
}
