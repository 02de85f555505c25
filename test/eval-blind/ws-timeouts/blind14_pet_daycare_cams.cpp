// checks: errorshield-ws-timeouts
// Pet daycare camera hub: kennel cameras push motion events and thumbnails,
// owners watch their pet's room from a phone app, staff consoles get alerts,
// and clips are mirrored to a cloud archive.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace daycare {

using WsStream = websocket::stream<beast::tcp_stream>;

struct MotionEvent {
    std::string camera_id;
    std::string room;
    double score = 0.0;
    long long ts = 0;
};

inline bool parse_motion(const std::string& text, MotionEvent& ev) {
    auto j = json::parse(text, nullptr, false);
    if (!j.is_object() || !j.contains("cam")) return false;
    ev.camera_id = j["cam"].get<std::string>();
    ev.room = j.value("room", "");
    ev.score = j.value("score", 0.0);
    ev.ts = j.value("ts", 0LL);
    return true;
}

void configure_archive_stream(WsStream& ws) {
    websocket::stream_base::timeout t = websocket::stream_base::timeout::suggested(beast::role_type::client);
    t.idle_timeout = 45s;
    t.keep_alive_pings = true;
    ws.set_option(t);
}

// ---------------------------------------------------------------------------
// Kennel camera uplink. Cameras send motion events every few seconds.
class CameraUplinkSession : public std::enable_shared_from_this<CameraUplinkSession> {
public:
    explicit CameraUplinkSession(tcp::socket s) : ws_(std::move(s)) {}

    void start() {
        beast::get_lowest_layer(ws_).expires_never();
        ws_.set_option(websocket::stream_base::timeout{30s, websocket::stream_base::none(), false}); // expect: errorshield-ws-timeouts
        ws_.read_message_max(256 * 1024);
        ws_.async_accept(beast::bind_front_handler(&CameraUplinkSession::on_accept, shared_from_this()));
    }

private:
    void on_accept(beast::error_code ec) {
        if (ec) return;
        read();
    }

    void read() {
        ws_.async_read(buf_, beast::bind_front_handler(&CameraUplinkSession::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec) return;
        MotionEvent ev;
        if (parse_motion(beast::buffers_to_string(buf_.data()), ev))
            std::cout << "motion " << ev.camera_id << " in " << ev.room << "\n";
        buf_.consume(buf_.size());
        read();
    }

    WsStream ws_;
    beast::flat_buffer buf_;
};

// ---------------------------------------------------------------------------
// Staff console: gets alerts (barking level, pet left the play area...).
class StaffConsoleSession : public std::enable_shared_from_this<StaffConsoleSession> {
public:
    explicit StaffConsoleSession(tcp::socket s) : ws_(std::move(s)) {}

    void start() {
        net::post(ws_.get_executor(), [self = shared_from_this()] {
            beast::get_lowest_layer(self->ws_).expires_never();
            self->ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
            self->ws_.async_accept([self](beast::error_code ec) {
                if (!ec) self->read_acks();
            });
        });
    }

private:
    void read_acks() {
        ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;
            self->buf_.clear();
            self->read_acks();
        });
    }

    WsStream ws_;  // OK
    beast::flat_buffer buf_;
};

// ---------------------------------------------------------------------------
// Kennel environment sensors (temperature/humidity) on the same hub.
class KennelSensorSession : public std::enable_shared_from_this<KennelSensorSession> {
public:
    explicit KennelSensorSession(tcp::socket s) : ws_(std::move(s)) {}

    void start() {
        beast::get_lowest_layer(ws_).expires_never();
        auto opts = websocket::stream_base::timeout::suggested(beast::role_type::server);
        opts.idle_timeout = 60s;
        std::cout << "sensor session idle limit "
                  << std::chrono::duration_cast<std::chrono::seconds>(opts.idle_timeout).count() << "s\n";
        ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
            if (!ec) self->read();
        });
    }

private:
    void read() {
        ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;
            auto j = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
            self->buf_.clear();
            if (j.is_object() && j.value("temp_c", 20.0) > 29.0) std::cout << "kennel too warm\n";
            self->read();
        });
    }

    WsStream ws_; // expect: errorshield-ws-timeouts
    beast::flat_buffer buf_;
};

// ---------------------------------------------------------------------------
// Feeding-station scale: no keep-alive pings (battery device), but the hub
// still drops it after two idle minutes.
class FeederSession : public std::enable_shared_from_this<FeederSession> {
public:
    explicit FeederSession(tcp::socket s) : ws_(std::move(s)) {
        websocket::stream_base::timeout t{};
        t.handshake_timeout = 15s;
        t.idle_timeout = 120s;
        t.keep_alive_pings = false;
        ws_.set_option(t);
    }

    void start() {
        ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
            if (!ec) self->read();
        });
    }

private:
    void read() {
        ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;
            self->buf_.clear();
            self->read();
        });
    }

    WsStream ws_;  // OK
    beast::flat_buffer buf_;
};

// ---------------------------------------------------------------------------
// Owner phone app: authenticated viewer, gets thumbnails for one room.
net::awaitable<void> owner_viewer(tcp::socket sock, std::string room) {
    WsStream ws(std::move(sock)); // expect: errorshield-ws-timeouts
    beast::get_lowest_layer(ws).expires_never();
    ws.read_message_max(4 * 1024);
    co_await ws.async_accept(net::use_awaitable);
    ws.binary(true);

    beast::flat_buffer in;
    for (;;) {
        co_await ws.async_read(in, net::use_awaitable);
        auto req = json::parse(beast::buffers_to_string(in.data()), nullptr, false);
        in.consume(in.size());
        if (req.is_object() && req.value("room", "") != room) continue;
        std::vector<unsigned char> thumb(1024, 0);
        co_await ws.async_write(net::buffer(thumb), net::use_awaitable);
    }
}

// ---------------------------------------------------------------------------
// Cloud archive mirror: hub acts as client and streams clip manifests.
net::awaitable<void> archive_mirror(std::string host) {
    auto ex = co_await net::this_coro::executor;
    tcp::resolver resolver(ex);
    WsStream ws(ex);  // OK: configure_archive_stream
    co_await beast::get_lowest_layer(ws).async_connect(
        co_await resolver.async_resolve(host, "443", net::use_awaitable), net::use_awaitable);
    beast::get_lowest_layer(ws).expires_never();
    configure_archive_stream(ws);
    co_await ws.async_handshake(host, "/clips", net::use_awaitable);

    beast::flat_buffer buf;
    for (;;) {
        co_await ws.async_read(buf, net::use_awaitable);
        buf.consume(buf.size());
    }
}

// ---------------------------------------------------------------------------
// Groomer-room session factory: registered at startup, invoked by the
// acceptor whenever a groomer tablet connects.
struct GroomerHub {
    std::function<void(tcp::socket)> on_connect;
    std::vector<std::shared_ptr<WsStream>> tablets;
};

void register_groomer_factory(GroomerHub& hub) {
    hub.on_connect = [&hub](tcp::socket sock) {
        auto ws = std::make_shared<WsStream>(std::move(sock)); // expect: errorshield-ws-timeouts
        beast::get_lowest_layer(*ws).expires_never();
        ws->async_accept([ws, &hub](beast::error_code ec) {
            if (ec) return;
            hub.tablets.push_back(ws);
            auto buf = std::make_shared<beast::flat_buffer>();
            ws->async_read(*buf, [ws, buf](beast::error_code rec, std::size_t n) {
                if (!rec) std::cout << "groomer checklist " << n << " bytes\n";
            });
        });
    };
}

}  // namespace daycare
