// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-concurrent-write' -- -std=c++20 -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'

#include "asio_io.h"
#include <deque>
#include <memory>
#include <queue>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace net = boost::asio;
namespace websocket = beast::websocket;
using message = std::shared_ptr<std::string const>;

// ---- 1. Writes that bypass a queue: each message written as it is produced ----

class direct_session : public std::enable_shared_from_this<direct_session> {
  websocket::stream<beast::tcp_stream> ws_;
  std::string last_;

public:
  void send(message msg) {
    ws_.async_write(net::buffer(*msg), [](beast::error_code, std::size_t) {});
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: async_write on 'ws_' writes a buffer that is not the front of a write queue: a second write can start before this one completes [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-2]]:9: note: push outgoing messages onto a queue member, write its front() only when no write is in progress, and pop it in the completion handler
  }
  void replay(const std::vector<std::string> &history) {
    for (const std::string &line : history)
      ws_.async_write(net::buffer(line), [](beast::error_code, std::size_t) {});
// CHECK-MESSAGES: :[[@LINE-1]]:11: warning: async_write inside a loop: each iteration starts a write before the previous one completes, and Beast allows one outstanding write per stream [ES-WS-006] [errorshield-ws-concurrent-write]
  }
  void resend_later(net::io_context &ioc) {
    net::post(ioc, [self = shared_from_this()] {
      self->ws_.async_write(net::buffer(self->last_), [](beast::error_code, std::size_t) {});
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: async_write on 'ws_' writes a buffer that is not the front of a write queue: a second write can start before this one completes [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-2]]:17: note: push outgoing messages onto a queue member, write its front() only when no write is in progress, and pop it in the completion handler
    });
  }
};

// ---- 2. The correct shape: push; return when a write is in progress; write front() ----

class queued_session : public std::enable_shared_from_this<queued_session> {
  websocket::stream<beast::tcp_stream> ws_;
  std::vector<message> queue_;

public:
  void send(message msg) {
    queue_.push_back(std::move(msg));
    if (queue_.size() > 1)
      return;
    ws_.async_write(net::buffer(*queue_.front()),
                    beast::bind_front_handler(&queued_session::on_write, shared_from_this()));
  }
  void on_write(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    queue_.erase(queue_.begin());
    if (!queue_.empty())
      ws_.async_write(net::buffer(*queue_.front()),
                      beast::bind_front_handler(&queued_session::on_write, shared_from_this()));
  }
};

// Other spellings of the front, and a bool member as the write-in-progress guard.
class flagged_session {
  websocket::stream<beast::tcp_stream> ws_;
  std::deque<std::string> outbox_;
  std::vector<std::string> pending_;
  bool writing_ = false;

public:
  void send(std::string text) {
    outbox_.push_back(std::move(text));
    if (writing_)
      return;
    writing_ = true;
    ws_.async_write(net::buffer(*outbox_.begin()), [this](beast::error_code, std::size_t) {
      outbox_.pop_front(); // in the completion handler: the write is over
      writing_ = false;
    });
  }
  void flush_pending() { ws_.async_write(net::buffer(pending_[0]), [](beast::error_code, std::size_t) {}); }
  void write_alias() {
    const std::string &next = outbox_.front();
    ws_.async_write(net::buffer(next), [](beast::error_code, std::size_t) {});
  }
};

// ---- 3. Queue misuse: no guard after the push, front released before the write completes ----

