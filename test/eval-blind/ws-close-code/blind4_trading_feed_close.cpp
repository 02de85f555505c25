// checks: errorshield-ws-close-code
// Trading UI market-data feed. Sessions are shaped after Beast's
// websocket_server_async; several shutdown paths pick a close code.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace feed {

// Application-private codes (4000-4999 is the private-use range).
enum class app_close : std::uint16_t {
  market_closed = 4000,
  symbol_halted = 4001,
  entitlement_revoked = 4403,
};

constexpr std::uint16_t kSessionExpired = 4401;
constexpr std::uint16_t kNoStatus = 1005;      // somebody copied this from a log
constexpr std::uint16_t kTlsFailure = 1015;

enum class shutdown_reason { maintenance, overload, kicked, bug };

std::uint16_t code_for(shutdown_reason r) {
  switch (r) {
  case shutdown_reason::maintenance: return websocket::close_code::service_restart;
  case shutdown_reason::overload: return websocket::close_code::try_again_later;
  case shutdown_reason::kicked: return websocket::close_code::policy_error;
  case shutdown_reason::bug: return websocket::close_code::internal_error;
  }
  return websocket::close_code::normal;
}

class quote_session : public std::enable_shared_from_this<quote_session> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  bool halted_ = false;

public:
  explicit quote_session(tcp::socket &&s) : ws_(std::move(s)) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(beast::bind_front_handler(&quote_session::on_accept, shared_from_this()));
  }

  // Correct: a code computed from the shutdown reason.
  void shutdown(shutdown_reason r) {
    ws_.async_close(code_for(r), [self = shared_from_this()](beast::error_code) {});
  }

  // Correct: private-use code with a reason string.
  void halt_symbol(std::string const &sym) {
    websocket::close_reason cr{static_cast<websocket::close_code>(app_close::symbol_halted),
                               "halted: " + sym};
    ws_.async_close(cr, [self = shared_from_this()](beast::error_code) {});
  }

  // Correct: private-use constant from a variable.
  void expire() {
    ws_.async_close(kSessionExpired, [self = shared_from_this()](beast::error_code) {});
  }

  // Bug: 1005 must never be put on the wire.
  void drop_silently() {
    ws_.async_close(kNoStatus, [self = shared_from_this()](beast::error_code) {}); // expect: errorshield-ws-close-code
  }

  // Bug: 1006 is the "abnormal closure" pseudo-code.
  void on_heartbeat_missed() {
    ws_.async_close(websocket::close_code::abnormal, // expect: errorshield-ws-close-code
                    [self = shared_from_this()](beast::error_code) {});
  }

  // Bug: 1015 is reserved for TLS handshake failure reporting.
  void on_cert_problem() {
    beast::error_code ec;
    ws_.close(kTlsFailure, ec); // expect: errorshield-ws-close-code
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&quote_session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == websocket::error::closed) {
      // Reading the peer's code is fine, even when it is 1005.
      if (ws_.reason().code == websocket::close_code::no_status)
        std::cerr << "peer closed without status\n";
      return;
    }
    if (ec)
      return;
    buffer_.consume(buffer_.size());
    if (halted_) {
      // Bug: 1016 is not assigned by IANA.
      ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(1016), "halted"), // expect: errorshield-ws-close-code
                      [self = shared_from_this()](beast::error_code) {});
      return;
    }
    do_read();
  }
};

// Sync admin console, websocket_server_sync shape.
void admin_console(tcp::socket socket, int verdict) {
  websocket::stream<tcp::socket> ws{std::move(socket)};
  ws.accept();
  beast::flat_buffer b;
  beast::error_code ec;
  ws.read(b, ec);
  if (ec)
    return;
  switch (verdict) {
  case 0:
    ws.close(websocket::close_code::normal);
    break;
  case 1:
    ws.close(websocket::close_code::going_away);
    break;
  case 2:
    ws.close(999); // expect: errorshield-ws-close-code
    break;
  case 3:
    ws.close(2500); // expect: errorshield-ws-close-code
    break;
  case 4:
    ws.close(3000); // registered-library range: valid
    break;
  case 5:
    ws.close(4999);
    break;
  case 6:
    ws.close(5000); // expect: errorshield-ws-close-code
    break;
  case 7:
    ws.close({websocket::close_code::reserved1, "x"}); // expect: errorshield-ws-close-code
    break;
  case 8:
    ws.close(websocket::close_code::none); // empty close frame: allowed
    break;
  default:
    ws.close({}); // default close_reason, empty close frame
    break;
  }
}

// Upstream exchange connection (client). Echoes the server's reason back,
// which is the standard close handshake.
void upstream(net::io_context &ioc, std::string host) {
  websocket::stream<tcp::socket> ws{ioc};
  tcp::resolver r{ioc};
  net::connect(ws.next_layer(), r.resolve(host, "443"));
  ws.handshake(host, "/md");
  beast::flat_buffer b;
  beast::error_code ec;
  ws.read(b, ec);
  if (ec == websocket::error::closed)
    return;
  websocket::close_reason cr;
  cr.code = 4000;
  cr.reason = "client done";
  ws.close(cr);
}

} // namespace feed
