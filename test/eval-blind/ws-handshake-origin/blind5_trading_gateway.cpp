// checks: errorshield-ws-handshake-origin
//
// Trading gateway WebSocket front-end.
// Browser dashboards connect for market data and order entry; a separate
// upstream connector talks to the matching engine over WebSocket as a client.

#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <array>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace gateway {

constexpr std::array<std::string_view, 3> kTrustedOrigins = {
    "https://trade.example-markets.com",
    "https://desk.example-markets.com",
    "https://risk.example-markets.com",
};

inline bool origin_is_trusted(beast::string_view origin) {
    for (auto allowed : kTrustedOrigins) {
        if (origin == beast::string_view(allowed.data(), allowed.size()))
            return true;
    }
    return false;
}

inline void fail(beast::error_code ec, char const* what) {
    std::cerr << "[gateway] " << what << ": " << ec.message() << "\n";
}

// Market data fan-out session: the HTTP upgrade is consumed by the websocket
// stream itself.
class market_data_session : public std::enable_shared_from_this<market_data_session> {
public:
    explicit market_data_session(tcp::socket&& socket) : ws_(std::move(socket)) {}

    void run() {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.async_accept(beast::bind_front_handler(&market_data_session::on_accept, shared_from_this())); // expect: errorshield-ws-handshake-origin
    }

private:
    void on_accept(beast::error_code ec) {
        if (ec) return fail(ec, "md accept");
        ws_.async_read(buffer_, beast::bind_front_handler(&market_data_session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec) return fail(ec, "md read");
        buffer_.consume(buffer_.size());
        ws_.async_read(buffer_, beast::bind_front_handler(&market_data_session::on_read, shared_from_this()));
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
};

// Order entry session: handed an already-parsed upgrade request.
class order_entry_session : public std::enable_shared_from_this<order_entry_session> {
public:
    explicit order_entry_session(beast::tcp_stream&& stream) : ws_(std::move(stream)) {}

    void start(http::request<http::string_body> req) {
        req_ = std::move(req);
        // only the trading API path is served here
        if (req_.target() != "/v2/orders") {
            return;
        }
        ws_.async_accept(req_, beast::bind_front_handler(&order_entry_session::on_accept, shared_from_this())); // expect: errorshield-ws-handshake-origin
    }

    void start_checked(http::request<http::string_body> req) {
        req_ = std::move(req);
        if (!origin_is_trusted(req_[http::field::origin])) {
            fail(beast::error_code{}, "order entry: rejected origin");
            return;
        }
        ws_.async_accept(req_, beast::bind_front_handler(&order_entry_session::on_accept, shared_from_this()));
    }

private:
    void on_accept(beast::error_code ec) {
        if (ec) return fail(ec, "order accept");
    }

    websocket::stream<beast::tcp_stream> ws_;
    http::request<http::string_body> req_;
};

// Plain HTTP front door: reads the request and decides whether to upgrade.
class http_front_session : public std::enable_shared_from_this<http_front_session> {
public:
    explicit http_front_session(tcp::socket&& socket) : stream_(std::move(socket)) {}

    void run() {
        stream_.expires_after(std::chrono::seconds(30));
        http::async_read(stream_, buffer_, req_,
                         beast::bind_front_handler(&http_front_session::on_read, shared_from_this()));
    }

private:
    void on_read(beast::error_code ec, std::size_t) {
        if (ec) return fail(ec, "http read");
        if (!websocket::is_upgrade(req_)) {
            return;  // REST handled elsewhere
        }
        // audit trail for compliance; every upgrade attempt is logged
        std::clog << "upgrade from origin=" << req_[http::field::origin] << "\n";
        ws_.emplace(std::move(stream_));
        ws_->async_accept(req_, beast::bind_front_handler(&http_front_session::on_accept, shared_from_this())); // expect: errorshield-ws-handshake-origin
    }

    void on_accept(beast::error_code ec) {
        if (ec) return fail(ec, "front accept");
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    http::request<http::string_body> req_;
    std::optional<websocket::stream<beast::tcp_stream>> ws_;
};

// Risk console, stackful coroutine flavour.
inline void serve_risk_console(tcp::socket socket, net::yield_context yield) {
    beast::error_code ec;
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    http::async_read(socket, buffer, req, yield[ec]);
    if (ec) return fail(ec, "risk read");

    auto const origin = req[http::field::origin];
    if (origin.empty() || !origin_is_trusted(origin)) {
        http::response<http::string_body> res{http::status::forbidden, req.version()};
        res.set(http::field::content_type, "text/plain");
        res.body() = "origin not allowed";
        res.prepare_payload();
        http::async_write(socket, res, yield[ec]);
        return;
    }

    websocket::stream<tcp::socket> ws(std::move(socket));
    ws.async_accept(req, yield[ec]);
    if (ec) return fail(ec, "risk accept");
}

// Back-office replay tool endpoint, same shape but no gatekeeping.
inline void serve_replay(tcp::socket socket, net::yield_context yield) {
    beast::error_code ec;
    websocket::stream<tcp::socket> ws(std::move(socket));
    ws.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
        res.set(http::field::server, "gateway-replay/2.3");
    }));
    ws.async_accept(yield[ec]); // expect: errorshield-ws-handshake-origin
    if (ec) return fail(ec, "replay accept");
}

// Upstream connector to the matching engine: we are the client here.
class matching_engine_link : public std::enable_shared_from_this<matching_engine_link> {
public:
    matching_engine_link(net::io_context& ioc, std::string host)
        : resolver_(net::make_strand(ioc)), ws_(net::make_strand(ioc)), host_(std::move(host)) {}

    void connect(tcp::resolver::results_type const& endpoints) {
        beast::get_lowest_layer(ws_).async_connect(
            endpoints, beast::bind_front_handler(&matching_engine_link::on_connect, shared_from_this()));
    }

private:
    void on_connect(beast::error_code ec, tcp::resolver::results_type::endpoint_type ep) {
        if (ec) return fail(ec, "me connect");
        std::string host = host_ + ':' + std::to_string(ep.port());
        ws_.async_handshake(host, "/engine",
                            beast::bind_front_handler(&matching_engine_link::on_handshake, shared_from_this()));
    }

    void on_handshake(beast::error_code ec) {
        if (ec) return fail(ec, "me handshake");
    }

    tcp::resolver resolver_;
    websocket::stream<beast::tcp_stream> ws_;
    std::string host_;
};

}  // namespace gateway
