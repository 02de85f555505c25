// Writes ordered, or not, by the code around them: two writes of one stream in one function, an
// awaitable group, writes posted from a loop, a chain of completions, a flag tested by the caller.
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-concurrent-write' -- -std=c++20 -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-concurrent-write' \
// RUN:   --config="{CheckOptions: {errorshield-ws-concurrent-write.PostFunctions: ''}}" \
// RUN:   -- -std=c++20 -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-NOPOST --implicit-check-not='{{warning|error|note}}:'

#include "asio_io.h"
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace net = boost::asio;
namespace websocket = beast::websocket;
using namespace net::experimental::awaitable_operators;
using ws_t = websocket::stream<beast::tcp_stream>;
using handler = void (*)(beast::error_code, std::size_t);

// ---- 1. Two writes of one stream, one after the other, in one function ----

void replay(ws_t &ws, const std::string &head, const std::string &body, handler h) {
  ws.async_write(net::buffer(head), h);
  ws.async_write(net::buffer(body), h);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: async_write starts while the write before it on the same stream may still be in progress: Beast allows one outstanding write per stream [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-3]]:6: note: the earlier write starts here; start the next one from its completion handler, or await it
// CHECK-NOPOST: :[[@LINE-3]]:6: warning: async_write starts while
// CHECK-NOPOST: :[[@LINE-5]]:6: note: the earlier write
}
void replay_if(ws_t &ws, bool trailer, const std::string &head, const std::string &tail, handler h) {
  ws.async_write(net::buffer(head), h);
  if (trailer)
    net::async_write(ws, net::buffer(tail), h);
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: async_write starts while the write before it on the same stream may still be in progress: Beast allows one outstanding write per stream [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-4]]:6: note: the earlier write starts here; start the next one from its completion handler, or await it
// CHECK-NOPOST: :[[@LINE-3]]:5: warning: async_write starts while
// CHECK-NOPOST: :[[@LINE-6]]:6: note: the earlier write
}
// Negatives: other branches, a path that returns first, two streams, the second write started by
// the first one's completion, awaited writes.
void either(ws_t &ws, bool binary, const std::string &a, const std::string &b, handler h) {
  if (binary)
    ws.async_write(net::buffer(a), h);
  else
    ws.async_write(net::buffer(b), h);
}
void early_return(ws_t &ws, bool ping, const std::string &a, const std::string &b, handler h) {
  if (ping) {
    ws.async_write(net::buffer(a), h);
    return;
  }
  ws.async_write(net::buffer(b), h);
}
void mirror(ws_t &client, ws_t &audit, const std::string &m, handler h) {
  client.async_write(net::buffer(m), h);
  audit.async_write(net::buffer(m), h);
}
void chained(ws_t &ws, const std::string &a, const std::string &b) {
  ws.async_write(net::buffer(a), [&ws, &b](beast::error_code ec, std::size_t) {
    if (!ec)
      ws.async_write(net::buffer(b), [](beast::error_code, std::size_t) {});
  });
}
net::awaitable<void> awaited(ws_t &ws, std::string a, std::string b) {
  co_await ws.async_write(net::buffer(a), net::use_awaitable);
  co_await ws.async_write(net::buffer(b), net::use_awaitable);
}
void stackful(ws_t &ws, std::string a, std::string b, net::yield_context yield) {
  ws.async_write(net::buffer(a), yield);
  ws.async_write(net::buffer(b), yield);
}
// A write left in flight is reported once, at the first write that can overlap it; the awaited
// writes after that one are not reported again.
net::awaitable<void> banner_then_board(ws_t &ws, std::string banner, std::string board,
                                       std::string ack) {
  ws.async_write(net::buffer(banner), net::detached);
  co_await ws.async_write(net::buffer(board), net::use_awaitable);
// CHECK-MESSAGES: :[[@LINE-1]]:15: warning: async_write starts while the write before it on the same stream may still be in progress: Beast allows one outstanding write per stream [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-3]]:6: note: the earlier write starts here; start the next one from its completion handler, or await it
// CHECK-NOPOST: :[[@LINE-3]]:15: warning: async_write starts while
// CHECK-NOPOST: :[[@LINE-5]]:6: note: the earlier write
  for (int i = 0; i < 3; ++i)
    co_await ws.async_write(net::buffer(ack), net::use_awaitable);
}

