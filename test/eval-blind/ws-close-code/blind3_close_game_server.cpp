// checks: errorshield-ws-close-code
// Game lobby server: closing WebSocket sessions with application close codes.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <unordered_map>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace lobby {

// Application-defined close codes (private-use range 4000-4999).
enum class LobbyClose : std::uint16_t {
  kicked = 4001,
  banned = 4002,
  lobby_full = 4003,
  version_mismatch = 4100,
  legacy_timeout = 1006, // old clients expect this one
  legacy_shutdown = 2000,
};

constexpr std::uint16_t kIdleKick = 4010;
constexpr std::uint16_t kServerRestart = 1012;
constexpr std::uint16_t kNoStatus = 1005;
constexpr std::uint16_t kTooLarge = 5001;
constexpr int kRegisteredLib = 3001; // IANA registered range

websocket::close_reason make_reason(LobbyClose c, std::string text) {
  websocket::close_reason cr;
  cr.code = static_cast<std::uint16_t>(c);
  cr.reason = std::move(text);
  return cr;
}

class player_session : public std::enable_shared_from_this<player_session> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::string player_id_;
  int strikes_ = 0;

public:
  explicit player_session(tcp::socket&& s) : ws_(std::move(s)) {}

  void kick(std::string const& why) {
    ws_.async_close(make_reason(LobbyClose::kicked, why),
                    [self = shared_from_this()](beast::error_code) {});
  }

  void ban() {
    ws_.async_close(websocket::close_reason(static_cast<std::uint16_t>(LobbyClose::banned)),
                    [self = shared_from_this()](beast::error_code) {});
  }

  void reject_full() {
    beast::error_code ec;
    ws_.close(static_cast<websocket::close_code>(LobbyClose::lobby_full), ec);
  }

  void legacy_timeout() {
    beast::error_code ec;
    ws_.close(static_cast<websocket::close_code>(LobbyClose::legacy_timeout), ec); // expect: errorshield-ws-close-code
  }

  void legacy_shutdown() {
    beast::error_code ec;
    ws_.close(websocket::close_reason(static_cast<std::uint16_t>(LobbyClose::legacy_shutdown)), ec); // expect: errorshield-ws-close-code
  }

  void idle_kick() {
    ws_.async_close(kIdleKick, [self = shared_from_this()](beast::error_code) {});
  }

  void restart() {
    ws_.async_close(kServerRestart, [self = shared_from_this()](beast::error_code) {});
  }

  void quiet_drop() {
    ws_.async_close(kNoStatus, [self = shared_from_this()](beast::error_code) {}); // expect: errorshield-ws-close-code
  }

  void payload_too_large() {
    beast::error_code ec;
    ws_.close(kTooLarge, ec); // expect: errorshield-ws-close-code
  }

  void library_code() {
    beast::error_code ec;
    ws_.close(static_cast<std::uint16_t>(kRegisteredLib), ec);
  }

  void on_protocol_violation() {
    ++strikes_;
    beast::error_code ec;
    ws_.close(strikes_ > 3 ? websocket::close_code::policy_error
                           : websocket::close_code::protocol_error,
              ec);
  }

  void on_fatal(bool peer_vanished) {
    beast::error_code ec;
    ws_.close(peer_vanished ? websocket::close_code::abnormal : websocket::close_code::internal_error, ec); // expect: errorshield-ws-close-code
  }

  // Sends a close frame without a status code: Beast omits the payload for none.
  void close_silently() {
    beast::error_code ec;
    ws_.close(websocket::close_code::none, ec);
  }

  void close_with_reason_default() {
    beast::error_code ec;
    websocket::close_reason cr; // default: code none, no payload
    ws_.close(cr, ec);
  }

  void close_tls_failure() {
    beast::error_code ec;
    ws_.close(websocket::close_code::reserved3, ec); // expect: errorshield-ws-close-code
  }

  void close_old_reserved() {
    beast::error_code ec;
    ws_.close(websocket::close_code::reserved1, ec); // expect: errorshield-ws-close-code
  }

  void close_numeric_normal() {
    beast::error_code ec;
    ws_.close(1000, ec);
  }

  void close_numeric_tiny() {
    beast::error_code ec;
    ws_.close(999, ec); // expect: errorshield-ws-close-code
  }

  void close_max_private() {
    beast::error_code ec;
    ws_.close(4999, ec);
  }

  void close_unassigned_hi() {
    beast::error_code ec;
    ws_.close(2999, ec); // expect: errorshield-ws-close-code
  }

  void close_first_unassigned() {
    beast::error_code ec;
    ws_.close(websocket::close_reason(1016), ec); // expect: errorshield-ws-close-code
  }

  void close_iana_start() {
    beast::error_code ec;
    ws_.close(websocket::close_reason(3000), ec);
  }
};

// ---------------------------------------------------------------------------
// Not WebSocket: a file-backed replay log whose close() takes a status int.

struct replay_log {
  std::unordered_map<std::string, std::string> entries;
  void close(int status) { std::cout << "replay log closed with " << status << "\n"; }
};

void flush_replays(replay_log& log) {
  log.close(1005);
  log.close(0);
}

void shutdown_acceptor(tcp::acceptor& acc) {
  beast::error_code ec;
  acc.close(ec);
}

} // namespace lobby

int main() {
  net::io_context ioc;
  tcp::socket s{ioc};
  auto p = std::make_shared<lobby::player_session>(std::move(s));
  p->kick("afk");
  p->restart();
  lobby::replay_log log;
  lobby::flush_replays(log);
  ioc.run();
}
