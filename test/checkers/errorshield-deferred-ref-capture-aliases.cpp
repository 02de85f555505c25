// Guards built by aggregate initialisation, and by-reference init-captures (`[&o = other]`).
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-deferred-ref-capture' -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --fix --checks='-*,errorshield-deferred-ref-capture' -- -std=c++20 -nostdinc++ -isystem %mocks
// RUN: FileCheck %s --check-prefix=CHECK-FIXES --input-file=%t.cpp
// RUN: %clangxx -fsyntax-only -std=c++20 -nostdinc++ -isystem %mocks %t.cpp

#include "deferred.h"

namespace net = boost::asio;
void close_conn(int);
int reopen();

// ---- An aggregate guard (no constructor; its destructor runs its member) ----

void aggregate_guard_modified() {
  int conn = reopen();
  OnExit guard{[&conn] { close_conn(conn); }};
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'conn' is captured by reference in a deferred cleanup and modified after the guard is created [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
// CHECK-FIXES: OnExit guard{[conn] { close_conn(conn); }};
  conn = reopen();
// CHECK-MESSAGES: :[[@LINE-1]]:3: note: 'conn' is modified here, before the cleanup runs
}

void aggregate_guard_unmodified() {
  int conn = reopen();
  OnExit guard{[&conn] { close_conn(conn); }};
  close_conn(conn + 1);
}

// A guard disarmed through its alias: `c` is tested, `committed` set to a constant.
void rollback();
void aggregate_guard_disarmed() {
  bool committed = false;
  OnExit guard{[&c = committed] { if (!c) rollback(); }};
  committed = true;
}

// ---- `[&o = local]` is a capture of the local ----

void init_capture_of_local(net::io_context &ioc) {
  int who = reopen();
  net::post(ioc, [&id = who] { close_conn(id); });
// CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'who' is captured by reference by a completion handler that may run after 'who' goes out of scope [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
// CHECK-MESSAGES: :[[@LINE-2]]:3: note: the handler is passed to 'post' here
// CHECK-FIXES: net::post(ioc, [id = who] { close_conn(id); });
}

void init_capture_by_value(net::io_context &ioc) {
  int who = reopen();
  net::post(ioc, [id = who] { close_conn(id); });
}

// ---- `[&id = member_]` in a callback stored by a function that modifies the member ----

class Registry {
public:
  void on_closed(std::function<void()> cb) { closed_.emplace_back(std::move(cb)); }

  void accept_one() {
    ++next_id_;
    on_closed([this, &id = next_id_] { detach(id); });
// CHECK-MESSAGES: :[[@LINE-1]]:22: warning: 'id' binds data member 'next_id_' by reference; a callback that 'on_closed' stores reads it when it runs, after later calls of this function have modified it [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
// CHECK-MESSAGES: :[[@LINE-3]]:5: note: 'next_id_' is modified here
// CHECK-MESSAGES: :[[@LINE-3]]:5: note: 'on_closed' stores the callback in an object that outlives this scope
// CHECK-FIXES: on_closed([this, id = next_id_] { detach(id); });
  }

  void accept_copy() {
    ++next_id_;
    on_closed([this, id = next_id_] { detach(id); }); // a copy: each callback keeps its own id
  }

  // The setting is reloaded elsewhere only: reading it when the callback runs may be the point.
  void watch_limit(net::io_context &ioc) {
    net::post(ioc, [this, &lim = limit_] { apply(lim); });
  }
  void reload() { limit_ = reopen(); }

  // In a guard the member's later writes are not examined.
  void guarded_member() {
    OnExit guard{[&id = next_id_] { close_conn(id); }};
    next_id_ = 0;
  }

private:
  void detach(int);
  void apply(int);
  std::vector<std::function<void()>> closed_;
  int next_id_ = 0;
  int limit_ = 10;
};
