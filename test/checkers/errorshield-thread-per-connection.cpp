// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-thread-per-connection' -- -std=c++20 -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'

#include "asio_io.h"
#include <cstdint>
#include <future>
#include <memory>
#include <pthread.h>
#include <sys/socket.h>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

void serve(tcp::socket socket);
void serve_fd(int fd);

// ---- 1. Accept loops that start a thread per connection ----

void detached_per_client(net::io_context &ioc, tcp::acceptor &acceptor) {
  for (;;) {
    tcp::socket socket(ioc);
    acceptor.accept(socket);
    std::thread(&serve, std::move(socket)).detach();
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: std::thread created for every accepted connection: one OS thread per client exhausts memory and the scheduler as clients grow [ES-CONCURRENCY-002] [errorshield-thread-per-connection]
// CHECK-MESSAGES: :26:14: note: connections are accepted by this 'accept' in the same loop
// CHECK-MESSAGES: :[[@LINE-3]]:5: note: serve connections asynchronously on a fixed pool of threads that run one io_context
  }
}

void stored_per_client(int listen_fd) {
  std::vector<std::thread> clients;
  std::vector<std::unique_ptr<std::jthread>> sessions;
  while (true) {
    int fd = ::accept(listen_fd, nullptr, nullptr);
    if (fd < 0)
      continue;
    clients.emplace_back(&serve_fd, fd);
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: std::thread created for every accepted connection: one OS thread per client exhausts memory and the scheduler as clients grow [ES-CONCURRENCY-002] [errorshield-thread-per-connection]
// CHECK-MESSAGES: :38:14: note: connections are accepted by this 'accept' in the same loop
// CHECK-MESSAGES: :[[@LINE-3]]:13: note: serve connections asynchronously on a fixed pool of threads that run one io_context
    sessions.push_back(std::make_unique<std::jthread>(&serve_fd, fd));
// CHECK-MESSAGES: :[[@LINE-1]]:24: warning: std::jthread created for every accepted connection: one OS thread per client exhausts memory and the scheduler as clients grow [ES-CONCURRENCY-002] [errorshield-thread-per-connection]
// CHECK-MESSAGES: :38:14: note: connections are accepted by this 'accept' in the same loop
// CHECK-MESSAGES: :[[@LINE-3]]:24: note: serve connections asynchronously on a fixed pool of threads that run one io_context
    std::thread named(&serve_fd, fd);
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: std::thread created for every accepted connection: one OS thread per client exhausts memory and the scheduler as clients grow [ES-CONCURRENCY-002] [errorshield-thread-per-connection]
// CHECK-MESSAGES: :38:14: note: connections are accepted by this 'accept' in the same loop
// CHECK-MESSAGES: :[[@LINE-3]]:17: note: serve connections asynchronously on a fixed pool of threads that run one io_context
    named.detach();
  }
}

void accept_in_condition(int listen_fd) {
  int fd;
  while ((fd = ::accept4(listen_fd, nullptr, nullptr, 0)) >= 0) {
    auto *worker = new std::thread([fd] { serve_fd(fd); });
// CHECK-MESSAGES: :[[@LINE-1]]:24: warning: std::thread created for every accepted connection: one OS thread per client exhausts memory and the scheduler as clients grow [ES-CONCURRENCY-002] [errorshield-thread-per-connection]
// CHECK-MESSAGES: :59:16: note: connections are accepted by this 'accept4' in the same loop
// CHECK-MESSAGES: :[[@LINE-3]]:24: note: serve connections asynchronously on a fixed pool of threads that run one io_context
    worker->detach();
  }
}

// ---- 2. A thread per connection from the async_accept completion handler ----

class listener : public std::enable_shared_from_this<listener> {
  tcp::acceptor acceptor_;

public:
  void do_accept() {
    acceptor_.async_accept(beast::bind_front_handler(&listener::on_accept, shared_from_this()));
  }
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (!ec)
      std::thread(&serve, std::move(socket)).detach();
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: std::thread created for every accepted connection: one OS thread per client exhausts memory and the scheduler as clients grow [ES-CONCURRENCY-002] [errorshield-thread-per-connection]
// CHECK-MESSAGES: :75:15: note: created in the completion handler of this 'async_accept'
// CHECK-MESSAGES: :[[@LINE-3]]:7: note: serve connections asynchronously on a fixed pool of threads that run one io_context
    do_accept();
  }
};

// ---- 3. A fixed pool created once, outside the accept loop ----