class unguarded_session {
  websocket::stream<beast::tcp_stream> ws_;
  std::deque<std::string> queue_;
  std::queue<std::string> fifo_;

public:
  void send(std::string text) {
    queue_.push_back(std::move(text));
    ws_.async_write(net::buffer(queue_.front()), [](beast::error_code, std::size_t) {});
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: async_write of the front of 'queue_' right after a push, without checking that a write is already in progress: a second write can start before the first completes [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-2]]:9: note: return after the push when a write is in progress, e.g. if (queue_.size() > 1) return;
  }
  void flush() {
    ws_.async_write(net::buffer(queue_.front()), [](beast::error_code, std::size_t) {});
    queue_.pop_front();
// CHECK-MESSAGES: :[[@LINE-1]]:12: warning: 'queue_' is popped while the async_write that uses its front is still in progress: the write reads a released buffer [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :107:9: note: the write of the queue's front starts here; pop it in the completion handler
  }
  void flush_fifo() {
    const std::string &front = fifo_.front();
    fifo_.pop();
// CHECK-MESSAGES: :[[@LINE-1]]:11: warning: 'fifo_' is popped before the async_write that uses its front: the write reads a released buffer [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :117:9: note: the write of the queue's front starts here; pop it in the completion handler
    ws_.async_write(net::buffer(front), [](beast::error_code, std::size_t) {});
  }
  void flush_copy() {
    std::string copy = queue_.front(); // a copy: popping does not touch what is written
    queue_.pop_front();
    ws_.async_write(net::buffer(copy), [](beast::error_code, std::size_t) {});
  }
};

// ---- 4. Writes that complete before the next statement, and streams nobody else sees ----

net::awaitable<void> send_all(websocket::stream<beast::tcp_stream> &ws,
                              std::vector<std::string> lines) {
  for (const std::string &line : lines)
    co_await ws.async_write(net::buffer(line), net::use_awaitable);
}

class coroutine_session {
  websocket::stream<beast::tcp_stream> ws_;
  std::string status_;

public:
  void push_status(net::yield_context yield) {
    for (int i = 0; i < 3; ++i)
      ws_.async_write(net::buffer(status_), yield);
  }
  net::awaitable<void> push_once() { co_await ws_.async_write(net::buffer(status_), net::use_awaitable); }
  void push_blocking() { ws_.async_write(net::buffer(status_), net::use_future); }
};

void greet(websocket::stream<beast::tcp_stream> &ws, const std::string &hello) {
  ws.async_write(net::buffer(hello), [](beast::error_code, std::size_t) {});
}

// ---- 5. Asio's free async_write on a stream member ----

class fix_session {
  beast::tcp_stream stream_;
  std::string heartbeat_;
  std::deque<std::string> pending_;

public:
  void send_heartbeat() {
    net::async_write(stream_, net::buffer(heartbeat_), [](beast::error_code, std::size_t) {});
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: async_write on 'stream_' writes a buffer that is not the front of a write queue: a second write can start before this one completes [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-2]]:5: note: push outgoing messages onto a queue member, write its front() only when no write is in progress, and pop it in the completion handler
  }
  void send_next() {
    if (pending_.empty())
      return;
    net::async_write(stream_, net::buffer(pending_.front()), [](beast::error_code, std::size_t) {});
  }
};

// ---- 6. A stackless coroutine: each write is yielded, the loop resumes when it completes ----

class stackless_session : net::coroutine {
  websocket::stream<beast::tcp_stream> ws_;
  std::string text_;

public:
  void operator()(beast::error_code = {}, std::size_t = 0) {
    for (;;) {
      BOOST_ASIO_CORO_YIELD ws_.async_write(net::buffer(text_), std::move(*this));
    }
  }
};

// ---- 7. HTTP message writes: one response per request, so only loops and released fronts ----

class http_session {
  beast::tcp_stream stream_;
  beast::http::response<beast::http::string_body> res_;
  std::deque<beast::http::response<beast::http::string_body>> responses_;

public:
  void answer() { beast::http::async_write(stream_, res_, [](beast::error_code, std::size_t) {}); }
  void answer_all() {
    for (auto &res : responses_)
      beast::http::async_write(stream_, res, [](beast::error_code, std::size_t) {});
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: async_write inside a loop: each iteration starts a write before the previous one completes, and Beast allows one outstanding write per stream [ES-WS-006] [errorshield-ws-concurrent-write]
  }
  void answer_next() {
    beast::http::async_write(stream_, responses_.front(), [](beast::error_code, std::size_t) {});
    responses_.pop_front();
// CHECK-MESSAGES: :[[@LINE-1]]:16: warning: 'responses_' is popped while the async_write that uses its front is still in progress: the write reads a released buffer [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :200:5: note: the write of the queue's front starts here; pop it in the completion handler
  }
};

