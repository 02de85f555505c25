// Coroutines started with co_spawn: the coroutine function runs later, on the context, unless the
// spawn is awaited in place.
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-deferred-ref-capture' -- -std=c++20 -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --fix --checks='-*,errorshield-deferred-ref-capture' -- -std=c++20 -isystem %mocks
// RUN: FileCheck %s --check-prefix=CHECK-FIXES --input-file=%t.cpp
// RUN: %clangxx -fsyntax-only -std=c++20 -isystem %mocks %t.cpp

#include "asio_io.h"

namespace net = boost::asio;
void audit_log(const std::string &);

void audit_later(net::io_context &ioc, std::string account) {
  net::co_spawn(ioc, [&account]() -> net::awaitable<void> { audit_log(account); co_return; },
                net::detached);
// CHECK-MESSAGES: :[[@LINE-2]]:23: warning: 'account' is captured by reference by a completion handler that may run after 'account' goes out of scope [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
// CHECK-MESSAGES: :[[@LINE-3]]:3: note: the handler is passed to 'co_spawn' here
// CHECK-FIXES: net::co_spawn(ioc, [account]() -> net::awaitable<void> { audit_log(account); co_return; },
}

// Awaited in place: the spawning coroutine resumes only after the spawned one has finished.
net::awaitable<void> audit_now(net::io_context &ioc, std::string account) {
  co_await net::co_spawn(ioc, [&account]() -> net::awaitable<void> { audit_log(account); co_return; },
                         net::use_awaitable);
}

// The context runs in this scope, after the spawn: the coroutine ends before `account` does.
void audit_and_run(std::string account) {
  net::io_context ioc;
  net::co_spawn(ioc, [&account]() -> net::awaitable<void> { audit_log(account); co_return; },
                net::detached);
  ioc.run();
}
