// checks: errorshield-ws-close-code
// Competitive match server: TLS match sessions, templated spectator sessions, coroutine endpoints, and
// relay connections held through unique_ptr / optional; all the ways a connection gets closed.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using namespace std::placeholders;

namespace match_close {
constexpr std::uint16_t kUnauthorized = 3000;   // IANA-registered
constexpr std::uint16_t kKicked = 4000;
constexpr std::uint16_t kMatchOver = 4100;
constexpr std::uint16_t kAntiCheat = 5001;      // someone ran out of 4xxx numbers
}  // namespace match_close

enum class Desync { none, minor, fatal };

static void log_fail(beast::error_code ec, const char* what) {
  if (ec) std::fprintf(stderr, "match %s: %s\n", what, ec.message().c_str());
}

static const char* describe(const websocket::close_reason& cr) {
  switch (cr.code) {
    case websocket::close_code::normal: return "normal";
    case websocket::close_code::going_away: return "going away";
    case websocket::close_code::no_status: return "no status";
    case websocket::close_code::abnormal: return "abnormal";
    default: return "other";
  }
}

// Builds the close frame for a simulation desync.
websocket::close_reason desync_reason(Desync d) {
  if (d == Desync::fatal) return websocket::close_reason{websocket::close_code::reserved1, "simulation desync"}; // expect: errorshield-ws-close-code
  if (d == Desync::minor) return websocket::close_reason{websocket::close_code::internal_error, "resync required"};
  return websocket::close_reason{"match finished"};
}

// Ranked match over TLS.
class MatchSession : public std::enable_shared_from_this<MatchSession> {
 public:
  MatchSession(tcp::socket&& socket, ssl::context& ctx) : ws_(std::move(socket), ctx) {}

  // Opponent's connection dropped: the "abnormal" pseudo-code is forwarded to this player.
  void on_opponent_lost() {
    ws_.async_close(websocket::close_code::abnormal, std::bind(&MatchSession::on_closed, shared_from_this(), _1)); // expect: errorshield-ws-close-code
  }

  void on_match_over() {
    ws_.async_close(websocket::close_reason(match_close::kMatchOver), std::bind(&MatchSession::on_closed, shared_from_this(), _1));
  }

  void on_unauthorized() {
    ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(match_close::kUnauthorized), "token rejected"), std::bind(&MatchSession::on_closed, shared_from_this(), _1));
  }

  void on_desync(Desync d) {
    ws_.async_close(desync_reason(d), std::bind(&MatchSession::on_closed, shared_from_this(), _1));
  }

  void end_with(const websocket::close_reason& why) {
    ws_.async_close(why, std::bind(&MatchSession::on_closed, shared_from_this(), _1));
  }

  void on_flood() {
    ws_.async_close(websocket::close_code::too_big, std::bind(&MatchSession::on_closed, shared_from_this(), _1));
  }

  // TLS session went bad: drop the socket without a websocket close frame.
  void on_tls_error() {
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(ws_).close();
  }

 private:
  void on_closed(beast::error_code ec) {
    log_fail(ec, "close");
    std::fprintf(stderr, "peer said: %s\n", describe(ws_.reason()));
  }

  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws_;
};

// Spectator session, generic over the transport.
template <class NextLayer>
class SpectatorSession : public std::enable_shared_from_this<SpectatorSession<NextLayer>> {
 public:
  explicit SpectatorSession(NextLayer&& layer) : ws_(std::move(layer)) {}

  // Broadcast source failed mid-TLS: reuses the "TLS handshake failure" pseudo-code.
  void on_source_tls_failure() {
    ws_.async_close(websocket::close_code::reserved3, [this](beast::error_code ec) { log_fail(ec, "spectator close"); }); // expect: errorshield-ws-close-code
  }

  void on_server_restart() {
    ws_.async_close(websocket::close_code::service_restart, [this](beast::error_code ec) { log_fail(ec, "spectator close"); });
  }

  void on_full() {
    ws_.async_close(websocket::close_code::try_again_later, [this](beast::error_code ec) { log_fail(ec, "spectator close"); });
  }

 private:
  websocket::stream<NextLayer> ws_;
};

template class SpectatorSession<beast::tcp_stream>;

// Coroutine lobby endpoint: a protocol-range code invented for "match aborted".
net::awaitable<void> lobby_session(tcp::socket socket, bool aborted) {
  websocket::stream<beast::tcp_stream> ws{std::move(socket)};
  co_await ws.async_accept(net::use_awaitable);
  if (aborted) {
    co_await ws.async_close(websocket::close_reason{static_cast<websocket::close_code>(2500), "match aborted"}, net::use_awaitable); // expect: errorshield-ws-close-code
    co_return;
  }
  co_await ws.async_close(websocket::close_reason{static_cast<websocket::close_code>(match_close::kKicked), "kicked"}, net::use_awaitable);
}

