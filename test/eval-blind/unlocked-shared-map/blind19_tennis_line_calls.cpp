// checks: errorshield-unlocked-shared-map
// Electronic line-calling hub. Camera rigs on each court push ball impacts over
// UDP to a dedicated ingest thread; umpire tablets and broadcast clients talk to
// the hub over WebSocket, served by a pool of io_context threads.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using udp = asio::ip::udp;
using json = nlohmann::json;

struct BallImpact {
    int court_id = 0;
    std::uint64_t point_id = 0;
    double x_mm = 0;
    double y_mm = 0;
    std::string line;
    bool out = false;
};

static json impact_json(const BallImpact& b) {
    return json{{"court", b.court_id}, {"point", b.point_id}, {"x", b.x_mm},
                {"y", b.y_mm},         {"line", b.line},      {"out", b.out}};
}

// Last heartbeat per camera rig, written by the ingest thread, read by /stats.
static std::unordered_map<std::string, std::chrono::steady_clock::time_point> g_rig_heartbeats;
// Rig firmware versions, guarded.
static std::mutex g_firmware_mu;
static std::map<std::string, std::string> g_rig_firmware;

// ------------------------------------------------------------------ courts
class CourtRegistry {
public:
    void open_court(int id, std::string name) {
        std::lock_guard<std::mutex> lk(mu_);
        courts_[id] = std::move(name);
    }
    void close_court(int id) {
        std::lock_guard<std::mutex> lk(mu_);
        courts_.erase(id);
    }
    std::optional<std::string> name_of(int id) const {
        std::lock_guard<std::mutex> lk(mu_);
        auto it = courts_.find(id);
        if (it == courts_.end()) return std::nullopt;
        return it->second;
    }

private:
    mutable std::mutex mu_;
    std::unordered_map<int, std::string> courts_;
};

// -------------------------------------------------------------- challenges
class ChallengeLedger {
public:
    static constexpr int kPerSet = 3;

    bool try_challenge(const std::string& player, std::uint64_t point) {
        std::unique_lock lk(mu_);
        auto [it, fresh] = remaining_.try_emplace(player, kPerSet);
        if (it->second == 0) return false;
        --it->second;
        open_[point] = player;
        return true;
    }

    void resolve(std::uint64_t point, bool overturned) {
        std::unique_lock lk(mu_);
        auto it = open_.find(point);
        if (it == open_.end()) return;
        if (overturned) ++remaining_[it->second];
        open_.erase(it);
    }

    // Umpire tablet calls this at the start of every set.
    void reset_for_new_set(const std::string& player) {
        remaining_[player] = kPerSet; // expect: errorshield-unlocked-shared-map
    }

    int remaining(const std::string& player) const {
        std::shared_lock lk(mu_);
        auto it = remaining_.find(player);
        return it == remaining_.end() ? kPerSet : it->second;
    }

private:
    mutable std::shared_mutex mu_;
    std::map<std::string, int> remaining_;
    std::map<std::uint64_t, std::string> open_;
};

// ----------------------------------------------------------------- impacts
class ImpactStore {
public:
    explicit ImpactStore(asio::io_context& ioc) : strand_(asio::make_strand(ioc)) {
        // Filled before any worker thread exists.
        by_line_["baseline"] = {};
        by_line_["service"] = {};
        by_line_["sideline"] = {};
    }

    // Runs on the ingest thread.
    void ingest(const BallImpact& imp) {
        {
            std::lock_guard<std::mutex> lk(mu_);
            latest_[imp.court_id] = imp;
        }
        remember_for_review(imp);
        asio::post(strand_, [this, imp] { by_line_[imp.line] = imp; });
    }

    // Runs on io_context threads.
    std::optional<BallImpact> latest(int court) const {
        std::lock_guard<std::mutex> lk(mu_);
        auto it = latest_.find(court);
        if (it == latest_.end()) return std::nullopt;
        return it->second;
    }

    void drop_court(int court) {
        std::lock_guard<std::mutex> lk(mu_);
        latest_.erase(court);
        review_.erase(court);
    }

