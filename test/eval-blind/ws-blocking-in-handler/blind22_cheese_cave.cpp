// checks: errorshield-ws-blocking-in-handler
// Affinage cave climate controller. Each cave (Comté, Tomme, washed-rind)
// has a humidity/temperature probe and a misting valve. The cheesemakers'
// dashboard connects over WebSocket to read conditions and adjust setpoints.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <fstream>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace cave {

struct Reading {
  double temp_c = 0;
  double rh_pct = 0;
};

struct Setpoint {
  double temp_c = 12.0;
  double rh_pct = 92.0;
};

// Serial probe on the RS-485 bus; every call blocks until the probe answers.
class Probe {
public:
  explicit Probe(const char* dev) : fd_(::open(dev, O_RDWR | O_NOCTTY)) {}
  ~Probe() {
    if (fd_ >= 0)
      ::close(fd_);
  }

  Reading poll() {
    static const char cmd[] = "R\r";
    ::write(fd_, cmd, sizeof(cmd) - 1);
    char line[64] = {};
    ::read(fd_, line, sizeof(line) - 1);
    Reading r;
    std::sscanf(line, "%lf,%lf", &r.temp_c, &r.rh_pct);
    return r;
  }

  int fd() const { return fd_; }

private:
  int fd_;
};

std::mutex g_sp_mu;
Setpoint g_setpoint;
Reading g_last;

void open_mist_valve(int ms) {
  std::ofstream("/sys/class/gpio/gpio17/value") << 1;
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  std::ofstream("/sys/class/gpio/gpio17/value") << 0;
}

json to_json(const Reading& r) { return json{{"temp_c", r.temp_c}, {"rh_pct", r.rh_pct}}; }

// Dashboard session (callback style).
class DashboardSession : public std::enable_shared_from_this<DashboardSession> {
public:
  DashboardSession(tcp::socket s, Probe& probe, net::thread_pool& blocking)
      : ws_(std::move(s)), probe_(probe), blocking_(blocking) {}

  void run() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->do_read();
    });
  }

