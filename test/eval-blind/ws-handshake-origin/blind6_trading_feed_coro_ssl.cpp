// checks: errorshield-ws-handshake-origin
// Market-data / order-entry front end over TLS. Sessions are C++20 coroutines,
// the legacy admin console still uses stackful spawn.
#include <chrono>
#include <iostream>
#include <optional>
#include <set>
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
using upgrade_request = http::request<http::string_body>;

// Loaded from the venue config at startup.
struct OriginPolicy {
  std::set<std::string, std::less<>> allowed;

  bool permits(upgrade_request const& req) const {
    auto it = req.find(http::field::origin);
    if (it == req.end()) return false;
    auto v = it->value();
    return allowed.find(std::string_view(v.data(), v.size())) != allowed.end();
  }
};

OriginPolicy g_policy{{"https://trade.example.com", "https://desk.example.com"}};

// Returns the first protocol from `supported` that the client listed.
std::optional<std::string> pick_protocol(upgrade_request const& req,
                                         std::initializer_list<std::string_view> supported) {
  auto offered = req[http::field::sec_websocket_protocol];
  for (auto want : supported) {
    std::size_t pos = 0;
    while (pos <= offered.size()) {
      auto end = offered.find(',', pos);
      if (end == beast::string_view::npos) end = offered.size();
      auto tok = offered.substr(pos, end - pos);
      while (!tok.empty() && tok.front() == ' ') tok.remove_prefix(1);
      while (!tok.empty() && tok.back() == ' ') tok.remove_suffix(1);
      if (tok == beast::string_view(want.data(), want.size())) return std::string(want);
      pos = end + 1;
    }
  }
  return std::nullopt;
}

awaitable<void> reject(tls_ws& ws, upgrade_request const& req, http::status st) {
  http::response<http::string_body> res{st, req.version()};
  res.body() = "handshake refused";
  res.prepare_payload();
  co_await http::async_write(ws.next_layer(), res, use_awaitable);
}

// Generic accept helper shared by all TLS endpoints: checks Origin first.
template <class NextLayer>
awaitable<bool> accept_checked(websocket::stream<NextLayer>& ws, upgrade_request const& req) {
  if (!g_policy.permits(req)) {
    http::response<http::empty_body> res{http::status::forbidden, req.version()};
    co_await http::async_write(ws.next_layer(), res, use_awaitable);
    co_return false;
  }
  co_await ws.async_accept(req, use_awaitable);
  co_return true;
}

// ---------------------------------------------------------------------------
// Quotes: uses the shared helper, answers "md.v2" only when the client asked.
awaitable<void> quotes_session(tls_ws ws, upgrade_request req) {
  auto proto = pick_protocol(req, {"md.v2", "md.v1"});
  ws.set_option(websocket::stream_base::decorator([proto](websocket::response_type& res) {
    if (proto) res.set(http::field::sec_websocket_protocol, *proto);
  }));
  if (!co_await accept_checked(ws, req)) co_return;

  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    buf.consume(buf.size());
  }
}

// Order entry: API key in the query string is validated, Origin is not.
awaitable<void> orders_session(tls_ws ws, upgrade_request req) {
  auto target = req.target();
  if (target.find("apikey=") == beast::string_view::npos) {
    co_await reject(ws, req, http::status::unauthorized);
    co_return;
  }
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(http::field::server, "oe-gw/4.2");
  }));
  co_await ws.async_accept(req, use_awaitable); // expect: errorshield-ws-handshake-origin

  beast::flat_buffer buf;
  co_await ws.async_read(buf, use_awaitable);
  auto order = nlohmann::json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
  if (order.is_discarded()) co_return;
}

// Drop-copy feed: origin checked inline, but the FIX-over-WS protocol name is
// stamped on every response regardless of what the client offered.
awaitable<void> dropcopy_session(tls_ws ws, upgrade_request req) {
  auto origin = req[http::field::origin];
  if (origin != "https://desk.example.com") {
    co_await reject(ws, req, http::status::forbidden);
    co_return;
  }
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(http::field::sec_websocket_protocol, "fix.json.v1"); // expect: errorshield-ws-handshake-origin
  }));
  co_await ws.async_accept(req, use_awaitable);
}

