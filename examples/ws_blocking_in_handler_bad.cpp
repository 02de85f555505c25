// Demo input for errorshield-ws-blocking-in-handler: the seed incident (BUGGY).
//
// A chat server. Clients connect to /chat on port 8080; every message is
// checked by a spam classifier, acknowledged to its sender ({"ack":N}) and
// broadcast to the room. All sessions run on ONE io_context thread, and
// Asio runs every completion handler on that thread: while a handler
// waits, no other user's message is read, no write completes, no timer
// fires. Session::on_read() waits three times:
//
// - It acknowledges the message with the synchronous ws_.write(). A
//   client on a bad mobile link stops reading; its TCP window fills, and
//   write() blocks until the window opens again. With it, every user on
//   the server froze: the server stopped responding until the slow client
//   finally timed out.
// - It asks the spam classifier, which runs on its own thread, and waits
//   for the verdict with std::future::get(): a slow classifier run is a
//   stall for everyone.
// - A user who sends too fast is slowed down by throttle(), which puts the
//   thread to sleep for 200 ms: it slows down the whole server instead.
//
// The sessions are otherwise sound: Origin checked, timeouts, message
// limits, text frames only, one write queue for the broadcasts, error
// checks.
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <future>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <utility>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

using Message = std::shared_ptr<const std::string>;

static void fail(beast::error_code ec, const char* what) {
  std::cerr << what << ": " << ec.message() << "\n";
}

static bool allowed_origin(std::string_view origin) { return origin == "https://chat.example.com"; }

// The spam classifier: CPU-heavy, tens of milliseconds per message, more for long ones.
static bool looks_like_spam(std::string text) { return text.find("http://") != std::string::npos; }

class Session;

// The room: every live session (touched only by the io_context's one thread).
class Room {
 public:
  void join(Session* session) { sessions_.insert(session); }
  void leave(Session* session) { sessions_.erase(session); }
  void broadcast(const std::string& text);

 private:
  std::unordered_set<Session*> sessions_;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, std::shared_ptr<Room> room) : ws_(std::move(socket)), room_(std::move(room)) {}

  ~Session() { room_->leave(this); }

  void run(http::request<http::string_body> req) {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(16 * 1024);
    ws_.text(true);
    ws_.async_accept(req, beast::bind_front_handler(&Session::on_accept, shared_from_this()));
  }

  // Called by the room: one write queue, one outstanding write.
  void send(Message msg) {
    queue_.push_back(std::move(msg));
    if (queue_.size() > 1) return;
    ws_.async_write(net::buffer(*queue_.front()), beast::bind_front_handler(&Session::on_write, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "accept");
    room_->join(this);
    do_read();
  }

  void do_read() { ws_.async_read(buffer_, beast::bind_front_handler(&Session::on_read, shared_from_this())); }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == websocket::error::closed) return;
    if (ec) return fail(ec, "read");
    std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    if (!ws_.got_text()) return do_read();

    // BUG: waits on this I/O thread for the classifier's thread.
    if (std::async(std::launch::async, looks_like_spam, text).get()) return do_read();

    throttle();
    ack_ = "{\"ack\":" + std::to_string(++received_) + "}";
    ws_.write(net::buffer(ack_));  // BUG: blocks until the client's TCP window has room
    room_->broadcast(text);
    do_read();
  }

  // At most five messages a second per user.
  void throttle() {
    auto now = std::chrono::steady_clock::now();
    if (now - last_message_ < std::chrono::milliseconds(200))
      std::this_thread::sleep_for(std::chrono::milliseconds(200));  // BUG: every user waits
    last_message_ = now;
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "write");
    queue_.pop_front();
    if (!queue_.empty())
      ws_.async_write(net::buffer(*queue_.front()), beast::bind_front_handler(&Session::on_write, shared_from_this()));
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::shared_ptr<Room> room_;
  std::deque<Message> queue_;
  std::string ack_;
  unsigned long received_ = 0;
  std::chrono::steady_clock::time_point last_message_;
};

void Room::broadcast(const std::string& text) {
  auto msg = std::make_shared<const std::string>(text);
  for (Session* session : sessions_) session->send(msg);
}

// ---- Port 8080: HTTP, upgraded after the Origin check ----

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, std::shared_ptr<Room> room) : stream_(std::move(socket)), room_(std::move(room)) {}

  void run() {
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, req_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
  }

 private:
  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "http read");
    if (websocket::is_upgrade(req_) && req_.target() == "/chat" && allowed_origin(req_[http::field::origin]))
      return std::make_shared<Session>(stream_.release_socket(), room_)->run(std::move(req_));
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
  std::shared_ptr<Room> room_;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& ioc, const tcp::endpoint& endpoint, std::shared_ptr<Room> room)
      : acceptor_(ioc, endpoint), room_(std::move(room)) {}

  void do_accept() {
    acceptor_.async_accept(beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec) return fail(ec, "accept");
    std::make_shared<HttpSession>(std::move(socket), room_)->run();
    do_accept();
  }

  tcp::acceptor acceptor_;
  std::shared_ptr<Room> room_;
};

int main() {
  net::io_context ioc;  // one thread: the room needs no lock
  auto room = std::make_shared<Room>();
  std::make_shared<Listener>(ioc, tcp::endpoint{net::ip::make_address("0.0.0.0"), 8080}, room)->do_accept();
  ioc.run();
}
