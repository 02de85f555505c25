// checks: errorshield-unchecked-read
// Signal relay: reads aspect telegrams from the interlocking (line-oriented TCP),
// a heartbeat word from the track-circuit serial adapter, and fans aspect
// changes out to dispatcher consoles over WebSocket.
#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unistd.h>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace relay {

enum class Aspect : std::uint8_t { danger = 0, caution = 1, double_caution = 2, clear = 3 };

struct Telegram {
  std::string signal_id;
  Aspect aspect = Aspect::danger;
  std::uint32_t seq = 0;
};

inline bool parse_telegram(const std::string &line, Telegram &out) {
  // "SIG <id> <aspect> <seq>"
  char id[32] = {};
  unsigned aspect = 0, seq = 0;
  if (std::sscanf(line.c_str(), "SIG %31s %u %u", id, &aspect, &seq) != 3 || aspect > 3)
    return false;
  out.signal_id = id;
  out.aspect = static_cast<Aspect>(aspect);
  out.seq = seq;
  return true;
}

struct FrameHeader {
  std::uint16_t magic;
  std::uint16_t length;
};

class AspectTable {
public:
  bool apply(const Telegram &t) {
    std::lock_guard lk(mu_);
    auto &cur = table_[t.signal_id];
    if (t.seq <= cur.seq && cur.seq != 0)
      return false;
    cur = t;
    return true;
  }

private:
  std::mutex mu_;
  std::map<std::string, Telegram> table_;
};

void log_fault(const char *where, const beast::error_code &ec) {
  std::fprintf(stderr, "[relay] %s: %s\n", where, ec.message().c_str());
}

// --- Interlocking links -------------------------------------------------

// Primary interlocking: drops the link and reconnects on any error.
class PrimaryLink : public std::enable_shared_from_this<PrimaryLink> {
public:
  PrimaryLink(tcp::socket s, AspectTable &t) : sock_(std::move(s)), table_(t) {}

  void start() { arm(); }

private:
  void arm() {
    net::async_read_until(sock_, buf_, '\n',
                          [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                            if (ec) {
                              log_fault("primary read", ec);
                              self->sock_.close();
                              return;
                            }
                            self->consume(n);
                            self->arm();
                          });
  }

  void consume(std::size_t n) {
    std::string line(net::buffers_begin(buf_.data()), net::buffers_begin(buf_.data()) + n);
    buf_.consume(n);
    Telegram t;
    if (parse_telegram(line, t))
      table_.apply(t);
  }

  tcp::socket sock_;
  net::streambuf buf_;
  AspectTable &table_;
};

// Standby interlocking: only consulted when the primary is down.
class StandbyLink : public std::enable_shared_from_this<StandbyLink> {
public:
  StandbyLink(tcp::socket s, AspectTable &t) : sock_(std::move(s)), table_(t) {}

  void start() { arm(); }

private:
  void arm() {
    net::async_read_until(sock_, buf_, '\n', [self = shared_from_this()](boost::system::error_code, std::size_t n) { // expect: errorshield-unchecked-read
      std::string line(net::buffers_begin(self->buf_.data()),
                       net::buffers_begin(self->buf_.data()) + n);
      self->buf_.consume(n);
      Telegram t;
      if (n != 0 && parse_telegram(line, t))
        self->table_.apply(t);
      self->arm();
    });
  }

  tcp::socket sock_;
  net::streambuf buf_;
  AspectTable &table_;
};

// --- Track-circuit adapter (serial via a raw fd) ------------------------

class TrackCircuitAdapter {
public:
  explicit TrackCircuitAdapter(int fd) : fd_(fd) {}

  bool poll_heartbeat() {
    std::uint32_t word = 0;
    const ssize_t got = ::read(fd_, &word, sizeof word);
    if (got != static_cast<ssize_t>(sizeof word))
      return false;
    last_word_ = word;
    return (word & 0xFF000000u) == 0xA5000000u;
  }

  // Called when the heartbeat goes stale: drain whatever the adapter buffered.
  void drain_after_stall() {
    std::array<char, 64> scratch{};
    ::read(fd_, scratch.data(), scratch.size()); // expect: errorshield-unchecked-read
    stalled_reads_++;
  }

  std::uint32_t last_word() const { return last_word_; }

private:
  int fd_;
  std::uint32_t last_word_ = 0;
  int stalled_reads_ = 0;
};

// --- Maintenance port: fixed binary frames, synchronous ---------------

inline bool read_frame_checked(tcp::socket &s, std::vector<std::uint8_t> &payload) {
  FrameHeader hdr{};
  boost::system::error_code ec;
  net::read(s, net::buffer(&hdr, sizeof hdr), ec);
  if (ec)
    return false;
  payload.resize(hdr.length);
  net::read(s, net::buffer(payload), ec);
  return !ec;
}

inline std::size_t read_frame_fast(tcp::socket &s, std::vector<std::uint8_t> &payload) {
  FrameHeader hdr{};
  boost::system::error_code ec;
  net::read(s, net::buffer(&hdr, sizeof hdr), ec); // expect: errorshield-unchecked-read
  payload.resize(hdr.length);
  const std::size_t n = net::read(s, net::buffer(payload), ec);
  if (ec)
    return 0;
  return n;
}

inline bool read_config_blob(tcp::socket &s, std::string &out) {
  try {
    std::array<char, 256> tmp{};
    const std::size_t n = net::read(s, net::buffer(tmp));
    out.assign(tmp.data(), n);
    return true;
  } catch (const boost::system::system_error &e) {
    log_fault("config read", e.code());
    return false;
  }
}

// --- Dispatcher consoles --------------------------------------------------

class ConsoleSession : public std::enable_shared_from_this<ConsoleSession> {
public:
  explicit ConsoleSession(websocket::stream<beast::tcp_stream> ws) : ws_(std::move(ws)) {}

  void start() { read_ack(); }

private:
  // Consoles send "ack <signal>" when the dispatcher acknowledges an aspect drop.
  void read_ack() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-unchecked-read
      if (ec == websocket::error::closed)
        return;
      self->acks_.push_back(beast::buffers_to_string(self->buf_.data()));
      self->buf_.consume(self->buf_.size());
      self->read_ack();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  std::vector<std::string> acks_;
};

// Supervisor consoles run as coroutines.
inline net::awaitable<void> supervisor_loop(websocket::stream<beast::tcp_stream> ws) {
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buf, net::as_tuple(net::use_awaitable)); // expect: errorshield-unchecked-read
    if (n == 0)
      continue;
    json cmd = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (!cmd.is_discarded() && cmd.value("op", "") == "ping")
      continue;
  }
}

inline net::awaitable<void> supervisor_loop_checked(websocket::stream<beast::tcp_stream> ws) {
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buf, net::as_tuple(net::use_awaitable));
    if (ec) {
      if (ec != websocket::error::closed)
        log_fault("supervisor read", ec);
      co_return;
    }
    json cmd = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(n);
    if (cmd.is_discarded())
      continue;
  }
}

} // namespace relay
