// checks: errorshield-unchecked-read
// Greenhouse sensor collector. Soil-moisture probes stream framed binary
// records over TCP, climate controllers push newline-delimited text, the
// irrigation panel talks HTTP, and the CO2 sensor hangs off a serial port.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <array>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

struct Reading {
  std::uint16_t probe = 0;
  std::uint16_t moisture_permille = 0;
  std::int16_t soil_temp_dc = 0;
};

class Store {
public:
  void put(const Reading &r) { last_[r.probe % last_.size()] = r; }
  void put_line(const std::string &line) { lines_.push_back(line); }

private:
  std::array<Reading, 64> last_{};
  std::vector<std::string> lines_;
};

void fail(const boost::system::error_code &ec, const char *what) {
  std::cerr << what << ": " << ec.message() << "\n";
}

// Soil probes: a stream of fixed 6-byte records.
class ProbeLink : public std::enable_shared_from_this<ProbeLink> {
public:
  ProbeLink(tcp::socket s, Store &store) : sock_(std::move(s)), store_(store) {}
  void start() { read_records(); }

private:
  void read_records() {
    sock_.async_read_some(asio::buffer(buf_), [self = shared_from_this()](boost::system::error_code, std::size_t n) { // expect: errorshield-unchecked-read
      self->pending_.insert(self->pending_.end(), self->buf_.begin(), self->buf_.begin() + n);
      self->drain();
      self->read_records();
    });
  }

  void drain() {
    while (pending_.size() >= 6) {
      Reading r;
      std::memcpy(&r, pending_.data(), 6);
      store_.put(r);
      pending_.erase(pending_.begin(), pending_.begin() + 6);
    }
  }

  tcp::socket sock_;
  Store &store_;
  std::array<std::uint8_t, 256> buf_{};
  std::vector<std::uint8_t> pending_;
};

// Legacy probes send a 2-byte length prefix before every batch.
class LegacyProbeLink : public std::enable_shared_from_this<LegacyProbeLink> {
public:
  LegacyProbeLink(tcp::socket s, Store &store) : sock_(std::move(s)), store_(store) {}
  void start() { read_header(); }

private:
  void read_header() {
    asio::async_read(sock_, asio::buffer(hdr_), [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
      if (ec == asio::error::eof) {
        self->sock_.close();
        return;
      }
      if (ec)
        return fail(ec, "legacy header");
      self->body_.resize(self->hdr_[0] << 8 | self->hdr_[1]);
      self->read_body();
    });
  }

  void read_body() {
    boost::system::error_code ec;
    asio::read(sock_, asio::buffer(body_), ec); // expect: errorshield-unchecked-read
    for (std::size_t i = 0; i + 6 <= body_.size(); i += 6) {
      Reading r;
      std::memcpy(&r, body_.data() + i, 6);
      store_.put(r);
    }
    read_header();
  }

  tcp::socket sock_;
  Store &store_;
  std::array<std::uint8_t, 2> hdr_{};
  std::vector<std::uint8_t> body_;
};

// Climate controllers: text lines such as "zone3 t=231 rh=640".
awaitable<void> climate_session(tcp::socket sock, Store &store) {
  std::string buf;
  for (;;) {
    boost::system::error_code ec;
    std::size_t n = co_await asio::async_read_until(sock, asio::dynamic_buffer(buf), '\n', asio::redirect_error(use_awaitable, ec)); // expect: errorshield-unchecked-read
    store.put_line(buf.substr(0, n));
    buf.erase(0, n);
  }
}

// Newer controllers go through the same parser but let the coroutine throw.
awaitable<void> climate_session_v2(tcp::socket sock, Store &store) {
  std::string buf;
  try {
    for (;;) {
      std::size_t n = co_await asio::async_read_until(sock, asio::dynamic_buffer(buf), '\n', use_awaitable);
      store.put_line(buf.substr(0, n));
      buf.erase(0, n);
    }
  } catch (const boost::system::system_error &e) {
    std::cerr << "climate controller gone: " << e.what() << "\n";
  }
}

// Irrigation panel: plain HTTP/1.1, one request per status refresh.
class PanelSession : public std::enable_shared_from_this<PanelSession> {
public:
  explicit PanelSession(tcp::socket s) : stream_(std::move(s)) {}
  void start() { read(); }

private:
  void read() {
    req_ = {};
    http::async_read(stream_, buf_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-unchecked-read
      std::cout << "panel " << req_target(self->req_) << "\n";
      self->read();
    });
  }

  static std::string req_target(const http::request<http::string_body> &r) { return std::string(r.target()); }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
};

// The CO2 sensor writes ASCII ppm values on /dev/ttyUSB0.
void co2_poll_loop(Store &store) {
  int fd = ::open("/dev/ttyUSB0", O_RDONLY | O_NOCTTY);
  if (fd < 0)
    return;
  char raw[32];
  for (;;) {
    std::memset(raw, 0, sizeof raw);
    ::read(fd, raw, sizeof raw - 1); // expect: errorshield-unchecked-read
    store.put_line(std::string("co2 ") + raw);
  }
}

void co2_poll_once(Store &store) {
  int fd = ::open("/dev/ttyUSB1", O_RDONLY | O_NOCTTY);
  if (fd < 0)
    return;
  char raw[32];
  ssize_t n = ::read(fd, raw, sizeof raw - 1);
  if (n > 0)
    store.put_line(std::string("co2 ") + std::string(raw, static_cast<std::size_t>(n)));
  ::close(fd);
}

// Calibration handshake at startup: the probe must answer with 4 bytes or
// the whole link is rejected (the throwing overload reports the failure).
bool calibrate(tcp::socket &sock) {
  std::array<std::uint8_t, 4> ack{};
  try {
    asio::read(sock, asio::buffer(ack));
  } catch (const boost::system::system_error &) {
    return false;
  }
  return ack[0] == 0xCA;
}

awaitable<void> listen(tcp::acceptor acc, Store &store) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(use_awaitable);
    auto port = acc.local_endpoint().port();
    if (port == 7100)
      std::make_shared<ProbeLink>(std::move(s), store)->start();
    else if (port == 7101)
      std::make_shared<LegacyProbeLink>(std::move(s), store)->start();
    else if (port == 7102)
      asio::co_spawn(acc.get_executor(), climate_session(std::move(s), store), asio::detached);
    else
      asio::co_spawn(acc.get_executor(), climate_session_v2(std::move(s), store), asio::detached);
  }
}

int main() {
  asio::io_context ioc;
  Store store;
  for (unsigned short port : {7100, 7101, 7102, 7103})
    asio::co_spawn(ioc, listen(tcp::acceptor(ioc, {tcp::v4(), port}), store), asio::detached);
  tcp::acceptor panel(ioc, {tcp::v4(), 8080});
  panel.async_accept([](boost::system::error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<PanelSession>(std::move(s))->start();
  });
  co2_poll_once(store);
  ioc.run();
}
