// Demo input for errorshield-ws-handshake-origin: the seed incident (BUGGY).
//
// A browser-facing chat server. Port 8080 serves HTTP; an upgrade request
// to /chat is authenticated by its session cookie and handed to a
// ChatSession. Port 8081 is the older presence feed ("who is online"),
// which lets Beast read the handshake itself. Browsers send the user's
// cookies with a WebSocket handshake from ANY site, and the same-origin
// policy does not protect WebSockets: only the server can refuse a page from
// another site, by looking at the request's Origin header. Nobody does:
//
// - PresenceSession::on_run() calls async_accept() without a request: Beast
//   reads the upgrade request itself and accepts it, so there is no point at
//   which its Origin could be checked. Any page the user visits can follow
//   who is online.
// - ChatSession::run() checks the session cookie (so the connection runs as
//   the logged-in user) and then accepts the request without ever looking at
//   its Origin: a page on evil.example opens wss://chat.example.com/chat in
//   the victim's browser, rides on their cookie and reads their private
//   messages (cross-site WebSocket hijacking).
// - The response decorator always answers Sec-WebSocket-Protocol: chat.v2,
//   whatever the client offered. An old client that offered only chat.v1 (or
//   nothing) is told chat.v2 was chosen, and misparses every message.
//
// The sessions are otherwise sound: timeouts, a message limit, error checks.
#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

static void fail(beast::error_code ec, const char* what) {
  std::cerr << what << ": " << ec.message() << "\n";
}

// True when the cookie header carries a live session (stands in for the session store).
static bool has_live_session(std::string_view cookie) { return cookie.find("sid=") != std::string_view::npos; }

// ---- /chat: accepted after the HTTP session has read and authenticated the request ----

class ChatSession : public std::enable_shared_from_this<ChatSession> {
 public:
  explicit ChatSession(tcp::socket&& socket) : ws_(std::move(socket)) {}

  void run(http::request<http::string_body> req) {
    if (!has_live_session(req[http::field::cookie])) return;  // logged in: the cookie was checked...
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(64 * 1024);
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(http::field::server, "chat-server");
      res.set(http::field::sec_websocket_protocol, "chat.v2");  // BUG: never negotiated
    }));
    // BUG: ...but not where the request comes from.
    ws_.async_accept(req, beast::bind_front_handler(&ChatSession::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "chat accept");
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&ChatSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == websocket::error::closed) return;
    if (ec) return fail(ec, "chat read");
    std::cout << "chat: " << beast::make_printable(buffer_.data()) << "\n";
    buffer_.consume(buffer_.size());
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

// ---- /presence on port 8081: the socket goes straight to the WebSocket stream ----

class PresenceSession : public std::enable_shared_from_this<PresenceSession> {
 public:
  explicit PresenceSession(tcp::socket&& socket) : ws_(std::move(socket)) {}

  void run() {
    net::dispatch(ws_.get_executor(), beast::bind_front_handler(&PresenceSession::on_run, shared_from_this()));
  }

 private:
  void on_run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(4 * 1024);
    // BUG: Beast reads the upgrade request itself; its Origin is never seen.
    ws_.async_accept(beast::bind_front_handler(&PresenceSession::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "presence accept");
    ws_.async_write(net::buffer(std::string_view("{\"online\":[\"alice\",\"bob\"]}")),
                    beast::bind_front_handler(&PresenceSession::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "presence write");
    ws_.async_read(buffer_, beast::bind_front_handler(&PresenceSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;  // the client went away: the session ends
    buffer_.consume(buffer_.size());
    ws_.async_read(buffer_, beast::bind_front_handler(&PresenceSession::on_read, shared_from_this()));
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

// ---- Port 8080: plain HTTP, upgraded to /chat ----

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  explicit HttpSession(tcp::socket&& socket) : stream_(std::move(socket)) {}

  void run() {
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, req_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
  }

 private:
  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "http read");
    if (websocket::is_upgrade(req_) && req_.target() == "/chat") {
      std::make_shared<ChatSession>(stream_.release_socket())->run(std::move(req_));
      return;
    }
    auto res = std::make_shared<http::response<http::string_body>>(http::status::not_found, req_.version());
    res->set(http::field::content_type, "text/plain");
    res->body() = "not found\n";
    res->prepare_payload();
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
      if (ec) return fail(ec, "http write");
      self->stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
};

template <class Session>
class Listener : public std::enable_shared_from_this<Listener<Session>> {
 public:
  Listener(net::io_context& ioc, const tcp::endpoint& endpoint) : ioc_(ioc), acceptor_(ioc, endpoint) {}

  void do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_),
                           beast::bind_front_handler(&Listener::on_accept, this->shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec) return fail(ec, "accept");
    std::make_shared<Session>(std::move(socket))->run();
    do_accept();
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
};

int main() {
  net::io_context ioc;
  auto const address = net::ip::make_address("0.0.0.0");
  std::make_shared<Listener<HttpSession>>(ioc, tcp::endpoint{address, 8080})->do_accept();
  std::make_shared<Listener<PresenceSession>>(ioc, tcp::endpoint{address, 8081})->do_accept();
  ioc.run();
}
