// checks: errorshield-unchecked-read
// Warehouse gateway for handheld and fixed barcode scanners. Handhelds stream
// newline-terminated scans over TCP, fixed lane scanners sit on a serial bridge
// exposed as a file descriptor, and the inventory UI pulls stats over HTTP.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <unistd.h>
#include <array>
#include <cstddef>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace scanners {

struct Scan {
  std::string device;
  std::string code;
};

void store_scan(const Scan &s);
Scan parse_scan(const std::string &line);
void log_error(const char *where, const boost::system::error_code &ec);

// Handheld scanner connection, one per device.
class Handheld : public std::enable_shared_from_this<Handheld> {
public:
  explicit Handheld(tcp::socket s) : sock_(std::move(s)) {}
  void start() { read_scan(); }

private:
  void read_scan() {
    asio::async_read_until(sock_, asio::dynamic_buffer(line_), '\n', [self = shared_from_this()](boost::system::error_code, std::size_t n) { // expect: errorshield-unchecked-read
      std::string line = self->line_.substr(0, n);
      self->line_.erase(0, n);
      if (!line.empty())
        store_scan(parse_scan(line));
      self->read_scan();
    });
  }

  tcp::socket sock_;
  std::string line_;
};

// Newer handheld firmware: same protocol, the link goes away cleanly on EOF.
class HandheldV2 : public std::enable_shared_from_this<HandheldV2> {
public:
  explicit HandheldV2(tcp::socket s) : sock_(std::move(s)) {}
  void start() { read_scan(); }

private:
  void read_scan() {
    asio::async_read_until(sock_, asio::dynamic_buffer(line_), '\n', [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
      if (ec == asio::error::eof) {
        self->sock_.close();
        return;
      }
      if (ec) {
        log_error("handheld", ec);
        return;
      }
      store_scan(parse_scan(self->line_.substr(0, n)));
      self->line_.erase(0, n);
      self->read_scan();
    });
  }

  tcp::socket sock_;
  std::string line_;
};

// Fixed lane scanners on the serial bridge.
void pump_lane(int fd, const std::string &lane) {
  char chunk[256];
  std::string pending;
  for (;;) {
    ssize_t n = ::read(fd, chunk, sizeof chunk); // expect: errorshield-unchecked-read
    pending.append(chunk, static_cast<std::size_t>(n));
    std::size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos) {
      store_scan({lane, pending.substr(0, nl)});
      pending.erase(0, nl + 1);
    }
  }
}

void pump_lane_checked(int fd, const std::string &lane) {
  char chunk[256];
  std::string pending;
  for (;;) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0)
      break;
    pending.append(chunk, static_cast<std::size_t>(n));
    std::size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos) {
      store_scan({lane, pending.substr(0, nl)});
      pending.erase(0, nl + 1);
    }
  }
  ::close(fd);
}

// Legacy dock scanner: blocking socket polled by a dedicated worker.
std::vector<Scan> drain_dock(tcp::socket &sock) {
  std::vector<Scan> out;
  char buf[512];
  boost::system::error_code ec;
  std::size_t n = sock.read_some(asio::buffer(buf), ec); // expect: errorshield-unchecked-read
  std::string text(buf, n);
  std::size_t pos = 0, nl;
  while ((nl = text.find('\n', pos)) != std::string::npos) {
    out.push_back(parse_scan(text.substr(pos, nl - pos)));
    pos = nl + 1;
  }
  return out;
}

// Pallet scanner: the exception from the throwing overload ends the worker.
std::string read_pallet_header(tcp::socket &sock) {
  std::string header;
  asio::read_until(sock, asio::dynamic_buffer(header), "\r\n");
  return header;
}

// Coroutine per forklift scanner.
asio::awaitable<void> forklift_session(tcp::socket sock) {
  std::string buf;
  for (;;) {
    auto [ec, n] = co_await asio::async_read_until(sock, asio::dynamic_buffer(buf), '\n', asio::as_tuple(asio::use_awaitable)); // expect: errorshield-unchecked-read
    store_scan(parse_scan(buf.substr(0, n)));
    buf.erase(0, n);
  }
}

// Coroutine for the returns desk; errors surface as exceptions.
asio::awaitable<void> returns_desk_session(tcp::socket sock) {
  std::string buf;
  for (;;) {
    std::size_t n = co_await asio::async_read_until(sock, asio::dynamic_buffer(buf), '\n', asio::use_awaitable);
    store_scan(parse_scan(buf.substr(0, n)));
    buf.erase(0, n);
  }
}

// Shared framing for scanners that speak raw fixed-size records over any stream.
template <class Stream> class RecordReader {
public:
  explicit RecordReader(Stream &s) : stream_(s) {}

  void read_record() {
    asio::async_read(stream_, asio::buffer(record_), [this](const boost::system::error_code &ec, std::size_t n) { // expect: errorshield-unchecked-read
      on_record(n);
      read_record();
    });
  }

  void read_record_safe() {
    asio::async_read(stream_, asio::buffer(record_), [this](const boost::system::error_code &ec, std::size_t n) {
      if (ec)
        return log_error("record", ec);
      on_record(n);
      read_record_safe();
    });
  }

private:
  void on_record(std::size_t n) { store_scan({"fixed", std::string(record_.data(), n)}); }

  Stream &stream_;
  std::array<char, 32> record_{};
};

// Inventory UI stats endpoint.
class StatsSession : public std::enable_shared_from_this<StatsSession> {
public:
  explicit StatsSession(tcp::socket s) : stream_(std::move(s)) {}
  void start() { read_request(); }

private:
  void read_request() {
    req_ = {};
    http::async_read(stream_, buf_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-unchecked-read
      self->res_ = {http::status::ok, self->req_.version()};
      self->res_.body() = "scans: ok";
      self->res_.prepare_payload();
      http::async_write(self->stream_, self->res_, [self](beast::error_code wec, std::size_t) {
        if (!wec)
          self->read_request();
      });
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

void accept_loop(tcp::acceptor &acc) {
  acc.async_accept([&acc](boost::system::error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<HandheldV2>(std::move(s))->start();
    accept_loop(acc);
  });
}

} // namespace scanners
