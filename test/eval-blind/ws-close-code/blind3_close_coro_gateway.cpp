// checks: errorshield-ws-close-code
// API gateway: coroutine WebSocket proxy, TLS upstreams, config-driven shutdown.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <cstdint>
#include <iostream>
#include <optional>
#include <string>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;

using plain_ws = websocket::stream<beast::tcp_stream>;
using tls_ws = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

struct GatewayConfig {
  std::uint16_t drain_close_code = 1001;
  std::uint16_t auth_fail_close_code = 4401;
  std::string drain_reason = "gateway draining";
};

enum class Failure { none, auth, upstream_down, overload, bad_frame };

// Maps an internal failure to a close code.
websocket::close_code to_close_code(Failure f) {
  switch (f) {
  case Failure::auth:
    return websocket::close_code::policy_error;
  case Failure::upstream_down:
    return websocket::close_code::try_again_later;
  case Failure::overload:
    return websocket::close_code::service_restart;
  case Failure::bad_frame:
    return websocket::close_code::protocol_error;
  case Failure::none:
    break;
  }
  return websocket::close_code::normal;
}

awaitable<void> drain(plain_ws& ws, GatewayConfig const& cfg) {
  websocket::close_reason cr{cfg.drain_close_code};
  cr.reason = cfg.drain_reason;
  co_await ws.async_close(cr, use_awaitable);
}

awaitable<void> reject_auth(plain_ws& ws, GatewayConfig const& cfg) {
  co_await ws.async_close(cfg.auth_fail_close_code, use_awaitable);
}

awaitable<void> fail_session(plain_ws& ws, Failure f) {
  co_await ws.async_close(to_close_code(f), use_awaitable);
}

awaitable<void> upstream_lost(plain_ws& ws) {
  // The upstream TCP connection dropped: tell the browser it was "abnormal".
  websocket::close_reason cr;
  cr.code = websocket::close_code::abnormal;
  cr.reason = "upstream lost";
  co_await ws.async_close(cr, use_awaitable); // expect: errorshield-ws-close-code
}

awaitable<void> upstream_lost_fixed(plain_ws& ws) {
  websocket::close_reason cr;
  cr.code = websocket::close_code::going_away;
  cr.reason = "upstream lost";
  co_await ws.async_close(cr, use_awaitable);
}

awaitable<void> client_gone(plain_ws& ws) {
  std::uint16_t code = 1005; // "no status received"
  co_await ws.async_close(code, use_awaitable); // expect: errorshield-ws-close-code
}

awaitable<void> client_gone_reassigned(plain_ws& ws, bool graceful) {
  std::uint16_t code = 1005;
  code = graceful ? 1000 : 1001;
  co_await ws.async_close(code, use_awaitable);
}

awaitable<void> pump(plain_ws& down, plain_ws& up) {
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await down.async_read(buf, net::as_tuple(use_awaitable));
    if (ec == websocket::error::closed) {
      // propagate the peer's close code upstream
      co_await up.async_close(down.reason(), use_awaitable);
      co_return;
    }
    if (ec) {
      co_await up.async_close(websocket::close_code::internal_error, use_awaitable);
      co_return;
    }
    up.text(down.got_text());
    co_await up.async_write(buf.data(), use_awaitable);
    buf.consume(n);
  }
}

// ---------------------------------------------------------------------------
// TLS upstream client

class upstream_client {
  tls_ws ws_;
  std::optional<std::uint16_t> pending_close_;

public:
  upstream_client(net::io_context& ioc, ssl::context& ctx) : ws_(ioc, ctx) {}

  void schedule_close(std::uint16_t c) { pending_close_ = c; }

  void close_now() {
    beast::error_code ec;
    if (pending_close_)
      ws_.close(*pending_close_, ec);
    else
      ws_.close(websocket::close_code::normal, ec);
  }

  void handshake_failed() {
    beast::error_code ec;
    ws_.close(1015, ec); // expect: errorshield-ws-close-code
  }

  void shutdown_for_deploy() {
    ws_.async_close(websocket::close_code::going_away, [](beast::error_code ec) {
      if (ec)
        std::cerr << "close: " << ec.message() << "\n";
    });
  }

  void shutdown_legacy() {
    ws_.async_close(websocket::close_reason(static_cast<std::uint16_t>(1100)), // expect: errorshield-ws-close-code
                    [](beast::error_code) {});
  }

  void shutdown_app() {
    ws_.async_close(websocket::close_reason(static_cast<std::uint16_t>(4500)),
                    [](beast::error_code) {});
  }
};

// ---------------------------------------------------------------------------

struct gateway {
  GatewayConfig cfg;
  static constexpr std::uint16_t kMaintenance = 4503;
  static constexpr std::uint16_t kBogus = 65535;

  awaitable<void> maintenance(plain_ws& ws) {
    co_await ws.async_close(kMaintenance, use_awaitable);
  }

  awaitable<void> bogus(plain_ws& ws) {
    co_await ws.async_close(kBogus, use_awaitable); // expect: errorshield-ws-close-code
  }

  awaitable<void> zero_code(plain_ws& ws) {
    co_await ws.async_close(websocket::close_reason(std::uint16_t{0}), use_awaitable);
  }

  awaitable<void> negative_style(plain_ws& ws) {
    co_await ws.async_close(static_cast<std::uint16_t>(500), use_awaitable); // expect: errorshield-ws-close-code
  }
};

int main() {
  net::io_context ioc;
  ssl::context ctx{ssl::context::tlsv12_client};
  upstream_client c{ioc, ctx};
  c.schedule_close(4000);
  c.close_now();
  ioc.run();
}
