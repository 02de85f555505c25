// Two writes of a member stream in one function, the second in a handler the function posts:
// the pair is one mistake, reported at the later write. Writes in the two branches of an `if`
// never run together and are judged each on its own.
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-concurrent-write' -- -std=c++20 -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'

#include "asio_io.h"
#include <string>

namespace beast = boost::beast;
namespace net = boost::asio;
namespace websocket = beast::websocket;
using ws_t = websocket::stream<beast::tcp_stream>;

class counter_link {
  ws_t ws_;
  net::io_context &ioc_;
  std::string last_, highlight_, ack_, note_;

public:
  counter_link(ws_t &&ws, net::io_context &ioc) : ws_(static_cast<ws_t &&>(ws)), ioc_(ioc) {}

  void on_recall() {
    ws_.async_write(net::buffer(last_), [](beast::error_code, std::size_t) {});
    net::post(ioc_, [this] {
      ws_.async_write(net::buffer(highlight_), [](beast::error_code, std::size_t) {});
// CHECK-MESSAGES: :[[@LINE-1]]:11: warning: async_write on 'ws_' writes a buffer that is not the front of a write queue: a second write can start before this one completes [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-2]]:11: note: push outgoing messages onto a queue member, write its front() only when no write is in progress, and pop it in the completion handler
    });
  }

  void on_message(bool edit) {
    if (edit) {
      ws_.async_write(net::buffer(ack_), [](beast::error_code, std::size_t) {});
// CHECK-MESSAGES: :[[@LINE-1]]:11: warning: async_write on 'ws_' writes a buffer that is not the front of a write queue: a second write can start before this one completes [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-2]]:11: note: push outgoing messages onto a queue member, write its front() only when no write is in progress, and pop it in the completion handler
    } else {
      net::post(ioc_, [this] {
        ws_.async_write(net::buffer(note_), [](beast::error_code, std::size_t) {});
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: async_write on 'ws_' writes a buffer that is not the front of a write queue: a second write can start before this one completes [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-2]]:13: note: push outgoing messages onto a queue member, write its front() only when no write is in progress, and pop it in the completion handler
      });
    }
  }
};
