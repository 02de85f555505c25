// File I/O through iostreams, blocking client libraries, helpers reported where the handler calls
// them, and coroutines handed to a thread pool.
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-blocking-in-handler' -- -std=c++20 -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'

#include "asio_io.h"
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace beast = boost::beast;
namespace net = boost::asio;
namespace websocket = beast::websocket;
using namespace std::chrono_literals;

struct sqlite3;
extern "C" int sqlite3_exec(sqlite3 *, const char *, int (*)(void *, int, char **, char **), void *,
                            char **);

// ---- 1. Files read and written in a completion handler ----

class audit_session {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::string line_;
  net::thread_pool &pool_;
  sqlite3 *db_;

public:
  void run() {
    ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      std::ofstream out("/var/log/audit.log", std::ios::app); // opening alone is not reported
      out << line_ << '\n';
// CHECK-MESSAGES: :[[@LINE-1]]:11: warning: 'basic_ofstream::operator<<' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :34:9: note: the handler runs when 'async_read' completes; use the asynchronous operation or post the blocking work to a separate thread pool
      std::ifstream banner("/etc/motd");
      std::stringstream text;
      text << banner.rdbuf();
// CHECK-MESSAGES: :[[@LINE-1]]:12: warning: 'basic_filebuf::operator<<' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :34:9: note: the handler runs when 'async_read' completes; use the asynchronous operation or post the blocking work to a separate thread pool
      std::string first;
      std::getline(banner, first);
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'std::getline' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :34:9: note: the handler runs when 'async_read' completes; use the asynchronous operation or post the blocking work to a separate thread pool
      char header[16];
      banner.read(header, sizeof header);
// CHECK-MESSAGES: :[[@LINE-1]]:14: warning: 'basic_ifstream::read' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :34:9: note: the handler runs when 'async_read' completes; use the asynchronous operation or post the blocking work to a separate thread pool
      sqlite3_exec(db_, "INSERT INTO audit VALUES (1)", nullptr, nullptr, nullptr);
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: '::sqlite3_exec' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :34:9: note: the handler runs when 'async_read' completes; use the asynchronous operation or post the blocking work to a separate thread pool

      // In-memory streams do not block.
      std::ostringstream reply;
      reply << "ack " << line_;
      std::istringstream fields(line_);
      std::string word;
      fields >> word;
      std::getline(fields, word);

      // The same work posted to the pool is off the I/O thread.
      net::post(pool_, [line = line_] {
        std::ofstream out("/var/log/audit.log", std::ios::app);
        out << line << '\n';
      });
    });
  }
};

// ---- 2. Helpers: reported at each call in the handler, not where they are used elsewhere ----

std::string load_template(const std::string &path) {
  std::ifstream in(path);
  std::stringstream all;
  all << in.rdbuf(); // fine in main(); reported where a handler calls it
  return all.str();
}

void pace() { std::this_thread::sleep_for(20ms); }

net::awaitable<void> flush_journal(std::string line) {
  std::ofstream out("/var/log/journal.log", std::ios::app);
  out << line;
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'basic_ofstream::operator<<' blocks the I/O thread inside a coroutine: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :[[@LINE-4]]:22: note: the coroutine runs on its executor's thread; co_await the asynchronous operation or post the blocking work to a separate thread pool
  co_return;
}

net::awaitable<void> greet(websocket::stream<beast::tcp_stream> &ws) {
  std::string page = load_template("/etc/greeting.html");
// CHECK-MESSAGES: :[[@LINE-1]]:22: warning: call to 'load_template' blocks the I/O thread inside a coroutine: it calls 'basic_filebuf::operator<<', and every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :80:7: note: 'basic_filebuf::operator<<' blocks here, in 'load_template'
// CHECK-MESSAGES: :[[@LINE-4]]:22: note: the coroutine runs on its executor's thread; co_await the asynchronous operation or post the blocking work to a separate thread pool
  pace();
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: call to 'pace' blocks the I/O thread inside a coroutine: it calls 'std::this_thread::sleep_for', and every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :84:15: note: 'std::this_thread::sleep_for' blocks here, in 'pace'
// CHECK-MESSAGES: :[[@LINE-8]]:22: note: the coroutine runs on its executor's thread; co_await the asynchronous operation or post the blocking work to a separate thread pool
  pace();
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: call to 'pace' blocks the I/O thread inside a coroutine: it calls 'std::this_thread::sleep_for', and every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :84:15: note: 'std::this_thread::sleep_for' blocks here, in 'pace'
// CHECK-MESSAGES: :[[@LINE-12]]:22: note: the coroutine runs on its executor's thread; co_await the asynchronous operation or post the blocking work to a separate thread pool
  // A coroutine called here is judged on its own (above), not again at the call.
  co_await flush_journal(page);
}

