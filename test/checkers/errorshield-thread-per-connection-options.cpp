// Option variants. Catalog defaults (prefix DEFAULT). A project's own acceptor replaces the accept
// list (prefix CUSTOM). Only std::thread counts (prefix STDTHREAD). Options as clang-tidy sees them.
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-thread-per-connection' -- -std=c++20 -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=DEFAULT --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-thread-per-connection' \
// RUN:   -config="{CheckOptions: {errorshield-thread-per-connection.AcceptFunctions: 'net::listener::next_client'}}" \
// RUN:   -- -std=c++20 -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CUSTOM --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-thread-per-connection' \
// RUN:   -config="{CheckOptions: {errorshield-thread-per-connection.ThreadTypes: 'std::thread'}}" \
// RUN:   -- -std=c++20 -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=STDTHREAD --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-thread-per-connection' --dump-config \
// RUN:   | FileCheck %s --check-prefix=DUMP
// DUMP: errorshield-thread-per-connection.AcceptFunctions: 'asio::basic_socket_acceptor::accept;::accept;::accept4'
// DUMP: errorshield-thread-per-connection.ThreadStartFunctions: 'boost::thread_group::create_thread;::pthread_create;std::async'
// DUMP: errorshield-thread-per-connection.ThreadTypes: 'std::thread;std::jthread;boost::thread;boost::asio::thread_pool'

#include <sys/socket.h>
#include <thread>

namespace net {
struct listener {
  int next_client(); // the project's blocking accept
};
} // namespace net

void serve_fd(int fd);

void own_listener(net::listener &l) {
  for (;;) {
    int fd = l.next_client();
    std::jthread(&serve_fd, fd).detach();
// CUSTOM: :[[@LINE-1]]:5: warning: std::jthread created for every accepted connection: one OS thread per client exhausts memory and the scheduler as clients grow [ES-CONCURRENCY-002] [errorshield-thread-per-connection]
// CUSTOM: :33:16: note: connections are accepted by this 'next_client' in the same loop
// CUSTOM: :[[@LINE-3]]:5: note: serve connections asynchronously on a fixed pool of threads that run one io_context
  }
}

void posix_listener(int listen_fd) {
  for (;;)
    std::thread(&serve_fd, ::accept(listen_fd, nullptr, nullptr)).detach();
// DEFAULT: :[[@LINE-1]]:5: warning: std::thread created for every accepted connection: one OS thread per client exhausts memory and the scheduler as clients grow [ES-CONCURRENCY-002] [errorshield-thread-per-connection]
// DEFAULT: :[[@LINE-2]]:28: note: connections are accepted by this 'accept' in the same loop
// DEFAULT: :[[@LINE-3]]:5: note: serve connections asynchronously on a fixed pool of threads that run one io_context
// STDTHREAD: :[[@LINE-4]]:5: warning: std::thread created for every accepted connection: one OS thread per client exhausts memory and the scheduler as clients grow [ES-CONCURRENCY-002] [errorshield-thread-per-connection]
// STDTHREAD: :[[@LINE-5]]:28: note: connections are accepted by this 'accept' in the same loop
// STDTHREAD: :[[@LINE-6]]:5: note: serve connections asynchronously on a fixed pool of threads that run one io_context
}
