// checks: errorshield-ws-message-limit
// Solar fleet gateway: string inverters stream telemetry over WebSocket,
// dashboards subscribe to live plant output, and the grid operator sends
// curtailment set-points.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

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

namespace fleet {

struct Limits {
    std::size_t telemetry_bytes = 32 * 1024;
    std::size_t dashboard_bytes = 2 * 1024;
    std::size_t setpoint_bytes = 1024;
};

struct InverterSample {
    std::string serial;
    double ac_kw = 0.0;
    double dc_volts = 0.0;
    double temp_c = 0.0;
};

inline std::vector<InverterSample> decode_batch(const std::string& text) {
    std::vector<InverterSample> out;
    auto j = json::parse(text, nullptr, false);
    if (!j.is_array()) return out;
    for (const auto& e : j) {
        out.push_back({e.value("sn", ""), e.value("kw", 0.0), e.value("vdc", 0.0), e.value("t", 0.0)});
    }
    return out;
}

// ---------------------------------------------------------------------------
// Live telemetry from one inverter.
class InverterSession : public std::enable_shared_from_this<InverterSession> {
public:
    InverterSession(tcp::socket s, const Limits& lim) : ws_(std::move(s)) {
        ws_.read_message_max(lim.telemetry_bytes);
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    }

    void start() {
        ws_.async_accept(beast::bind_front_handler(&InverterSession::on_accept, shared_from_this()));
    }

private:
    void on_accept(beast::error_code ec) {
        if (ec) return;
        read();
    }

    void read() {
        ws_.async_read(buf_, beast::bind_front_handler(&InverterSession::on_read, shared_from_this())); // OK
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec) return;
        for (const auto& s : decode_batch(beast::buffers_to_string(buf_.data())))
            std::cout << s.serial << " " << s.ac_kw << " kW\n";
        buf_.consume(buf_.size());
        read();
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buf_;
};

// ---------------------------------------------------------------------------
// Backfill after an inverter was offline: it uploads the buffered samples.
// Generic so the same code serves plain and TLS sockets.
template <class Stream>
class BackfillIngest : public std::enable_shared_from_this<BackfillIngest<Stream>> {
public:
    BackfillIngest(Stream s, const Limits& lim) : ws_(std::move(s)), lim_(lim) {}

    void start() {
        // Backfill batches range from a few KB to hundreds of MB.
        ws_.read_message_max(0);
        ws_.async_accept([self = this->shared_from_this()](beast::error_code ec) {
            if (!ec) self->pull();
        });
    }

private:
    void pull() {
        ws_.async_read(buf_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-ws-message-limit
            if (ec) return;
            std::cout << "backfill rows: " << decode_batch(beast::buffers_to_string(self->buf_.data())).size() << "\n";
            self->buf_.clear();
            self->pull();
        });
    }

    websocket::stream<Stream> ws_;
    beast::flat_buffer buf_;
    Limits lim_;
};

template class BackfillIngest<beast::tcp_stream>;

// ---------------------------------------------------------------------------
// Firmware acknowledgements: small JSON acks after an OTA chunk.
template <class NextLayer>
void configure_ota_stream(websocket::stream<NextLayer>& ws, const Limits& lim) {
    ws.read_message_max(lim.setpoint_bytes);
    ws.binary(true);
}

template <class Stream>
class FirmwareChannel : public std::enable_shared_from_this<FirmwareChannel<Stream>> {
public:
    FirmwareChannel(Stream s, const Limits& lim) : ws_(std::move(s)) { configure_ota_stream(ws_, lim); }

    void await_ack() {
        ws_.async_read(ack_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) { // OK
            if (ec) return;
            self->ack_.clear();
        });
    }

    void push_chunk(std::vector<unsigned char> chunk) {
        chunk_ = std::move(chunk);
        ws_.async_write(net::buffer(chunk_), [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
            if (!ec) self->await_ack();
        });
    }

private:
    websocket::stream<Stream> ws_;
    beast::flat_buffer ack_;
    std::vector<unsigned char> chunk_;
};

template class FirmwareChannel<beast::tcp_stream>;

// ---------------------------------------------------------------------------
// Dashboard subscriber: clients send "subscribe" messages for plants.
class DashboardSession : public std::enable_shared_from_this<DashboardSession> {
public:
    explicit DashboardSession(tcp::socket s) : ws_(std::move(s)) {}

    void start() {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        pump_ = [this] {
            ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-ws-message-limit
                if (ec) { self->pump_ = nullptr; return; }
                self->handle_subscribe();
                self->pump_();
            });
        };
        ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
            if (!ec) self->pump_();
        });
    }

private:
    void handle_subscribe() {
        auto j = json::parse(beast::buffers_to_string(in_.data()), nullptr, false);
        in_.consume(in_.size());
        if (!j.is_discarded()) plants_.push_back(j.value("plant", ""));
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer in_;
    std::function<void()> pump_;
    std::vector<std::string> plants_;
};

// ---------------------------------------------------------------------------
// Grid operator link: set-points for active power curtailment.
struct GridOperatorLink {
    explicit GridOperatorLink(net::any_io_executor ex) : ws(ex) {}
    websocket::stream<beast::tcp_stream> ws;
    beast::flat_buffer buf;
    std::string operator_id;
};

class CurtailmentController {
public:
    explicit CurtailmentController(GridOperatorLink* grid) : grid_(grid) {}

    void listen() {
        grid_->ws.async_read(grid_->buf, [this](beast::error_code ec, std::size_t) { // expect: errorshield-ws-message-limit
            if (ec) {
                std::cerr << "grid link lost: " << ec.message() << "\n";
                return;
            }
            auto sp = json::parse(beast::buffers_to_string(grid_->buf.data()), nullptr, false);
            grid_->buf.consume(grid_->buf.size());
            if (!sp.is_discarded()) apply_limit_pct(sp.value("limit_pct", 100));
            listen();
        });
    }

private:
    void apply_limit_pct(int pct) { std::cout << "curtail to " << pct << "%\n"; }
    GridOperatorLink* grid_;
};

// Weather-forecast feed: irradiance predictions for the next 48h.
net::awaitable<void> forecast_feed(std::string host, Limits lim) {
    auto ex = co_await net::this_coro::executor;
    tcp::resolver r(ex);
    websocket::stream<beast::tcp_stream> ws(ex);
    co_await beast::get_lowest_layer(ws).async_connect(
        co_await r.async_resolve(host, "443", net::use_awaitable), net::use_awaitable);
    auto& stream = ws;
    stream.read_message_max(lim.telemetry_bytes * 4);
    co_await ws.async_handshake(host, "/irradiance", net::use_awaitable);

    beast::flat_buffer fb;
    for (;;) {
        auto n = co_await ws.async_read(fb, net::use_awaitable); // OK
        std::cout << "forecast update " << n << " bytes\n";
        fb.consume(n);
    }
}

// Commissioning tool used by installers on site.
std::string read_inverter_nameplate(net::io_context& ioc, const std::string& ip) {
    websocket::stream<tcp::socket> ws(ioc);
    ws.next_layer().connect(tcp::endpoint(net::ip::make_address(ip), 8502));
    ws.handshake(ip, "/nameplate");
    beast::flat_buffer b;
    ws.read(b); // expect: errorshield-ws-message-limit
    ws.close(websocket::close_code::normal);
    return beast::buffers_to_string(b.data());
}

}  // namespace fleet
