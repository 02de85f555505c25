// checks: errorshield-ws-handshake-origin
//
// Team chat service. Public rooms over TLS, built on C++20 coroutines,
// plus a small synchronous admin console and an internal bot endpoint.

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <iostream>
#include <string>
#include <unordered_set>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;

namespace chat {

using tls_ws = websocket::stream<ssl::stream<beast::tcp_stream>>;

struct origin_policy {
    std::unordered_set<std::string> allowed{
        "https://chat.example.org",
        "https://app.example.org",
    };

    bool permits(beast::string_view origin) const {
        return allowed.count(std::string(origin)) != 0;
    }
};

inline origin_policy const& policy() {
    static origin_policy p;
    return p;
}

inline http::response<http::string_body> forbidden(unsigned version) {
    http::response<http::string_body> res{http::status::forbidden, version};
    res.set(http::field::content_type, "application/json");
    res.body() = R"({"error":"origin_not_allowed"})";
    res.prepare_payload();
    return res;
}

// Public rooms: TLS, origin enforced before the upgrade.
awaitable<void> serve_room(tcp::socket socket, ssl::context& tls) {
    tls_ws ws(std::move(socket), tls);
    beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(30));
    co_await ws.next_layer().async_handshake(ssl::stream_base::server, use_awaitable);

    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    co_await http::async_read(ws.next_layer(), buffer, req, use_awaitable);

    if (!policy().permits(req[http::field::origin])) {
        auto res = forbidden(req.version());
        co_await http::async_write(ws.next_layer(), res, use_awaitable);
        co_return;
    }

    beast::get_lowest_layer(ws).expires_never();
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    co_await ws.async_accept(req, use_awaitable);

    for (;;) {
        beast::flat_buffer msg;
        co_await ws.async_read(msg, use_awaitable);
        ws.text(ws.got_text());
        co_await ws.async_write(msg.data(), use_awaitable);
    }
}

// Direct-message channel: TLS too, but the websocket stream reads the
// upgrade request on its own.
awaitable<void> serve_direct_messages(tcp::socket socket, ssl::context& tls) {
    tls_ws ws(std::move(socket), tls);
    co_await ws.next_layer().async_handshake(ssl::stream_base::server, use_awaitable);
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    co_await ws.async_accept(use_awaitable); // expect: errorshield-ws-handshake-origin

    beast::flat_buffer msg;
    co_await ws.async_read(msg, use_awaitable);
}

// Presence channel: origin is looked at, but a mismatch only produces a log
// line and the connection is upgraded anyway.
awaitable<void> serve_presence(tcp::socket socket) {
    websocket::stream<beast::tcp_stream> ws(std::move(socket));
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    co_await http::async_read(ws.next_layer(), buffer, req, use_awaitable);

    auto origin = req[http::field::origin];
    if (!policy().permits(origin)) {
        std::cerr << "presence: unexpected origin " << origin << "\n";
    }
    co_await ws.async_accept(req, use_awaitable); // expect: errorshield-ws-handshake-origin
}

// Typing indicators: only checks that some Origin header is present.
awaitable<void> serve_typing(tcp::socket socket) {
    websocket::stream<beast::tcp_stream> ws(std::move(socket));
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    co_await http::async_read(ws.next_layer(), buffer, req, use_awaitable);

    if (req[http::field::origin].empty()) {
        co_return;
    }
    co_await ws.async_accept(req, use_awaitable); // expect: errorshield-ws-handshake-origin
}

// Attachments channel: request is validated before the upgrade.
awaitable<void> serve_attachments(tcp::socket socket) {
    websocket::stream<beast::tcp_stream> ws(std::move(socket));
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    co_await http::async_read(ws.next_layer(), buffer, req, use_awaitable);

    bool const trusted = policy().permits(req[http::field::origin]);
    if (!trusted) {
        auto res = forbidden(req.version());
        co_await http::async_write(ws.next_layer(), res, use_awaitable);
        co_return;
    }
    co_await ws.async_accept(req, use_awaitable);
}

// Synchronous admin console bound to loopback (browsers can still reach it).
inline void run_admin_console(net::io_context& ioc) {
    tcp::acceptor acceptor(ioc, {net::ip::make_address("127.0.0.1"), 9901});
    for (;;) {
        tcp::socket socket(ioc);
        acceptor.accept(socket);
        websocket::stream<tcp::socket> ws(std::move(socket));
        beast::error_code ec;
        ws.accept(ec); // expect: errorshield-ws-handshake-origin
        if (ec) continue;
        ws.write(net::buffer(std::string("{\"console\":\"ready\"}")));
    }
}

// Synchronous moderation endpoint with a proper allow-list check.
inline void handle_moderation(tcp::socket socket) {
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    http::read(socket, buffer, req);
    if (!websocket::is_upgrade(req) || !policy().permits(req[http::field::origin])) {
        auto res = forbidden(req.version());
        http::write(socket, res);
        return;
    }
    websocket::stream<tcp::socket> ws(std::move(socket));
    ws.accept(req);
}

// Outbound bridge to the federation peer: client side of the handshake.
awaitable<void> federate(tcp::resolver::results_type endpoints, ssl::context& tls, std::string host) {
    auto ex = co_await net::this_coro::executor;
    tls_ws ws(ex, tls);
    co_await beast::get_lowest_layer(ws).async_connect(endpoints, use_awaitable);
    co_await ws.next_layer().async_handshake(ssl::stream_base::client, use_awaitable);
    ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
        req.set(http::field::origin, "https://chat.example.org");
    }));
    co_await ws.async_handshake(host, "/federation", use_awaitable);
}

}  // namespace chat
