// checks: errorshield-ws-frame-type
// Telemetry fan-out for a building-automation platform. Field gateways push
// sensor readings into the hub; browser dashboards connect over WebSocket and
// receive a hello, a snapshot of the current state, then a live stream.
// Dashboards negotiate the encoding (json / msgpack / cbor) in their first message.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

struct SensorReading {
    std::string sensor_id;
    std::string unit;
    double value = 0.0;
    std::uint64_t ts_ms = 0;
};

struct CameraFrame {
    std::string camera_id;
    std::vector<std::uint8_t> jpeg;  // raw JPEG bytes from the lobby camera
};

enum class WireEncoding { json_text, msgpack, cbor };

static json to_json(const SensorReading& r) {
    return json{{"id", r.sensor_id}, {"v", r.value}, {"u", r.unit}, {"t", r.ts_ms}};
}

static std::string base64_encode(const std::vector<std::uint8_t>& in) {
    static constexpr char tbl[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve(((in.size() + 2) / 3) * 4);
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        std::uint32_t n = (in[i] << 16) | (in[i + 1] << 8) | in[i + 2];
        out.push_back(tbl[(n >> 18) & 63]);
        out.push_back(tbl[(n >> 12) & 63]);
        out.push_back(tbl[(n >> 6) & 63]);
        out.push_back(tbl[n & 63]);
    }
    if (i < in.size()) {
        std::uint32_t n = in[i] << 16;
        if (i + 1 < in.size()) n |= in[i + 1] << 8;
        out.push_back(tbl[(n >> 18) & 63]);
        out.push_back(tbl[(n >> 12) & 63]);
        out.push_back(i + 1 < in.size() ? tbl[(n >> 6) & 63] : '=');
        out.push_back('=');
    }
    return out;
}

class DashboardSession : public std::enable_shared_from_this<DashboardSession> {
public:
    DashboardSession(tcp::socket&& socket, json initial_state)
        : ws_(std::move(socket)), state_(std::move(initial_state)) {}

    void run() {
        net::dispatch(ws_.get_executor(),
                      beast::bind_front_handler(&DashboardSession::on_run, shared_from_this()));
    }

    // Called on the session's strand by the hub for every new reading.
    void push_reading(const SensorReading& r) {
        if (encoding_ == WireEncoding::cbor) {
            cbor_out_ = json::to_cbor(to_json(r));
            ws_.binary(true);
            ws_.async_write(net::buffer(cbor_out_),
                            beast::bind_front_handler(&DashboardSession::on_stream_write,
                                                      shared_from_this()));
        } else if (encoding_ == WireEncoding::msgpack) {
            msgpack_out_ = json::to_msgpack(to_json(r));
            ws_.text(true);
            ws_.async_write(net::buffer(msgpack_out_),  // expect: errorshield-ws-frame-type
                            beast::bind_front_handler(&DashboardSession::on_stream_write,
                                                      shared_from_this()));
        } else {
            text_out_ = to_json(r).dump();
            ws_.text(true);
            ws_.async_write(net::buffer(text_out_),
                            beast::bind_front_handler(&DashboardSession::on_stream_write,
                                                      shared_from_this()));
        }
    }

    // Lobby camera preview, embedded as base64 inside a JSON envelope.
    void push_camera_preview(const CameraFrame& f) {
        json env = {{"type", "camera"}, {"id", f.camera_id}, {"jpeg_b64", base64_encode(f.jpeg)}};
        text_out_ = env.dump();
        ws_.text(true);
        ws_.async_write(net::buffer(text_out_),
                        beast::bind_front_handler(&DashboardSession::on_stream_write,
                                                  shared_from_this()));
    }

    // Full-resolution still, requested explicitly by the operator.
    void push_camera_still(const CameraFrame& f) {
        still_ = f.jpeg;
        ws_.text(true);
        ws_.async_write(net::buffer(still_),  // expect: errorshield-ws-frame-type
                        beast::bind_front_handler(&DashboardSession::on_stream_write,
                                                  shared_from_this()));
    }

    void push_alarm(const std::string& sensor_id, const std::string& reason) {
        json alarm = {{"type", "alarm"}, {"id", sensor_id}, {"reason", reason}};
        alarm_out_ = alarm.dump();
        ws_.binary(true);
        ws_.async_write(net::buffer(alarm_out_),  // expect: errorshield-ws-frame-type
                        beast::bind_front_handler(&DashboardSession::on_stream_write,
                                                  shared_from_this()));
    }

private:
    void on_run() {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.async_accept(beast::bind_front_handler(&DashboardSession::on_accept,
                                                   shared_from_this()));
    }

    void on_accept(beast::error_code ec) {
        if (ec) return;
        ws_.async_read(rx_, beast::bind_front_handler(&DashboardSession::on_negotiate,
                                                      shared_from_this()));
    }

    void on_negotiate(beast::error_code ec, std::size_t) {
        if (ec) return;
        auto req = json::parse(beast::buffers_to_string(rx_.data()), nullptr, false);
        rx_.consume(rx_.size());
        if (!req.is_discarded() && req.value("encoding", "") == "msgpack")
            encoding_ = WireEncoding::msgpack;
        else if (!req.is_discarded() && req.value("encoding", "") == "cbor")
            encoding_ = WireEncoding::cbor;

        json hello = {{"type", "hello"}, {"service", "telemetry-hub"}, {"proto", 3}};
        text_out_ = hello.dump();
        ws_.text(true);
        ws_.async_write(net::buffer(text_out_),
                        beast::bind_front_handler(&DashboardSession::on_hello_written,
                                                  shared_from_this()));
    }

    void on_hello_written(beast::error_code ec, std::size_t) {
        if (ec) return;
        // Snapshot can be a few MB; always msgpack regardless of negotiated encoding.
        snapshot_ = json::to_msgpack(state_);
        ws_.async_write(net::buffer(snapshot_),  // expect: errorshield-ws-frame-type
                        beast::bind_front_handler(&DashboardSession::on_snapshot_written,
                                                  shared_from_this()));
    }

    void on_snapshot_written(beast::error_code ec, std::size_t) {
        if (ec) return;
        // CSV header so the "export" button in the UI has column names.
        text_out_ = "sensor_id,unit,value,ts_ms\n";
        ws_.text(true);
        ws_.async_write(net::buffer(text_out_),
                        beast::bind_front_handler(&DashboardSession::on_stream_write,
                                                  shared_from_this()));
    }

    void on_stream_write(beast::error_code ec, std::size_t) {
        if (ec == websocket::error::closed) return;
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer rx_;
    json state_;
    WireEncoding encoding_ = WireEncoding::json_text;
    std::string text_out_;
    std::string alarm_out_;
    std::vector<std::uint8_t> cbor_out_;
    std::vector<std::uint8_t> msgpack_out_;
    std::vector<std::uint8_t> snapshot_;
    std::vector<std::uint8_t> still_;
};
