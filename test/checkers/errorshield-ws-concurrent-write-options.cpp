// Option variants. Catalog defaults (prefix DEFAULT). Only std::deque counts as a write queue, so a
// vector-backed queue no longer vouches for its writes (prefix DEQUE). No free write functions:
// Asio's net::async_write is not judged (prefix MEMBERS). The options as clang-tidy sees them (DUMP).
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-concurrent-write' -- -std=c++20 -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=DEFAULT --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-concurrent-write' \
// RUN:   -config="{CheckOptions: {errorshield-ws-concurrent-write.QueueTypes: 'std::deque'}}" \
// RUN:   -- -std=c++20 -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=DEQUE --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-concurrent-write' \
// RUN:   -config="{CheckOptions: {errorshield-ws-concurrent-write.WriteFunctions: ''}}" \
// RUN:   -- -std=c++20 -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=MEMBERS --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-concurrent-write' --dump-config \
// RUN:   | FileCheck %s --check-prefix=DUMP
// DUMP: errorshield-ws-concurrent-write.BindFunctions: 'boost::beast::bind_front_handler;boost::beast::bind_handler;std::bind;std::bind_front;boost::bind;boost::asio::bind_executor'
// DUMP: errorshield-ws-concurrent-write.QueueTypes: 'std::deque;std::queue;std::list;std::vector;boost::circular_buffer'
// DUMP: errorshield-ws-concurrent-write.ReadFunctions: 'async_read;async_read_some;async_read_until'
// DUMP: errorshield-ws-concurrent-write.WriteFunctions: 'asio::async_write'

#include "asio_io.h"
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace net = boost::asio;
namespace websocket = beast::websocket;

class vector_queue_session {
  websocket::stream<beast::tcp_stream> ws_;
  std::vector<std::string> queue_;

public:
  void send(std::string text) {
    queue_.push_back(std::move(text));
    if (queue_.size() > 1)
      return;
    ws_.async_write(net::buffer(queue_.front()), [](beast::error_code, std::size_t) {});
// DEQUE: :[[@LINE-1]]:9: warning: async_write on 'ws_' writes a buffer that is not the front of a write queue: a second write can start before this one completes [ES-WS-006] [errorshield-ws-concurrent-write]
// DEQUE: :[[@LINE-2]]:9: note: push outgoing messages onto a queue member, write its front() only when no write is in progress, and pop it in the completion handler
  }
};

class deque_queue_session {
  websocket::stream<beast::tcp_stream> ws_;
  std::deque<std::string> queue_;

public:
  void send(std::string text) {
    queue_.push_back(std::move(text));
    if (queue_.size() > 1)
      return;
    ws_.async_write(net::buffer(queue_.front()), [](beast::error_code, std::size_t) {});
  }
};

class raw_socket_session {
  beast::tcp_stream stream_;
  std::string status_;

public:
  void send_status() {
    net::async_write(stream_, net::buffer(status_), [](beast::error_code, std::size_t) {});
// DEFAULT: :[[@LINE-1]]:5: warning: async_write on 'stream_' writes a buffer that is not the front of a write queue: a second write can start before this one completes [ES-WS-006] [errorshield-ws-concurrent-write]
// DEFAULT: :[[@LINE-2]]:5: note: push outgoing messages onto a queue member, write its front() only when no write is in progress, and pop it in the completion handler
// DEQUE: :[[@LINE-3]]:5: warning: async_write on 'stream_' writes a buffer that is not the front of a write queue: a second write can start before this one completes [ES-WS-006] [errorshield-ws-concurrent-write]
// DEQUE: :[[@LINE-4]]:5: note: push outgoing messages onto a queue member, write its front() only when no write is in progress, and pop it in the completion handler
  }
};

class direct_session {
  websocket::stream<beast::tcp_stream> ws_;

public:
  void send(const std::string &text) {
    ws_.async_write(net::buffer(text), [](beast::error_code, std::size_t) {});
// DEFAULT: :[[@LINE-1]]:9: warning: async_write on 'ws_' writes a buffer that is not the front of a write queue: a second write can start before this one completes [ES-WS-006] [errorshield-ws-concurrent-write]
// DEFAULT: :[[@LINE-2]]:9: note: push outgoing messages onto a queue member, write its front() only when no write is in progress, and pop it in the completion handler
// DEQUE: :[[@LINE-3]]:9: warning: async_write on 'ws_' writes a buffer that is not the front of a write queue: a second write can start before this one completes [ES-WS-006] [errorshield-ws-concurrent-write]
// DEQUE: :[[@LINE-4]]:9: note: push outgoing messages onto a queue member, write its front() only when no write is in progress, and pop it in the completion handler
// MEMBERS: :[[@LINE-5]]:9: warning: async_write on 'ws_' writes a buffer that is not the front of a write queue: a second write can start before this one completes [ES-WS-006] [errorshield-ws-concurrent-write]
// MEMBERS: :[[@LINE-6]]:9: note: push outgoing messages onto a queue member, write its front() only when no write is in progress, and pop it in the completion handler
  }
};
