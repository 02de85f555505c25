// A stream configured through a local alias: the alias is the stream it designates.
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-message-limit' -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'

#include "websocket.h"

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using ws_t = websocket::stream<beast::tcp_stream>;

// The limit is set through a reference alias of the local stream.
void reference_alias() {
  ws_t ws(0);
  beast::flat_buffer b;
  auto &stream = ws;
  stream.read_message_max(65536);
  ws.async_read(b, [](beast::error_code, size_t) {});
}

// The limit is set through a pointer the accessor's result initialises.
class preempt_session {
public:
  ws_t &stream() { return ws_; }
  void next() { ws_.async_read(buf_, [](beast::error_code, size_t) {}); }

private:
  ws_t ws_;
  beast::flat_buffer buf_;
};
void on_preempt(preempt_session &s) {
  auto *ws = &s.stream();
  ws->read_message_max(4096);
}

// An alias that sets nothing leaves the stream unlimited.
class feed_session {
public:
  void next() {
    auto &alias = ws_;
    alias.async_read(buf_, [](beast::error_code, size_t) {});
// CHECK-MESSAGES: :[[@LINE-1]]:11: warning: async_read on 'ws_', whose owner never calls read_message_max(): the size of each message is up to the peer [ES-WS-003] [errorshield-ws-message-limit]
// CHECK-MESSAGES: :[[@LINE-2]]:11: note: set a limit before the first read, e.g. ws_.read_message_max(1048576)
  }

private:
  ws_t ws_;
  beast::flat_buffer buf_;
};

// A reference initialised with itself compiles (with a warning); it designates no known stream.
void self_alias() {
  ws_t &s = s;
  beast::flat_buffer b;
  s.async_read(b, [](beast::error_code, size_t) {});
}
