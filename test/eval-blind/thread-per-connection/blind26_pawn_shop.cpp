// checks: errorshield-thread-per-connection
// Pawn shop back office: appraisal desk, loan ledger, POS terminals and the
// police hold-list feed all talk to this server.
#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace pawn {

struct Ledger {
  std::mutex mu;
  std::int64_t outstanding_cents = 0;
  void add_loan(std::int64_t cents) {
    std::lock_guard lk(mu);
    outstanding_cents += cents;
  }
};

void serve_appraisal(tcp::socket sock) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  beast::error_code ec;
  http::read(sock, buf, req, ec);
  if (ec) return;
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.body() = "{\"appraised\":true}";
  res.prepare_payload();
  http::write(sock, res, ec);
}

// Appraisal desk: synchronous acceptor, each appraiser handled on its own.
void appraisal_listener(net::io_context& ioc, unsigned short port) {
  tcp::acceptor acc(ioc, {tcp::v4(), port});
  for (;;) {
    tcp::socket sock(ioc);
    acc.accept(sock);
    std::thread(serve_appraisal, std::move(sock)).detach(); // expect: errorshield-thread-per-connection
  }
}

// Loan ledger terminals: async accept, but handling is blocking.
class LedgerServer {
 public:
  LedgerServer(net::io_context& ioc, unsigned short port, Ledger& ledger)
      : acc_(ioc, {tcp::v4(), port}), ledger_(ledger) {}

  void start() { accept_next(); }

  ~LedgerServer() {
    for (auto& t : workers_)
      if (t.joinable()) t.join();
  }

 private:
  void accept_next() {
    acc_.async_accept([this](beast::error_code ec, tcp::socket sock) {
      if (!ec) {
        workers_.emplace_back([this, s = std::move(sock)]() mutable { handle(std::move(s)); }); // expect: errorshield-thread-per-connection
      }
      accept_next();
    });
  }

  void handle(tcp::socket sock) {
    char line[64] = {};
    beast::error_code ec;
    auto n = sock.read_some(net::buffer(line, sizeof line - 1), ec);
    if (!ec && n > 0) ledger_.add_loan(std::stoll(std::string(line, n)));
  }

  tcp::acceptor acc_;
  Ledger& ledger_;
  std::vector<std::thread> workers_;
};

// Police hold-list feed: old POSIX code, one handler per detective's client.
struct HoldArgs {
  int fd;
};

void* hold_list_client(void* p) {
  std::unique_ptr<HoldArgs> args(static_cast<HoldArgs*>(p));
  const char msg[] = "HOLD serial=SN-00412 reason=reported-stolen\n";
  ::send(args->fd, msg, sizeof msg - 1, 0);
  ::close(args->fd);
  return nullptr;
}

void hold_list_server(std::uint16_t port) {
  int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (lfd < 0) return;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  if (::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 || ::listen(lfd, 64) < 0) {
    ::close(lfd);
    return;
  }
  for (;;) {
    int cfd = ::accept(lfd, nullptr, nullptr);
    if (cfd < 0) continue;
    pthread_t tid;
    if (pthread_create(&tid, nullptr, hold_list_client, new HoldArgs{cfd}) == 0) // expect: errorshield-thread-per-connection
      pthread_detach(tid);
    else
      ::close(cfd);
  }
}

// POS terminals: handler template reused for the buy and sell counters.
template <class Handler>
class CounterAcceptor {
 public:
  CounterAcceptor(net::io_context& ioc, unsigned short port, Handler h)
      : acc_(ioc, {tcp::v4(), port}), handler_(std::move(h)) {}

  void run() {
    acc_.async_accept([this](beast::error_code ec, tcp::socket sock) {
      if (ec) return;
      std::jthread([h = handler_, s = std::move(sock)]() mutable { h(std::move(s)); }).detach(); // expect: errorshield-thread-per-connection
      run();
    });
  }

 private:
  tcp::acceptor acc_;
  Handler handler_;
};

// Price-check kiosk: coroutine acceptor that hands each kiosk to std::async.
net::awaitable<void> price_check(tcp::acceptor acc, std::vector<std::future<void>>& pending) {
  for (;;) {
    auto sock = co_await acc.async_accept(net::use_awaitable);
    pending.push_back(std::async(std::launch::async, [s = std::move(sock)]() mutable { serve_appraisal(std::move(s)); })); // expect: errorshield-thread-per-connection
  }
}

// Jewelry scale readings: everything stays on the io_context.
net::awaitable<void> scale_session(tcp::socket sock) {
  char buf[32];
  for (;;) {
    auto [ec, n] = co_await sock.async_read_some(net::buffer(buf), net::as_tuple(net::use_awaitable));
    if (ec) co_return;
    std::cout << "scale: " << std::string_view(buf, n) << "\n";
  }
}

net::awaitable<void> scale_listener(tcp::acceptor acc) {
  for (;;) {
    auto sock = co_await acc.async_accept(net::use_awaitable);
    net::co_spawn(acc.get_executor(), scale_session(std::move(sock)), net::detached);
  }
}

// Camera uploads from the intake counter go to a bounded pool.
class IntakeServer {
 public:
  IntakeServer(net::io_context& ioc, unsigned short port) : acc_(ioc, {tcp::v4(), port}), pool_(4) {}

  void start() {
    acc_.async_accept([this](beast::error_code ec, tcp::socket sock) {
      if (ec) return;
      net::post(pool_, [s = std::make_shared<tcp::socket>(std::move(sock))] { serve_appraisal(std::move(*s)); });
      start();
    });
  }

  void stop() { pool_.join(); }

 private:
  tcp::acceptor acc_;
  net::thread_pool pool_;
};

}  // namespace pawn

int main() {
  net::io_context ioc;
  pawn::Ledger ledger;

  // one listener thread per service port, started once at boot
  std::vector<std::thread> listeners;
  listeners.emplace_back([&] { pawn::appraisal_listener(ioc, 7001); });
  listeners.emplace_back([] { pawn::hold_list_server(7003); });

  pawn::LedgerServer ledger_srv(ioc, 7002, ledger);
  ledger_srv.start();

  auto counter = [](tcp::socket s) {
    const char greet[] = "COUNTER READY\n";
    beast::error_code ec;
    net::write(s, net::buffer(greet, sizeof greet - 1), ec);
  };
  pawn::CounterAcceptor<decltype(counter)> buy(ioc, 7004, counter);
  buy.run();

  std::vector<std::future<void>> pending;
  net::co_spawn(ioc, pawn::price_check(tcp::acceptor(ioc, {tcp::v4(), 7005}), pending), net::detached);
  net::co_spawn(ioc, pawn::scale_listener(tcp::acceptor(ioc, {tcp::v4(), 7006})), net::detached);

  pawn::IntakeServer intake(ioc, 7007);
  intake.start();

  // fixed-size pool driving the io_context
  const unsigned n = std::max(2u, std::thread::hardware_concurrency());
  std::vector<std::thread> io_threads;
  for (unsigned i = 0; i < n; ++i)
    io_threads.emplace_back([&ioc] { ioc.run(); });
  for (auto& t : io_threads) t.join();
  for (auto& t : listeners) t.join();
  intake.stop();
}
