// checks: errorshield-ws-timeouts
// Logistics fleet tracking. Trucks stream GPS/telemetry, dispatchers watch the
// live map, reefer trailers report cold-chain sensors, and geofence events are
// pushed to a partner TMS over an outbound WebSocket. C++20 coroutines.
#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;
using json = nlohmann::json;
using namespace std::chrono_literals;

using ws_t = websocket::stream<beast::tcp_stream>;

static void record_position(const json& fix) { (void)fix; /* write to the tracking store */ }

static awaitable<void> read_fixes(ws_t& ws) {
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    auto fix = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (!fix.is_discarded()) record_position(fix);
  }
}

// Truck telemetry units. Follows the Beast recommendation: turn the TCP
// timer off and let the websocket stream manage handshake and idle timeouts.
awaitable<void> telemetry_ingress(tcp::socket sock) {
  ws_t ws(std::move(sock));
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(use_awaitable);
  co_await read_fixes(ws);
}

// Dispatcher live map. The HTTP part is read first to pick the depot.
awaitable<void> dispatcher_console(tcp::socket sock) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  stream.expires_after(15s);
  co_await http::async_read(stream, buf, req, use_awaitable);
  stream.expires_never();  // the websocket layer owns timeouts from here on

  ws_t ws(std::move(stream));
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(http::field::server, "fleet-dispatch/3.4");
  }));
  co_await ws.async_accept(req, use_awaitable); // expect: errorshield-ws-timeouts
  co_await read_fixes(ws);
}

// Driver phone app (proof-of-delivery photos, ETA updates).
awaitable<void> driver_app(tcp::socket sock) {
  ws_t ws(std::move(sock));
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client)); // expect: errorshield-ws-timeouts
  co_await ws.async_accept(use_awaitable);
  co_await read_fixes(ws);
}

// Reefer trailers: they drive through tunnels and mountain dead zones, so the
// idle timer kept dropping them; handshakes still get a hard limit.
awaitable<void> cold_chain_gateway(tcp::socket sock) {
  ws_t ws(std::move(sock));
  beast::get_lowest_layer(ws).expires_never();
  websocket::stream_base::timeout opt{};
  opt.handshake_timeout = 20s;
  opt.idle_timeout = websocket::stream_base::none();
  opt.keep_alive_pings = false;
  ws.set_option(opt); // expect: errorshield-ws-timeouts
  co_await ws.async_accept(use_awaitable);
  co_await read_fixes(ws);
}

// Yard cameras: no websocket timeout option, the TCP layer's per-operation
// deadline is re-armed before every read instead.
awaitable<void> yard_camera_feed(tcp::socket sock) {
  ws_t ws(std::move(sock));
  beast::get_lowest_layer(ws).expires_after(10s);
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    beast::get_lowest_layer(ws).expires_after(45s);
    co_await ws.async_read(buf, use_awaitable);
    buf.consume(buf.size());
  }
}

// Route planner subscriptions: a watchdog coroutine closes the socket when
// no frame arrived for 60s. The timer is armed before the handshake.
static awaitable<void> idle_watchdog(std::shared_ptr<ws_t> ws,
                                    std::shared_ptr<net::steady_timer> idle) {
  for (;;) {
    beast::error_code ec;
    co_await idle->async_wait(net::redirect_error(use_awaitable, ec));
    if (idle->expiry() <= net::steady_timer::clock_type::now()) {
      beast::get_lowest_layer(*ws).socket().close(ec);
      co_return;
    }
  }
}

awaitable<void> route_planner(tcp::socket sock) {
  auto ex = co_await net::this_coro::executor;
  auto ws = std::make_shared<ws_t>(std::move(sock));
  auto idle = std::make_shared<net::steady_timer>(ex);
  idle->expires_after(60s);
  net::co_spawn(ex, idle_watchdog(ws, idle), net::detached);
  co_await ws->async_accept(use_awaitable);
  beast::flat_buffer buf;
  beast::error_code ec;
  for (;;) {
    co_await ws->async_read(buf, net::redirect_error(use_awaitable, ec));
    if (ec) break;
    idle->expires_after(60s);
    buf.consume(buf.size());
  }
  idle->expires_at(net::steady_timer::time_point::min());  // wakes the watchdog so it exits
}

// ---- outbound: geofence events to the partner TMS ---------------------------
struct partner_link {
  std::optional<ws_t> ws;
  tcp::endpoint ep;
  std::string host = "tms.partner.example";
  unsigned reconnects = 0;
};

static websocket::stream_base::timeout partner_timeouts() {
  websocket::stream_base::timeout t{};
  t.handshake_timeout = 10s;
  t.idle_timeout = 40s;
  t.keep_alive_pings = true;
  return t;
}

awaitable<void> connect_partner(partner_link& link) {
  auto ex = co_await net::this_coro::executor;
  link.ws.emplace(ex);
  beast::get_lowest_layer(*link.ws).expires_after(5s);
  co_await beast::get_lowest_layer(*link.ws).async_connect(link.ep, use_awaitable);
  beast::get_lowest_layer(*link.ws).expires_never();
  link.ws->set_option(partner_timeouts());
  co_await link.ws->async_handshake(link.host, "/events/geofence", use_awaitable);
}

// Called from push_geofence when a write fails; keeps the queued events.
awaitable<void> resume_partner(partner_link& link) {
  auto ex = co_await net::this_coro::executor;
  ++link.reconnects;
  link.ws.emplace(ex);
  co_await beast::get_lowest_layer(*link.ws).async_connect(link.ep, use_awaitable);
  co_await link.ws->async_handshake(link.host, "/events/geofence?resume=1", use_awaitable); // expect: errorshield-ws-timeouts
}

awaitable<void> push_geofence(partner_link& link, json event) {
  if (!link.ws) co_await connect_partner(link);
  auto payload = event.dump();
  beast::error_code ec;
  link.ws->text(true);
  co_await link.ws->async_write(net::buffer(payload), net::redirect_error(use_awaitable, ec));
  if (ec) {
    co_await resume_partner(link);
    co_await link.ws->async_write(net::buffer(payload), use_awaitable);
  }
}

enum class port_kind { telemetry, dispatcher, driver, cold_chain, yard, planner };

awaitable<void> listen(tcp::acceptor acc, port_kind kind) {
  auto ex = co_await net::this_coro::executor;
  for (;;) {
    auto sock = co_await acc.async_accept(use_awaitable);
    switch (kind) {
      case port_kind::telemetry: net::co_spawn(ex, telemetry_ingress(std::move(sock)), net::detached); break;
      case port_kind::dispatcher: net::co_spawn(ex, dispatcher_console(std::move(sock)), net::detached); break;
      case port_kind::driver: net::co_spawn(ex, driver_app(std::move(sock)), net::detached); break;
      case port_kind::cold_chain: net::co_spawn(ex, cold_chain_gateway(std::move(sock)), net::detached); break;
      case port_kind::yard: net::co_spawn(ex, yard_camera_feed(std::move(sock)), net::detached); break;
      case port_kind::planner: net::co_spawn(ex, route_planner(std::move(sock)), net::detached); break;
    }
  }
}