    std::vector<BallImpact> review_window(int court) const {
        std::lock_guard<std::mutex> lk(mu_);
        auto it = review_.find(court);
        if (it == review_.end()) return {};
        return {it->second.begin(), it->second.end()};
    }

    template <class Handler>
    void with_line_snapshot(Handler&& h) {
        asio::post(strand_, [this, h = std::forward<Handler>(h)]() mutable { h(by_line_); });
    }

private:
    void remember_for_review(const BallImpact& imp) {
        auto& window = review_[imp.court_id]; // expect: errorshield-unlocked-shared-map
        window.push_back(imp);
        if (window.size() > 64) window.pop_front();
    }

    mutable std::mutex mu_;
    std::map<int, BallImpact> latest_;
    std::map<int, std::deque<BallImpact>> review_;
    asio::strand<asio::io_context::executor_type> strand_;
    std::map<std::string, BallImpact> by_line_;
};

// ---------------------------------------------------------- umpire console
class UmpireConsole {
public:
    UmpireConsole() {
        on_tablet_lost_ = [this](int court) {
            tablet_for_court_.erase(court); // expect: errorshield-unlocked-shared-map
        };
    }

    bool claim(int court, std::uint64_t session_id) {
        std::lock_guard<std::mutex> lk(mu_);
        return tablet_for_court_.emplace(court, session_id).second;
    }

    void release(int court, std::uint64_t session_id) {
        std::lock_guard<std::mutex> lk(mu_);
        auto it = tablet_for_court_.find(court);
        if (it != tablet_for_court_.end() && it->second == session_id) tablet_for_court_.erase(it);
    }

    std::function<void()> release_hook(int court, std::uint64_t session_id) {
        return [this, court, session_id] { release(court, session_id); };
    }

    std::function<void(int)> on_tablet_lost_;

private:
    std::mutex mu_;
    std::unordered_map<int, std::uint64_t> tablet_for_court_;
};

// ------------------------------------------------------------ replay clips
class ReplayClipCache {
public:
    asio::awaitable<void> prefetch(std::uint64_t point) {
        auto ex = co_await asio::this_coro::executor;
        asio::steady_timer render_delay(ex, std::chrono::milliseconds(40));
        co_await render_delay.async_wait(asio::use_awaitable);
        clips_.emplace(point, "clip-" + std::to_string(point) + ".mp4"); // expect: errorshield-unlocked-shared-map
    }

    asio::awaitable<void> evict_after(std::uint64_t point, std::chrono::seconds ttl) {
        auto ex = co_await asio::this_coro::executor;
        asio::steady_timer t(ex, ttl);
        co_await t.async_wait(asio::use_awaitable);
        std::lock_guard<std::mutex> lk(mu_);
        clips_.erase(point);
    }

    std::optional<std::string> get(std::uint64_t point) const {
        std::lock_guard<std::mutex> lk(mu_);
        auto it = clips_.find(point);
        if (it == clips_.end()) return std::nullopt;
        return it->second;
    }

private:
    mutable std::mutex mu_;
    std::unordered_map<std::uint64_t, std::string> clips_;
};

static json rig_stats() {
    std::map<std::string, int> per_site; // local tally
    for (const auto& [rig, seen] : g_rig_heartbeats) per_site[rig.substr(0, rig.find('-'))]++;
    return json(per_site);
}

struct Services {
    CourtRegistry& courts;
    ChallengeLedger& ledger;
    ImpactStore& impacts;
    UmpireConsole& console;
    ReplayClipCache& clips;
};

// ---------------------------------------------------------------- sessions
class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket s, Services svc, std::uint64_t id)
        : ws_(std::move(s)), svc_(svc), id_(id) {}

    void start() {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.read_message_max(64 * 1024);
        ws_.async_accept(beast::bind_front_handler(&Session::on_accept, shared_from_this()));
    }

