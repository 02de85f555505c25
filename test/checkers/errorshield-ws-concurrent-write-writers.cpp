// A connection whose writes go through one drain writer (a loop taking messages from a queue) is
// one write at a time only if nothing else writes the stream: a direct write elsewhere, even an
// awaited one, runs beside the writer. And a message pushed to the front of the queue under a
// test the push always makes true starts a second write.
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-concurrent-write' -- -std=c++20 -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'

#include "asio_io.h"
#include <deque>
#include <memory>
#include <string>

namespace beast = boost::beast;
namespace net = boost::asio;
namespace websocket = beast::websocket;
using ws_t = websocket::stream<beast::tcp_stream>;

template <class F> void spawn_detached(F &&f) { (void)f; } // starts f(yield) as a stackful coroutine

// ---- 1. A struct's stream drained by a free-function writer ----

struct conn_state {
  ws_t ws;
  std::deque<std::string> outq;
  bool open = true;
};

void writer_main(std::shared_ptr<conn_state> c, net::yield_context yield) {
  beast::error_code ec;
  while (c->open) {
    std::string msg = c->outq.front();
    c->outq.pop_front();
    c->ws.async_write(net::buffer(msg), yield[ec]);
  }
}

void session_main(std::shared_ptr<conn_state> c, net::yield_context yield) {
  beast::error_code ec;
  std::string logon = "{\"type\":\"logon\"}";
  c->ws.async_write(net::buffer(logon), yield[ec]); // before the writer exists: alone
  spawn_detached([c](net::yield_context y) { writer_main(c, y); });
  std::string ready = "{\"type\":\"ready\"}";
  c->ws.async_write(net::buffer(ready), yield[ec]);
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: async_write on 'ws' goes around 'writer_main', the writer that drains 'outq': both can write at once, and Beast allows one outstanding write per stream [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-12]]:11: note: the writer's write; push the message onto 'outq' instead
}

void reject_inline(conn_state &c, net::yield_context yield) {
  beast::error_code ec;
  std::string rej = "{\"type\":\"reject\"}";
  c.ws.async_write(net::buffer(rej), yield[ec]);
// CHECK-MESSAGES: :[[@LINE-1]]:8: warning: async_write on 'ws' goes around 'writer_main', the writer that drains 'outq': both can write at once, and Beast allows one outstanding write per stream [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-20]]:11: note: the writer's write; push the message onto 'outq' instead
}

void enqueue(conn_state &c, std::string m) { c.outq.push_back(std::move(m)); } // the right way

// A writer loop that is never started here: nothing is known to run beside it.
struct idle_state {
  ws_t ws;
  std::deque<std::string> q;
};
void idle_writer(idle_state &s, net::yield_context yield) {
  beast::error_code ec;
  for (;;) {
    std::string m = s.q.front();
    s.q.pop_front();
    s.ws.async_write(net::buffer(m), yield[ec]);
  }
}
void idle_greet(idle_state &s, net::yield_context yield) {
  beast::error_code ec;
  std::string hello = "hello";
  s.ws.async_write(net::buffer(hello), yield[ec]);
}

// ---- 2. An urgent message pushed to the front, then written under an always-true test ----

class punter {
  ws_t ws_;
  std::deque<std::shared_ptr<const std::string>> queue_;

  void on_write(beast::error_code, std::size_t) {
    queue_.pop_front();
    if (!queue_.empty())
      ws_.async_write(net::buffer(*queue_.front()), [this](beast::error_code ec, std::size_t n) { on_write(ec, n); });
  }

public:
  void deliver(std::shared_ptr<const std::string> m) {
    const bool idle = queue_.empty();
    queue_.push_back(std::move(m));
    if (idle)
      ws_.async_write(net::buffer(*queue_.front()), [this](beast::error_code ec, std::size_t n) { on_write(ec, n); });
  }
  void deliver_urgent(std::shared_ptr<const std::string> m) {
    queue_.push_front(std::move(m));
    if (queue_.size() >= 1)
      ws_.async_write(net::buffer(*queue_.front()), [this](beast::error_code ec, std::size_t n) { on_write(ec, n); });
// CHECK-MESSAGES: :[[@LINE-1]]:11: warning: async_write of the front of 'queue_' right after a push, without checking that a write is already in progress: a second write can start before the first completes [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-2]]:11: note: return after the push when a write is in progress, e.g. if (queue_.size() > 1) return;
  }
  void deliver_urgent_checked(std::shared_ptr<const std::string> m) {
    queue_.push_front(std::move(m));
    if (queue_.size() == 1)
      ws_.async_write(net::buffer(*queue_.front()), [this](beast::error_code ec, std::size_t n) { on_write(ec, n); });
  }
};

// ---- 3. A coroutine's write awaited before the writer starts runs alone ----

class draft_seat {
  ws_t ws_;
  std::deque<std::string> outbox_;
  bool open_ = true;

public:
  net::awaitable<void> writer() {
    while (open_) {
      std::string m = outbox_.front();
      outbox_.pop_front();
      co_await ws_.async_write(net::buffer(m), net::use_awaitable);
    }
  }
  net::awaitable<void> greet(std::string hello) { // every caller awaits it before writer()
    co_await ws_.async_write(net::buffer(hello), net::use_awaitable);
  }
  net::awaitable<void> nudge(std::string m) { // awaited where the writer may be running
    co_await ws_.async_write(net::buffer(m), net::use_awaitable);
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: async_write on 'ws_' goes around 'writer', the writer that drains 'outbox_': both can write at once, and Beast allows one outstanding write per stream [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-9]]:20: note: the writer's write; push the message onto 'outbox_' instead
  }
};

net::awaitable<void> seat_main(std::shared_ptr<draft_seat> s) {
  co_await s->greet("hello");
  co_await s->writer();
}
net::awaitable<void> seat_poke(std::shared_ptr<draft_seat> s) { co_await s->nudge("late"); }
