// checks: errorshield-unchecked-read
// WebSocket front end of the support chat: an echo session used by the load
// balancer's health probe and the real chat session that fans messages out to
// a room. Handlers are bound member functions, as in the Beast examples.
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <deque>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <unordered_set>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

static void fail(beast::error_code ec, const char* what) { std::cerr << what << ": " << ec.message() << "\n"; }

class EchoSession : public std::enable_shared_from_this<EchoSession> {
 public:
  explicit EchoSession(tcp::socket&& socket) : ws_(std::move(socket)) {}

  void run() { net::dispatch(ws_.get_executor(), beast::bind_front_handler(&EchoSession::on_run, shared_from_this())); }

  // Called by the rate limiter; the next read is not re-armed until resume().
  void pause() { paused_ = true; }

  // Called by the rate limiter once the client may send again.
  void resume() {
    paused_ = false;
    ws_.async_read(buffer_, beast::bind_front_handler(&EchoSession::on_read, shared_from_this()));  // expect: errorshield-unchecked-read
  }

 private:
  void on_run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "support-chat-echo"); }));
    // Correct: on_accept returns on error.
    ws_.async_accept(beast::bind_front_handler(&EchoSession::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "accept");
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&EchoSession::on_read, shared_from_this()));  // expect: errorshield-unchecked-read
  }

  // The generic error branch logs and falls through into the echo write.
  void on_read(beast::error_code ec, std::size_t bytes_transferred) {
    boost::ignore_unused(bytes_transferred);
    if (ec == websocket::error::closed) return;
    if (ec) fail(ec, "read");
    ws_.text(ws_.got_text());
    // write side: not checked by this rule
    ws_.async_write(buffer_.data(), beast::bind_front_handler(&EchoSession::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t bytes_transferred) {
    boost::ignore_unused(bytes_transferred);
    if (ec) return fail(ec, "write");
    buffer_.consume(buffer_.size());
    if (!paused_) do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  bool paused_ = false;
};

class ChatSession;

class Room {
 public:
  void join(const std::shared_ptr<ChatSession>& s) { members_.insert(s); }
  void leave(const std::shared_ptr<ChatSession>& s) { members_.erase(s); }
  void broadcast(const std::string& text);

 private:
  std::unordered_set<std::shared_ptr<ChatSession>> members_;
};

class ChatSession : public std::enable_shared_from_this<ChatSession> {
 public:
  ChatSession(net::io_context& ioc, tcp::socket&& socket, Room& room)
      : ws_(std::move(socket)), strand_(net::make_strand(ioc)), room_(room) {}

  void start() {
    using std::placeholders::_1;
    ws_.async_accept(net::bind_executor(strand_, std::bind(&ChatSession::on_accept, shared_from_this(), _1)));  // expect: errorshield-unchecked-read
  }

  void deliver(std::string text) {
    net::post(strand_, [self = shared_from_this(), text = std::move(text)]() mutable {
      self->outbox_.push_back(std::move(text));
      if (self->outbox_.size() == 1) self->write_next();
    });
  }

  // After sending a close frame the peer's remaining frames are read and dropped.
  // The error is ignored, so a dead connection re-arms the read forever.
  void drain_after_close() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code, std::size_t) {  // expect: errorshield-unchecked-read
      self->buffer_.consume(self->buffer_.size());
      self->drain_after_close();
    });
  }

 private:
  // The failure is logged, then the broken session still joins the room.
  void on_accept(beast::error_code ec) {
    if (ec.failed()) {
      std::cerr << "chat accept: " << ec.message() << "\n";
    }
    room_.join(shared_from_this());
    do_read();
  }

  void do_read() {
    using namespace std::placeholders;
    // Correct: on_read leaves on every error.
    ws_.async_read(buffer_, net::bind_executor(strand_, std::bind(&ChatSession::on_read, shared_from_this(), _1, _2)));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == websocket::error::closed) {
      room_.leave(shared_from_this());
      return;
    }
    if (ec) {
      fail(ec, "chat read");
      room_.leave(shared_from_this());
      return;
    }
    json msg = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
    buffer_.consume(buffer_.size());
    if (!msg.is_discarded() && msg.contains("text")) room_.broadcast(msg["text"].get<std::string>());
    do_read();
  }

  void write_next() {
    ws_.text(true);
    ws_.async_write(net::buffer(outbox_.front()), net::bind_executor(strand_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return fail(ec, "chat write");
      self->outbox_.pop_front();
      if (!self->outbox_.empty()) self->write_next();
    }));
  }

 public:
  // The first frame must be a hello with the user's token.
  void read_hello() {
    // Correct: nothing follows the `if (!ec)` block.
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) {
        self->token_ = beast::buffers_to_string(self->buffer_.data());
        self->buffer_.consume(self->buffer_.size());
        self->do_read();
      }
    });
  }

  // Used by the synchronous test harness running ioc.run() in a try block.
  void read_one_for_test() {
    // Correct: the handler throws on error.
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) throw boost::system::system_error{ec};
      self->last_test_frame_ = beast::buffers_to_string(self->buffer_.data());
    });
  }

 private:
  websocket::stream<beast::tcp_stream> ws_;
  net::strand<net::io_context::executor_type> strand_;
  beast::flat_buffer buffer_;
  std::deque<std::string> outbox_;
  std::string token_;
  std::string last_test_frame_;
  Room& room_;
};

void Room::broadcast(const std::string& text) {
  for (auto const& m : members_) m->deliver(text);
}
