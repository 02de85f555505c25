// checks: errorshield-ws-close-code
// Push-notification relay gateway: app backends hold a TLS WebSocket to the
// gateway; this unit implements the teardown paths (drain on deploy, auth
// failure, provider outages, oversized payloads).
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

namespace pushgw {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using json = nlohmann::json;
using net::awaitable;
using net::use_awaitable;

using tls_ws = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

struct GatewayConfig {
  std::chrono::seconds drain_grace{20};
  std::uint16_t drain_close_code = 4100;  // "reconnect to another node"
  std::uint16_t token_revoked_code = 4401;
  std::size_t max_batch = 500;
};

enum class ProviderFailure { apns_unreachable, fcm_quota, token_invalid, upstream_tls };

// Maps an upstream provider failure to what the backend SDK understands.
inline websocket::close_reason provider_close(ProviderFailure f) {
  websocket::close_reason cr;
  switch (f) {
  case ProviderFailure::apns_unreachable:
  case ProviderFailure::upstream_tls:
    cr.code = websocket::close_code::try_again_later;
    cr.reason = "provider unavailable";
    break;
  case ProviderFailure::fcm_quota:
    cr.code = 4429;
    cr.reason = "provider quota";
    break;
  case ProviderFailure::token_invalid:
    cr.code = 4410;
    cr.reason = "token invalid";
    break;
  }
  return cr;
}

inline void log_peer_close(const tls_ws &ws, const std::string &backend) {
  const auto code = ws.reason().code;
  switch (code) {
  case websocket::close_code::no_status:
    std::clog << backend << " closed without status\n";
    break;
  case 1006:
    std::clog << backend << " dropped (abnormal)\n";
    break;
  default:
    std::clog << backend << " closed with " << code << '\n';
  }
}

class BackendSession {
public:
  BackendSession(tls_ws &ws, GatewayConfig cfg, std::string backend_id)
      : ws_(ws), cfg_(cfg), backend_id_(std::move(backend_id)) {}

  awaitable<void> on_tls_handshake_failed() {
    std::clog << backend_id_ << ": tls handshake failed\n";
    co_await ws_.async_close(websocket::close_code::reserved3, use_awaitable); // expect: errorshield-ws-close-code
  }

  awaitable<void> on_auth_failed() {
    std::clog << backend_id_ << ": bad api key\n";
    co_await ws_.async_close(websocket::close_code::policy_error, use_awaitable);
  }

  awaitable<void> on_drain() {
    // deploy in progress: tell the SDK to reconnect elsewhere
    co_await ws_.async_close(websocket::close_reason(cfg_.drain_close_code), use_awaitable);
  }

  awaitable<void> on_shutdown() {
    co_await ws_.async_close(websocket::close_code::going_away, use_awaitable);
  }

  awaitable<void> on_provider_failure(ProviderFailure f) {
    auto cr = provider_close(f);
    std::clog << backend_id_ << ": provider failure, closing with " << cr.code << '\n';
    co_await ws_.async_close(cr, use_awaitable);
  }

  awaitable<void> on_token_revoked(const std::string &token) {
    std::clog << backend_id_ << ": token revoked " << token << '\n';
    co_await ws_.async_close(websocket::close_reason(cfg_.token_revoked_code), use_awaitable);
  }

  awaitable<void> on_batch_too_large(std::size_t n) {
    std::clog << backend_id_ << ": batch " << n << " > " << cfg_.max_batch << '\n';
    co_await ws_.async_close(websocket::close_code::too_big, use_awaitable);
  }

  awaitable<void> on_tenant_suspended() {
    // billing team asked for a distinct code the SDK can surface
    std::clog << backend_id_ << ": tenant suspended\n";
    co_await ws_.async_close(websocket::close_reason{6001}, use_awaitable); // expect: errorshield-ws-close-code
  }

  awaitable<void> on_duplicate_connection() {
    const std::uint16_t kDuplicate = 1016;
    co_await ws_.async_close(websocket::close_reason(kDuplicate), use_awaitable); // expect: errorshield-ws-close-code
  }

  awaitable<void> on_bad_json(const std::string &preview) {
    std::clog << backend_id_ << ": unparsable submit: " << preview.substr(0, 32) << '\n';
    co_await ws_.async_close(websocket::close_code::bad_payload, use_awaitable);
  }

private:
  tls_ws &ws_;
  GatewayConfig cfg_;
  std::string backend_id_;
};

// Drain everything on SIGTERM: each session gets the configured drain code.
awaitable<void> drain_all(std::vector<tls_ws *> sessions, GatewayConfig cfg) {
  for (auto *ws : sessions) {
    beast::error_code ec;
    auto token = net::redirect_error(use_awaitable, ec);
    co_await ws->async_close(websocket::close_reason(cfg.drain_close_code), token);
    if (ec)
      std::clog << "drain close failed: " << ec.message() << '\n';
  }
}

// Legacy stackful handler for the v1 batch endpoint, still used by two tenants.
void legacy_batch_session(tls_ws &ws, net::yield_context yield) {
  beast::error_code ec;
  beast::flat_buffer buf;
  ws.async_read(buf, yield[ec]);
  if (ec == websocket::error::closed) {
    log_peer_close(ws, "legacy");
    return;
  }
  if (ec) {
    // v1 SDK treats 1004 as "retry later"
    ws.async_close(websocket::close_code::reserved1, yield[ec]); // expect: errorshield-ws-close-code
    return;
  }
  json batch = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
  if (batch.is_discarded() || !batch.is_array()) {
    ws.async_close(websocket::close_code::bad_payload, yield[ec]);
    return;
  }
  ws.text(true);
  ws.async_write(net::buffer(json{{"accepted", batch.size()}}.dump()), yield[ec]);
  if (!ec)
    ws.async_close(websocket::close_code::normal, yield[ec]);
}

// Health probe connection from the load balancer: close right away.
void probe_session(tls_ws &ws, net::yield_context yield) {
  beast::error_code ec;
  ws.async_close(websocket::close_reason(websocket::close_code::normal, "probe ok"), yield[ec]);
}

// Upstream relay to the regional fan-out node.
awaitable<void> close_upstream(tls_ws &up, bool upstream_tls_broken) {
  beast::error_code ec;
  if (upstream_tls_broken) {
    co_await up.async_close(websocket::close_reason(1015), net::redirect_error(use_awaitable, ec)); // expect: errorshield-ws-close-code
    co_return;
  }
  co_await up.async_close(provider_close(ProviderFailure::upstream_tls),
                          net::redirect_error(use_awaitable, ec));
}

} // namespace pushgw

int main() {
  boost::asio::io_context ioc;
  boost::asio::ssl::context ctx{boost::asio::ssl::context::tlsv12_server};
  pushgw::tls_ws ws{ioc, ctx};
  pushgw::BackendSession s{ws, {}, "tenant-a"};
  boost::asio::co_spawn(ioc, s.on_shutdown(), boost::asio::detached);
}
