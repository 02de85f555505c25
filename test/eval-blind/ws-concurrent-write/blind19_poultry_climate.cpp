// checks: errorshield-ws-concurrent-write
// Poultry house climate control hub. Barn gateways (temperature, humidity,
// NH3/CO2 sensors, fan banks, heaters) connect over WebSocket; farm managers'
// dashboards receive telemetry and alarms and push setpoints back.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

struct ClimateReading {
    std::string barn_id;
    double temp_c = 0;
    double humidity_pct = 0;
    double nh3_ppm = 0;
    double co2_ppm = 0;
    int fan_stage = 0;
    long ts = 0;
};

static ClimateReading reading_from(const json& j) {
    return {j.value("barn", ""), j.value("t", 0.0), j.value("rh", 0.0), j.value("nh3", 0.0),
            j.value("co2", 0.0), j.value("fan", 0), j.value("ts", 0L)};
}

using WsStream = websocket::stream<beast::tcp_stream>;

template <class Ws, class Handler>
void send_json(Ws& ws, std::shared_ptr<std::string> body, Handler&& h) {
    ws.text(true);
    ws.async_write(net::buffer(*body), // expect: errorshield-ws-concurrent-write
                   [body, h = std::forward<Handler>(h)](beast::error_code ec, std::size_t n) mutable { h(ec, n); });
}

// Farm manager dashboard.
class ManagerSession : public std::enable_shared_from_this<ManagerSession> {
public:
    explicit ManagerSession(tcp::socket s) : ws_(std::move(s)) {}
    WsStream& ws() { return ws_; }

    void start(std::function<void(const json&)> on_setpoint) {
        on_setpoint_ = std::move(on_setpoint);
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
            if (!ec) self->do_read();
        });
    }

    void enqueue(std::shared_ptr<const std::string> msg) {
        net::post(ws_.get_executor(), [self = shared_from_this(), msg] {
            self->out_.push_back(msg);
            if (self->out_.size() == 1) self->write_front();
        });
    }

private:
    void write_front() {
        ws_.async_write(net::buffer(*out_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;
            self->out_.pop_front();
            if (!self->out_.empty()) self->write_front();
        });
    }

    void do_read() {
        ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;
            auto j = json::parse(beast::buffers_to_string(self->in_.data()), nullptr, false);
            self->in_.consume(self->in_.size());
            if (!j.is_object() || !j.contains("barn") || !j.contains("setpoint"))
                self->reject("malformed setpoint");
            else
                self->on_setpoint_(j);
            self->do_read();
        });
    }

    void reject(const std::string& reason) {
        auto msg = std::make_shared<std::string>(json{{"type", "error"}, {"reason", reason}}.dump());
        ws_.async_write(net::buffer(*msg), [self = shared_from_this(), msg](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
    }

    WsStream ws_;
    beast::flat_buffer in_;
    std::deque<std::shared_ptr<const std::string>> out_;
    std::function<void(const json&)> on_setpoint_;
};

// Current-generation barn gateway.
class ControllerSession : public std::enable_shared_from_this<ControllerSession> {
public:
    ControllerSession(tcp::socket s, std::string barn) : ws_(std::move(s)), barn_(std::move(barn)) {}
    WsStream& ws() { return ws_; }
    const std::string& barn() const { return barn_; }

    void send(std::string msg) {
        net::dispatch(ws_.get_executor(), [self = shared_from_this(), msg = std::move(msg)]() mutable {
            if (self->writing_) {
                self->pending_.push_back(std::move(msg));
                return;
            }
            self->writing_ = true;
            self->current_ = std::move(msg);
            self->write_current();
        });
    }

    void start(std::function<void(const ClimateReading&)> sink) {
        sink_ = std::move(sink);
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
            if (!ec) self->do_read();
        });
    }

private:
    void write_current() {
        ws_.async_write(net::buffer(current_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec || self->pending_.empty()) {
                self->writing_ = false;
                return;
            }
            self->current_ = std::move(self->pending_.front());
            self->pending_.pop_front();
            self->write_current();
        });
    }

    void do_read() {
        ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;
            auto j = json::parse(beast::buffers_to_string(self->in_.data()), nullptr, false);
            self->in_.consume(self->in_.size());
            if (j.is_object()) {
                auto r = reading_from(j);
                self->sink_(r);
                self->send(json{{"type", "ack"}, {"ts", r.ts}}.dump());
            }
            self->do_read();
        });
    }

    WsStream ws_;
    std::string barn_;
    beast::flat_buffer in_;
    bool writing_ = false;
    std::string current_;
    std::deque<std::string> pending_;
    std::function<void(const ClimateReading&)> sink_;
};

// Minimum-ventilation cycle: every 5 minutes the fan bank runs for a share of
// the cycle based on bird weight and house temperature.
class VentilationController {
public:
    VentilationController(ControllerSession* owner, double bird_kg)
        : owner_(owner), timer_(owner->ws().get_executor()), bird_kg_(bird_kg) {}

