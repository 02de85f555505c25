// A `const T &` parameter of a value type captured by reference by a lambda that runs later: the
// lambda holds the caller's object (a temporary, or a field the caller changes), not a copy.
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-deferred-ref-capture' -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'
// With the list emptied, only arithmetic and enum parameters are reported.
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-deferred-ref-capture' \
// RUN:   -config="{CheckOptions: {errorshield-deferred-ref-capture.ValueParameterTypes: ''}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=EMPTY --implicit-check-not='warning:'
// RUN: %clang_tidy %t.cpp --fix --checks='-*,errorshield-deferred-ref-capture' -- -std=c++20 -nostdinc++ -isystem %mocks
// RUN: FileCheck %s --check-prefix=CHECK-FIXES --input-file=%t.cpp
// RUN: %clangxx -fsyntax-only -std=c++20 -nostdinc++ -isystem %mocks %t.cpp

#include "deferred.h"

namespace net = boost::asio;
void hammer(const std::string &);
void charge(int);
void notify_all(const std::vector<int> &);
struct Session { void close(); };
struct Config { int port; };
enum class Phase { open, closed };
void enter(Phase);

// ---- Reported: the deferred lambda reads the caller's object when it runs ----

void extend_soft_close(net::steady_timer &timer, const std::string &lot_id) {
  timer.async_wait([&lot_id](int ec) { if (!ec) hammer(lot_id); });
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'lot_id' is captured by reference by a completion handler that may run after the caller's object 'lot_id' refers to is destroyed or changed [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
// CHECK-MESSAGES: :[[@LINE-2]]:9: note: the handler is passed to 'async_wait' here
// CHECK-FIXES: timer.async_wait([lot_id](int ec) { if (!ec) hammer(lot_id); });
}

void charge_later(net::io_context &ioc, const int &cents) {
  net::post(ioc, [&] { charge(cents); });
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: 'cents' is captured by reference by a completion handler that may run after the caller's object 'cents' refers to is destroyed or changed
// CHECK-MESSAGES: :[[@LINE-2]]:3: note: the handler is passed to 'post' here
// CHECK-FIXES: net::post(ioc, [cents] { charge(cents); });
// EMPTY: :[[@LINE-4]]:18: warning: 'cents' is captured by reference
}

void phase_later(net::io_context &ioc, const Phase &phase) {
  net::post(ioc, [&p = phase] { enter(p); });
// CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'phase' is captured by reference by a completion handler that may run after the caller's object 'phase' refers to is destroyed or changed
// CHECK-MESSAGES: :[[@LINE-2]]:3: note: the handler is passed to 'post' here
// CHECK-FIXES: net::post(ioc, [p = phase] { enter(p); });
// EMPTY: :[[@LINE-4]]:19: warning: 'phase' is captured by reference
}

void broadcast_detached(const std::vector<int> &ids) {
  std::thread t([&ids] { notify_all(ids); });
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: 'ids' is captured by reference by a detached thread that may run after the caller's object 'ids' refers to is destroyed or changed
// CHECK-FIXES: std::thread t([ids] { notify_all(ids); });
  t.detach();
// CHECK-MESSAGES: :[[@LINE-1]]:5: note: the thread is detached here
}

// ---- Not reported ----

// Objects meant to outlive the call: non-const references, an execution context, a type that is
// not a value (the list names none).
void close_later(net::io_context &ioc, Session &s, const Config &cfg) {
  net::post(ioc, [&s, &cfg] { s.close(); charge(cfg.port); });
}

// Copies are the fix; a guard runs before the function returns; a lambda run on the spot.
void copies(net::io_context &ioc, const std::string &lot_id) {
  net::post(ioc, [lot_id] { hammer(lot_id); });
}
void guarded(const std::string &lot_id) {
  OnExit guard{[&lot_id] { hammer(lot_id); }};
}
void on_the_spot(const std::string &lot_id) {
  [&lot_id] { hammer(lot_id); }();
}

// The handlers finish inside the run() that follows in the parameter's scope.
void drive(const std::string &lot_id) {
  net::io_context ioc;
  net::post(ioc, [&lot_id] { hammer(lot_id); });
  ioc.run();
}

// A joined thread ends before the function returns.
void joined(const std::vector<int> &ids) {
  std::thread t([&ids] { notify_all(ids); });
  t.join();
}
