// checks: errorshield-thread-per-connection
// Pawn shop inventory terminal server. Counter terminals, the back-office
// appraisal tablet and the police hold-list feed all connect here to look up
// and update pawned items (ticket number, description, loan amount, hold state).
#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace pawn {

struct Item {
  long ticket = 0;
  std::string description;
  long loan_cents = 0;
  bool police_hold = false;
};

class Inventory {
 public:
  std::string lookup(long ticket) {
    std::lock_guard lk(mu_);
    auto it = items_.find(ticket);
    if (it == items_.end()) return "NOT FOUND\n";
    return it->second.description + (it->second.police_hold ? " [HOLD]\n" : "\n");
  }
  void hold(long ticket) {
    std::lock_guard lk(mu_);
    items_[ticket].police_hold = true;
  }

 private:
  std::mutex mu_;
  std::map<long, Item> items_;
};

Inventory g_inventory;

// Line protocol used by the counter terminals: "LOOKUP 1234\n" / "HOLD 1234\n".
inline std::string handle_line(const std::string& line) {
  if (line.rfind("LOOKUP ", 0) == 0) return g_inventory.lookup(std::stol(line.substr(7)));
  if (line.rfind("HOLD ", 0) == 0) {
    g_inventory.hold(std::stol(line.substr(5)));
    return "OK\n";
  }
  return "ERR\n";
}

void serve_terminal(tcp::socket sock) {
  asio::streambuf buf;
  beast::error_code ec;
  for (;;) {
    asio::read_until(sock, buf, '\n', ec);
    if (ec) return;
    std::istream is(&buf);
    std::string line;
    std::getline(is, line);
    asio::write(sock, asio::buffer(handle_line(line)), ec);
    if (ec) return;
  }
}

// ---------------------------------------------------------------------------
// Counter terminals (blocking accept loop; there are only a handful of them).
void counter_listener(asio::io_context& ioc, unsigned short port) {
  tcp::acceptor acc(ioc, {tcp::v4(), port});
  for (;;) {
    tcp::socket sock(ioc);
    acc.accept(sock);
    std::thread(serve_terminal, std::move(sock)).detach();  // expect: errorshield-thread-per-connection
  }
}

// ---------------------------------------------------------------------------
// Appraisal tablets use HTTP; each tablet gets its own worker.
class AppraisalServer {
 public:
  AppraisalServer(asio::io_context& ioc, unsigned short port) : ioc_(ioc), acc_(ioc, {tcp::v4(), port}) {}

  void run_blocking() {
    while (!stopping_) {
      tcp::socket sock(ioc_);
      beast::error_code ec;
      acc_.accept(sock, ec);
      if (ec) continue;
      workers_.emplace_back(&AppraisalServer::serve, this, std::move(sock));  // expect: errorshield-thread-per-connection
    }
  }

  void stop() { stopping_ = true; }

 private:
  void serve(tcp::socket sock) {
    beast::flat_buffer buf;
    http::request<http::string_body> req;
    beast::error_code ec;
    http::read(sock, buf, req, ec);
    if (ec) return;
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.body() = handle_line("LOOKUP " + std::string(req.target().substr(1)));
    res.prepare_payload();
    http::write(sock, res, ec);
  }

  asio::io_context& ioc_;
  tcp::acceptor acc_;
  std::vector<std::jthread> workers_;
  std::atomic<bool> stopping_{false};
};

// ---------------------------------------------------------------------------
// Police hold-list feed: asynchronous accept, but the handler hands the
// socket to a fresh thread so a slow feed never blocks the io_context.
void police_feed_accept(tcp::acceptor& acc) {
  acc.async_accept([&acc](beast::error_code ec, tcp::socket sock) {
    if (!ec) {
      std::thread([s = std::move(sock)]() mutable { serve_terminal(std::move(s)); }).detach();  // expect: errorshield-thread-per-connection
    }
    police_feed_accept(acc);
  });
}

