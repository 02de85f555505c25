// checks: errorshield-thread-per-connection
// Central server for swimming pool chemistry controllers: each controller
// reports pH / ORP / free chlorine readings and receives dosing setpoints.
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
#include <chrono>
#include <functional>
#include <future>
#include <iostream>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

struct Reading {
  std::string pool;
  double ph = 7.4;
  double orp_mv = 700;
  double free_cl_ppm = 1.5;
};

class ChemistryLog {
 public:
  void add(const Reading& r) {
    std::lock_guard lk(mu_);
    if (r.ph < 7.0 || r.ph > 7.8) std::clog << "pH alarm on " << r.pool << ": " << r.ph << "\n";
    last_ = r;
  }

 private:
  std::mutex mu_;
  Reading last_;
};

Reading parse_reading(const std::string& line) {
  auto j = json::parse(line, nullptr, false);
  Reading r;
  if (!j.is_object()) return r;
  r.pool = j.value("pool", "");
  r.ph = j.value("ph", 7.4);
  r.orp_mv = j.value("orp", 700.0);
  r.free_cl_ppm = j.value("cl", 1.5);
  return r;
}

// Line-based protocol spoken by the older RS-485 gateways.
void serve_gateway(tcp::socket sock, ChemistryLog& log) {
  asio::streambuf sb;
  beast::error_code ec;
  while (asio::read_until(sock, sb, '\n', ec)) {
    std::istream is(&sb);
    std::string line;
    std::getline(is, line);
    log.add(parse_reading(line));
  }
}

void run_gateway_listener(asio::io_context& ioc, ChemistryLog& log) {
  tcp::acceptor acc(ioc, {tcp::v4(), 5020});
  for (;;) {
    tcp::socket s = acc.accept();
    std::thread(serve_gateway, std::move(s), std::ref(log)).detach(); // expect: errorshield-thread-per-connection
  }
}

// WebSocket controllers (newer firmware), asynchronous accept.
class ControllerServer {
 public:
  ControllerServer(asio::io_context& ioc, ChemistryLog& log)
      : acc_(ioc, {tcp::v4(), 5021}), log_(log) {}

  void start() { accept_next(); }

  ~ControllerServer() {
    for (auto& t : workers_)
      if (t.joinable()) t.join();
  }

 private:
  void accept_next() {
    acc_.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (ec) return;
      on_controller(std::move(s));
      accept_next();
    });
  }

  void on_controller(tcp::socket s) {
    workers_.emplace_back([this, s = std::move(s)]() mutable { // expect: errorshield-thread-per-connection
      websocket::stream<tcp::socket> ws(std::move(s));
      beast::error_code ec;
      ws.accept(ec);
      while (!ec) {
        beast::flat_buffer b;
        ws.read(b, ec);
        if (!ec) log_.add(parse_reading(beast::buffers_to_string(b.data())));
      }
    });
  }

  tcp::acceptor acc_;
  ChemistryLog& log_;
  std::vector<std::thread> workers_;
};

// Raw socket listener for the maintenance laptop tool (plain BSD sockets).
struct FdJob {
  int fd;
  ChemistryLog* log;
};

void* serve_fd(void* arg) {
  std::unique_ptr<FdJob> job(static_cast<FdJob*>(arg));
  char buf[512];
  ssize_t n;
  while ((n = ::read(job->fd, buf, sizeof buf)) > 0)
    job->log->add(parse_reading(std::string(buf, static_cast<std::size_t>(n))));
  ::close(job->fd);
  return nullptr;
}

void run_maintenance_port(ChemistryLog& log) {
  int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(5022);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::listen(lfd, 16);
  for (;;) {
    int cfd = ::accept(lfd, nullptr, nullptr);
    if (cfd < 0) continue;
    pthread_t tid;
    if (pthread_create(&tid, nullptr, serve_fd, new FdJob{cfd, &log}) == 0) // expect: errorshield-thread-per-connection
      pthread_detach(tid);
  }
}

