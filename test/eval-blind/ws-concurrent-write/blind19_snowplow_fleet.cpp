// checks: errorshield-ws-concurrent-write
// Municipal snowplow fleet tracker. In-cab units stream GPS / blade state over
// WebSocket and receive route updates; dispatcher dashboards get live positions
// and storm alerts.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
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

struct PlowPosition {
    std::string plow_id;
    double lat = 0, lon = 0;
    double speed_kmh = 0;
    bool blade_down = false;
    double salt_kg_per_km = 0;
    long ts = 0;
};

static json position_json(const PlowPosition& p) {
    return {{"type", "pos"}, {"plow", p.plow_id}, {"lat", p.lat}, {"lon", p.lon}, {"speed", p.speed_kmh},
            {"blade", p.blade_down}, {"salt", p.salt_kg_per_km}, {"ts", p.ts}};
}

static void log_fail(const char* what, beast::error_code ec) {
    if (ec != websocket::error::closed && ec != net::error::operation_aborted)
        std::cerr << what << ": " << ec.message() << "\n";
}

// Dispatcher dashboard: outbound traffic goes through a per-session queue.
class DashboardSession : public std::enable_shared_from_this<DashboardSession> {
public:
    explicit DashboardSession(tcp::socket s) : ws_(std::move(s)) {}

    websocket::stream<beast::tcp_stream>& ws() { return ws_; }

    void start(std::string welcome, std::string snapshot) {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.async_accept([self = shared_from_this(), welcome = std::move(welcome),
                          snapshot = std::move(snapshot)](beast::error_code ec) mutable {
            if (ec) return log_fail("dash accept", ec);
            self->greet(std::move(welcome), std::move(snapshot));
        });
    }

    void send(std::shared_ptr<const std::string> msg) {
        net::post(ws_.get_executor(), [self = shared_from_this(), msg] {
            self->queue_.push_back(msg);
            if (self->queue_.size() > 1) return;
            self->do_write();
        });
    }

private:
    // Welcome first, then the fleet snapshot once the welcome has gone out.
    void greet(std::string welcome, std::string snapshot) {
        auto w = std::make_shared<std::string>(std::move(welcome));
        auto s = std::make_shared<std::string>(std::move(snapshot));
        ws_.async_write(net::buffer(*w), [self = shared_from_this(), w, s](beast::error_code ec, std::size_t) {
            if (ec) return log_fail("dash welcome", ec);
            self->ws_.async_write(net::buffer(*s), [self, s](beast::error_code ec, std::size_t) {
                if (ec) return log_fail("dash snapshot", ec);
                self->do_read();
            });
        });
    }

    void do_write() {
        ws_.text(true);
        ws_.async_write(net::buffer(*queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return log_fail("dash write", ec);
            self->queue_.pop_front();
            if (!self->queue_.empty()) self->do_write();
        });
    }

    void do_read() {
        ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return log_fail("dash read", ec);
            self->in_.consume(self->in_.size());
            self->do_read();
        });
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer in_;
    std::deque<std::shared_ptr<const std::string>> queue_;
};

class FleetHub {
public:
    void add_dashboard(const std::shared_ptr<DashboardSession>& d) {
        std::lock_guard lk(mu_);
        dashboards_.push_back(d);
    }

    void broadcast_position(const PlowPosition& p) {
        auto msg = std::make_shared<const std::string>(position_json(p).dump());
        for (auto& d : live_dashboards()) d->send(msg);
    }

    // Environment Canada / MeteoSwiss style warning pushed by the ops desk.
    void broadcast_storm_alert(const std::string& text) {
        auto msg = std::make_shared<const std::string>(json{{"type", "storm"}, {"text", text}}.dump());
        for (auto& d : live_dashboards()) {
            d->ws().async_write(net::buffer(*msg), // expect: errorshield-ws-concurrent-write
                                [d, msg](beast::error_code ec, std::size_t) { if (ec) log_fail("storm", ec); });
        }
    }

    void record(const PlowPosition& p) {
        std::lock_guard lk(mu_);
        last_[p.plow_id] = p;
    }

    std::string snapshot() {
        std::lock_guard lk(mu_);
        json arr = json::array();
        for (auto& [id, p] : last_) arr.push_back(position_json(p));
        return json{{"type", "snapshot"}, {"plows", arr}}.dump();
    }

private:
    std::vector<std::shared_ptr<DashboardSession>> live_dashboards() {
        std::lock_guard lk(mu_);
        std::vector<std::shared_ptr<DashboardSession>> out;
        for (auto it = dashboards_.begin(); it != dashboards_.end();) {
            if (auto d = it->lock()) {
                out.push_back(d);
                ++it;
            } else {
                it = dashboards_.erase(it);
            }
        }
        return out;
    }

    std::mutex mu_;
    std::vector<std::weak_ptr<DashboardSession>> dashboards_;
    std::unordered_map<std::string, PlowPosition> last_;
};

// In-cab unit of one plow truck.
class PlowSession : public std::enable_shared_from_this<PlowSession> {
public:
    PlowSession(tcp::socket s, FleetHub& hub) : ws_(std::move(s)), route_timer_(ws_.get_executor()), hub_(hub) {}