// A helper that starts a write on the stream it is given and returns: two calls of it in a row
// are two writes in flight. Negatives: a helper that returns first when a write is in progress,
// and one call per stream.
template <class Stream> void push_now(Stream &ws, const std::string &m, handler h) {
  ws.async_write(net::buffer(m), h);
}
void push_if_idle(ws_t &ws, bool &busy, const std::string &m, handler h) {
  if (busy)
    return;
  busy = true;
  ws.async_write(net::buffer(m), h);
}
void welcome(ws_t &ws, const std::string &hello, const std::string &board, handler h) {
  push_now(ws, hello, h);
  push_now(ws, board, h);
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: push_now starts while the write before it on the same stream may still be in progress: Beast allows one outstanding write per stream [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-3]]:3: note: the earlier write starts here; start the next one from its completion handler, or await it
// CHECK-NOPOST: :[[@LINE-3]]:3: warning: push_now starts while
// CHECK-NOPOST: :[[@LINE-5]]:3: note: the earlier write
}
void welcome_guarded(ws_t &ws, bool &busy, const std::string &hello, const std::string &board,
                     handler h) {
  push_if_idle(ws, busy, hello, h);
  push_if_idle(ws, busy, board, h);
}
void welcome_each(ws_t &a, ws_t &b, const std::string &hello, handler h) {
  push_now(a, hello, h);
  push_now(b, hello, h);
}
// A member declared in its class and defined out of line writes its parameter just the same.
struct pusher {
  void push(ws_t &ws, const std::string &m, handler h);
};
void pusher::push(ws_t &ws, const std::string &m, handler h) { ws.async_write(net::buffer(m), h); }
void welcome_member(pusher &p, ws_t &ws, const std::string &hello, handler h) {
  p.push(ws, hello, h);
  p.push(ws, hello, h);
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: push starts while the write before it on the same stream may still be in progress: Beast allows one outstanding write per stream [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-3]]:5: note: the earlier write starts here; start the next one from its completion handler, or await it
// CHECK-NOPOST: :[[@LINE-3]]:5: warning: push starts while
// CHECK-NOPOST: :[[@LINE-5]]:5: note: the earlier write
}

// ---- 2. An awaitable group runs its operands in parallel ----

net::awaitable<void> ack_and_fill(ws_t &ws, std::string ack, std::string fill) {
  co_await (ws.async_write(net::buffer(ack), net::use_awaitable) &&
            ws.async_write(net::buffer(fill), net::use_awaitable));
// CHECK-MESSAGES: :[[@LINE-1]]:16: warning: async_write runs in parallel with another write of the same stream in this awaitable group: Beast allows one outstanding write per stream [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-3]]:16: note: the other write of the group; await the writes one after the other
// CHECK-NOPOST: :[[@LINE-3]]:16: warning: async_write runs in parallel
// CHECK-NOPOST: :[[@LINE-5]]:16: note: the other write
}
net::awaitable<void> two_streams(ws_t &client, ws_t &audit, std::string m) {
  co_await (client.async_write(net::buffer(m), net::use_awaitable) &&
            audit.async_write(net::buffer(m), net::use_awaitable));
}

// ---- 3. Writes posted from a loop over sessions bypass each session's queue ----

class session {
public:
  ws_t &ws();
};
void announce(std::vector<session *> &members, std::shared_ptr<std::string> note) {
  for (session *s : members)
    net::post(s->ws().get_executor(), [s, note] {
      s->ws().async_write(net::buffer(*note), [note](beast::error_code, std::size_t) {});
// CHECK-MESSAGES: :[[@LINE-1]]:15: warning: async_write on 's->ws()' writes a buffer that is not the front of a write queue: a second write can start before this one completes [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-2]]:15: note: push outgoing messages onto a queue member, write its front() only when no write is in progress, and pop it in the completion handler
    });
}
void announce_deferred(std::vector<session *> &members, std::shared_ptr<std::string> note) {
  for (session *s : members) // not a posting function: the lambda runs who knows when
    net::co_spawn(s->ws().get_executor(), [s, note] {
      s->ws().async_write(net::buffer(*note), [note](beast::error_code, std::size_t) {});
    }, net::detached);
}

