// checks: errorshield-ws-close-code
// Escape room hint console: pushes hints from the game-master console to the
// tablets mounted inside each room, and tears tablet sessions down when the
// room clock runs out or a game master kicks a tablet.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace escape::hints {

// Application-defined close codes live in the private 4000-4999 range.
enum class AppClose : std::uint16_t {
  room_not_found = 4004,
  room_finished = 4010,
  kicked_by_gm = 4020,
};

constexpr int kHintCooldownMs = 1006;      // minimum gap between two hints
constexpr std::uint16_t kLobbyRoomId = 1015; // the demo room in the lobby

inline websocket::close_reason app_reason(AppClose c, std::string_view why) {
  websocket::close_reason cr;
  cr.code = static_cast<std::uint16_t>(c);
  cr.reason.assign(why.data(), why.size());
  return cr;
}

// Tablet firmware sometimes echoes a code back at us; only forward codes that
// are legal on the wire, anything else becomes internal_error.
inline std::uint16_t sendable_or_internal(std::uint16_t code) {
  const bool registered = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1013);
  const bool app_range = code >= 3000 && code <= 4999;
  return (registered || app_range) ? code : std::uint16_t(websocket::close_code::internal_error);
}

// Room clock: fires every registered callback when the 60 minutes are up.
class RoomClock {
 public:
  explicit RoomClock(net::any_io_executor ex) : timer_(ex) {}

  void on_expire(std::function<void()> cb) { expiry_.push_back(std::move(cb)); }

  void start(std::chrono::minutes length) {
    timer_.expires_after(length);
    timer_.async_wait([this](beast::error_code ec) {
      if (ec) return;
      for (auto& cb : expiry_) cb();
      expiry_.clear();
    });
  }

 private:
  net::steady_timer timer_;
  std::vector<std::function<void()>> expiry_;
};

template <class WsStream>
void close_quietly(WsStream& ws, std::uint16_t code) {
  ws.async_close(code, [](beast::error_code) {});
}

class TabletSession : public std::enable_shared_from_this<TabletSession> {
 public:
  TabletSession(tcp::socket sock, std::uint16_t room_id, RoomClock& clock)
      : ws_(std::move(sock)), room_id_(room_id), clock_(clock) {}

  websocket::stream<beast::tcp_stream>& ws() { return ws_; }
  std::uint16_t room_id() const { return room_id_; }

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->arm_room_clock();
      self->read_next();
    });
  }

  void push_hint(const std::string& text) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_hint_ < std::chrono::milliseconds(kHintCooldownMs)) return;
    last_hint_ = now;
    auto payload = std::make_shared<std::string>(json{{"type", "hint"}, {"text", text}}.dump());
    ws_.text(true);
    ws_.async_write(net::buffer(*payload), [payload](beast::error_code, std::size_t) {});
  }

  void end_game(bool escaped) {
    auto cr = app_reason(AppClose::room_finished, escaped ? "escaped" : "time up");
    ws_.async_close(cr, [self = shared_from_this()](beast::error_code) {}); // OK: 4010
  }

 private:
  void arm_room_clock() {
    // Runs an hour later, long after this function returned.
    clock_.on_expire([self = shared_from_this()] {
      self->ws_.async_close(websocket::close_code::abnormal, [self](beast::error_code) {}); // expect: errorshield-ws-close-code
    });
  }

  void read_next() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (ec == websocket::error::closed) {
      // The peer's code is only logged, never sent back.
      if (ws_.reason().code == websocket::close_code::abnormal ||
          ws_.reason().code == websocket::close_code::no_status)
        std::cerr << "room " << room_id_ << ": tablet vanished\n";
      return;
    }
    if (ec) return;

    json msg = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
    buffer_.consume(buffer_.size());
    if (msg.is_discarded() || !msg.is_object()) {
      ws_.async_close(websocket::close_code::bad_payload, [](beast::error_code) {}); // OK: 1007
      return;
    }

    const std::string type = msg.value("type", "");
    if (type == "hint_request") {
      ++hints_requested_;
      if (hints_requested_ > 5) {
        close_quietly(ws_, 2001); // expect: errorshield-ws-close-code
        return;
      }
      push_hint("Look under the third painting.");
    } else if (type == "firmware_close") {
      // Tablet asks us to close with its own code; never trust it verbatim.
      const auto wanted = msg.value("code", std::uint16_t{1000});
      ws_.async_close(sendable_or_internal(wanted), [](beast::error_code) {}); // OK: sanitised
      return;
    } else if (type == "room_lookup" && msg.value("room", 0) != room_id_) {
      ws_.async_close(app_reason(AppClose::room_not_found, "no such room"), [](beast::error_code) {}); // OK: 4004
      return;
    } else if (type != "heartbeat") {
      ws_.async_close(websocket::close_reason(1004), [](beast::error_code) {}); // expect: errorshield-ws-close-code
      return;
    }
    read_next();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::uint16_t room_id_;
  RoomClock& clock_;
  int hints_requested_ = 0;
  std::chrono::steady_clock::time_point last_hint_{};
};

