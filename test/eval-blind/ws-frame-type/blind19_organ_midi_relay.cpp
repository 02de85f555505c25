// checks: errorshield-ws-frame-type
// Pipe organ MIDI relay. The keydesk (console) sends raw MIDI from the manuals
// and pedalboard as binary frames and registration changes (stops, pistons) as
// JSON text frames. The relay fans MIDI out to the pipe chamber controllers,
// keeps the organist's tablet in sync, and records performances as Standard
// MIDI Files that can be downloaded afterwards.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using WsStream = websocket::stream<beast::tcp_stream>;
using Bytes = std::vector<std::uint8_t>;

// Send a whole message; the frame type follows the payload type.
template <class Payload>
void send_now(WsStream& ws, const Payload& payload) {
    ws.binary(!std::is_same_v<Payload, std::string>);
    ws.write(asio::buffer(payload));
}

static std::string hex_dump(const Bytes& b) {
    static const char* digits = "0123456789ABCDEF";
    std::string s;
    for (auto byte : b) {
        s += digits[byte >> 4];
        s += digits[byte & 0xF];
        s += ' ';
    }
    return s;
}

// ------------------------------------------------------ pipe chambers
class ChamberLink : public std::enable_shared_from_this<ChamberLink> {
public:
    ChamberLink(WsStream ws, std::string name) : ws_(std::move(ws)), name_(std::move(name)) {}

    void start() { read_report(); }

    // Called on this link's strand.
    void send_midi(Bytes msg) {
        queue_.push_back(std::move(msg));
        if (queue_.size() == 1) write_next();
    }

    asio::any_io_executor executor() { return ws_.get_executor(); }
    const std::string& name() const { return name_; }
    const json& last_report() const { return report_; }

private:
    void write_next() {
        ws_.async_write(asio::buffer(queue_.front()), // expect: errorshield-ws-frame-type
                        [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            if (ec) return;
                            self->queue_.pop_front();
                            if (!self->queue_.empty()) self->write_next();
                        });
    }

    // Chamber controllers report wind pressure and temperature as JSON and
    // cipher alarms (stuck pallets) as raw MIDI.
    void read_report() {
        ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;
            auto r = json::parse(beast::buffers_to_string(self->in_.data()), nullptr, false); // expect: errorshield-ws-frame-type
            if (r.is_object()) self->report_ = r;
            self->in_.consume(self->in_.size());
            self->read_report();
        });
    }

    WsStream ws_;
    std::string name_;
    std::deque<Bytes> queue_;
    beast::flat_buffer in_;
    json report_;
};

// --------------------------------------------------------- recorder
class Recorder {
public:
    void append(const Bytes& midi) {
        std::lock_guard<std::mutex> lk(mu_);
        events_.insert(events_.end(), midi.begin(), midi.end());
    }
    Bytes to_smf() const {
        std::lock_guard<std::mutex> lk(mu_);
        Bytes smf{'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 0, 0, 1, 0x01, 0xE0};
        Bytes trk{'M', 'T', 'r', 'k'};
        const auto n = static_cast<std::uint32_t>(events_.size());
        for (int shift : {24, 16, 8, 0}) trk.push_back(static_cast<std::uint8_t>(n >> shift));
        trk.insert(trk.end(), events_.begin(), events_.end());
        smf.insert(smf.end(), trk.begin(), trk.end());
        return smf;
    }

private:
    mutable std::mutex mu_;
    Bytes events_;
};

asio::awaitable<void> download_recording(WsStream ws, const Recorder& rec) {
    Bytes smf = rec.to_smf();
    ws.text(true);
    co_await ws.async_write(asio::buffer(json{{"type", "smf"}, {"bytes", smf.size()}}.dump()),
                            asio::use_awaitable);
    constexpr std::size_t chunk = 16 * 1024;
    for (std::size_t off = 0; off < smf.size(); off += chunk) {
        const std::size_t n = std::min(chunk, smf.size() - off);
        const bool fin = off + n == smf.size();
        co_await ws.async_write_some(fin, asio::buffer(smf.data() + off, n), asio::use_awaitable); // expect: errorshield-ws-frame-type
    }
    co_await ws.async_close(websocket::close_code::normal, asio::use_awaitable);
}

// ----------------------------------------------------- organist tablet
class TabletSession {
public:
    explicit TabletSession(WsStream ws) : ws_(std::move(ws)) {}

    // Combination memory (piston setups) as the builder's SysEx dump.
    void send_combination_dump(const Bytes& sysex) {
        ws_.binary(true);
        ws_.write(asio::buffer(sysex));
    }

