// Real Boost 1.81 Beast/Asio headers (not mocks): the check must find the bugs and stay quiet on
// the shapes Beast's own examples use (shared_from_this handlers, [&ioc] in signal handlers and
// pool threads, threads joined in main).
// RUN: %clang_tidy %s --checks='-*,errorshield-deferred-ref-capture' -- -std=c++20 \
// RUN:   | FileCheck %s --implicit-check-not='{{warning|error|note}}:'

#include <boost/asio/signal_set.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <csignal>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace net = boost::asio;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

void deliver(const std::string &);

class session : public std::enable_shared_from_this<session> {
public:
  explicit session(tcp::socket &&socket) : ws_(std::move(socket)) {}

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&session::on_read, shared_from_this()));
  }

  // The seed bug in handler form: `text` dies when do_notify returns, the write completes later.
  void do_notify(int user) {
    std::string text = "user " + std::to_string(user) + " left";
    ws_.async_write(net::buffer(text), [&text](beast::error_code, std::size_t) { deliver(text); });
    // CHECK: :[[@LINE-1]]:41: warning: 'text' is captured by reference by a completion handler that may run after 'text' goes out of scope [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
    // CHECK: :[[@LINE-2]]:9: note: the handler is passed to 'async_write' here
  }

  void do_ping_later(net::steady_timer &timer) {
    std::string note = "ping";
    timer.async_wait(net::bind_executor(ws_.get_executor(), [&](beast::error_code) { deliver(note); }));
    // CHECK: :[[@LINE-1]]:61: warning: 'note' is captured by reference by a completion handler that may run after 'note' goes out of scope [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
    // CHECK: :[[@LINE-2]]:11: note: the handler is passed to 'async_wait' here
  }

private:
  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    // Fine: the handler owns a reference-counted session, not a local.
    auto self = shared_from_this();
    net::post(ws_.get_executor(), [self] { self->do_read(); });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

void audit_in_background(const std::string &who) {
  std::string line = "audit " + who;
  std::thread([&line] { deliver(line); }).detach();
  // CHECK: :[[@LINE-1]]:16: warning: 'line' is captured by reference by a detached thread that may run after 'line' goes out of scope [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
  // CHECK: :[[@LINE-2]]:43: note: the thread is detached here
}

int main() {
  net::io_context ioc{2};
  std::string banner = "shutting down";

  // Fine: the context itself, and a handler that completes inside ioc.run() below.
  net::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code const &, int) { deliver(banner); ioc.stop(); });

  // Fine: pool threads capture the context and are joined before main's locals die.
  std::vector<std::thread> pool;
  for (int i = 0; i < 2; ++i)
    pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto &t : pool)
    t.join();
}
