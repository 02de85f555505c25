// checks: errorshield-ws-blocking-in-handler
// Smart laundry lockers: customers' phones open a WebSocket to reserve/unlock a
// locker, the attendant app marks orders ready, each locker bank has a GPIO board.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
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

namespace lockers {

struct locker_table {
  std::mutex mu;
  std::map<int, std::string> reserved_by; // locker -> order id
};

locker_table g_table;

// GPIO board for one locker bank, exposed by the kernel driver as a char device.
class gpio_bank {
  net::posix::stream_descriptor dev_;

public:
  gpio_bank(net::io_context &ioc, const char *path) : dev_(ioc, ::open(path, O_RDWR | O_NONBLOCK)) {}
  int fd() { return dev_.native_handle(); }
  void pulse_solenoid(int locker) {
    auto cmd = std::make_shared<std::array<unsigned char, 2>>(std::array<unsigned char, 2>{0x01, static_cast<unsigned char>(locker)});
    net::async_write(dev_, net::buffer(*cmd), [cmd](beast::error_code ec, std::size_t) {
      if (ec)
        std::cerr << "solenoid write failed: " << ec.message() << "\n";
    });
  }
};

class customer_session : public std::enable_shared_from_this<customer_session> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  gpio_bank &bank_;
  net::steady_timer relock_timer_;
  std::string reply_;

public:
  customer_session(tcp::socket s, gpio_bank &bank)
      : ws_(std::move(s)), bank_(bank), relock_timer_(ws_.get_executor()) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->do_read();
    });
  }

private:
  void do_read() {
    ws_.async_read(buf_, beast::bind_front_handler(&customer_session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    auto msg = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (msg.is_discarded())
      return do_read();

    const int locker = msg.value("locker", -1);
    {
      std::lock_guard<std::mutex> lk(g_table.mu);
      g_table.reserved_by[locker] = msg.value("order", "");
    }
    if (msg.value("action", "") == "unlock") {
      bank_.pulse_solenoid(locker);
      // give the latch time to release before we report success
      std::this_thread::sleep_for(800ms); // expect: errorshield-ws-blocking-in-handler
      ws_.write(net::buffer(std::string(R"({"unlocked":true})"))); // expect: errorshield-ws-blocking-in-handler
      return do_read();
    }
    if (msg.value("action", "") == "hold") {
      // re-lock automatically after 2 minutes if the door was never opened
      relock_timer_.expires_after(2min);
      relock_timer_.async_wait([self = shared_from_this(), locker](beast::error_code tec) {
        if (!tec)
          self->bank_.pulse_solenoid(locker);
      });
    }
    reply_ = json{{"ok", true}, {"locker", locker}}.dump();
    ws_.async_write(net::buffer(reply_), [self = shared_from_this()](beast::error_code wec, std::size_t) {
      if (!wec)
        self->do_read();
    });
  }
};

// Door sensor: the board raises a byte on the fd when any door changes state.
void watch_doors(net::io_context &ioc, gpio_bank &bank) {
  auto door_timer = std::make_shared<net::steady_timer>(ioc, 50ms);
  door_timer->async_wait([&bank, door_timer](beast::error_code ec) {
    if (ec)
      return;
    unsigned char state[8];
    ssize_t n = ::read(bank.fd(), state, sizeof state); // expect: errorshield-ws-blocking-in-handler
    if (n > 0)
      std::cout << "door event " << static_cast<int>(state[0]) << "\n";
  });
}

// Attendant app: marks orders ready; writes a receipt for the shop's audit trail.
net::awaitable<void> attendant_session(tcp::socket s, net::thread_pool &disk_pool) {
  websocket::stream<beast::tcp_stream> ws(std::move(s));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(net::use_awaitable);
  net::steady_timer backoff(co_await net::this_coro::executor);
  for (;;) {
    beast::flat_buffer b;
    co_await ws.async_read(b, net::use_awaitable);
    auto msg = json::parse(beast::buffers_to_string(b.data()), nullptr, false);
    if (msg.is_discarded()) {
      backoff.expires_after(200ms);
      co_await backoff.async_wait(net::use_awaitable);
      continue;
    }
    // audit trail goes to disk on the blocking pool, not on the io threads
    net::post(disk_pool, [line = msg.dump()] {
      std::ofstream audit("/var/lib/lockers/audit.log", std::ios::app);
      audit << line << '\n';
    });
    std::string ack = R"({"ack":true})";
    co_await ws.async_write(net::buffer(ack), net::use_awaitable);
  }
}

// Payment terminal confirmation arrives via a promise fulfilled by the card reader thread.
net::awaitable<void> checkout_session(tcp::socket s, std::shared_future<bool> card_approved) {
  websocket::stream<beast::tcp_stream> ws(std::move(s));
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer b;
  co_await ws.async_read(b, net::use_awaitable);
  bool ok = card_approved.get(); // expect: errorshield-ws-blocking-in-handler
  std::string reply = ok ? R"({"paid":true})" : R"({"paid":false})";
  co_await ws.async_write(net::buffer(reply), net::use_awaitable);
}

// Maintenance channel used by the technician's laptop on the shop LAN.
template <class Stream> class maintenance_link {
  websocket::stream<Stream> ws_;
  net::steady_timer settle_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool board_idle_ = false;

public:
  explicit maintenance_link(Stream s) : ws_(std::move(s)), settle_(ws_.get_executor()) {}

  void on_board_idle() {
    std::lock_guard<std::mutex> lk(mu_);
    board_idle_ = true;
    cv_.notify_all();
  }

  void handle_reset(beast::error_code ec) {
    if (ec)
      return;
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [this] { return board_idle_; }); // expect: errorshield-ws-blocking-in-handler
    board_idle_ = false;
  }

  void begin_reset() {
    settle_.expires_after(1s);
    settle_.async_wait([this](beast::error_code ec) { handle_reset(ec); });
  }

  void begin_selftest() {
    settle_.expires_after(500ms);
    settle_.async_wait([this](beast::error_code ec) {
      if (ec)
        return;
      net::steady_timer again(ws_.get_executor(), 250ms);
      again.wait(); // expect: errorshield-ws-blocking-in-handler
      std::cout << "self-test step 2\n";
    });
  }
};

