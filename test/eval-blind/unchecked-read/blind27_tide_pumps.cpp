// checks: errorshield-unchecked-read
// Tidal pumping station controller. Pump PLCs stream status frames over TCP,
// the tide gauge writes levels into a pipe, operators connect with a line console.
#include <boost/asio.hpp>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>
#include <unistd.h>

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace tide {

struct PumpStatus {
  std::uint8_t pump_id = 0;
  std::uint16_t rpm = 0;
  std::uint16_t amps_x10 = 0;
};

PumpStatus decode(const std::array<std::uint8_t, 5> &f) {
  return PumpStatus{f[0], static_cast<std::uint16_t>(f[1] << 8 | f[2]),
                    static_cast<std::uint16_t>(f[3] << 8 | f[4])};
}

void publish(const PumpStatus &s) {
  std::cout << "pump " << int(s.pump_id) << " rpm=" << s.rpm << " A=" << s.amps_x10 / 10.0 << "\n";
}

// One PLC link, callback style.
class PlcLink : public std::enable_shared_from_this<PlcLink> {
public:
  explicit PlcLink(tcp::socket s) : sock_(std::move(s)) {}
  void start() { read_frame(); }

private:
  void read_frame() {
    auto self = shared_from_this();
    asio::async_read(sock_, asio::buffer(frame_), [self](error_code, std::size_t) { // expect: errorshield-unchecked-read
      publish(decode(self->frame_));
      self->read_frame();
    });
  }

  tcp::socket sock_;
  std::array<std::uint8_t, 5> frame_{};
};

// Second generation PLCs: same framing, but the link is dropped properly.
class PlcLinkV2 : public std::enable_shared_from_this<PlcLinkV2> {
public:
  explicit PlcLinkV2(tcp::socket s) : sock_(std::move(s)) {}
  void start() { read_frame(); }

private:
  void read_frame() {
    auto self = shared_from_this();
    asio::async_read(sock_, asio::buffer(frame_), [self](error_code ec, std::size_t) {
      if (ec) {
        if (ec != asio::error::eof)
          std::cerr << "plc link: " << ec.message() << "\n";
        return;
      }
      publish(decode(self->frame_));
      self->read_frame();
    });
  }

  tcp::socket sock_;
  std::array<std::uint8_t, 5> frame_{};
};

// Tide gauge feed: a helper process writes "level_mm\n" into a pipe.
void gauge_loop(int fd) {
  char buf[64];
  std::string pending;
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf); // expect: errorshield-unchecked-read
    pending.append(buf, static_cast<std::size_t>(n));
    auto nl = pending.find('\n');
    while (nl != std::string::npos) {
      std::cout << "tide level " << pending.substr(0, nl) << " mm\n";
      pending.erase(0, nl + 1);
      nl = pending.find('\n');
    }
  }
}

// Backup gauge on a second pipe; handles hangup of the helper process.
void backup_gauge_loop(int fd) {
  char buf[64];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0)
      break;
    if (n < 0) {
      if (errno == EINTR)
        continue;
      std::cerr << "backup gauge: " << std::strerror(errno) << "\n";
      break;
    }
    std::cout.write(buf, n);
  }
  ::close(fd);
}

// Operator console, coroutine style.
asio::awaitable<void> console(tcp::socket sock) {
  std::string line;
  for (;;) {
    error_code ec;
    auto token = asio::redirect_error(asio::use_awaitable, ec);
    std::size_t n = co_await asio::async_read_until(sock, asio::dynamic_buffer(line), '\n', token); // expect: errorshield-unchecked-read
    std::string cmd = line.substr(0, n);
    line.erase(0, n);
    if (cmd == "status\n")
      co_await asio::async_write(sock, asio::buffer(std::string("pumps: 4 online\n")),
                                 asio::use_awaitable);
  }
}

// Maintenance console: same protocol, exceptions end the coroutine on EOF.
asio::awaitable<void> maintenance_console(tcp::socket sock) {
  std::string line;
  for (;;) {
    std::size_t n = co_await asio::async_read_until(sock, asio::dynamic_buffer(line), '\n',
                                                    asio::use_awaitable);
    std::string cmd = line.substr(0, n);
    line.erase(0, n);
    if (cmd == "quit\n")
      co_return;
  }
}

// Alarm panel: tuple-returning reads.
asio::awaitable<void> alarm_panel(tcp::socket sock) {
  std::array<char, 32> buf{};
  for (;;) {
    auto [ec, n] = co_await sock.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable)); // expect: errorshield-unchecked-read
    std::cout << "alarm: " << std::string(buf.data(), n) << "\n";
  }
}

asio::awaitable<void> alarm_panel_checked(tcp::socket sock) {
  std::array<char, 32> buf{};
  for (;;) {
    auto [ec, n] = co_await sock.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    if (ec)
      co_return;
    std::cout << "alarm: " << std::string(buf.data(), n) << "\n";
  }
}

// Calibration upload: blocking read on a worker, fixed-size header first.
template <class SyncStream> std::vector<std::uint8_t> read_calibration(SyncStream &s) {
  std::array<std::uint8_t, 4> hdr{};
  error_code ec;
  asio::read(s, asio::buffer(hdr), ec); // expect: errorshield-unchecked-read
  std::uint32_t len = hdr[0] << 24 | hdr[1] << 16 | hdr[2] << 8 | hdr[3];
  std::vector<std::uint8_t> blob(len);
  asio::read(s, asio::buffer(blob), ec);
  if (ec)
    blob.clear();
  return blob;
}

class Station {
public:
  Station(asio::io_context &ioc) : ioc_(ioc), plc_acc_(ioc, {tcp::v4(), 5020}), op_acc_(ioc, {tcp::v4(), 5021}) {}

  void run() {
    accept_plc();
    asio::co_spawn(ioc_, accept_operators(), asio::detached);
  }

private:
  void accept_plc() {
    plc_acc_.async_accept([this](error_code ec, tcp::socket s) {
      if (!ec) {
        if (s.remote_endpoint(ec).address().to_string().rfind("10.2.", 0) == 0)
          std::make_shared<PlcLinkV2>(std::move(s))->start();
        else
          std::make_shared<PlcLink>(std::move(s))->start();
      }
      accept_plc();
    });
  }

  asio::awaitable<void> accept_operators() {
    for (;;) {
      auto s = co_await op_acc_.async_accept(asio::use_awaitable);
      asio::co_spawn(ioc_, console(std::move(s)), asio::detached);
    }
  }

  asio::io_context &ioc_;
  tcp::acceptor plc_acc_;
  tcp::acceptor op_acc_;
};

} // namespace tide

int main() {
  asio::io_context ioc;
  tide::Station st(ioc);
  st.run();
  ioc.run();
}