void pooled(net::io_context &ioc, tcp::acceptor &acceptor, unsigned threads) {
  std::vector<std::thread> pool;
  for (unsigned i = 0; i < threads; ++i)
    pool.emplace_back([&ioc] { ioc.run(); });
  std::thread stats([] {});
  for (;;) {
    tcp::socket socket(ioc);
    acceptor.accept(socket);
    net::post(ioc, [] {}); // handed to the pool
  }
}

// Each pool thread runs its own accept loop (SO_REUSEPORT): the accept is inside the thread.
void reuseport_pool(int listen_fd, unsigned threads) {
  std::vector<std::thread> pool;
  for (unsigned i = 0; i < threads; ++i)
    pool.emplace_back([listen_fd] {
      for (;;)
        serve_fd(::accept(listen_fd, nullptr, nullptr));
    });
}

// Moving threads around in an accept loop creates none.
void rebalance(tcp::acceptor &acceptor, tcp::socket &socket, std::vector<std::thread> &workers) {
  for (;;) {
    acceptor.accept(socket);
    std::thread moved = std::move(workers.back());
    workers.pop_back();
    moved.join();
  }
}

// ---- 4. Accepts that complete in place: coroutines ----

net::awaitable<void> coroutine_listener(tcp::acceptor &acceptor) {
  for (;;) {
    tcp::socket socket = co_await acceptor.async_accept(net::use_awaitable);
    std::thread(&serve, std::move(socket)).detach();
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: std::thread created for every accepted connection: one OS thread per client exhausts memory and the scheduler as clients grow [ES-CONCURRENCY-002] [errorshield-thread-per-connection]
// CHECK-MESSAGES: :[[@LINE-3]]:44: note: connections are accepted by this 'async_accept' in the same loop
// CHECK-MESSAGES: :[[@LINE-3]]:5: note: serve connections asynchronously on a fixed pool of threads that run one io_context
  }
}

// The connection unpacked from a tuple (`as_tuple`): the threads given `sock` are per connection.
struct monitor_server {
  std::vector<std::thread> monitors_;
  net::awaitable<void> listen(tcp::acceptor &acceptor) {
    for (;;) {
      auto [ec, sock] = co_await acceptor.async_accept(net::as_tuple(net::use_awaitable));
      if (ec)
        break;
      monitors_.emplace_back([s = std::move(sock)]() mutable { serve(std::move(s)); });
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: std::thread created for every accepted connection: one OS thread per client exhausts memory and the scheduler as clients grow [ES-CONCURRENCY-002] [errorshield-thread-per-connection]
// CHECK-MESSAGES: :[[@LINE-5]]:43: note: connections are accepted by this 'async_accept' in the same loop
// CHECK-MESSAGES: :[[@LINE-3]]:17: note: serve connections asynchronously on a fixed pool of threads that run one io_context
      std::thread([] {}).detach(); // not given the connection
    }
  }
};

void stackful_listener(net::io_context &ioc, tcp::acceptor &acceptor, net::yield_context yield) {
  for (;;) {
    tcp::socket socket(ioc);
    acceptor.async_accept(socket, yield);
    std::thread(&serve, std::move(socket)).detach();
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: std::thread created for every accepted connection: one OS thread per client exhausts memory and the scheduler as clients grow [ES-CONCURRENCY-002] [errorshield-thread-per-connection]
// CHECK-MESSAGES: :[[@LINE-3]]:14: note: connections are accepted by this 'async_accept' in the same loop
// CHECK-MESSAGES: :[[@LINE-3]]:5: note: serve connections asynchronously on a fixed pool of threads that run one io_context
  }
}

// ---- 5. Loops around the accept loop ----

void watchdog();

// The outer loop restarts the listener: its watchdog thread is one per restart, not per client.
void restarted_listener(net::io_context &ioc, bool &stopping) {
  while (!stopping) {
    tcp::acceptor acceptor(ioc);
    std::thread guard(&watchdog);
    for (int errors = 0; errors < 5;) {
      tcp::socket socket(ioc);
      acceptor.accept(socket);
      net::post(ioc, [] {});
    }
    guard.join();
  }
}

// The inner loop retries the accept: the thread outside it is still handed each connection.
void retried_accept(int listen_fd) {
  for (;;) {
    int fd = -1;
    do {
      fd = ::accept(listen_fd, nullptr, nullptr);
    } while (fd < 0);
    std::thread(&serve_fd, fd).detach();
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: std::thread created for every accepted connection: one OS thread per client exhausts memory and the scheduler as clients grow [ES-CONCURRENCY-002] [errorshield-thread-per-connection]
// CHECK-MESSAGES: :[[@LINE-4]]:12: note: connections are accepted by this 'accept' in the same loop
// CHECK-MESSAGES: :[[@LINE-3]]:5: note: serve connections asynchronously on a fixed pool of threads that run one io_context
  }
}

