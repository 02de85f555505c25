// checks: errorshield-ws-blocking-in-handler
// IoT telemetry hub: devices stream readings over websocket, the hub spools them
// to disk and forwards batches to an upstream time-series ingest endpoint.
#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

#include <sys/socket.h>
#include <unistd.h>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

namespace iot::hub {

class DeviceSession : public std::enable_shared_from_this<DeviceSession> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  net::thread_pool& blocking_pool_;
  int spool_fd_;
  std::size_t frames_ = 0;

 public:
  DeviceSession(tcp::socket s, net::thread_pool& pool, int spool_fd)
      : ws_(std::move(s)), blocking_pool_(pool), spool_fd_(spool_fd) {}

  void start() {
    ws_.async_accept(beast::bind_front_handler(&DeviceSession::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    ws_.text(true);  // correct: option setter, not I/O
    do_read();
  }

  void do_read() {
    ws_.async_read(buf_, beast::bind_front_handler(&DeviceSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t n) {
    if (ec == websocket::error::closed)
      return;
    if (ec) {
      std::this_thread::sleep_for(50ms);  // expect: errorshield-ws-blocking-in-handler
      ws_.close(websocket::close_code::protocol_error, ec);  // expect: errorshield-ws-blocking-in-handler
      return;
    }
    std::string payload = beast::buffers_to_string(buf_.data());
    buf_.consume(n);  // correct: buffer bookkeeping
    ::write(spool_fd_, payload.data(), payload.size());  // expect: errorshield-ws-blocking-in-handler

    // correct: durable spool copy is handed to the dedicated blocking pool
    net::post(blocking_pool_, [fd = spool_fd_, payload] {
      ::write(fd, payload.data(), payload.size());  // correct: runs on blocking_pool_
      ::fsync(fd);
    });

    std::ostringstream trace;
    trace.write(payload.data(), static_cast<std::streamsize>(payload.size() < 16 ? payload.size() : 16));  // correct: std::ostream, not Asio
    if (++frames_ % 1000 == 0) {
      ws_.async_ping({}, [self = shared_from_this()](beast::error_code) {
        usleep(2000);  // expect: errorshield-ws-blocking-in-handler
      });
    }
    do_read();
  }
};

class UplinkClient {
  net::io_context& ioc_;
  tcp::resolver resolver_;
  websocket::stream<beast::tcp_stream> ws_;
  net::steady_timer flush_timer_;
  net::steady_timer reconnect_timer_;
  net::signal_set signals_;
  std::string host_, port_;
  std::future<std::size_t> pending_upload_;
  std::mutex mtx_;
  std::condition_variable cv_;
  bool creds_ready_ = false;
  std::thread compactor_;

 public:
  UplinkClient(net::io_context& ioc, std::string host, std::string port)
      : ioc_(ioc), resolver_(net::make_strand(ioc)), ws_(net::make_strand(ioc)), flush_timer_(ioc),
        reconnect_timer_(ioc), signals_(ioc, SIGINT, SIGTERM), host_(std::move(host)),
        port_(std::move(port)) {}

  // correct: synchronous bootstrap, called once from main() before ioc.run()
  void bootstrap_sync() {
    auto results = resolver_.resolve(host_, port_);
    beast::get_lowest_layer(ws_).connect(results);  // correct: not in a handler
    ws_.handshake(host_, "/ingest");  // correct: not in a handler
    compactor_ = std::thread([this] { compactor_loop(); });
  }

  void reconnect_async() {
    resolver_.async_resolve(host_, port_, [this](beast::error_code ec, tcp::resolver::results_type results) {
      if (ec)
        return schedule_reconnect();
      beast::get_lowest_layer(ws_).connect(results);  // expect: errorshield-ws-blocking-in-handler
      ws_.handshake(host_, "/ingest");  // expect: errorshield-ws-blocking-in-handler
    });
  }

  void arm_flush() {
    auto on_flush = [this](beast::error_code ec) {
      if (ec)
        return;
      std::size_t sent = pending_upload_.get();  // expect: errorshield-ws-blocking-in-handler
      (void)sent;
      cv_.notify_all();  // correct: notify never blocks
      arm_flush();
    };
    flush_timer_.expires_after(5s);
    flush_timer_.async_wait(on_flush);
  }

  void schedule_reconnect() {
    reconnect_timer_.expires_after(2s);
    reconnect_timer_.async_wait(std::bind(&UplinkClient::on_reconnect_timer, this, std::placeholders::_1));
  }

  void watch_signals() {
    signals_.async_wait([this](beast::error_code, int) {
      if (compactor_.joinable())  // correct: query only
        compactor_.join();  // expect: errorshield-ws-blocking-in-handler
      ws_.async_close(websocket::close_code::going_away, [](beast::error_code) {});  // correct: async_
      ioc_.stop();
    });
  }

 private:
  void on_reconnect_timer(beast::error_code ec) {
    if (ec)
      return;
    std::unique_lock<std::mutex> lk(mtx_);
    cv_.wait(lk, [this] { return creds_ready_; });  // expect: errorshield-ws-blocking-in-handler
    lk.unlock();
    std::system("/usr/libexec/iot-hub/rotate-token");  // expect: errorshield-ws-blocking-in-handler
    reconnect_async();
  }

  // correct: runs on its own std::thread, never on the io_context
  void compactor_loop() {
    for (;;) {
      std::this_thread::sleep_until(std::chrono::steady_clock::now() + 30s);
      std::unique_lock<std::mutex> lk(mtx_);
      cv_.wait_for(lk, 1s);
    }
  }
};

// Health endpoint served to the fleet load balancer over plain HTTP.
class HealthProbe : public std::enable_shared_from_this<HealthProbe> {
  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  int legacy_fd_ = -1;

 public:
  explicit HealthProbe(tcp::socket s) : stream_(std::move(s)) {}

  void run() {
    http::async_read(stream_, buf_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      http::response<http::string_body> res{http::status::ok, self->req_.version()};
      res.body() = "ok";
      res.prepare_payload();
      http::write(self->stream_, res);  // expect: errorshield-ws-blocking-in-handler
      char probe[64];
      ::recv(self->legacy_fd_, probe, sizeof probe, 0);  // expect: errorshield-ws-blocking-in-handler
    });
  }
};

}  // namespace iot::hub
