// Demo input for errorshield-ws-close-code: the seed incident (BUGGY).
//
// A push server for a mobile app. Clients connect to /push on port 8080 and
// act on the close code when the server ends a session: the app reconnects
// at once after 1006 (the network dropped), backs off after 1001 (going
// away), signs the user in again after its own code 4001, and waits for the
// announced restart after 1012. RFC 6455 (section 7.4) lets a peer SEND only
// some codes: 1005 and 1006 report locally that no status or no close frame
// was received, and 1016-2999 are reserved for the protocol. The server
// sends them anyway:
//
// - Session::expire_idle() closes sessions that have been idle for ten
//   minutes with close_code::abnormal (1006), meant as "gone away". Browsers
//   report a protocol error instead of the close, and the app, which
//   reconnects immediately on 1006, is back within a second: after every
//   idle sweep the whole user base reconnects at once.
// - Session::kick() ends a session whose sign-in expired with
//   close_code::no_status (1005): the app never learns that it must sign in
//   again, and reconnects with the expired token in a loop.
// - Hub::shutdown() announces a restart with the app's own code 2012, taken
//   from the protocol's reserved range instead of 3000-4999: clients fail
//   the connection with a protocol error and reconnect into a server that is
//   going down.
//
// The sessions are otherwise sound: Origin checked, timeouts, message limits,
// error checks.
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <csignal>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

static void fail(beast::error_code ec, const char* what) {
  std::cerr << what << ": " << ec.message() << "\n";
}

static bool allowed_origin(std::string_view origin) { return origin == "app://push.example.com"; }

// The app's own close code for "restarting, come back later" (BUG: in the reserved 1016-2999 range).
constexpr websocket::close_code kRestarting = static_cast<websocket::close_code>(2012);

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket&& socket) : ws_(std::move(socket)), idle_timer_(ws_.get_executor()) {}

  void run(http::request<http::string_body> req) {
    sign_in_expires_ = std::chrono::steady_clock::now() + std::chrono::hours(1);  // from the token
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(8 * 1024);
    ws_.async_accept(req, beast::bind_front_handler(&Session::on_accept, shared_from_this()));
  }

  // Called by the hub when the server shuts down.
  void close_for_restart() {
    ws_.async_close(websocket::close_reason(kRestarting, "restarting"),  // BUG: a reserved code
                    beast::bind_front_handler(&Session::on_close, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "accept");
    arm_idle_timer();
    do_read();
  }

  void arm_idle_timer() {
    idle_timer_.expires_after(std::chrono::minutes(10));
    idle_timer_.async_wait(beast::bind_front_handler(&Session::on_idle, shared_from_this()));
  }

  void on_idle(beast::error_code ec) {
    if (ec == net::error::operation_aborted) return;  // re-armed by activity
    expire_idle();
  }

  // The user did nothing for ten minutes: free the slot.
  void expire_idle() {
    ws_.async_close(websocket::close_code::abnormal,  // BUG: 1006 means "no close frame", never sent
                    beast::bind_front_handler(&Session::on_close, shared_from_this()));
  }

  // The user's sign-in ran out: the app must sign in again.
  void kick(std::string_view why) {
    ws_.async_close({websocket::close_code::no_status, why},  // BUG: 1005 means "no status code"
                    beast::bind_front_handler(&Session::on_close, shared_from_this()));
  }

  void do_read() { ws_.async_read(buffer_, beast::bind_front_handler(&Session::on_read, shared_from_this())); }

  void on_read(beast::error_code ec, std::size_t) {
    idle_timer_.cancel();
    if (ec == websocket::error::closed) return;
    if (ec) return fail(ec, "read");
    buffer_.consume(buffer_.size());  // subscriptions are handled elsewhere
    if (std::chrono::steady_clock::now() > sign_in_expires_) return kick("sign-in expired");
    arm_idle_timer();
    do_read();
  }

  void on_close(beast::error_code ec) {
    idle_timer_.cancel();
    if (ec) fail(ec, "close");
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  net::steady_timer idle_timer_;
  std::chrono::steady_clock::time_point sign_in_expires_;
};

// Every live session, to announce a restart (touched only by the io_context's one thread).
class Hub {
 public:
  void add(const std::shared_ptr<Session>& session) { sessions_.push_back(session); }

  void shutdown() {
    for (const std::weak_ptr<Session>& weak : sessions_)
      if (std::shared_ptr<Session> session = weak.lock()) session->close_for_restart();
    sessions_.clear();
  }

 private:
  std::vector<std::weak_ptr<Session>> sessions_;
};

// ---- Port 8080: HTTP, upgraded after the Origin check ----

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, std::shared_ptr<Hub> hub) : stream_(std::move(socket)), hub_(std::move(hub)) {}

  void run() {
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, req_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
  }

 private:
  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "http read");
    if (websocket::is_upgrade(req_) && req_.target() == "/push" && allowed_origin(req_[http::field::origin])) {
      auto session = std::make_shared<Session>(stream_.release_socket());
      hub_->add(session);
      return session->run(std::move(req_));
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
  std::shared_ptr<Hub> hub_;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& ioc, const tcp::endpoint& endpoint, std::shared_ptr<Hub> hub)
      : acceptor_(ioc, endpoint), hub_(std::move(hub)) {}

  void do_accept() {
    acceptor_.async_accept(beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }

  void stop() { acceptor_.close(); }

 private:
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec) return fail(ec, "accept");
    std::make_shared<HttpSession>(std::move(socket), hub_)->run();
    do_accept();
  }

  tcp::acceptor acceptor_;
  std::shared_ptr<Hub> hub_;
};

int main() {
  net::io_context ioc;  // one thread: the hub needs no lock
  auto hub = std::make_shared<Hub>();
  auto listener = std::make_shared<Listener>(ioc, tcp::endpoint{net::ip::make_address("0.0.0.0"), 8080}, hub);
  listener->do_accept();
  net::signal_set signals(ioc, SIGTERM);
  signals.async_wait([hub, listener](beast::error_code ec, int) {
    if (ec) return;
    listener->stop();
    hub->shutdown();
  });
  ioc.run();
}
