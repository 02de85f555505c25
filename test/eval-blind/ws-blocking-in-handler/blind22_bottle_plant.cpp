// checks: errorshield-ws-blocking-in-handler
// Bottling plant line monitor: filler / capper / labeller PLCs report counts,
// operators watch the line on WebSocket dashboards, and rejects are logged.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <array>
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
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace bottling {

struct LineCounters {
  std::atomic<std::uint64_t> filled{0};
  std::atomic<std::uint64_t> capped{0};
  std::atomic<std::uint64_t> rejected{0};

  json snapshot() const {
    return {{"filled", filled.load()}, {"capped", capped.load()},
            {"rejected", rejected.load()}};
  }
};

LineCounters g_line;

// Operator dashboard: receives commands, answers with a counter snapshot.
class DashboardSession : public std::enable_shared_from_this<DashboardSession> {
 public:
  explicit DashboardSession(tcp::socket s) : ws_(std::move(s)), timer_(ws_.get_executor()) {}

  void start() {
    ws_.async_accept(beast::bind_front_handler(&DashboardSession::on_accept,
                                               shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    do_read();
  }

  void do_read() {
    ws_.async_read(buf_, beast::bind_front_handler(&DashboardSession::on_read,
                                                   shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    auto cmd = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (cmd.is_object() && cmd.value("op", "") == "refresh") {
      // Give the PLC counters a moment to settle after a changeover.
      std::this_thread::sleep_for(200ms); // expect: errorshield-ws-blocking-in-handler
    }
    reply_ = g_line.snapshot().dump();
    ws_.async_write(asio::buffer(reply_),
                    beast::bind_front_handler(&DashboardSession::on_write,
                                              shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return;
    // Throttle dashboard refreshes to 2 Hz.
    timer_.expires_after(500ms);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  asio::steady_timer timer_;
  beast::flat_buffer buf_;
  std::string reply_;
};

// QA station: every reject is acknowledged straight away.
class RejectFeed : public std::enable_shared_from_this<RejectFeed> {
 public:
  explicit RejectFeed(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_read();
    });
  }

 private:
  void do_read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      ++g_line.rejected;
      self->buf_.clear();
      self->ws_.write(asio::buffer(std::string("ack"))); // expect: errorshield-ws-blocking-in-handler
      self->do_read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
};

// Polls the filler PLC over a raw TCP register protocol.
class FillerPoller {
 public:
  FillerPoller(asio::io_context& ioc, tcp::endpoint plc)
      : plc_(ioc), timer_(ioc), endpoint_(plc) {}

  void start() {
    plc_.connect(endpoint_);
    arm();
  }

 private:
  void arm() {
    timer_.expires_after(1s);
    timer_.async_wait([this](beast::error_code ec) {
      if (ec) return;
      // The filler streams its counter frame right after each tick.
      std::array<std::uint8_t, 8> reply{};
      asio::read(plc_, asio::buffer(reply)); // expect: errorshield-ws-blocking-in-handler
      g_line.filled = reply[4] << 8 | reply[5];
      arm();
    });
  }

  void arm_async() {
    timer_.expires_after(1s);
    timer_.async_wait([this](beast::error_code ec) {
      if (ec) return;
      asio::async_write(plc_, asio::buffer(request_), [this](beast::error_code ec, std::size_t) {
        if (ec) return;
        asio::async_read(plc_, asio::buffer(reply_), [this](beast::error_code ec, std::size_t) {
          if (!ec) g_line.capped = reply_[4] << 8 | reply_[5];
          arm_async();
        });
      });
    });
  }

 public:
  void start_capper() { arm_async(); }

 private:
  tcp::socket plc_;
  asio::steady_timer timer_;
  tcp::endpoint endpoint_;
  std::array<std::uint8_t, 4> request_{0x01, 0x03, 0x00, 0x20};
  std::array<std::uint8_t, 8> reply_{};
};

// Label printer check: the printer service is looked up on every request.
asio::awaitable<void> labeller_session(tcp::socket sock, std::string printer_host) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    buf.consume(buf.size());
    tcp::resolver resolver(co_await asio::this_coro::executor);
    auto hosts = resolver.resolve(printer_host, "9100"); // expect: errorshield-ws-blocking-in-handler
    json status{{"printers", std::distance(hosts.begin(), hosts.end())}};
    co_await ws.async_write(asio::buffer(status.dump()), asio::use_awaitable);
  }
}

// Shift summary is pushed once a minute using an async timer.
asio::awaitable<void> shift_summary(websocket::stream<beast::tcp_stream>& ws) {
  asio::steady_timer t(co_await asio::this_coro::executor);
  for (;;) {
    t.expires_after(60s);
    co_await t.async_wait(asio::use_awaitable);
    co_await ws.async_write(asio::buffer(g_line.snapshot().dump()), asio::use_awaitable);
  }
}

// Conveyor stop relay, generic over the WebSocket transport.
template <class Stream>
class ConveyorControl {
 public:
  explicit ConveyorControl(Stream& ws) : ws_(ws) {}

  void listen() {
    ws_.async_read(buf_, [this](beast::error_code ec, std::size_t) {
      if (ec) return;
      auto req = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
      buf_.clear();
      if (req.is_object() && req.value("op", "") == "estop") {
        // Let the brake engage before reporting.
        ::usleep(250000); // expect: errorshield-ws-blocking-in-handler
      }
      listen();
    });
  }

 private:
  Stream& ws_;
  beast::flat_buffer buf_;
};

// Vision inspection camera result; computed on another thread.
std::future<bool> inspect_bottle(std::uint64_t id) {
  return std::async(std::launch::async, [id] { return id % 97 != 0; });
}

void on_bottle_seen(asio::io_context& ioc, std::uint64_t id) {
  asio::post(ioc, [id] {
    auto verdict = inspect_bottle(id);
    if (!verdict.get()) ++g_line.rejected; // expect: errorshield-ws-blocking-in-handler
  });
}

// Counts from the hardware encoder come in on a dedicated polling thread.
void encoder_thread(std::atomic<bool>& running) {
  while (running) {
    ++g_line.filled;
    std::this_thread::sleep_for(10ms);
  }
}

// Commissioning tool: blocking client used from the command line only.
void send_commissioning_banner(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.handshake("plant-monitor", "/commission");
  ws.write(asio::buffer(std::string("line 3 commissioned")));
  ws.close(websocket::close_code::normal);
}

}  // namespace bottling

int main() {
  asio::io_context ioc;
  std::atomic<bool> running{true};
  std::thread enc(bottling::encoder_thread, std::ref(running));

  tcp::acceptor acc(ioc, {tcp::v4(), 8090});
  std::function<void()> accept_next = [&] {
    acc.async_accept([&](beast::error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<bottling::DashboardSession>(std::move(s))->start();
      accept_next();
    });
  };
  accept_next();

  websocket::stream<beast::tcp_stream> estop_ws(ioc);
  bottling::ConveyorControl<websocket::stream<beast::tcp_stream>> estop(estop_ws);
  estop.listen();
  bottling::on_bottle_seen(ioc, 42);

  ioc.run();
  running = false;
  enc.join();
}
