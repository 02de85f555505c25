// A count of outstanding writes as the in-flight flag: one write to each of two sockets, and the
// next message waits until both complete.
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-concurrent-write' -- -std=c++20 -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'

#include "asio_io.h"
#include <deque>
#include <string>

namespace beast = boost::beast;
namespace net = boost::asio;

class drop_copy {
  beast::tcp_stream primary_, backup_;
  std::deque<std::string> backlog_;
  std::string fill_;
  int remaining_ = 0;

  void done_one() {
    if (--remaining_ == 0 && !backlog_.empty()) {
      std::string next = std::move(backlog_.front());
      backlog_.pop_front();
      mirror(std::move(next));
    }
  }

public:
  void mirror(std::string fill) {
    if (remaining_ > 0) {
      backlog_.push_back(std::move(fill));
      return;
    }
    fill_ = std::move(fill);
    remaining_ = 2;
    net::async_write(primary_, net::buffer(fill_), [this](beast::error_code, std::size_t) { done_one(); });
    net::async_write(backup_, net::buffer(fill_), [this](beast::error_code, std::size_t) { done_one(); });
  }
  void mirror_when_idle(std::string fill) {
    if (remaining_ == 0) {
      fill_ = std::move(fill);
      remaining_ = 1;
      net::async_write(primary_, net::buffer(fill_), [this](beast::error_code, std::size_t) { done_one(); });
    }
  }
  void mirror_unguarded(std::string fill) { // counted, but nothing waits for the count
    fill_ = std::move(fill);
    remaining_ = 1;
    net::async_write(backup_, net::buffer(fill_), [this](beast::error_code, std::size_t) { done_one(); });
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: async_write on 'backup_' writes a buffer that is not the front of a write queue: a second write can start before this one completes [ES-WS-006] [errorshield-ws-concurrent-write]
// CHECK-MESSAGES: :[[@LINE-2]]:5: note: push outgoing messages onto a queue member, write its front() only when no write is in progress, and pop it in the completion handler
  }
};
