// checks: errorshield-thread-per-connection
// Laboratory instrument hub: analysers, balances and plate readers connect
// over TCP and stream results; the LIMS bridge pulls them from the hub.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
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

namespace labhub {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct InstrumentConfig {
  std::string name;
  std::string serial_device;
  int poll_ms = 500;
};

void serve_instrument(tcp::socket sock);
void serve_legacy_ascii(tcp::socket sock);
void poll_serial_instrument(const InstrumentConfig &cfg, const std::atomic<bool> &stop);
void push_to_lims(const std::string &sample_id, const std::string &payload);

// Result frames are newline-delimited; parse them on the protocol strand.
class ResultSession : public std::enable_shared_from_this<ResultSession> {
public:
  explicit ResultSession(tcp::socket s) : sock_(std::move(s)) {}
  void start() { read_next(); }

private:
  void read_next() {
    asio::async_read_until(sock_, buf_, '\n',
                           [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                             if (ec)
                               return;
                             std::string line(asio::buffers_begin(self->buf_.data()),
                                              asio::buffers_begin(self->buf_.data()) + n);
                             self->buf_.consume(n);
                             push_to_lims("auto", line);
                             self->read_next();
                           });
  }
  tcp::socket sock_;
  asio::streambuf buf_;
};

class InstrumentHub {
public:
  InstrumentHub(asio::io_context &ioc, unsigned short port, std::vector<InstrumentConfig> serial)
      : ioc_(ioc), acceptor_(ioc, {tcp::v4(), port}), legacy_acceptor_(ioc, {tcp::v4(), 0}),
        serial_(std::move(serial)), parse_pool_(4) {}

  // OK: io threads are fixed at startup, not per connection.
  void run(std::size_t io_threads) {
    do_accept();
    for (std::size_t i = 0; i < io_threads; ++i)
      io_threads_.emplace_back([this] { ioc_.run(); });
    // OK: one poller per configured serial instrument; the list is static.
    for (const auto &cfg : serial_)
      pollers_.emplace_back([this, &cfg] { poll_serial_instrument(cfg, stop_); });
    // OK: one housekeeping thread for the whole hub.
    housekeeping_ = std::thread([this] {
      while (!stop_) {
        std::this_thread::sleep_for(std::chrono::seconds(30));
        purge_stale_results();
      }
    });
  }

  void stop() {
    stop_ = true;
    ioc_.stop();
    for (auto &t : io_threads_)
      t.join();
    for (auto &t : pollers_)
      t.join();
    if (housekeeping_.joinable())
      housekeeping_.join();
    parse_pool_.join();
  }

  // Main accept path for modern analysers.
  void do_accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket sock) {
      if (!ec) {
        std::thread([s = std::move(sock)]() mutable { serve_instrument(std::move(s)); }).detach(); // expect: errorshield-thread-per-connection
      }
      do_accept();
    });
  }

  // OK: plate readers are handed to the shared parse pool.
  void do_accept_plate_readers(tcp::acceptor &acc) {
    acc.async_accept([this, &acc](boost::system::error_code ec, tcp::socket sock) {
      if (!ec) {
        asio::post(parse_pool_, [s = std::make_shared<tcp::socket>(std::move(sock))]() mutable {
          serve_instrument(std::move(*s));
        });
      }
      do_accept_plate_readers(acc);
    });
  }

  // Legacy balances speak a line-based ASCII protocol and block on reads.
  void legacy_accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket sock(ioc_);
      legacy_acceptor_.accept(sock, ec);
      if (ec) {
        if (ec == asio::error::operation_aborted)
          return;
        continue;
      }
      std::thread worker(&serve_legacy_ascii, std::move(sock)); // expect: errorshield-thread-per-connection
      worker.detach();
    }
  }

  // OK: sessions are async objects on the io_context, no thread per peer.
  void do_accept_async_sessions(tcp::acceptor &acc) {
    acc.async_accept([this, &acc](boost::system::error_code ec, tcp::socket sock) {
      if (!ec)
        std::make_shared<ResultSession>(std::move(sock))->start();
      do_accept_async_sessions(acc);
    });
  }

private:
  void purge_stale_results() {}

  asio::io_context &ioc_;
  tcp::acceptor acceptor_;
  tcp::acceptor legacy_acceptor_;
  std::vector<InstrumentConfig> serial_;
  asio::thread_pool parse_pool_;
  std::vector<std::thread> io_threads_;
  std::vector<std::thread> pollers_;
  std::thread housekeeping_;
  std::atomic<bool> stop_{false};
};

// Coroutine listener for the calibration channel. Each calibration upload can
// take minutes, so somebody pushed it onto std::async.
class CalibrationListener {
public:
  explicit CalibrationListener(asio::io_context &ioc) : ioc_(ioc) {}

  asio::awaitable<void> listen(unsigned short port) {
    tcp::acceptor acc(ioc_, {tcp::v4(), port});
    for (;;) {
      tcp::socket sock = co_await acc.async_accept(asio::use_awaitable);
      std::lock_guard lk(mu_);
      uploads_.push_back(std::async(std::launch::async, [s = std::move(sock)]() mutable { // expect: errorshield-thread-per-connection
        serve_instrument(std::move(s));
      }));
    }
  }

  // OK: the proper coroutine version just spawns on the same io_context.
  asio::awaitable<void> listen_async(unsigned short port) {
    auto ex = co_await asio::this_coro::executor;
    tcp::acceptor acc(ex, {tcp::v4(), port});
    for (;;) {
      tcp::socket sock = co_await acc.async_accept(asio::use_awaitable);
      asio::co_spawn(ex, session(std::move(sock)), asio::detached);
    }
  }

private:
  static asio::awaitable<void> session(tcp::socket sock) {
    char data[512];
    for (;;) {
      auto [ec, n] = co_await sock.async_read_some(asio::buffer(data),
                                                   asio::as_tuple(asio::use_awaitable));
      if (ec)
        co_return;
      push_to_lims("cal", std::string(data, n));
    }
  }

  asio::io_context &ioc_;
  std::mutex mu_;
  std::vector<std::future<void>> uploads_;
};

// Remote-diagnostics port used by the service engineer's laptop. The handler
// factory is stored and invoked by the acceptor later.
class DiagnosticsPort {
public:
  using Handler = std::function<void(tcp::socket)>;

  explicit DiagnosticsPort(asio::io_context &ioc, unsigned short port)
      : acc_(ioc, {tcp::v4(), port}) {
    on_connect_ = [this](tcp::socket s) {
      sessions_.emplace_back([this, sock = std::move(s)]() mutable { run_console(std::move(sock)); }); // expect: errorshield-thread-per-connection
    };
  }

  void start() {
    acc_.async_accept([this](boost::system::error_code ec, tcp::socket s) {
      if (ec)
        return;
      on_connect_(std::move(s));
      start();
    });
  }

private:
  void run_console(tcp::socket sock) { serve_legacy_ascii(std::move(sock)); }

  tcp::acceptor acc_;
  Handler on_connect_;
  std::vector<std::jthread> sessions_;
};

} // namespace labhub
