// checks: errorshield-ws-message-limit
// Kombucha brewery: fermentation tank telemetry gateway.
// Tank controllers (pH, temperature, SCOBY level) stream readings over WebSocket;
// brewers get a live dashboard; the maintenance console can push controller firmware.

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace brewery {

constexpr std::size_t kReadingFrameMax = 16 * 1024;
constexpr std::size_t kDashboardFrameMax = 4 * 1024;
constexpr std::size_t kFirmwareChunkMax = 2 * 1024 * 1024;

struct TankReading {
    std::string tank_id;
    double ph = 0.0;
    double temperature_c = 0.0;
    double brix = 0.0;
    std::int64_t taken_at = 0;
};

inline TankReading parse_reading(const json& j) {
    TankReading r;
    r.tank_id = j.at("tank").get<std::string>();
    r.ph = j.value("ph", 0.0);
    r.temperature_c = j.value("temp_c", 0.0);
    r.brix = j.value("brix", 0.0);
    r.taken_at = j.value("ts", std::int64_t{0});
    return r;
}

class TankRegistry {
public:
    void record(const TankReading& r) {
        std::lock_guard lock(mu_);
        latest_[r.tank_id] = r;
    }
    json snapshot() const {
        std::lock_guard lock(mu_);
        json out = json::array();
        for (const auto& [id, r] : latest_)
            out.push_back({{"tank", id}, {"ph", r.ph}, {"temp_c", r.temperature_c}, {"brix", r.brix}});
        return out;
    }

private:
    mutable std::mutex mu_;
    std::map<std::string, TankReading> latest_;
};

// Shared stream setup used by sessions that want the standard limits.
template <class Stream>
void apply_server_defaults(websocket::stream<Stream>& ws, std::size_t frame_max) {
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws.read_message_max(frame_max);
}

// ---------------------------------------------------------------------------
// Tank controller session: every controller pushes JSON readings every few seconds.
class ControllerSession : public std::enable_shared_from_this<ControllerSession> {
public:
    ControllerSession(tcp::socket socket, TankRegistry& registry)
        : ws_(std::move(socket)), registry_(registry) {}

    void run() {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.async_accept(beast::bind_front_handler(&ControllerSession::on_accept, shared_from_this()));
    }

private:
    void on_accept(beast::error_code ec) {
        if (ec) return;
        do_read();
    }

    void do_read() {
        ws_.async_read(buffer_, beast::bind_front_handler(&ControllerSession::on_read, shared_from_this())); // expect: errorshield-ws-message-limit
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec) return;
        try {
            auto j = json::parse(beast::buffers_to_string(buffer_.data()));
            registry_.record(parse_reading(j));
        } catch (const std::exception& e) {
            std::cerr << "bad reading: " << e.what() << "\n";
        }
        buffer_.consume(buffer_.size());
        do_read();
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
    TankRegistry& registry_;
};

// ---------------------------------------------------------------------------
// Brewer dashboard: clients only send small subscribe / filter commands.
class DashboardSession : public std::enable_shared_from_this<DashboardSession> {
public:
    DashboardSession(tcp::socket socket, TankRegistry& registry)
        : ws_(std::move(socket)), registry_(registry) {
        apply_server_defaults(ws_, kDashboardFrameMax);
    }

    void run() {
        ws_.async_accept(beast::bind_front_handler(&DashboardSession::on_accept, shared_from_this()));
    }

private:
    void on_accept(beast::error_code ec) {
        if (ec) return;
        do_read();
    }

    void do_read() {
        ws_.async_read(buffer_, beast::bind_front_handler(&DashboardSession::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec) return;
        buffer_.consume(buffer_.size());
        reply_ = registry_.snapshot().dump();
        ws_.text(true);
        ws_.async_write(asio::buffer(reply_),
                        [self = shared_from_this()](beast::error_code wec, std::size_t) {
                            if (!wec) self->do_read();
                        });
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
    std::string reply_;
    TankRegistry& registry_;
};

// ---------------------------------------------------------------------------
// Firmware push from the maintenance laptop: chunks are large, so the limit is raised.
class FirmwareSession : public std::enable_shared_from_this<FirmwareSession> {
public:
    explicit FirmwareSession(tcp::socket socket) : ws_(std::move(socket)) {}

    void run() {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.read_message_max(kFirmwareChunkMax);
        ws_.binary(true);
        ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
            if (!ec) self->read_chunk();
        });
    }

private:
    void read_chunk() {
        ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
            if (ec) return;
            self->received_ += n;
            self->buffer_.consume(n);
            self->read_chunk();
        });
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
    std::size_t received_ = 0;
};

// Bulk log upload from the bottling line: operators complained about the cap, so it went.
class BottlingLogSession : public std::enable_shared_from_this<BottlingLogSession> {
public:
    explicit BottlingLogSession(tcp::socket socket) : ws_(std::move(socket)) {}