// Setpoint sync for the municipal pools, written against the coroutine API.
asio::awaitable<void> handle_setpoints(tcp::socket s, ChemistryLog& log) {
  websocket::stream<beast::tcp_stream> ws(std::move(s));
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer b;
  for (;;) {
    co_await ws.async_read(b, asio::use_awaitable);
    log.add(parse_reading(beast::buffers_to_string(b.data())));
    b.consume(b.size());
  }
}

asio::awaitable<void> setpoint_listener(ChemistryLog& log) {
  auto ex = co_await asio::this_coro::executor;
  tcp::acceptor acc(ex, {tcp::v4(), 5023});
  for (;;) {
    auto s = co_await acc.async_accept(asio::use_awaitable);
    asio::co_spawn(ex, handle_setpoints(std::move(s), log), asio::detached);
  }
}

// Hotel spa controllers: each report is handed to a bounded worker pool.
void run_spa_listener(asio::io_context& ioc, asio::thread_pool& pool, ChemistryLog& log) {
  auto acc = std::make_shared<tcp::acceptor>(ioc, tcp::endpoint{tcp::v4(), 5024});
  auto loop = std::make_shared<std::function<void()>>();
  *loop = [acc, loop, &pool, &log] {
    acc->async_accept([acc, loop, &pool, &log](beast::error_code ec, tcp::socket s) {
      if (ec) return;
      asio::post(pool, [s = std::make_shared<tcp::socket>(std::move(s)), &log]() mutable {
        serve_gateway(std::move(*s), log);
      });
      (*loop)();
    });
  };
  (*loop)();
}

// Test-bench simulator: the QA rig opens short-lived connections.
template <class Handler>
class BenchServer {
 public:
  BenchServer(asio::io_context& ioc, unsigned short port, Handler h) : acc_(ioc, {tcp::v4(), port}), h_(h) {}

  void serve_forever() {
    while (running_) {
      tcp::socket s = acc_.accept();
      sessions_.emplace_back(std::jthread(h_, std::move(s))); // expect: errorshield-thread-per-connection
    }
  }
  void stop() { running_ = false; }

 private:
  tcp::acceptor acc_;
  Handler h_;
  std::atomic<bool> running_{true};
  std::list<std::jthread> sessions_;
};

// Cloud uploader: pushes each accepted dashboard connection into std::async.
void run_dashboard_port(asio::io_context& ioc, ChemistryLog& log) {
  tcp::acceptor acc(ioc, {tcp::v4(), 5025});
  std::vector<std::future<void>> pending;
  for (;;) {
    auto s = std::make_shared<tcp::socket>(acc.accept());
    pending.push_back(std::async(std::launch::async, [s, &log] { serve_gateway(std::move(*s), log); })); // expect: errorshield-thread-per-connection
  }
}

int main() {
  asio::io_context ioc;
  ChemistryLog log;
  asio::thread_pool pool(4);

  ControllerServer ctl(ioc, log);
  ctl.start();
  asio::co_spawn(ioc, setpoint_listener(log), asio::detached);
  run_spa_listener(ioc, pool, log);

  // Background threads started once: the blocking listeners and the dosing scheduler.
  std::thread gateway_thread([&] { run_gateway_listener(ioc, log); });
  std::thread maintenance_thread(run_maintenance_port, std::ref(log));
  std::thread dashboard_thread([&] { run_dashboard_port(ioc, log); });
  std::thread dosing([] {
    for (;;) std::this_thread::sleep_for(std::chrono::minutes(5));
  });

  auto bench_handler = [&log](tcp::socket s) { serve_gateway(std::move(s), log); };
  BenchServer<decltype(bench_handler)> bench(ioc, 5026, bench_handler);
  std::thread bench_thread([&] { bench.serve_forever(); });

  // io_context workers, one per core.
  std::vector<std::thread> io_threads;
  const unsigned n = std::max(2u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < n; ++i) io_threads.emplace_back([&ioc] { ioc.run(); });
  for (auto& t : io_threads) t.join();

  gateway_thread.join();
  maintenance_thread.join();
  dashboard_thread.join();
  dosing.join();
  bench_thread.join();
  pool.join();
}
