// checks: errorshield-thread-per-connection
// Minibar gateway for a hotel: in-room minibar controllers report removed
// items, housekeeping tablets restock, and the front desk PMS pulls charges.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace minibar {

struct Ledger {
  std::mutex mu;
  std::unordered_map<int, long> cents_by_room;

  void charge(int room, long cents) {
    std::lock_guard lk(mu);
    cents_by_room[room] += cents;
  }
};

Ledger &ledger() {
  static Ledger l;
  return l;
}

// One controller report: {"room": 412, "sku": "water-500", "cents": 450}
void handle_controller(tcp::socket sock) {
  beast::error_code ec;
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  http::read(sock, buf, req, ec);
  if (ec)
    return;
  auto j = json::parse(req.body(), nullptr, false);
  if (!j.is_discarded())
    ledger().charge(j.value("room", 0), j.value("cents", 0L));
  http::response<http::empty_body> res{http::status::no_content, req.version()};
  http::write(sock, res, ec);
}

// Room controllers (blocking API, legacy firmware keeps the socket open).
void controller_listener(asio::io_context &ioc, unsigned short port) {
  tcp::acceptor acc(ioc, {tcp::v4(), port});
  for (;;) {
    tcp::socket sock(ioc);
    acc.accept(sock);
    std::thread(handle_controller, std::move(sock)).detach(); // expect: errorshield-thread-per-connection
  }
}

// Housekeeping tablets: kept in a vector so shutdown can join them.
class RestockServer {
public:
  RestockServer(asio::io_context &ioc, unsigned short port) : ioc_(ioc), acc_(ioc, {tcp::v4(), port}) {}

  void run() {
    while (!stop_) {
      tcp::socket sock(ioc_);
      acc_.accept(sock);
      workers_.emplace_back([this, s = std::move(sock)]() mutable { serve(std::move(s)); }); // expect: errorshield-thread-per-connection
    }
  }

  ~RestockServer() {
    stop_ = true;
    for (auto &t : workers_)
      t.join();
  }

private:
  void serve(tcp::socket s) {
    beast::error_code ec;
    beast::flat_buffer buf;
    http::request<http::string_body> req;
    http::read(s, buf, req, ec);
    if (!ec)
      std::cout << "restock: " << req.body() << "\n";
  }

  asio::io_context &ioc_;
  tcp::acceptor acc_;
  std::vector<std::jthread> workers_;
  std::atomic<bool> stop_{false};
};

// Front-desk PMS pulls: async accept, but each pull is handed to its own thread.
class PmsBridge {
public:
  PmsBridge(asio::io_context &ioc, unsigned short port) : acc_(ioc, {tcp::v4(), port}) {}

  void start() { accept_next(); }

private:
  void accept_next() {
    acc_.async_accept([this](beast::error_code ec, tcp::socket sock) {
      if (!ec) {
        std::thread t([s = std::move(sock)]() mutable { answer_pull(std::move(s)); }); // expect: errorshield-thread-per-connection
        t.detach();
      }
      accept_next();
    });
  }

  static void answer_pull(tcp::socket s) {
    json out = json::object();
    {
      std::lock_guard lk(ledger().mu);
      for (auto &[room, cents] : ledger().cents_by_room)
        out[std::to_string(room)] = cents;
    }
    http::response<http::string_body> res{http::status::ok, 11};
    res.body() = out.dump();
    res.prepare_payload();
    beast::error_code ec;
    http::write(s, res, ec);
  }

  tcp::acceptor acc_;
};

// Revenue-management poller: coroutine accept loop, std::async per client.
asio::awaitable<void> revenue_listener(tcp::acceptor acc, std::vector<std::future<void>> &pending) {
  for (;;) {
    auto sock = co_await acc.async_accept(asio::use_awaitable);
    pending.push_back(std::async(std::launch::async, handle_controller, std::move(sock))); // expect: errorshield-thread-per-connection
  }
}

// Old serial-to-IP bridges in the east wing speak raw POSIX sockets.
struct BridgeArg {
  int fd;
};

void *bridge_client(void *p) {
  std::unique_ptr<BridgeArg> arg(static_cast<BridgeArg *>(p));
  char line[256];
  ssize_t n = ::recv(arg->fd, line, sizeof line - 1, 0);
  if (n > 0) {
    line[n] = '\0';
    int room = 0, cents = 0;
    if (std::sscanf(line, "%d %d", &room, &cents) == 2)
      ledger().charge(room, cents);
  }
  ::close(arg->fd);
  return nullptr;
}

void east_wing_bridge(int listen_fd) {
  for (;;) {
    int fd = ::accept(listen_fd, nullptr, nullptr);
    if (fd < 0)
      continue;
    pthread_t tid;
    if (pthread_create(&tid, nullptr, bridge_client, new BridgeArg{fd}) == 0) // expect: errorshield-thread-per-connection
      pthread_detach(tid);
  }
}

// The main gateway: fixed pool of io threads, connections run as coroutines.
asio::awaitable<void> serve_controller_async(tcp::socket sock) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(sock, buf, req, asio::use_awaitable);
  auto j = json::parse(req.body(), nullptr, false);
  if (!j.is_discarded())
    ledger().charge(j.value("room", 0), j.value("cents", 0L));
  http::response<http::empty_body> res{http::status::no_content, req.version()};
  co_await http::async_write(sock, res, asio::use_awaitable);
}

asio::awaitable<void> gateway_listener(tcp::acceptor acc, asio::thread_pool &audit_pool) {
  for (;;) {
    auto sock = co_await acc.async_accept(asio::use_awaitable);
    auto remote = sock.remote_endpoint().address().to_string();
    asio::post(audit_pool, [remote] { std::cout << "audit: controller " << remote << "\n"; });
    asio::co_spawn(acc.get_executor(), serve_controller_async(std::move(sock)), asio::detached);
  }
}

} // namespace minibar

int main() {
  asio::io_context ioc;
  asio::thread_pool audit_pool(2);

  tcp::acceptor gw(ioc, {tcp::v4(), 7400});
  asio::co_spawn(ioc, minibar::gateway_listener(std::move(gw), audit_pool), asio::detached);

  minibar::PmsBridge pms(ioc, 7401);
  pms.start();

  // nightly reconciliation runs on its own long-lived thread
  std::jthread nightly([](std::stop_token st) {
    while (!st.stop_requested())
      std::this_thread::sleep_for(std::chrono::minutes(1));
  });

  // io threads sized to the box, created once
  std::vector<std::thread> io_threads;
  unsigned n = std::max(2u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < n; ++i)
    io_threads.emplace_back([&ioc] { ioc.run(); });

  std::thread legacy([&ioc] { minibar::controller_listener(ioc, 7402); });
  legacy.detach();

  for (auto &t : io_threads)
    t.join();
  audit_pool.join();
}
