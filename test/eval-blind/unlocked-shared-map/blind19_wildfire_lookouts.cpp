// checks: errorshield-unlocked-shared-map
// Wildfire lookout camera network hub. Each lookout tower keeps a WebSocket open
// and streams smoke detections (camera, bearing, confidence). The hub
// cross-references bearings from different towers into incidents, tracks camera
// health, and serves the dispatch console on the same port.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

struct Detection {
    std::string tower;
    std::string camera;
    double bearing_deg = 0;
    double confidence = 0;
    std::int64_t ts = 0;
};

struct TowerInfo {
    std::string name;
    double lat = 0, lon = 0;
    int elevation_m = 0;
};

// ------------------------------------------------------------- directory
class TowerDirectory {
public:
    void upsert(const std::string& id, TowerInfo info) {
        std::unique_lock lk(mu_);
        towers_.insert_or_assign(id, std::move(info));
    }
    void retire(const std::string& id) {
        std::unique_lock lk(mu_, std::defer_lock);
        lk.lock();
        towers_.erase(id);
    }
    std::optional<TowerInfo> find(const std::string& id) const {
        std::shared_lock lk(mu_);
        auto it = towers_.find(id);
        if (it == towers_.end()) return std::nullopt;
        return it->second;
    }

private:
    mutable std::shared_mutex mu_;
    std::unordered_map<std::string, TowerInfo> towers_;
};

// --------------------------------------------------------- expiring cache
template <class Key, class Value>
class TtlCache {
public:
    using clock = std::chrono::steady_clock;
    explicit TtlCache(std::chrono::seconds ttl) : ttl_(ttl) {}

    void put(const Key& k, Value v) {
        std::lock_guard<std::mutex> lk(mu_);
        entries_[k] = Entry{std::move(v), clock::now() + ttl_};
    }
    std::optional<Value> get(const Key& k) {
        std::lock_guard<std::mutex> lk(mu_);
        auto it = entries_.find(k);
        if (it == entries_.end()) return std::nullopt;
        return it->second.value;
    }
    std::size_t sweep() {
        const auto now = clock::now();
        std::size_t dropped = 0;
        for (auto it = entries_.begin(); it != entries_.end();) {
            if (it->second.expires < now) {
                it = entries_.erase(it); // expect: errorshield-unlocked-shared-map
                ++dropped;
            } else {
                ++it;
            }
        }
        return dropped;
    }

private:
    struct Entry {
        Value value;
        clock::time_point expires;
    };
    std::chrono::seconds ttl_;
    std::mutex mu_;
    std::unordered_map<Key, Entry> entries_;
};

// ------------------------------------------------------------- incidents
class IncidentSink {
public:
    virtual ~IncidentSink() = default;
    virtual void on_detection(const Detection& d) = 0;
    virtual void on_camera_fault(const std::string& camera) = 0;
};

class IncidentBoard : public IncidentSink {
public:
    void on_detection(const Detection& d) override {
        if (!(d.confidence >= 0.0 && d.confidence <= 1.0)) {
            // Inference box produced garbage; drop whatever bearing it had pending.
            pending_.erase(d.camera); // expect: errorshield-unlocked-shared-map
            return;
        }
        if (d.confidence < 0.6) return;
        std::lock_guard<std::mutex> lk(mu_);
        for (const auto& [cam, other] : pending_) {
            if (other.tower == d.tower || std::llabs(other.ts - d.ts) > 600) continue;
            incidents_.emplace(next_id_++, json{{"towers", {other.tower, d.tower}},
                                                {"bearings", {other.bearing_deg, d.bearing_deg}},
                                                {"ts", d.ts}});
        }
        pending_[d.camera] = d;
    }

    void on_camera_fault(const std::string& camera) override {
        std::lock_guard<std::mutex> lk(mu_);
        pending_.erase(camera);
    }

    json snapshot() const {
        std::lock_guard<std::mutex> lk(mu_);
        json out = json::array();
        for (const auto& [id, inc] : incidents_) out.push_back(json{{"id", id}, {"incident", inc}});
        return out;
    }

private:
    mutable std::mutex mu_;
    std::map<std::string, Detection> pending_;
    std::map<std::uint64_t, json> incidents_;
    std::uint64_t next_id_ = 1;
};

// --------------------------------------------------------- network state
struct CameraHealth {
    std::int64_t last_frame = 0;
    int faults = 0;
};

struct NetworkState {
    std::mutex mu;
    std::map<std::string, CameraHealth> health;
    std::set<std::string> muted; // cameras muted by dispatch (dust, fog banks)
    std::unordered_map<std::string, int> ptz_preset;
};

// Outstanding dispatch acknowledgements; only ever touched on strand_.
class DispatchQueue {
public:
    explicit DispatchQueue(asio::io_context& ioc) : strand_(asio::make_strand(ioc)) {}

    void raise(std::uint64_t incident, std::string summary) {
        asio::post(strand_, [this, incident, s = std::move(summary)]() mutable {
            outstanding_.emplace(incident, std::move(s));
        });
    }
    void acknowledge(std::uint64_t incident) {
        asio::dispatch(strand_, [this, incident] { outstanding_.erase(incident); });
    }

private:
    asio::strand<asio::io_context::executor_type> strand_;
    std::map<std::uint64_t, std::string> outstanding_;
};