// Game-master side: tracks every tablet and can kick one.
class GameMasterConsole {
 public:
  void attach(const std::shared_ptr<TabletSession>& t) {
    std::lock_guard lk(mu_);
    tablets_[t->room_id()].push_back(t);
  }

  void kick(TabletSession* t) {
    if (!t) return;
    t->ws().async_close(5001, [](beast::error_code) {}); // expect: errorshield-ws-close-code
  }

  void kick_politely(TabletSession* t) {
    if (!t) return;
    t->ws().async_close(app_reason(AppClose::kicked_by_gm, "kicked by game master"), // OK: 4020
                        [](beast::error_code) {});
  }

  void reset_lobby_room() {
    std::lock_guard lk(mu_);
    for (auto& t : tablets_[kLobbyRoomId]) t->end_game(false);
    tablets_.erase(kLobbyRoomId);
  }

  std::vector<std::shared_ptr<TabletSession>> snapshot() {
    std::lock_guard lk(mu_);
    std::vector<std::shared_ptr<TabletSession>> out;
    for (auto& [room, list] : tablets_) out.insert(out.end(), list.begin(), list.end());
    return out;
  }

 private:
  std::mutex mu_;
  std::map<std::uint16_t, std::vector<std::shared_ptr<TabletSession>>> tablets_;
};

// Server shutdown drains every tablet before the process exits.
net::awaitable<void> drain_tablets(std::vector<std::shared_ptr<TabletSession>> tablets) {
  for (auto& t : tablets) {
    beast::error_code ec;
    co_await t->ws().async_close(websocket::close_code::going_away, // OK: 1001
                                 net::redirect_error(net::use_awaitable, ec));
    if (ec) std::cerr << "drain: " << ec.message() << '\n';
  }
}

// The operator console itself is a WebSocket client of the room controller.
net::awaitable<void> controller_link(websocket::stream<beast::tcp_stream>& ws, bool& controller_up) {
  beast::flat_buffer buf;
  for (;;) {
    beast::error_code ec;
    co_await ws.async_read(buf, net::redirect_error(net::use_awaitable, ec));
    if (ec) co_return;
    auto status = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (status.is_discarded()) {
      co_await ws.async_close(websocket::close_code::protocol_error, net::use_awaitable); // OK: 1002
      co_return;
    }
    if (!status.value("authorised", true)) {
      co_await ws.async_close(websocket::close_code::policy_error, net::use_awaitable); // OK: 1008
      co_return;
    }
    if (status.value("controller", "") == "offline" && !controller_up) {
      co_await ws.async_close(websocket::close_reason(websocket::close_code::no_status, "controller offline"), net::use_awaitable); // expect: errorshield-ws-close-code
      co_return;
    }
    controller_up = status.value("controller", "") == "online";
  }
}

void shutdown_all(net::io_context& ioc, GameMasterConsole& gm) {
  net::co_spawn(ioc, drain_tablets(gm.snapshot()), net::detached);
}

} // namespace escape::hints
