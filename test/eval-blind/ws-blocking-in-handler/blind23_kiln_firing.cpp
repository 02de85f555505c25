// checks: errorshield-ws-blocking-in-handler
// Kiln firing controller: a WebSocket endpoint for the studio dashboard plus
// a serial link to the thermocouple/relay board of the kiln.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fcntl.h>
#include <memory>
#include <string>
#include <thread>
#include <unistd.h>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

// Reads one "T=1234.5\n" sample from the controller board. Blocks until the
// board answers (up to ~300 ms at 9600 baud).
static double read_thermocouple(int fd) {
  char buf[32] = {};
  ssize_t n = ::read(fd, buf, sizeof(buf) - 1);
  if (n <= 2 || buf[0] != 'T')
    return -1.0;
  return std::atof(buf + 2);
}

static void write_relay(int fd, bool on) {
  const char *cmd = on ? "R1\n" : "R0\n";
  (void)::write(fd, cmd, 3);
}

struct KilnState {
  std::atomic<double> last_temp{0.0};
  std::atomic<bool> firing{false};
  std::atomic<bool> relay_wanted{false};
  int serial_fd = -1;
};

// Relay changes are applied by the watchdog thread, which owns serial writes.
static void set_relay(KilnState &kiln, bool on) {
  kiln.relay_wanted = on;
  kiln.firing = on;
}

class DashboardSession : public std::enable_shared_from_this<DashboardSession> {
public:
  DashboardSession(tcp::socket sock, KilnState &kiln, net::thread_pool &hw_pool)
      : ws_(std::move(sock)), kiln_(kiln), hw_pool_(hw_pool),
        poll_timer_(ws_.get_executor()) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      self->do_read();
      self->schedule_poll();
    });
  }

private:
  void do_read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (ec)
      return;
    json cmd = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (cmd.is_discarded()) {
      do_read();
      return;
    }

    const std::string op = cmd.value("op", "");
    if (op == "vent") {
      set_relay(kiln_, false);
      // give the vent relay time to drop before we report the new state
      std::this_thread::sleep_for(std::chrono::milliseconds(250)); // expect: errorshield-ws-blocking-in-handler
      reply_ = json{{"op", "vent"}, {"ok", true}}.dump();
      ws_.async_write(net::buffer(reply_), [self = shared_from_this()](beast::error_code, std::size_t) {
        self->do_read();
      });
      return;
    }
    if (op == "status") {
      reply_ = json{{"temp", kiln_.last_temp.load()}, {"firing", kiln_.firing.load()}}.dump();
      ws_.text(true);
      ws_.write(net::buffer(reply_)); // expect: errorshield-ws-blocking-in-handler
      do_read();
      return;
    }
    if (op == "probe") {
      // the board is slow; do the serial round trip on the hardware pool and
      // come back to the session's executor with the result
      net::post(hw_pool_, [self = shared_from_this()] {
        double t = read_thermocouple(self->kiln_.serial_fd);
        net::post(self->ws_.get_executor(), [self, t] {
          self->reply_ = json{{"op", "probe"}, {"temp", t}}.dump();
          self->ws_.async_write(net::buffer(self->reply_),
                                [self](beast::error_code, std::size_t) { self->do_read(); });
        });
      });
      return;
    }
    do_read();
  }

  void schedule_poll() {
    poll_timer_.expires_after(std::chrono::seconds(2));
    poll_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      double t = read_thermocouple(self->kiln_.serial_fd); // expect: errorshield-ws-blocking-in-handler
      if (t > 0)
        self->kiln_.last_temp = t;
      if (t > 1300.0)
        std::system("/usr/local/bin/kiln-overtemp-alert"); // expect: errorshield-ws-blocking-in-handler
      self->schedule_poll();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  KilnState &kiln_;
  net::thread_pool &hw_pool_;
  net::steady_timer poll_timer_;
  beast::flat_buffer buf_;
  std::string reply_;
};

// Ships each completed firing log to the studio's historian service.
net::awaitable<void> upload_firing_log(std::string host, std::string body) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver(ex);
  auto endpoints = resolver.resolve(host, "7070"); // expect: errorshield-ws-blocking-in-handler
  tcp::socket sock(ex);
  co_await net::async_connect(sock, endpoints, net::use_awaitable);
  std::string frame = std::to_string(body.size()) + "\n" + body;
  net::write(sock, net::buffer(frame)); // expect: errorshield-ws-blocking-in-handler
  char ack[4];
  co_await net::async_read(sock, net::buffer(ack), net::use_awaitable);
}

// Ramps the kiln through one segment without blocking the io_context.
net::awaitable<void> run_segment(KilnState &kiln, double target, std::chrono::seconds hold) {
  auto ex = co_await net::this_coro::executor;
  net::steady_timer t(ex);
  set_relay(kiln, true);
  while (kiln.last_temp.load() < target) {
    t.expires_after(std::chrono::seconds(5));
    co_await t.async_wait(net::use_awaitable);
  }
  t.expires_after(hold);
  co_await t.async_wait(net::use_awaitable);
  set_relay(kiln, false);
}

// Independent safety loop on its own thread: if the io_context stalls, this
// still cuts the elements.
static void watchdog(KilnState &kiln, std::atomic<bool> &stop) {
  while (!stop) {
    double t = read_thermocouple(kiln.serial_fd);
    if (t > 1320.0)
      set_relay(kiln, false);
    write_relay(kiln.serial_fd, kiln.relay_wanted.load());
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

static void do_accept(tcp::acceptor &acc, KilnState &kiln, net::thread_pool &hw_pool) {
  acc.async_accept([&acc, &kiln, &hw_pool](beast::error_code ec, tcp::socket sock) {
    if (!ec)
      std::make_shared<DashboardSession>(std::move(sock), kiln, hw_pool)->start();
    do_accept(acc, kiln, hw_pool);
  });
}

int main(int argc, char **argv) {
  KilnState kiln;
  kiln.serial_fd = ::open(argc > 1 ? argv[1] : "/dev/ttyUSB0", O_RDWR | O_NOCTTY);
  if (kiln.serial_fd < 0)
    return 1;

  // settle the board after open before anything else talks to it
  std::this_thread::sleep_for(std::chrono::milliseconds(500));

  net::io_context ioc;
  net::thread_pool hw_pool(1);
  std::atomic<bool> stop{false};
  std::thread guard([&] { watchdog(kiln, stop); });

  tcp::acceptor acc(ioc, {tcp::v4(), 8089});
  do_accept(acc, kiln, hw_pool);

  net::co_spawn(ioc, run_segment(kiln, 600.0, std::chrono::seconds(900)), net::detached);
  net::co_spawn(ioc, upload_firing_log("historian.local", "{\"cone\":6}"), net::detached);

  net::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code, int) { ioc.stop(); });
  ioc.run();

  stop = true;
  guard.join();
  hw_pool.join();
  ::close(kiln.serial_fd);
}