// ---- 4. One write started by the completion of the one before ----

class greeter : public std::enable_shared_from_this<greeter> {
  ws_t ws_;
  std::string first_, second_;

public:
  void run() {
    ws_.async_write(net::buffer(first_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec)
        self->ws_.async_write(net::buffer(self->second_), [self](beast::error_code, std::size_t) {});
    });
  }
};
class chained_sender : public std::enable_shared_from_this<chained_sender> {
  ws_t ws_;
  std::string trailer_;

public:
  void send(const std::string &msg) { // called once per message: the chains overlap
    ws_.async_write(net::buffer(msg), [self = shared_from_this()](beast::error_code, std::size_t) {
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: async_write on 'ws_' writes a buffer that is not the front of a write queue: a second write can start before this one completes [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-2]]:9: note: push outgoing messages onto a queue member, write its front() only when no write is in progress, and pop it in the completion handler
// CHECK-NOPOST: :[[@LINE-3]]:9: warning: async_write on 'ws_'
// CHECK-NOPOST: :[[@LINE-4]]:9: note: push outgoing
      // The chain's second write is the first one's finding: one mistake, one report.
      self->ws_.async_write(net::buffer(self->trailer_), [](beast::error_code, std::size_t) {});
    });
  }
};
// A snapshot whose completion starts the ready notice, in a class that also drains a queue: the
// steps of the sequence cannot overlap one another, and the sequence runs before the session
// takes messages. Quiet, with the queue's own writer.
class snapshot_then_feed : public std::enable_shared_from_this<snapshot_then_feed> {
  ws_t ws_;
  std::deque<std::string> queue_;
  std::string snapshot_, ready_;

public:
  void start() {
    ws_.async_write(net::buffer(snapshot_), [self = shared_from_this()](beast::error_code ec,
                                                                         std::size_t) {
      if (!ec)
        self->ws_.async_write(net::buffer(self->ready_), [self](beast::error_code, std::size_t) {});
    });
  }
  void send(std::string m) {
    queue_.push_back(std::move(m));
    if (queue_.size() == 1)
      write_front();
  }
  void write_front() {
    ws_.async_write(net::buffer(queue_.front()), [self = shared_from_this()](beast::error_code,
                                                                              std::size_t) {
      self->queue_.pop_front();
      if (!self->queue_.empty())
        self->write_front();
    });
  }
};

// ---- 5. A flag that the caller tests: the writer runs only when no write does ----

class notifier : public std::enable_shared_from_this<notifier> {
  ws_t ws_;
  std::deque<std::string> pending_;
  std::string current_;
  bool writing_ = false;

public:
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
      if (!ec)
        self->pump();
    });
  }
};
class unguarded_notifier { // sets the flag, but its callers never look at it
  ws_t ws_;
  std::string current_;
  bool writing_ = false;

public:
  void notify(std::string m) {
    current_ = std::move(m);
    pump();
  }
  bool busy() const {
    if (writing_)
      return true;
    return false;
  }

private:
  void pump() {
    writing_ = true;
    ws_.async_write(net::buffer(current_), [this](beast::error_code, std::size_t) { writing_ = false; });
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: async_write on 'ws_' writes a buffer that is not the front of a write queue: a second write can start before this one completes [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-2]]:9: note: push outgoing messages onto a queue member, write its front() only when no write is in progress, and pop it in the completion handler
// CHECK-NOPOST: :[[@LINE-3]]:9: warning: async_write on 'ws_'
// CHECK-NOPOST: :[[@LINE-4]]:9: note: push outgoing
  }
};

// ---- 6. A coroutine spawned to write the stream while this function writes it too ----

