// checks: errorshield-ws-close-code
// Trading websocket gateway: coroutine sessions close clients for auth, rate
// limiting and risk reasons; a stackful proxy forwards upstream close codes.
#include <chrono>
#include <cstdint>
#include <iostream>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;

using tls_ws = websocket::stream<ssl::stream<beast::tcp_stream>>;
using plain_ws = websocket::stream<beast::tcp_stream>;

namespace close_codes {
constexpr std::uint16_t kAuthFailed = 4401;
constexpr std::uint16_t kRateLimited = 4429;
constexpr std::uint16_t kRiskHalt = 4503;
constexpr std::uint16_t kConnectionLost = 1006; // for dashboards only
constexpr std::uint16_t kVendorMax = 4999;
constexpr std::uint16_t kLegacyShutdown = 5000; // from the 2016 protocol doc
} // namespace close_codes

// Picks what to put on the wire when forwarding an upstream close. Codes
// that must not be sent are replaced with a generic one.
std::uint16_t sanitize_for_wire(std::uint16_t upstream) {
  if (upstream < 1000 || upstream > 4999) return websocket::close_code::internal_error;
  switch (upstream) {
  case websocket::close_code::reserved1:
  case websocket::close_code::no_status:
  case websocket::close_code::abnormal:
  case websocket::close_code::reserved3:
    return websocket::close_code::going_away;
  default:
    break;
  }
  if (upstream > 1013 && upstream < 3000) return websocket::close_code::internal_error;
  return upstream;
}

void emit_metric(std::string_view name, std::uint16_t code) {
  std::cout << name << "{code=\"" << code << "\"} 1\n";
}

// Closes any stream type with a JSON explanation first.
template <class NextLayer>
awaitable<void> close_with_notice(websocket::stream<NextLayer>& ws, std::uint16_t code,
                                  std::string_view why) {
  nlohmann::json notice{{"type", "disconnect"}, {"code", code}, {"reason", why}};
  auto s = notice.dump();
  co_await ws.async_write(net::buffer(s), use_awaitable);
  co_await ws.async_close(code, use_awaitable);
}

// ---------------------------------------------------------------------------
awaitable<void> client_session(tls_ws ws) {
  co_await ws.next_layer().async_handshake(ssl::stream_base::server, use_awaitable);
  co_await ws.async_accept(use_awaitable);

  beast::flat_buffer buf;
  co_await ws.async_read(buf, use_awaitable);
  auto hello = nlohmann::json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
  buf.consume(buf.size());

  if (hello.is_discarded()) {
    co_await ws.async_close(websocket::close_code::protocol_error, use_awaitable);
    co_return;
  }
  if (!hello.contains("token")) {
    co_await ws.async_close(close_codes::kAuthFailed, use_awaitable);
    co_return;
  }

  unsigned burst = 0;
  for (;;) {
    beast::error_code ec;
    co_await ws.async_read(buf, net::redirect_error(use_awaitable, ec));
    if (ec) {
      // Peer vanished: count it as 1006, nothing can be sent anyway.
      emit_metric("ws_disconnect", close_codes::kConnectionLost);
      co_return;
    }
    buf.consume(buf.size());
    if (++burst > 500) {
      co_await close_with_notice(ws, close_codes::kRateLimited, "slow down");
      co_return;
    }
  }
}

// Risk engine halted the account: the author reused the "lost" constant so
// the client's reconnect logic would treat it like a network drop.
awaitable<void> risk_halt(plain_ws& ws, bool hard) {
  if (hard) {
    co_await ws.async_close(close_codes::kConnectionLost, use_awaitable); // expect: errorshield-ws-close-code
    co_return;
  }
  co_await ws.async_close(close_codes::kRiskHalt, use_awaitable);
}

// Market closed for the day: ends the session with the legacy code.
awaitable<void> end_of_day(plain_ws& ws) {
  co_await close_with_notice(ws, close_codes::kLegacyShutdown, "market closed"); // expect: errorshield-ws-close-code
}

// Upper edge of the private range is still valid.
awaitable<void> session_expired(plain_ws& ws) {
  co_await ws.async_close(websocket::close_reason{static_cast<websocket::close_code>(close_codes::kVendorMax), "expired"},
                          use_awaitable);
}

// Reserved 1004 used as "we don't know why".
awaitable<void> unknown_failure(plain_ws& ws) {
  co_await ws.async_close(websocket::close_code::reserved1, use_awaitable); // expect: errorshield-ws-close-code
}

// Server restart with an IANA-registered code.
awaitable<void> restarting(plain_ws& ws) {
  co_await ws.async_close(websocket::close_code::service_restart, use_awaitable);
}

// ---------------------------------------------------------------------------
// Stackful proxy: mirrors the upstream close to the downstream client.
void forward_close(plain_ws& upstream, plain_ws& downstream, net::yield_context yield) {
  beast::error_code ec;
  beast::flat_buffer buf;
  upstream.async_read(buf, yield[ec]);
  if (ec != websocket::error::closed) return;

  auto code = upstream.reason().code;
  emit_metric("upstream_close", code);
  downstream.async_close(sanitize_for_wire(code), yield[ec]);
}

// Older proxy build: passes the upstream reason straight through. When the
// upstream TCP connection drops, Beast reports 1005/1006 locally and that
// value ends up in our outgoing close frame.
void forward_close_v1(plain_ws& upstream, plain_ws& downstream, net::yield_context yield) {
  beast::error_code ec;
  beast::flat_buffer buf;
  upstream.async_read(buf, yield[ec]);
  if (ec) {
    downstream.async_close(websocket::close_reason{websocket::close_code::abnormal, ec.message()}, yield[ec]); // expect: errorshield-ws-close-code
    return;
  }
}

// Admin kill switch: negative sentinel from a config file, cast to 16 bits.
void kill_switch(plain_ws& ws, net::yield_context yield) {
  beast::error_code ec;
  ws.async_close(static_cast<std::uint16_t>(999), yield[ec]); // expect: errorshield-ws-close-code
}

// Graceful client-side disconnect from the upstream venue.
void leave_venue(plain_ws& ws, net::yield_context yield) {
  beast::error_code ec;
  ws.async_close(websocket::close_reason{"session end"}, yield[ec]);
  if (ec) emit_metric("venue_close_error", websocket::close_code::abnormal);
}

// ---------------------------------------------------------------------------
awaitable<void> listener(ssl::context& ctx) {
  auto ex = co_await net::this_coro::executor;
  tcp::acceptor acc{ex, {tcp::v4(), 8444}};
  for (;;) {
    auto sock = co_await acc.async_accept(use_awaitable);
    net::co_spawn(ex, client_session(tls_ws{std::move(sock), ctx}), net::detached);
  }
}

int main() {
  net::io_context ioc;
  ssl::context ctx{ssl::context::tls_server};
  net::co_spawn(ioc, listener(ctx), net::detached);
  ioc.run_for(std::chrono::seconds(3600));
}
