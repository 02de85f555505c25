// Demo input for errorshield-ws-timeouts: the seed incident (BUGGY).
//
// A push service. Phones and browsers upgrade to /push on port 8080 and get
// every event for their user; operators watch a live counter on /admin. The
// service itself subscribes, as a WebSocket client, to the event bus at
// bus.internal:9000. Beast applies no WebSocket timeout until
// stream_base::timeout is set, and a peer that disappears without closing (a
// phone that lost coverage, a NAT that dropped the mapping, a bus host that
// lost power) sends neither a close frame nor a TCP reset:
//
// - PushSession lengthens the suggested idle timeout to 24 hours "so that
//   sleeping phones are not dropped". Keep-alive pings keep healthy phones
//   alive anyway; what the 24 hours do is keep every dead session, its
//   buffers and its file descriptor for a day, while events are written into
//   the void and counted as delivered. After a few days of mobile churn the
//   server runs out of file descriptors.
// - AdminSession's timeout line was copied from the bus client:
//   suggested(role_type::client) has no idle timeout and no pings, so an
//   operator whose laptop went to sleep holds a session forever.
// - UpstreamFeed never sets a timeout at all: when the bus host dies, the
//   feed waits forever on a dead connection, never reconnects, and no push
//   goes out until someone restarts the service.
//
// The sessions are otherwise sound: Origin checked, message limits, error
// checks.
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

static bool allowed_origin(std::string_view origin) {
  return origin == "https://app.example.com" || origin == "https://admin.example.com";
}

// ---- /push: one session per phone or browser tab ----

class PushSession : public std::enable_shared_from_this<PushSession> {
 public:
  explicit PushSession(tcp::socket&& socket) : ws_(std::move(socket)) {}

  void run(http::request<http::string_body> req) {
    beast::get_lowest_layer(ws_).expires_never();  // the websocket stream has its own timeouts
    websocket::stream_base::timeout opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
    opt.idle_timeout = std::chrono::hours(24);  // "don't drop sleeping phones"
    ws_.set_option(opt);  // BUG: a dead phone holds its session for a day
    ws_.read_message_max(16 * 1024);
    ws_.async_accept(req, beast::bind_front_handler(&PushSession::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "push accept");
    do_read();
  }

  // Phones only send acknowledgements; the read also notices the close.
  void do_read() { ws_.async_read(buffer_, beast::bind_front_handler(&PushSession::on_read, shared_from_this())); }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == websocket::error::closed) return;
    if (ec) return fail(ec, "push read");
    buffer_.consume(buffer_.size());
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

// ---- /admin: a live counter for the operators' dashboard ----

class AdminSession : public std::enable_shared_from_this<AdminSession> {
 public:
  explicit AdminSession(tcp::socket&& socket) : ws_(std::move(socket)) {}

  void run(http::request<http::string_body> req) {
    beast::get_lowest_layer(ws_).expires_never();
    // BUG: copied from UpstreamFeed: the client role has no idle timeout and no pings.
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    ws_.read_message_max(1024);
    ws_.async_accept(req, beast::bind_front_handler(&AdminSession::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "admin accept");
    ws_.async_read(buffer_, beast::bind_front_handler(&AdminSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;  // the operator closed the dashboard
    buffer_.consume(buffer_.size());
    ws_.async_read(buffer_, beast::bind_front_handler(&AdminSession::on_read, shared_from_this()));
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

// ---- The event bus subscription (a WebSocket client) ----

class UpstreamFeed : public std::enable_shared_from_this<UpstreamFeed> {
 public:
  explicit UpstreamFeed(net::io_context& ioc) : resolver_(net::make_strand(ioc)), ws_(net::make_strand(ioc)) {}

  void run() {
    resolver_.async_resolve("bus.internal", "9000",
                            beast::bind_front_handler(&UpstreamFeed::on_resolve, shared_from_this()));
  }

 private:
  void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return fail(ec, "bus resolve");
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(10));
    beast::get_lowest_layer(ws_).async_connect(results,
                                               beast::bind_front_handler(&UpstreamFeed::on_connect, shared_from_this()));
  }

  void on_connect(beast::error_code ec, tcp::resolver::results_type::endpoint_type) {
    if (ec) return fail(ec, "bus connect");
    beast::get_lowest_layer(ws_).expires_never();
    ws_.read_message_max(256 * 1024);
    // BUG: no timeout option: a bus host that dies silently is never noticed.
    ws_.async_handshake("bus.internal:9000", "/events",
                        beast::bind_front_handler(&UpstreamFeed::on_handshake, shared_from_this()));
  }

  void on_handshake(beast::error_code ec) {
    if (ec) return fail(ec, "bus handshake");
    do_read();
  }

  void do_read() { ws_.async_read(buffer_, beast::bind_front_handler(&UpstreamFeed::on_read, shared_from_this())); }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "bus read");
    std::cout << "event: " << beast::make_printable(buffer_.data()) << "\n";  // fan-out elided
    buffer_.consume(buffer_.size());
    do_read();
  }

  tcp::resolver resolver_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

// ---- Port 8080: HTTP, upgraded after the Origin check ----

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
    if (websocket::is_upgrade(req_) && allowed_origin(req_[http::field::origin])) {
      if (req_.target() == "/push") return std::make_shared<PushSession>(stream_.release_socket())->run(std::move(req_));
      if (req_.target() == "/admin") return std::make_shared<AdminSession>(stream_.release_socket())->run(std::move(req_));
    }
    auto res = std::make_shared<http::response<http::string_body>>(http::status::forbidden, req_.version());
    res->body() = "forbidden\n";
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

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& ioc, const tcp::endpoint& endpoint) : ioc_(ioc), acceptor_(ioc, endpoint) {}

  void do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_), beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec) return fail(ec, "accept");
    std::make_shared<HttpSession>(std::move(socket))->run();
    do_accept();
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
};

int main() {
  net::io_context ioc;
  std::make_shared<Listener>(ioc, tcp::endpoint{net::ip::make_address("0.0.0.0"), 8080})->do_accept();
  std::make_shared<UpstreamFeed>(ioc)->run();
  ioc.run();
}