    void start() { tick(); }
    void cancel() { timer_.cancel(); }

private:
    void tick() {
        timer_.expires_after(5min);
        timer_.async_wait([this](beast::error_code ec) {
            if (ec) return;
            int on_seconds = static_cast<int>(30 + bird_kg_ * 20);
            cmd_ = json{{"type", "fan_cycle"}, {"barn", owner_->barn()}, {"on_s", on_seconds}}.dump();
            owner_->ws().async_write(net::buffer(cmd_), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
            tick();
        });
    }

    ControllerSession* owner_;
    net::steady_timer timer_;
    double bird_kg_;
    std::string cmd_;
};

// Older gateways (firmware 1.x) still on the v1 JSON protocol.
class LegacyGatewaySession : public std::enable_shared_from_this<LegacyGatewaySession> {
public:
    explicit LegacyGatewaySession(tcp::socket s) : ws_(std::move(s)), hb_timer_(ws_.get_executor()) {
        heartbeat_ = [this] {
            ws_.async_write(net::buffer(hb_msg_), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
        };
    }
    WsStream& ws() { return ws_; }

    void start() {
        ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
            if (ec) return;
            self->do_read();
            self->arm_heartbeat();
        });
    }

    void push_setpoint(double target_c) {
        auto body = std::make_shared<std::string>(json{{"cmd", "set"}, {"t", target_c}}.dump());
        send_json(ws_, body, [](beast::error_code, std::size_t) {});
    }

private:
    void arm_heartbeat() {
        hb_timer_.expires_after(15s);
        hb_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (ec) return;
            self->heartbeat_();
            self->arm_heartbeat();
        });
    }

    void do_read() {
        ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;
            self->in_.consume(self->in_.size());
            auto ack = std::make_shared<std::string>(R"({"cmd":"ack"})");
            send_json(self->ws_, ack, [](beast::error_code, std::size_t) {});
            self->do_read();
        });
    }

    WsStream ws_;
    net::steady_timer hb_timer_;
    beast::flat_buffer in_;
    std::string hb_msg_ = R"({"cmd":"hb"})";
    std::function<void()> heartbeat_;
};

template <class Session>
void publish_to(const std::vector<std::shared_ptr<Session>>& sessions, const json& j) {
    auto msg = std::make_shared<const std::string>(j.dump());
    for (auto& s : sessions) s->enqueue(msg);
}

class FarmHub {
public:
    void add_manager(std::shared_ptr<ManagerSession> m) {
        std::lock_guard lk(mu_);
        managers_.push_back(std::move(m));
    }
    void add_controller(std::shared_ptr<ControllerSession> c) {
        std::lock_guard lk(mu_);
        controllers_[c->barn()] = std::move(c);
    }

    void keep(std::shared_ptr<VentilationController> v) {
        std::lock_guard lk(mu_);
        vents_.push_back(std::move(v));
    }

    void on_reading(const ClimateReading& r) {
        publish_to(managers(), json{{"type", "reading"}, {"barn", r.barn_id}, {"t", r.temp_c}, {"rh", r.humidity_pct}});
        if (r.nh3_ppm > 25 || r.temp_c > 32) raise_alarm(r);
    }

    void raise_alarm(const ClimateReading& r) {
        auto msg = std::make_shared<std::string>(
            json{{"type", "alarm"}, {"barn", r.barn_id}, {"nh3", r.nh3_ppm}, {"t", r.temp_c}}.dump());
        for (auto& m : managers()) {
            net::post(m->ws().get_executor(), [m, msg] {
                m->ws().async_write(net::buffer(*msg), [m, msg](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
            });
        }
    }

    void apply_setpoint(const json& j) {
        std::shared_ptr<ControllerSession> c;
        {
            std::lock_guard lk(mu_);
            auto it = controllers_.find(j.value("barn", ""));
            if (it == controllers_.end()) return;
            c = it->second;
        }
        c->send(json{{"type", "setpoint"}, {"t", j.value("setpoint", 0.0)}}.dump());
    }

private:
    std::vector<std::shared_ptr<ManagerSession>> managers() {
        std::lock_guard lk(mu_);
        return managers_;
    }

    std::mutex mu_;
    std::vector<std::shared_ptr<ManagerSession>> managers_;
    std::unordered_map<std::string, std::shared_ptr<ControllerSession>> controllers_;
    std::vector<std::shared_ptr<VentilationController>> vents_;
};

void accept_loop(tcp::acceptor& acc, FarmHub& hub, int kind) {
    acc.async_accept(net::make_strand(acc.get_executor()), [&acc, &hub, kind](beast::error_code ec, tcp::socket s) {
        if (!ec) {
            if (kind == 0) {
                auto m = std::make_shared<ManagerSession>(std::move(s));
                hub.add_manager(m);
                m->start([&hub](const json& j) { hub.apply_setpoint(j); });
            } else if (kind == 1) {
                auto c = std::make_shared<ControllerSession>(std::move(s), "barn-" + std::to_string(std::rand() % 100));
                hub.add_controller(c);
                c->start([&hub](const ClimateReading& r) { hub.on_reading(r); });
                auto vent = std::make_shared<VentilationController>(c.get(), 1.8);
                vent->start();
                hub.keep(std::move(vent));
            } else {
                std::make_shared<LegacyGatewaySession>(std::move(s))->start();
            }
        }
        accept_loop(acc, hub, kind);
    });
}

int main() {
    net::io_context ioc;
    FarmHub hub;
    tcp::acceptor managers(ioc, {tcp::v4(), 8443});
    tcp::acceptor controllers(ioc, {tcp::v4(), 9443});
    tcp::acceptor legacy(ioc, {tcp::v4(), 9444});
    accept_loop(managers, hub, 0);
    accept_loop(controllers, hub, 1);
    accept_loop(legacy, hub, 2);
    ioc.run();
}
