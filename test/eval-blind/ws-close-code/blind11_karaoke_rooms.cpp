// checks: errorshield-ws-close-code
// Karaoke room server: singers join a room over WebSocket, queue songs and
// stream pitch samples so the scoring engine can keep everyone in sync.
#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace karaoke {

// Private-range close codes agreed with the iOS/Android client teams.
enum class RoomClose : std::uint16_t {
  kRoomFull = 4001,
  kKicked = 4002,
  kSongBanned = 4003,
  kHostLeft = 4004,
  kRoomExpired = 5010,  // added by the playlist team for the nightly cleanup
};

constexpr std::uint16_t to_wire(RoomClose c) { return static_cast<std::uint16_t>(c); }

// Maps whatever the room logic produces onto a code that may go on the wire.
constexpr std::uint16_t wire_safe(std::uint16_t code) {
  if (code >= 3000 && code <= 4999) return code;
  if (code >= 1000 && code <= 1003) return code;
  if (code >= 1007 && code <= 1013) return code;
  return websocket::close_code::internal_error;
}

struct CloseStats {
  std::mutex mu;
  std::unordered_map<std::uint16_t, std::uint64_t> by_code;
  void record(std::uint16_t code) {
    std::lock_guard lk(mu);
    ++by_code[code];
  }
};

class Singer;

class Room {
 public:
  explicit Room(std::string id) : id_(std::move(id)) {}

  bool join(const std::string& name, const std::shared_ptr<Singer>& s) {
    std::lock_guard lk(mu_);
    if (singers_.size() >= kMaxSingers) return false;
    singers_[name] = s;
    return true;
  }

  void leave(const std::string& name) {
    std::lock_guard lk(mu_);
    singers_.erase(name);
  }

  // Hooks run when the host disconnects; each singer registers its own.
  void on_host_left(std::function<void()> hook) {
    std::lock_guard lk(mu_);
    host_left_hooks_.push_back(std::move(hook));
  }

  void host_left() {
    std::vector<std::function<void()>> hooks;
    {
      std::lock_guard lk(mu_);
      hooks.swap(host_left_hooks_);
    }
    for (auto& h : hooks) h();
  }

  std::vector<std::shared_ptr<Singer>> snapshot() const {
    std::lock_guard lk(mu_);
    std::vector<std::shared_ptr<Singer>> out;
    for (auto& [_, w] : singers_)
      if (auto s = w.lock()) out.push_back(std::move(s));
    return out;
  }

  bool is_banned(const std::string& song) const {
    for (auto& b : banned_)
      if (b == song) return true;
    return false;
  }

  const std::string& id() const { return id_; }

 private:
  static constexpr std::size_t kMaxSingers = 8;
  std::string id_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::weak_ptr<Singer>> singers_;
  std::vector<std::function<void()>> host_left_hooks_;
  std::vector<std::string> banned_ = {"explicit-remix-01", "copyright-strike-77"};
};

class Singer : public std::enable_shared_from_this<Singer> {
 public:
  Singer(tcp::socket sock, std::shared_ptr<Room> room, CloseStats& stats)
      : ws_(std::move(sock)), room_(std::move(room)), stats_(stats) {}

