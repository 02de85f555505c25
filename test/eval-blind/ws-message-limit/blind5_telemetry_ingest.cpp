// checks: errorshield-ws-message-limit
//
// IoT telemetry ingest. Gateways stream sensor frames over WebSocket.
// A blocking thread-per-connection server handles legacy gateways,
// C++20 coroutine handlers serve the v3 fleet, and a client pulls
// firmware manifests from the vendor.

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <iostream>
#include <limits>
#include <string>
#include <thread>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;
using json = nlohmann::json;

namespace ingest {

struct limits {
    static constexpr std::size_t frame_bytes = 256 * 1024;
    static constexpr std::size_t manifest_bytes = 4 * 1024 * 1024;
};

inline void store_frame(std::string const& gateway, beast::flat_buffer const& buf) {
    std::clog << gateway << ": " << buf.size() << " bytes\n";
}

// Legacy gateways (blocking, one thread each), limit set.
inline void legacy_gateway_thread(tcp::socket socket) {
    try {
        websocket::stream<tcp::socket> ws(std::move(socket));
        ws.read_message_max(limits::frame_bytes);
        ws.accept();
        beast::flat_buffer buf;
        for (;;) {
            ws.read(buf);
            store_frame("legacy", buf);
            buf.consume(buf.size());
        }
    } catch (beast::system_error const& se) {
        if (se.code() != websocket::error::closed) std::cerr << "legacy: " << se.what() << "\n";
    }
}

// Diagnostic gateways dump their whole ring buffer in one message.
inline void diagnostic_gateway_thread(tcp::socket socket) {
    beast::error_code ec;
    websocket::stream<tcp::socket> ws(std::move(socket));
    ws.accept(ec);
    if (ec) return;
    beast::flat_buffer dump;
    ws.read(dump, ec); // expect: errorshield-ws-message-limit
    if (!ec) store_frame("diag", dump);
    ws.close(websocket::close_code::normal, ec);
}

inline void run_legacy_listener(net::io_context& ioc, unsigned short port) {
    tcp::acceptor acceptor(ioc, {tcp::v4(), port});
    for (;;) {
        tcp::socket socket(ioc);
        acceptor.accept(socket);
        std::thread(legacy_gateway_thread, std::move(socket)).detach();
    }
}

// v3 fleet: coroutine handler with a per-frame limit.
awaitable<void> serve_v3(tcp::socket socket) {
    websocket::stream<beast::tcp_stream> ws(std::move(socket));
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws.read_message_max(limits::frame_bytes);
    co_await ws.async_accept(use_awaitable);

    beast::flat_buffer buf;
    for (;;) {
        co_await ws.async_read(buf, use_awaitable);
        store_frame("v3", buf);
        buf.consume(buf.size());
    }
}

// v3 bulk backfill after a gateway comes back online.
awaitable<void> serve_backfill(tcp::socket socket) {
    websocket::stream<beast::tcp_stream> ws(std::move(socket));
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    co_await ws.async_accept(use_awaitable);

    beast::flat_buffer buf;
    for (;;) {
        std::size_t n = co_await ws.async_read(buf, use_awaitable); // expect: errorshield-ws-message-limit
        if (n == 0) break;
        store_frame("backfill", buf);
        buf.consume(buf.size());
    }
}

// Camera gateways send JPEG snapshots; "no limit" per the camera team.
awaitable<void> serve_camera(tcp::socket socket) {
    websocket::stream<beast::tcp_stream> ws(std::move(socket));
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws.read_message_max(std::numeric_limits<std::uint64_t>::max()); // expect: errorshield-ws-message-limit
    ws.binary(true);
    co_await ws.async_accept(use_awaitable);

    beast::flat_buffer buf;
    co_await ws.async_read(buf, use_awaitable);
    store_frame("camera", buf);
}

// Status page: only pushes fleet summaries, never reads client data.
awaitable<void> serve_status_push(tcp::socket socket, json summary) {
    websocket::stream<beast::tcp_stream> ws(std::move(socket));
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    co_await ws.async_accept(use_awaitable);
    ws.text(true);
    co_await ws.async_write(net::buffer(summary.dump()), use_awaitable);
    co_await ws.async_close(websocket::close_code::normal, use_awaitable);
}

// Streaming partial reads with a bounded per-call chunk and a limit set.
awaitable<void> serve_raw_stream(tcp::socket socket) {
    websocket::stream<beast::tcp_stream> ws(std::move(socket));
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws.read_message_max(limits::frame_bytes * 4);
    co_await ws.async_accept(use_awaitable);

    beast::flat_buffer buf;
    for (;;) {
        co_await ws.async_read_some(buf, 8192, use_awaitable);
        if (ws.is_message_done()) {
            store_frame("raw", buf);
            buf.consume(buf.size());
        }
    }
}

// Firmware manifests from the vendor CDN, limited even though it is "trusted".
awaitable<json> fetch_manifest(std::string host, std::string port, std::string path) {
    auto ex = co_await net::this_coro::executor;
    tcp::resolver resolver(ex);
    websocket::stream<beast::tcp_stream> ws(ex);
    auto eps = co_await resolver.async_resolve(host, port, use_awaitable);
    co_await beast::get_lowest_layer(ws).async_connect(eps, use_awaitable);
    ws.read_message_max(limits::manifest_bytes);
    co_await ws.async_handshake(host, path, use_awaitable);

    beast::flat_buffer buf;
    co_await ws.async_read(buf, use_awaitable);
    co_await ws.async_close(websocket::close_code::normal, use_awaitable);
    co_return json::parse(beast::buffers_to_string(buf.data()));
}

// Partner weather feed (client), consumed without a cap.
awaitable<void> follow_weather_feed(std::string host, std::string port) {
    auto ex = co_await net::this_coro::executor;
    tcp::resolver resolver(ex);
    websocket::stream<beast::tcp_stream> ws(ex);
    auto eps = co_await resolver.async_resolve(host, port, use_awaitable);
    co_await beast::get_lowest_layer(ws).async_connect(eps, use_awaitable);
    co_await ws.async_handshake(host, "/v1/stream", use_awaitable);

    beast::flat_buffer buf;
    for (;;) {
        co_await ws.async_read(buf, use_awaitable); // expect: errorshield-ws-message-limit
        buf.consume(buf.size());
    }
}

}  // namespace ingest
