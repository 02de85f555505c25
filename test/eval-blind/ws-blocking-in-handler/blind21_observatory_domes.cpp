// checks: errorshield-ws-blocking-in-handler
// Observatory dome controller: operators and the scheduler talk to the dome
// over WebSocket; the shutter/azimuth motor controller sits on a serial line.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <future>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace dome {

// Motor controller on the serial line; commands are queued and written asynchronously.
class MotorLink {
public:
  explicit MotorLink(net::io_context& ioc) : port_(ioc) {}

  bool open_port(const char* dev) {
    int fd = ::open(dev, O_RDWR | O_NOCTTY);
    if (fd < 0) return false;
    port_.assign(fd);
    return true;
  }
  int fd() { return port_.native_handle(); }

  void send(std::string cmd) {
    net::post(port_.get_executor(), [this, cmd = std::move(cmd)]() mutable {
      pending_.push_back(std::move(cmd));
      if (pending_.size() == 1) flush();
    });
  }

private:
  void flush() {
    net::async_write(port_, net::buffer(pending_.front()), [this](beast::error_code ec, std::size_t) {
      pending_.pop_front();
      if (!ec && !pending_.empty()) flush();
    });
  }

  net::posix::stream_descriptor port_;
  std::deque<std::string> pending_;
};

std::atomic<double> g_azimuth{0.0};
std::atomic<bool> g_shutter_open{false};

// Operator console session.
class OperatorSession : public std::enable_shared_from_this<OperatorSession> {
public:
  OperatorSession(tcp::socket s, MotorLink& link) : ws_(std::move(s)), link_(link), timer_(ws_.get_executor()) {}

  void start() {
    ws_.read_message_max(4096);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read_cmd();
    });
  }

private:
  void read_cmd() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      auto j = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.consume(self->buf_.size());
      if (j.is_discarded()) return self->read_cmd();
      const std::string op = j.value("op", "");
      if (op == "open") {
        self->link_.send("SHUTTER OPEN\r");
        // give the shutter motor time to clear the limit switch
        std::this_thread::sleep_for(3s); // expect: errorshield-ws-blocking-in-handler
        g_shutter_open = true;
      } else if (op == "status") {
        std::string st = json{{"az", g_azimuth.load()}, {"open", g_shutter_open.load()}}.dump();
        self->ws_.write(net::buffer(st)); // expect: errorshield-ws-blocking-in-handler
      } else if (op == "slew") {
        self->link_.send("AZ " + std::to_string(j.value("az", 0.0)) + "\r");
        self->settle_then_report();
      }
      self->read_cmd();
    });
  }

  // Wait for the azimuth encoder to settle without holding the thread.
  void settle_then_report() {
    timer_.expires_after(2s);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->reply_ = json{{"az", g_azimuth.load()}}.dump();
      self->ws_.async_write(net::buffer(self->reply_), [](beast::error_code, std::size_t) {});
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  MotorLink& link_;
  net::steady_timer timer_;
  beast::flat_buffer buf_;
  std::string reply_;
};

// Periodic encoder poll driven by an Asio timer.
class EncoderPoller {
public:
  EncoderPoller(net::io_context& ioc, MotorLink& link) : timer_(ioc), link_(link) {}

  void start() { arm(); }

private:
  void arm() {
    timer_.expires_after(500ms);
    timer_.async_wait([this](beast::error_code ec) {
      if (ec) return;
      link_.send("AZ?\r");
      char reply[64] = {};
      ssize_t n = ::read(link_.fd(), reply, sizeof reply - 1); // expect: errorshield-ws-blocking-in-handler
      if (n > 0) g_azimuth = std::atof(reply);
      arm();
    });
  }

  net::steady_timer timer_;
  MotorLink& link_;
};

// Weather-station feed: the safety monitor closes the dome on rain.
// The serial reads happen on a dedicated thread and results are posted back.
class WeatherFeed {
public:
  WeatherFeed(net::io_context& ioc, int fd) : ioc_(ioc), fd_(fd) {}