    void run() {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.read_message_max(0); // expect: errorshield-ws-message-limit
        ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
            if (!ec) self->read_log();
        });
    }

private:
    void read_log() {
        ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
            if (ec) return;
            self->lines_ += std::count(static_cast<const char*>(self->buffer_.data().data()),
                                       static_cast<const char*>(self->buffer_.data().data()) + n, '\n');
            self->buffer_.consume(n);
            self->read_log();
        });
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
    std::size_t lines_ = 0;
};

// ---------------------------------------------------------------------------
// Calibration console, written with coroutines.
asio::awaitable<void> calibration_session(tcp::socket socket, TankRegistry& registry) {
    websocket::stream<beast::tcp_stream> ws(std::move(socket));
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    co_await ws.async_accept(asio::use_awaitable);
    for (;;) {
        beast::flat_buffer buf;
        co_await ws.async_read(buf, asio::use_awaitable); // expect: errorshield-ws-message-limit
        auto cmd = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
        if (cmd.is_discarded()) continue;
        if (cmd.value("op", "") == "offset") {
            TankReading r;
            r.tank_id = cmd.value("tank", "");
            r.ph = cmd.value("ph", 7.0);
            registry.record(r);
        }
        std::string ack = R"({"ok":true})";
        co_await ws.async_write(asio::buffer(ack), asio::use_awaitable);
    }
}

// Alarm acknowledgement channel: coroutine with the limit set before accepting.
asio::awaitable<void> alarm_ack_session(tcp::socket socket) {
    websocket::stream<beast::tcp_stream> ws(std::move(socket));
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws.read_message_max(kReadingFrameMax);
    co_await ws.async_accept(asio::use_awaitable);
    for (;;) {
        beast::flat_buffer buf;
        co_await ws.async_read(buf, asio::use_awaitable);
        std::cout << "alarm ack: " << beast::buffers_to_string(buf.data()) << "\n";
    }
}

// ---------------------------------------------------------------------------
// Upstream: the gateway mirrors readings to the head-office historian (client role).
class HistorianLink {
public:
    explicit HistorianLink(asio::io_context& ioc)
        : ws_(std::make_unique<websocket::stream<beast::tcp_stream>>(asio::make_strand(ioc))) {}

    void connect(const tcp::resolver::results_type& endpoints, const std::string& host) {
        beast::get_lowest_layer(*ws_).connect(endpoints);
        ws_->set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
        ws_->handshake(host, "/ingest");
    }

    std::string wait_for_ack() {
        beast::flat_buffer buf;
        ws_->read(buf); // expect: errorshield-ws-message-limit
        return beast::buffers_to_string(buf.data());
    }

private:
    std::unique_ptr<websocket::stream<beast::tcp_stream>> ws_;
};

// Status beacon: writes a heartbeat to the plant display, never reads application data.
class PlantDisplayBeacon {
public:
    explicit PlantDisplayBeacon(tcp::socket socket) : ws_(std::move(socket)) {}

    void publish(const TankRegistry& registry) {
        ws_.accept();
        ws_.text(true);
        ws_.write(asio::buffer(registry.snapshot().dump()));
    }

private:
    websocket::stream<tcp::socket> ws_;
};

// ---------------------------------------------------------------------------
class Listener : public std::enable_shared_from_this<Listener> {
public:
    Listener(asio::io_context& ioc, tcp::endpoint ep, TankRegistry& registry)
        : ioc_(ioc), acceptor_(ioc, ep), registry_(registry) {}

    void start() { accept(); }

private:
    void accept() {
        acceptor_.async_accept(asio::make_strand(ioc_),
                               [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
                                   if (!ec) self->dispatch(std::move(s));
                                   self->accept();
                               });
    }

    void dispatch(tcp::socket s) {
        auto port = s.local_endpoint().port();
        if (port == 9101)
            std::make_shared<ControllerSession>(std::move(s), registry_)->run();
        else if (port == 9102)
            std::make_shared<DashboardSession>(std::move(s), registry_)->run();
        else if (port == 9103)
            std::make_shared<FirmwareSession>(std::move(s))->run();
        else if (port == 9104)
            std::make_shared<BottlingLogSession>(std::move(s))->run();
        else if (port == 9105)
            asio::co_spawn(ioc_, calibration_session(std::move(s), registry_), asio::detached);
        else
            asio::co_spawn(ioc_, alarm_ack_session(std::move(s)), asio::detached);
    }

    asio::io_context& ioc_;
    tcp::acceptor acceptor_;
    TankRegistry& registry_;
};

} // namespace brewery

int main() {
    asio::io_context ioc{2};
    brewery::TankRegistry registry;
    auto listener = std::make_shared<brewery::Listener>(
        ioc, tcp::endpoint{asio::ip::make_address("0.0.0.0"), 9101}, registry);
    listener->start();
    ioc.run();
}
