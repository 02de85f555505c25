// checks: errorshield-unchecked-read
// Lighthouse beacon monitor: each remote beacon station keeps a TCP link open
// and streams lamp/rotation telemetry; the harbour office polls a serial
// fog-horn controller through a POSIX fd.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <unistd.h>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace beacon {

struct Telemetry {
  std::string station;
  double lamp_hours = 0;
  int rotation_rpm = 0;
};

void ingest(std::string_view chunk);
void ingest_foghorn(const char *data, std::size_t n);
void mark_offline(const std::string &station);

// Primary link handler: one per beacon station.
class StationLink : public std::enable_shared_from_this<StationLink> {
public:
  explicit StationLink(tcp::socket s) : sock_(std::move(s)) {}

  void start() { read_next(); }

private:
  void read_next() {
    auto self = shared_from_this();
    sock_.async_read_some(asio::buffer(buf_), [this, self](boost::system::error_code ec, std::size_t n) { // expect: errorshield-unchecked-read
      ingest(std::string_view(buf_.data(), n));
      read_next();
    });
  }

  tcp::socket sock_;
  std::array<char, 1024> buf_{};
};

// Newer stations speak line-delimited frames; this one handles disconnects.
class FramedStationLink : public std::enable_shared_from_this<FramedStationLink> {
public:
  explicit FramedStationLink(tcp::socket s, std::string name)
      : sock_(std::move(s)), name_(std::move(name)) {}

  void start() { read_line(); }

private:
  void read_line() {
    asio::async_read_until(sock_, asio::dynamic_buffer(pending_), '\n',
        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
          if (ec == asio::error::eof || ec == asio::error::connection_reset) {
            mark_offline(self->name_);
            return;
          }
          if (ec) return;
          ingest(std::string_view(self->pending_).substr(0, n));
          self->pending_.erase(0, n);
          self->ack();
          self->read_line();
        });
  }

  void ack() {
    auto msg = std::make_shared<std::string>("OK\n");
    // Acks are best effort; a lost one is re-requested by the station.
    asio::async_write(sock_, asio::buffer(*msg),
                      [msg, self = shared_from_this()](boost::system::error_code, std::size_t) {});
  }

  tcp::socket sock_;
  std::string name_;
  std::string pending_;
};

// Diagnostic dump from the maintenance laptop: blocking, with error_code.
std::string pull_diagnostics(tcp::socket &sock) {
  std::string out;
  std::array<char, 512> chunk{};
  boost::system::error_code ec;
  while (out.size() < 64 * 1024) {
    std::size_t n = sock.read_some(asio::buffer(chunk), ec); // expect: errorshield-unchecked-read
    out.append(chunk.data(), n);
  }
  return out;
}

std::string pull_diagnostics_checked(tcp::socket &sock) {
  std::string out;
  std::array<char, 512> chunk{};
  for (;;) {
    boost::system::error_code ec;
    std::size_t n = sock.read_some(asio::buffer(chunk), ec);
    if (ec == asio::error::eof) break;
    if (ec) throw boost::system::system_error(ec);
    out.append(chunk.data(), n);
  }
  return out;
}

// Coroutine flavour used by the solar-powered buoys.
asio::awaitable<void> buoy_session(tcp::socket sock) {
  std::array<char, 256> b{};
  for (;;) {
    auto [ec, n] = co_await sock.async_read_some(asio::buffer(b), asio::as_tuple(asio::use_awaitable)); // expect: errorshield-unchecked-read
    ingest(std::string_view(b.data(), n));
  }
}

asio::awaitable<void> buoy_session_v2(tcp::socket sock) {
  std::array<char, 256> b{};
  try {
    for (;;) {
      std::size_t n = co_await sock.async_read_some(asio::buffer(b), asio::use_awaitable);
      ingest(std::string_view(b.data(), n));
    }
  } catch (const boost::system::system_error &e) {
    std::cerr << "buoy link closed: " << e.code().message() << "\n";
  }
}

// Fog-horn controller on /dev/ttyS1.
void poll_foghorn(int fd) {
  char raw[128];
  for (;;) {
    ssize_t got = ::read(fd, raw, sizeof raw); // expect: errorshield-unchecked-read
    ingest_foghorn(raw, static_cast<std::size_t>(got));
  }
}

void poll_foghorn_checked(int fd) {
  char raw[128];
  for (;;) {
    ssize_t got = ::read(fd, raw, sizeof raw);
    if (got == 0) break;
    if (got < 0) {
      if (errno == EINTR) continue;
      std::perror("foghorn read");
      break;
    }
    ingest_foghorn(raw, static_cast<std::size_t>(got));
  }
}

// Status page served to the coastguard dashboard.
template <class Stream>
class StatusEndpoint : public std::enable_shared_from_this<StatusEndpoint<Stream>> {
public:
  explicit StatusEndpoint(Stream s) : stream_(std::move(s)) {}

  void run() {
    auto self = this->shared_from_this();
    http::async_read(stream_, buffer_, req_, [self](beast::error_code, std::size_t) { // expect: errorshield-unchecked-read
      self->respond();
    });
  }

  void run_checked() {
    auto self = this->shared_from_this();
    http::async_read(stream_, buffer_, req_, [self](beast::error_code ec, std::size_t) {
      if (ec == http::error::end_of_stream) return self->shutdown();
      if (ec) return;
      self->respond();
    });
  }

private:
  void respond() {
    res_ = {http::status::ok, req_.version()};
    res_.set(http::field::content_type, "text/plain");
    res_.body() = "all beacons nominal\n";
    res_.prepare_payload();
    auto self = this->shared_from_this();
    http::async_write(stream_, res_, [self](beast::error_code ec, std::size_t) {
      if (!ec) self->run_checked();
    });
  }

  void shutdown() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

void accept_loop(tcp::acceptor &acc, bool framed) {
  acc.async_accept([&acc, framed](boost::system::error_code ec, tcp::socket s) {
    if (!ec) {
      if (framed)
        std::make_shared<FramedStationLink>(std::move(s), "north-pier")->start();
      else
        std::make_shared<StationLink>(std::move(s))->start();
    }
    accept_loop(acc, framed);
  });
}

} // namespace beacon

int main() {
  asio::io_context ioc;
  tcp::acceptor legacy(ioc, {tcp::v4(), 5100});
  tcp::acceptor framed(ioc, {tcp::v4(), 5101});
  beacon::accept_loop(legacy, false);
  beacon::accept_loop(framed, true);
  tcp::acceptor status(ioc, {tcp::v4(), 8080});
  status.async_accept([](boost::system::error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<beacon::StatusEndpoint<beast::tcp_stream>>(beast::tcp_stream(std::move(s)))->run();
  });
  ioc.run();
}