private:
  void do_read() {
    ws_.async_read(buf_, beast::bind_front_handler(&DashboardSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    auto msg = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (msg.is_discarded())
      return do_read();

    const std::string op = msg.value("op", std::string{});
    if (op == "read") {
      Reading r = probe_.poll(); // expect: errorshield-ws-blocking-in-handler
      reply_ = to_json(r).dump();
      ws_.text(true);
      ws_.write(net::buffer(reply_)); // expect: errorshield-ws-blocking-in-handler
      do_read();
    } else if (op == "mist") {
      // Valve pulses can be several seconds; run on the blocking pool and
      // report back on the session's executor.
      int ms = msg.value("ms", 500);
      net::post(blocking_, [self = shared_from_this(), ms] {
        open_mist_valve(ms);
        net::post(self->ws_.get_executor(), [self] { self->send_ack("mist"); });
      });
      do_read();
    } else if (op == "setpoint") {
      {
        std::lock_guard<std::mutex> lk(g_sp_mu);
        g_setpoint.temp_c = msg.value("temp_c", g_setpoint.temp_c);
        g_setpoint.rh_pct = msg.value("rh_pct", g_setpoint.rh_pct);
      }
      send_ack("setpoint");
      do_read();
    } else {
      do_read();
    }
  }

  void send_ack(const std::string& what) {
    auto body = std::make_shared<std::string>(json{{"ack", what}}.dump());
    ws_.async_write(net::buffer(*body), [self = shared_from_this(), body](beast::error_code, std::size_t) {});
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  std::string reply_;
  Probe& probe_;
  net::thread_pool& blocking_;
};

// Periodic climate loop, driven by a steady_timer on the io_context.
class ClimateLoop {
public:
  ClimateLoop(net::io_context& ioc, Probe& probe) : timer_(ioc), probe_(probe), ioc_(ioc) {}

  void start() { arm(); }

private:
  void arm() {
    timer_.expires_after(30s);
    timer_.async_wait([this](beast::error_code ec) {
      if (ec)
        return;
      std::future<Reading> f = std::async(std::launch::async, [this] { return probe_.poll(); });
      Reading r = f.get(); // expect: errorshield-ws-blocking-in-handler
      Setpoint sp;
      {
        std::lock_guard<std::mutex> lk(g_sp_mu);
        sp = g_setpoint;
        g_last = r;
      }
      if (r.rh_pct < sp.rh_pct - 2.0)
        open_mist_valve(800); // expect: errorshield-ws-blocking-in-handler
      arm();
    });
  }

  net::steady_timer timer_;
  Probe& probe_;
  net::io_context& ioc_;
};

// Push conditions to a dashboard every few seconds (coroutine).
net::awaitable<void> conditions_feed(websocket::stream<beast::tcp_stream> ws) {
  co_await ws.async_accept(net::use_awaitable);
  net::steady_timer t(co_await net::this_coro::executor);
  for (;;) {
    Reading r;
    {
      std::lock_guard<std::mutex> lk(g_sp_mu);
      r = g_last;
    }
    std::string body = to_json(r).dump();
    co_await ws.async_write(net::buffer(body), net::use_awaitable);
    t.expires_after(5s);
    co_await t.async_wait(net::use_awaitable);
  }
}

// Cave door alarm: after an open event, wait for the door to settle, then
// re-read conditions (coroutine).
net::awaitable<void> door_alarm(tcp::socket sensor) {
  char c = 0;
  for (;;) {
    co_await net::async_read(sensor, net::buffer(&c, 1), net::use_awaitable);
    if (c != 'O')
      continue;
    std::this_thread::sleep_for(10s); // expect: errorshield-ws-blocking-in-handler
    std::clog << "door opened, re-reading cave\n";
  }
}

// Logs each dashboard command to the HACCP log; uploads to head office.
template <class Stream>
void haccp_forward(Stream& upstream, const std::string& line) {
  net::async_write(upstream, net::buffer(line), [&upstream](beast::error_code ec, std::size_t) {
    if (ec) {
      tcp::resolver r(upstream.get_executor());
      auto eps = r.resolve("haccp.headoffice.example", "9000"); // expect: errorshield-ws-blocking-in-handler
      std::clog << "reconnecting to " << eps.size() << " endpoints\n";
    }
  });
}

// Probe watchdog runs on its own thread, not on the io_context.
void probe_watchdog(Probe& probe, std::atomic<bool>& stop) {
  while (!stop) {
    Reading r = probe.poll();
    if (r.temp_c > 16.0)
      std::clog << "cave too warm: " << r.temp_c << "\n";
    std::this_thread::sleep_for(60s);
  }
}

} // namespace cave

int main() {
  net::io_context ioc;
  net::thread_pool blocking(2);
  cave::Probe probe("/dev/ttyUSB0");

  // Startup: resolve the head office once before serving.
  tcp::resolver resolver(ioc);
  auto head_office = resolver.resolve("haccp.headoffice.example", "9000");
  tcp::socket upstream(ioc);
  net::connect(upstream, head_office);
  cave::haccp_forward(upstream, "cave controller started\n");

  cave::ClimateLoop loop(ioc, probe);
  loop.start();

  tcp::acceptor acc(ioc, {tcp::v4(), 8088});
  std::function<void()> accept_next;
  accept_next = [&] {
    acc.async_accept([&](beast::error_code ec, tcp::socket s) {
      if (!ec)
        std::make_shared<cave::DashboardSession>(std::move(s), probe, blocking)->run();
      accept_next();
    });
  };
  accept_next();

  std::atomic<bool> stop{false};
  std::thread wd([&] { cave::probe_watchdog(probe, stop); });
  ioc.run();
  stop = true;
  wd.join();
  blocking.join();
}
