// checks: errorshield-unchecked-read
// Hydroponic farm controller: rack sensor nodes stream line-based telemetry
// over TCP, the dosing pumps sit behind a WebSocket bridge, and the operator
// dashboard talks WebSocket too.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <istream>
#include <memory>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using boost::system::error_code;

namespace farm {

struct Reading {
  std::string rack;
  double ph = 0;
  double ec_ms = 0;   // electrical conductivity of the nutrient solution
  double water_c = 0;
};

Reading parse_reading(const std::string& line) {
  auto j = json::parse(line, nullptr, false);
  if (j.is_discarded()) return {};
  return Reading{j.value("rack", ""), j.value("ph", 0.0), j.value("ec", 0.0), j.value("t", 0.0)};
}

void record(const Reading& r) {
  if (r.ph < 5.5 || r.ph > 6.5) std::cerr << "[farm] pH drift on " << r.rack << '\n';
}

// Reads one newline-terminated frame from any sync stream (serial, tcp, pipe).
template <class SyncStream>
std::string read_frame(SyncStream& s, asio::streambuf& sb) {
  error_code ec;
  asio::read_until(s, sb, '\n', ec); // expect: errorshield-unchecked-read
  std::istream is(&sb);
  std::string line;
  std::getline(is, line);
  return line;
}

// Same helper, the version the pump bridge uses.
template <class SyncStream>
bool read_frame_checked(SyncStream& s, asio::streambuf& sb, std::string& out) {
  error_code ec;
  asio::read_until(s, sb, '\n', ec); // OK
  if (ec) return false;
  std::istream is(&sb);
  std::getline(is, out);
  return true;
}

// ---------------------------------------------------------------------------
// Rack sensor node session
// ---------------------------------------------------------------------------
class RackNode : public std::enable_shared_from_this<RackNode> {
 public:
  explicit RackNode(tcp::socket s) : sock_(std::move(s)) {}

  void start() { read_line(); }

 private:
  void read_line() {
    auto self = shared_from_this();
    asio::async_read_until(sock_, buf_, '\n', [this, self](const error_code& ec, std::size_t) { // OK
      if (ec == asio::error::eof) return;  // node rebooted
      if (ec) {
        std::cerr << "[farm] rack read: " << ec.message() << '\n';
        return;
      }
      std::istream is(&buf_);
      std::string line;
      std::getline(is, line);
      record(parse_reading(line));
      read_line();
    });
  }

  tcp::socket sock_;
  asio::streambuf buf_;
};

// Older germination-room nodes send fixed 32-byte binary frames.
class GerminationNode : public std::enable_shared_from_this<GerminationNode> {
 public:
  explicit GerminationNode(tcp::socket s) : sock_(std::move(s)) {}

  void start() {
    // kept as a member so the watchdog can re-arm the pump loop after a stall
    pump_ = [this, self = shared_from_this()] {
      asio::async_read(sock_, asio::buffer(frame_), [this](error_code, std::size_t n) { // expect: errorshield-unchecked-read
        if (n == frame_.size()) decode();
        pump_();
      });
    };
    pump_();
  }

 private:
  void decode() {
    Reading r;
    r.rack = "germ-" + std::to_string(frame_[0]);
    r.ph = frame_[1] / 20.0;
    record(r);
  }

  tcp::socket sock_;
  std::array<unsigned char, 32> frame_{};
  std::function<void()> pump_;
};

// ---------------------------------------------------------------------------
// Dosing pump bridge (WebSocket client to the PLC gateway)
// ---------------------------------------------------------------------------
struct PumpLink {
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buf;
  explicit PumpLink(asio::io_context& ioc) : ws(ioc) {}
};

void on_pump_ack(PumpLink* link) {
  link->ws.async_read(link->buf, [link](beast::error_code ec, std::size_t) { // OK
    if (ec == websocket::error::closed) return;
    if (ec) {
      std::cerr << "[farm] pump bridge: " << ec.message() << '\n';
      return;
    }
    std::cout << "[farm] pump ack " << beast::buffers_to_string(link->buf.data()) << '\n';
    link->buf.clear();
    on_pump_ack(link);
  });
}

void drain_pump_status(PumpLink& link) {
  beast::error_code ec;
  for (int i = 0; i < 4; ++i) {
    link.ws.read(link.buf, ec); // expect: errorshield-unchecked-read
    auto status = json::parse(beast::buffers_to_string(link.buf.data()), nullptr, false);
    link.buf.clear();
    if (!status.is_discarded() && status.value("idle", false)) break;
  }
}

// ---------------------------------------------------------------------------
// Operator dashboard (coroutines)
// ---------------------------------------------------------------------------
asio::awaitable<void> dashboard(websocket::stream<beast::tcp_stream> ws) {
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable); // OK: throws on close
    auto cmd = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (!cmd.is_discarded() && cmd.value("op", "") == "flush")
      std::cout << "[farm] flush requested for " << cmd.value("rack", "?") << '\n';
  }
}

asio::awaitable<void> lighting_console(tcp::socket sock) {
  std::array<char, 256> data{};
  for (;;) {
    auto [ec, n] = co_await sock.async_read_some(asio::buffer(data), asio::as_tuple(asio::use_awaitable)); // expect: errorshield-unchecked-read
    std::string cmd(data.data(), n);
    if (cmd.rfind("lux ", 0) == 0) std::cout << "[farm] grow lights -> " << cmd.substr(4) << '\n';
  }
}

asio::awaitable<void> climate_console(tcp::socket sock) {
  std::array<char, 256> data{};
  for (;;) {
    auto [ec, n] = co_await sock.async_read_some(asio::buffer(data), asio::as_tuple(asio::use_awaitable)); // OK
    if (ec) co_return;
    std::cout << "[farm] climate: " << std::string(data.data(), n) << '\n';
  }
}

// ---------------------------------------------------------------------------
// Local sensors exposed as sysfs files
// ---------------------------------------------------------------------------
double read_reservoir_level(const char* path) {
  int fd = ::open(path, O_RDONLY);
  if (fd < 0) return -1.0;
  char text[32] = {};
  ssize_t n = ::read(fd, text, sizeof text - 1); // OK
  ::close(fd);
  if (n <= 0) return -1.0;
  return std::atof(text);
}

void poll_serial_probe(asio::serial_port& port) {
  asio::streambuf sb;
  std::string line;
  while (read_frame_checked(port, sb, line)) record(parse_reading(line));
}

void poll_backup_probe(asio::serial_port& port) {
  asio::streambuf sb;
  for (int i = 0; i < 10; ++i) record(parse_reading(read_frame(port, sb)));
}

}  // namespace farm
