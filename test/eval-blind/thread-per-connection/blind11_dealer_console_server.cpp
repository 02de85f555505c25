// checks: errorshield-thread-per-connection
// Dealer console server for the live table-game floor: each blackjack /
// baccarat table terminal connects in, the pit boss dashboard connects in,
// and the surveillance audit tap pulls a line-oriented event log.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <list>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace floorctl {

struct TableEvent {
  std::string table_id;
  std::string kind;
  std::string detail;
};

class EventLog {
public:
  void append(TableEvent ev) {
    std::lock_guard lk(mu_);
    events_.push_back(std::move(ev));
  }
  std::vector<TableEvent> since(std::size_t idx) const {
    std::lock_guard lk(mu_);
    if (idx >= events_.size())
      return {};
    return {events_.begin() + static_cast<std::ptrdiff_t>(idx), events_.end()};
  }

private:
  mutable std::mutex mu_;
  std::vector<TableEvent> events_;
};

class ShoeShuffler {
public:
  explicit ShoeShuffler(std::size_t decks) : decks_(decks) {
    worker_ = std::thread([this] { run(); }); // OK: one background thread per process
  }
  ~ShoeShuffler() {
    stop_ = true;
    if (worker_.joinable())
      worker_.join();
  }

private:
  void run() {
    std::mt19937_64 rng{std::random_device{}()};
    while (!stop_) {
      std::vector<int> shoe(decks_ * 52);
      for (std::size_t i = 0; i < shoe.size(); ++i)
        shoe[i] = static_cast<int>(i % 52);
      std::shuffle(shoe.begin(), shoe.end(), rng);
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  }

  std::size_t decks_;
  std::atomic<bool> stop_{false};
  std::thread worker_;
};

void serve_table_terminal(tcp::socket sock, EventLog &log) {
  beast::flat_buffer buf;
  beast::error_code ec;
  for (;;) {
    http::request<http::string_body> req;
    http::read(sock, buf, req, ec);
    if (ec)
      break;
    log.append({std::string(req[http::field::host]), "terminal", req.body()});
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.body() = "ack";
    res.prepare_payload();
    http::write(sock, res, ec);
    if (ec || !req.keep_alive())
      break;
  }
  sock.shutdown(tcp::socket::shutdown_both, ec);
}

class DealerConsoleServer {
public:
  DealerConsoleServer(asio::io_context &ioc, EventLog &log)
      : ioc_(ioc), log_(log), pit_acceptor_(ioc, {tcp::v4(), 7101}) {}

  // Table terminals: blocking accept loop on its own listener thread.
  void run_terminal_listener(unsigned short port) {
    asio::io_context local;
    tcp::acceptor acc(local, {tcp::v4(), port});
    for (;;) {
      tcp::socket sock(local);
      beast::error_code ec;
      acc.accept(sock, ec);
      if (ec)
        continue;
      std::thread(serve_table_terminal, std::move(sock), std::ref(log_)).detach(); // expect: errorshield-thread-per-connection
    }
  }

  // Pit boss dashboards: async accept chain on the shared io_context.
  void start_pit_accept() {
    pit_acceptor_.async_accept([this](beast::error_code ec, tcp::socket sock) {
      if (!ec) {
        std::thread([this, s = std::move(sock)]() mutable { // expect: errorshield-thread-per-connection
          serve_pit_dashboard(std::move(s));
        }).detach();
      }
      start_pit_accept();
    });
  }

  // Surveillance audit tap: each connection gets an async task for the dump.
  void run_audit_listener(unsigned short port) {
    asio::io_context local;
    tcp::acceptor acc(local, {tcp::v4(), port});
    for (;;) {
      auto sock = std::make_shared<tcp::socket>(local);
      acc.accept(*sock);
      audits_.push_back(std::async(std::launch::async, [this, sock] { dump_audit(*sock); })); // expect: errorshield-thread-per-connection
      std::erase_if(audits_, [](std::future<void> &f) {
        return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
      });
    }
  }

