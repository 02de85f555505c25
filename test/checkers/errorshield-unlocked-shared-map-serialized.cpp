// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-unlocked-shared-map' -- -std=c++20 -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-unlocked-shared-map' \
// RUN:   --config="{CheckOptions: {errorshield-unlocked-shared-map.StrandTypes: '', errorshield-unlocked-shared-map.OnceFunctions: ''}}" \
// RUN:   -- -std=c++20 -isystem %mocks | FileCheck %s --check-prefix=CHECK-NOSTRAND

// Code a strand or std::call_once serializes needs no lock: handlers posted to a strand or bound
// to it, completions of a timer built on the strand, a coroutine after it moved onto the strand,
// and a once-function. The same accesses from the plain io_context race.

#include "asio_io.h"
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace net = boost::asio;

class TicketPool : public std::enable_shared_from_this<TicketPool> {
public:
  explicit TicketPool(net::io_context &ioc) : ioc_(ioc), strand_(net::make_strand(ioc)), sweep_(strand_) {}

  void track(std::string id) {
    net::post(strand_, [self = shared_from_this(), id] { self->expiry_[id] = 1; });
  }
  void untrack(std::string id) {
    net::post(ioc_, [self = shared_from_this(), id] { self->expiry_.erase(id); });
// CHECK-MESSAGES: :[[@LINE-1]]:61: warning: shared container 'expiry_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :63:30: note: 'expiry_' is shared between threads: declared here
// CHECK-MESSAGES: :62:14: note: 'mutex_' is the mutex of 'TicketPool'; hold it while accessing 'expiry_'
  }
  void bump(std::string id) {
    sweep_.async_wait(net::bind_executor(strand_, [this, id](net::error_code) { expiry_[id] += 1; }));
  }
  void schedule() {
    sweep_.async_wait([self = shared_from_this()](net::error_code ec) {
      if (!ec)
        self->sweep();
    });
  }
  net::awaitable<void> add(std::string id) {
    co_await net::post(strand_, net::use_awaitable);
    expiry_[id] = 2;
  }
  net::awaitable<void> addRacing(std::string id) {
    expiry_[id] = 3;
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: shared container 'expiry_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :63:30: note: 'expiry_' is shared between threads: declared here
// CHECK-MESSAGES: :62:14: note: 'mutex_' is the mutex of 'TicketPool'; hold it while accessing 'expiry_'
    co_return;
  }

private:
  // Runs only as the sweep timer's completion, on the strand.
  void sweep() { expiry_.clear(); }

  net::io_context &ioc_;
  net::strand<net::io_context::executor_type> strand_;
  net::steady_timer sweep_;
  std::mutex mutex_;
  std::map<std::string, int> expiry_;
};

std::map<std::string, long> endpoint_bytes;
std::once_flag endpoints_once;

void registerEndpoints() {
  std::call_once(endpoints_once, [] { endpoint_bytes.emplace("collector-a", 0); });
}
void accountBytes(const std::string &endpoint, long n) {
  endpoint_bytes[endpoint] += n;
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: shared container 'endpoint_bytes' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :66:29: note: 'endpoint_bytes' is shared between threads: declared here
}

// A class that owns a strand but no mutex: what it runs on the strand (post, co_spawn) is
// serialized, what it runs off it races with that.
class UndoJournal {
public:
  explicit UndoJournal(net::io_context &ioc) : strand_(net::make_strand(ioc)) {}
  void record(const std::string &doc) {
    net::post(strand_, [this, doc] { journal_[doc] += 1; });
  }
  net::operation depth(const std::string &doc) {
    return net::co_spawn(strand_, [this, doc] { return journal_[doc]; }, net::use_awaitable);
  }
  void forget(const std::string &doc) {
    journal_.erase(doc);
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: shared container 'journal_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :[[@LINE+4]]:30: note: 'journal_' is shared between threads: declared here
  }
private:
  net::strand<net::io_context::executor_type> strand_;
  std::map<std::string, int> journal_;
};

// Called only before the threads start, a function's own statements are set-up; a handler it
// posts runs later, on whichever thread runs the io_context.
class BerthBoard {
public:
  explicit BerthBoard(net::io_context &ioc) : ioc_(ioc) {}
  void preload(const std::string &hull) {
    berths_[hull] = 0;
    net::post(ioc_, [this, hull] { berths_[hull] = 1; });
// CHECK-MESSAGES: :[[@LINE-1]]:36: warning: shared container 'berths_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :[[@LINE+12]]:30: note: 'berths_' is shared between threads: declared here
// CHECK-MESSAGES: :[[@LINE+10]]:14: note: 'mutex_' is the mutex of 'BerthBoard'; hold it while accessing 'berths_'
  }
  void depart(const std::string &hull) {
    net::post(ioc_, [this, hull] {
      std::lock_guard<std::mutex> lock(mutex_);
      berths_.erase(hull);
    });
  }
private:
  net::io_context &ioc_;
  std::mutex mutex_;
  std::map<std::string, int> berths_;
};
void runPort() {
  net::io_context ioc;
  BerthBoard board(ioc);
  board.preload("NL-1021");
  std::thread a([&ioc] { ioc.run(); });
  std::thread b([&ioc] { ioc.run(); });
  board.depart("NL-1021");
  a.join();
  b.join();
}

// With no strand types and no once-functions, every one of these accesses is reported.
// CHECK-NOSTRAND-COUNT-9: warning: shared container
