// The connection handed on before the thread is made: to a template's member that emplaces into
// a container it reaches through a pointer, and to a lambda stored in a std::function member.
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-thread-per-connection' -- -std=c++20 -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'

#include "asio_io.h"
#include <functional>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

void ingest(tcp::socket s);

// ---- A template registry that emplaces into a container it holds by pointer ----
template <class Transport> class station_registry {
public:
  explicit station_registry(std::vector<std::thread> *workers) : workers_(workers) {}
  void adopt(Transport t) {
    workers_->emplace_back(&station_registry::pump, this, std::move(t));
// CHECK-MESSAGES: :[[@LINE-1]]:15: warning: std::thread created for every accepted connection: one OS thread per client exhausts memory and the scheduler as clients grow [ES-CONCURRENCY-002] [errorshield-thread-per-connection]
// CHECK-MESSAGES: :[[@LINE+15]]:30: note: connections are accepted by this 'accept' in the same loop
// CHECK-MESSAGES: :[[@LINE-3]]:15: note: serve connections asynchronously on a fixed pool of threads that run one io_context
  }
  void start_flusher() { workers_->emplace_back([] {}); } // not handed a connection

private:
  void pump(Transport t) { (void)t; }
  std::vector<std::thread> *workers_;
};

void station_listener(tcp::acceptor &acceptor) {
  static std::vector<std::thread> workers;
  static station_registry<tcp::socket> registry(&workers);
  registry.start_flusher();
  for (;;) {
    tcp::socket s = acceptor.accept();
    registry.adopt(std::move(s));
  }
}

// ---- A lambda stored in a std::function member, called with the accepted socket ----
class station_server {
public:
  std::function<void(tcp::socket)> on_link;
  std::function<void(int)> on_count;

  explicit station_server(asio::io_context &ioc) : acceptor_(ioc) {
    on_link = [](tcp::socket s) {
      std::thread burst(ingest, std::move(s));
// CHECK-MESSAGES: :[[@LINE-1]]:19: warning: std::thread created for every accepted connection: one OS thread per client exhausts memory and the scheduler as clients grow [ES-CONCURRENCY-002] [errorshield-thread-per-connection]
// CHECK-MESSAGES: :[[@LINE+9]]:15: note: created in the completion handler of this 'async_accept'
// CHECK-MESSAGES: :[[@LINE-3]]:19: note: serve connections asynchronously on a fixed pool of threads that run one io_context
      burst.detach();
    };
    // Stored too, but called with a count, not the connection: its thread is not per connection.
    on_count = [](int n) { std::thread([n] { (void)n; }).detach(); };
  }

  void accept_next() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (!ec) {
        on_count(1);
        on_link(std::move(s));
      }
      accept_next();
    });
  }

private:
  tcp::acceptor acceptor_;
};