// A free helper is a utility that may also run elsewhere: reported where the handler calls it,
// once, with a note at its first blocking call (a member helper: the end of this file).
void drain_outbox(std::ofstream &outbox, const std::string &line) {
  outbox.flush();
// CHECK-MESSAGES: :[[@LINE+12]]:7: warning: call to 'drain_outbox' blocks the I/O thread inside a completion handler: it calls 'basic_ofstream::flush', and every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :[[@LINE-2]]:10: note: 'basic_ofstream::flush' blocks here, in 'drain_outbox'
// CHECK-MESSAGES: :[[@LINE+8]]:9: note: the handler runs when 'async_wait' completes; use the asynchronous operation or post the blocking work to a separate thread pool
  outbox.write(line.data(), 1);
// The write is part of the same finding: one per call of the helper.
//
//
}

void on_tick(net::steady_timer &timer, std::ofstream &outbox) {
  timer.async_wait([&](beast::error_code ec) {
    if (!ec)
      drain_outbox(outbox, "tick");
  });
}

// A coroutine that hops onto a pool for its blocking part and back.
net::awaitable<void> archive(net::thread_pool &pool, net::io_context &ioc, std::string line) {
  co_await net::post(pool, net::use_awaitable);
  std::ofstream out("/var/log/archive.log", std::ios::app);
  out << line; // on the pool
  co_await net::post(ioc, net::use_awaitable);
  out << line;
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'basic_ofstream::operator<<' blocks the I/O thread inside a coroutine: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :[[@LINE-7]]:22: note: the coroutine runs on its executor's thread; co_await the asynchronous operation or post the blocking work to a separate thread pool
  if (line.empty()) {
    co_await net::post(pool.get_executor(), net::use_awaitable);
    std::this_thread::sleep_for(1s); // on the pool until the end of the block
  }
}

int main() {
  std::string page = load_template("/etc/greeting.html"); // start-up code: not a handler
  pace();
  return page.empty();
}

// ---- 3. Coroutines co_spawned on a thread pool run on the pool's threads ----

void spawn_work(net::io_context &ioc, net::thread_pool &pool) {
  net::co_spawn(pool, []() -> net::awaitable<void> {
    std::this_thread::sleep_for(50ms); // the pool is there to block
    co_return;
  }, net::detached);
  net::co_spawn(pool.get_executor(), []() -> net::awaitable<void> {
    pace();
    co_return;
  }(), net::detached);
  net::co_spawn(ioc, []() -> net::awaitable<void> {
    std::this_thread::sleep_for(50ms);
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'std::this_thread::sleep_for' blocks the I/O thread inside a coroutine: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :[[@LINE-3]]:22: note: the coroutine runs on its executor's thread; co_await the asynchronous operation or post the blocking work to a separate thread pool
    co_return;
  }, net::detached);
}

// A member helper only its own class calls is a piece of the handler: reported inside, where it
// blocks, each blocking call on its own.
class journal {
  std::ofstream outbox_;
  void drain() {
    outbox_.flush();
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'basic_ofstream::flush' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :[[@LINE-2]]:13: note: reached from the completion handler through a call to 'drain'
// CHECK-MESSAGES: :[[@LINE+9]]:11: note: the handler runs when 'async_wait' completes; use the asynchronous operation or post the blocking work to a separate thread pool
    outbox_.write("x", 1);
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'basic_ofstream::write' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :[[@LINE-2]]:13: note: reached from the completion handler through a call to 'drain'
// CHECK-MESSAGES: :[[@LINE+5]]:11: note: the handler runs when 'async_wait' completes; use the asynchronous operation or post the blocking work to a separate thread pool
  }

public:
  void on_tick(net::steady_timer &timer) {
    timer.async_wait([this](beast::error_code ec) {
      if (!ec)
        drain();
    });
  }
};

// Opening a file blocks too; when the stream is then read or written by a blocking call, that
// call is the finding.
std::string read_whole(const std::string &path) {
  std::ifstream in(path);
  return std::string();
}
void on_banner(net::steady_timer &timer, std::string &banner) {
  timer.async_wait([&](beast::error_code) { banner = read_whole("/etc/banner"); });
// CHECK-MESSAGES: :[[@LINE-1]]:54: warning: call to 'read_whole' blocks the I/O thread inside a completion handler: it calls 'std::basic_ifstream (opening a file)', and every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :[[@LINE-6]]:17: note: 'std::basic_ifstream (opening a file)' blocks here, in 'read_whole'
// CHECK-MESSAGES: :[[@LINE-3]]:9: note: the handler runs when 'async_wait' completes; use the asynchronous operation or post the blocking work to a separate thread pool
}

// A piece of the handler (a member only its class names) that calls a shared utility: the
// finding is at that call, the first one on the way to a function others call too.
void append_audit(const std::string &path, const std::string &line) {
  std::ofstream out(path, std::ios::app);
}
class grader {
  std::string audit_path_;
  void record(const std::string &line) {
    append_audit(audit_path_, line);
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: call to 'append_audit' blocks the I/O thread inside a completion handler: it calls 'std::basic_ofstream (opening a file)', and every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :[[@LINE-7]]:17: note: 'std::basic_ofstream (opening a file)' blocks here, in 'append_audit'
// CHECK-MESSAGES: :[[@LINE+5]]:11: note: the handler runs when 'async_wait' completes; use the asynchronous operation or post the blocking work to a separate thread pool
  }

public:
  void on_answer(net::steady_timer &timer) {
    timer.async_wait([this](beast::error_code) { record("answer"); });
  }
};
