// checks: errorshield-ws-blocking-in-handler
// Lighting desk bridge: tablets on the stage-manager's network send cue
// commands over WebSocket; the bridge forwards them to the console (TCP) and
// to a USB-DMX dongle for the house lights.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <fcntl.h>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

struct Cue {
  int number = 0;
  int fade_ms = 0;
  std::vector<std::uint8_t> levels; // 512 channel universe
};

static Cue parse_cue(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  Cue c;
  if (j.is_discarded() || !j.is_object()) return c;
  c.number = j.value("cue", 0);
  c.fade_ms = j.value("fade", 0);
  c.levels.assign(512, 0);
  if (j.contains("levels") && j["levels"].is_array()) {
    std::size_t i = 0;
    for (auto& v : j["levels"]) {
      if (i >= 512) break;
      c.levels[i++] = static_cast<std::uint8_t>(v.get<int>());
    }
  }
  return c;
}

// Thin wrapper over the DMX dongle's tty. write() + tcdrain-style wait
// makes the call return only once the frame is on the wire.
class DmxPort {
public:
  explicit DmxPort(const char* dev) : fd_(::open(dev, O_WRONLY | O_NOCTTY)) {}
  ~DmxPort() { if (fd_ >= 0) ::close(fd_); }

  void send_frame_blocking(const std::vector<std::uint8_t>& levels) {
    if (fd_ < 0) return;
    std::uint8_t start = 0x7E;
    ::write(fd_, &start, 1);
    ::write(fd_, levels.data(), levels.size());
    ::fsync(fd_);
  }

  void stage(const std::vector<std::uint8_t>& levels) {
    std::lock_guard<std::mutex> lk(mu_);
    pending_ = levels;
  }

  std::vector<std::uint8_t> take() {
    std::lock_guard<std::mutex> lk(mu_);
    return pending_;
  }

private:
  int fd_;
  std::mutex mu_;
  std::vector<std::uint8_t> pending_ = std::vector<std::uint8_t>(512, 0);
};

// Refresh thread: DMX wants a continuous ~40 Hz stream even when nothing
// changes, so this loop owns the port and paces itself.
class DmxRefresher {
public:
  explicit DmxRefresher(DmxPort& port) : port_(port) {}
  void start() {
    worker_ = std::thread([this] {
      while (running_) {
        port_.send_frame_blocking(port_.take());
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
      }
    });
  }
  void stop() {
    running_ = false;
    if (worker_.joinable()) worker_.join();
  }

private:
  DmxPort& port_;
  std::atomic<bool> running_{true};
  std::thread worker_;
};

class DeskSession : public std::enable_shared_from_this<DeskSession> {
public:
  DeskSession(tcp::socket s, DmxPort& port, tcp::socket& console)
      : ws_(std::move(s)), port_(port), console_(console) {}