// ---- 8. A write-in-progress flag instead of a queue: set before the write, read in a guard ----

class batching_session {
  beast::tcp_stream stream_;
  websocket::stream<beast::tcp_stream> ws_;
  std::string pending_, batch_;
  bool sending_ = false;
  bool closed_ = false;

public:
  void flush() {
    if (sending_ || pending_.empty())
      return;
    sending_ = true;
    batch_.swap(pending_);
    net::async_write(stream_, net::buffer(batch_), [this](beast::error_code, std::size_t) {
      sending_ = false;
      flush();
    });
  }
  void flush_unguarded() { // the flag is set, but nothing asks whether a write is running
    sending_ = true;
    net::async_write(stream_, net::buffer(pending_), [](beast::error_code, std::size_t) {});
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: async_write on 'stream_' writes a buffer that is not the front of a write queue: a second write can start before this one completes [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-2]]:5: note: push outgoing messages onto a queue member, write its front() only when no write is in progress, and pop it in the completion handler
  }
  void send_unless_closed() { // a bool read in a guard but never set here: not a write flag
    if (closed_)
      return;
    ws_.async_write(net::buffer(pending_), [](beast::error_code, std::size_t) {});
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: async_write on 'ws_' writes a buffer that is not the front of a write queue: a second write can start before this one completes [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-2]]:9: note: push outgoing messages onto a queue member, write its front() only when no write is in progress, and pop it in the completion handler
  }
  void flag_set_after_the_write() {
    if (sending_)
      return;
    ws_.async_write(net::buffer(batch_), [](beast::error_code, std::size_t) {});
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: async_write on 'ws_' writes a buffer that is not the front of a write queue: a second write can start before this one completes [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-2]]:9: note: push outgoing messages onto a queue member, write its front() only when no write is in progress, and pop it in the completion handler
    sending_ = true;
  }
  // Shapes where the flag does not keep this write from overlapping another.
  bool greeted_ = false;
  void greet_once() { // set in a branch of its own: the write runs either way
    if (!greeted_) {
      greeted_ = true;
      batch_ = "welcome";
    }
    ws_.async_write(net::buffer(batch_), [](beast::error_code, std::size_t) {});
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: async_write on 'ws_' writes a buffer that is not the front of a write queue: a second write can start before this one completes [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-2]]:9: note: push outgoing messages onto a queue member, write its front() only when no write is in progress, and pop it in the completion handler
  }
  void send_unless_busy(bool urgent) { // an urgent message writes even while a write runs
    if (sending_ && !urgent)
      return;
    sending_ = true;
    ws_.async_write(net::buffer(batch_), [](beast::error_code, std::size_t) {});
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: async_write on 'ws_' writes a buffer that is not the front of a write queue: a second write can start before this one completes [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-2]]:9: note: push outgoing messages onto a queue member, write its front() only when no write is in progress, and pop it in the completion handler
  }
  void send_either_way() { // the first write is guarded; the other one starts while it runs
    if (!sending_ && !closed_) {
      sending_ = true;
      ws_.async_write(net::buffer(batch_), [](beast::error_code, std::size_t) {});
    } else {
      ws_.async_write(net::buffer(pending_), [](beast::error_code, std::size_t) {});
// CHECK-MESSAGES: :[[@LINE-1]]:11: warning: async_write on 'ws_' writes a buffer that is not the front of a write queue: a second write can start before this one completes [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-2]]:11: note: push outgoing messages onto a queue member, write its front() only when no write is in progress, and pop it in the completion handler
    }
  }
  void overwrite_then_guard(std::string next) { // batch_ may be the buffer being written
    batch_ = std::move(next);
    if (sending_)
      return;
    sending_ = true;
    ws_.async_write(net::buffer(batch_), [](beast::error_code, std::size_t) {});
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: async_write on 'ws_' writes a buffer that is not the front of a write queue: a second write can start before this one completes [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-2]]:9: note: push outgoing messages onto a queue member, write its front() only when no write is in progress, and pop it in the completion handler
  }
};

