// checks: errorshield-ws-concurrent-write
// Callback-style chat server: sessions share a room, messages fan out to all
// members, and each session has a keep-alive status timer.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <set>
#include <string>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

class ChatSession;

class ChatRoom {
public:
  void join(ChatSession *s) { members_.insert(s); }
  void leave(ChatSession *s) { members_.erase(s); }
  void broadcast(const std::string &msg);
  void broadcast_raw(const std::string &msg);
  void announce_shutdown();

private:
  std::set<ChatSession *> members_;
};

class ChatSession : public std::enable_shared_from_this<ChatSession> {
public:
  ChatSession(tcp::socket s, ChatRoom &room)
      : ws_(std::move(s)), room_(room), status_timer_(ws_.get_executor()) {}

  ~ChatSession() { room_.leave(this); }

  websocket::stream<beast::tcp_stream> &ws() { return ws_; }

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      self->room_.join(self.get());
      self->arm_status_timer();
      self->do_read();
    });
  }

  // Queued send: only one async_write is ever outstanding.
  void send(std::shared_ptr<const std::string> msg) {
    queue_.push_back(std::move(msg));
    if (queue_.size() > 1)
      return;
    write_front();
  }

private:
  void write_front() {
    ws_.text(true);
    ws_.async_write(net::buffer(*queue_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->on_write(ec);
                    });
  }

  void on_write(beast::error_code ec) {
    if (ec)
      return;
    queue_.pop_front();
    if (!queue_.empty())
      write_front();
  }

  void do_read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (ec)
      return;
    std::string text = beast::buffers_to_string(buf_.data());
    buf_.consume(buf_.size());
    if (text == "/who") {
      send(std::make_shared<const std::string>(R"({"who":"..."})"));
    } else if (text == "/motd") {
      send_motd();
    } else {
      room_.broadcast(text);
    }
    do_read();
  }

  // Two queued sends back-to-back: the queue serializes them, fine.
  void send_motd() {
    send(std::make_shared<const std::string>(R"({"motd":"welcome"})"));
    send(std::make_shared<const std::string>(R"({"motd_end":true})"));
  }

  // Timer pushes a status frame straight onto the stream, bypassing queue_,
  // while send()/write_front() may have a write in flight.
  void arm_status_timer() {
    status_timer_.expires_after(std::chrono::seconds(15));
    status_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      auto st = std::make_shared<std::string>(json{{"type", "status"}, {"online", true}}.dump());
      self->ws_.async_write(net::buffer(*st), // expect: errorshield-ws-concurrent-write
                            [self, st](beast::error_code, std::size_t) {});
      self->arm_status_timer();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  ChatRoom &room_;
  net::steady_timer status_timer_;
  beast::flat_buffer buf_;
  std::deque<std::shared_ptr<const std::string>> queue_;
};

// Fan-out through each session's queue: correct.
void ChatRoom::broadcast(const std::string &msg) {
  auto shared = std::make_shared<const std::string>(msg);
  for (ChatSession *s : members_)
    s->send(shared);
}

// Fan-out by writing to each member's stream directly: a second broadcast (or a
// queued send) can overlap the write started here.
void ChatRoom::broadcast_raw(const std::string &msg) {
  auto shared = std::make_shared<const std::string>(msg);
  for (ChatSession *s : members_) {
    s->ws().async_write(net::buffer(*shared), // expect: errorshield-ws-concurrent-write
                        [shared](beast::error_code, std::size_t) {});
  }
}

// Posting to the stream's executor serializes handlers, but does not stop a
// second async_write from starting while one is still outstanding.
void ChatRoom::announce_shutdown() {
  auto note = std::make_shared<const std::string>(R"({"type":"shutdown"})");
  for (ChatSession *s : members_) {
    net::post(s->ws().get_executor(), [s, note] {
      s->ws().async_write(net::buffer(*note), // expect: errorshield-ws-concurrent-write
                          [note](beast::error_code, std::size_t) {});
    });
  }
}

// History replay on a freshly accepted stream: two writes issued back-to-back,
// the second starts before the first completes.
void replay_history(websocket::stream<beast::tcp_stream> &ws, std::shared_ptr<std::string> head,
                    std::shared_ptr<std::string> body) {
  ws.async_write(net::buffer(*head), [head](beast::error_code, std::size_t) {});
  ws.async_write(net::buffer(*body), // expect: errorshield-ws-concurrent-write
                 [body](beast::error_code, std::size_t) {});
}

// Single-owner handshake helper: one greeting, then the next write only from
// inside the completion handler. Sequential, so correct.
class Greeter : public std::enable_shared_from_this<Greeter> {
public:
  explicit Greeter(websocket::stream<beast::tcp_stream> ws) : ws_(std::move(ws)) {}

  void run() {
    first_ = R"({"hello":1})";
    ws_.async_write(net::buffer(first_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->second_ = R"({"caps":["chat","typing"]})";
      self->ws_.async_write(net::buffer(self->second_),
                            [self](beast::error_code, std::size_t) { self->done(); });
    });
  }

private:
  void done() {}
  websocket::stream<beast::tcp_stream> ws_;
  std::string first_, second_;
};

// In-flight flag variant: a bool guards the stream instead of a queue size.
class Notifier : public std::enable_shared_from_this<Notifier> {
public:
  explicit Notifier(websocket::stream<beast::tcp_stream> &ws) : ws_(ws) {}

  void notify(std::string m) {
    pending_.push_back(std::move(m));
    if (writing_)
      return;
    pump();
  }

private:
  void pump() {
    if (pending_.empty()) {
      writing_ = false;
      return;
    }
    writing_ = true;
    current_ = std::move(pending_.front());
    pending_.pop_front();
    ws_.async_write(net::buffer(current_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->writing_ = false;
        return;
      }
      self->pump();
    });
  }

  websocket::stream<beast::tcp_stream> &ws_;
  std::deque<std::string> pending_;
  std::string current_;
  bool writing_ = false;
};
