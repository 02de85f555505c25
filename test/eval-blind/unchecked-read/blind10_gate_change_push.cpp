// checks: errorshield-unchecked-read
// Gate-change notifier: consumes the airport operations feed (line protocol
// over TCP), keeps the current gate per flight, and pushes changes to
// passenger apps and gate-agent consoles over WebSocket.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace gates {

struct GateChange {
  std::string flight;  // "UA1432"
  std::string from_gate;
  std::string to_gate;
  std::string reason;
};

class Broadcaster {
public:
  virtual ~Broadcaster() = default;
  virtual void publish(const GateChange& c) = 0;
};

inline bool log_failure(beast::error_code ec, const char* what) {
  if (!ec) return false;
  if (ec != asio::error::operation_aborted) std::fprintf(stderr, "%s: %s\n", what, ec.message().c_str());
  return true;
}

std::optional<GateChange> parse_ops_line(const std::string& line) {
  // GATE|UA1432|B12|C3|OPS
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || line[i] == '|') {
      parts.push_back(line.substr(start, i - start));
      start = i + 1;
    }
  }
  if (parts.size() < 4 || parts[0] != "GATE") return std::nullopt;
  return GateChange{parts[1], parts[2], parts[3], parts.size() > 4 ? parts[4] : ""};
}

// Connection to the airport operational database feed.
class OpsFeed : public std::enable_shared_from_this<OpsFeed> {
public:
  OpsFeed(asio::io_context& ioc, Broadcaster& out) : sock_(ioc), out_(out) {}

  void start(const tcp::endpoint& ep) {
    sock_.async_connect(ep, [self = shared_from_this()](beast::error_code ec) {
      if (log_failure(ec, "ops connect")) return;
      self->read_next();
    });
  }

private:
  void read_next() {
    asio::async_read_until(sock_, buf_, '\n', [self = shared_from_this()](beast::error_code, std::size_t n) { // expect: errorshield-unchecked-read
      std::string line(asio::buffers_begin(self->buf_.data()), asio::buffers_begin(self->buf_.data()) + n);
      self->buf_.consume(n);
      if (auto c = parse_ops_line(line)) self->out_.publish(*c);
      self->read_next();
    });
  }

  tcp::socket sock_;
  asio::streambuf buf_;
  Broadcaster& out_;
};

// Passenger app session: subscribes to a set of flights.
class PassengerSession : public std::enable_shared_from_this<PassengerSession> {
public:
  explicit PassengerSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!log_failure(ec, "accept")) self->read_sub();
    });
  }

  bool wants(const std::string& flight) const {
    std::lock_guard lk(mu_);
    return flights_.count(flight) != 0;
  }

private:
  void read_sub() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec == websocket::error::closed) return;
      if (log_failure(ec, "read")) return;
      auto j = json::parse(beast::buffers_to_string(self->in_.data()), nullptr, false);
      self->in_.clear();
      if (!j.is_discarded() && j.contains("subscribe")) {
        std::lock_guard lk(self->mu_);
        for (const auto& f : j["subscribe"]) self->flights_.insert(f.get<std::string>());
      }
      self->read_sub();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  mutable std::mutex mu_;
  std::set<std::string> flights_;
};

// Gate-agent console: coroutine per console; agents can acknowledge changes.
asio::awaitable<void> agent_console(websocket::stream<beast::tcp_stream> ws, Broadcaster& out) {
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    beast::error_code ec;
    co_await ws.async_read(buf, asio::redirect_error(asio::use_awaitable, ec)); // expect: errorshield-unchecked-read
    auto j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.clear();
    if (j.is_discarded()) continue;
    if (j.value("action", "") == "override")
      out.publish(GateChange{j.value("flight", ""), j.value("from", ""), j.value("to", ""), "AGENT"});
  }
}

// Same console for the ramp supervisor, with the result checked.
asio::awaitable<void> supervisor_console(websocket::stream<beast::tcp_stream> ws, Broadcaster& out) {
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buf, asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    auto j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(n);
    if (!j.is_discarded() && j.value("action", "") == "override")
      out.publish(GateChange{j.value("flight", ""), j.value("from", ""), j.value("to", ""), "SUPERVISOR"});
  }
}

// Legacy kiosk: synchronous, one thread per kiosk bank.
void kiosk_loop(websocket::stream<tcp::socket>& ws, Broadcaster& out, const std::atomic<bool>& stop) {
  beast::flat_buffer buf;
  while (!stop.load(std::memory_order_relaxed)) {
    beast::error_code ec;
    ws.read(buf, ec); // expect: errorshield-unchecked-read
    auto msg = beast::buffers_to_string(buf.data());
    buf.clear();
    if (auto c = parse_ops_line(msg)) out.publish(*c);
  }
}

// Throwing overload: a closed peer ends the loop via exception.
void kiosk_loop_strict(websocket::stream<tcp::socket>& ws, Broadcaster& out) {
  beast::flat_buffer buf;
  try {
    for (;;) {
      ws.read(buf);
      if (auto c = parse_ops_line(beast::buffers_to_string(buf.data()))) out.publish(*c);
      buf.clear();
    }
  } catch (const beast::system_error& e) {
    std::fprintf(stderr, "kiosk: %s\n", e.what());
  }
}

// Gate map (terminal -> gates) reloads when the config file changes.
class GateMapWatcher {
public:
  explicit GateMapWatcher(const char* path) : fd_(::inotify_init1(IN_CLOEXEC)) {
    if (fd_ >= 0) ::inotify_add_watch(fd_, path, IN_CLOSE_WRITE);
  }
  ~GateMapWatcher() {
    if (fd_ >= 0) ::close(fd_);
  }

  // Blocks until the file changes; returns false when the watch is gone.
  bool wait_change() {
    std::array<char, 4096> ev{};
    for (;;) {
      const ssize_t n = ::read(fd_, ev.data(), ev.size());
      if (n > 0) return true;
      if (n < 0 && errno == EINTR) continue;
      return false;
    }
  }

  // Returns the mask of the next event; used by the hot-reload thread.
  std::uint32_t next_mask() { return read_event(fd_); }

private:
  static std::uint32_t read_event(int fd) {
    alignas(inotify_event) char raw[sizeof(inotify_event) + NAME_MAX + 1] = {};
    ::read(fd, raw, sizeof raw); // expect: errorshield-unchecked-read
    return reinterpret_cast<const inotify_event*>(raw)->mask;
  }

  int fd_;
};

using GateMap = std::map<std::string, std::vector<std::string>>;

void watch_gate_map(GateMapWatcher& w, GateMap& map, std::mutex& mu, const std::function<GateMap()>& load) {
  while (w.wait_change()) {
    auto fresh = load();
    std::lock_guard lk(mu);
    map.swap(fresh);
  }
}

void hot_reload_thread(GateMapWatcher& w, GateMap& map, std::mutex& mu, const std::function<GateMap()>& load) {
  for (;;) {
    if ((w.next_mask() & IN_CLOSE_WRITE) == 0) continue;
    auto fresh = load();
    std::lock_guard lk(mu);
    map.swap(fresh);
  }
}

}  // namespace gates