// ---- 9. Read, reply, read again: the order of operations allows one write at a time ----

// Beast's echo session: the reply is written in the read's handler, and the next read starts in
// the write's handler.
class echo_session : public std::enable_shared_from_this<echo_session> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;

public:
  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&echo_session::on_read, shared_from_this()));
  }
  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    ws_.async_write(buffer_.data(),
                    beast::bind_front_handler(&echo_session::on_write, shared_from_this()));
  }
  void on_write(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    buffer_.consume(~std::size_t{0});
    do_read();
  }
};

// Asio's echo server, with lambdas: the reply goes through a member function called only from the
// read's handler.
class tcp_echo : public std::enable_shared_from_this<tcp_echo> {
  net::ip::tcp::socket stream_;
  char data_[1024];

  void do_read() {
    stream_.async_read_some(net::buffer(data_), [self = shared_from_this()](beast::error_code ec,
                                                                            std::size_t n) {
      if (!ec)
        self->do_write(n);
    });
  }
  void do_write(std::size_t n) {
    net::async_write(stream_, net::buffer(data_, n),
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec)
                         self->do_read();
                     });
  }
};

// The next read starts beside the reply: a second reply can start while the first is written.
class eager_echo : public std::enable_shared_from_this<eager_echo> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;

public:
  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&eager_echo::on_read, shared_from_this()));
  }
  void on_read(beast::error_code ec, std::size_t) {
    ws_.async_write(buffer_.data(), [self = shared_from_this()](beast::error_code, std::size_t) {
      self->do_read();
    });
// CHECK-MESSAGES: :[[@LINE-3]]:9: warning: async_write on 'ws_' writes a buffer that is not the front of a write queue: a second write can start before this one completes [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-4]]:9: note: push outgoing messages onto a queue member, write its front() only when no write is in progress, and pop it in the completion handler
    do_read();
  }
};

// A second writer (a notice pushed by the server) overlaps the reply.
class noticed_echo : public std::enable_shared_from_this<noticed_echo> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::string notice_;

public:
  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&noticed_echo::on_read, shared_from_this()));
  }
  void on_read(beast::error_code, std::size_t) {
    ws_.async_write(buffer_.data(), [self = shared_from_this()](beast::error_code, std::size_t) {
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: async_write on 'ws_' writes a buffer that is not the front of a write queue: a second write can start before this one completes [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-2]]:9: note: push outgoing messages onto a queue member, write its front() only when no write is in progress, and pop it in the completion handler
      self->do_read();
    });
  }
  void notify(std::string text) {
    notice_ = std::move(text);
    ws_.async_write(net::buffer(notice_), [](beast::error_code, std::size_t) {});
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: async_write on 'ws_' writes a buffer that is not the front of a write queue: a second write can start before this one completes [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-2]]:9: note: push outgoing messages onto a queue member, write its front() only when no write is in progress, and pop it in the completion handler
  }
};

// The write is reached from outside a read's handler too (here a public send()).
class mixed_echo : public std::enable_shared_from_this<mixed_echo> {
  net::ip::tcp::socket stream_;
  char data_[512];

public:
  void start() {
    stream_.async_read_some(net::buffer(data_), [this](beast::error_code, std::size_t n) {
      reply(n);
    });
  }
  void send_banner() { reply(6); }
  void reply(std::size_t n) {
    net::async_write(stream_, net::buffer(data_, n), [this](beast::error_code, std::size_t) {
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: async_write on 'stream_' writes a buffer that is not the front of a write queue: a second write can start before this one completes [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-2]]:5: note: push outgoing messages onto a queue member, write its front() only when no write is in progress, and pop it in the completion handler
      start();
    });
  }
};

// ---- 10. Loops over sessions: another stream each iteration ----

struct member_session {
  websocket::stream<beast::tcp_stream> ws_;
  std::deque<message> queue_;
};

