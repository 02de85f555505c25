// checks: errorshield-thread-per-connection
// Tailor shop back-office: fitting-room terminals push customer measurements,
// the cutting table polls for work orders, and the till prints receipts.
#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace tailor {

struct Measurements {
  double chest_cm = 0, waist_cm = 0, inseam_cm = 0, sleeve_cm = 0;
};

class OrderBook {
 public:
  void record(const std::string& customer, const Measurements& m) {
    std::lock_guard<std::mutex> lk(mu_);
    book_[customer] = m;
  }
  std::size_t size() const {
    std::lock_guard<std::mutex> lk(mu_);
    return book_.size();
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, Measurements> book_;
};

OrderBook g_orders;

// Blocking handler for one fitting-room terminal.
void serve_fitting(tcp::socket sock) {
  beast::flat_buffer buf;
  beast::error_code ec;
  http::request<http::string_body> req;
  http::read(sock, buf, req, ec);
  if (ec) return;
  g_orders.record(std::string(req.target()), Measurements{});
  http::response<http::string_body> res{http::status::created, req.version()};
  res.body() = "saved";
  res.prepare_payload();
  http::write(sock, res, ec);
}

// Fitting-room terminals: one blocking loop on the main thread.
void run_fitting_listener(asio::io_context& ioc, unsigned short port) {
  tcp::acceptor acc(ioc, {tcp::v4(), port});
  for (;;) {
    tcp::socket sock(ioc);
    acc.accept(sock);
    std::thread(serve_fitting, std::move(sock)).detach(); // expect: errorshield-thread-per-connection
  }
}

// Cutting table clients: coroutine acceptor, each table gets its own worker.
class CuttingTableServer {
 public:
  explicit CuttingTableServer(asio::io_context& ioc) : acc_(ioc, {tcp::v4(), 7402}) {}

  asio::awaitable<void> run() {
    for (;;) {
      tcp::socket s = co_await acc_.async_accept(asio::use_awaitable);
      std::cout << "cutting table from " << s.remote_endpoint() << "\n";
      tables_.emplace_back([sock = std::move(s)]() mutable { // expect: errorshield-thread-per-connection
        serve_fitting(std::move(sock));
      });
    }
  }

 private:
  tcp::acceptor acc_;
  std::vector<std::jthread> tables_;
};

// Alteration requests from the shop website; handled on the shared pool.
class AlterationServer {
 public:
  AlterationServer(asio::io_context& ioc, asio::thread_pool& pool)
      : acc_(ioc, {tcp::v4(), 7403}), pool_(pool) {}

  void start() { do_accept(); }

 private:
  void do_accept() {
    acc_.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (ec) return;
      asio::post(pool_, [sock = std::move(s)]() mutable { serve_fitting(std::move(sock)); });
      do_accept();
    });
  }

  tcp::acceptor acc_;
  asio::thread_pool& pool_;
};

// Till connections: each receipt job is queued and awaited by the caller.
class TillServer {
 public:
  explicit TillServer(asio::io_context& ioc) : acc_(ioc, {tcp::v4(), 7404}) {}

  void start() { do_accept(); }

  void reap() {
    std::erase_if(jobs_, [](std::future<void>& f) {
      return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    });
  }

 private:
  void do_accept() {
    acc_.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (ec) return;
      jobs_.push_back(std::async(std::launch::async, serve_fitting, std::move(s))); // expect: errorshield-thread-per-connection
      reap();
      do_accept();
    });
  }

  tcp::acceptor acc_;
  std::vector<std::future<void>> jobs_;
};

// Legacy label printer speaks a raw line protocol on a POSIX socket.
struct PrinterClient {
  int fd;
};

void* printer_worker(void* arg) {
  auto* c = static_cast<PrinterClient*>(arg);
  char line[256];
  while (::read(c->fd, line, sizeof line) > 0) {
  }
  ::close(c->fd);
  delete c;
  return nullptr;
}

void run_printer_listener(int listen_fd) {
  for (;;) {
    int fd = ::accept(listen_fd, nullptr, nullptr);
    if (fd < 0) continue;
    pthread_t tid;
    auto* client = new PrinterClient{fd};
    if (pthread_create(&tid, nullptr, printer_worker, client) != 0) { // expect: errorshield-thread-per-connection
      ::close(fd);
      delete client;
      continue;
    }
    pthread_detach(tid);
  }
}

// Generic blocking listener used by the stock-room scanners.
template <class Handler>
class BlockingListener {
 public:
  BlockingListener(asio::io_context& ioc, unsigned short port, Handler h)
      : acc_(ioc, {tcp::v4(), port}), handler_(std::move(h)) {}

  void serve_forever() {
    while (running_) {
      tcp::socket sock(acc_.get_executor());
      beast::error_code ec;
      acc_.accept(sock, ec);
      if (ec) continue;
      std::thread worker(handler_, std::move(sock)); // expect: errorshield-thread-per-connection
      worker.detach();
    }
  }

  void stop() { running_ = false; }

 private:
  tcp::acceptor acc_;
  Handler handler_;
  std::atomic<bool> running_{true};
};

// Fabric-stock kiosks: cheap coroutine per connection on the io_context.
asio::awaitable<void> kiosk_session(tcp::socket sock) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(sock, buf, req, asio::use_awaitable);
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.body() = std::to_string(g_orders.size());
  res.prepare_payload();
  co_await http::async_write(sock, res, asio::use_awaitable);
}

asio::awaitable<void> kiosk_listener(tcp::acceptor acc) {
  auto ex = co_await asio::this_coro::executor;
  for (;;) {
    tcp::socket s = co_await acc.async_accept(asio::use_awaitable);
    asio::co_spawn(ex, kiosk_session(std::move(s)), asio::detached);
  }
}

}  // namespace tailor

int main() {
  asio::io_context ioc;
  asio::thread_pool pool(4);

  tailor::AlterationServer alterations(ioc, pool);
  alterations.start();
  tailor::TillServer till(ioc);
  till.start();
  tailor::CuttingTableServer tables(ioc);
  asio::co_spawn(ioc, tables.run(), asio::detached);
  asio::co_spawn(ioc, tailor::kiosk_listener(tcp::acceptor(ioc, {tcp::v4(), 7405})),
                 asio::detached);

  // Nightly export of the order book, one thread for the life of the process.
  std::jthread exporter([](std::stop_token st) {
    while (!st.stop_requested()) {
      std::this_thread::sleep_for(std::chrono::minutes(10));
      std::cout << "orders on file: " << tailor::g_orders.size() << "\n";
    }
  });

  // The io_context is run by a fixed set of threads sized to the machine.
  std::vector<std::thread> runners;
  const unsigned n = std::max(2u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < n; ++i) runners.emplace_back([&ioc] { ioc.run(); });

  asio::io_context scanner_ioc;
  tailor::BlockingListener scanners(scanner_ioc, 7406, [](tcp::socket s) {
    tailor::serve_fitting(std::move(s));
  });
  std::thread scanner_thread([&] { scanners.serve_forever(); });

  int printer_fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(7407);
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  ::bind(printer_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::listen(printer_fd, 16);
  std::thread printer_thread(tailor::run_printer_listener, printer_fd);

  asio::io_context fitting_ioc;
  tailor::run_fitting_listener(fitting_ioc, 7401);

  for (auto& t : runners) t.join();
  scanner_thread.join();
  printer_thread.join();
}