  void run() {
    ws_.async_accept(beast::bind_front_handler(&DeskSession::on_accept, shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    do_read();
  }

  void do_read() {
    ws_.async_read(buf_, beast::bind_front_handler(&DeskSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    std::string text = beast::buffers_to_string(buf_.data());
    buf_.consume(buf_.size());
    Cue cue = parse_cue(text);

    if (cue.fade_ms == 0) {
      // snap cue: push it straight out instead of waiting for the next refresh
      port_.send_frame_blocking(cue.levels); // expect: errorshield-ws-blocking-in-handler
    } else {
      port_.stage(cue.levels);
    }

    std::string ack = json{{"ack", cue.number}}.dump();
    ws_.text(true);
    ws_.write(net::buffer(ack)); // expect: errorshield-ws-blocking-in-handler
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  DmxPort& port_;
  tcp::socket& console_;
};

// Go/stop buttons on the tablets are "GO <n>" strings; the console wants
// them one at a time with a small gap or it drops the second one.
void forward_go_buttons(websocket::stream<beast::tcp_stream>& ws, tcp::socket& console,
                        beast::flat_buffer& buf) {
  ws.async_read(buf, [&ws, &console, &buf](beast::error_code ec, std::size_t) {
    if (ec) return;
    std::string line = beast::buffers_to_string(buf.data()) + "\r\n";
    buf.consume(buf.size());
    std::this_thread::sleep_for(std::chrono::milliseconds(40)); // expect: errorshield-ws-blocking-in-handler
    net::async_write(console, net::buffer(line),
                     [](beast::error_code, std::size_t) {});
    forward_go_buttons(ws, console, buf);
  });
}

// Same pacing, done properly with a timer.
void forward_go_paced(std::shared_ptr<net::steady_timer> gap, tcp::socket& console,
                      std::shared_ptr<std::string> line) {
  gap->expires_after(std::chrono::milliseconds(40));
  gap->async_wait([gap, &console, line](beast::error_code ec) {
    if (ec) return;
    net::async_write(console, net::buffer(*line),
                     [line](beast::error_code, std::size_t) {});
  });
}

// Console status feed: 4-byte header (cue number, big endian) followed by
// a fixed 8-byte state block.
net::awaitable<void> console_status_feed(tcp::socket& console, std::shared_ptr<std::atomic<int>> live_cue) {
  for (;;) {
    std::uint8_t hdr[4];
    co_await net::async_read(console, net::buffer(hdr), net::use_awaitable);
    int cue = (hdr[0] << 24) | (hdr[1] << 16) | (hdr[2] << 8) | hdr[3];
    live_cue->store(cue);

    std::uint8_t state[8];
    net::read(console, net::buffer(state)); // expect: errorshield-ws-blocking-in-handler
    if (state[0] == 0xFF) co_return;

    net::steady_timer pause(co_await net::this_coro::executor);
    pause.expires_after(std::chrono::milliseconds(5));
    co_await pause.async_wait(net::use_awaitable);
  }
}

class Listener : public std::enable_shared_from_this<Listener> {
public:
  Listener(net::io_context& ioc, tcp::endpoint ep, DmxPort& port, tcp::socket& console)
      : ioc_(ioc), acc_(ioc, ep), port_(port), console_(console) {}

  void start() { accept_one(); }

private:
  void accept_one() {
    acc_.async_accept(net::make_strand(ioc_),
                      [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
                        if (!ec) {
                          // backstage tablets register by hostname for the log
                          tcp::resolver r(self->ioc_);
                          auto names = r.resolve(s.remote_endpoint()); // expect: errorshield-ws-blocking-in-handler
                          if (!names.empty())
                            std::cout << "tablet " << names.begin()->host_name() << "\n";
                          std::make_shared<DeskSession>(std::move(s), self->port_, self->console_)->run();
                        }
                        self->accept_one();
                      });
  }

  net::io_context& ioc_;
  tcp::acceptor acc_;
  DmxPort& port_;
  tcp::socket& console_;
};

int main(int argc, char** argv) {
  const char* console_host = argc > 1 ? argv[1] : "console.local";
  net::io_context ioc;

  // Startup: resolve and connect to the console synchronously, nothing is
  // running on the io_context yet.
  tcp::resolver resolver(ioc);
  tcp::socket console(ioc);
  auto eps = resolver.resolve(console_host, "3032");
  net::connect(console, eps);
  std::string hello = "HELLO bridge\r\n";
  net::write(console, net::buffer(hello));

  DmxPort port("/dev/ttyUSB0");
  DmxRefresher refresher(port);
  refresher.start();

  auto live_cue = std::make_shared<std::atomic<int>>(0);
  net::co_spawn(ioc, console_status_feed(console, live_cue), net::detached);

  std::make_shared<Listener>(ioc, tcp::endpoint{tcp::v4(), 9100}, port, console)->start();

  net::signal_set sigs(ioc, SIGINT, SIGTERM);
  sigs.async_wait([&](beast::error_code, int) { ioc.stop(); });

  ioc.run();
  refresher.stop();
  return 0;
}