// Each session's own queue and guard: at most one write per stream.
void broadcast_queued(std::vector<std::shared_ptr<member_session>> &sessions, message msg) {
  for (auto &s : sessions) {
    s->queue_.push_back(msg);
    if (s->queue_.size() > 1)
      continue;
    s->ws_.async_write(net::buffer(*s->queue_.front()), [s](beast::error_code, std::size_t) {
      s->queue_.pop_front();
    });
  }
}

// No queue: a session still writing the previous broadcast gets a second write.
void broadcast_direct(std::vector<std::shared_ptr<member_session>> &sessions, message msg) {
  for (auto &s : sessions)
    s->ws_.async_write(net::buffer(*msg), [msg](beast::error_code, std::size_t) {});
// CHECK-MESSAGES: :[[@LINE-1]]:12: warning: async_write on 'ws_' writes a buffer that is not the front of a write queue: a second write can start before this one completes [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-2]]:12: note: push outgoing messages onto a queue member, write its front() only when no write is in progress, and pop it in the completion handler
}

void broadcast_streams(std::vector<websocket::stream<beast::tcp_stream>> &streams, message msg) {
  for (std::size_t i = 0; i < streams.size(); ++i)
    streams[i].async_write(net::buffer(*msg), [msg](beast::error_code, std::size_t) {});
// CHECK-MESSAGES: :[[@LINE-1]]:16: warning: async_write on 'streams[i]' writes a buffer that is not the front of a write queue: a second write can start before this one completes [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-2]]:16: note: push outgoing messages onto a queue member, write its front() only when no write is in progress, and pop it in the completion handler
}

// ---- 11. More shapes of one write at a time ----

// Asio's chat server: whether a write is running is read from the queue before the push.
class asio_chat_session {
  websocket::stream<beast::tcp_stream> ws_;
  std::deque<message> queue_;

public:
  void deliver(message msg) {
    bool write_in_progress = !queue_.empty();
    queue_.push_back(std::move(msg));
    if (!write_in_progress)
      ws_.async_write(net::buffer(*queue_.front()), [](beast::error_code, std::size_t) {});
  }
};

// A loop that skips expired messages and returns once it has started one write.
class expiring_outbox {
  websocket::stream<beast::tcp_stream> ws_;
  std::deque<message> outbox_;
  bool expired(const message &) const;

public:
  void pump() {
    while (!outbox_.empty()) {
      if (expired(outbox_.front())) {
        outbox_.pop_front();
        continue;
      }
      ws_.async_write(net::buffer(*outbox_.front()), [this](beast::error_code, std::size_t) {
        outbox_.pop_front();
        pump();
      });
      return;
    }
  }
};

// ---- A push followed by a test the push always makes true ----

class tape_session : public std::enable_shared_from_this<tape_session> {
  websocket::stream<beast::tcp_stream> ws_;
  std::deque<std::string> tape_;

public:
  void append(std::string trade) {
    tape_.push_back(std::move(trade));
    if (!tape_.empty())
      flush();
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'flush' starts a write of 'tape_' right after a push, under a test the push always makes true (!tape_.empty()): a second write can start before the first completes [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :509:9: note: the write of the queue's front starts here; test the queue before the push (bool idle = q.empty();) or its size after it (size() == 1)
  }
  void append_sized(std::string trade) {
    tape_.push_back(std::move(trade));
    if (tape_.size() >= 1)
      flush();
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'flush' starts a write of 'tape_' right after a push, under a test the push always makes true (tape_.size() >= 1): a second write can start before the first completes [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :509:9: note: the write of the queue's front starts here; test the queue before the push (bool idle = q.empty();) or its size after it (size() == 1)
  }
  void append_correct(std::string trade) {
    const bool idle = tape_.empty();
    tape_.push_back(std::move(trade));
    if (idle)
      flush();
  }
  bool writing_ = false;
  void append_flagged(std::string trade) { // a negated flag, not a queue test
    tape_.push_back(std::move(trade));
    if (!writing_)
      flush();
  }

private:
  void flush() {
    ws_.async_write(net::buffer(tape_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->tape_.pop_front();
      if (!self->tape_.empty())
        self->flush();
    });
  }
};
