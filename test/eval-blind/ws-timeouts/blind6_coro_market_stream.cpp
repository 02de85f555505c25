// checks: errorshield-ws-timeouts
// Market-data relay: accepts browser/desk clients over TLS (coroutines) and
// maintains upstream exchange connections (stackful spawn).
#include <chrono>
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
using namespace std::chrono_literals;

using tls_ws = websocket::stream<ssl::stream<beast::tcp_stream>>;
using plain_ws = websocket::stream<beast::tcp_stream>;

struct RelaySettings {
  std::chrono::seconds handshake = 10s;
  std::chrono::seconds idle = 45s;
};

// Applies relay timeouts to any websocket stream type.
template <class NextLayer>
void apply_relay_timeouts(websocket::stream<NextLayer>& ws, RelaySettings const& s) {
  websocket::stream_base::timeout t;
  t.handshake_timeout = s.handshake;
  t.idle_timeout = s.idle;
  t.keep_alive_pings = true;
  ws.set_option(t);
}

void publish(nlohmann::json const& tick) { std::cout << tick.dump() << '\n'; }

// ---------------------------------------------------------------------------
// Desk client session (TLS): suggested server timeouts.
awaitable<void> desk_session(tls_ws ws) {
  beast::get_lowest_layer(ws).expires_after(30s);
  co_await ws.next_layer().async_handshake(ssl::stream_base::server, use_awaitable);
  beast::get_lowest_layer(ws).expires_never();

  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(use_awaitable);

  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    buf.consume(buf.size());
  }
}

// Browser ticker session (TLS): TLS handshake is bounded by the tcp_stream
// deadline, but the websocket layer itself never gets a timeout.
awaitable<void> browser_session(tls_ws ws) {
  beast::get_lowest_layer(ws).expires_after(30s);
  co_await ws.next_layer().async_handshake(ssl::stream_base::server, use_awaitable);
  beast::get_lowest_layer(ws).expires_never();

  co_await ws.async_accept(use_awaitable); // expect: errorshield-ws-timeouts
  beast::flat_buffer buf;
  for (;;) {
    auto n = co_await ws.async_read(buf, use_awaitable);
    buf.consume(n);
  }
}

// Internal analytics session: timeouts applied through the template helper.
awaitable<void> analytics_session(plain_ws ws, RelaySettings settings) {
  apply_relay_timeouts(ws, settings);
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf;
  co_await ws.async_read(buf, use_awaitable);
}

// Replay session: handshake timeout kept, idle disabled because replays can
// pause for a long time between chunks.
awaitable<void> replay_session(plain_ws ws) {
  websocket::stream_base::timeout t{};
  t.handshake_timeout = 20s;
  t.idle_timeout = websocket::stream_base::none(); // expect: errorshield-ws-timeouts
  t.keep_alive_pings = false;
  ws.set_option(t);
  co_await ws.async_accept(use_awaitable);
}

// Snapshot session: a tuned timeout built from suggested(), idle shortened.
awaitable<void> snapshot_session(plain_ws ws) {
  auto t = websocket::stream_base::timeout::suggested(beast::role_type::server);
  t.idle_timeout = 15s;
  ws.set_option(t);
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf;
  co_await ws.async_read(buf, use_awaitable);
}

// ---------------------------------------------------------------------------
// Upstream exchange feeds (client role, stackful).

// Primary feed: suggested client timeouts (handshake bounded, Beast's default
// client profile).
void primary_feed(net::io_context& ioc, ssl::context& ctx, std::string host,
                  net::yield_context yield) {
  beast::error_code ec;
  tcp::resolver resolver{ioc};
  auto eps = resolver.async_resolve(host, "443", yield[ec]);
  if (ec) return;
  tls_ws ws{ioc, ctx};
  beast::get_lowest_layer(ws).expires_after(30s);
  beast::get_lowest_layer(ws).async_connect(eps, yield[ec]);
  ws.next_layer().async_handshake(ssl::stream_base::client, yield[ec]);
  beast::get_lowest_layer(ws).expires_never();

  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  ws.async_handshake(host, "/v2/marketdata", yield[ec]);
  if (ec) return;

  beast::flat_buffer buf;
  while (!ec) {
    ws.async_read(buf, yield[ec]);
    auto j = nlohmann::json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    if (!j.is_discarded()) publish(j);
    buf.consume(buf.size());
  }
}

// Backup feed: copy of the primary with the timeout line lost in a refactor.
void backup_feed(net::io_context& ioc, std::string host, net::yield_context yield) {
  beast::error_code ec;
  tcp::resolver resolver{ioc};
  auto eps = resolver.async_resolve(host, "80", yield[ec]);
  if (ec) return;
  plain_ws ws{ioc};
  beast::get_lowest_layer(ws).async_connect(eps, yield[ec]);
  if (ec) return;
  ws.async_handshake(host, "/v2/marketdata", yield[ec]); // expect: errorshield-ws-timeouts

  beast::flat_buffer buf;
  while (!ec) {
    ws.async_read(buf, yield[ec]);
    buf.consume(buf.size());
  }
}

// Reference-data pull: explicit, fully bounded client timeouts.
void refdata_pull(net::io_context& ioc, std::string host, net::yield_context yield) {
  beast::error_code ec;
  tcp::resolver resolver{ioc};
  plain_ws ws{ioc};
  beast::get_lowest_layer(ws).async_connect(resolver.resolve(host, "80"), yield[ec]);
  ws.set_option(websocket::stream_base::timeout{10s, 60s, true});
  ws.async_handshake(host, "/refdata", yield[ec]);
  beast::flat_buffer buf;
  ws.async_read(buf, yield[ec]);
}

// Settlement gateway: everything disabled "until the vendor fixes pings".
void settlement_link(net::io_context& ioc, std::string host, net::yield_context yield) {
  beast::error_code ec;
  tcp::resolver resolver{ioc};
  plain_ws ws{ioc};
  beast::get_lowest_layer(ws).async_connect(resolver.resolve(host, "80"), yield[ec]);
  using sb = websocket::stream_base;
  ws.set_option(sb::timeout{sb::none(), sb::none(), false}); // expect: errorshield-ws-timeouts
  ws.async_handshake(host, "/settle", yield[ec]);
}

// ---------------------------------------------------------------------------
awaitable<void> listener(ssl::context& ctx, unsigned short port) {
  auto ex = co_await net::this_coro::executor;
  tcp::acceptor acc{ex, {tcp::v4(), port}};
  for (unsigned n = 0;; ++n) {
    auto sock = co_await acc.async_accept(use_awaitable);
    if (n % 2)
      net::co_spawn(ex, desk_session(tls_ws{std::move(sock), ctx}), net::detached);
    else
      net::co_spawn(ex, browser_session(tls_ws{std::move(sock), ctx}), net::detached);
  }
}

int main() {
  net::io_context ioc;
  ssl::context ctx{ssl::context::tls};
  net::co_spawn(ioc, listener(ctx, 9443), net::detached);
  net::spawn(ioc, [&](net::yield_context y) { primary_feed(ioc, ctx, "feed.exchange.example", y); },
             net::detached);
  net::spawn(ioc, [&](net::yield_context y) { backup_feed(ioc, "feed2.exchange.example", y); },
             net::detached);
  ioc.run();
}
