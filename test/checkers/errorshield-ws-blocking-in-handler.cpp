// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-blocking-in-handler' -- -std=c++20 -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'

#include "asio_io.h"
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <unistd.h>

namespace beast = boost::beast;
namespace net = boost::asio;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

// ---- 1. Member functions bound as completion handlers ----

class chat_session : public std::enable_shared_from_this<chat_session> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::string reply_;
  net::steady_timer timer_;
  net::thread_pool &pool_;

public:
  void run() {
    ws_.async_read(buffer_, beast::bind_front_handler(&chat_session::on_read, shared_from_this()));
  }
  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    ws_.write(net::buffer(reply_));
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'stream::write' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :33:9: note: the handler runs when 'async_read' completes; use the asynchronous operation or post the blocking work to a separate thread pool
    audit();
    ws_.async_write(net::buffer(reply_), [](beast::error_code, std::size_t) {}); // asynchronous
    ws_.text(true);
  }
  void audit() { throttle(); }
  void throttle() { timer_.wait(); }
// CHECK-MESSAGES: :[[@LINE-1]]:28: warning: 'steady_timer::wait' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :[[@LINE-2]]:28: note: reached from the completion handler through a call to 'audit'
// CHECK-MESSAGES: :33:9: note: the handler runs when 'async_read' completes; use the asynchronous operation or post the blocking work to a separate thread pool

  void close_later() {
    timer_.async_wait(net::bind_executor(net::strand<net::io_context::executor_type>({}),
                                         [this](beast::error_code) { ws_.close(1000); }));
// CHECK-MESSAGES: :[[@LINE-1]]:74: warning: 'stream::close' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :52:12: note: the handler runs when 'async_wait' completes; use the asynchronous operation or post the blocking work to a separate thread pool
  }
  void offload() {
    timer_.async_wait([this](beast::error_code) {
      // Posted to a separate pool: the sleep does not hold the I/O thread.
      net::post(pool_, [] { std::this_thread::sleep_for(10ms); });
    });
  }
};

// ---- 2. Lambdas passed to initiating functions ----

void idle_timeouts(net::steady_timer &timer, tcp::socket &socket, beast::tcp_stream &stream) {
  timer.async_wait([&](beast::error_code) {
    socket.shutdown(0, *new beast::error_code); // no async twin: not blocking
    socket.close();
    stream.close();
  });
}

void waits(net::steady_timer &timer, std::future<int> &result, std::thread &worker,
           std::condition_variable &cv, std::mutex &m) {
  timer.async_wait([&](beast::error_code) {
    std::this_thread::sleep_for(5ms);
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'std::this_thread::sleep_for' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :77:9: note: the handler runs when 'async_wait' completes; use the asynchronous operation or post the blocking work to a separate thread pool
    int value = result.get();
// CHECK-MESSAGES: :[[@LINE-1]]:24: warning: 'std::future::get' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :77:9: note: the handler runs when 'async_wait' completes; use the asynchronous operation or post the blocking work to a separate thread pool
    worker.join();
// CHECK-MESSAGES: :[[@LINE-1]]:12: warning: 'std::thread::join' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :77:9: note: the handler runs when 'async_wait' completes; use the asynchronous operation or post the blocking work to a separate thread pool
    std::unique_lock<std::mutex> lock(m);
    cv.wait(lock);
// CHECK-MESSAGES: :[[@LINE-1]]:8: warning: 'std::condition_variable::wait' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :77:9: note: the handler runs when 'async_wait' completes; use the asynchronous operation or post the blocking work to a separate thread pool
    (void)value;
  });
  auto on_timer = [&](beast::error_code) { result.wait(); };
// CHECK-MESSAGES: :[[@LINE-1]]:51: warning: 'std::future::wait' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :96:9: note: the handler runs when 'async_wait' completes; use the asynchronous operation or post the blocking work to a separate thread pool
  timer.async_wait(on_timer);
}

