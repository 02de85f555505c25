// Option variants. Catalog defaults: helpers the handler calls are followed two levels deep
// (prefix DEFAULT). HelperDepth 0: only the handler's own body counts (prefix BODY). A project's own
// blocking call replaces the list (prefix CUSTOM). The options as clang-tidy sees them (DUMP).
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-blocking-in-handler' -- -std=c++20 -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=DEFAULT --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-blocking-in-handler' \
// RUN:   -config="{CheckOptions: {errorshield-ws-blocking-in-handler.HelperDepth: '0'}}" \
// RUN:   -- -std=c++20 -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=BODY --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-blocking-in-handler' \
// RUN:   -config="{CheckOptions: {errorshield-ws-blocking-in-handler.BlockingFunctions: 'db::connection::query'}}" \
// RUN:   -- -std=c++20 -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CUSTOM --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-blocking-in-handler' --dump-config \
// RUN:   | FileCheck %s --check-prefix=DUMP
// DUMP: errorshield-ws-blocking-in-handler.AsyncPrefix: async_
// DUMP: errorshield-ws-blocking-in-handler.CoroutineTypes: 'boost::asio::awaitable;asio::awaitable;boost::asio::basic_yield_context;asio::basic_yield_context'
// DUMP: errorshield-ws-blocking-in-handler.FileStreamMethods: 'read;readsome;write;get;getline;put;flush;ignore'
// DUMP: errorshield-ws-blocking-in-handler.FileStreamTypes: 'std::basic_ifstream;std::basic_ofstream;std::basic_fstream;std::basic_filebuf'
// DUMP: errorshield-ws-blocking-in-handler.HelperDepth: '2'
// DUMP: errorshield-ws-blocking-in-handler.ThreadPoolTypes: 'boost::asio::thread_pool;asio::thread_pool'

#include "asio_io.h"
#include <chrono>
#include <thread>

namespace beast = boost::beast;
namespace net = boost::asio;

namespace db {
struct connection {
  int query(const char *sql); // waits for the database server
};
} // namespace db

class order_session {
  net::steady_timer timer_;
  db::connection &db_;

  void persist() { db_.query("INSERT INTO orders VALUES (1)"); }
// CUSTOM: :[[@LINE-1]]:24: warning: 'db::connection::query' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CUSTOM: :[[@LINE-2]]:24: note: reached from the completion handler through a call to 'persist'
// CUSTOM: :52:12: note: the handler runs when 'async_wait' completes; use the asynchronous operation or post the blocking work to a separate thread pool
  void backoff() { std::this_thread::sleep_for(std::chrono::milliseconds(5)); }
// DEFAULT: :[[@LINE-1]]:20: warning: 'std::this_thread::sleep_for' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// DEFAULT: :[[@LINE-2]]:20: note: reached from the completion handler through a call to 'backoff'
// DEFAULT: :52:12: note: the handler runs when 'async_wait' completes; use the asynchronous operation or post the blocking work to a separate thread pool

public:
  void arm() {
    timer_.async_wait([this](beast::error_code) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
// DEFAULT: :[[@LINE-1]]:7: warning: 'std::this_thread::sleep_for' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// DEFAULT: :52:12: note: the handler runs when 'async_wait' completes; use the asynchronous operation or post the blocking work to a separate thread pool
// BODY: :[[@LINE-3]]:7: warning: 'std::this_thread::sleep_for' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// BODY: :52:12: note: the handler runs when 'async_wait' completes; use the asynchronous operation or post the blocking work to a separate thread pool
      persist();
      backoff();
    });
  }
};