// ---- 6. Threads created by a container of threads ----

namespace boost {
class thread {
public:
  template <class F> explicit thread(F) {}
};
class thread_group {
public:
  template <class F> thread *create_thread(F f) { return new thread(f); }
};
} // namespace boost

void thread_group_per_client(int listen_fd) {
  boost::thread_group group;
  for (;;) {
    int fd = ::accept(listen_fd, nullptr, nullptr);
    group.create_thread([fd] { serve_fd(fd); });
// CHECK-MESSAGES: :[[@LINE-1]]:11: warning: boost::thread created for every accepted connection: one OS thread per client exhausts memory and the scheduler as clients grow [ES-CONCURRENCY-002] [errorshield-thread-per-connection]
// CHECK-MESSAGES: :[[@LINE-3]]:14: note: connections are accepted by this 'accept' in the same loop
// CHECK-MESSAGES: :[[@LINE-3]]:11: note: serve connections asynchronously on a fixed pool of threads that run one io_context
  }
}

// ---- 7. Functions that start a thread ----

void *serve_raw(void *fd);

void posix_thread_per_client(int listen_fd) {
  for (;;) {
    int fd = ::accept(listen_fd, nullptr, nullptr);
    pthread_t id;
    pthread_create(&id, nullptr, &serve_raw, reinterpret_cast<void *>(static_cast<intptr_t>(fd)));
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: a thread (pthread_create) created for every accepted connection: one OS thread per client exhausts memory and the scheduler as clients grow [ES-CONCURRENCY-002] [errorshield-thread-per-connection]
// CHECK-MESSAGES: :[[@LINE-4]]:14: note: connections are accepted by this 'accept' in the same loop
// CHECK-MESSAGES: :[[@LINE-3]]:5: note: serve connections asynchronously on a fixed pool of threads that run one io_context
    pthread_detach(id);
  }
}

void async_per_client(int listen_fd) {
  std::vector<std::future<void>> running;
  for (;;) {
    int fd = ::accept(listen_fd, nullptr, nullptr);
    running.push_back(std::async(std::launch::async, &serve_fd, fd));
// CHECK-MESSAGES: :[[@LINE-1]]:23: warning: a thread (std::async) created for every accepted connection: one OS thread per client exhausts memory and the scheduler as clients grow [ES-CONCURRENCY-002] [errorshield-thread-per-connection]
// CHECK-MESSAGES: :[[@LINE-3]]:14: note: connections are accepted by this 'accept' in the same loop
// CHECK-MESSAGES: :[[@LINE-3]]:23: note: serve connections asynchronously on a fixed pool of threads that run one io_context
    auto in_this_thread = std::async(std::launch::deferred, &serve_fd, fd); // runs at get()
    in_this_thread.get();
  }
}

// ---- 8. Threads in the accept loop that are not handed the connection ----

void rotate_logs();
void housekeeping_in_accept_loop(net::io_context &ioc, tcp::acceptor &acceptor) {
  for (unsigned long accepted = 0;; ++accepted) {
    tcp::socket socket(ioc);
    acceptor.accept(socket);
    net::post(ioc, [] {}); // the connection goes to the pool
    if (accepted % 100000 == 0)
      std::thread(&rotate_logs).detach(); // once in a while, not per client
  }
}

// ---- 7. The connection handed to a function that starts its thread ----

class replay_listener : public std::enable_shared_from_this<replay_listener> {
  tcp::acceptor acceptor_;
  std::vector<std::thread> workers_;

public:
  void do_accept() {
    acceptor_.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket sock) {
      self->on_accept(ec, std::move(sock));
    });
  }
  void on_accept(beast::error_code ec, tcp::socket sock) {
    if (!ec)
      workers_.emplace_back([s = std::move(sock)]() mutable { serve(std::move(s)); });
// CHECK-MESSAGES: :[[@LINE-1]]:16: warning: std::thread created for every accepted connection: one OS thread per client exhausts memory and the scheduler as clients grow [ES-CONCURRENCY-002] [errorshield-thread-per-connection]
// CHECK-MESSAGES: :267:15: note: created in the completion handler of this 'async_accept'
// CHECK-MESSAGES: :[[@LINE-3]]:16: note: serve connections asynchronously on a fixed pool of threads that run one io_context
    log_accept(ec);
  }
  void log_accept(beast::error_code ec);
};

