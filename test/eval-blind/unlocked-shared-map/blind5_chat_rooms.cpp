// checks: errorshield-unlocked-shared-map
// Multi-room chat server on Boost.Beast. The io_context is run by a pool of
// threads; each session has its own strand, so handlers of different
// sessions run concurrently and meet in the shared room hub.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

class chat_session;

std::map<std::string, std::chrono::steady_clock::time_point> g_last_seen;

static std::string resolve_nick(const std::string& user_id) {
    static std::unordered_map<std::string, std::string> nick_cache;
    if (auto it = nick_cache.find(user_id); it != nick_cache.end()) return it->second;
    std::string nick = "user#" + user_id.substr(0, 6);
    nick_cache.emplace(user_id, nick); // expect: errorshield-unlocked-shared-map
    return nick;
}

static json render_roster(const std::set<std::string>& members) {
    std::map<std::string, int> by_prefix;
    for (const auto& m : members) by_prefix[m.substr(0, 1)]++;
    json j = json::object();
    for (const auto& [prefix, n] : by_prefix) j[prefix] = n;
    return j;
}

class room_hub {
public:
    room_hub() {
        for (const char* name : {"lobby", "support", "announcements"}) default_topics_[name] = "welcome";
    }

    void join(const std::string& room, const std::string& user) {
        std::scoped_lock lk(rooms_mu_);
        rooms_[room].insert(user);
    }

    void leave(const std::string& room, const std::string& user) {
        std::scoped_lock lk(rooms_mu_);
        auto it = rooms_.find(room);
        if (it == rooms_.end()) return;
        it->second.erase(user);
        if (it->second.empty()) rooms_.erase(it);
    }

    // Moderator command, arrives on the moderator's session strand.
    void close_room(const std::string& room) {
        rooms_.erase(room); // expect: errorshield-unlocked-shared-map
    }

    json roster(const std::string& room) {
        std::scoped_lock lk(rooms_mu_);
        auto it = rooms_.find(room);
        return it == rooms_.end() ? json::object() : render_roster(it->second);
    }

    void count_message(const std::string& room) {
        msg_counts_[room]++; // expect: errorshield-unlocked-shared-map
    }

    void ban(const std::string& user, std::string reason) {
        std::unique_lock lk(bans_mu_);
        bans_.insert_or_assign(user, std::move(reason));
    }

    bool is_banned(const std::string& user) const {
        std::shared_lock lk(bans_mu_);
        return bans_.count(user) != 0;
    }

    const std::string& default_topic(const std::string& room) const {
        static const std::string none;
        auto it = default_topics_.find(room);
        return it == default_topics_.end() ? none : it->second;
    }

private:
    std::mutex rooms_mu_;
    std::unordered_map<std::string, std::set<std::string>> rooms_;
    std::unordered_map<std::string, std::size_t> msg_counts_;
    mutable std::shared_mutex bans_mu_;
    std::unordered_map<std::string, std::string> bans_;
    std::map<std::string, std::string> default_topics_;
};

// Typing indicators fan-in through a single strand owned by the tracker.
class typing_tracker {
public:
    explicit typing_tracker(net::io_context& ioc) : strand_(net::make_strand(ioc)) {}

    void set_typing(std::string room, std::string user) {
        net::post(strand_, [this, room = std::move(room), user = std::move(user)] {
            typing_[room] = user;
        });
    }

private:
    net::strand<net::io_context::executor_type> strand_;
    std::unordered_map<std::string, std::string> typing_;
};

class chat_session : public std::enable_shared_from_this<chat_session> {
public:
    chat_session(tcp::socket sock, room_hub& hub, typing_tracker& typing, std::string user)
        : ws_(std::move(sock)), hub_(hub), typing_(typing), user_(std::move(user)) {}

    void start() {
        ws_.async_accept(beast::bind_front_handler(&chat_session::on_accept, shared_from_this()));
    }

private:
    void on_accept(beast::error_code ec) {
        if (ec) return;
        do_read();
    }

    void do_read() {
        ws_.async_read(buffer_, beast::bind_front_handler(&chat_session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec) {
            for (const auto& [room, since] : joined_) hub_.leave(room, user_);
            return;
        }
        g_last_seen[user_] = std::chrono::steady_clock::now(); // expect: errorshield-unlocked-shared-map
        auto msg = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
        buffer_.consume(buffer_.size());
        if (msg.is_object() && !hub_.is_banned(user_)) handle(msg);
        do_read();
    }

    void handle(const json& msg) {
        const std::string type = msg.value("type", "");
        const std::string room = msg.value("room", "lobby");
        if (type == "join") {
            hub_.join(room, resolve_nick(user_));
            joined_[room] = std::chrono::steady_clock::now();
        } else if (type == "leave") {
            hub_.leave(room, resolve_nick(user_));
            joined_.erase(room);
        } else if (type == "typing") {
            typing_.set_typing(room, user_);
        } else if (type == "say") {
            hub_.count_message(room);
        } else if (type == "close" && msg.value("moderator", false)) {
            hub_.close_room(room);
        }
    }

    websocket::stream<beast::tcp_stream> ws_;
    room_hub& hub_;
    typing_tracker& typing_;
    std::string user_;
    beast::flat_buffer buffer_;
    std::map<std::string, std::chrono::steady_clock::time_point> joined_;
};

// Per-thread scratch cache used by the JSON encoder.
static std::string encode_cached(const std::string& key) {
    thread_local std::unordered_map<std::string, std::string> scratch;
    auto [it, inserted] = scratch.try_emplace(key);
    if (inserted) it->second = json(key).dump();
    return it->second;
}

void run_chat_server(net::io_context& ioc, unsigned threads) {
    std::vector<std::thread> pool;
    pool.reserve(threads);
    for (unsigned i = 0; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
    for (auto& t : pool) t.join();
    (void)encode_cached("shutdown");
}