void posix_calls(net::steady_timer &timer, int fd, const char *data) {
  timer.async_wait([=](beast::error_code) {
    ::usleep(100);
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: '::usleep' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :100:9: note: the handler runs when 'async_wait' completes; use the asynchronous operation or post the blocking work to a separate thread pool
    ::write(fd, data, 1);
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: '::write' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :100:9: note: the handler runs when 'async_wait' completes; use the asynchronous operation or post the blocking work to a separate thread pool
    std::system("logrotate -f /etc/logrotate.conf");
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: '::system' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :100:9: note: the handler runs when 'async_wait' completes; use the asynchronous operation or post the blocking work to a separate thread pool
  });
}

void sync_operations(tcp::acceptor &acceptor, tcp::socket &socket, tcp::resolver &resolver,
                     net::io_context &ioc) {
  acceptor.async_accept([&](beast::error_code) {
    acceptor.accept(socket);
// CHECK-MESSAGES: :[[@LINE-1]]:14: warning: 'basic_socket_acceptor::accept' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :115:12: note: the handler runs when 'async_accept' completes; use the asynchronous operation or post the blocking work to a separate thread pool
    beast::error_code ec;
    net::write(socket, net::buffer("hello"), ec);
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'boost::asio::write' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :115:12: note: the handler runs when 'async_accept' completes; use the asynchronous operation or post the blocking work to a separate thread pool
    socket.read_some(net::buffer("x"));
// CHECK-MESSAGES: :[[@LINE-1]]:12: warning: 'basic_stream_socket::read_some' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :115:12: note: the handler runs when 'async_accept' completes; use the asynchronous operation or post the blocking work to a separate thread pool
  });
  resolver.async_resolve("example.com", "443",
                         std::bind([&](int) { resolver.resolve("example.com", "80"); }, 1));
// CHECK-MESSAGES: :[[@LINE-1]]:56: warning: 'resolver::resolve' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :127:12: note: the handler runs when 'async_resolve' completes; use the asynchronous operation or post the blocking work to a separate thread pool
}

// ---- 3. Blocking calls outside handlers are the caller's business ----

void startup(tcp::socket &socket, std::future<int> &ready) {
  net::connect(socket, tcp::endpoint{});
  net::write(socket, net::buffer("hello"));
  ready.wait();
  std::this_thread::sleep_for(1s);
}

// ---- 4. Coroutines: their bodies run on the executor's thread ----

net::awaitable<void> greet(tcp::socket &socket) {
  net::write(socket, net::buffer("hello"));
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'boost::asio::write' blocks the I/O thread inside a coroutine: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :[[@LINE-3]]:22: note: the coroutine runs on its executor's thread; co_await the asynchronous operation or post the blocking work to a separate thread pool
  co_return;
}

void stackful_session(tcp::socket &socket, net::yield_context yield) {
  std::this_thread::sleep_for(5ms);
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'std::this_thread::sleep_for' blocks the I/O thread inside a coroutine: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :[[@LINE-3]]:6: note: the coroutine runs on its executor's thread; co_await the asynchronous operation or post the blocking work to a separate thread pool
}

void spawn_throttled(net::io_context &ioc) {
  net::co_spawn(
      ioc,
      []() -> net::awaitable<void> {
        std::this_thread::sleep_for(5ms);
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'std::this_thread::sleep_for' blocks the I/O thread inside a coroutine: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :[[@LINE-3]]:7: note: the coroutine runs on its executor's thread; co_await the asynchronous operation or post the blocking work to a separate thread pool
        co_return;
      },
      net::detached);
}

// ---- 5. Polling a future does not wait ----

