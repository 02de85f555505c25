// checks: errorshield-unchecked-read
// Radiosonde receiver: ground stations forward decoded telemetry frames from
// weather balloons over TCP; the SDR front-end on this box hands raw frames
// through a pipe. Frames are fixed-size (64 bytes), status lines are text.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <array>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace sonde {

constexpr std::size_t kFrameSize = 64;
using Frame = std::array<std::uint8_t, kFrameSize>;

struct Telemetry {
  std::uint32_t serial = 0;
  float altitude_m = 0;
  float temp_c = 0;
  float humidity = 0;
};

Telemetry decode(const std::uint8_t *p) {
  Telemetry t;
  std::memcpy(&t.serial, p, 4);
  std::memcpy(&t.altitude_m, p + 4, 4);
  std::memcpy(&t.temp_c, p + 8, 4);
  std::memcpy(&t.humidity, p + 12, 4);
  return t;
}

void store(const Telemetry &t) {
  std::cout << t.serial << " alt=" << t.altitude_m << " T=" << t.temp_c << "\n";
}

// One ground station link, callback style.
class StationLink : public std::enable_shared_from_this<StationLink> {
public:
  explicit StationLink(tcp::socket s) : sock_(std::move(s)) {}
  void start() { read_some(); }

private:
  void read_some() {
    auto self = shared_from_this();
    sock_.async_read_some(asio::buffer(chunk_), [self](boost::system::error_code, std::size_t n) { // expect: errorshield-unchecked-read
      self->pending_.insert(self->pending_.end(), self->chunk_.begin(), self->chunk_.begin() + n);
      while (self->pending_.size() >= kFrameSize) {
        store(decode(self->pending_.data()));
        self->pending_.erase(self->pending_.begin(), self->pending_.begin() + kFrameSize);
      }
      self->read_some();
    });
  }

  tcp::socket sock_;
  std::array<std::uint8_t, 512> chunk_{};
  std::vector<std::uint8_t> pending_;
};

// Newer stations send exactly one frame at a time; this one handles errors.
class FramedLink : public std::enable_shared_from_this<FramedLink> {
public:
  explicit FramedLink(tcp::socket s) : sock_(std::move(s)) {}
  void start() { read_frame(); }

private:
  void read_frame() {
    auto self = shared_from_this();
    asio::async_read(sock_, asio::buffer(frame_), [self](boost::system::error_code ec, std::size_t) {
      if (ec) {
        if (ec != asio::error::eof) std::cerr << "station: " << ec.message() << "\n";
        return;
      }
      store(decode(self->frame_.data()));
      self->read_frame();
    });
  }

  tcp::socket sock_;
  Frame frame_{};
};

// Status channel: stations send "STATUS <text>\n" lines between flights.
asio::awaitable<void> status_channel(tcp::socket sock) {
  asio::streambuf buf;
  for (;;) {
    auto [ec, n] = co_await asio::async_read_until(sock, buf, '\n', asio::as_tuple(asio::use_awaitable)); // expect: errorshield-unchecked-read
    std::istream in(&buf);
    std::string line;
    std::getline(in, line);
    std::cout << "status: " << line << "\n";
  }
}

// Same channel for the v2 protocol, with proper handling.
asio::awaitable<void> status_channel_v2(tcp::socket sock) {
  asio::streambuf buf;
  for (;;) {
    auto [ec, n] = co_await asio::async_read_until(sock, buf, '\n', asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::eof) co_return;
    if (ec) {
      std::cerr << "status v2: " << ec.message() << "\n";
      co_return;
    }
    std::istream in(&buf);
    std::string line;
    std::getline(in, line);
    std::cout << "status: " << line << "\n";
  }
}

// The SDR decoder writes raw frames into a pipe; drain it.
void drain_sdr_pipe(int fd) {
  Frame f{};
  for (;;) {
    ::read(fd, f.data(), f.size()); // expect: errorshield-unchecked-read
    store(decode(f.data()));
  }
}

// Backup SDR reader used when the primary decoder restarts.
void drain_backup_pipe(int fd) {
  Frame f{};
  for (;;) {
    ssize_t got = ::read(fd, f.data(), f.size());
    if (got == 0) break;
    if (got < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (static_cast<std::size_t>(got) == f.size()) store(decode(f.data()));
  }
}

// Blocking calibration handshake with a launch-site station before the flight.
bool calibrate(tcp::socket &sock) {
  std::array<std::uint8_t, 16> reply{};
  boost::system::error_code ec;
  asio::write(sock, asio::buffer("CAL\n", 4), ec);
  if (ec) return false;
  asio::read(sock, asio::buffer(reply), ec); // expect: errorshield-unchecked-read
  return reply[0] == 'O' && reply[1] == 'K';
}

// Throwing flavour used in the bench tool; errors propagate as exceptions.
bool calibrate_bench(tcp::socket &sock) {
  std::array<std::uint8_t, 16> reply{};
  asio::write(sock, asio::buffer("CAL\n", 4));
  asio::read(sock, asio::buffer(reply));
  return reply[0] == 'O' && reply[1] == 'K';
}

// Live dashboard feed: browsers push map-viewport updates over a WebSocket.
template <class Stream> class ViewerSession : public std::enable_shared_from_this<ViewerSession<Stream>> {
public:
  explicit ViewerSession(Stream s) : ws_(std::move(s)) {}

  void run() {
    ws_.async_accept([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec) self->read_viewport();
    });
  }

private:
  void read_viewport() {
    ws_.async_read(buf_, [self = this->shared_from_this()](beast::error_code, std::size_t) { // expect: errorshield-unchecked-read
      self->viewport_ = beast::buffers_to_string(self->buf_.data());
      self->buf_.consume(self->buf_.size());
      self->read_viewport();
    });
  }

  websocket::stream<Stream> ws_;
  beast::flat_buffer buf_;
  std::string viewport_;
};

// Plain HTTP health endpoint for the station operators.
asio::awaitable<void> health(tcp::socket sock) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  beast::error_code ec;
  co_await http::async_read(sock, buf, req, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return;
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.body() = "receiving";
  res.prepare_payload();
  co_await http::async_write(sock, res, asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<void> accept_loop(tcp::acceptor acc, int kind) {
  for (;;) {
    auto sock = co_await acc.async_accept(asio::use_awaitable);
    auto ex = acc.get_executor();
    if (kind == 0) std::make_shared<StationLink>(std::move(sock))->start();
    else if (kind == 1) std::make_shared<FramedLink>(std::move(sock))->start();
    else if (kind == 2) asio::co_spawn(ex, status_channel(std::move(sock)), asio::detached);
    else if (kind == 3) asio::co_spawn(ex, status_channel_v2(std::move(sock)), asio::detached);
    else if (kind == 4) std::make_shared<ViewerSession<tcp::socket>>(std::move(sock))->run();
    else asio::co_spawn(ex, health(std::move(sock)), asio::detached);
  }
}

} // namespace sonde

int main() {
  asio::io_context ioc;
  for (int k = 0; k < 6; ++k)
    asio::co_spawn(ioc, sonde::accept_loop(tcp::acceptor(ioc, {tcp::v4(), static_cast<unsigned short>(9100 + k)}), k),
                   asio::detached);
  (void)sonde::calibrate;
  (void)sonde::calibrate_bench;
  (void)sonde::drain_backup_pipe;
  (void)sonde::drain_sdr_pipe;
  ioc.run();
}
