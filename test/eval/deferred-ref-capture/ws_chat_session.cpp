// checks: errorshield-deferred-ref-capture
// WebSocket chat server on Boost.Beast. Sessions keep themselves alive through
// shared_from_this; outgoing frames are queued in a member deque.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <deque>
#include <memory>
#include <string>
#include <unordered_set>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

class ChatSession;

class Room {
 public:
  void join(ChatSession* s) { members_.insert(s); }
  void leave(ChatSession* s) { members_.erase(s); }
  template <class F>
  void for_each_member(F&& f) { std::for_each(members_.begin(), members_.end(), std::forward<F>(f)); }

 private:
  std::unordered_set<ChatSession*> members_;
};

class ChatSession : public std::enable_shared_from_this<ChatSession> {
 public:
  ChatSession(tcp::socket socket, Room& room) : ws_(std::move(socket)), room_(room) {}

  void run() {
    asio::dispatch(ws_.get_executor(), beast::bind_front_handler(&ChatSession::on_run, shared_from_this()));
  }

  void send(std::string text) {
    // fine: the message is moved into the handler, the session is held by `self`
    asio::post(ws_.get_executor(), [self = shared_from_this(), msg = std::move(text)]() mutable {
      self->queue_.push_back(std::move(msg));
      if (self->queue_.size() == 1) self->write_next();
    });
  }

  void reply_error(const std::string& why) {
    std::string payload = json{{"type", "error"}, {"reason", why}}.dump();
    // payload is local to reply_error; the completion handler runs after it is destroyed
    ws_.async_write(asio::buffer(payload), [self = shared_from_this(), &payload](beast::error_code ec, std::size_t) {  // expect: errorshield-deferred-ref-capture
      if (ec) self->log_failure("error reply", payload);
    });
  }

 private:
  void on_run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(beast::bind_front_handler(&ChatSession::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec) {
    if (ec) return;
    room_.join(this);
    do_read();
  }

  void do_read() {
    // fine: `this` plus a by-value shared_ptr; buffer_ is a member
    ws_.async_read(buffer_, [this, self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        room_.leave(this);
        return;
      }
      on_message(beast::buffers_to_string(buffer_.data()));
      buffer_.consume(buffer_.size());
      do_read();
    });
  }

  void on_message(const std::string& raw) {
    json msg = json::parse(raw, nullptr, false);
    if (msg.is_discarded() || !msg.contains("text")) {
      reply_error("malformed");
      return;
    }
    std::string text = msg["text"].get<std::string>();
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::isprint(c) ? c : '?'; });
    // fine: for_each_member calls the lambda synchronously, text is still alive
    room_.for_each_member([&text](ChatSession* peer) { peer->send(text); });
  }

  void write_next() {
    ws_.text(true);
    ws_.async_write(asio::buffer(queue_.front()), beast::bind_front_handler(&ChatSession::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return;
    queue_.pop_front();
    if (!queue_.empty()) write_next();
  }

  void log_failure(const char*, const std::string&) {}

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  Room& room_;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& ioc, tcp::endpoint ep, Room& room) : ioc_(ioc), acceptor_(ioc, ep), room_(room) {}

  void accept() {
    // fine: the listener keeps itself alive through `self`
    acceptor_.async_accept(asio::make_strand(ioc_), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
      if (!ec) std::make_shared<ChatSession>(std::move(socket), self->room_)->run();
      self->accept();
    });
  }

 private:
  asio::io_context& ioc_;
  tcp::acceptor acceptor_;
  Room& room_;
};

int main() {
  asio::io_context ioc{1};
  Room room;
  auto listener = std::make_shared<Listener>(ioc, tcp::endpoint{tcp::v4(), 8080}, room);
  // fine: ioc.run() below runs the handler while listener is still alive
  asio::post(ioc, [&listener] { listener->accept(); });
  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  // fine: captures the execution context itself
  signals.async_wait([&ioc](const beast::error_code&, int) { ioc.stop(); });
  ioc.run();
}
