// checks: errorshield-ws-blocking-in-handler
// Brewery fermentation tank control. Brewers' tablets connect over WebSocket
// to read gravity/temperature and to change setpoints; the tanks' glycol
// valves sit behind a PLC (Modbus-TCP-ish) and an RS-485 probe bus.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace brew {

struct TankReading {
  double temp_c = 0;
  double gravity = 1.000;
};

class TankTable {
public:
  void set(int tank, TankReading r) {
    std::lock_guard<std::mutex> lk(mu_);
    tanks_[tank] = r;
  }
  json snapshot() {
    std::lock_guard<std::mutex> lk(mu_);
    json j = json::object();
    for (auto &[id, r] : tanks_)
      j[std::to_string(id)] = {{"t", r.temp_c}, {"sg", r.gravity}};
    return j;
  }

private:
  std::mutex mu_;
  std::map<int, TankReading> tanks_;
};

// ---------------------------------------------------------------------------
// Brewer tablet session.
class TabletSession : public std::enable_shared_from_this<TabletSession> {
public:
  TabletSession(tcp::socket s, TankTable &tanks, tcp::socket &plc)
      : ws_(std::move(s)), settle_(ws_.get_executor()), tanks_(tanks), plc_(plc) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read();
    });
  }

private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      auto cmd = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.clear();
      if (cmd.is_object() && cmd.value("op", "") == "dump")
        self->dump_tank(cmd.value("tank", 0));
      else if (cmd.is_object() && cmd.value("op", "") == "setpoint")
        self->change_setpoint(cmd.value("tank", 0), cmd.value("c", 18.0));
      else
        self->read();
    });
  }

  // Opens the bottom valve to dump yeast; the valve needs time to travel.
  void dump_tank(int tank) {
    plc_cmd_ = {0x05, static_cast<std::uint8_t>(tank), 0xFF, 0x00};
    asio::async_write(plc_, asio::buffer(plc_cmd_), [self = shared_from_this(), tank](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      std::this_thread::sleep_for(std::chrono::seconds(4)); // expect: errorshield-ws-blocking-in-handler
      self->ack("dumped tank " + std::to_string(tank));
    });
  }

  // Setpoint change: the PLC needs a moment to latch before we confirm.
  void change_setpoint(int tank, double celsius) {
    plc_cmd_ = {0x06, static_cast<std::uint8_t>(tank), static_cast<std::uint8_t>(celsius * 4), 0};
    asio::async_write(plc_, asio::buffer(plc_cmd_), [self = shared_from_this(), tank](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->settle_.expires_after(std::chrono::milliseconds(500));
      self->settle_.async_wait([self, tank](beast::error_code) {
        std::lock_guard<std::mutex> lk(self->ack_mu_);
        self->ack("setpoint latched on tank " + std::to_string(tank));
      });
    });
  }

  void ack(std::string text) {
    out_ = json{{"ack", std::move(text)}, {"tanks", tanks_.snapshot()}}.dump();
    ws_.text(true);
    ws_.async_write(asio::buffer(out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec)
        self->read();
    });
  }

  websocket::stream<tcp::socket> ws_;
  asio::steady_timer settle_;
  beast::flat_buffer buf_;
  std::string out_;
  std::array<std::uint8_t, 4> plc_cmd_{};
  std::mutex ack_mu_;
  TankTable &tanks_;
  tcp::socket &plc_;
};

// ---------------------------------------------------------------------------
// Cellar display: shows the tank board; replies synchronously on each ping.
void cellar_display_read(std::shared_ptr<websocket::stream<tcp::socket>> ws,
                         std::shared_ptr<beast::flat_buffer> buf, TankTable &tanks) {
  ws->async_read(*buf, [ws, buf, &tanks](beast::error_code ec, std::size_t) {
    if (ec)
      return;
    buf->clear();
    std::string board = tanks.snapshot().dump();
    ws->text(true);
    ws->write(asio::buffer(board)); // expect: errorshield-ws-blocking-in-handler
    cellar_display_read(ws, buf, tanks);
  });
}

// ---------------------------------------------------------------------------
// Probe bus: RS-485 gravity/temperature probes, one frame per tank.
int open_probe_bus(const char *dev) {
  int fd = ::open(dev, O_RDWR | O_NOCTTY);
  if (fd >= 0) {
    termios tio{};
    ::tcgetattr(fd, &tio);
    ::cfsetspeed(&tio, B19200);
    ::tcsetattr(fd, TCSANOW, &tio);
  }
  return fd;
}

