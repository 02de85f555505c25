// checks: errorshield-ws-timeouts
//
// Push-notification hub. Mobile and web clients keep a WebSocket open to
// receive notifications; there is also an ops dashboard feed, a legacy v1
// endpoint, and an outbound connection to the upstream event bus.

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

namespace hub {

inline void log_error(beast::error_code ec, char const* what) {
    std::cerr << "[hub] " << what << ": " << ec.message() << "\n";
}

template <class Stream>
void apply_server_timeouts(websocket::stream<Stream>& ws) {
    websocket::stream_base::timeout opt{
        15s,   // handshake
        90s,   // idle
        true,  // send pings when idle
    };
    ws.set_option(opt);
}

// Base for callback-style sessions that share the read loop.
template <class Derived>
class session_base : public std::enable_shared_from_this<Derived> {
protected:
    explicit session_base(tcp::socket&& s) : ws_(std::move(s)) {}

    void on_accept(beast::error_code ec) {
        if (ec) return log_error(ec, "accept");
        do_read();
    }

    void do_read() {
        ws_.async_read(buffer_, beast::bind_front_handler(&session_base::on_read, this->shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec) return log_error(ec, "read");
        buffer_.consume(buffer_.size());  // clients only send acks
        do_read();
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
};

// Main v2 notification endpoint.
class device_session : public session_base<device_session> {
public:
    explicit device_session(tcp::socket&& s) : session_base(std::move(s)) {}

    void run() {
        net::dispatch(ws_.get_executor(),
                      beast::bind_front_handler(&device_session::on_run, shared_from_this()));
    }

private:
    void on_run() {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.async_accept(beast::bind_front_handler(&device_session::on_accept, shared_from_this()));
    }
};

// Legacy v1 endpoint kept for old app versions.
class legacy_session : public session_base<legacy_session> {
public:
    explicit legacy_session(tcp::socket&& s) : session_base(std::move(s)) {}

    void run() {
        ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
            res.set(beast::http::field::server, "notify-hub/1");
        }));
        ws_.async_accept(beast::bind_front_handler(&legacy_session::on_accept, shared_from_this())); // expect: errorshield-ws-timeouts
    }
};

// Ops dashboard: reuses the preset from the client library.
class dashboard_session : public session_base<dashboard_session> {
public:
    explicit dashboard_session(tcp::socket&& s) : session_base(std::move(s)) {}

    void run() {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client)); // expect: errorshield-ws-timeouts
        ws_.async_accept(beast::bind_front_handler(&dashboard_session::on_accept, shared_from_this()));
    }
};

// Web clients behind the corporate proxy; tuned settings via helper.
class web_session : public session_base<web_session> {
public:
    explicit web_session(tcp::socket&& s) : session_base(std::move(s)) {}

    void run() {
        apply_server_timeouts(ws_);
        ws_.async_accept(beast::bind_front_handler(&web_session::on_accept, shared_from_this()));
    }
};

// Batch export clients: long-running, so pings were turned off after a
// customer complained about "spurious" disconnects.
class export_session : public session_base<export_session> {
public:
    explicit export_session(tcp::socket&& s) : session_base(std::move(s)) {}

    void run() {
        auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
        opt.idle_timeout = websocket::stream_base::none();
        opt.keep_alive_pings = false;
        ws_.set_option(opt); // expect: errorshield-ws-timeouts
        ws_.async_accept(beast::bind_front_handler(&export_session::on_accept, shared_from_this()));
    }
};

// Watch-face clients: no pings, but idle connections are dropped.
class wearable_session : public session_base<wearable_session> {
public:
    explicit wearable_session(tcp::socket&& s) : session_base(std::move(s)) {}

    void run() {
        websocket::stream_base::timeout opt{};
        opt.handshake_timeout = 10s;
        opt.idle_timeout = 45s;
        opt.keep_alive_pings = false;
        ws_.set_option(opt);
        ws_.async_accept(beast::bind_front_handler(&wearable_session::on_accept, shared_from_this()));
    }
};

// Internal service-mesh clients.
class mesh_session : public session_base<mesh_session> {
public:
    explicit mesh_session(tcp::socket&& s) : session_base(std::move(s)) {}

    void run() {
        websocket::stream_base::timeout const sidecar_managed{
            websocket::stream_base::none(), websocket::stream_base::none(), false};
        ws_.set_option(sidecar_managed);  // mesh sidecar handles liveness // expect: errorshield-ws-timeouts
        ws_.async_accept(beast::bind_front_handler(&mesh_session::on_accept, shared_from_this()));
    }
};

// Outbound connection to the event bus (we are the client).
class event_bus_client : public std::enable_shared_from_this<event_bus_client> {
public:
    explicit event_bus_client(net::io_context& ioc) : ws_(net::make_strand(ioc)) {}

    void start(tcp::resolver::results_type const& results, std::string host) {
        host_ = std::move(host);
        beast::get_lowest_layer(ws_).async_connect(
            results, beast::bind_front_handler(&event_bus_client::on_connect, shared_from_this()));
    }

private:
    void on_connect(beast::error_code ec, tcp::endpoint) {
        if (ec) return log_error(ec, "bus connect");
        ws_.async_handshake(host_, "/bus/notifications",
                            beast::bind_front_handler(&event_bus_client::on_handshake, shared_from_this()));
    }

    void on_handshake(beast::error_code ec) {
        if (ec) return log_error(ec, "bus handshake");
    }

    websocket::stream<beast::tcp_stream> ws_;
    std::string host_;
};

}  // namespace hub