// Ticker for the public website: origin checked, and protocol echoed only when
// the client offered exactly the one we speak.
awaitable<void> ticker_session(tls_ws ws, upgrade_request req) {
  if (!g_policy.permits(req)) {
    co_await reject(ws, req, http::status::forbidden);
    co_return;
  }
  bool offered = req[http::field::sec_websocket_protocol] == "ticker";
  ws.set_option(websocket::stream_base::decorator([offered](websocket::response_type& res) {
    if (offered) res.set(http::field::sec_websocket_protocol, "ticker");
  }));
  co_await ws.async_accept(req, use_awaitable);
}

// Upstream venue connection: we are the client; the Origin header is ours to send.
awaitable<void> venue_uplink(ssl::context& ctx, std::string host) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver{ex};
  tls_ws ws{ex, ctx};
  auto eps = co_await resolver.async_resolve(host, "443", use_awaitable);
  co_await beast::get_lowest_layer(ws).async_connect(eps, use_awaitable);
  co_await ws.next_layer().async_handshake(ssl::stream_base::client, use_awaitable);
  ws.set_option(websocket::stream_base::decorator([](websocket::request_type& r) {
    r.set(http::field::origin, "https://trade.example.com");
    r.set(http::field::sec_websocket_protocol, "venue.md.v5");
  }));
  co_await ws.async_handshake(host, "/stream", use_awaitable);
}

// ---------------------------------------------------------------------------
// Legacy admin console (stackful). Two variants are still deployed.
void admin_console(tls_ws& ws, upgrade_request const& req, net::yield_context yield) {
  beast::error_code ec;
  if (req[http::field::authorization].empty()) return;
  ws.async_accept(req, yield[ec]); // expect: errorshield-ws-handshake-origin
  if (ec) std::cerr << "admin accept: " << ec.message() << "\n";
}

void admin_console_v2(tls_ws& ws, upgrade_request const& req, net::yield_context yield) {
  beast::error_code ec;
  auto origin = req[http::field::origin];
  if (origin.empty() || !beast::iequals(origin, "https://ops.example.com")) {
    http::response<http::empty_body> res{http::status::forbidden, req.version()};
    http::async_write(ws.next_layer(), res, yield[ec]);
    return;
  }
  ws.async_accept(req, yield[ec]);
}

// ---------------------------------------------------------------------------
awaitable<void> dispatch(tcp::socket sock, ssl::context& ctx) {
  tls_ws ws{std::move(sock), ctx};
  co_await ws.next_layer().async_handshake(ssl::stream_base::server, use_awaitable);
  beast::flat_buffer buf;
  upgrade_request req;
  co_await http::async_read(ws.next_layer(), buf, req, use_awaitable);
  if (!websocket::is_upgrade(req)) co_return;

  auto t = req.target();
  if (t.starts_with("/quotes"))
    co_await quotes_session(std::move(ws), std::move(req));
  else if (t.starts_with("/orders"))
    co_await orders_session(std::move(ws), std::move(req));
  else if (t.starts_with("/dropcopy"))
    co_await dropcopy_session(std::move(ws), std::move(req));
  else
    co_await ticker_session(std::move(ws), std::move(req));
}

awaitable<void> listener(ssl::context& ctx) {
  auto ex = co_await net::this_coro::executor;
  tcp::acceptor acc{ex, {tcp::v4(), 8443}};
  for (;;) {
    auto sock = co_await acc.async_accept(use_awaitable);
    net::co_spawn(ex, dispatch(std::move(sock), ctx), net::detached);
  }
}

int main() {
  net::io_context ioc;
  ssl::context ctx{ssl::context::tls_server};
  net::co_spawn(ioc, listener(ctx), net::detached);
  ioc.run_for(std::chrono::hours(24));
}