  void run_reader() {
    reader_ = std::thread([this] {
      char line[128];
      for (;;) {
        ssize_t n = ::read(fd_, line, sizeof line);
        if (n <= 0) break;
        bool rain = std::string(line, static_cast<std::size_t>(n)).find("RAIN") != std::string::npos;
        net::post(ioc_, [rain] {
          if (rain) g_shutter_open = false;
        });
        std::this_thread::sleep_for(1s);
      }
    });
  }

  ~WeatherFeed() {
    if (reader_.joinable()) reader_.join();
  }

private:
  net::io_context& ioc_;
  int fd_;
  std::thread reader_;
};

// Nightly scheduler: coroutine that runs the observing plan.
net::awaitable<void> scheduler_session(tcp::socket sock, MotorLink& link) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.read_message_max(16 * 1024);
  co_await ws.async_accept(net::use_awaitable);
  net::steady_timer pause(co_await net::this_coro::executor);
  for (;;) {
    beast::flat_buffer buf;
    co_await ws.async_read(buf, net::use_awaitable);
    auto plan = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    if (plan.is_discarded()) continue;
    for (auto& step : plan["steps"]) {
      link.send("AZ " + std::to_string(step.value("az", 0.0)) + "\r");
      // let the dome settle before the next pointing
      pause.expires_after(std::chrono::seconds(step.value("settle", 5)));
      co_await pause.async_wait(net::use_awaitable);
    }
    std::string done = R"({"plan":"done"})";
    co_await ws.async_write(net::buffer(done), net::use_awaitable);
  }
}

// Flat-field calibration: the camera vendor ships a CLI tool.
net::awaitable<void> flats_session(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.read_message_max(1024);
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  co_await ws.async_read(buf, net::use_awaitable);
  int rc = std::system("/opt/camera/bin/take_flats --count 20"); // expect: errorshield-ws-blocking-in-handler
  std::string out = json{{"flats_rc", rc}}.dump();
  co_await ws.async_write(net::buffer(out), net::use_awaitable);
}

// Emergency stop request comes in on a separate socket, confirmation from a worker.
void handle_estop(tcp::socket& s, std::promise<bool>& motor_ack, std::shared_future<bool> ack) {
  auto buf = std::make_shared<std::array<char, 16>>();
  s.async_read_some(net::buffer(*buf), [buf, ack](beast::error_code ec, std::size_t) {
    if (ec) return;
    bool stopped = ack.get(); // expect: errorshield-ws-blocking-in-handler
    std::cout << "e-stop " << (stopped ? "confirmed" : "NOT confirmed") << "\n";
  });
  std::thread([&motor_ack] { motor_ack.set_value(true); }).detach();
}

}  // namespace dome

int main() {
  net::io_context ioc;
  dome::MotorLink link(ioc);
  if (!link.open_port("/dev/ttyUSB0")) std::cerr << "motor controller not found\n";

  // startup: slew to park before accepting anything (not inside ioc yet)
  link.send("PARK\r");
  std::this_thread::sleep_for(500ms);

  dome::EncoderPoller poller(ioc, link);
  poller.start();

  int wx = ::open("/dev/ttyUSB1", O_RDONLY | O_NOCTTY);
  dome::WeatherFeed weather(ioc, wx);
  weather.run_reader();

  tcp::acceptor acc(ioc, {tcp::v4(), 8600});
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    for (;;) {
      auto s = co_await acc.async_accept(net::use_awaitable);
      std::make_shared<dome::OperatorSession>(std::move(s), link)->start();
    }
  }, net::detached);

  tcp::acceptor sched(ioc, {tcp::v4(), 8601});
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    for (;;) {
      auto s = co_await sched.async_accept(net::use_awaitable);
      net::co_spawn(ioc, dome::scheduler_session(std::move(s), link), net::detached);
    }
  }, net::detached);

  ioc.run();
}
