// checks: errorshield-ws-close-code
// Chat server shutdown paths: kicks, bans, idle reaping, graceful restarts and
// the bookkeeping done when a peer disappears.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast.hpp>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// Application-defined close codes (private-use range 4000-4999).
enum class AppClose : std::uint16_t {
  kicked = 4001,
  banned = 4003,
  duplicate_login = 4009,
  room_closed = 4404,
};

struct CloseStats {
  std::map<std::uint16_t, std::uint64_t> by_code;
  void record(std::uint16_t code) { ++by_code[code]; }
};

CloseStats g_stats;

// ---------------------------------------------------------------------------
class ChatSession : public std::enable_shared_from_this<ChatSession> {
public:
  explicit ChatSession(tcp::socket&& s) : ws_(std::move(s)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read_loop();
    });
  }

  // Moderator kicked the user: private-use code with a reason.
  void kick(std::string const& why) {
    websocket::close_reason cr{static_cast<websocket::close_code>(AppClose::kicked), why};
    ws_.async_close(cr, [self = shared_from_this()](beast::error_code) {});
  }

  // Ban: a developer wanted "an abnormal close" to scare clients off.
  void ban() {
    ws_.async_close(websocket::close_code::abnormal, // expect: errorshield-ws-close-code
                    [self = shared_from_this()](beast::error_code) {});
  }

  // Same user logged in elsewhere.
  void supersede() {
    ws_.async_close(static_cast<std::uint16_t>(AppClose::duplicate_login),
                    [self = shared_from_this()](beast::error_code) {});
  }

  // Server is draining for deploy.
  void drain() {
    ws_.async_close(websocket::close_code::service_restart,
                    [self = shared_from_this()](beast::error_code) {});
  }

  // Protocol violation detected in the JSON envelope.
  void reject_envelope() {
    ws_.async_close(websocket::close_reason{websocket::close_code::policy_error, "bad envelope"},
                    [self = shared_from_this()](beast::error_code) {});
  }

  // Room was deleted under the user: someone typed the HTTP status by habit.
  void room_gone() {
    ws_.async_close(404, [self = shared_from_this()](beast::error_code) {}); // expect: errorshield-ws-close-code
  }

private:
  void read_loop() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec == websocket::error::closed) {
        // The peer's code is only *recorded* here, never sent back.
        auto code = self->ws_.reason().code;
        g_stats.record(code);
        if (code == websocket::close_code::abnormal || code == websocket::close_code::no_status)
          std::fprintf(stderr, "peer closed without status\n");
        return;
      }
      if (ec) {
        // Transport died: account it as 1006 like browsers do, but nothing is sent.
        g_stats.record(websocket::close_code::abnormal);
        return;
      }
      self->buf_.consume(self->buf_.size());
      self->read_loop();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
};

// ---------------------------------------------------------------------------
// Idle reaper: sync variant used by the housekeeping thread.
void reap_idle(websocket::stream<tcp::socket>& ws) {
  beast::error_code ec;
  ws.close(websocket::close_reason{websocket::close_code::going_away, "idle"}, ec);
}

// TLS-less health bridge: closes with the "no status" sentinel, which is an
// API-internal value that must never appear on the wire.
void close_health_bridge(websocket::stream<tcp::socket>& ws) {
  beast::error_code ec;
  ws.close(websocket::close_code::no_status, ec); // expect: errorshield-ws-close-code
}

// Overload shedding: 1013 is registered with IANA ("Try Again Later").
void shed(websocket::stream<tcp::socket>& ws) {
  beast::error_code ec;
  ws.close(websocket::close_code::try_again_later, ec);
}

// Registered-range code (3000-3999) for our auth proxy's "token expired".
void token_expired(websocket::stream<tcp::socket>& ws) {
  beast::error_code ec;
  ws.close(3000, ec);
}

// Copy of the TLS failure code used by the old Node.js server.
void tls_handshake_failed(websocket::stream<tcp::socket>& ws) {
  beast::error_code ec;
  ws.close(websocket::close_reason{websocket::close_code::reserved3, "tls"}, ec); // expect: errorshield-ws-close-code
}

// Maps internal error categories to close codes; every branch is sendable.
std::uint16_t to_wire_code(beast::error_code ec) {
  if (!ec) return websocket::close_code::normal;
  if (ec == beast::error::timeout) return websocket::close_code::going_away;
  if (ec == websocket::error::message_too_big) return websocket::close_code::too_big;
  if (ec == websocket::error::bad_frame_payload) return websocket::close_code::bad_payload;
  return websocket::close_code::internal_error;
}

void close_for_error(websocket::stream<tcp::socket>& ws, beast::error_code why) {
  beast::error_code ec;
  ws.close(to_wire_code(why), ec);
}

// Shutdown of a room: app code picked per room flag, both in 4000-4999.
void close_room_member(websocket::stream<tcp::socket>& ws, bool archived) {
  beast::error_code ec;
  auto code = archived ? AppClose::room_closed : AppClose::kicked;
  ws.close(static_cast<std::uint16_t>(code), ec);
}

// Version mismatch: "1016+" was assumed free for vendor use. It is not.
void version_mismatch(websocket::stream<tcp::socket>& ws) {
  beast::error_code ec;
  ws.close(websocket::close_reason{static_cast<websocket::close_code>(1016), "upgrade client"}, ec); // expect: errorshield-ws-close-code
}

// Extension negotiation failed on our side: 1010 is client-only in spirit but
// still a valid, sendable code.
void extension_missing(websocket::stream<tcp::socket>& ws) {
  beast::error_code ec;
  ws.close(websocket::close_code::needs_extension, ec);
}

// ---------------------------------------------------------------------------
int main() {
  net::io_context ioc;
  tcp::acceptor acc{ioc, {tcp::v4(), 9001}};
  auto s = std::make_shared<ChatSession>(acc.accept());
  s->start();
  websocket::stream<tcp::socket> admin{acc.accept()};
  admin.accept();
  reap_idle(admin);
  shed(admin);
  token_expired(admin);
  close_for_error(admin, beast::error::timeout);
  close_room_member(admin, true);
  extension_missing(admin);
  close_health_bridge(admin);
  tls_handshake_failed(admin);
  version_mismatch(admin);
  ioc.run();
}