net::awaitable<void> heartbeat(ws_t &ws) {
  std::string hb = "{}";
  for (;;)
    co_await ws.async_write(net::buffer(hb), net::use_awaitable);
}
net::awaitable<void> read_only(ws_t &ws) { co_return; }
net::awaitable<void> session_with_heartbeat(std::shared_ptr<ws_t> ws, std::string reply) {
  net::co_spawn(ws->get_executor(), [ws]() -> net::awaitable<void> { co_await heartbeat(*ws); },
                net::detached);
  co_await ws->async_write(net::buffer(reply), net::use_awaitable);
// CHECK-MESSAGES: :[[@LINE-1]]:16: warning: async_write can run while a coroutine spawned before it (a lambda) writes the same stream: Beast allows one outstanding write per stream [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-4]]:3: note: the other writer is spawned here; give the stream a single writer (a queue or a channel that one coroutine drains)
// CHECK-NOPOST: :[[@LINE-3]]:16: warning: async_write can run while a coroutine
// CHECK-NOPOST: :[[@LINE-6]]:3: note: the other writer is spawned here
}
void spawn_and_write(ws_t &ws, std::shared_ptr<std::string> msg, handler h) {
  net::co_spawn(ws.get_executor(), heartbeat(ws), net::detached);
  ws.async_write(net::buffer(*msg), h);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: async_write can run while a coroutine spawned before it ('heartbeat') writes the same stream: Beast allows one outstanding write per stream [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-3]]:3: note: the other writer is spawned here; give the stream a single writer (a queue or a channel that one coroutine drains)
// CHECK-NOPOST: :[[@LINE-3]]:6: warning: async_write can run while a coroutine
// CHECK-NOPOST: :[[@LINE-5]]:3: note: the other writer is spawned here
}
void spawn_reader_and_write(ws_t &ws, ws_t &other, std::shared_ptr<std::string> msg, handler h) {
  net::co_spawn(ws.get_executor(), read_only(ws), net::detached);   // does not write
  net::co_spawn(ws.get_executor(), heartbeat(other), net::detached); // another stream
  ws.async_write(net::buffer(*msg), h);
}
// Two spawned coroutines that write the same stream run beside each other; on two streams, fine.
void spawn_two_writers(ws_t &ws, ws_t &other) {
  net::co_spawn(ws.get_executor(), heartbeat(ws), net::detached);
  net::co_spawn(ws.get_executor(), heartbeat(other), net::detached);
  net::co_spawn(ws.get_executor(), heartbeat(ws), net::detached);
// CHECK-MESSAGES: :[[@LINE-1]]:36: warning: heartbeat can run while a coroutine spawned before it ('heartbeat') writes the same stream: Beast allows one outstanding write per stream [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-4]]:3: note: the other writer is spawned here; give the stream a single writer (a queue or a channel that one coroutine drains)
// CHECK-NOPOST: :[[@LINE-3]]:36: warning: heartbeat can run while a coroutine
// CHECK-NOPOST: :[[@LINE-6]]:3: note: the other writer is spawned here
}

// ---- 7. The caller tests and sets the flag; the writer only writes ----

class provider_link : public std::enable_shared_from_this<provider_link> {
  ws_t ws_;
  std::deque<std::string> backlog_;
  std::string current_;
  bool writing_ = false;

public:
  void send(std::string frame) {
    backlog_.push_back(std::move(frame));
    if (writing_)
      return;
    writing_ = true;
    pump();
  }

private:
  void pump() {
    current_ = std::move(backlog_.front());
    backlog_.pop_front();
    ws_.async_write(net::buffer(current_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec || self->backlog_.empty()) {
        self->writing_ = false;
        return;
      }
      self->pump();
    });
  }
};
// The same writer, but the queue's emptiness stands for "idle" after the front was popped.
class popping_subscriber : public std::enable_shared_from_this<popping_subscriber> {
  ws_t ws_;
  std::deque<std::string> q_;
  std::string current_;

public:
  void publish(std::string m) {
    bool idle = q_.empty();
    q_.push_back(std::move(m));
    if (idle)
      pump();
  }

private:
  void pump() {
    current_ = std::move(q_.front());
    q_.pop_front();
    ws_.async_write(net::buffer(current_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: async_write on 'ws_' writes a buffer that is not the front of a write queue: a second write can start before this one completes [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-2]]:9: note: push outgoing messages onto a queue member, write its front() only when no write is in progress, and pop it in the completion handler
// CHECK-NOPOST: :[[@LINE-3]]:9: warning: async_write on 'ws_'
// CHECK-NOPOST: :[[@LINE-4]]:9: note: push outgoing
      if (!ec && !self->q_.empty())
        self->pump();
    });
  }
};