    void send_registration(const std::set<std::string>& drawn_stops) {
        json j{{"type", "registration"}, {"stops", drawn_stops}};
        const std::string text = j.dump();
        ws_.write(asio::buffer(text)); // expect: errorshield-ws-frame-type
    }

    void restore_failed(const std::string& reason, const Bytes& current_dump) {
        ws_.text(true);
        ws_.write(asio::buffer(json{{"type", "restore_failed"}, {"reason", reason}}.dump()));
        ws_.write(asio::buffer(current_dump)); // expect: errorshield-ws-frame-type
    }

    void send_monitor_line(const Bytes& midi) {
        ws_.text(true);
        ws_.write(asio::buffer(hex_dump(midi)));
    }

    void send_tuning(const json& temps) { send_now(ws_, temps.dump()); }
    void send_sample(const Bytes& midi) { send_now(ws_, midi); }

private:
    WsStream ws_;
};

// ------------------------------------------------------------ relay
class Relay {
public:
    void add_chamber(std::shared_ptr<ChamberLink> c) {
        std::lock_guard<std::mutex> lk(mu_);
        chambers_[c->name()] = std::move(c);
    }

    void forward_midi(const Bytes& msg) {
        recorder_.append(msg);
        std::lock_guard<std::mutex> lk(mu_);
        for (auto& [name, link] : chambers_)
            asio::post(link->executor(), [link, msg] { link->send_midi(msg); });
    }

    void apply_registration(const json& change) {
        std::lock_guard<std::mutex> lk(mu_);
        for (const auto& s : change.value("draw", std::vector<std::string>{})) stops_.insert(s);
        for (const auto& s : change.value("cancel", std::vector<std::string>{})) stops_.erase(s);
    }

    std::set<std::string> stops() const {
        std::lock_guard<std::mutex> lk(mu_);
        return stops_;
    }

    Recorder& recorder() { return recorder_; }

private:
    mutable std::mutex mu_;
    std::map<std::string, std::shared_ptr<ChamberLink>> chambers_;
    std::set<std::string> stops_;
    Recorder recorder_;
};

// ----------------------------------------------------------- keydesk
class ConsoleSession : public std::enable_shared_from_this<ConsoleSession> {
public:
    ConsoleSession(WsStream ws, Relay& relay) : ws_(std::move(ws)), relay_(relay) {}

    void start() { read(); }

private:
    void read() {
        ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;
            self->dispatch();
            self->in_.consume(self->in_.size());
            self->read();
        });
    }

    void dispatch() {
        if (ws_.got_binary()) {
            auto data = in_.cdata();
            const auto* p = static_cast<const std::uint8_t*>(data.data());
            relay_.forward_midi(Bytes(p, p + data.size()));
            return;
        }
        json change = json::parse(beast::buffers_to_string(in_.data()), nullptr, false);
        if (change.is_object() && change.value("type", "") == "registration")
            relay_.apply_registration(change);
    }

    WsStream ws_;
    Relay& relay_;
    beast::flat_buffer in_;
};

int main() {
    asio::io_context ioc;
    Relay relay;
    tcp::acceptor acceptor(ioc, {tcp::v4(), 5006});

    std::function<void()> accept = [&] {
        acceptor.async_accept(asio::make_strand(ioc), [&](beast::error_code ec, tcp::socket s) {
            if (ec) return accept();
            auto ws = std::make_shared<WsStream>(std::move(s));
            ws->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
            ws->read_message_max(64 * 1024);
            auto req = std::make_shared<beast::http::request<beast::http::string_body>>();
            auto buf = std::make_shared<beast::flat_buffer>();
            beast::http::async_read(beast::get_lowest_layer(*ws), *buf, *req,
                                    [&, ws, req, buf](beast::error_code ec, std::size_t) {
                if (ec) return;
                ws->async_accept(*req, [&, ws, req](beast::error_code ec) {
                    if (ec) return;
                    const std::string target(req->target());
                    if (target == "/console") {
                        std::make_shared<ConsoleSession>(std::move(*ws), relay)->start();
                    } else if (target.rfind("/chamber/", 0) == 0) {
                        auto link = std::make_shared<ChamberLink>(std::move(*ws), target.substr(9));
                        relay.add_chamber(link);
                        link->start();
                    } else if (target == "/recording") {
                        asio::co_spawn(ioc, download_recording(std::move(*ws), relay.recorder()),
                                       asio::detached);
                    }
                });
            });
            accept();
        });
    };
    accept();
    ioc.run();
}