    websocket::stream<beast::tcp_stream>& ws() { return ws_; }

    void start() {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
            if (ec) return log_fail("plow accept", ec);
            self->do_read();
            self->arm_route_timer();
            self->replay_work_orders();
        });
    }

    void queue_work_order(std::string wo) { pending_orders_.push_back(std::move(wo)); }

private:
    void do_read() {
        ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return log_fail("plow read", ec);
            auto j = json::parse(beast::buffers_to_string(self->in_.data()), nullptr, false);
            self->in_.consume(self->in_.size());
            if (j.is_object()) self->on_position(j);
            self->do_read();
        });
    }

    void on_position(const json& j) {
        PlowPosition p{j.value("plow", ""), j.value("lat", 0.0), j.value("lon", 0.0), j.value("speed", 0.0),
                       j.value("blade", false), j.value("salt", 0.0), j.value("ts", 0L)};
        plow_id_ = p.plow_id;
        hub_.record(p);
        hub_.broadcast_position(p);
        ack_ = json{{"type", "ack"}, {"ts", p.ts}}.dump();
        ws_.async_write(net::buffer(ack_), [self = shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-ws-concurrent-write
            if (ec) log_fail("plow ack", ec);
        });
    }

    void arm_route_timer() {
        route_timer_.expires_after(30s);
        route_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (ec) return;
            self->push_route_update();
            self->arm_route_timer();
        });
    }

    void push_route_update() {
        auto route = std::make_shared<std::string>(json{{"type", "route"}, {"plow", plow_id_}, {"priority", 1}}.dump());
        ws_.async_write(net::buffer(*route), [self = shared_from_this(), route](beast::error_code ec, std::size_t) { // expect: errorshield-ws-concurrent-write
            if (ec) log_fail("plow route", ec);
        });
    }

    // Work orders queued while the truck was out of coverage.
    void replay_work_orders() {
        for (auto const& wo : pending_orders_) {
            ws_.async_write(net::buffer(wo), [self = shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-ws-concurrent-write
                if (ec) log_fail("plow work order", ec);
            });
        }
    }

    websocket::stream<beast::tcp_stream> ws_;
    net::steady_timer route_timer_;
    FleetHub& hub_;
    beast::flat_buffer in_;
    std::string plow_id_;
    std::string ack_;
    std::vector<std::string> pending_orders_;
};

// Keep-alive telemetry request to the truck's CAN gateway, run alongside the session.
net::awaitable<void> can_poll(std::shared_ptr<PlowSession> plow) {
    net::steady_timer t(co_await net::this_coro::executor);
    const std::string req = R"({"type":"can_poll","pgn":65262})";
    for (;;) {
        t.expires_after(10s);
        co_await t.async_wait(net::use_awaitable);
        co_await plow->ws().async_write(net::buffer(req), net::use_awaitable); // expect: errorshield-ws-concurrent-write
    }
}

// Depot yard gate terminal: strictly request/response, one writer.
net::awaitable<void> depot_gate(websocket::stream<beast::tcp_stream> ws, FleetHub& hub) {
    co_await ws.async_accept(net::use_awaitable);
    beast::flat_buffer buf;
    for (;;) {
        co_await ws.async_read(buf, net::use_awaitable);
        buf.consume(buf.size());
        std::string reply = hub.snapshot();
        co_await ws.async_write(net::buffer(reply), net::use_awaitable);
        std::string done = R"({"type":"gate_done"})";
        co_await ws.async_write(net::buffer(done), net::use_awaitable);
    }
}

net::awaitable<void> listen(tcp::acceptor acc, FleetHub& hub, int kind) {
    auto ex = co_await net::this_coro::executor;
    for (;;) {
        auto [ec, sock] = co_await acc.async_accept(net::make_strand(ex), net::as_tuple(net::use_awaitable));
        if (ec) continue;
        if (kind == 0) {
            auto plow = std::make_shared<PlowSession>(std::move(sock), hub);
            plow->start();
            net::co_spawn(plow->ws().get_executor(), can_poll(plow), net::detached);
        } else if (kind == 1) {
            auto d = std::make_shared<DashboardSession>(std::move(sock));
            hub.add_dashboard(d);
            d->start(R"({"type":"hello"})", hub.snapshot());
        } else {
            auto gate_ex = sock.get_executor();
            websocket::stream<beast::tcp_stream> ws(std::move(sock));
            net::co_spawn(gate_ex, depot_gate(std::move(ws), hub), net::detached);
        }
    }
}

int main() {
    net::io_context ioc;
    FleetHub hub;
    net::co_spawn(ioc, listen(tcp::acceptor(ioc, {tcp::v4(), 9100}), hub, 0), net::detached);
    net::co_spawn(ioc, listen(tcp::acceptor(ioc, {tcp::v4(), 9200}), hub, 1), net::detached);
    net::co_spawn(ioc, listen(tcp::acceptor(ioc, {tcp::v4(), 9300}), hub, 2), net::detached);
    net::signal_set sigs(ioc, SIGUSR1);
    sigs.async_wait([&](beast::error_code ec, int) {
        if (!ec) hub.broadcast_storm_alert("Freezing rain expected from 02:00, pre-salt bridges");
    });
    ioc.run();
}
