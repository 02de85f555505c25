// checks: errorshield-unchecked-read
#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/serial_port.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <iostream>
#include <memory>
#include <string>

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace beacon {

struct FrameHeader {
  std::uint8_t sync;
  std::uint8_t type;
  std::uint16_t length;
};

inline bool link_failed(const error_code &ec, const char *where) {
  if (!ec) return false;
  std::cerr << "beacon link: " << where << ": " << ec.message() << '\n';
  return true;
}

// Controller on the lantern gallery talks NMEA-style sentences over RS-485.
class LanternLink {
public:
  LanternLink(asio::io_context &ioc, std::string device)
      : port_(ioc), retry_(ioc), device_(std::move(device)) {}

  void open() {
    error_code ec;
    port_.open(device_, ec);
    if (ec) {
      schedule_reopen();
      return;
    }
    port_.set_option(asio::serial_port_base::baud_rate(9600));
    read_sentence();
    read_header();
  }

  std::function<void(const json &)> on_telemetry;

private:
  void read_sentence() {
    asio::async_read_until(port_, line_buf_, '\n', [this](error_code ec, std::size_t n) {
      if (ec) {
        port_.close();
        schedule_reopen();
        return;
      }
      std::string line(asio::buffers_begin(line_buf_.data()),
                       asio::buffers_begin(line_buf_.data()) + n);
      line_buf_.consume(n);
      publish_sentence(line);
      read_sentence();
    });
  }

  void read_header() {
    asio::async_read(port_, asio::buffer(&hdr_, sizeof hdr_), [this](const error_code &, std::size_t) { // expect: errorshield-unchecked-read
      if (hdr_.sync != 0x7E || hdr_.length > body_.size()) {
        read_header();
        return;
      }
      read_body();
    });
  }

  void read_body() {
    asio::async_read(port_, asio::buffer(body_.data(), hdr_.length), [this](error_code ec, std::size_t n) { // expect: errorshield-unchecked-read
      if (ec == asio::error::operation_aborted) return;
      handle_frame(hdr_.type, n);
      read_header();
    });
  }

  void schedule_reopen() {
    retry_.expires_after(std::chrono::seconds(5));
    retry_.async_wait([this](error_code) { open(); });
  }

  void publish_sentence(const std::string &line) {
    if (on_telemetry) on_telemetry(json{{"nmea", line}});
  }

  void handle_frame(std::uint8_t type, std::size_t n) {
    if (on_telemetry) on_telemetry(json{{"frame_type", type}, {"bytes", n}});
  }

  asio::serial_port port_;
  asio::steady_timer retry_;
  std::string device_;
  asio::streambuf line_buf_;
  FrameHeader hdr_{};
  std::array<std::uint8_t, 512> body_{};
};

// Lamp-failure GPIO is exposed through sysfs.
class LampSense {
public:
  explicit LampSense(const char *path) : fd_(::open(path, O_RDONLY | O_NONBLOCK)) {}
  ~LampSense() {
    if (fd_ >= 0) ::close(fd_);
  }

  bool lamp_ok_checked() const {
    char v = '0';
    ::lseek(fd_, 0, SEEK_SET);
    const ssize_t r = ::read(fd_, &v, 1);
    if (r <= 0) return false;
    return v == '1';
  }

  bool lamp_ok_fast() const {
    char v = '0';
    ::lseek(fd_, 0, SEEK_SET);
    ::read(fd_, &v, 1); // expect: errorshield-unchecked-read
    return v == '1';
  }

private:
  int fd_;
};

// Fixed 8-byte status records from the fog-signal controller.
using FogRecord = std::array<std::uint8_t, 8>;

inline void read_fog_record(asio::serial_port &p, FogRecord &rec) {
  error_code ignored;
  asio::read(p, asio::buffer(rec), ignored); // expect: errorshield-unchecked-read
}

inline bool read_fog_record_checked(asio::serial_port &p, FogRecord &rec) {
  error_code ec;
  asio::read(p, asio::buffer(rec), ec);
  return !link_failed(ec, "fog record");
}

inline void fog_status_loop(asio::serial_port &p, const std::function<void(const FogRecord &)> &sink) {
  FogRecord rec{};
  while (p.is_open()) {
    read_fog_record(p, rec);
    sink(rec);
  }
}

inline void fog_status_loop_checked(asio::serial_port &p, const std::function<void(const FogRecord &)> &sink) {
  FogRecord rec{};
  while (p.is_open() && read_fog_record_checked(p, rec))
    sink(rec);
}

inline std::string query_fog_signal(asio::serial_port &p) {
  asio::write(p, asio::buffer(std::string_view("$FOG?\r\n")));
  std::string reply(32, '\0');
  const std::size_t n = asio::read(p, asio::buffer(reply));
  reply.resize(n);
  return reply;
}

// Monitoring station at the harbour office connects over TCP and receives
// telemetry; it sends short acknowledgements back.
class MonitorConnection : public std::enable_shared_from_this<MonitorConnection> {
public:
  explicit MonitorConnection(tcp::socket s) : sock_(std::move(s)) {}

  void start() { read_ack(); }

  void push(std::string msg) {
    auto payload = std::make_shared<std::string>(std::move(msg) + "\n");
    asio::async_write(sock_, asio::buffer(*payload),
                      [self = shared_from_this(), payload](error_code, std::size_t) {});
  }

  void poll_acks_blocking() {
    std::array<char, 128> buf{};
    for (;;) {
      error_code ec;
      const std::size_t n = sock_.read_some(asio::buffer(buf), ec); // expect: errorshield-unchecked-read
      acked_ += std::count(buf.begin(), buf.begin() + n, '\n');
    }
  }

  void poll_acks_checked() {
    std::array<char, 128> buf{};
    for (;;) {
      error_code ec;
      const std::size_t n = sock_.read_some(asio::buffer(buf), ec);
      if (link_failed(ec, "ack")) return;
      acked_ += std::count(buf.begin(), buf.begin() + n, '\n');
    }
  }

private:
  void read_ack() {
    sock_.async_read_some(asio::buffer(ack_buf_), [self = shared_from_this()](error_code ec, std::size_t n) {
      self->on_ack(ec, n);
    });
  }

  void on_ack(error_code ec, std::size_t n) {
    if (ec == asio::error::eof || ec == asio::error::connection_reset) return;
    if (ec) return;
    acked_ += std::count(ack_buf_.begin(), ack_buf_.begin() + n, '\n');
    read_ack();
  }

  tcp::socket sock_;
  std::array<char, 128> ack_buf_{};
  long acked_ = 0;
};

// Remote range-finder beacon on the breakwater, polled via a coroutine.
inline asio::awaitable<void> breakwater_poll(tcp::socket sock) {
  std::array<char, 256> buf{};
  for (;;) {
    auto [ec, n] = co_await sock.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable)); // expect: errorshield-unchecked-read
    std::cout << "breakwater: " << std::string_view(buf.data(), n) << '\n';
  }
}

inline asio::awaitable<void> breakwater_poll_checked(tcp::socket sock) {
  std::array<char, 256> buf{};
  for (;;) {
    auto [ec, n] = co_await sock.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    std::cout << "breakwater: " << std::string_view(buf.data(), n) << '\n';
  }
}

inline asio::awaitable<void> breakwater_poll_throwing(tcp::socket sock) {
  std::array<char, 256> buf{};
  try {
    for (;;) {
      const std::size_t n = co_await sock.async_read_some(asio::buffer(buf), asio::use_awaitable);
      std::cout << "breakwater: " << std::string_view(buf.data(), n) << '\n';
    }
  } catch (const boost::system::system_error &e) {
    std::cerr << "breakwater link down: " << e.what() << '\n';
  }
}

} // namespace beacon