// Coroutine chat endpoint: closes with a range-boundary code.
net::awaitable<void> chat_session(tcp::socket socket, bool legacy_client) {
  websocket::stream<beast::tcp_stream> ws{std::move(socket)};
  co_await ws.async_accept(net::use_awaitable);
  if (legacy_client) {
    co_await ws.async_close(websocket::close_reason(2999), net::use_awaitable); // expect: errorshield-ws-close-code
  } else {
    co_await ws.async_close(websocket::close_reason(3000), net::use_awaitable);
  }
}

// Coroutine replay endpoint: relays the code it got from the recorder, sanitising reserved values.
net::awaitable<void> replay_session(tcp::socket socket) {
  websocket::stream<beast::tcp_stream> ws{std::move(socket)};
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buffer;
  auto [ec, n] = co_await ws.async_read(buffer, net::as_tuple(net::use_awaitable));
  std::uint16_t code = ws.reason().code;
  if (code == 1005 || code == 1006 || code == 1015 || code < 1000) code = websocket::close_code::internal_error;
  if (ec != websocket::error::closed) co_await ws.async_close(websocket::close_reason(code), net::use_awaitable);
  buffer.consume(n);
}

// Relay to the region server held behind a unique_ptr.
class RegionRelay {
 public:
  void open(tcp::socket socket, const std::string& host) {
    ws_ = std::make_unique<websocket::stream<beast::tcp_stream>>(std::move(socket));
    ws_->handshake(host, "/relay");
  }

  // Region server vanished: reports "no status" to the client.
  void on_region_gone() {
    beast::error_code ec;
    ws_->close(websocket::close_code::no_status, ec); // expect: errorshield-ws-close-code
    log_fail(ec, "relay close");
  }

  void on_shutdown() {
    beast::error_code ec;
    ws_->close(websocket::close_code::going_away, ec);
    log_fail(ec, "relay close");
  }

  void on_bad_frame() {
    beast::error_code ec;
    ws_->close(websocket::close_reason(websocket::close_code::bad_payload, "invalid utf-8"), ec);
    log_fail(ec, "relay close");
  }

  bool peer_dropped() const { return ws_->reason().code == websocket::close_code::abnormal; }

 private:
  std::unique_ptr<websocket::stream<beast::tcp_stream>> ws_;
};

// Anti-cheat uplink held in an optional (sync).
class AntiCheatLink {
 public:
  explicit AntiCheatLink(net::io_context& ioc) : ioc_(ioc) {}

  void connect(const std::string& host) {
    tcp::resolver resolver{ioc_};
    ws_.emplace(ioc_);
    net::connect(ws_->next_layer(), resolver.resolve(host, "80"));
    ws_->handshake(host, "/ac");
  }

  void ban_player() {
    beast::error_code ec;
    ws_->close(websocket::close_reason(match_close::kAntiCheat), ec); // expect: errorshield-ws-close-code
    log_fail(ec, "ac close");
  }

  void kick_player() {
    beast::error_code ec;
    ws_->close(websocket::close_reason(static_cast<websocket::close_code>(match_close::kKicked), "kicked by anti-cheat"), ec);
    log_fail(ec, "ac close");
  }

  void policy_violation() {
    beast::error_code ec;
    ws_->close(websocket::close_code::policy_error, ec);
    log_fail(ec, "ac close");
  }

 private:
  net::io_context& ioc_;
  std::optional<websocket::stream<tcp::socket>> ws_;
};

// Shared helper: the stream arrives by reference and closes with a valid code.
void close_for_maintenance(websocket::stream<beast::ssl_stream<beast::tcp_stream>>& ws) {
  ws.async_close(websocket::close_code::service_restart, [](beast::error_code ec) { log_fail(ec, "maintenance close"); });
}

// Helper that forwards whatever reason it is handed.
void close_with(websocket::stream<tcp::socket>& ws, websocket::close_reason why) {
  beast::error_code ec;
  ws.close(why, ec);
  log_fail(ec, "close_with");
}

// Sync admin tool: normal close after a one-shot command.
void send_admin_command(net::io_context& ioc, const std::string& host, const std::string& cmd) {
  tcp::resolver resolver{ioc};
  websocket::stream<tcp::socket> ws{ioc};
  net::connect(ws.next_layer(), resolver.resolve(host, "80"));
  ws.handshake(host, "/admin");
  ws.write(net::buffer(cmd));
  close_with(ws, websocket::close_reason("admin command sent"));
}

int main() {
  net::io_context ioc;
  ssl::context ctx{ssl::context::tlsv12};
  auto match = std::make_shared<MatchSession>(tcp::socket{ioc}, ctx);
  match->end_with(websocket::close_reason(websocket::close_code::normal, "gg"));
  net::co_spawn(ioc, lobby_session(tcp::socket{ioc}, false), net::detached);
  net::co_spawn(ioc, chat_session(tcp::socket{ioc}, false), net::detached);
  net::co_spawn(ioc, replay_session(tcp::socket{ioc}), net::detached);
  ioc.run();
}
