// checks: errorshield-unchecked-read
// Seismograph network collector: field stations stream 3-axis samples over TCP,
// the vault digitizer is read over a serial line, dashboards subscribe over WebSocket.
#include <boost/asio.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/beast.hpp>
#include <array>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>
#include <unistd.h>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
constexpr auto tuple_awaitable = asio::as_tuple(use_awaitable);

namespace seismo {

struct Sample {
  std::int32_t x, y, z;
};

void ingest(const std::string& station, const std::uint8_t* data, std::size_t n) {
  std::cout << station << ": " << n / sizeof(Sample) << " samples\n";
  (void)data;
}

// One TCP link per field station; stations send raw little-endian Sample records.
class StationLink : public std::enable_shared_from_this<StationLink> {
 public:
  StationLink(tcp::socket s, std::string name) : sock_(std::move(s)), name_(std::move(name)) {}

  void start() { read_more(); }

 private:
  void read_more() {
    auto self = shared_from_this();
    sock_.async_read_some(asio::buffer(buf_), [self](boost::system::error_code, std::size_t n) { // expect: errorshield-unchecked-read
      ingest(self->name_, self->buf_.data(), n);
      self->read_more();
    });
  }

  tcp::socket sock_;
  std::string name_;
  std::array<std::uint8_t, 4096> buf_{};
};

// Newer stations send a 4-byte length header then the batch.
class FramedStationLink : public std::enable_shared_from_this<FramedStationLink> {
 public:
  FramedStationLink(tcp::socket s, std::string name) : sock_(std::move(s)), name_(std::move(name)) {}

  void start() { read_header(); }

 private:
  void read_header() {
    asio::async_read(sock_, asio::buffer(&len_, sizeof len_),
                     [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                       self->on_header(ec, n);
                     });
  }

  void on_header(boost::system::error_code ec, std::size_t) {
    if (ec == asio::error::eof) {
      std::cout << name_ << " went offline\n";
      return;
    }
    if (ec || len_ > (1u << 20)) return;
    batch_.resize(len_);
    asio::async_read(sock_, asio::buffer(batch_), [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
      if (ec) return;
      ingest(self->name_, self->batch_.data(), n);
      self->read_header();
    });
  }

  tcp::socket sock_;
  std::string name_;
  std::uint32_t len_ = 0;
  std::vector<std::uint8_t> batch_;
};

awaitable<void> relay_station(tcp::socket sock, std::string name) {
  std::array<std::uint8_t, 2048> buf{};
  for (;;) {
    auto [ec, n] = co_await sock.async_read_some(asio::buffer(buf), tuple_awaitable); // expect: errorshield-unchecked-read
    ingest(name, buf.data(), n);
  }
}

awaitable<void> relay_station_checked(tcp::socket sock, std::string name) {
  std::array<std::uint8_t, 2048> buf{};
  for (;;) {
    auto [ec, n] = co_await sock.async_read_some(asio::buffer(buf), tuple_awaitable);
    if (ec) {
      std::cout << name << " link closed: " << ec.message() << '\n';
      co_return;
    }
    ingest(name, buf.data(), n);
  }
}

awaitable<void> relay_station_throwing(tcp::socket sock, std::string name) {
  std::array<std::uint8_t, 2048> buf{};
  try {
    for (;;) {
      std::size_t n = co_await sock.async_read_some(asio::buffer(buf), use_awaitable);
      ingest(name, buf.data(), n);
    }
  } catch (const boost::system::system_error& e) {
    std::cout << name << " disconnected: " << e.what() << '\n';
  }
}

// Backfill tool: pulls an archived day from a station in blocking mode.
std::vector<std::uint8_t> backfill_day(tcp::socket& sock) {
  std::vector<std::uint8_t> out;
  std::array<std::uint8_t, 8192> chunk{};
  boost::system::error_code ec;
  while (out.size() < 86400 * sizeof(Sample) * 100) {
    std::size_t n = sock.read_some(asio::buffer(chunk), ec); // expect: errorshield-unchecked-read
    out.insert(out.end(), chunk.begin(), chunk.begin() + n);
  }
  return out;
}

std::vector<std::uint8_t> backfill_hour(tcp::socket& sock) {
  std::vector<std::uint8_t> out;
  std::array<std::uint8_t, 8192> chunk{};
  boost::system::error_code ec;
  for (;;) {
    std::size_t n = sock.read_some(asio::buffer(chunk), ec);
    if (ec == asio::error::eof) break;
    if (ec) throw boost::system::system_error(ec);
    out.insert(out.end(), chunk.begin(), chunk.begin() + n);
  }
  return out;
}

// The vault digitizer sits on /dev/ttyS1 and pushes fixed 12-byte frames.
void poll_vault_digitizer(int fd) {
  Sample s{};
  for (;;) {
    ::read(fd, &s, sizeof s); // expect: errorshield-unchecked-read
    ingest("vault", reinterpret_cast<const std::uint8_t*>(&s), sizeof s);
  }
}

void poll_borehole_digitizer(int fd) {
  Sample s{};
  for (;;) {
    ssize_t n = ::read(fd, &s, sizeof s);
    if (n <= 0) break;
    ingest("borehole", reinterpret_cast<const std::uint8_t*>(&s), static_cast<std::size_t>(n));
  }
  ::close(fd);
}

// Dashboards can send "subscribe <station>" commands on their socket.
template <class Stream>
class DashboardSession : public std::enable_shared_from_this<DashboardSession<Stream>> {
 public:
  explicit DashboardSession(Stream s) : ws_(std::move(s)) {}

  void run() {
    ws_.async_accept([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec) self->read_command();
    });
  }

 private:
  void read_command() {
    ws_.async_read(in_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-unchecked-read
      self->subscriptions_.push_back(beast::buffers_to_string(self->in_.data()));
      self->in_.consume(self->in_.size());
      self->read_command();
    });
  }

  websocket::stream<Stream> ws_;
  beast::flat_buffer in_;
  std::vector<std::string> subscriptions_;
};

void accept_stations(tcp::acceptor& acc) {
  acc.async_accept([&acc](boost::system::error_code ec, tcp::socket s) {
    if (!ec) {
      auto name = s.remote_endpoint().address().to_string();
      std::make_shared<FramedStationLink>(std::move(s), name)->start();
    }
    accept_stations(acc);
  });
}

}  // namespace seismo

int main() {
  asio::io_context ioc;
  tcp::acceptor stations(ioc, {tcp::v4(), 7400});
  seismo::accept_stations(stations);
  tcp::socket legacy(ioc);
  std::make_shared<seismo::StationLink>(std::move(legacy), "legacy-01")->start();
  asio::co_spawn(ioc, seismo::relay_station(tcp::socket(ioc), "relay-a"), asio::detached);
  asio::co_spawn(ioc, seismo::relay_station_checked(tcp::socket(ioc), "relay-b"), asio::detached);
  asio::co_spawn(ioc, seismo::relay_station_throwing(tcp::socket(ioc), "relay-c"), asio::detached);
  std::make_shared<seismo::DashboardSession<tcp::socket>>(tcp::socket(ioc))->run();
  ioc.run();
}
