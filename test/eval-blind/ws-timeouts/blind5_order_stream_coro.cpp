// checks: errorshield-ws-timeouts
//
// Broker order-status streaming server. Retail clients connect over TLS
// (C++20 coroutines); institutional FIX-over-WebSocket bridges use stackful
// coroutines; a tiny reconciliation client polls the clearing house.

#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <string>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;
using namespace std::chrono_literals;

namespace broker {

using tls_ws = websocket::stream<ssl::stream<beast::tcp_stream>>;
using plain_ws = websocket::stream<beast::tcp_stream>;

struct server_config {
    std::chrono::seconds idle{120};
    bool pings{true};
};

awaitable<void> pump_updates(tls_ws& ws) {
    beast::flat_buffer buf;
    for (;;) {
        co_await ws.async_read(buf, use_awaitable);
        auto ack = nlohmann::json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
        buf.consume(buf.size());
        if (ack.is_discarded()) continue;
        co_await ws.async_write(net::buffer(nlohmann::json{{"ok", true}}.dump()), use_awaitable);
    }
}

// Retail app: TLS, suggested server timeouts.
awaitable<void> serve_retail(tcp::socket socket, ssl::context& tls) {
    tls_ws ws(std::move(socket), tls);
    beast::get_lowest_layer(ws).expires_after(30s);
    co_await ws.next_layer().async_handshake(ssl::stream_base::server, use_awaitable);
    beast::get_lowest_layer(ws).expires_never();

    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    co_await ws.async_accept(use_awaitable);
    co_await pump_updates(ws);
}

// Advisor portal: TLS, handshake guarded by the TCP deadline only.
awaitable<void> serve_advisor(tcp::socket socket, ssl::context& tls) {
    tls_ws ws(std::move(socket), tls);
    beast::get_lowest_layer(ws).expires_after(30s);
    co_await ws.next_layer().async_handshake(ssl::stream_base::server, use_awaitable);
    beast::get_lowest_layer(ws).expires_never();

    co_await ws.async_accept(use_awaitable); // expect: errorshield-ws-timeouts
    co_await pump_updates(ws);
}

// Premium tier: tuned from config, starting from the server preset.
awaitable<void> serve_premium(tcp::socket socket, ssl::context& tls, server_config cfg) {
    tls_ws ws(std::move(socket), tls);
    co_await ws.next_layer().async_handshake(ssl::stream_base::server, use_awaitable);

    auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
    opt.idle_timeout = cfg.idle;
    opt.keep_alive_pings = cfg.pings;
    ws.set_option(opt);
    co_await ws.async_accept(use_awaitable);
    co_await pump_updates(ws);
}

// Paper-trading sandbox: someone wanted pings "on" but left idle unset.
awaitable<void> serve_sandbox(tcp::socket socket, ssl::context& tls) {
    tls_ws ws(std::move(socket), tls);
    co_await ws.next_layer().async_handshake(ssl::stream_base::server, use_awaitable);

    websocket::stream_base::timeout opt{};
    opt.handshake_timeout = 10s;
    opt.idle_timeout = websocket::stream_base::none();
    opt.keep_alive_pings = true;
    ws.set_option(opt); // expect: errorshield-ws-timeouts
    co_await ws.async_accept(use_awaitable);
    co_await pump_updates(ws);
}

// Institutional FIX bridge on a stackful coroutine.
inline void serve_fix_bridge(tcp::socket socket, net::yield_context yield) {
    beast::error_code ec;
    plain_ws ws(std::move(socket));
    ws.set_option(websocket::stream_base::timeout{20s, 60s, true});
    ws.async_accept(yield[ec]);
    if (ec) return;

    beast::flat_buffer buf;
    for (;;) {
        ws.async_read(buf, yield[ec]);
        if (ec) return;
        buf.consume(buf.size());
    }
}

// Drop-copy feed for compliance archivers (also stackful).
inline void serve_drop_copy(tcp::socket socket, net::yield_context yield) {
    beast::error_code ec;
    plain_ws ws(std::move(socket));
    beast::get_lowest_layer(ws).expires_after(15s);
    ws.async_accept(yield[ec]); // expect: errorshield-ws-timeouts
    if (ec) return;
    beast::get_lowest_layer(ws).expires_never();

    beast::flat_buffer buf;
    for (;;) {
        ws.async_read(buf, yield[ec]);
        if (ec) return;
        buf.consume(buf.size());
    }
}

// Listener that spawns FIX bridge sessions.
inline void listen_fix(net::io_context& ioc, tcp::endpoint ep) {
    net::spawn(ioc, [&ioc, ep](net::yield_context yield) {
        tcp::acceptor acceptor(ioc, ep);
        for (;;) {
            beast::error_code ec;
            tcp::socket socket(ioc);
            acceptor.async_accept(socket, yield[ec]);
            if (ec) continue;
            net::spawn(acceptor.get_executor(),
                       [s = std::move(socket)](net::yield_context y) mutable { serve_fix_bridge(std::move(s), y); },
                       net::detached);
        }
    }, net::detached);
}

// Reconciliation client polling the clearing house (client role).
awaitable<void> reconcile(std::string host, std::string port) {
    auto ex = co_await net::this_coro::executor;
    tcp::resolver resolver(ex);
    plain_ws ws(ex);
    auto eps = co_await resolver.async_resolve(host, port, use_awaitable);
    co_await beast::get_lowest_layer(ws).async_connect(eps, use_awaitable);
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    co_await ws.async_handshake(host, "/recon", use_awaitable);

    beast::flat_buffer buf;
    co_await ws.async_read(buf, use_awaitable);
    co_await ws.async_close(websocket::close_code::normal, use_awaitable);
}

}  // namespace broker
