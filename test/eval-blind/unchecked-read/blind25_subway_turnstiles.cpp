// checks: errorshield-unchecked-read
// Subway fare gate hub: turnstiles stream tap events over TCP (binary
// frames), the ops dashboard watches gate state over WebSocket, and a local
// card reader is polled through a serial device.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace transit {

#pragma pack(push, 1)
struct TapHeader {
  std::uint16_t gate_id;
  std::uint8_t kind;  // 1 = tap, 2 = heartbeat, 3 = fault
  std::uint8_t pad;
  std::uint32_t body_len;
};
#pragma pack(pop)

struct GateState {
  std::uint64_t taps = 0;
  std::uint64_t faults = 0;
  bool online = false;
};

class GateRegistry {
public:
  void tap(std::uint16_t gate) { gates_[gate].taps++; gates_[gate].online = true; }
  void fault(std::uint16_t gate) { gates_[gate].faults++; }
  void offline(std::uint16_t gate) { gates_[gate].online = false; }
  json snapshot() const {
    json j = json::object();
    for (const auto& [id, g] : gates_)
      j[std::to_string(id)] = {{"taps", g.taps}, {"faults", g.faults}, {"online", g.online}};
    return j;
  }

private:
  std::map<std::uint16_t, GateState> gates_;
};

// One turnstile controller connection, callback style.
class GateLink : public std::enable_shared_from_this<GateLink> {
public:
  GateLink(tcp::socket s, GateRegistry& reg) : sock_(std::move(s)), reg_(reg) {}
  void start() { read_header(); }

private:
  void read_header() {
    net::async_read(sock_, net::buffer(&hdr_, sizeof hdr_), [self = shared_from_this()](beast::error_code, std::size_t) { // expect: errorshield-unchecked-read
      self->body_.resize(self->hdr_.body_len);
      self->read_body();
    });
  }

  void read_body() {
    net::async_read(sock_, net::buffer(body_), beast::bind_front_handler(&GateLink::on_body, shared_from_this()));
  }

  void on_body(beast::error_code ec, std::size_t) {
    if (ec == net::error::eof || ec == net::error::connection_reset) {
      reg_.offline(hdr_.gate_id);
      return;
    }
    if (ec) {
      std::cerr << "gate " << hdr_.gate_id << ": " << ec.message() << '\n';
      return;
    }
    if (hdr_.kind == 1) reg_.tap(hdr_.gate_id);
    if (hdr_.kind == 3) reg_.fault(hdr_.gate_id);
    read_header();
  }

  tcp::socket sock_;
  GateRegistry& reg_;
  TapHeader hdr_{};
  std::vector<std::uint8_t> body_;
};

// Older station controllers speak a line protocol; handled with a coroutine.
net::awaitable<void> legacy_gate(tcp::socket sock, GateRegistry& reg, std::uint16_t gate) {
  std::string buf;
  for (;;) {
    auto [ec, n] = co_await net::async_read_until(sock, net::dynamic_buffer(buf), '\n', net::as_tuple(net::use_awaitable)); // expect: errorshield-unchecked-read
    std::string line = buf.substr(0, n);
    buf.erase(0, n);
    if (line.rfind("TAP", 0) == 0) reg.tap(gate);
    else if (line.rfind("FAULT", 0) == 0) reg.fault(gate);
  }
}

// Newer controllers: same protocol, exceptions end the coroutine on EOF.
net::awaitable<void> modern_gate(tcp::socket sock, GateRegistry& reg, std::uint16_t gate) {
  std::string buf;
  try {
    for (;;) {
      std::size_t n = co_await net::async_read_until(sock, net::dynamic_buffer(buf), '\n', net::use_awaitable);
      std::string line = buf.substr(0, n);
      buf.erase(0, n);
      if (line.rfind("TAP", 0) == 0) reg.tap(gate);
    }
  } catch (const boost::system::system_error&) {
    reg.offline(gate);
  }
}

// Maintenance handheld: blocking exchange on a dedicated thread.
void maintenance_query(tcp::socket& sock, GateRegistry& reg) {
  beast::error_code ec;
  TapHeader hdr{};
  net::read(sock, net::buffer(&hdr, sizeof hdr), ec); // expect: errorshield-unchecked-read
  std::vector<char> body(hdr.body_len);
  net::read(sock, net::buffer(body));
  if (hdr.kind == 3) reg.fault(hdr.gate_id);
}