struct session_registry {
  std::vector<std::thread> threads_;
  void adopt(tcp::socket sock) {
    threads_.emplace_back([s = std::move(sock)]() mutable { serve(std::move(s)); });
// CHECK-MESSAGES: :[[@LINE-1]]:14: warning: std::thread created for every accepted connection: one OS thread per client exhausts memory and the scheduler as clients grow [ES-CONCURRENCY-002] [errorshield-thread-per-connection]
// CHECK-MESSAGES: :[[@LINE+8]]:33: note: connections are accepted by this 'accept' in the same loop
// CHECK-MESSAGES: :[[@LINE-3]]:14: note: serve connections asynchronously on a fixed pool of threads that run one io_context
  }
  void start_housekeeping(int interval) { threads_.emplace_back([interval] { (void)interval; }); }
};
void dropcopy_listener(tcp::acceptor &acceptor, session_registry &registry) {
  registry.start_housekeeping(5); // not handed the connection
  for (;;) {
    tcp::socket sock = acceptor.accept();
    registry.adopt(std::move(sock));
  }
}

// Two calls deep: the handler hands the socket to on_player, which hands it to launch.
class player_listener {
  tcp::acceptor acceptor_;
  std::vector<std::thread> players_;

public:
  void do_accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket sock) { on_player(ec, std::move(sock)); });
  }
  void on_player(beast::error_code ec, tcp::socket sock) {
    if (!ec)
      launch(std::move(sock));
  }
  void launch(tcp::socket sock) {
    players_.emplace_back([s = std::move(sock)]() mutable { serve(std::move(s)); });
// CHECK-MESSAGES: :[[@LINE-1]]:14: warning: std::thread created for every accepted connection: one OS thread per client exhausts memory and the scheduler as clients grow [ES-CONCURRENCY-002] [errorshield-thread-per-connection]
// CHECK-MESSAGES: :[[@LINE-9]]:15: note: created in the completion handler of this 'async_accept'
// CHECK-MESSAGES: :[[@LINE-3]]:14: note: serve connections asynchronously on a fixed pool of threads that run one io_context
  }
};

// A pool of its own for every connection, stored into the record that wraps the connection.
struct upload_conn {
  tcp::socket sock;
  std::shared_ptr<net::thread_pool> exec;
};
std::shared_ptr<net::thread_pool> shared_exec;
void start_upload(tcp::socket sock) {
  auto conn = std::make_shared<upload_conn>(upload_conn{std::move(sock), nullptr});
  conn->exec = std::make_shared<net::thread_pool>(1);
// CHECK-MESSAGES: :[[@LINE-1]]:16: warning: boost::asio::thread_pool created for every accepted connection: one OS thread per client exhausts memory and the scheduler as clients grow [ES-CONCURRENCY-002] [errorshield-thread-per-connection]
// CHECK-MESSAGES: :[[@LINE+10]]:12: note: created in the completion handler of this 'async_accept'
// CHECK-MESSAGES: :[[@LINE-3]]:16: note: serve connections asynchronously on a fixed pool of threads that run one io_context
}
void start_download(tcp::socket sock) {
  auto conn = std::make_shared<upload_conn>(upload_conn{std::move(sock), nullptr});
  if (!shared_exec)
    shared_exec = std::make_shared<net::thread_pool>(4); // one pool, made by the first connection
  conn->exec = shared_exec;
}
void accept_uploads(tcp::acceptor &acceptor, bool download) {
  acceptor.async_accept([&acceptor, download](beast::error_code ec, tcp::socket sock) {
    if (ec)
      return;
    if (download)
      start_download(std::move(sock));
    else
      start_upload(std::move(sock));
  });
}

// The per-connection thread runs a member that starts a second thread with the connection.
class member_gateway {
  tcp::acceptor acceptor_;

public:
  void accept_loop() {
    for (;;) {
      tcp::socket s = acceptor_.accept();
      std::thread(&member_gateway::serve_member, this, std::move(s)).detach();
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: std::thread created for every accepted connection: one OS thread per client exhausts memory and the scheduler as clients grow [ES-CONCURRENCY-002] [errorshield-thread-per-connection]
// CHECK-MESSAGES: :[[@LINE-3]]:33: note: connections are accepted by this 'accept' in the same loop
// CHECK-MESSAGES: :[[@LINE-3]]:7: note: serve connections asynchronously on a fixed pool of threads that run one io_context
    }
  }
  void serve_member(tcp::socket s) {
    std::jthread heartbeat([&s] { (void)s; });
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: std::jthread created for every accepted connection: one OS thread per client exhausts memory and the scheduler as clients grow [ES-CONCURRENCY-002] [errorshield-thread-per-connection]
// CHECK-MESSAGES: :[[@LINE-10]]:33: note: connections are accepted by this 'accept' in the same loop
// CHECK-MESSAGES: :[[@LINE-3]]:18: note: serve connections asynchronously on a fixed pool of threads that run one io_context
    serve(std::move(s));
  }
};
