// checks: errorshield-thread-per-connection
// Reverse-vending recycling kiosks: each kiosk (bottle/can intake machine)
// connects to the store backend to report deposits and print refund vouchers.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace rvm {

std::atomic<std::int64_t> g_deposit_cents{0};

void handle_kiosk(tcp::socket sock) {
  beast::flat_buffer buf;
  beast::error_code ec;
  for (;;) {
    http::request<http::string_body> req;
    http::read(sock, buf, req, ec);
    if (ec) return;
    auto j = json::parse(req.body(), nullptr, false);
    if (!j.is_discarded()) g_deposit_cents += j.value("cents", 0);
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.body() = R"({"voucher":"ok"})";
    res.prepare_payload();
    http::write(sock, res, ec);
    if (ec) return;
  }
}

// Intake port for the older firmware, blocking accept.
void intake_listener(unsigned short port) {
  net::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), port});
  for (;;) {
    tcp::socket s(ioc);
    acc.accept(s);
    std::thread(handle_kiosk, std::move(s)).detach(); // expect: errorshield-thread-per-connection
  }
}

// Voucher printer status: asynchronous accept, but each printer gets a worker.
class VoucherGateway {
public:
  VoucherGateway(net::io_context& ioc, unsigned short port) : acc_(ioc, {tcp::v4(), port}) {}

  void start() { accept_next(); }

  ~VoucherGateway() {
    for (auto& w : workers_) w.request_stop();
  }

private:
  void accept_next() {
    acc_.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (!ec) {
        std::lock_guard lk(mu_);
        workers_.emplace_back([sock = std::move(s)](std::stop_token) mutable { handle_kiosk(std::move(sock)); }); // expect: errorshield-thread-per-connection
      }
      accept_next();
    });
  }

  tcp::acceptor acc_;
  std::mutex mu_;
  std::vector<std::jthread> workers_;
};

// Compaction-bale sensors: plain POSIX sockets, one pthread per sensor.
void* bale_sensor_main(void* arg) {
  int fd = static_cast<int>(reinterpret_cast<std::intptr_t>(arg));
  char buf[256];
  while (::read(fd, buf, sizeof buf) > 0) {
  }
  ::close(fd);
  return nullptr;
}

void bale_listener(int listen_fd) {
  for (;;) {
    int fd = ::accept(listen_fd, nullptr, nullptr);
    if (fd < 0) continue;
    pthread_t tid;
    pthread_create(&tid, nullptr, bale_sensor_main, reinterpret_cast<void*>(static_cast<std::intptr_t>(fd))); // expect: errorshield-thread-per-connection
    pthread_detach(tid);
  }
}

// Maintenance tablets: requests handed off to std::async.
net::awaitable<void> maintenance_listener(tcp::acceptor& acc, std::vector<std::future<void>>& jobs) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(net::use_awaitable);
    jobs.push_back(std::async(std::launch::async, handle_kiosk, std::move(s))); // expect: errorshield-thread-per-connection
  }
}

// Generic listener used by the regional aggregator builds.
template <class Handler>
class ThreadedListener {
public:
  ThreadedListener(net::io_context& ioc, unsigned short port, Handler h) : acc_(ioc, {tcp::v4(), port}), h_(h) {}

  void serve_forever() {
    for (;;) {
      tcp::socket s = acc_.accept();
      std::thread t([h = h_, sock = std::move(s)]() mutable { h(std::move(sock)); }); // expect: errorshield-thread-per-connection
      t.detach();
    }
  }

private:
  tcp::acceptor acc_;
  Handler h_;
};

// ---- the main store backend -------------------------------------------------

// Asio-native sessions: connections share the io_context worker pool.
net::awaitable<void> kiosk_session(tcp::socket sock) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  for (;;) {
    http::request<http::string_body> req;
    stream.expires_after(std::chrono::seconds(30));
    auto [ec, n] = co_await http::async_read(stream, buf, req, net::as_tuple(net::use_awaitable));
    if (ec) co_return;
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.body() = R"({"voucher":"ok"})";
    res.prepare_payload();
    co_await http::async_write(stream, res, net::use_awaitable);
  }
}

net::awaitable<void> store_listener(tcp::acceptor acc) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(net::use_awaitable);
    net::co_spawn(acc.get_executor(), kiosk_session(std::move(s)), net::detached);
  }
}

// Bulk reconciliation uploads are CPU-heavy: they go to a fixed pool.
class ReconciliationServer {
public:
  ReconciliationServer(net::io_context& ioc, net::thread_pool& pool, unsigned short port)
      : acc_(ioc, {tcp::v4(), port}), pool_(pool) {}

  void start() {
    acc_.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (!ec) {
        net::post(pool_, [sock = std::make_shared<tcp::socket>(std::move(s))]() mutable {
          handle_kiosk(std::move(*sock));
        });
      }
      start();
    });
  }

private:
  tcp::acceptor acc_;
  net::thread_pool& pool_;
};

// Nightly totals pushed to HQ from a single background thread.
void totals_reporter(std::atomic<bool>& running) {
  while (running) {
    std::this_thread::sleep_for(std::chrono::minutes(5));
    std::cout << "deposits so far: " << g_deposit_cents.load() << " cents\n";
  }
}

}  // namespace rvm

int main() {
  net::io_context ioc;
  net::thread_pool recon_pool(4);
  std::atomic<bool> running{true};

  std::thread reporter(rvm::totals_reporter, std::ref(running));

  tcp::acceptor store_acc(ioc, {tcp::v4(), 7000});
  net::co_spawn(ioc, rvm::store_listener(std::move(store_acc)), net::detached);

  rvm::ReconciliationServer recon(ioc, recon_pool, 7001);
  recon.start();

  rvm::VoucherGateway vouchers(ioc, 7002);
  vouchers.start();

  std::thread legacy(rvm::intake_listener, 7003);
  legacy.detach();

  std::vector<std::future<void>> maint_jobs;
  tcp::acceptor maint_acc(ioc, {tcp::v4(), 7004});
  net::co_spawn(ioc, rvm::maintenance_listener(maint_acc, maint_jobs), net::detached);

  rvm::ThreadedListener<void (*)(tcp::socket)> aggregator(ioc, 7005, &rvm::handle_kiosk);
  std::thread agg_thread([&aggregator] { aggregator.serve_forever(); });
  agg_thread.detach();

  // io_context workers, sized once at startup
  std::vector<std::thread> workers;
  const unsigned n = std::max(2u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < n; ++i) workers.emplace_back([&ioc] { ioc.run(); });

  for (auto& w : workers) w.join();
  running = false;
  reporter.join();
  recon_pool.join();
}
