// checks: errorshield-deferred-ref-capture
// Hot-air balloon tracking hub: LTE trackers in the baskets push position
// fixes over WebSocket, chase crews subscribe to the balloons they follow.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace balloon {

template <class F>
class ScopeExit {
public:
    explicit ScopeExit(F f) : f_(std::move(f)) {}
    ~ScopeExit() {
        if (armed_)
            f_();
    }
    ScopeExit(const ScopeExit&) = delete;
    ScopeExit& operator=(const ScopeExit&) = delete;
    void dismiss() { armed_ = false; }

private:
    F f_;
    bool armed_ = true;
};

struct Fix {
    std::string callsign;
    double lat = 0, lon = 0;
    double alt_m = 0;
    double vspeed = 0;  // m/s, positive = climbing
    std::int64_t t = 0;
};

struct WindLayer {
    int level_m = 0;
    double dir_deg = 0;
    double speed_kt = 0;
};

inline std::optional<Fix> parse_fix(const std::string& text) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.contains("cs"))
        return std::nullopt;
    return Fix{j.value("cs", std::string{}), j.value("lat", 0.0), j.value("lon", 0.0),
               j.value("alt", 0.0),          j.value("vs", 0.0),  j.value("t", std::int64_t{0})};
}

inline json to_json(const Fix& f) {
    return {{"cs", f.callsign}, {"lat", f.lat}, {"lon", f.lon}, {"alt", f.alt_m}, {"vs", f.vspeed}, {"t", f.t}};
}

inline void write_igc(const std::string& path, const std::vector<Fix>& track) {
    std::ofstream out(path);
    for (const auto& f : track)
        out << "B" << f.t << " " << f.lat << " " << f.lon << " " << f.alt_m << "\n";
}

class Roster {
public:
    void mark_lost(const std::string& cs) {
        std::lock_guard lk(mu_);
        state_[cs] = "lost";
    }
    void mark_landed(const std::string& cs, const Fix& f) {
        std::lock_guard lk(mu_);
        state_[cs] = "landed@" + std::to_string(f.lat) + "," + std::to_string(f.lon);
    }

private:
    std::mutex mu_;
    std::map<std::string, std::string> state_;
};

// Chase-crew subscriptions; everything runs on one strand.
class CrewHub {
public:
    using Sink = std::function<void(std::string)>;

    explicit CrewHub(net::io_context& ioc) : strand_(net::make_strand(ioc)) {}

    void subscribe(std::string crew, std::string callsign, Sink sink) {
        net::post(strand_, [this, crew = std::move(crew), cs = std::move(callsign), sink = std::move(sink)]() mutable {
            subs_[crew] = {std::move(cs), std::move(sink)};
        });
    }

    void unsubscribe(std::string crew) {
        net::post(strand_, [this, crew = std::move(crew)] { subs_.erase(crew); });
    }

    void fanout(const std::string& callsign, std::string msg) {
        net::post(strand_, [this, callsign, msg = std::move(msg)] {
            for (auto& [crew, sub] : subs_)
                if (sub.first == callsign)
                    sub.second(msg);
        });
    }

    void alert(const std::string& callsign, double sink_rate) {
        json a{{"type", "alert"}, {"cs", callsign}, {"sink", sink_rate}};
        fanout(callsign, a.dump());
    }

    void broadcast_wind(const WindLayer& layer) {
        json update{{"type", "wind"}, {"lvl", layer.level_m}, {"dir", layer.dir_deg}, {"kt", layer.speed_kt}};
        net::post(strand_, [this, &update] { // expect: errorshield-deferred-ref-capture
            for (auto& [crew, sub] : subs_)
                sub.second(update.dump());
        });
    }

private:
    net::strand<net::io_context::executor_type> strand_;
    std::map<std::string, std::pair<std::string, Sink>> subs_;
};

// One balloon's telemetry link.
class Tracker : public std::enable_shared_from_this<Tracker> {
public:
    Tracker(net::io_context& ioc, CrewHub& hub, std::string callsign)
        : landing_timer_(ioc), alert_timer_(ioc), hub_(hub), callsign_(std::move(callsign)) {}

    std::function<void()> on_lost;
    std::function<void(const Fix&)> on_landed;

    void attach(websocket::stream<beast::tcp_stream> ws) {
        ws_.emplace(std::move(ws));
        do_read();
    }

    const std::vector<Fix>& track() const { return track_; }

private:
    void do_read() {
        ws_->async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) {
                if (self->on_lost)
                    self->on_lost();
                return;
            }
            auto fix = parse_fix(beast::buffers_to_string(self->buf_.data()));
            self->buf_.consume(self->buf_.size());
            if (fix)
                self->handle_fix(*fix);
            self->do_read();
        });
    }

    void handle_fix(const Fix& fix) {
        track_.push_back(fix);
        hub_.fanout(callsign_, to_json(fix).dump());
        watch_descent(fix);
        if (fix.alt_m < 30 && std::abs(fix.vspeed) < 0.2) {
            landing_timer_.expires_after(std::chrono::seconds(90));
            landing_timer_.async_wait([self = shared_from_this(), fix](beast::error_code ec) {
                if (!ec && self->on_landed)
                    self->on_landed(fix);
            });
        }
    }

    void watch_descent(const Fix& fix) {
        double sink = -fix.vspeed;
        if (sink > 5.0) {
            alert_timer_.expires_after(std::chrono::seconds(10));
            alert_timer_.async_wait([this, &sink](beast::error_code ec) { // expect: errorshield-deferred-ref-capture
                if (!ec)
                    hub_.alert(callsign_, sink);
            });
        }
    }

    std::optional<websocket::stream<beast::tcp_stream>> ws_;
    beast::flat_buffer buf_;
    net::steady_timer landing_timer_;
    net::steady_timer alert_timer_;
    CrewHub& hub_;
    std::string callsign_;
    std::vector<Fix> track_;
};