  // Cage cashier terminals: coroutine listener; sessions kept in a list so
  // shutdown can stop them.
  asio::awaitable<void> cashier_listener(unsigned short port) {
    auto ex = co_await asio::this_coro::executor;
    tcp::acceptor acc(ex, {tcp::v4(), port});
    for (;;) {
      tcp::socket sock = co_await acc.async_accept(asio::use_awaitable);
      std::lock_guard lk(cashier_mu_);
      cashier_sessions_.emplace_back([this, s = std::move(sock)](std::stop_token st) mutable { // expect: errorshield-thread-per-connection
        while (!st.stop_requested() && s.is_open())
          serve_cashier_once(s);
      });
    }
  }

private:
  void serve_pit_dashboard(tcp::socket s) { serve_table_terminal(std::move(s), log_); }

  void dump_audit(tcp::socket &s) {
    std::string out;
    for (const auto &ev : log_.since(0))
      out += ev.table_id + '|' + ev.kind + '|' + ev.detail + '\n';
    beast::error_code ec;
    asio::write(s, asio::buffer(out), ec);
  }

  void serve_cashier_once(tcp::socket &s) {
    char line[256];
    beast::error_code ec;
    std::size_t n = s.read_some(asio::buffer(line), ec);
    if (ec) {
      s.close(ec);
      return;
    }
    log_.append({"cage", "cashier", std::string(line, n)});
  }

  asio::io_context &ioc_;
  EventLog &log_;
  tcp::acceptor pit_acceptor_;
  std::vector<std::future<void>> audits_;
  std::mutex cashier_mu_;
  std::list<std::jthread> cashier_sessions_;
};

// Shared io_context driven by a fixed pool sized to the host.
class IoPool {
public:
  explicit IoPool(asio::io_context &ioc, unsigned n = std::thread::hardware_concurrency())
      : guard_(asio::make_work_guard(ioc)) {
    if (n == 0)
      n = 2;
    for (unsigned i = 0; i < n; ++i)
      threads_.emplace_back([&ioc] { ioc.run(); }); // OK: fixed pool, not per connection
  }
  ~IoPool() {
    guard_.reset();
    for (auto &t : threads_)
      t.join();
  }

private:
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::vector<std::thread> threads_;
};

// Table-limit change requests: accepted on one thread, executed on a
// bounded worker pool.
class LimitChangeListener {
public:
  explicit LimitChangeListener(EventLog &log) : log_(log), workers_(4) {}

  void run(unsigned short port) {
    asio::io_context local;
    tcp::acceptor acc(local, {tcp::v4(), port});
    for (;;) {
      tcp::socket sock(local);
      beast::error_code ec;
      acc.accept(sock, ec);
      if (ec)
        break;
      asio::post(workers_, [this, s = std::move(sock)]() mutable { // OK: handed to the pool
        serve_table_terminal(std::move(s), log_);
      });
    }
    workers_.join();
  }

private:
  EventLog &log_;
  asio::thread_pool workers_;
};

// Floor camera health probe: a single long-lived connection, one thread.
void start_camera_probe(asio::io_context &ioc, const tcp::endpoint &nvr,
                        std::vector<std::thread> &bg) {
  bg.emplace_back([&ioc, nvr] { // OK: one outbound link created at startup
    tcp::socket s(ioc);
    beast::error_code ec;
    s.connect(nvr, ec);
    while (!ec) {
      asio::write(s, asio::buffer("PING\n", 5), ec);
      std::this_thread::sleep_for(std::chrono::seconds(5));
    }
  });
}

void run_floor(EventLog &log) {
  asio::io_context ioc;
  DealerConsoleServer srv(ioc, log);
  srv.start_pit_accept();
  asio::co_spawn(ioc, srv.cashier_listener(7103), asio::detached);
  std::vector<std::thread> bg;
  bg.emplace_back([&srv] { srv.run_terminal_listener(7100); });
  bg.emplace_back([&srv] { srv.run_audit_listener(7102); });
  start_camera_probe(ioc, {asio::ip::make_address("10.20.0.5"), 554}, bg);
  ShoeShuffler shuffler(8);
  IoPool pool(ioc, 4);
  for (auto &t : bg)
    t.join();
}

} // namespace floorctl