// ---- 8. A coroutine spawned to write beside the session's own writer ----

class device_channel : public std::enable_shared_from_this<device_channel> {
  ws_t ws_;
  std::deque<std::string> pending_;

public:
  net::awaitable<void> writer() {
    while (!pending_.empty()) {
      co_await ws_.async_write(net::buffer(pending_.front()), net::use_awaitable);
      pending_.pop_front();
    }
  }
  void notify_now(std::string text) {
    auto self = shared_from_this();
    net::co_spawn(
        ws_.get_executor(),
        [self, text]() -> net::awaitable<void> {
          co_await self->ws_.async_write(net::buffer(text), net::use_awaitable);
// CHECK-MESSAGES: :[[@LINE-1]]:30: warning: async_write in a coroutine spawned to write 'ws_' can run while another writer of 'ws_' is writing: Beast allows one outstanding write per stream [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-11]]:20: note: the other writer writes here; hand the message to it (its queue) instead of spawning
// CHECK-NOPOST: :[[@LINE-3]]:30: warning: async_write in a coroutine spawned
// CHECK-NOPOST: :[[@LINE-13]]:20: note: the other writer writes here
        },
        net::detached);
  }
};
// The only writer, spawned once: nothing else writes the stream.
class single_writer : public std::enable_shared_from_this<single_writer> {
  ws_t ws_;
  std::deque<std::string> pending_;

public:
  void start() {
    net::co_spawn(
        ws_.get_executor(),
        [self = shared_from_this()]() -> net::awaitable<void> {
          while (!self->pending_.empty()) {
            co_await self->ws_.async_write(net::buffer(self->pending_.front()), net::use_awaitable);
            self->pending_.pop_front();
          }
        },
        net::detached);
  }
};

// ---- A reader coroutine that writes beside the session's writer coroutine ----

class editor_session {
  ws_t ws_;
  std::deque<std::string> outbox_;
  beast::flat_buffer buffer_;

  net::awaitable<void> reader() {
    for (;;) {
      co_await ws_.async_read(buffer_, net::use_awaitable);
      std::string ack = "ack";
      co_await ws_.async_write(net::buffer(ack), net::use_awaitable);
// CHECK-MESSAGES: :[[@LINE-1]]:20: warning: async_write on 'ws_' in a coroutine that runs beside the writer of 'ws_': Beast allows one outstanding write per stream [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :464:24: note: both run here; hand the message to the writer (its queue) instead of writing it
// CHECK-MESSAGES: :458:20: note: the writer's write
// CHECK-NOPOST: :[[@LINE-4]]:20: warning: async_write on 'ws_' in a coroutine that runs beside
// CHECK-NOPOST: :464:24: note: both run here
// CHECK-NOPOST: :458:20: note: the writer's write
    }
  }
  net::awaitable<void> writer() {
    while (!outbox_.empty()) {
      std::string frame = outbox_.front();
      outbox_.pop_front();
      co_await ws_.async_write(net::buffer(frame), net::use_awaitable);
    }
  }

public:
  net::awaitable<void> run() {
    co_await (reader() || writer());
  }
};

// A reader that only reads beside the writer is the right shape.
class quiet_reader_session {
  ws_t ws_;
  std::deque<std::string> outbox_;
  beast::flat_buffer buffer_;
  net::awaitable<void> reader() { co_await ws_.async_read(buffer_, net::use_awaitable); }
  net::awaitable<void> writer() {
    std::string frame = outbox_.front();
    co_await ws_.async_write(net::buffer(frame), net::use_awaitable);
  }

public:
  net::awaitable<void> run() { co_await (reader() || writer()); }
};