// -------------------------------------------------------------- sessions
class LookoutSession : public std::enable_shared_from_this<LookoutSession> {
public:
    LookoutSession(tcp::socket s, NetworkState* net, IncidentSink& sink,
                   TtlCache<std::string, json>& recent, DispatchQueue& dispatch)
        : ws_(std::move(s)), net_(net), sink_(sink), recent_(recent), dispatch_(dispatch) {}

    void run() {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.read_message_max(256 * 1024);
        ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
            if (!ec) self->read_next();
        });
    }

private:
    void read_next() {
        ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            self->on_message(ec);
        });
    }

    void on_message(beast::error_code ec) {
        if (ec) {
            if (!camera_.empty()) {
                std::lock_guard<std::mutex> lk(net_->mu);
                net_->health.erase(camera_);
            }
            return;
        }
        json msg = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
        buf_.consume(buf_.size());
        if (msg.is_object()) dispatch_op(msg);
        read_next();
    }

    void dispatch_op(const json& msg) {
        const std::string op = msg.value("op", "");
        if (op == "detection") {
            Detection d{msg.value("tower", ""), msg.value("camera", ""), msg.value("bearing", 0.0),
                        msg.value("confidence", -1.0), msg.value("ts", std::int64_t{0})};
            camera_ = d.camera;
            net_->health[d.camera].last_frame = d.ts; // expect: errorshield-unlocked-shared-map
            {
                std::lock_guard<std::mutex> lk(net_->mu);
                if (net_->muted.count(d.camera)) return;
            }
            sink_.on_detection(d);
            recent_.put(d.camera, msg);
        } else if (op == "fault") {
            std::lock_guard<std::mutex> lk(net_->mu);
            net_->health[msg.value("camera", "")].faults += 1;
        } else if (op == "mute") {
            std::scoped_lock lk(net_->mu);
            net_->muted.insert(msg.value("camera", ""));
        } else if (op == "unmute") {
            net_->muted.erase(msg.value("camera", "")); // expect: errorshield-unlocked-shared-map
        } else if (op == "preset") {
            std::lock_guard<std::mutex> lk(net_->mu);
            auto it = net_->ptz_preset.find(msg.value("camera", ""));
            preset_ = it == net_->ptz_preset.end() ? 0 : it->second;
        } else if (op == "raise") {
            dispatch_.raise(msg.value("incident", std::uint64_t{0}), msg.value("summary", ""));
        } else if (op == "ack") {
            dispatch_.acknowledge(msg.value("incident", std::uint64_t{0}));
        }
    }

    websocket::stream<beast::tcp_stream> ws_;
    NetworkState* net_;
    IncidentSink& sink_;
    TtlCache<std::string, json>& recent_;
    DispatchQueue& dispatch_;
    beast::flat_buffer buf_;
    std::string camera_;
    int preset_ = 0;
};

// PTZ patrol: steps every pan-tilt-zoom camera through its presets.
static void patrol_loop(std::stop_token st, NetworkState& net, const std::vector<std::string>& cams) {
    int step = 0;
    while (!st.stop_requested()) {
        std::this_thread::sleep_for(std::chrono::seconds(30));
        step = (step + 1) % 8;
        for (const auto& cam : cams) net.ptz_preset.insert_or_assign(cam, step); // expect: errorshield-unlocked-shared-map
    }
}

static std::map<std::string, int> count_by_tower(const std::vector<Detection>& batch) {
    std::map<std::string, int> counts;
    for (const auto& d : batch) counts[d.tower]++;
    return counts;
}

int main() {
    asio::io_context ioc;
    TowerDirectory directory;
    directory.upsert("mt-baldy", {"Mt Baldy L.O.", 34.29, -117.65, 2790});
    directory.upsert("red-mtn", {"Red Mountain L.O.", 35.36, -117.61, 1600});

    NetworkState net;
    const std::vector<std::string> ptz_cams{"mt-baldy-ptz1", "red-mtn-ptz1"};
    for (const auto& c : ptz_cams) net.ptz_preset[c] = 0; // before any thread starts

    IncidentBoard board;
    TtlCache<std::string, json> recent(std::chrono::seconds(900));
    DispatchQueue dispatch(ioc);

    tcp::acceptor acceptor(ioc, {tcp::v4(), 8443});
    std::function<void()> accept_loop = [&] {
        acceptor.async_accept(asio::make_strand(ioc), [&](beast::error_code ec, tcp::socket s) {
            if (!ec) std::make_shared<LookoutSession>(std::move(s), &net, board, recent, dispatch)->run();
            accept_loop();
        });
    };
    accept_loop();

    std::jthread sweeper([&recent](std::stop_token st) {
        while (!st.stop_requested()) {
            std::this_thread::sleep_for(std::chrono::seconds(60));
            recent.sweep();
        }
    });
    std::jthread patrol(patrol_loop, std::ref(net), std::cref(ptz_cams));

    std::vector<std::thread> workers;
    for (unsigned i = 0; i < std::max(2u, std::thread::hardware_concurrency()); ++i)
        workers.emplace_back([&ioc] { ioc.run(); });
    for (auto& w : workers) w.join();
    (void)count_by_tower({});
}
