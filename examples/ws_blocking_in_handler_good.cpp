// Demo input for errorshield-ws-blocking-in-handler: the seed incident (FIXED).
//
// Corrected twin of ws_blocking_in_handler_bad.cpp. No completion handler
// waits any more; each one starts an asynchronous operation and returns,
// and the next step runs in that operation's handler:
//
// - The acknowledgement goes through the session's write queue
//   (async_write): a client that stops reading only grows its own queue.
// - The spam classifier runs on a separate net::thread_pool; its verdict is
//   posted back to the session's executor, where on_verdict() continues.
// - A user who sends too fast is slowed down by a steady_timer: the session
//   reads its next message when the timer fires, and every other session
//   goes on meanwhile.
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
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
  Session(tcp::socket&& socket, std::shared_ptr<Room> room, net::thread_pool& classifier)
      : ws_(std::move(socket)), room_(std::move(room)), classifier_(classifier), throttle_(ws_.get_executor()) {}

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

    // FIX: classify on the pool, continue on the session's executor.
    net::post(classifier_, [self = shared_from_this(), text = std::move(text)]() mutable {
      const bool spam = looks_like_spam(text);
      auto executor = self->ws_.get_executor();
      net::post(executor, [self = std::move(self), text = std::move(text), spam] { self->on_verdict(text, spam); });
    });
  }

  void on_verdict(const std::string& text, bool spam) {
    if (!spam) {
      send(std::make_shared<const std::string>("{\"ack\":" + std::to_string(++received_) + "}"));  // FIX: queued
      room_->broadcast(text);
    }
    // At most five messages a second per user. FIX: wait with a timer, not on the thread.
    auto now = std::chrono::steady_clock::now();
    const bool too_fast = now - last_message_ < std::chrono::milliseconds(200);
    last_message_ = now;
    if (!too_fast) return do_read();
    throttle_.expires_after(std::chrono::milliseconds(200));
    throttle_.async_wait(beast::bind_front_handler(&Session::on_throttled, shared_from_this()));
  }

  void on_throttled(beast::error_code ec) {
    if (ec) return fail(ec, "throttle");
    do_read();
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
  net::thread_pool& classifier_;
  net::steady_timer throttle_;
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
  HttpSession(tcp::socket&& socket, std::shared_ptr<Room> room, net::thread_pool& classifier)
      : stream_(std::move(socket)), room_(std::move(room)), classifier_(classifier) {}

  void run() {
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, req_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
  }

 private:
  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "http read");
    if (websocket::is_upgrade(req_) && req_.target() == "/chat" && allowed_origin(req_[http::field::origin]))
      return std::make_shared<Session>(stream_.release_socket(), room_, classifier_)->run(std::move(req_));
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
  net::thread_pool& classifier_;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& ioc, const tcp::endpoint& endpoint, std::shared_ptr<Room> room,
           net::thread_pool& classifier)
      : acceptor_(ioc, endpoint), room_(std::move(room)), classifier_(classifier) {}

  void do_accept() {
    acceptor_.async_accept(beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec) return fail(ec, "accept");
    std::make_shared<HttpSession>(std::move(socket), room_, classifier_)->run();
    do_accept();
  }

  tcp::acceptor acceptor_;
  std::shared_ptr<Room> room_;
  net::thread_pool& classifier_;
};

int main() {
  net::io_context ioc;  // one thread: the room needs no lock
  net::thread_pool classifier(2);  // FIX: the classifier's own threads
  auto room = std::make_shared<Room>();
  std::make_shared<Listener>(ioc, tcp::endpoint{net::ip::make_address("0.0.0.0"), 8080}, room, classifier)->do_accept();
  ioc.run();
  classifier.join();
}
