// Demo input for errorshield-ws-concurrent-write: the seed incident (BUGGY).
//
// A chat server. Clients connect to /chat on port 8080; every message one
// of them sends is broadcast to everyone in the room, and a client that
// joins first receives the last 50 messages. Beast allows ONE outstanding
// async_write per stream: a second write started before the first has
// completed interleaves its frames with the first one's, Beast asserts in
// debug builds ("soft_mutex") and corrupts the stream in release builds.
// The sessions write as messages come, with no write queue:
//
// - Session::deliver() writes every broadcast straight to ws_.async_write.
//   With one user typing, a write completes long before the next broadcast;
//   under load two broadcasts reach one session within microseconds, the
//   second write starts while the first is still in progress, the client
//   sees garbled frames and disconnects, and the debug build of the server
//   crashed on Beast's soft_mutex assertion.
// - Session::replay() sends the room's history in a loop: 50 writes are
//   started at once on the same stream.
// - Session::notify_typing() got a queue after the first crash, but writes
//   the queue's front right after every push without checking whether a
//   write is already running: two notices in a row still overlap.
//
// The sessions are otherwise sound: Origin checked, timeouts, message
// limits, text frames only, error checks.
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
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

class Session;

// The room: every live session and the last messages (touched only by the io_context's one thread).
class Room {
 public:
  void join(Session* session);
  void leave(Session* session) { sessions_.erase(session); }
  void broadcast(const std::string& text);
  void typing(const std::string& who);

 private:
  std::unordered_set<Session*> sessions_;
  std::deque<Message> history_;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, std::shared_ptr<Room> room) : ws_(std::move(socket)), room_(std::move(room)) {}

  ~Session() { room_->leave(this); }

  void run(http::request<http::string_body> req) {
    user_ = std::string(req["X-Chat-User"]);  // set by the authenticating proxy
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(16 * 1024);
    ws_.text(true);
    ws_.async_accept(req, beast::bind_front_handler(&Session::on_accept, shared_from_this()));
  }

  // Called by the room for every message anyone sends.
  void deliver(Message msg) {
    // BUG: no queue; a second broadcast starts a write while this one is still in progress.
    ws_.async_write(net::buffer(*msg), [self = shared_from_this(), msg](beast::error_code ec, std::size_t) {
      if (ec) fail(ec, "write");
    });
  }

  // Called once when the session joins: the room's recent messages.
  void replay(const std::deque<Message>& history) {
    for (const Message& msg : history)
      // BUG: every iteration starts another write on the same stream.
      ws_.async_write(net::buffer(*msg), [self = shared_from_this(), msg](beast::error_code ec, std::size_t) {
        if (ec) fail(ec, "replay");
      });
  }

  // "Bob is typing", called by the room: added with a queue after the first crash.
  void notify_typing(std::string who) {
    notices_.push_back(std::make_shared<const std::string>("{\"typing\":\"" + who + "\"}"));
    // BUG: no check that a write is already in progress.
    ws_.async_write(net::buffer(*notices_.front()),
                    beast::bind_front_handler(&Session::on_notice_written, shared_from_this()));
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
    if (ws_.got_text()) {
      std::string text = beast::buffers_to_string(buffer_.data());
      if (text == "/typing")
        room_->typing(user_);
      else
        room_->broadcast(user_ + ": " + text);
    }
    buffer_.consume(buffer_.size());
    do_read();
  }

  void on_notice_written(beast::error_code ec, std::size_t) {
    notices_.pop_front();
    if (ec) fail(ec, "notice");
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::shared_ptr<Room> room_;
  std::string user_;
  std::deque<Message> notices_;
};

void Room::join(Session* session) {
  sessions_.insert(session);
  session->replay(history_);
}

void Room::broadcast(const std::string& text) {
  auto msg = std::make_shared<const std::string>(text);
  history_.push_back(msg);
  if (history_.size() > 50) history_.pop_front();
  for (Session* session : sessions_) session->deliver(msg);
}

void Room::typing(const std::string& who) {
  for (Session* session : sessions_) session->notify_typing(who);
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
