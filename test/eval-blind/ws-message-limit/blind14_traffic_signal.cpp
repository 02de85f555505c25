// checks: errorshield-ws-message-limit
// Central signal-control server: intersection controllers stream phase
// reports, operator consoles send timing overrides, and the server keeps an
// uplink to the regional traffic management centre (TMC).
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
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace signalctl {

constexpr std::size_t kPhaseReportMax = 16 * 1024;
constexpr std::size_t kOperatorCmdMax = 4 * 1024;
constexpr std::size_t kTimingPlanMax = 256 * 1024;
constexpr std::size_t kButtonEventMax = 512;

struct PhaseReport {
    std::string intersection_id;
    int ring = 0;
    int phase = 0;
    std::string state;  // "green", "yellow", "red", "flash"
    long long ts_ms = 0;
};

inline PhaseReport parse_phase(const json& j) {
    PhaseReport r;
    r.intersection_id = j.at("id").get<std::string>();
    r.ring = j.value("ring", 1);
    r.phase = j.at("phase").get<int>();
    r.state = j.at("state").get<std::string>();
    r.ts_ms = j.value("ts", 0LL);
    return r;
}

class PhaseBoard {
public:
    void update(const PhaseReport& r) {
        std::lock_guard<std::mutex> lk(mu_);
        latest_[r.intersection_id] = r;
    }

private:
    std::mutex mu_;
    std::unordered_map<std::string, PhaseReport> latest_;
};

// Limits applied to every socket that talks to field hardware.
template <class NextLayer>
void harden_field_stream(websocket::stream<NextLayer>& ws, std::size_t max_bytes) {
    ws.read_message_max(max_bytes);
    ws.auto_fragment(false);
}

// ---------------------------------------------------------------------------
// Intersection controller feed.
class ControllerSession : public std::enable_shared_from_this<ControllerSession> {
public:
    ControllerSession(tcp::socket s, PhaseBoard& board) : ws_(std::move(s)), board_(board) {}

    void run() {
        net::dispatch(ws_.get_executor(),
                      beast::bind_front_handler(&ControllerSession::on_run, shared_from_this()));
    }

private:
    void on_run() {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.read_message_max(kPhaseReportMax);
        ws_.async_accept(beast::bind_front_handler(&ControllerSession::on_accept, shared_from_this()));
    }

    void on_accept(beast::error_code ec) {
        if (ec) return;
        do_read();
    }

    void do_read() {
        ws_.async_read(buffer_, beast::bind_front_handler(&ControllerSession::on_read, shared_from_this())); // OK
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec) return;
        auto j = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
        buffer_.consume(buffer_.size());
        if (!j.is_discarded()) board_.update(parse_phase(j));
        do_read();
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
    PhaseBoard& board_;
};

// ---------------------------------------------------------------------------
// Operator console: manual overrides (all-red, preempt, hold phase).
class OperatorConsoleSession : public std::enable_shared_from_this<OperatorConsoleSession> {
public:
    explicit OperatorConsoleSession(tcp::socket s) : ws_(std::move(s)) {}

    void start() {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
            res.set(beast::http::field::server, "signalctl-console");
        }));
        ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
            if (!ec) self->read_command();
        });
    }

private:
    void read_command() {
        ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t n) { // expect: errorshield-ws-message-limit
            if (ec) return;
            self->apply_override(n);
            self->read_command();
        });
    }

    void apply_override(std::size_t n) {
        auto text = beast::buffers_to_string(buffer_.data());
        buffer_.consume(n);
        auto cmd = json::parse(text, nullptr, false);
        if (cmd.is_discarded() || !cmd.contains("op")) return;
        std::cout << "override " << cmd["op"].get<std::string>() << " (limit "
                  << kOperatorCmdMax << ")\n";
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
};

// ---------------------------------------------------------------------------
// Pedestrian push-button bridge: the first frame is a hello telling us which
// crossing it serves, then a stream of tiny button events.
class ButtonBridgeSession : public std::enable_shared_from_this<ButtonBridgeSession> {
public:
    explicit ButtonBridgeSession(tcp::socket s) : ws_(std::move(s)) {}

