// checks: errorshield-thread-per-connection
// Car wash controller: wash bays, payment kiosks, loyalty app and the
// chemical-dosing PLC bridge.
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
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace carwash {

std::atomic<int> g_active_bays{0};

void handle_bay_controller(tcp::socket sock) {
  ++g_active_bays;
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  beast::error_code ec;
  http::read(sock, buf, req, ec);
  if (!ec) {
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.body() = json{{"program", "deluxe"}, {"foam", true}}.dump();
    res.prepare_payload();
    http::write(sock, res, ec);
  }
  --g_active_bays;
}

// Wash bays: one controller per bay, legacy synchronous protocol.
void run_bay_listener(asio::io_context &ioc, unsigned short port) {
  tcp::acceptor acceptor(ioc, {tcp::v4(), port});
  for (;;) {
    tcp::socket sock = acceptor.accept();
    std::thread(handle_bay_controller, std::move(sock)).detach(); // expect: errorshield-thread-per-connection
  }
}

// Payment kiosks.
class KioskServer {
public:
  KioskServer(asio::io_context &ioc, unsigned short port) : acceptor_(ioc, {tcp::v4(), port}) {}

  ~KioskServer() {
    for (auto &t : workers_)
      if (t.joinable())
        t.join();
  }

  void start() { do_accept(); }

private:
  void do_accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket sock) {
      if (!ec) {
        std::lock_guard lk(mu_);
        workers_.emplace_back([s = std::move(sock)]() mutable { serve_kiosk(s); }); // expect: errorshield-thread-per-connection
      }
      do_accept();
    });
  }

  static void serve_kiosk(tcp::socket &s) {
    beast::flat_buffer buf;
    http::request<http::string_body> req;
    beast::error_code ec;
    http::read(s, buf, req, ec);
    if (ec)
      return;
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.body() = R"({"paid":true})";
    res.prepare_payload();
    http::write(s, res, ec);
  }

  tcp::acceptor acceptor_;
  std::mutex mu_;
  std::vector<std::thread> workers_;
};

// Loyalty app API: coroutine acceptor, but lookups were moved off the loop.
asio::awaitable<void> loyalty_listener(tcp::acceptor acceptor) {
  std::vector<std::future<void>> pending;
  for (;;) {
    auto sock = co_await acceptor.async_accept(asio::use_awaitable);
    pending.push_back(std::async(std::launch::async, [s = std::move(sock)]() mutable { // expect: errorshield-thread-per-connection
      beast::error_code ec;
      asio::write(s, asio::buffer(std::string("{\"points\":120}\n")), ec);
    }));
  }
}

// Chemical dosing PLC speaks a plain line protocol on a raw POSIX socket.
struct PlcConn {
  int fd;
};

void *plc_thread(void *arg) {
  std::unique_ptr<PlcConn> conn(static_cast<PlcConn *>(arg));
  char line[128];
  ssize_t n = ::recv(conn->fd, line, sizeof(line), 0);
  if (n > 0)
    std::cout << "dosing: " << std::string(line, static_cast<std::size_t>(n)) << '\n';
  ::close(conn->fd);
  return nullptr;
}

void run_plc_bridge(unsigned short port) {
  int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  ::bind(lfd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr));
  ::listen(lfd, 16);
  for (;;) {
    int cfd = ::accept(lfd, nullptr, nullptr);
    if (cfd < 0)
      continue;
    pthread_t tid;
    pthread_create(&tid, nullptr, plc_thread, new PlcConn{cfd}); // expect: errorshield-thread-per-connection
    pthread_detach(tid);
  }
}

// Generic accept loop reused by the vacuum stations.
template <class Handler> void serve_vacuum_stations(tcp::acceptor &acceptor, Handler handler) {
  for (;;) {
    auto sock = acceptor.accept();
    std::jthread worker([handler, s = std::move(sock)]() mutable { handler(s); }); // expect: errorshield-thread-per-connection
    worker.detach();
  }
}

// Operator dashboard: proper async sessions on the shared io_context.
class DashboardSession : public std::enable_shared_from_this<DashboardSession> {
public:
  explicit DashboardSession(tcp::socket sock) : stream_(std::move(sock)) {}
  void start() {
    http::async_read(stream_, buf_, req_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec)
                         self->reply();
                     });
  }

private:
  void reply() {
    res_ = {http::status::ok, req_.version()};
    res_.body() = json{{"active_bays", g_active_bays.load()}}.dump();
    res_.prepare_payload();
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

void accept_dashboards(tcp::acceptor &acceptor) {
  acceptor.async_accept([&acceptor](beast::error_code ec, tcp::socket sock) {
    if (!ec)
      std::make_shared<DashboardSession>(std::move(sock))->start();
    accept_dashboards(acceptor);
  });
}

// Receipt printers: handled on a bounded pool.
void accept_printers(tcp::acceptor &acceptor, asio::thread_pool &pool) {
  acceptor.async_accept([&acceptor, &pool](beast::error_code ec, tcp::socket sock) {
    if (!ec)
      asio::post(pool, [s = std::make_shared<tcp::socket>(std::move(sock))] {
        beast::error_code wec;
        asio::write(*s, asio::buffer(std::string("PRINT OK\n")), wec);
      });
    accept_printers(acceptor, pool);
  });
}

// Water reclaim sensors: coroutine per connection.
asio::awaitable<void> reclaim_sensor(tcp::socket sock) {
  char data[64];
  for (;;) {
    auto n = co_await sock.async_read_some(asio::buffer(data), asio::use_awaitable);
    std::cout << "reclaim tank: " << std::string(data, n) << '\n';
  }
}

asio::awaitable<void> reclaim_listener(tcp::acceptor acceptor) {
  for (;;) {
    auto sock = co_await acceptor.async_accept(asio::use_awaitable);
    asio::co_spawn(acceptor.get_executor(), reclaim_sensor(std::move(sock)), asio::detached);
  }
}

} // namespace carwash

int main() {
  asio::io_context ioc;
  asio::thread_pool printers(2);

  tcp::acceptor dash(ioc, {tcp::v4(), 8080});
  tcp::acceptor printer_acc(ioc, {tcp::v4(), 9100});
  carwash::accept_dashboards(dash);
  carwash::accept_printers(printer_acc, printers);
  asio::co_spawn(ioc, carwash::reclaim_listener(tcp::acceptor(ioc, {tcp::v4(), 7001})),
                 asio::detached);
  asio::co_spawn(ioc, carwash::loyalty_listener(tcp::acceptor(ioc, {tcp::v4(), 7002})),
                 asio::detached);

  carwash::KioskServer kiosks(ioc, 7003);
  kiosks.start();

  // Background jobs started once at boot.
  std::thread plc([] { carwash::run_plc_bridge(5020); });
  std::thread vacuum([&ioc] {
    tcp::acceptor vac(ioc, {tcp::v4(), 7004});
    carwash::serve_vacuum_stations(vac, [](tcp::socket &s) {
      beast::error_code ec;
      asio::write(s, asio::buffer(std::string("SUCTION ON\n")), ec);
    });
  });

  std::vector<std::thread> io_threads;
  const unsigned n = std::max(2u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < n; ++i)
    io_threads.emplace_back([&ioc] { ioc.run(); });

  carwash::run_bay_listener(ioc, 7000);

  for (auto &t : io_threads)
    t.join();
  plc.join();
  vacuum.join();
  printers.join();
}
