// checks: errorshield-thread-per-connection
// Harbour ferry ticketing: booking API, gate scanners and the legacy kiosk port.
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
#include <cstring>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace ferry {

struct Sailing {
  std::string route;
  int seats_left = 0;
};

class Inventory {
public:
  bool reserve(const std::string &sailing, int pax) {
    std::lock_guard lk(mu_);
    auto &s = sailings_[sailing];
    if (s.seats_left < pax)
      return false;
    s.seats_left -= pax;
    return true;
  }
  void add(const std::string &id, Sailing s) {
    std::lock_guard lk(mu_);
    sailings_[id] = std::move(s);
  }

private:
  std::mutex mu_;
  std::unordered_map<std::string, Sailing> sailings_;
};

Inventory g_inventory;

// Handles one HTTP booking request on a blocking socket.
void serve_booking(tcp::socket sock) {
  beast::error_code ec;
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  http::read(sock, buf, req, ec);
  if (ec)
    return;
  http::response<http::string_body> res{http::status::ok, req.version()};
  auto body = json::parse(req.body(), nullptr, false);
  bool ok = !body.is_discarded() && g_inventory.reserve(body.value("sailing", ""), body.value("pax", 1));
  res.set(http::field::content_type, "application/json");
  res.body() = json{{"confirmed", ok}}.dump();
  res.prepare_payload();
  http::write(sock, res, ec);
  sock.shutdown(tcp::socket::shutdown_both, ec);
}

// ---------------------------------------------------------------------------
// Booking API (blocking accept loop, the original 2016 design).
void booking_api(unsigned short port) {
  net::io_context ioc;
  tcp::acceptor acc(ioc, tcp::endpoint(tcp::v4(), port));
  for (;;) {
    tcp::socket sock(ioc);
    acc.accept(sock);
    std::thread(serve_booking, std::move(sock)).detach(); // expect: errorshield-thread-per-connection
  }
}

// ---------------------------------------------------------------------------
// Gate scanners: each turnstile holds a long-lived connection.
class GateServer {
public:
  explicit GateServer(net::io_context &ioc, unsigned short port) : ioc_(ioc), acc_(ioc, {tcp::v4(), port}) {}

  void start() { accept(); }

  ~GateServer() {
    for (auto &t : gates_)
      if (t.joinable())
        t.join();
  }

private:
  void accept() {
    acc_.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (!ec)
        gates_.emplace_back(&GateServer::scanner_loop, this, std::move(s)); // expect: errorshield-thread-per-connection
      accept();
    });
  }

  void scanner_loop(tcp::socket s) {
    beast::error_code ec;
    std::array<char, 64> code{};
    while (!ec) {
      std::size_t n = s.read_some(net::buffer(code), ec);
      if (n)
        scanned_.fetch_add(1);
    }
  }

  net::io_context &ioc_;
  tcp::acceptor acc_;
  std::vector<std::thread> gates_;
  std::atomic<long> scanned_{0};
};

// ---------------------------------------------------------------------------
// Travel-agent group bookings: blocking handler, so it runs on the worker pool.
class ManifestServer {
public:
  ManifestServer(net::io_context &ioc, net::thread_pool &pool, unsigned short port)
      : acc_(ioc, {tcp::v4(), port}), pool_(pool) {}

  void start() {
    acc_.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (!ec)
        net::post(pool_, [s = std::make_shared<tcp::socket>(std::move(s))]() mutable {
          serve_booking(std::move(*s));
        });
      start();
    });
  }

private:
  tcp::acceptor acc_;
  net::thread_pool &pool_;
};

// ---------------------------------------------------------------------------
// Vehicle-deck reservations (coroutines).
net::awaitable<void> vehicle_session(tcp::socket s) {
  beast::tcp_stream stream(std::move(s));
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  stream.expires_after(std::chrono::seconds(30));
  co_await http::async_read(stream, buf, req, net::use_awaitable);
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.body() = R"({"deck":"B","lane":4})";
  res.prepare_payload();
  co_await http::async_write(stream, res, net::use_awaitable);
}

net::awaitable<void> vehicle_listener(unsigned short port) {
  auto ex = co_await net::this_coro::executor;
  tcp::acceptor acc(ex, {tcp::v4(), port});
  for (;;) {
    auto s = co_await acc.async_accept(net::use_awaitable);
    net::co_spawn(ex, vehicle_session(std::move(s)), net::detached);
  }
}

// Refund desk: someone "made it async" with std::async.
net::awaitable<void> refund_listener(unsigned short port) {
  auto ex = co_await net::this_coro::executor;
  tcp::acceptor acc(ex, {tcp::v4(), port});
  std::vector<std::future<void>> inflight;
  for (;;) {
    auto s = co_await acc.async_accept(net::use_awaitable);
    inflight.push_back(std::async(std::launch::async, serve_booking, std::move(s))); // expect: errorshield-thread-per-connection
  }
}

// ---------------------------------------------------------------------------
// Legacy kiosk protocol on raw POSIX sockets.
void *kiosk_worker(void *arg) {
  int fd = static_cast<int>(reinterpret_cast<intptr_t>(arg));
  char line[256];
  ssize_t n;
  while ((n = ::read(fd, line, sizeof line)) > 0) {
    const char ok[] = "TICKET OK\n";
    ::write(fd, ok, sizeof ok - 1);
  }
  ::close(fd);
  return nullptr;
}

void kiosk_server(unsigned short port) {
  int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  ::bind(lfd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
  ::listen(lfd, 64);
  for (;;) {
    int cfd = ::accept(lfd, nullptr, nullptr);
    if (cfd < 0)
      continue;
    pthread_t tid;
    pthread_create(&tid, nullptr, kiosk_worker, reinterpret_cast<void *>(static_cast<intptr_t>(cfd))); // expect: errorshield-thread-per-connection
    pthread_detach(tid);
  }
}

// ---------------------------------------------------------------------------
// Timetable board displays, generic over the acceptor's executor.
template <class Acceptor, class Fn>
void serve_each(Acceptor &acc, Fn fn) {
  for (;;) {
    auto s = acc.accept();
    std::jthread([fn, s = std::move(s)]() mutable { fn(std::move(s)); }).detach(); // expect: errorshield-thread-per-connection
  }
}

} // namespace ferry

int main() {
  using namespace ferry;
  g_inventory.add("MAN-0730", {"Manly", 1100});

  net::io_context ioc;
  net::thread_pool pdf_pool(4);

  GateServer gates(ioc, 9001);
  gates.start();
  ManifestServer manifests(ioc, pdf_pool, 9002);
  manifests.start();
  net::co_spawn(ioc, vehicle_listener(9003), net::detached);
  net::co_spawn(ioc, refund_listener(9004), net::detached);

  // Legacy listeners keep their own blocking loops.
  std::thread legacy_booking(booking_api, 8080);
  std::thread kiosk(kiosk_server, 7000);
  std::thread boards([] {
    net::io_context board_ioc;
    tcp::acceptor acc(board_ioc, {tcp::v4(), 9005});
    serve_each(acc, [](tcp::socket s) {
      beast::error_code ec;
      net::write(s, net::buffer(std::string("07:30 MANLY ON TIME\n")), ec);
    });
  });

  // io threads: fixed count, started once.
  std::vector<std::thread> io_threads;
  for (unsigned i = 0; i < std::max(2u, std::thread::hardware_concurrency()); ++i)
    io_threads.emplace_back([&ioc] { ioc.run(); });

  for (auto &t : io_threads)
    t.join();
  legacy_booking.join();
  kiosk.join();
  boards.join();
  pdf_pool.join();
}