  websocket::stream<beast::tcp_stream>& ws() { return ws_; }

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(64 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->do_read();
    });
  }

  void kick(RoomClose why, const std::string& text) {
    websocket::close_reason cr(static_cast<websocket::close_code>(to_wire(why)), text);
    ws_.async_close(cr, [self = shared_from_this()](beast::error_code) {});  // OK: 4002/4003
  }

  void expire() {
    ws_.async_close(to_wire(RoomClose::kRoomExpired), [self = shared_from_this()](beast::error_code) {});  // expect: errorshield-ws-close-code
  }

 private:
  void do_read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->on_read(ec, n);
    });
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == websocket::error::closed) {
      stats_.record(ws_.reason().code);  // OK: peer's code, only counted
      return finish();
    }
    if (ec) {
      stats_.record(websocket::close_code::abnormal);  // OK: bookkeeping, nothing is sent
      return finish();
    }
    json msg = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (msg.is_discarded()) {
      ws_.async_close(websocket::close_reason(websocket::close_code::bad_payload, "malformed json"),
                      [self = shared_from_this()](beast::error_code) {});
      return;
    }
    handle(msg);
  }

  void handle(const json& msg) {
    const auto type = msg.value("type", std::string{});
    if (type == "hello") {
      name_ = msg.value("name", std::string{"anon"});
      if (!room_->join(name_, shared_from_this())) {
        ws_.async_close(to_wire(RoomClose::kRoomFull), [self = shared_from_this()](beast::error_code) {});  // OK: 4001
        return;
      }
      register_host_hook();
    } else if (type == "queue_song") {
      const auto song = msg.value("song", std::string{});
      if (room_->is_banned(song)) {
        kick(RoomClose::kSongBanned, "song not allowed in this room");
        return;
      }
    } else if (type == "pitch_sample") {
      const int drift_ms = msg.value("drift_ms", 0);
      if (drift_ms > 750 && ++lag_strikes_ >= 3) {
        // Three late samples in a row: the singer's link is unusable.
        ws_.async_close(websocket::close_code::abnormal, [self = shared_from_this()](beast::error_code) {});  // expect: errorshield-ws-close-code
        return;
      }
      if (drift_ms <= 750) lag_strikes_ = 0;
    } else if (type == "bye") {
      if (!msg.contains("reason")) {
        ws_.async_close(websocket::close_reason{std::uint16_t{1005}}, [self = shared_from_this()](beast::error_code) {});  // expect: errorshield-ws-close-code
        return;
      }
      ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](beast::error_code) {});  // OK
      return;
    } else {
      ws_.async_close(websocket::close_reason(websocket::close_code::unknown_data, "unknown message type"),
                      [self = shared_from_this()](beast::error_code) {});  // OK: 1003
      return;
    }
    do_read();
  }

  void register_host_hook() {
    // Runs later, from whichever thread noticed the host drop.
    room_->on_host_left([weak = weak_from_this()] {
      auto self = weak.lock();
      if (!self) return;
      self->ws_.async_close(websocket::close_code::reserved1, [self](beast::error_code) {});  // expect: errorshield-ws-close-code
    });
  }

  void finish() {
    if (!name_.empty()) room_->leave(name_);
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::shared_ptr<Room> room_;
  CloseStats& stats_;
  beast::flat_buffer buf_;
  std::string name_;
  int lag_strikes_ = 0;
};

// Used by the operator console to empty a room before a venue closes.
template <class Session>
void close_everyone(const std::vector<std::shared_ptr<Session>>& all, std::uint16_t code) {
  for (auto& s : all)
    s->ws().async_close(wire_safe(code), [s](beast::error_code) {});  // OK: sanitised
}

net::awaitable<void> operator_session(websocket::stream<beast::tcp_stream> ws,
                                      std::shared_ptr<Room> room, std::string expected_token) {
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(16 * 1024);
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer b;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(b, net::as_tuple(net::use_awaitable));
    if (ec) co_return;
    json cmd = json::parse(beast::buffers_to_string(b.data()), nullptr, false);
    b.consume(n);
    if (cmd.is_discarded() || cmd.value("token", std::string{}) != expected_token) {
      co_await ws.async_close(websocket::close_code::reserved3, net::use_awaitable);  // expect: errorshield-ws-close-code
      co_return;
    }
    const auto op = cmd.value("op", std::string{});
    if (op == "drain") {
      close_everyone(room->snapshot(), websocket::close_code::abnormal);
    } else if (op == "venue_closing") {
      close_everyone(room->snapshot(), websocket::close_code::going_away);
    } else if (op == "expire") {
      for (auto& s : room->snapshot()) s->expire();
    } else if (op == "host_left") {
      room->host_left();
    } else if (op == "quit") {
      co_await ws.async_close(websocket::close_code::normal, net::use_awaitable);  // OK
      co_return;
    } else {
      websocket::close_reason cr;
      cr.code = 4400;
      cr.reason = "bad op";
      co_await ws.async_close(cr, net::use_awaitable);  // OK: private range
      co_return;
    }
  }
}

void spawn_operator(net::io_context& ioc, tcp::socket sock, std::shared_ptr<Room> room) {
  net::co_spawn(ioc,
                operator_session(websocket::stream<beast::tcp_stream>(std::move(sock)),
                                 std::move(room), "ops-secret-from-vault"),
                net::detached);
}

}  // namespace karaoke
