// checks: errorshield-unchecked-read
// Grain silo level sensor gateway.
// Radar level sensors on each silo stream "SILO:<id>;LEVEL:<cm>;TEMP:<c>\n" lines
// over TCP; the older silos sit on an RS-485 bridge exposed as a serial fd.
// Readings are fanned out to the farm dashboard over WebSocket.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <functional>
#include <istream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;

namespace silos {

struct Reading {
  int silo = 0;
  int level_cm = 0;
  int temp_c = 0;
};

std::mutex g_mu;
std::map<int, Reading> g_latest;

bool parse_line(const std::string &line, Reading &r) {
  return std::sscanf(line.c_str(), "SILO:%d;LEVEL:%d;TEMP:%d", &r.silo, &r.level_cm,
                     &r.temp_c) == 3;
}

void store(const Reading &r) {
  std::lock_guard<std::mutex> lk(g_mu);
  g_latest[r.silo] = r;
}

// One TCP connection per radar sensor, callback style.
class SensorLink : public std::enable_shared_from_this<SensorLink> {
public:
  explicit SensorLink(tcp::socket s) : sock_(std::move(s)) {}
  void start() { read_line(); }

private:
  void read_line() {
    auto self = shared_from_this();
    asio::async_read_until(sock_, buf_, '\n', [self](boost::system::error_code, std::size_t) { // expect: errorshield-unchecked-read
      std::istream in(&self->buf_);
      std::string line;
      std::getline(in, line);
      Reading r;
      if (parse_line(line, r))
        store(r);
      self->read_line();
    });
  }

  tcp::socket sock_;
  asio::streambuf buf_;
};

// Newer firmware: same protocol, but the link notices the sensor going away.
class SensorLinkV2 : public std::enable_shared_from_this<SensorLinkV2> {
public:
  explicit SensorLinkV2(tcp::socket s) : sock_(std::move(s)) {}
  void start() { read_line(); }

private:
  void read_line() {
    auto self = shared_from_this();
    asio::async_read_until(sock_, buf_, '\n', [self](boost::system::error_code ec, std::size_t) {
      if (ec == asio::error::eof) {
        std::fprintf(stderr, "sensor hung up\n");
        return;
      }
      if (ec)
        return;
      std::istream in(&self->buf_);
      std::string line;
      std::getline(in, line);
      Reading r;
      if (parse_line(line, r))
        store(r);
      self->read_line();
    });
  }

  tcp::socket sock_;
  asio::streambuf buf_;
};

// RS-485 bridge: fixed 12-byte frames from the old capacitive probes.
void poll_rs485(int fd) {
  unsigned char frame[12];
  for (;;) {
    ::read(fd, frame, sizeof frame); // expect: errorshield-unchecked-read
    Reading r{frame[0], frame[1] * 256 + frame[2], static_cast<signed char>(frame[3])};
    store(r);
  }
}

void poll_rs485_checked(int fd) {
  unsigned char frame[12];
  for (;;) {
    ssize_t n = ::read(fd, frame, sizeof frame);
    if (n <= 0)
      break;
    if (n != static_cast<ssize_t>(sizeof frame))
      continue;
    Reading r{frame[0], frame[1] * 256 + frame[2], static_cast<signed char>(frame[3])};
    store(r);
  }
  ::close(fd);
}

// Calibration handshake: the sensor sends a 4-byte header before streaming.
bool read_calibration(tcp::socket &sock, Reading &r) {
  unsigned char hdr[4];
  boost::system::error_code ec;
  asio::read(sock, asio::buffer(hdr), ec); // expect: errorshield-unchecked-read
  r.silo = hdr[0];
  r.level_cm = hdr[1] * 256 + hdr[2];
  return hdr[3] == 0xA5;
}

bool read_calibration_checked(tcp::socket &sock, Reading &r) {
  unsigned char hdr[4];
  boost::system::error_code ec;
  std::size_t n = asio::read(sock, asio::buffer(hdr), ec);
  if (ec || n != sizeof hdr)
    return false;
  r.silo = hdr[0];
  r.level_cm = hdr[1] * 256 + hdr[2];
  return hdr[3] == 0xA5;
}

// Raw datagram-ish socket used by the moisture probes on silo 7.
void drain_moisture(int sockfd) {
  char buf[256];
  while (true) {
    ssize_t got = ::recv(sockfd, buf, sizeof buf - 1, 0); // expect: errorshield-unchecked-read
    buf[got] = '\0';
    Reading r;
    if (parse_line(buf, r))
      store(r);
  }
}

// Coroutine variant for the grain dryer controller.
awaitable<void> dryer_link(tcp::socket sock) {
  char data[128];
  for (;;) {
    boost::system::error_code ec;
    std::size_t n = co_await sock.async_read_some(asio::buffer(data), asio::redirect_error(use_awaitable, ec)); // expect: errorshield-unchecked-read
    std::string line(data, n);
    Reading r;
    if (parse_line(line, r))
      store(r);
  }
}

// Same controller link, letting use_awaitable throw on EOF / reset.
awaitable<void> dryer_link_throwing(tcp::socket sock) {
  char data[128];
  for (;;) {
    std::size_t n = co_await sock.async_read_some(asio::buffer(data), use_awaitable);
    std::string line(data, n);
    Reading r;
    if (parse_line(line, r))
      store(r);
  }
}

// Dashboard clients can send "subscribe <silo>" commands.
template <class Stream> class DashboardSession
    : public std::enable_shared_from_this<DashboardSession<Stream>> {
public:
  explicit DashboardSession(Stream ws) : ws_(std::move(ws)) {}

  void read_command() {
    auto self = this->shared_from_this();
    ws_.async_read(buf_, [self](beast::error_code, std::size_t) { // expect: errorshield-unchecked-read
      auto cmd = beast::buffers_to_string(self->buf_.data());
      self->buf_.consume(self->buf_.size());
      if (cmd.rfind("subscribe ", 0) == 0)
        self->silo_ = std::atoi(cmd.c_str() + 10);
      self->read_command();
    });
  }

  void read_command_checked() {
    auto self = this->shared_from_this();
    ws_.async_read(buf_, [self](beast::error_code ec, std::size_t) {
      if (ec)
        return; // closed by the browser or network error
      auto cmd = beast::buffers_to_string(self->buf_.data());
      self->buf_.consume(self->buf_.size());
      if (cmd.rfind("subscribe ", 0) == 0)
        self->silo_ = std::atoi(cmd.c_str() + 10);
      self->read_command_checked();
    });
  }

private:
  Stream ws_;
  beast::flat_buffer buf_;
  int silo_ = 0;
};

template class DashboardSession<websocket::stream<beast::tcp_stream>>;

} // namespace silos

int main() {
  asio::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 7001});
  std::function<void()> accept_loop = [&] {
    acc.async_accept([&](boost::system::error_code ec, tcp::socket s) {
      if (!ec && s.remote_endpoint(ec).port() < 2000)
        std::make_shared<silos::SensorLink>(std::move(s))->start(); // legacy radar units
      else if (!ec)
        std::make_shared<silos::SensorLinkV2>(std::move(s))->start();
      accept_loop();
    });
  };
  accept_loop();
  int fd = ::open("/dev/ttyUSB0", O_RDONLY | O_NOCTTY);
  if (fd >= 0)
    silos::poll_rs485_checked(fd);
  ioc.run();
}
