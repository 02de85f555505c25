// checks: errorshield-thread-per-connection
// IoT telemetry gateway: field devices (meters, trackers, PLC bridges) stream framed
// readings over plain TCP. Several legacy listeners coexist with the newer pooled ones.
#include <boost/asio.hpp>

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <future>
#include <iostream>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct Reading {
  std::string device_id;
  std::uint32_t sensor = 0;
  std::int64_t value_milli = 0;
  std::int64_t ts_ms = 0;
};

bool decode_frame(const std::array<char, 512>& raw, std::size_t n, Reading& out);
void store_reading(const Reading& r);
void flush_timeseries_batch();

struct GatewayConfig {
  std::vector<unsigned short> ingest_ports{5683, 5684, 1883};
  std::size_t workers = 8;
};

class TelemetryGateway {
public:
  explicit TelemetryGateway(GatewayConfig cfg) : cfg_(std::move(cfg)), bulk_pool_(4) {}

  ~TelemetryGateway() {
    stop();
    for (auto& t : workers_) t.join();
    for (auto& t : listeners_) t.join();
    if (flusher_.joinable()) flusher_.join();
    bulk_pool_.join();
  }

  // Fixed-size pool: N threads regardless of how many devices connect.
  void start_workers() {
    for (std::size_t i = 0; i < cfg_.workers; ++i)
      workers_.emplace_back([this] { worker_loop(); });
  }

  // One listener thread per configured port (a handful, known at startup).
  void start_listeners() {
    for (unsigned short port : cfg_.ingest_ports)
      listeners_.emplace_back([this, port] { serve_pooled(port); });
  }

  void start_flusher() {
    flusher_ = std::thread([this] {
      while (running_) {
        std::this_thread::sleep_for(std::chrono::seconds(2));
        flush_timeseries_batch();
      }
    });
  }

  void stop() {
    running_ = false;
    cv_.notify_all();
  }

  // Legacy smart-meter listener from the first deployment.
  void serve_meters(unsigned short port) {
    net::io_context ioc;
    tcp::acceptor acc(ioc, {tcp::v4(), port});
    while (running_) {
      tcp::socket sock(ioc);
      acc.accept(sock);
      std::thread([this, s = std::move(sock)]() mutable { // expect: errorshield-thread-per-connection
        handle_device(std::move(s));
      }).detach();
    }
  }

  // GPS trackers: kept jthreads around so shutdown can wait for them.
  void serve_trackers(unsigned short port) {
    net::io_context ioc;
    tcp::acceptor acc(ioc, {tcp::v4(), port});
    std::vector<std::jthread> sessions;
    while (running_) {
      tcp::socket sock = acc.accept();
      sessions.emplace_back([this, s = std::move(sock)]() mutable { handle_device(std::move(s)); }); // expect: errorshield-thread-per-connection
    }
  }

  // Modbus/TCP bridges: "async" per connection, but launch::async is a new thread each time.
  void serve_plc_bridges(unsigned short port) {
    net::io_context ioc;
    tcp::acceptor acc(ioc, {tcp::v4(), port});
    std::vector<std::future<void>> inflight;
    while (running_) {
      tcp::socket sock = acc.accept();
      inflight.push_back(std::async(std::launch::async, [this, s = std::move(sock)]() mutable { // expect: errorshield-thread-per-connection
        handle_device(std::move(s));
      }));
    }
  }

  // LoRa concentrators: accept here, hand-off decided in dispatch_device().
  void serve_lora(unsigned short port) {
    net::io_context ioc;
    tcp::acceptor acc(ioc, {tcp::v4(), port});
    while (running_) {
      tcp::socket sock = acc.accept();
      dispatch_device(std::move(sock));
    }
  }

  // Newer listener: sockets go to a bounded queue drained by the fixed worker pool.
  void serve_pooled(unsigned short port) {
    net::io_context ioc;
    tcp::acceptor acc(ioc, {tcp::v4(), port});
    while (running_) {
      tcp::socket sock = acc.accept();
      enqueue_device(std::move(sock));
    }
  }

  // Firmware bulk uploads: each upload is a job on a 4-thread asio pool.
  void serve_bulk_uploads(unsigned short port) {
    net::io_context ioc;
    tcp::acceptor acc(ioc, {tcp::v4(), port});
    std::thread watchdog([this] {
      while (running_) std::this_thread::sleep_for(std::chrono::seconds(5));
    });
    while (running_) {
      tcp::socket sock = acc.accept();
      net::post(bulk_pool_, [this, s = std::move(sock)]() mutable { handle_device(std::move(s)); });
    }
    watchdog.join();
  }

private:
  void dispatch_device(tcp::socket sock) {
    std::thread worker(&TelemetryGateway::handle_device, this, std::move(sock)); // expect: errorshield-thread-per-connection
    worker.detach();
  }

  void enqueue_device(tcp::socket sock) {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [this] { return pending_.size() < 1024 || !running_; });
    pending_.push(std::move(sock));
    cv_.notify_one();
  }

  void worker_loop() {
    for (;;) {
      std::unique_lock lk(mu_);
      cv_.wait(lk, [this] { return !pending_.empty() || !running_; });
      if (!running_ && pending_.empty()) return;
      tcp::socket sock = std::move(pending_.front());
      pending_.pop();
      lk.unlock();
      cv_.notify_all();
      handle_device(std::move(sock));
    }
  }

  void handle_device(tcp::socket sock) {
    std::array<char, 512> raw{};
    boost::system::error_code ec;
    for (;;) {
      std::size_t n = sock.read_some(net::buffer(raw), ec);
      if (ec) break;
      Reading r;
      if (decode_frame(raw, n, r)) store_reading(r);
    }
    ++closed_sessions_;
  }

  GatewayConfig cfg_;
  net::thread_pool bulk_pool_;
  std::vector<std::thread> workers_;
  std::vector<std::thread> listeners_;
  std::thread flusher_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::queue<tcp::socket> pending_;
  std::atomic<bool> running_{true};
  std::atomic<std::uint64_t> closed_sessions_{0};
};

// Diagnostics tool: probes each device sequentially from a small fixed fan-out.
void probe_devices(const std::vector<tcp::endpoint>& devices) {
  constexpr std::size_t kFanOut = 4;
  std::vector<std::thread> probers;
  for (std::size_t slot = 0; slot < kFanOut; ++slot) {
    probers.emplace_back([&devices, slot] {
      net::io_context ioc;
      for (std::size_t i = slot; i < devices.size(); i += kFanOut) {
        tcp::socket s(ioc);
        boost::system::error_code ec;
        s.connect(devices[i], ec);
        std::cout << devices[i] << (ec ? " down\n" : " up\n");
      }
    });
  }
  for (auto& t : probers) t.join();
}

int main() {
  TelemetryGateway gw(GatewayConfig{});
  gw.start_workers();
  gw.start_listeners();
  gw.start_flusher();
  std::thread legacy([&gw] { gw.serve_meters(7001); });
  std::thread trackers([&gw] { gw.serve_trackers(7002); });
  std::thread plc([&gw] { gw.serve_plc_bridges(502); });
  std::thread lora([&gw] { gw.serve_lora(1700); });
  gw.serve_bulk_uploads(7100);
  legacy.join();
  trackers.join();
  plc.join();
  lora.join();
}