// Two unawaited writes of a member stream in a row: one finding, at the second, whose note points
// at the first (the first is not also reported as bypassing a queue).
class greeting_session {
  ws_t ws_;
  std::string banner_, trailer_;

public:
  void greet() {
    ws_.async_write(net::buffer(banner_), [](beast::error_code, std::size_t) {});
    ws_.async_write(net::buffer(trailer_), [](beast::error_code, std::size_t) {});
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: async_write starts while the write before it on the same stream may still be in progress: Beast allows one outstanding write per stream [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-3]]:9: note: the earlier write starts here; start the next one from its completion handler, or await it
// CHECK-NOPOST: :[[@LINE-3]]:9: warning: async_write starts while
// CHECK-NOPOST: :[[@LINE-5]]:9: note: the earlier write starts here
  }
};

// ---- 6b. A write handed straight to co_spawn is that coroutine: the write after it is the
// finding, and the spawned write is not a rival of itself. ----
net::awaitable<void> banner_then_schedule(ws_t &ws, std::string banner, std::string schedule) {
  net::co_spawn(ws.get_executor(), ws.async_write(net::buffer(banner), net::use_awaitable),
                net::detached);
  co_await ws.async_write(net::buffer(schedule), net::use_awaitable);
// CHECK-MESSAGES: :[[@LINE-1]]:15: warning: async_write can run while a coroutine spawned before it ('async_write') writes the same stream: Beast allows one outstanding write per stream [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-4]]:3: note: the other writer is spawned here; give the stream a single writer (a queue or a channel that one coroutine drains)
// CHECK-NOPOST: :[[@LINE-3]]:15: warning: async_write can run while a coroutine
// CHECK-NOPOST: :[[@LINE-6]]:3: note: the other writer is spawned here
}
net::awaitable<void> banner_only(ws_t &ws, std::string banner) {
  net::co_spawn(ws.get_executor(), ws.async_write(net::buffer(banner), net::use_awaitable),
                net::detached);
  co_return;
}

// ---- 6c. A lambda kept in a local that writes, called in a loop: each call starts a write.
// One handed the stream to write as its parameter writes another stream each time. ----
void push_cues(ws_t &ws, std::vector<ws_t *> &screens, const std::vector<std::string> &cues,
               handler h) {
  auto push = [&ws, h](const std::string &cue) { ws.async_write(net::buffer(cue), h); };
// CHECK-MESSAGES: :[[@LINE-1]]:53: warning: async_write inside a loop: each iteration starts a write before the previous one completes, and Beast allows one outstanding write per stream [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-NOPOST: :[[@LINE-2]]:53: warning: async_write inside a loop
  for (const std::string &cue : cues)
    push(cue);
  auto send_to = [h](ws_t &screen, const std::string &cue) {
    screen.async_write(net::buffer(cue), h);
  };
  for (ws_t *screen : screens)
    send_to(*screen, cues.front());
}
void push_single_cue(ws_t &ws, const std::vector<std::string> &cues, handler h) {
  auto once = [&ws, h](const std::string &cue) { ws.async_write(net::buffer(cue), h); };
  once(cues.front());
}

// ---- 6d. Such a lambda called twice in a row: the second call starts a second write. ----
void push_opening_cues(ws_t &ws, ws_t &backstage, const std::vector<std::string> &cues,
                       handler h) {
  auto push = [&ws, h](const std::string &cue) { ws.async_write(net::buffer(cue), h); };
  auto tell_crew = [&backstage, h](const std::string &cue) {
    backstage.async_write(net::buffer(cue), h);
  };
  push(cues[0]);
  tell_crew(cues[0]);
  push(cues[1]);
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: push starts while the write before it on the same stream may still be in progress: Beast allows one outstanding write per stream [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-4]]:3: note: the earlier write starts here; start the next one from its completion handler, or await it
// CHECK-NOPOST: :[[@LINE-3]]:3: warning: push starts while the write before it
// CHECK-NOPOST: :[[@LINE-6]]:3: note: the earlier write starts here
}