private:
    void on_accept(beast::error_code ec) {
        if (!ec) do_read();
    }

    void do_read() {
        ws_.async_read(buf_, beast::bind_front_handler(&Session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec) {
            if (court_ >= 0) svc_.console.on_tablet_lost_(court_);
            return;
        }
        json req = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
        buf_.consume(buf_.size());
        if (!req.is_object()) return do_read();
        handle(req);
        do_read();
    }

    void handle(const json& req) {
        const std::string op = req.value("op", "");
        json rsp{{"op", op}};
        if (op == "claim") {
            court_ = req.value("court", -1);
            rsp["ok"] = svc_.console.claim(court_, id_);
        } else if (op == "challenge") {
            auto point = req.value("point", std::uint64_t{0});
            rsp["ok"] = svc_.ledger.try_challenge(req.value("player", ""), point);
            asio::co_spawn(ws_.get_executor(), svc_.clips.prefetch(point), asio::detached);
            asio::co_spawn(ws_.get_executor(), svc_.clips.evict_after(point, std::chrono::seconds(600)),
                           asio::detached);
        } else if (op == "new_set") {
            svc_.ledger.reset_for_new_set(req.value("player", ""));
        } else if (op == "latest") {
            if (auto imp = svc_.impacts.latest(req.value("court", 0))) rsp["impact"] = impact_json(*imp);
        } else if (op == "stats") {
            rsp["rigs"] = rig_stats();
        }
        // Per-session bookkeeping, only touched from this session's handlers.
        sent_ops_[op] += 1;
        enqueue(rsp.dump());
    }

    void enqueue(std::string msg) {
        outbox_.push_back(std::move(msg));
        if (outbox_.size() == 1) write_next();
    }

    void write_next() {
        ws_.text(true);
        ws_.async_write(asio::buffer(outbox_.front()),
                        [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            if (ec) return;
                            self->outbox_.pop_front();
                            if (!self->outbox_.empty()) self->write_next();
                        });
    }

    websocket::stream<beast::tcp_stream> ws_;
    Services svc_;
    std::uint64_t id_;
    int court_ = -1;
    beast::flat_buffer buf_;
    std::deque<std::string> outbox_;
    std::map<std::string, int> sent_ops_;
};

static void ingest_loop(udp::socket& sock, ImpactStore& store) {
    std::array<char, 1500> pkt{};
    udp::endpoint from;
    for (;;) {
        boost::system::error_code ec;
        std::size_t n = sock.receive_from(asio::buffer(pkt), from, 0, ec);
        if (ec) break;
        json j = json::parse(std::string(pkt.data(), n), nullptr, false);
        if (!j.is_object()) continue;
        const std::string rig = j.value("rig", "unknown");
        g_rig_heartbeats[rig] = std::chrono::steady_clock::now(); // expect: errorshield-unlocked-shared-map
        if (j.contains("fw")) {
            std::lock_guard<std::mutex> lk(g_firmware_mu);
            g_rig_firmware[rig] = j["fw"].get<std::string>();
        }
        store.ingest(BallImpact{j.value("court", 0), j.value("point", std::uint64_t{0}),
                                j.value("x", 0.0), j.value("y", 0.0), j.value("line", ""),
                                j.value("out", false)});
    }
}

int main() {
    asio::io_context ioc;
    CourtRegistry courts;
    ChallengeLedger ledger;
    ImpactStore impacts(ioc);
    UmpireConsole console;
    ReplayClipCache clips;
    Services svc{courts, ledger, impacts, console, clips};
    courts.open_court(1, "Centre Court");
    courts.open_court(2, "No. 1 Court");

    udp::socket rigs(ioc, udp::endpoint(udp::v4(), 9400));
    std::thread ingest([&] { ingest_loop(rigs, impacts); });

    tcp::acceptor acceptor(ioc, {tcp::v4(), 9401});
    std::uint64_t next_id = 1;
    std::function<void()> accept_next = [&] {
        acceptor.async_accept(asio::make_strand(ioc), [&](beast::error_code ec, tcp::socket s) {
            if (!ec) std::make_shared<Session>(std::move(s), svc, next_id++)->start();
            accept_next();
        });
    };
    accept_next();

    std::vector<std::thread> pool;
    for (int i = 0; i < 4; ++i) pool.emplace_back([&ioc] { ioc.run(); });
    for (auto& t : pool) t.join();
    ingest.join();
}