// On-demand probe read requested by the QA tablet.
asio::awaitable<void> qa_tablet(tcp::socket sock, int probe_fd, TankTable &tanks) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    int tank = std::atoi(beast::buffers_to_string(buf.data()).c_str());
    buf.clear();
    std::array<char, 16> frame{};
    ssize_t n = ::read(probe_fd, frame.data(), frame.size()); // expect: errorshield-ws-blocking-in-handler
    if (n >= 8) {
      TankReading r{frame[2] / 4.0, 1.0 + frame[3] / 1000.0};
      tanks.set(tank, r);
    }
    std::string reply = tanks.snapshot().dump();
    co_await ws.async_write(asio::buffer(reply), asio::use_awaitable);
  }
}

// Background poller: owns the probe bus, hands results to the io_context.
std::thread start_probe_poller(asio::io_context &ioc, int probe_fd, TankTable &tanks, std::atomic<bool> &run) {
  return std::thread([&ioc, probe_fd, &tanks, &run] {
    while (run) {
      std::array<char, 16> frame{};
      ssize_t n = ::read(probe_fd, frame.data(), frame.size());
      if (n >= 8) {
        int tank = frame[1];
        TankReading r{frame[2] / 4.0, 1.0 + frame[3] / 1000.0};
        asio::post(ioc, [&tanks, tank, r] { tanks.set(tank, r); });
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  });
}

// ---------------------------------------------------------------------------
// Glycol chiller watchdog: every few seconds ask the PLC for chiller status.
class ChillerWatchdog {
public:
  ChillerWatchdog(asio::io_context &ioc, tcp::socket &plc) : timer_(ioc), plc_(plc) {}

  void arm() {
    timer_.expires_after(std::chrono::seconds(5));
    timer_.async_wait([this](beast::error_code ec) { on_tick(ec); });
  }

private:
  void on_tick(beast::error_code ec) {
    if (ec)
      return;
    std::array<std::uint8_t, 2> q{0x03, 0x10};
    asio::write(plc_, asio::buffer(q), ec); // expect: errorshield-ws-blocking-in-handler
    std::array<std::uint8_t, 4> status{};
    asio::read(plc_, asio::buffer(status), ec); // expect: errorshield-ws-blocking-in-handler
    if (!ec && status[2] != 0)
      std::cerr << "chiller fault code " << int(status[2]) << "\n";
    arm();
  }

  asio::steady_timer timer_;
  tcp::socket &plc_;
};

// Batch log export runs on a worker; the session waits for the result.
asio::awaitable<void> export_session(tcp::socket sock, TankTable &tanks) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  co_await ws.async_accept(asio::use_awaitable);
  std::future<std::string> csv = std::async(std::launch::async, [&tanks] { return tanks.snapshot().dump(2); });
  std::string body = csv.get(); // expect: errorshield-ws-blocking-in-handler
  ws.text(true);
  co_await ws.async_write(asio::buffer(body), asio::use_awaitable);
}

} // namespace brew

int main() {
  asio::io_context ioc;
  brew::TankTable tanks;
  std::atomic<bool> run{true};

  // PLC connection is set up before the loop starts; retry until it answers.
  tcp::socket plc(ioc);
  tcp::endpoint plc_ep(asio::ip::make_address("10.0.20.5"), 502);
  beast::error_code ec;
  for (int attempt = 0; attempt < 10; ++attempt) {
    plc.connect(plc_ep, ec);
    if (!ec)
      break;
    plc.close();
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }

  int probe_fd = brew::open_probe_bus("/dev/ttyUSB0");
  std::thread poller = brew::start_probe_poller(ioc, probe_fd, tanks, run);

  brew::ChillerWatchdog watchdog(ioc, plc);
  watchdog.arm();

  tcp::acceptor acc(ioc, {tcp::v4(), 8088});
  acc.async_accept([&](beast::error_code aec, tcp::socket s) {
    if (!aec)
      std::make_shared<brew::TabletSession>(std::move(s), tanks, plc)->start();
  });

  ioc.run();
  run = false;
  poller.join();
}