void log_pending();
void poll_job(net::steady_timer &timer, std::future<int> &job) {
  timer.async_wait([&](beast::error_code) {
    if (job.wait_for(0s) == std::future_status::ready) {
      int done = job.get(); // ready: returns at once
      (void)done;
    }
    if (job.wait_for(0s) != std::future_status::ready) {
      int early = job.get(); // the branch where it is not ready: waits
// CHECK-MESSAGES: :[[@LINE-1]]:23: warning: 'std::future::get' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :[[@LINE-8]]:9: note: the handler runs when 'async_wait' completes; use the asynchronous operation or post the blocking work to a separate thread pool
      (void)early;
    }
    if (job.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
      log_pending(); // does not leave: the get() below may wait
    int late = job.get();
// CHECK-MESSAGES: :[[@LINE-1]]:20: warning: 'std::future::get' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :[[@LINE-15]]:9: note: the handler runs when 'async_wait' completes; use the asynchronous operation or post the blocking work to a separate thread pool
    (void)late;
    if (job.wait_for(0s) != std::future_status::ready)
      return;
    int after_guard = job.get(); // the guard left unless ready
    (void)after_guard;
  });
}

// ---- 6. A member helper only its own class calls is a piece of the session ----

class bid_session {
  net::steady_timer timer_;
  std::future<bool> credit_;
  void check_credit() {
    if (!credit_.get()) // called from two handlers of this class: reported here, once
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: 'std::future::get' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :[[@LINE-2]]:18: note: reached from the completion handler through a call to 'check_credit'
// CHECK-MESSAGES: :[[@LINE+4]]:12: note: the handler runs when 'async_wait' completes; use the asynchronous operation or post the blocking work to a separate thread pool
      return;
  }
  void on_bid() {
    timer_.async_wait([this](beast::error_code) { check_credit(); });
  }
  void on_fast_bid() {
    timer_.async_wait([this](beast::error_code) { check_credit(); });
  }
};

// Work posted to an io_context (or its strand) runs on an I/O thread like a handler; work posted
// to a thread pool does not.
class lobby {
  net::io_context &ioc_;
  net::thread_pool &bg_;

public:
  void vote(int track) {
    net::post(ioc_, [track] { std::this_thread::sleep_for(std::chrono::milliseconds(track)); });
// CHECK-MESSAGES: :[[@LINE-1]]:31: warning: 'std::this_thread::sleep_for' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :[[@LINE-2]]:5: note: the work 'post' queues here runs on an I/O thread; post the blocking work to a separate thread pool
    net::post(bg_, [track] { std::this_thread::sleep_for(std::chrono::milliseconds(track)); });
    net::post(bg_.get_executor(), [] { std::this_thread::sleep_for(1ms); });
  }
};

// A socket put in non-blocking mode returns would_block rather than wait.
class flusher {
  net::io_context &ioc_;
  tcp::socket socket_;
  std::string pending_;

public:
  void flush_soon() {
    net::post(ioc_, [this] {
      beast::error_code ec;
      socket_.non_blocking(true, ec);
      socket_.write_some(net::buffer(pending_), ec);
    });
  }
  void flush_now() {
    net::post(ioc_, [this] {
      beast::error_code ec;
      socket_.write_some(net::buffer(pending_), ec);
// CHECK-MESSAGES: :[[@LINE-1]]:15: warning: 'basic_stream_socket::write_some' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :[[@LINE-4]]:5: note: the work 'post' queues here runs on an I/O thread; post the blocking work to a separate thread pool
    });
  }
};

// C stdio file I/O blocks like the POSIX calls; fprintf, mostly logging, is not listed.
#include <cstdio>
void stdio_calls(net::steady_timer &timer, std::FILE *journal, const char *row) {
  timer.async_wait([=](beast::error_code) {
    std::fwrite(row, 1, 8, journal);
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: '::fwrite' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :[[@LINE-3]]:9: note: the handler runs when 'async_wait' completes; use the asynchronous operation or post the blocking work to a separate thread pool
    std::fprintf(stderr, "journal row written\n");
  });
}

// A std::function member holding a lambda that re-arms its own timer with itself: the lambda is
// the timer's completion handler.
#include <functional>
void sample_probe();
class probe_poller {
public:
  void start() {
    tick_ = [this](beast::error_code ec) {
      if (ec)
        return;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'std::this_thread::sleep_for' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// CHECK-MESSAGES: :[[@LINE+4]]:12: note: the handler runs when 'async_wait' completes; use the asynchronous operation or post the blocking work to a separate thread pool
      sample_probe();
      timer_.async_wait(tick_);
    };
    timer_.async_wait(tick_);
  }

private:
  net::steady_timer timer_;
  std::function<void(beast::error_code)> tick_;
};
