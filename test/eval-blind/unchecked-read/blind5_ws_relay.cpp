// checks: errorshield-unchecked-read
// Market-data relay: browsers connect over WebSocket (Beast), the relay keeps
// one raw TCP upstream per venue and fans ticks out to subscribers. Some
// sessions use callback style, the newer admin channel uses coroutines.
#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <array>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

static void log_failure(beast::error_code ec, const char* what) {
    std::cerr << what << ": " << ec.message() << '\n';
}

// Returns true if the session should stop.
static bool is_terminal(beast::error_code ec) {
    if (!ec) return false;
    if (ec != websocket::error::closed && ec != net::error::eof) log_failure(ec, "ws");
    return true;
}

class subscriber_session : public std::enable_shared_from_this<subscriber_session> {
public:
    explicit subscriber_session(tcp::socket s) : ws_(std::move(s)) {}

    void start() {
        http::async_read(ws_.next_layer(), buf_, upgrade_req_,
                         beast::bind_front_handler(&subscriber_session::on_upgrade, shared_from_this()));
    }

    void push(std::shared_ptr<const std::string> tick) {
        if (!accepted_) return;
        ws_.async_write(net::buffer(*tick), [self = shared_from_this(), tick](beast::error_code ec, std::size_t) {
            if (ec) log_failure(ec, "push");
        });
    }

private:
    void on_upgrade(beast::error_code ec, std::size_t) {
        if (ec == http::error::end_of_stream) return;
        if (ec) return log_failure(ec, "upgrade");
        ws_.async_accept(upgrade_req_, beast::bind_front_handler(&subscriber_session::on_accept, shared_from_this()));
    }

    void on_accept(beast::error_code ec) {
        if (ec) return log_failure(ec, "accept");
        accepted_ = true;
        read_control();
    }

    // Subscribers only send "sub <symbol>" / "unsub <symbol>" frames.
    void read_control() {
        ws_.async_read(buf_, beast::bind_front_handler(&subscriber_session::on_control, shared_from_this())); // expect: errorshield-unchecked-read
    }

    void on_control(beast::error_code, std::size_t bytes) {
        std::string frame = beast::buffers_to_string(buf_.data());
        buf_.consume(bytes);
        if (frame.rfind("sub ", 0) == 0) symbols_.push_back(frame.substr(4));
        read_control();
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buf_;
    http::request<http::string_body> upgrade_req_;
    std::vector<std::string> symbols_;
    bool accepted_ = false;
};

class viewer_session : public std::enable_shared_from_this<viewer_session> {
public:
    viewer_session(tcp::socket s, bool legacy_pong) : ws_(std::move(s)), legacy_pong_(legacy_pong) {}

    void start() {
        ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
            if (ec) return;
            if (self->legacy_pong_) self->read_pong_window();
            else self->read_next();
        });
    }

private:
    void read_next() {
        ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (is_terminal(ec)) return;
            self->buf_.clear();
            self->read_next();
        });
    }

    void read_pong_window() {
        ws_.async_read(buf_, [self = shared_from_this()](beast::error_code, std::size_t n) { // expect: errorshield-unchecked-read
            self->last_frame_bytes_ = n;
            self->buf_.clear();
            self->read_pong_window();
        });
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buf_;
    std::size_t last_frame_bytes_ = 0;
    bool legacy_pong_ = false;
};

class venue_upstream : public std::enable_shared_from_this<venue_upstream> {
public:
    venue_upstream(net::io_context& ioc, std::vector<std::weak_ptr<subscriber_session>>& subs)
        : sock_(ioc), subs_(subs) {}

    void connect(const tcp::endpoint& ep) {
        sock_.async_connect(ep, [self = shared_from_this()](beast::error_code ec) {
            if (ec) return log_failure(ec, "upstream connect");
            self->read_ticks();
            self->read_heartbeats();
        });
    }

private:
    void read_ticks() {
        sock_.async_read_some(net::buffer(chunk_), [self = shared_from_this()](beast::error_code ec, std::size_t n) { // expect: errorshield-unchecked-read
            auto tick = std::make_shared<const std::string>(self->chunk_.data(), n);
            for (auto& w : self->subs_)
                if (auto s = w.lock()) s->push(tick);
            self->read_ticks();
            (void)ec;
        });
    }

    void read_heartbeats() {
        net::async_read(sock_, net::buffer(hb_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) {
                beast::error_code ignored;
                self->sock_.close(ignored);
                return;
            }
            self->read_heartbeats();
        });
    }

    tcp::socket sock_;
    std::array<char, 4096> chunk_{};
    std::array<char, 8> hb_{};
    std::vector<std::weak_ptr<subscriber_session>>& subs_;
};

// Admin channel: operators issue commands over a WebSocket.
net::awaitable<void> admin_session(websocket::stream<beast::tcp_stream> ws) {
    co_await ws.async_accept(net::use_awaitable);
    beast::flat_buffer buf;
    for (;;) {
        auto [ec, n] = co_await ws.async_read(buf, net::as_tuple(net::use_awaitable));
        if (ec == websocket::error::closed) co_return;
        if (ec) {
            log_failure(ec, "admin read");
            co_return;
        }
        std::string cmd = beast::buffers_to_string(buf.data());
        buf.consume(n);
        co_await ws.async_write(net::buffer("ack " + cmd), net::use_awaitable);
    }
}

net::awaitable<void> audit_tail(websocket::stream<beast::tcp_stream> ws) {
    beast::flat_buffer buf;
    for (;;) {
        auto [ec, n] = co_await ws.async_read(buf, net::as_tuple(net::use_awaitable)); // expect: errorshield-unchecked-read
        std::cout << beast::make_printable(buf.data()) << '\n';
        buf.consume(n);
    }
}

net::awaitable<void> metrics_listener(websocket::stream<beast::tcp_stream> ws) {
    beast::flat_buffer buf;
    try {
        for (;;) {
            std::size_t n = co_await ws.async_read(buf, net::use_awaitable);
            std::cout << "metrics frame " << n << " bytes\n";
            buf.consume(n);
        }
    } catch (const boost::system::system_error& e) {
        if (e.code() != websocket::error::closed) log_failure(e.code(), "metrics");
    }
}