// Camera DVR snapshots: each connection gets an async task.
void dvr_listener(asio::io_context& ioc, unsigned short port) {
  tcp::acceptor acc(ioc, {tcp::v4(), port});
  std::vector<std::future<void>> pending;
  for (;;) {
    auto sock = acc.accept();
    pending.push_back(std::async(std::launch::async, serve_terminal, std::move(sock)));  // expect: errorshield-thread-per-connection
  }
}

// ---------------------------------------------------------------------------
// Old label-printer bridge, still plain BSD sockets.
void* label_printer_client(void* arg) {
  int fd = static_cast<int>(reinterpret_cast<intptr_t>(arg));
  char buf[256];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) {
    std::string reply = handle_line(std::string(buf, static_cast<size_t>(n)));
    ::write(fd, reply.data(), reply.size());
  }
  ::close(fd);
  return nullptr;
}

int label_printer_listener(int listen_fd) {
  for (;;) {
    int fd = ::accept(listen_fd, nullptr, nullptr);
    if (fd < 0) return -1;
    pthread_t tid;
    pthread_create(&tid, nullptr, label_printer_client, reinterpret_cast<void*>(static_cast<intptr_t>(fd)));  // expect: errorshield-thread-per-connection
    pthread_detach(tid);
  }
}

// ---------------------------------------------------------------------------
// Online storefront bridge: sessions run on a fixed-size pool.
void storefront_listener(asio::io_context& ioc, asio::thread_pool& pool, unsigned short port) {
  tcp::acceptor acc(ioc, {tcp::v4(), port});
  for (;;) {
    tcp::socket sock(ioc);
    acc.accept(sock);
    asio::post(pool, [s = std::move(sock)]() mutable { serve_terminal(std::move(s)); });
  }
}

// Back-office reporting: coroutine per connection on the shared io_context.
asio::awaitable<void> report_session(tcp::socket sock) {
  asio::streambuf buf;
  auto n = co_await asio::async_read_until(sock, buf, '\n', asio::use_awaitable);
  (void)n;
  co_await asio::async_write(sock, asio::buffer(std::string("REPORT READY\n")), asio::use_awaitable);
}

asio::awaitable<void> report_listener(unsigned short port) {
  auto ex = co_await asio::this_coro::executor;
  tcp::acceptor acc(ex, {tcp::v4(), port});
  for (;;) {
    tcp::socket sock = co_await acc.async_accept(asio::use_awaitable);
    asio::co_spawn(ex, report_session(std::move(sock)), asio::detached);
  }
}

// Nightly loan-expiry sweep, started once at boot.
void start_expiry_sweeper(std::atomic<bool>& stop) {
  std::thread([&stop] {
    while (!stop) {
      std::this_thread::sleep_for(std::chrono::minutes(10));
      std::clog << "expiry sweep\n";
    }
  }).detach();
}

}  // namespace pawn

int main() {
  asio::io_context ioc;
  asio::thread_pool pool(4);
  std::atomic<bool> stop{false};
  pawn::start_expiry_sweeper(stop);

  tcp::acceptor police(ioc, {tcp::v4(), 7003});
  pawn::police_feed_accept(police);
  asio::co_spawn(ioc, pawn::report_listener(7005), asio::detached);

  // io_context runners: one per core, created before any client connects.
  std::vector<std::thread> runners;
  const unsigned cores = std::max(2u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < cores; ++i) runners.emplace_back([&ioc] { ioc.run(); });

  std::thread counters([&ioc] { pawn::counter_listener(ioc, 7001); });
  std::thread storefront([&] { pawn::storefront_listener(ioc, pool, 7006); });

  pawn::AppraisalServer appraisal(ioc, 7002);
  appraisal.run_blocking();

  counters.join();
  storefront.join();
  for (auto& t : runners) t.join();
  pool.join();
}