// Firmware poller: its own thread, deliberately blocking, never touches the io_context.
void firmware_poller(gpio_bank &bank, const bool &stop) {
  while (!stop) {
    unsigned char version[4];
    if (::read(bank.fd(), version, sizeof version) == 4)
      std::cout << "board firmware " << int(version[0]) << "." << int(version[1]) << "\n";
    std::this_thread::sleep_for(10s);
  }
}

net::awaitable<void> listener(tcp::acceptor acc, gpio_bank &bank, net::thread_pool &disk) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(net::use_awaitable);
    if (acc.local_endpoint().port() == 8443)
      net::co_spawn(acc.get_executor(), attendant_session(std::move(s), disk), net::detached);
    else
      std::make_shared<customer_session>(std::move(s), bank)->start();
  }
}

} // namespace lockers

int main() {
  net::io_context ioc;
  net::thread_pool disk(2);
  lockers::gpio_bank bank(ioc, "/dev/locker_bank0");
  bool stop = false;
  std::thread poller(lockers::firmware_poller, std::ref(bank), std::cref(stop));

  lockers::watch_doors(ioc, bank);
  net::co_spawn(ioc, lockers::listener(tcp::acceptor(ioc, {tcp::v4(), 8080}), bank, disk), net::detached);
  net::co_spawn(ioc, lockers::listener(tcp::acceptor(ioc, {tcp::v4(), 8443}), bank, disk), net::detached);

  std::promise<bool> approval;
  tcp::acceptor pay(ioc, {tcp::v4(), 8090});
  pay.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec)
      net::co_spawn(ioc, lockers::checkout_session(std::move(s), approval.get_future().share()), net::detached);
  });

  lockers::maintenance_link<beast::tcp_stream> maint{beast::tcp_stream(ioc)};
  maint.begin_selftest();
  maint.begin_reset();

  ioc.run();
  stop = true;
  poller.join();
  disk.join();
}
