// checks: errorshield-thread-per-connection
// Plant-floor telemetry gateway: PLC pollers, Modbus/TCP slave, historian HTTP.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace gw {

struct TagValue {
  std::string tag;
  double value = 0.0;
  std::uint64_t ts_ms = 0;
};

class TagCache {
public:
  void put(TagValue v) {
    std::lock_guard lk(mu_);
    values_.push_back(std::move(v));
    if (values_.size() > 4096)
      values_.pop_front();
  }
  std::vector<TagValue> latest(std::size_t n) const {
    std::lock_guard lk(mu_);
    n = std::min(n, values_.size());
    return {values_.end() - static_cast<std::ptrdiff_t>(n), values_.end()};
  }

private:
  mutable std::mutex mu_;
  std::deque<TagValue> values_;
};

TagCache g_cache;

void *modbus_client_main(void *arg) {
  int fd = static_cast<int>(reinterpret_cast<std::intptr_t>(arg));
  std::array<std::uint8_t, 260> adu{};
  for (;;) {
    ssize_t n = ::recv(fd, adu.data(), adu.size(), 0);
    if (n <= 0)
      break;
    if (n >= 8) { // exception response: illegal function
      adu[7] |= 0x80, adu[8] = 0x01, adu[5] = 3;
      ::send(fd, adu.data(), 9, MSG_NOSIGNAL);
    }
  }
  ::close(fd);
  return nullptr;
}

int open_listener(std::uint16_t port) {
  int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  if (::bind(lfd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) < 0 || ::listen(lfd, 64) < 0) {
    ::close(lfd);
    return -1;
  }
  return lfd;
}

void run_modbus_slave(std::uint16_t port) {
  int lfd = open_listener(port);
  if (lfd < 0)
    return;
  for (;;) {
    int cfd = ::accept(lfd, nullptr, nullptr);
    if (cfd < 0)
      continue;
    pthread_t tid;
    if (pthread_create(&tid, nullptr, modbus_client_main, // expect: errorshield-thread-per-connection
                       reinterpret_cast<void *>(static_cast<std::intptr_t>(cfd))) != 0) {
      ::close(cfd);
      continue;
    }
    pthread_detach(tid);
  }
}

// Redundant HMI port: connections are queued to a fixed set of workers.
class ModbusWorkerPool {
public:
  explicit ModbusWorkerPool(int workers) {
    for (int i = 0; i < workers; ++i) {
      pthread_t tid;
      if (pthread_create(&tid, nullptr, &ModbusWorkerPool::trampoline, this) == 0) // OK: fixed pool
        tids_.push_back(tid);
    }
  }

  void submit(int fd) {
    std::lock_guard lk(mu_);
    pending_.push_back(fd);
    cv_.notify_one();
  }

  void serve_forever(std::uint16_t port) {
    int lfd = open_listener(port);
    while (lfd >= 0) {
      int cfd = ::accept(lfd, nullptr, nullptr);
      if (cfd >= 0)
        submit(cfd);
    }
  }

private:
  static void *trampoline(void *self) {
    auto *pool = static_cast<ModbusWorkerPool *>(self);
    for (;;) {
      int fd;
      {
        std::unique_lock lk(pool->mu_);
        pool->cv_.wait(lk, [pool] { return !pool->pending_.empty(); });
        fd = pool->pending_.front();
        pool->pending_.pop_front();
      }
      modbus_client_main(reinterpret_cast<void *>(static_cast<std::intptr_t>(fd)));
    }
    return nullptr;
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<int> pending_;
  std::vector<pthread_t> tids_;
};

void serve_history_query(tcp::socket sock) {
  beast::flat_buffer buf;
  beast::error_code ec;
  http::request<http::string_body> req;
  http::read(sock, buf, req, ec);
  if (ec)
    return;
  std::string body;
  for (const auto &v : g_cache.latest(100))
    body += v.tag + ',' + std::to_string(v.value) + ',' + std::to_string(v.ts_ms) + '\n';
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "text/csv");
  res.body() = std::move(body);
  res.prepare_payload();
  http::write(sock, res, ec);
}

