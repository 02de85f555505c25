// checks: errorshield-unchecked-read
// Weather balloon ground station: radiosondes relay PTU frames (pressure,
// temperature, humidity) through serial/TCP gateways; forecasters subscribe
// over WebSocket.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <array>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace sonde {

struct PtuFrame {
  std::string sonde_id;
  double pressure_hpa = 0;
  double temp_c = 0;
  double rh_pct = 0;
};

inline bool parse_frame(const std::string &line, PtuFrame &out) {
  json j = json::parse(line, nullptr, false);
  if (j.is_discarded())
    return false;
  out.sonde_id = j.value("id", "");
  out.pressure_hpa = j.value("p", 0.0);
  out.temp_c = j.value("t", 0.0);
  out.rh_pct = j.value("rh", 0.0);
  return true;
}

class FrameSink {
public:
  void push(const PtuFrame &f) { frames_.push_back(f); }
  std::size_t size() const { return frames_.size(); }

private:
  std::vector<PtuFrame> frames_;
};

// Gateway connection: newline-delimited JSON frames from one receiver mast.
class GatewaySession : public std::enable_shared_from_this<GatewaySession> {
public:
  GatewaySession(tcp::socket sock, FrameSink &sink) : sock_(std::move(sock)), sink_(sink) {}

  void start() { read_line(); }

private:
  void read_line() {
    net::async_read_until(sock_, buf_, '\n', [self = shared_from_this()](beast::error_code, std::size_t n) { // expect: errorshield-unchecked-read
      std::string line(net::buffers_begin(self->buf_.data()), net::buffers_begin(self->buf_.data()) + n);
      self->buf_.consume(n);
      PtuFrame f;
      if (parse_frame(line, f))
        self->sink_.push(f);
      self->read_line();
    });
  }

  tcp::socket sock_;
  net::streambuf buf_;
  FrameSink &sink_;
};

// Second-generation gateways: same protocol, handler stops on EOF.
class GatewaySessionV2 : public std::enable_shared_from_this<GatewaySessionV2> {
public:
  GatewaySessionV2(tcp::socket sock, FrameSink &sink) : sock_(std::move(sock)), sink_(sink) {}

  void start() { read_line(); }

private:
  void read_line() {
    net::async_read_until(sock_, buf_, '\n',
                          beast::bind_front_handler(&GatewaySessionV2::on_line, shared_from_this()));
  }

  void on_line(beast::error_code ec, std::size_t n) {
    if (ec == net::error::eof) {
      std::cout << "gateway closed\n";
      return;
    }
    if (ec) {
      std::cerr << "gateway read: " << ec.message() << "\n";
      return;
    }
    std::string line(net::buffers_begin(buf_.data()), net::buffers_begin(buf_.data()) + n);
    buf_.consume(n);
    PtuFrame f;
    if (parse_frame(line, f))
      sink_.push(f);
    read_line();
  }

  tcp::socket sock_;
  net::streambuf buf_;
  FrameSink &sink_;
};

// Legacy masts push fixed 64-byte binary records; we poll them in a coroutine.
net::awaitable<void> legacy_mast(tcp::socket sock, FrameSink &sink) {
  std::array<char, 64> rec{};
  for (;;) {
    auto [ec, n] = co_await net::async_read(sock, net::buffer(rec), net::as_tuple(net::use_awaitable)); // expect: errorshield-unchecked-read
    PtuFrame f;
    f.sonde_id.assign(rec.data(), 8);
    std::memcpy(&f.pressure_hpa, rec.data() + 8, sizeof(double));
    sink.push(f);
  }
}

// Newer masts: the tuple result is examined before use.
net::awaitable<void> modern_mast(tcp::socket sock, FrameSink &sink) {
  std::array<char, 64> rec{};
  for (;;) {
    auto [ec, n] = co_await net::async_read(sock, net::buffer(rec), net::as_tuple(net::use_awaitable));
    if (ec)
      co_return;
    PtuFrame f;
    f.sonde_id.assign(rec.data(), 8);
    sink.push(f);
  }
}

// Throwing variant: use_awaitable raises system_error on EOF.
net::awaitable<void> relay_mast(tcp::socket sock, FrameSink &sink) {
  std::array<char, 64> rec{};
  for (;;) {
    std::size_t n = co_await sock.async_read_some(net::buffer(rec), net::use_awaitable);
    PtuFrame f;
    f.sonde_id.assign(rec.data(), std::min<std::size_t>(n, 8));
    sink.push(f);
  }
}

// Serial receiver on a tty: blocking reads on a dedicated thread.
void serial_pump(int fd, FrameSink &sink) {
  char chunk[256];
  std::string pending;
  for (;;) {
    ssize_t n = ::read(fd, chunk, sizeof chunk); // expect: errorshield-unchecked-read
    pending.append(chunk, static_cast<std::size_t>(n));
    auto pos = pending.find('\n');
    while (pos != std::string::npos) {
      PtuFrame f;
      if (parse_frame(pending.substr(0, pos), f))
        sink.push(f);
      pending.erase(0, pos + 1);
      pos = pending.find('\n');
    }
  }
}

void serial_pump_checked(int fd, FrameSink &sink) {
  char chunk[256];
  for (;;) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0)
      break;
    PtuFrame f;
    if (parse_frame(std::string(chunk, static_cast<std::size_t>(n)), f))
      sink.push(f);
  }
}

// Calibration handshake with a launch-site box (synchronous, short-lived).
template <class SyncStream> std::string read_calibration(SyncStream &s) {
  std::array<char, 128> raw{};
  beast::error_code ec;
  std::size_t n = s.read_some(net::buffer(raw), ec); // expect: errorshield-unchecked-read
  return std::string(raw.data(), n);
}

template <class SyncStream> std::string read_calibration_strict(SyncStream &s) {
  std::array<char, 128> raw{};
  beast::error_code ec;
  std::size_t n = s.read_some(net::buffer(raw), ec);
  if (ec && ec != net::error::eof)
    throw beast::system_error(ec);
  return std::string(raw.data(), n);
}

// Forecaster subscription: clients may send filter updates.
class ForecasterSession : public std::enable_shared_from_this<ForecasterSession> {
public:
  explicit ForecasterSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read_filter();
    });
  }

private:
  void read_filter() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-unchecked-read
      self->filter_ = beast::buffers_to_string(self->buf_.data());
      self->buf_.consume(self->buf_.size());
      std::cout << "filter update (" << ec.value() << ")\n";
      self->read_filter();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  std::string filter_;
};

} // namespace sonde

int main() {
  using namespace sonde;
  net::io_context ioc;
  FrameSink sink;
  tcp::acceptor gw(ioc, {tcp::v4(), 7010});
  gw.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<GatewaySessionV2>(std::move(s), sink)->start();
  });
  tcp::socket legacy(ioc);
  net::co_spawn(ioc, legacy_mast(std::move(legacy), sink), net::detached);
  tcp::socket probe(ioc);
  (void)read_calibration_strict(probe);
  std::cout << read_calibration(probe) << "\n";
  ioc.run();
  return 0;
}
