// checks: errorshield-unchecked-read
// Chat room server: WebSocket sessions (callback style + coroutine style) and
// a small admin pipe reader using POSIX read().
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdio>
#include <deque>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <unistd.h>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

class ChatRoom;

static void log_failure(beast::error_code ec, char const* what) {
  std::cerr << what << ": " << ec.message() << "\n";
}

class RoomSession : public std::enable_shared_from_this<RoomSession> {
 public:
  RoomSession(tcp::socket sock, ChatRoom& room) : ws_(std::move(sock)), room_(room) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return log_failure(ec, "accept");
      self->do_read();
    });
  }

  void deliver(std::string const& msg) {
    outbox_.push_back(msg);
    if (outbox_.size() == 1) flush();
  }

 private:
  void do_read() {
    ws_.async_read(buf_, beast::bind_front_handler(&RoomSession::on_read, shared_from_this()));
  }

  // Correct: the error is inspected first; a clean close is not logged.
  void on_read(beast::error_code ec, std::size_t) {
    if (ec == websocket::error::closed) return;
    if (ec) return log_failure(ec, "read");
    broadcast(beast::buffers_to_string(buf_.data()));
    buf_.consume(buf_.size());
    do_read();
  }

  void flush() {
    ws_.text(true);
    ws_.async_write(asio::buffer(outbox_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      // Write completion: errors deliberately swallowed, the next read
                      // will surface the broken connection. Not a read.
                      boost::ignore_unused(ec);
                      self->outbox_.pop_front();
                      if (!self->outbox_.empty()) self->flush();
                    });
  }

  void broadcast(std::string msg);

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  std::deque<std::string> outbox_;
  ChatRoom& room_;
};

class ChatRoom {
 public:
  void join(RoomSession* s) { members_.insert(s); }
  void leave(RoomSession* s) { members_.erase(s); }
  void send_all(std::string const& m) {
    for (auto* s : members_) s->deliver(m);
  }

 private:
  std::set<RoomSession*> members_;
};

void RoomSession::broadcast(std::string msg) { room_.send_all(msg); }

// Legacy "typing indicator" session: reads tiny frames in a loop.
class TypingSession : public std::enable_shared_from_this<TypingSession> {
 public:
  explicit TypingSession(tcp::socket s) : ws_(std::move(s)) {}

  void run() { read_next(); }

 private:
  void read_next() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t n) { // expect: errorshield-unchecked-read
      self->last_len_ = n;
      self->notify(beast::buffers_to_string(self->buf_.data()));
      self->buf_.clear();
      self->read_next();
    });
  }

  void notify(std::string const& who) { std::cout << who << " is typing\n"; }

  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buf_;
  std::size_t last_len_ = 0;
};

// Presence session: the handler is a named member that never looks at ec.
class PresenceSession : public std::enable_shared_from_this<PresenceSession> {
 public:
  explicit PresenceSession(tcp::socket s) : ws_(std::move(s)) {}
  void run() {
    ws_.async_read(buf_, beast::bind_front_handler(&PresenceSession::on_frame, shared_from_this()));
  }

 private:
  void on_frame(beast::error_code ec, std::size_t bytes) { // expect: errorshield-unchecked-read
    online_ += bytes > 0 ? 1 : 0;
    buf_.consume(bytes);
    run();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  int online_ = 0;
};

// Coroutine-based session used by the newer "rooms v2" endpoint.
asio::awaitable<void> room_v2_session(websocket::stream<tcp::socket> ws) {
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buffer;
  for (;;) {
    beast::error_code ec;
    co_await ws.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec)); // expect: errorshield-unchecked-read
    std::string text = beast::buffers_to_string(buffer.data());
    buffer.consume(buffer.size());
    ws.text(ws.got_text());
    co_await ws.async_write(asio::buffer(text), asio::use_awaitable);
  }
}

// Correct: redirect_error, and ec is examined before the buffer is touched.
asio::awaitable<void> room_v2_echo(websocket::stream<tcp::socket> ws) {
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buffer;
  for (;;) {
    beast::error_code ec;
    co_await ws.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == websocket::error::closed) co_return;
    if (ec) {
      log_failure(ec, "v2 read");
      co_return;
    }
    co_await ws.async_write(buffer.data(), asio::use_awaitable);
    buffer.consume(buffer.size());
  }
}

// Correct: plain use_awaitable throws on error, so the failure is acted upon
// by the exception propagating out of the coroutine.
asio::awaitable<void> room_v2_readonly(websocket::stream<tcp::socket> ws) {
  beast::flat_buffer buffer;
  for (;;) {
    std::size_t n = co_await ws.async_read(buffer, asio::use_awaitable);
    std::cout << "got " << n << " bytes\n";
    buffer.consume(n);
  }
}

// ---- admin control pipe (POSIX) -----------------------------------------

// Reads a single command line from the control FIFO.
std::string read_admin_command(int fd) {
  char buf[256];
  ssize_t n = ::read(fd, buf, sizeof(buf) - 1); // expect: errorshield-unchecked-read
  buf[n] = '\0';
  return std::string(buf);
}

// Drains the wakeup pipe after an eventfd-style notification.
void drain_wakeup_pipe(int fd) {
  char scratch[64];
  ::read(fd, scratch, sizeof scratch); // expect: errorshield-unchecked-read
}

// Correct: loop terminates on EOF (0) and on error (-1).
std::string slurp_motd(int fd) {
  std::string out;
  char chunk[512];
  for (;;) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) break;
    out.append(chunk, static_cast<std::size_t>(n));
  }
  return out;
}

// Correct: result compared against the expected size before use.
bool read_room_id(int fd, std::uint32_t& id) {
  if (::read(fd, &id, sizeof id) != static_cast<ssize_t>(sizeof id)) {
    std::perror("read room id");
    return false;
  }
  return true;
}

// Correct: the return value is fed to a helper that handles -1/0.
static bool consume_result(ssize_t n, char const* who) {
  if (n < 0) {
    std::perror(who);
    return false;
  }
  return n != 0;
}

bool poll_kick_request(int fd, char (&out)[32]) {
  ssize_t got = ::read(fd, out, sizeof out);
  return consume_result(got, "kick fifo");
}

int main() {
  asio::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 9001});
  ChatRoom room;
  acc.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec) std::make_shared<RoomSession>(std::move(s), room)->start();
  });
  ioc.run();
}
