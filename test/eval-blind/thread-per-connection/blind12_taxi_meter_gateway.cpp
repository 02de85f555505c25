// checks: errorshield-thread-per-connection
// Taxi meter gateway: in-car meters post trip records over HTTP and hold a
// WebSocket open for live fare pushes. The gateway forwards to dispatch.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace meters {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

void forward_trip_to_dispatch(const std::string &body);
void reload_tariffs();

// Synchronous HTTP session for trip uploads.
inline void do_trip_session(tcp::socket sock) {
  beast::flat_buffer buf;
  boost::system::error_code ec;
  for (;;) {
    http::request<http::string_body> req;
    http::read(sock, buf, req, ec);
    if (ec)
      break;
    forward_trip_to_dispatch(req.body());
    http::response<http::string_body> res{http::status::accepted, req.version()};
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    http::write(sock, res, ec);
    if (ec || !req.keep_alive())
      break;
  }
  sock.shutdown(tcp::socket::shutdown_send, ec);
}

// Bounded hand-off queue drained by a fixed set of workers.
class SessionQueue {
public:
  explicit SessionQueue(std::size_t cap) : cap_(cap) {}

  // Takes the socket only on success; the caller keeps it otherwise.
  bool try_push(tcp::socket &s) {
    std::lock_guard lk(mu_);
    if (q_.size() >= cap_)
      return false;
    q_.push_back(std::move(s));
    cv_.notify_one();
    return true;
  }

  std::optional<tcp::socket> pop(const std::atomic<bool> &stop) {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return stop.load() || !q_.empty(); });
    if (q_.empty())
      return std::nullopt;
    tcp::socket s = std::move(q_.front());
    q_.pop_front();
    return s;
  }

  void wake_all() { cv_.notify_all(); }

private:
  std::size_t cap_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<tcp::socket> q_;
};

class TripUploadServer {
public:
  TripUploadServer(asio::io_context &ioc, unsigned short port, std::size_t workers)
      : ioc_(ioc), acceptor_(ioc, {tcp::v4(), port}), queue_(256) {
    // OK: fixed worker count decided at startup.
    for (std::size_t i = 0; i < workers; ++i) {
      workers_.emplace_back([this] {
        while (auto s = queue_.pop(stop_))
          do_trip_session(std::move(*s));
      });
    }
    // OK: single background thread for tariff tables.
    tariff_thread_ = std::thread([this] {
      while (!stop_) {
        reload_tariffs();
        std::this_thread::sleep_for(std::chrono::minutes(5));
      }
    });
  }

  ~TripUploadServer() {
    stop_ = true;
    queue_.wake_all();
    for (auto &w : workers_)
      w.join();
    if (tariff_thread_.joinable())
      tariff_thread_.join();
  }

  // Accept loop used by the depot build (one meter per bay, "never more than
  // a few dozen"), written before the queue existed.
  void serve_depot_blocking(tcp::acceptor &depot) {
    for (;;) {
      tcp::socket sock(ioc_);
      boost::system::error_code ec;
      depot.accept(sock, ec);
      if (ec)
        continue;
      std::thread{&do_trip_session, std::move(sock)}.detach(); // expect: errorshield-thread-per-connection
    }
  }

  // Street fleet: hand sockets to the worker queue.
  void accept_street() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket sock) {
      if (ec) {
        if (ec != asio::error::operation_aborted)
          accept_street();
        return;
      }
      if (!queue_.try_push(sock)) {
        // Queue full during the Friday-night peak: don't drop the meter.
        std::thread overflow([s = std::move(sock)]() mutable { do_trip_session(std::move(s)); }); // expect: errorshield-thread-per-connection
        overflow.detach();
      }
      accept_street();
    });
  }

  // OK: when the gateway is at capacity the meter is refused, nothing spawned.
  void accept_airport(tcp::acceptor &acc, std::size_t max_open) {
    acc.async_accept([this, &acc, max_open](boost::system::error_code ec, tcp::socket sock) {
      if (!ec) {
        if (open_.load() >= max_open) {
          boost::system::error_code ignored;
          sock.close(ignored);
        } else if (!queue_.try_push(sock)) {
          boost::system::error_code ignored;
          sock.close(ignored);
        }
      }
      accept_airport(acc, max_open);
    });
  }

private:
  asio::io_context &ioc_;
  tcp::acceptor acceptor_;
  SessionQueue queue_;
  std::vector<std::thread> workers_;
  std::thread tariff_thread_;
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> open_{0};
};

// Live fare channel. Each meter keeps one WebSocket open for the whole shift.
struct FareChannelRegistry {
  std::mutex mu;
  std::map<std::string, std::jthread> meter_threads;
};

inline void run_fare_socket(websocket::stream<tcp::socket> ws) {
  beast::flat_buffer buf;
  boost::system::error_code ec;
  for (;;) {
    ws.read(buf, ec);
    if (ec)
      return;
    buf.consume(buf.size());
  }
}

asio::awaitable<void> fare_listener(tcp::acceptor acc, FareChannelRegistry *reg) {
  for (;;) {
    tcp::socket sock = co_await acc.async_accept(asio::use_awaitable);
    auto meter_id = sock.remote_endpoint().address().to_string();
    std::lock_guard lk(reg->mu);
    reg->meter_threads.insert_or_assign(meter_id, std::jthread([s = std::move(sock)]() mutable { // expect: errorshield-thread-per-connection
      websocket::stream<tcp::socket> ws(std::move(s));
      ws.accept();
      run_fare_socket(std::move(ws));
    }));
  }
}

// OK: same channel done properly, sessions run on a shared pool.
class PooledFareListener {
public:
  PooledFareListener(asio::io_context &ioc, unsigned short port)
      : acc_(ioc, {tcp::v4(), port}), pool_(std::thread::hardware_concurrency()) {}

  void start() {
    acc_.async_accept([this](boost::system::error_code ec, tcp::socket sock) {
      if (ec)
        return;
      auto shared = std::make_shared<tcp::socket>(std::move(sock));
      asio::post(pool_, [shared] {
        websocket::stream<tcp::socket> ws(std::move(*shared));
        boost::system::error_code hec;
        ws.accept(hec);
        if (!hec)
          run_fare_socket(std::move(ws));
      });
      start();
    });
  }

  ~PooledFareListener() { pool_.join(); }

private:
  tcp::acceptor acc_;
  asio::thread_pool pool_;
};

// OK: the coroutine variant spawns on the io_context's executor.
asio::awaitable<void> fare_session(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buf, asio::as_tuple(asio::use_awaitable));
    if (ec)
      co_return;
    buf.consume(n);
  }
}

asio::awaitable<void> fare_listener_async(tcp::acceptor acc) {
  auto ex = co_await asio::this_coro::executor;
  for (;;) {
    tcp::socket sock = co_await acc.async_accept(asio::use_awaitable);
    asio::co_spawn(ex, fare_session(std::move(sock)), asio::detached);
  }
}

} // namespace meters
