// checks: errorshield-ws-message-limit
// Telemetry ingest gateway: IoT devices stream JSON over TLS websockets
// (coroutines); a stackful worker replays batches from the edge cache.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <string>
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

constexpr std::size_t kHardCap = 4u * 1024 * 1024; // never accept more than 4 MiB

struct IngestConfig {
  std::size_t max_batch_bytes = 256 * 1024;
  std::string tenant;
};

// Common hardening applied to every server-side stream, whatever the layer.
template <class NextLayer>
void harden(websocket::stream<NextLayer>& ws, IngestConfig const& cfg) {
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(std::min<std::size_t>(cfg.max_batch_bytes, kHardCap));
  ws.auto_fragment(false);
}

void store(std::string const& tenant, nlohmann::json const& j) {
  std::cout << tenant << ": " << j.size() << " points\n";
}

// ---------------------------------------------------------------------------
// Device telemetry (TLS): hardened via the template above.
awaitable<void> device_session(tls_ws ws, IngestConfig cfg) {
  co_await ws.next_layer().async_handshake(ssl::stream_base::server, use_awaitable);
  harden(ws, cfg);
  co_await ws.async_accept(use_awaitable);

  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    auto j = nlohmann::json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    if (!j.is_discarded()) store(cfg.tenant, j);
    buf.consume(buf.size());
  }
}

// Gateway-to-gateway session (TLS): peers are "trusted", so nobody capped it.
awaitable<void> peer_gateway_session(tls_ws ws, std::string peer) {
  co_await ws.next_layer().async_handshake(ssl::stream_base::server, use_awaitable);
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(use_awaitable);

  beast::flat_buffer buf;
  for (;;) {
    std::size_t n = co_await ws.async_read(buf, use_awaitable); // expect: errorshield-ws-message-limit
    std::cout << peer << " forwarded " << n << " bytes\n";
    buf.consume(n);
  }
}

// Firmware log upload: limit raised to "something that will never trigger".
awaitable<void> firmware_log_session(plain_ws ws) {
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(std::uint64_t{8} * 1024 * 1024 * 1024); // expect: errorshield-ws-message-limit
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf;
  co_await ws.async_read(buf, use_awaitable);
}

// Heartbeat endpoint: messages are a few bytes; cap is tiny and explicit.
awaitable<void> heartbeat_session(plain_ws ws) {
  ws.read_message_max(128);
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf{128};
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    buf.consume(buf.size());
  }
}

// Command channel to devices: the server only *sends* commands here.
awaitable<void> command_push(plain_ws ws, std::vector<nlohmann::json> cmds) {
  co_await ws.async_accept(use_awaitable);
  ws.text(true);
  for (auto const& c : cmds) {
    auto s = c.dump();
    co_await ws.async_write(net::buffer(s), use_awaitable);
  }
  co_await ws.async_close(websocket::close_code::normal, use_awaitable);
}

// Metrics scrape: reads partial frames with read_some, still no message cap.
awaitable<void> metrics_scrape(plain_ws ws) {
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf;
  while (!ws.is_message_done() || buf.size() == 0) {
    co_await ws.async_read_some(buf, 4096, use_awaitable); // expect: errorshield-ws-message-limit
    if (ws.is_message_done()) break;
  }
}

// ---------------------------------------------------------------------------
// Edge cache replay (stackful). We are the client of the edge node here.
void replay_from_edge(net::io_context& ioc, std::string host, IngestConfig cfg,
                      net::yield_context yield) {
  beast::error_code ec;
  tcp::resolver resolver{ioc};
  plain_ws ws{ioc};
  beast::get_lowest_layer(ws).async_connect(resolver.resolve(host, "8090"), yield[ec]);
  if (ec) return;
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  ws.read_message_max(cfg.max_batch_bytes > kHardCap ? kHardCap : cfg.max_batch_bytes);
  ws.async_handshake(host, "/replay", yield[ec]);

  beast::flat_buffer buf;
  while (!ec) {
    ws.async_read(buf, yield[ec]);
    if (ec) break;
    auto j = nlohmann::json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    if (!j.is_discarded()) store(cfg.tenant, j);
    buf.consume(buf.size());
  }
}

// Legacy synchronous bulk loader, kept for the nightly migration job.
void bulk_loader(tcp::socket sock) {
  websocket::stream<tcp::socket> ws{std::move(sock)};
  beast::error_code ec;
  ws.accept(ec);
  if (ec) return;
  beast::multi_buffer mb;
  ws.read(mb, ec); // expect: errorshield-ws-message-limit
  std::cout << "loaded " << mb.size() << " bytes\n";
}

// ---------------------------------------------------------------------------
awaitable<void> listener(ssl::context& ctx, IngestConfig cfg) {
  auto ex = co_await net::this_coro::executor;
  tcp::acceptor acc{ex, {tcp::v4(), 8883}};
  for (;;) {
    auto sock = co_await acc.async_accept(use_awaitable);
    auto remote = sock.remote_endpoint().address().to_string();
    if (remote.starts_with("10."))
      net::co_spawn(ex, peer_gateway_session(tls_ws{std::move(sock), ctx}, remote), net::detached);
    else
      net::co_spawn(ex, device_session(tls_ws{std::move(sock), ctx}, cfg), net::detached);
  }
}

int main() {
  net::io_context ioc;
  ssl::context ctx{ssl::context::tls_server};
  IngestConfig cfg{128 * 1024, "acme"};
  net::co_spawn(ioc, listener(ctx, cfg), net::detached);
  net::spawn(ioc, [&](net::yield_context y) { replay_from_edge(ioc, "edge-1.local", cfg, y); },
             net::detached);
  ioc.run();
}
