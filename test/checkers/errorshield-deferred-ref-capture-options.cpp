// Option variants. By default only the built-in lists apply (DEFAULT); a .clang-tidy CheckOption
// replaces a list (REPLACE); an extra catalog named by the global option ErrorShieldExtraCatalog
// extends the built-in lists (EXTEND).
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-deferred-ref-capture' -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=DEFAULT --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-deferred-ref-capture' \
// RUN:   -config="{CheckOptions: {errorshield-deferred-ref-capture.GuardTypes: 'legacy::ScopedCall', errorshield-deferred-ref-capture.ExecutionContextTypes: ''}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=REPLACE --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-deferred-ref-capture' \
// RUN:   -config="{CheckOptions: {ErrorShieldExtraCatalog: '%S/Inputs/catalogs/extra-guards.json'}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=EXTEND --implicit-check-not='{{warning|error|note}}:'
// The effective options are the catalog's lists, overridable and written back by --dump-config.
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-deferred-ref-capture' --dump-config \
// RUN:   | FileCheck %s --check-prefix=DUMP
// DUMP-DAG: errorshield-deferred-ref-capture.GuardTypes: 'absl::Cleanup;gsl::final_action;
// DUMP-DAG: errorshield-deferred-ref-capture.AsyncOperationPrefix: async_
// DUMP-DAG: errorshield-deferred-ref-capture.GuardDismissMethods: 'dismiss;release;Cancel;cancel'
// DUMP-DAG: errorshield-deferred-ref-capture.ContextRunMethods: 'run;run_one;run_for;run_until;poll;poll_one;join;wait'
// DUMP-DAG: errorshield-deferred-ref-capture.ValueParameterTypes: 'std::basic_string;std::vector;std::map;std::unordered_map;std::set;std::optional;std::shared_ptr;std::chrono::duration;std::chrono::time_point'

#include "deferred.h"

void close_conn(int);
int reopen();

namespace legacy {
// Runs its callable through a helper the check cannot see into: only a list can name it.
template <class F> class ScopedCall {
public:
  explicit ScopedCall(F f) : f_(std::move(f)) {}
  ~ScopedCall() { fire(); }
private:
  void fire() { f_(); }
  F f_;
};
template <class F> void run_later(F &&) {}
} // namespace legacy

void legacy_guard(int id) {
  int conn = id;
  legacy::ScopedCall guard([&conn] { close_conn(conn); });
  // REPLACE: :[[@LINE-1]]:29: warning: 'conn' is captured by reference in a deferred cleanup and modified after the guard is created [ES-LIFETIME-001]
  // REPLACE: :[[@LINE+3]]:3: note: 'conn' is modified here, before the cleanup runs
  // EXTEND: :[[@LINE-3]]:29: warning: 'conn' is captured by reference in a deferred cleanup and modified after the guard is created [ES-LIFETIME-001]
  // EXTEND: :[[@LINE+1]]:3: note: 'conn' is modified here, before the cleanup runs
  conn = reopen();
}

void absl_guard(int id) {
  int conn = id;
  auto guard = absl::MakeCleanup([&conn] { close_conn(conn); });
  // DEFAULT: :[[@LINE-1]]:35: warning: 'conn' is captured by reference in a deferred cleanup and modified after the guard is created [ES-LIFETIME-001]
  // DEFAULT: :[[@LINE+6]]:3: note: 'conn' is modified here, before the cleanup runs
  // The factory list still names absl::MakeCleanup after GuardTypes was replaced.
  // REPLACE: :[[@LINE-4]]:35: warning: 'conn' is captured by reference in a deferred cleanup
  // REPLACE: :[[@LINE+3]]:3: note: 'conn' is modified here
  // EXTEND: :[[@LINE-6]]:35: warning: 'conn' is captured by reference in a deferred cleanup
  // EXTEND: :[[@LINE+1]]:3: note: 'conn' is modified here
  conn = reopen();
}

void legacy_deferred(int id) {
  int conn = id;
  legacy::run_later([&conn] { close_conn(conn); });
  // EXTEND: :[[@LINE-1]]:22: warning: 'conn' is captured by reference by a completion handler that may run after 'conn' goes out of scope [ES-LIFETIME-001]
  // EXTEND: :[[@LINE-2]]:3: note: the handler is passed to 'run_later' here
}

void execution_context_capture(boost::asio::steady_timer &timer) {
  boost::asio::io_context ioc;
  timer.async_wait([&ioc](int) { ioc.stop(); });
  // With ExecutionContextTypes emptied, capturing the context is no longer exempt.
  // REPLACE: :[[@LINE-2]]:21: warning: 'ioc' is captured by reference by a completion handler that may run after 'ioc' goes out of scope [ES-LIFETIME-001]
  // REPLACE: :[[@LINE-3]]:9: note: the handler is passed to 'async_wait' here
  // REPLACE: :[[@LINE-5]]:27: note: 'ioc' cannot simply be captured by value (not copyable, or modified by the lambda); give the deferred code its own copy or shared ownership
}