    void start() {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
            if (ec) return;
            self->ws_.async_read(self->buffer_, [self](beast::error_code ec2, std::size_t) { // expect: errorshield-ws-message-limit
                if (ec2) return;
                self->crossing_ = beast::buffers_to_string(self->buffer_.data());
                self->buffer_.clear();
                self->ws_.read_message_max(kButtonEventMax);
                self->read_events();
            });
        });
    }

private:
    void read_events() {
        ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) { // OK: limit set by now
            if (ec) return;
            self->buffer_.clear();
            self->read_events();
        });
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
    std::string crossing_;
};

// ---------------------------------------------------------------------------
// Variable message sign: we only push text to it, it never sends us frames.
class MessageSignLink : public std::enable_shared_from_this<MessageSignLink> {
public:
    explicit MessageSignLink(tcp::socket s) : ws_(std::move(s)) {}

    void push(std::string text) {
        out_ = std::move(text);
        ws_.text(true);
        ws_.async_write(net::buffer(out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) std::cerr << "sign write failed: " << ec.message() << "\n";
        });
    }

private:
    websocket::stream<beast::tcp_stream> ws_;
    std::string out_;
};

// ---------------------------------------------------------------------------
// Regional TMC uplink: receives coordinated timing plans.
struct TmcConfig {
    std::string host;
    std::string port;
    std::size_t max_plan_bytes = kTimingPlanMax;
};

net::awaitable<void> tmc_uplink(TmcConfig cfg) {
    auto ex = co_await net::this_coro::executor;
    tcp::resolver resolver(ex);
    websocket::stream<beast::tcp_stream> ws(ex);

    auto results = co_await resolver.async_resolve(cfg.host, cfg.port, net::use_awaitable);
    co_await beast::get_lowest_layer(ws).async_connect(results, net::use_awaitable);
    beast::get_lowest_layer(ws).expires_never();
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));

    const std::size_t plan_limit = cfg.max_plan_bytes;
    std::cout << "TMC uplink, plans up to " << plan_limit << " bytes\n";
    co_await ws.async_handshake(cfg.host, "/plans", net::use_awaitable);

    beast::flat_buffer buf;
    for (;;) {
        co_await ws.async_read(buf, net::use_awaitable); // expect: errorshield-ws-message-limit
        auto plan = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
        buf.consume(buf.size());
        if (plan.is_discarded()) continue;
        std::cout << "plan " << plan.value("plan_id", "?") << "\n";
    }
}

// Field technician tool: pull the detector configuration of one cabinet.
json pull_detector_config(net::io_context& ioc, const std::string& cabinet_host) {
    tcp::resolver resolver(ioc);
    websocket::stream<tcp::socket> ws(ioc);
    net::connect(ws.next_layer(), resolver.resolve(cabinet_host, "8021"));
    harden_field_stream(ws, kPhaseReportMax);
    ws.handshake(cabinet_host, "/detectors");

    beast::flat_buffer buf;
    ws.read(buf); // OK: limited in harden_field_stream
    ws.close(websocket::close_code::normal);
    return json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
}

// Preemption receiver (emergency vehicles); the stream is configured through
// a pointer before the session starts reading.
class PreemptSession : public std::enable_shared_from_this<PreemptSession> {
public:
    explicit PreemptSession(tcp::socket s) : ws_(std::move(s)) {}
    websocket::stream<beast::tcp_stream>& stream() { return ws_; }

    void begin() {
        ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
            if (!ec) self->next();
        });
    }

private:
    void next() {
        ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) { // OK
            if (ec) return;
            self->buf_.clear();
            self->next();
        });
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buf_;
};

void on_preempt_accept(tcp::socket sock) {
    auto s = std::make_shared<PreemptSession>(std::move(sock));
    auto* ws = &s->stream();
    ws->read_message_max(kButtonEventMax);
    ws->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    s->begin();
}

}  // namespace signalctl
