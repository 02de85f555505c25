// checks: errorshield-ws-close-code
//
// Price feed aggregator. Connects as a WebSocket client to several exchange
// feeds (coroutines), republishes to internal subscribers (stackful
// coroutines) and has a blocking maintenance tool.

#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <iostream>
#include <string>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;
using json = nlohmann::json;

namespace feed {

struct exchange_endpoint {
    std::string name;
    std::string host;
    std::string port;
    std::string path;
};

// Close codes for our own subscriber protocol.
enum class sub_close : std::uint16_t {
    stale_snapshot = 4100,
    bad_symbol     = 4101,
};

// Graceful disconnect from an exchange after the session window ends.
awaitable<void> run_exchange_session(exchange_endpoint ep, int max_updates) {
    auto ex = co_await net::this_coro::executor;
    tcp::resolver resolver(ex);
    websocket::stream<beast::tcp_stream> ws(ex);

    auto results = co_await resolver.async_resolve(ep.host, ep.port, use_awaitable);
    co_await beast::get_lowest_layer(ws).async_connect(results, use_awaitable);
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    co_await ws.async_handshake(ep.host, ep.path, use_awaitable);

    json sub = {{"op", "subscribe"}, {"channels", {"ticker", "trades"}}};
    co_await ws.async_write(net::buffer(sub.dump()), use_awaitable);

    beast::flat_buffer buf;
    for (int n = 0; n < max_updates; ++n) {
        co_await ws.async_read(buf, use_awaitable);
        auto msg = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
        buf.consume(buf.size());
        if (msg.is_discarded()) {
            co_await ws.async_close(websocket::close_code::bad_payload, use_awaitable);
            co_return;
        }
        if (msg.value("type", "") == "maintenance") {
            co_await ws.async_close(websocket::close_code::going_away, use_awaitable);
            co_return;
        }
        if (msg.value("type", "") == "heartbeat_missed") {
            // the exchange stopped heartbeating; mirror what a dropped TCP link reports
            co_await ws.async_close(websocket::close_reason(websocket::close_code::abnormal, "heartbeat lost"), use_awaitable); // expect: errorshield-ws-close-code
            co_return;
        }
    }
    co_await ws.async_close(websocket::close_code::normal, use_awaitable);
}

// Exchange rejected our TLS pinning; report it the same way browsers do.
awaitable<void> abort_on_pin_failure(websocket::stream<beast::tcp_stream>& ws) {
    co_await ws.async_close(websocket::close_reason{websocket::close_code::reserved3, "tls pin"}, use_awaitable); // expect: errorshield-ws-close-code
}

// Internal republisher: each subscriber is served on a stackful coroutine.
inline void serve_subscriber(websocket::stream<beast::tcp_stream>& ws, net::yield_context yield) {
    beast::error_code ec;
    beast::flat_buffer buf;
    ws.async_read(buf, yield[ec]);
    if (ec) return;

    auto req = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    if (req.is_discarded() || !req.contains("symbol")) {
        ws.async_close(websocket::close_code::policy_error, yield[ec]);
        return;
    }
    if (req["symbol"].get<std::string>().size() > 16) {
        ws.async_close(static_cast<std::uint16_t>(sub_close::bad_symbol), yield[ec]);
        return;
    }
    if (req.value("snapshot_age_ms", 0) > 5000) {
        ws.async_close(static_cast<std::uint16_t>(sub_close::stale_snapshot), yield[ec]);
        return;
    }
    if (req.value("protocol", 1) < 1) {
        ws.async_close(std::uint16_t{999}, yield[ec]); // expect: errorshield-ws-close-code
        return;
    }
    if (req.value("throttle", false)) {
        ws.async_close(websocket::close_reason(websocket::close_code::try_again_later, "slow down"), yield[ec]);
        return;
    }
    ws.async_close(websocket::close_reason("unsubscribed"), yield[ec]);
}

// Blocking maintenance tool: drains subscribers before a deploy.
inline void drain_for_deploy(websocket::stream<tcp::socket>& ws, bool hard) {
    beast::error_code ec;
    if (hard) {
        std::uint16_t const code = 1016;  // "deploy" in the ops runbook
        ws.close(code, ec); // expect: errorshield-ws-close-code
    } else {
        ws.close(websocket::close_code::service_restart, ec);
    }
    if (ec) std::cerr << "drain: " << ec.message() << "\n";
}

// Handle a close initiated by the exchange, and log its status.
inline void log_remote_close(websocket::stream<tcp::socket> const& ws, std::string const& venue) {
    auto const& r = ws.reason();
    switch (r.code) {
    case websocket::close_code::no_status:
        std::clog << venue << ": closed, no status\n";
        break;
    case websocket::close_code::abnormal:
        std::clog << venue << ": link dropped (1006)\n";
        break;
    case 1015:
        std::clog << venue << ": TLS failure\n";
        break;
    default:
        std::clog << venue << ": closed " << r.code << " " << r.reason << "\n";
    }
}

// Standby feed shut down after fail-over, codes chosen by configuration.
inline void close_standby(websocket::stream<tcp::socket>& ws, json const& cfg) {
    beast::error_code ec;
    bool const operator_forced = cfg.value("forced", false);
    websocket::close_reason cr = operator_forced
        ? websocket::close_reason(websocket::close_code::policy_error, "operator")
        : websocket::close_reason(websocket::close_code::going_away, "failover");
    ws.close(cr, ec);
}

}  // namespace feed
