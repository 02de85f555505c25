// checks: errorshield-unchecked-read
// Market-data relay: reads the exchange's binary feed and fans it out.
#include <boost/asio.hpp>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace md {

void publish(const char *data, std::size_t n);
void log_warn(const std::string &s);

struct FrameHeader {
  std::uint16_t len;
  std::uint16_t type;
};

// BUG: ec is filled in but never looked at; on EOF read_some returns 0
// immediately and this loop spins at 100% CPU.
void pump_primary(tcp::socket &sock) {
  std::array<char, 4096> buf;
  boost::system::error_code ec;
  for (;;) {
    std::size_t n = sock.read_some(asio::buffer(buf), ec); // expect: errorshield-unchecked-read
    publish(buf.data(), n);
  }
}

// OK: EOF and errors both end the loop.
void pump_backup(tcp::socket &sock) {
  std::array<char, 4096> buf;
  boost::system::error_code ec;
  for (;;) {
    std::size_t n = sock.read_some(asio::buffer(buf), ec);
    if (ec == asio::error::eof) {
      log_warn("backup feed closed");
      return;
    }
    if (ec) {
      log_warn("backup feed error: " + ec.message());
      return;
    }
    publish(buf.data(), n);
  }
}

// OK: throwing overload -- an error propagates as system_error.
void read_snapshot(tcp::socket &sock, std::vector<char> &out) {
  FrameHeader h{};
  asio::read(sock, asio::buffer(&h, sizeof h));
  out.resize(h.len);
  asio::read(sock, asio::buffer(out));
}

// BUG: header read checked, body read not.
bool read_frame(tcp::socket &sock, std::vector<char> &out) {
  FrameHeader h{};
  boost::system::error_code ec;
  asio::read(sock, asio::buffer(&h, sizeof h), ec);
  if (ec) return false;
  out.resize(h.len);
  asio::read(sock, asio::buffer(out), ec); // expect: errorshield-unchecked-read
  return true;
}

// BUG: raw fd from the multicast bridge; n == 0 (EOF) and n < 0 ignored.
void pump_bridge(int fd) {
  char buf[1500];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf); // expect: errorshield-unchecked-read
    publish(buf, static_cast<std::size_t>(n));
  }
}

// OK: raw fd, EOF/error handled.
void pump_bridge_checked(int fd) {
  char buf[1500];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    publish(buf, static_cast<std::size_t>(n));
  }
}

// Async consumer for the retransmit channel.
class RetransSession : public std::enable_shared_from_this<RetransSession> {
public:
  explicit RetransSession(tcp::socket s) : sock_(std::move(s)) {}
  void start() { do_read(); }

private:
  // BUG: handler ignores ec and re-arms -> on EOF it completes instantly
  // forever.
  void do_read() {
    sock_.async_read_some(asio::buffer(buf_), [self = shared_from_this()](boost::system::error_code ec, std::size_t n) { // expect: errorshield-unchecked-read
      publish(self->buf_.data(), n);
      self->do_read();
    });
  }

  tcp::socket sock_;
  std::array<char, 8192> buf_{};
};

// Async consumer for the primary channel, done right.
class FeedSession : public std::enable_shared_from_this<FeedSession> {
public:
  explicit FeedSession(tcp::socket s) : sock_(std::move(s)) {}
  void start() { read_header(); }

private:
  void read_header() {
    auto self = shared_from_this();
    asio::async_read(sock_, asio::buffer(&hdr_, sizeof hdr_),
                     [this, self](boost::system::error_code ec, std::size_t) {
                       if (ec) return on_error(ec);
                       body_.resize(hdr_.len);
                       read_body();
                     });
  }

  void read_body() {
    auto self = shared_from_this();
    asio::async_read(sock_, asio::buffer(body_), [this, self](boost::system::error_code ec, std::size_t n) {
      if (!ec) {
        publish(body_.data(), n);
        read_header();
      } else {
        on_error(ec);
      }
    });
  }

  void on_error(const boost::system::error_code &ec) {
    if (ec != asio::error::eof) log_warn("feed: " + ec.message());
    boost::system::error_code ignored;
    sock_.close(ignored);
  }

  tcp::socket sock_;
  FrameHeader hdr_{};
  std::vector<char> body_;
};

// BUG: line-based admin channel; read_until error ignored.
void admin_loop(tcp::socket &sock) {
  asio::streambuf sb;
  boost::system::error_code ec;
  for (;;) {
    asio::read_until(sock, sb, '\n', ec); // expect: errorshield-unchecked-read
    std::istream is(&sb);
    std::string cmd;
    std::getline(is, cmd);
    if (cmd == "quit") break;
  }
}

// OK: ec checked via a helper.
static bool failed(const boost::system::error_code &ec, const char *what) {
  if (!ec) return false;
  log_warn(std::string(what) + ": " + ec.message());
  return true;
}

void admin_loop_checked(tcp::socket &sock) {
  asio::streambuf sb;
  boost::system::error_code ec;
  for (;;) {
    asio::read_until(sock, sb, '\n', ec);
    if (failed(ec, "admin read")) return;
    std::istream is(&sb);
    std::string cmd;
    std::getline(is, cmd);
    if (cmd == "quit") break;
  }
}

} // namespace md