std::size_t read_exact(tcp::socket& sock, void* dst, std::size_t len, beast::error_code& ec) {
  return net::read(sock, net::buffer(dst, len), ec);
}

bool maintenance_query_checked(tcp::socket& sock, GateRegistry& reg) {
  beast::error_code ec;
  TapHeader hdr{};
  read_exact(sock, &hdr, sizeof hdr, ec);
  if (ec) return false;
  if (hdr.kind == 3) reg.fault(hdr.gate_id);
  return true;
}

// Card reader on /dev/ttyS1: 16-byte frames.
void poll_card_reader(int fd, GateRegistry& reg) {
  std::array<unsigned char, 16> frame{};
  for (;;) {
    ::read(fd, frame.data(), frame.size()); // expect: errorshield-unchecked-read
    std::uint16_t gate = static_cast<std::uint16_t>(frame[0] | (frame[1] << 8));
    if (frame[2] == 0xA5) reg.tap(gate);
  }
}

void poll_backup_reader(int fd, GateRegistry& reg) {
  std::array<unsigned char, 16> frame{};
  for (;;) {
    ssize_t n = ::read(fd, frame.data(), frame.size());
    if (n <= 0) break;
    if (n < 3) continue;
    std::uint16_t gate = static_cast<std::uint16_t>(frame[0] | (frame[1] << 8));
    if (frame[2] == 0xA5) reg.tap(gate);
  }
  ::close(fd);
}

// Ops dashboard over WebSocket: clients can send "refresh".
template <class Stream>
class DashboardSession : public std::enable_shared_from_this<DashboardSession<Stream>> {
public:
  DashboardSession(Stream s, GateRegistry& reg) : ws_(std::move(s)), reg_(reg) {}

  void run(http::request<http::string_body> req) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(req, [self = this->shared_from_this()](beast::error_code ec) {
      if (!ec) self->read_cmd();
    });
  }

private:
  void read_cmd() {
    ws_.async_read(in_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-unchecked-read
      std::string cmd = beast::buffers_to_string(self->in_.data());
      self->in_.consume(self->in_.size());
      if (cmd == "refresh") self->out_ = self->reg_.snapshot().dump();
      self->ws_.text(true);
      self->ws_.async_write(net::buffer(self->out_), [self](beast::error_code wec, std::size_t) {
        if (!wec) self->read_cmd();
      });
    });
  }

  websocket::stream<Stream> ws_;
  beast::flat_buffer in_;
  std::string out_;
  GateRegistry& reg_;
};

void start_dashboard(tcp::socket s, GateRegistry& reg, http::request<http::string_body> req) {
  std::make_shared<DashboardSession<beast::tcp_stream>>(beast::tcp_stream(std::move(s)), reg)->run(std::move(req));
}

// Peeks at the first bytes of an admin connection to pick a protocol.
int sniff_protocol(int fd) {
  char magic[4] = {};
  recv(fd, magic, sizeof magic, MSG_PEEK); // expect: errorshield-unchecked-read
  return std::memcmp(magic, "GET ", 4) == 0 ? 1 : 2;
}

int sniff_protocol_checked(int fd) {
  char magic[4] = {};
  if (recv(fd, magic, sizeof magic, MSG_PEEK) != static_cast<ssize_t>(sizeof magic)) return -1;
  return std::memcmp(magic, "GET ", 4) == 0 ? 1 : 2;
}

net::awaitable<void> accept_gates(tcp::acceptor acc, GateRegistry& reg) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(net::use_awaitable);
    std::make_shared<GateLink>(std::move(s), reg)->start();
  }
}

}  // namespace transit

int main() {
  net::io_context ioc;
  transit::GateRegistry reg;
  net::co_spawn(ioc, transit::accept_gates(tcp::acceptor(ioc, {tcp::v4(), 7400}), reg), net::detached);
  int fd = ::open("/dev/ttyS1", O_RDONLY | O_NOCTTY);
  if (fd >= 0) transit::poll_backup_reader(fd, reg);
  ioc.run();
}
