// Demo input for errorshield-ws-handshake-origin: the seed incident (FIXED).
//
// Corrected twin of ws_handshake_origin_bad.cpp. Every handshake is accepted
// only after the server has looked at where it comes from:
//
// - PresenceSession reads the upgrade request itself (http::async_read on the
//   stream's TCP layer), checks its Origin against the allow-list and answers
//   403 Forbidden to any other site; only then does it pass the request to
//   async_accept(req, ...).
// - HttpSession checks the Origin of every upgrade request before it hands
//   the request to ChatSession, so the cookie is honoured only for pages of
//   our own sites (the check sits in the caller: ChatSession::run() receives
//   a request that has been vetted).
// - ChatSession answers Sec-WebSocket-Protocol only with a subprotocol the
//   client offered (chat.v2, else chat.v1), and refuses clients that offer
//   neither.
#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <array>
#include <chrono>
#include <deque>
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

// FIX: the pages allowed to open a WebSocket to us.
static bool allowed_origin(std::string_view origin) {
  static constexpr std::array<std::string_view, 2> allowed{"https://chat.example.com", "https://www.example.com"};
  for (std::string_view o : allowed)
    if (origin == o) return true;
  return false;
}

// FIX: the subprotocol to answer, chosen from what the client offered ("chat.v1, chat.v2"); empty
// when it offered none we speak.
static std::string_view choose_subprotocol(std::string_view offered) {
  for (std::string_view ours : {std::string_view("chat.v2"), std::string_view("chat.v1")})
    if (offered.find(ours) != std::string_view::npos) return ours;
  return {};
}

// A 403 for a handshake from a page that is not ours.
template <class Body>
static auto forbidden(const http::request<Body>& req) {
  auto res = std::make_shared<http::response<http::string_body>>(http::status::forbidden, req.version());
  res->set(http::field::content_type, "text/plain");
  res->body() = "origin not allowed\n";
  res->prepare_payload();
  return res;
}

// ---- /chat: accepted after the HTTP session has read and authenticated the request ----

class ChatSession : public std::enable_shared_from_this<ChatSession> {
 public:
  explicit ChatSession(tcp::socket&& socket) : ws_(std::move(socket)) {}

  // `req` comes from HttpSession::on_read(), which has checked its Origin.
  void run(http::request<http::string_body> req) {
    if (!has_live_session(req[http::field::cookie])) return;
    // FIX: answer with a subprotocol the client offered, or not at all.
    const std::string_view protocol = choose_subprotocol(req[http::field::sec_websocket_protocol]);
    if (protocol.empty()) return;
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(64 * 1024);
    ws_.set_option(websocket::stream_base::decorator([protocol](websocket::response_type& res) {
      res.set(http::field::server, "chat-server");
      res.set(http::field::sec_websocket_protocol, protocol);
    }));
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

// ---- /presence on port 8081: reads its own upgrade request ----

class PresenceSession : public std::enable_shared_from_this<PresenceSession> {
 public:
  explicit PresenceSession(tcp::socket&& socket) : ws_(std::move(socket)) {}

  void run() {
    net::dispatch(ws_.get_executor(), beast::bind_front_handler(&PresenceSession::on_run, shared_from_this()));
  }

 private:
  // FIX: read the upgrade request ourselves, so that its Origin can be checked.
  void on_run() {
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(30));
    http::async_read(ws_.next_layer(), buffer_, req_,
                     beast::bind_front_handler(&PresenceSession::on_request, shared_from_this()));
  }

  void on_request(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "presence request");
    if (!websocket::is_upgrade(req_) || !allowed_origin(req_[http::field::origin])) {
      auto res = forbidden(req_);
      http::async_write(ws_.next_layer(), *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
        if (ec) return fail(ec, "presence reject");
        self->ws_.next_layer().socket().shutdown(tcp::socket::shutdown_send, ec);
      });
      return;
    }
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(4 * 1024);
    ws_.async_accept(req_, beast::bind_front_handler(&PresenceSession::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "presence accept");
    send("{\"online\":[\"alice\",\"bob\"]}");
    ws_.async_read(buffer_, beast::bind_front_handler(&PresenceSession::on_read, shared_from_this()));
  }

  // One write at a time: presence updates wait in outbox_ while a write is in progress.
  void send(std::string text) {
    outbox_.push_back(std::move(text));
    if (outbox_.size() > 1) return;
    ws_.async_write(net::buffer(outbox_.front()),
                    beast::bind_front_handler(&PresenceSession::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "presence write");
    outbox_.pop_front();
    if (!outbox_.empty())
      ws_.async_write(net::buffer(outbox_.front()),
                      beast::bind_front_handler(&PresenceSession::on_write, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;  // the client went away: the session ends
    buffer_.consume(buffer_.size());
    ws_.async_read(buffer_, beast::bind_front_handler(&PresenceSession::on_read, shared_from_this()));
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  std::deque<std::string> outbox_;
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
      if (!allowed_origin(req_[http::field::origin])) {  // FIX: only our own pages may upgrade
        auto res = forbidden(req_);
        http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
          if (ec) return fail(ec, "http reject");
          self->stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        });
        return;
      }
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