void run_history_endpoint(std::uint16_t port) {
  asio::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), port});
  for (;;) {
    tcp::socket sock(ioc);
    acc.accept(sock);
    std::thread t(serve_history_query, std::move(sock)); // expect: errorshield-thread-per-connection
    t.detach();
  }
}

// Same endpoint on the maintenance VLAN: low traffic, handled inline on the
// accept thread, one request at a time.
void run_maintenance_endpoint(std::uint16_t port) {
  asio::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), port});
  for (;;) {
    tcp::socket sock(ioc);
    beast::error_code ec;
    acc.accept(sock, ec);
    if (!ec)
      serve_history_query(std::move(sock)); // OK: no thread at all
  }
}

template <class Session> class Listener {
public:
  Listener(asio::io_context &ioc, std::uint16_t port) : acc_(ioc, {tcp::v4(), port}) {}

  void accept_forever() {
    for (;;) {
      tcp::socket sock(acc_.get_executor());
      beast::error_code ec;
      acc_.accept(sock, ec);
      if (ec)
        return;
      sessions_.emplace_back([s = std::move(sock)]() mutable { Session{std::move(s)}.run(); }); // expect: errorshield-thread-per-connection
    }
  }

private:
  tcp::acceptor acc_;
  std::vector<std::jthread> sessions_;
};

struct DashboardSession {
  tcp::socket sock;
  void run() {
    beast::error_code ec;
    while (!ec) {
      std::string line;
      for (const auto &v : g_cache.latest(16))
        line += v.tag + '=' + std::to_string(v.value) + '\n';
      asio::write(sock, asio::buffer(line), ec);
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }
};

class AlarmConsolePort {
public:
  AlarmConsolePort(asio::io_context &ioc, std::uint16_t port)
      : acc_(ioc, {tcp::v4(), port}) {
    on_accept_ = [](tcp::socket s) {
      std::thread([s = std::move(s)]() mutable { // expect: errorshield-thread-per-connection
        DashboardSession{std::move(s)}.run();
      }).detach();
    };
  }

  void start() {
    acc_.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (ec)
        return;
      on_accept_(std::move(s));
      start();
    });
  }

private:
  tcp::acceptor acc_;
  std::function<void(tcp::socket)> on_accept_;
};

struct PlcConfig {
  std::string name;
  std::string host;
  std::uint16_t port = 502;
};

void poll_plc(const PlcConfig &cfg, std::atomic<bool> &stop) {
  std::uint64_t t = 0;
  while (!stop) {
    g_cache.put({cfg.name + ".heartbeat", 1.0, ++t});
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void run_gateway(const std::vector<PlcConfig> &plcs) {
  std::atomic<bool> stop{false};
  std::vector<std::jthread> pollers;
  pollers.reserve(plcs.size());
  for (const auto &cfg : plcs)
    pollers.emplace_back([&cfg, &stop] { poll_plc(cfg, stop); }); // OK: one per configured PLC, fixed at startup

  asio::io_context ioc;
  AlarmConsolePort alarms(ioc, 7500);
  alarms.start();
  asio::thread_pool io_pool(4);
  for (int i = 0; i < 4; ++i)
    asio::post(io_pool, [&ioc] { ioc.run(); }); // OK: fixed pool drives the io_context

  ModbusWorkerPool redundant(8);
  std::jthread redundant_accept([&redundant] { redundant.serve_forever(1502); });
  std::jthread modbus([] { run_modbus_slave(502); });
  std::jthread history([] { run_history_endpoint(8080); });
  std::jthread maint([] { run_maintenance_endpoint(8081); });
  Listener<DashboardSession> dash(ioc, 7400);
  dash.accept_forever();
  io_pool.join();
}

} // namespace gw
