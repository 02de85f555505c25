// checks: errorshield-unchecked-read
// Strain gauge collector for a cable-stayed bridge: data loggers on each
// pylon stream fixed-size samples over TCP; a serial bridge feeds the
// legacy deck sensors; dashboards subscribe over WebSocket.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <array>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>
#include <fcntl.h>
#include <unistd.h>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace gauges {

#pragma pack(push, 1)
struct Sample {
  std::uint16_t channel;
  std::uint32_t micro_strain;
  std::uint64_t ts_us;
};
#pragma pack(pop)

inline void record(const Sample &s) {
  if (s.micro_strain > 1800)
    std::cout << "channel " << s.channel << " over limit: " << s.micro_strain << "\n";
}

// One TCP connection per pylon logger.
class LoggerLink : public std::enable_shared_from_this<LoggerLink> {
public:
  explicit LoggerLink(tcp::socket s) : sock_(std::move(s)) {}

  void start() { read_sample(); }

private:
  void read_sample() {
    auto self = shared_from_this();
    asio::async_read(sock_, asio::buffer(&sample_, sizeof sample_), [this, self](error_code, std::size_t) { // expect: errorshield-unchecked-read
      record(sample_);
      read_sample();
    });
  }

  tcp::socket sock_;
  Sample sample_{};
};

// Newer loggers that announce a batch length first.
class BatchLink : public std::enable_shared_from_this<BatchLink> {
public:
  explicit BatchLink(tcp::socket s) : sock_(std::move(s)) {}

  void start() { read_header(); }

private:
  void read_header() {
    auto self = shared_from_this();
    asio::async_read(sock_, asio::buffer(&count_, sizeof count_), [this, self](error_code ec, std::size_t) {
      if (ec) {
        if (ec != asio::error::eof)
          std::cerr << "pylon link: " << ec.message() << "\n";
        return;
      }
      batch_.resize(count_);
      read_batch();
    });
  }

  void read_batch() {
    auto self = shared_from_this();
    asio::async_read(sock_, asio::buffer(batch_), [this, self](error_code ec, std::size_t n) {
      if (ec)
        return;
      for (std::size_t i = 0; i < n / sizeof(Sample); ++i)
        record(batch_[i]);
      read_header();
    });
  }

  tcp::socket sock_;
  std::uint32_t count_ = 0;
  std::vector<Sample> batch_;
};

// Legacy deck sensors behind an RS-485 to TTY converter.
void poll_deck_tty(const char *dev) {
  int fd = ::open(dev, O_RDONLY | O_NOCTTY);
  if (fd < 0)
    return;
  std::array<char, 64> line{};
  for (;;) {
    ::read(fd, line.data(), line.size()); // expect: errorshield-unchecked-read
    std::cout << "deck: " << line.data() << "\n";
  }
}

void poll_deck_tty_checked(const char *dev) {
  int fd = ::open(dev, O_RDONLY | O_NOCTTY);
  if (fd < 0)
    return;
  char line[64];
  for (;;) {
    ssize_t n = ::read(fd, line, sizeof line - 1);
    if (n <= 0)
      break;
    line[n] = '\0';
    std::cout << "deck: " << line << "\n";
  }
  ::close(fd);
}

// Calibration handshake with a single gauge channel, synchronous.
std::string read_calibration(tcp::socket &s) {
  char buf[128];
  error_code ec;
  std::size_t n = s.read_some(asio::buffer(buf), ec); // expect: errorshield-unchecked-read
  return std::string(buf, n);
}

std::string read_calibration_throwing(tcp::socket &s) {
  char buf[128];
  std::size_t n = s.read_some(asio::buffer(buf));
  return std::string(buf, n);
}

// Coroutine variant used by the wind-sensor mast.
asio::awaitable<void> wind_mast(tcp::socket s) {
  std::array<char, 256> buf{};
  for (;;) {
    error_code ec;
    std::size_t n = co_await s.async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec)); // expect: errorshield-unchecked-read
    std::cout.write(buf.data(), static_cast<std::streamsize>(n));
  }
}

asio::awaitable<void> wind_mast_checked(tcp::socket s) {
  std::array<char, 256> buf{};
  for (;;) {
    error_code ec;
    std::size_t n = co_await s.async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) // eof when the mast logger reboots
      co_return;
    std::cout.write(buf.data(), static_cast<std::streamsize>(n));
  }
}

asio::awaitable<void> tilt_sensor(tcp::socket s) {
  std::array<char, 32> buf{};
  for (;;) {
    std::size_t n = co_await s.async_read_some(asio::buffer(buf), asio::use_awaitable);
    std::cout.write(buf.data(), static_cast<std::streamsize>(n));
  }
}

// Dashboards send "subscribe <channel>" text over WebSocket.
template <class Stream>
class DashboardSession : public std::enable_shared_from_this<DashboardSession<Stream>> {
public:
  explicit DashboardSession(Stream ws) : ws_(std::move(ws)) {}

  void run() {
    ws_.async_read(buf_, [self = this->shared_from_this()](error_code, std::size_t) { // expect: errorshield-unchecked-read
      std::cout << "dash cmd: " << beast::buffers_to_string(self->buf_.data()) << "\n";
      self->buf_.consume(self->buf_.size());
      self->run();
    });
  }

private:
  Stream ws_;
  beast::flat_buffer buf_;
};

void accept_loggers(tcp::acceptor &acc) {
  acc.async_accept([&acc](error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<BatchLink>(std::move(s))->start();
    accept_loggers(acc);
  });
}

} // namespace gauges

int main() {
  asio::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 7400});
  gauges::accept_loggers(acc);

  std::make_shared<gauges::LoggerLink>(tcp::socket(ioc))->start();
  asio::co_spawn(ioc, gauges::wind_mast(tcp::socket(ioc)), asio::detached);
  asio::co_spawn(ioc, gauges::wind_mast_checked(tcp::socket(ioc)), asio::detached);
  asio::co_spawn(ioc, gauges::tilt_sensor(tcp::socket(ioc)), asio::detached);

  using WS = websocket::stream<beast::tcp_stream>;
  std::make_shared<gauges::DashboardSession<WS>>(WS(ioc))->run();

  ioc.run();
}