// Reads the day's launch roster (one callsign per line) and pre-creates trackers.
inline std::map<std::string, std::shared_ptr<Tracker>> load_roster(std::istream& in, net::io_context& ioc,
                                                                   CrewHub& hub, Roster& roster) {
    std::map<std::string, std::shared_ptr<Tracker>> out;
    std::string callsign;
    while (std::getline(in, callsign)) {
        if (callsign.empty() || callsign.front() == '#')
            continue;
        auto tr = std::make_shared<Tracker>(ioc, hub, callsign);
        tr->on_lost = [&] { roster.mark_lost(callsign); }; // expect: errorshield-deferred-ref-capture
        tr->on_landed = [&roster, cs = callsign](const Fix& f) { roster.mark_landed(cs, f); };
        out.emplace(callsign, tr);
    }
    return out;
}

inline void archive_flight(const std::string& callsign, std::vector<Fix> track) {
    std::string path = "/var/lib/balloons/" + callsign + ".igc";
    std::thread([&path, track = std::move(track)] { write_igc(path, track); }).detach(); // expect: errorshield-deferred-ref-capture
}

inline void archive_all_on_shutdown(const std::map<std::string, std::shared_ptr<Tracker>>& trackers) {
    std::vector<std::thread> writers;
    for (const auto& [cs, tr] : trackers) {
        std::string path = "/var/lib/balloons/" + cs + ".igc";
        writers.emplace_back([path, track = tr->track()] { write_igc(path, track); });
    }
    std::string index = "/var/lib/balloons/index.txt";
    std::thread idx([&] {
        std::ofstream out(index);
        for (const auto& [cs, tr] : trackers)
            out << cs << " " << tr->track().size() << "\n";
    });
    idx.join();
    for (auto& w : writers)
        w.join();
}

// Debrief tool: replays a stored track through a private io_context.
inline std::size_t replay_track(const std::vector<Fix>& track, CrewHub& hub) {
    net::io_context local;
    std::size_t sent = 0;
    for (const auto& f : track)
        net::post(local, [&, f] {
            hub.fanout(f.callsign, to_json(f).dump());
            ++sent;
        });
    local.run();
    return sent;
}

// Chase crew connection.  A crew may hand over to another vehicle mid-flight.
inline net::awaitable<void> crew_session(tcp::socket sock, CrewHub& hub) {
    auto ws = std::make_shared<websocket::stream<beast::tcp_stream>>(std::move(sock));
    ws->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    co_await ws->async_accept(net::use_awaitable);

    beast::flat_buffer buf;
    co_await ws->async_read(buf, net::use_awaitable);
    json hello = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (hello.is_discarded())
        co_return;

    auto outbox = std::make_shared<std::vector<std::string>>();
    auto sink = [outbox](std::string m) { outbox->push_back(std::move(m)); };

    std::string crew_id = hello.value("crew", std::string{"anon"});
    const std::string following = hello.value("follow", std::string{});
    hub.subscribe(crew_id, following, sink);
    ScopeExit unsub([&] { hub.unsubscribe(crew_id); }); // expect: errorshield-deferred-ref-capture

    for (;;) {
        auto [ec, n] = co_await ws->async_read(buf, net::as_tuple(net::use_awaitable));
        if (ec)
            co_return;
        json msg = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
        buf.consume(n);
        if (msg.is_discarded())
            continue;
        if (msg.value("op", std::string{}) == "handover") {
            crew_id = msg.value("crew", crew_id);
            hub.subscribe(crew_id, following, sink);
        }
    }
}

// Pilot's tablet: read-only view of the pilot's own balloon.
inline net::awaitable<void> pilot_session(tcp::socket sock, CrewHub& hub) {
    websocket::stream<beast::tcp_stream> ws(std::move(sock));
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    co_await ws.async_accept(net::use_awaitable);

    beast::flat_buffer buf;
    co_await ws.async_read(buf, net::use_awaitable);
    const std::string pilot_key = "pilot:" + beast::buffers_to_string(buf.data());
    buf.consume(buf.size());
    hub.subscribe(pilot_key, pilot_key.substr(6), [](std::string) {});
    ScopeExit unsub([&] { hub.unsubscribe(pilot_key); });
    ScopeExit log([pilot_key] { std::cerr << pilot_key << " signed off\n"; });

    for (;;) {
        auto [ec, n] = co_await ws.async_read(buf, net::as_tuple(net::use_awaitable));
        if (ec)
            co_return;
        buf.consume(n);
    }
}

} // namespace balloon

int main() {
    net::io_context ioc;
    balloon::CrewHub hub(ioc);
    balloon::Roster roster;
    std::ifstream roster_file("/etc/balloons/roster.txt");
    auto trackers = balloon::load_roster(roster_file, ioc, hub, roster);

    std::vector<std::string> order;
    for (const auto& [cs, tr] : trackers)
        order.push_back(cs);
    std::sort(order.begin(), order.end(), [&](const std::string& a, const std::string& b) {
        return trackers[a]->track().size() > trackers[b]->track().size();
    });

    hub.broadcast_wind({300, 240.0, 8.0});
    net::co_spawn(ioc, [&]() -> net::awaitable<void> {
        tcp::acceptor acc(ioc, {tcp::v4(), 7400});
        for (;;)
            net::co_spawn(ioc, balloon::crew_session(co_await acc.async_accept(net::use_awaitable), hub),
                          net::detached);
    }, net::detached);
    ioc.run();
    for (const auto& [cs, tr] : trackers)
        balloon::archive_flight(cs, tr->track());
    balloon::archive_all_on_shutdown(trackers);
}
