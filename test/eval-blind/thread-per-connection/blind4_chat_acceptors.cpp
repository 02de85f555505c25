// checks: errorshield-thread-per-connection
// Chat server: the v1 blocking server and the v2 pooled server side by side
// while we migrate.
#include <boost/asio.hpp>
#include <atomic>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace chat {

void serve_client(tcp::socket sock); // blocking read/write loop
void serve_client_shared(std::shared_ptr<tcp::socket> sock);
void rotate_logs();
void log_line(const std::string &s);

// ---- v1: blocking server -------------------------------------------------

// BUG: one OS thread per chat client. Falls over at ~10k users.
[[noreturn]] void run_v1(unsigned short port) {
  asio::io_context ioc;
  tcp::acceptor acc(ioc, tcp::endpoint(tcp::v4(), port));
  for (;;) {
    tcp::socket sock = acc.accept();
    std::thread(serve_client, std::move(sock)).detach(); // expect: errorshield-thread-per-connection
  }
}

// BUG: same thing but "tidier" -- threads kept in a vector and never reaped.
void run_v1_tracked(unsigned short port, std::atomic<bool> &stop) {
  asio::io_context ioc;
  tcp::acceptor acc(ioc, tcp::endpoint(tcp::v4(), port));
  std::vector<std::thread> clients;
  while (!stop) {
    tcp::socket sock(ioc);
    acc.accept(sock);
    clients.emplace_back([s = std::move(sock)]() mutable { serve_client(std::move(s)); }); // expect: errorshield-thread-per-connection
  }
  for (auto &t : clients) t.join();
}

// BUG: std::async with launch::async is a thread too.
void run_v1_async(unsigned short port) {
  asio::io_context ioc;
  tcp::acceptor acc(ioc, tcp::endpoint(tcp::v4(), port));
  std::vector<std::future<void>> pending;
  for (;;) {
    auto sock = std::make_shared<tcp::socket>(acc.accept());
    pending.push_back(std::async(std::launch::async, serve_client_shared, sock)); // expect: errorshield-thread-per-connection
  }
}

// ---- v2: pooled server -----------------------------------------------------

// OK: a fixed pool of N threads; connections are handed to the pool.
void run_v2_pool(unsigned short port, std::size_t workers) {
  asio::io_context ioc;
  asio::thread_pool pool(workers);
  tcp::acceptor acc(ioc, tcp::endpoint(tcp::v4(), port));
  std::size_t accepted = 0;
  for (;;) {
    auto sock = std::make_shared<tcp::socket>(acc.accept());
    asio::post(pool, [sock] { serve_client_shared(sock); });
    // housekeeping, not per connection: once every 100k accepts
    if (++accepted % 100'000 == 0) {
      std::thread(rotate_logs).detach();
    }
  }
}

// OK: async accept on an io_context run by a fixed number of threads.
class AsyncServer {
public:
  AsyncServer(asio::io_context &ioc, unsigned short port) : acc_(ioc, tcp::endpoint(tcp::v4(), port)) {}

  void start() { do_accept(); }

private:
  void do_accept() {
    acc_.async_accept([this](boost::system::error_code ec, tcp::socket s) {
      if (!ec) {
        auto sp = std::make_shared<tcp::socket>(std::move(s));
        asio::post(acc_.get_executor(), [sp] { log_line("accepted " + std::to_string(sp->native_handle())); });
      }
      do_accept();
    });
  }

  tcp::acceptor acc_;
};

int main_v2(unsigned short port) {
  asio::io_context ioc;
  AsyncServer srv(ioc, port);
  srv.start();
  const unsigned n = std::max(2u, std::thread::hardware_concurrency());
  std::vector<std::thread> runners;
  runners.reserve(n);
  for (unsigned i = 0; i < n; ++i) runners.emplace_back([&ioc] { ioc.run(); });
  for (auto &t : runners) t.join();
  return 0;
}

// BUG: "async" server that still spins a thread per accepted socket.
class HybridServer {
public:
  HybridServer(asio::io_context &ioc, unsigned short port) : acc_(ioc, tcp::endpoint(tcp::v4(), port)) {}

  void start() { do_accept(); }

private:
  void do_accept() {
    acc_.async_accept([this](boost::system::error_code ec, tcp::socket s) {
      if (!ec) {
        std::thread t(serve_client, std::move(s)); // expect: errorshield-thread-per-connection
        t.detach();
      }
      do_accept();
    });
  }

  tcp::acceptor acc_;
};

// OK: one accept thread per listening port (3 ports, fixed).
void run_multi_port(const std::vector<unsigned short> &ports, asio::io_context &ioc) {
  std::vector<std::thread> listeners;
  for (unsigned short p : ports) {
    listeners.emplace_back([p, &ioc] {
      tcp::acceptor acc(ioc, tcp::endpoint(tcp::v4(), p));
      for (;;) {
        auto sock = std::make_shared<tcp::socket>(acc.accept());
        asio::post(ioc, [sock] { serve_client_shared(sock); });
      }
    });
  }
  for (auto &t : listeners) t.join();
}

} // namespace chat
