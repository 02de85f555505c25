// checks: errorshield-ws-close-code
// Chat / game-lobby sessions: the various ways a session ends (kick, idle, upstream loss, shutdown).
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace app_close {
// Application-defined codes live in the private range.
constexpr std::uint16_t kSessionExpired = 4001;
constexpr std::uint16_t kBanned = 4003;
// Added by a later patch, outside the application range.
constexpr std::uint16_t kDuplicateLogin = 2001;
}  // namespace app_close

enum class EndReason { kicked, upstream_lost, server_full, expired, internal, malformed, reconnect };

static void log_close(beast::error_code ec) {
  if (ec) std::fprintf(stderr, "close: %s\n", ec.message().c_str());
}

// Maps an internal reason to the close frame sent to the client.
websocket::close_reason reason_for(EndReason why) {
  switch (why) {
    case EndReason::kicked:
      return websocket::close_reason(websocket::close_code::policy_error, "kicked by moderator");
    case EndReason::upstream_lost:
      return websocket::close_reason(websocket::close_code::abnormal, "upstream connection lost"); // expect: errorshield-ws-close-code
    case EndReason::server_full:
      return websocket::close_reason(websocket::close_code::try_again_later, "server full");
    case EndReason::expired:
      return websocket::close_reason(static_cast<websocket::close_code>(app_close::kSessionExpired), "session expired");
    case EndReason::internal:
      return websocket::close_reason(websocket::close_code::internal_error, "internal error");
    case EndReason::malformed:
      return websocket::close_reason(websocket::close_code::reserved1, "malformed message"); // expect: errorshield-ws-close-code
    case EndReason::reconnect:
      return websocket::close_reason(websocket::close_code::service_restart, "reconnect please");
  }
  return websocket::close_reason(websocket::close_code::normal, "bye");
}

class LobbySession : public std::enable_shared_from_this<LobbySession> {
 public:
  explicit LobbySession(tcp::socket&& s) : ws_(std::move(s)) {}

  // Moderator kicked the player.
  void kick() {
    ws_.async_close(websocket::close_code::policy_error, beast::bind_front_handler(&LobbySession::on_close, shared_from_this()));
  }

  // Upstream game server vanished: tries to "mirror" the dropped connection.
  void on_upstream_lost() {
    ws_.async_close(websocket::close_code::abnormal, beast::bind_front_handler(&LobbySession::on_close, shared_from_this())); // expect: errorshield-ws-close-code
  }

  // Player idle for too long: no status given.
  void on_idle() {
    ws_.async_close(websocket::close_code::no_status, beast::bind_front_handler(&LobbySession::on_close, shared_from_this())); // expect: errorshield-ws-close-code
  }

  // Graceful server shutdown.
  void on_shutdown() {
    ws_.async_close(websocket::close_code::going_away, beast::bind_front_handler(&LobbySession::on_close, shared_from_this()));
  }

  // Session token expired: application code.
  void on_expired() {
    ws_.async_close(websocket::close_reason(app_close::kSessionExpired), beast::bind_front_handler(&LobbySession::on_close, shared_from_this()));
  }

  // Same account logged in elsewhere.
  void on_duplicate_login() {
    ws_.async_close(websocket::close_reason(app_close::kDuplicateLogin), beast::bind_front_handler(&LobbySession::on_close, shared_from_this())); // expect: errorshield-ws-close-code
  }

  // Ban: application code with a reason string.
  void ban(const std::string& why) {
    ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(app_close::kBanned), why), beast::bind_front_handler(&LobbySession::on_close, shared_from_this()));
  }

  // Generic end: the code is computed at run time.
  void end(EndReason why) {
    ws_.async_close(reason_for(why), beast::bind_front_handler(&LobbySession::on_close, shared_from_this()));
  }

  // Relays the code the game server sent us.
  void relay_close(std::uint16_t upstream_code) {
    ws_.async_close(websocket::close_reason(upstream_code), beast::bind_front_handler(&LobbySession::on_close, shared_from_this()));
  }

  // Oversized chat message.
  void on_too_big() {
    ws_.async_close(websocket::close_code::too_big, [self = shared_from_this()](beast::error_code ec) { log_close(ec); });
  }

  // Client sent non-UTF-8 in a text frame.
  void on_bad_utf8() {
    ws_.async_close(websocket::close_code::bad_payload, [self = shared_from_this()](beast::error_code ec) { log_close(ec); });
  }

  // TLS layer failure reported to the client with the TLS pseudo-code.
  void on_tls_failure() {
    ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(1015), "tls failure"), [self = shared_from_this()](beast::error_code ec) { log_close(ec); }); // expect: errorshield-ws-close-code
  }

 private:
  void on_close(beast::error_code ec) { log_close(ec); }

  websocket::stream<beast::tcp_stream> ws_;
};

// Broadcast shutdown helper; the stream arrives by reference and uses a valid code.
void close_for_shutdown(websocket::stream<beast::tcp_stream>& ws) {
  ws.async_close(websocket::close_code::going_away, [](beast::error_code ec) { log_close(ec); });
}
