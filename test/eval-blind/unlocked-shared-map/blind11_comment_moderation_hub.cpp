// checks: errorshield-unlocked-shared-map
// Live-stream comment moderation hub.
//
// Viewers post chat comments over WebSocket; every comment goes through the automatic
// rules and, when flagged, into a review queue that human moderators work through.
// The io_context is run by several threads, so every coroutine and handler below may
// execute concurrently with the others.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

struct BanEntry {
  std::string reason;
  std::string moderator;
  Clock::time_point until{};
};

// Channel-wide bans, shared with the REST admin API thread.
std::unordered_map<std::string, BanEntry> g_bans;
std::shared_mutex g_bans_mu;

struct Comment {
  std::uint64_t id = 0;
  std::string user;
  std::string room;
  std::string text;
};

struct Room {
  std::string name;
  std::mutex mu;
  std::unordered_map<std::uint64_t, std::string> viewers;  // session id -> user
  bool slow_mode = false;
};

struct KeywordRule {
  std::string word;
  int weight = 1;
  bool matches(const Comment& c) const { return c.text.find(word) != std::string::npos; }
};

struct LinkRule {
  int weight = 2;
  bool matches(const Comment& c) const { return c.text.find("http") != std::string::npos; }
};

bool is_banned(const std::string& user) {
  std::shared_lock lk(g_bans_mu);
  auto it = g_bans.find(user);
  return it != g_bans.end() && it->second.until > Clock::now();
}

void ban(const std::string& user, std::string reason, std::string mod, std::chrono::minutes len) {
  std::unique_lock lk(g_bans_mu);
  g_bans[user] = BanEntry{std::move(reason), std::move(mod), Clock::now() + len};  // OK
}

void unban(const std::string& user) {
  g_bans.erase(user);  // expect: errorshield-unlocked-shared-map
}

class ModerationHub {
 public:
  explicit ModerationHub(std::vector<std::string> blocked_words) {
    // Single-threaded: the runner threads are only started in start().
    for (auto& w : blocked_words) keyword_rules_.emplace(w, KeywordRule{w, 3});  // OK
    on_disconnect_ = [this](std::uint64_t session_id) {
      sessions_.erase(session_id);  // expect: errorshield-unlocked-shared-map
    };
  }

  void start(unsigned threads) {
    for (unsigned i = 0; i < threads; ++i) runners_.emplace_back([this] { ioc_.run(); });
  }

  asio::io_context& ioc() { return ioc_; }

  Room& room(const std::string& name) {
    std::lock_guard lk(rooms_mu_);
    auto& slot = rooms_[name];  // OK
    if (!slot) {
      slot = std::make_unique<Room>();
      slot->name = name;
    }
    return *slot;
  }

  // One coroutine per connected viewer.
  asio::awaitable<void> viewer_loop(websocket::stream<beast::tcp_stream> ws, std::uint64_t sid, std::string user,
                                    std::string room_name) {
    Room& rm = room(room_name);
    {
      std::scoped_lock lk(sessions_mu_, rm.mu);
      sessions_[sid] = user;  // OK
      rm.viewers[sid] = user;  // OK
    }
    beast::flat_buffer buf;
    for (;;) {
      auto [ec, n] = co_await ws.async_read(buf, asio::as_tuple(asio::use_awaitable));
      if (ec) break;
      Comment c{next_id(), user, room_name, beast::buffers_to_string(buf.data())};
      buf.consume(n);
      if (is_banned(user)) continue;
      ++per_user_rate_[user];  // expect: errorshield-unlocked-shared-map
      screen(c);
    }
    leave_room(rm, sid);
    on_disconnect_(sid);
  }

  // Moderator approves a held comment: take it out of the queue, then broadcast outside the lock.
  void approve(std::uint64_t comment_id) {
    std::unique_lock lk(pending_mu_);
    auto it = pending_.find(comment_id);
    if (it == pending_.end()) return;
    Comment c = std::move(it->second);
    pending_.erase(it);  // OK
    lk.unlock();
    broadcast(c);
  }

  void reject(std::uint64_t comment_id, const std::string& moderator) {
    with_pending([&](auto& q) {
      auto it = q.find(comment_id);
      if (it == q.end()) return;
      audit_.push_back(json{{"rejected", comment_id}, {"by", moderator}});
      q.erase(it);  // OK: with_pending holds pending_mu_
    });
  }

  // Timer-driven reset of the rate counters (runs on whichever io thread is free).
  void arm_rate_reset() {
    rate_timer_.expires_after(std::chrono::seconds(10));
    rate_timer_.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      {
        std::lock_guard lk(rate_mu_);
        per_user_rate_.clear();  // OK
      }
      arm_rate_reset();
    });
  }

  json top_words(const std::vector<Comment>& recent) const {
    std::unordered_map<std::string, int> hist;  // local
    for (const auto& c : recent) {
      for (const auto& [w, rule] : keyword_rules_)
        if (rule.matches(c)) ++hist[w];  // OK: local map
    }
    return json(hist);
  }

 private:
  template <class Rule>
  bool apply_rule(const Rule& r, const Comment& c) {
    if (!r.matches(c)) return false;
    strikes_[c.user] += r.weight;  // expect: errorshield-unlocked-shared-map
    return true;
  }

  void screen(const Comment& c) {
    bool flagged = apply_rule(LinkRule{}, c);
    for (const auto& [w, rule] : keyword_rules_) flagged = apply_rule(rule, c) || flagged;
    if (!flagged) {
      broadcast(c);
      return;
    }
    std::lock_guard lk(pending_mu_);
    pending_.emplace(c.id, c);  // OK
  }

  void leave_room(Room& rm, std::uint64_t sid) {
    rm.viewers.erase(sid);  // expect: errorshield-unlocked-shared-map
  }

  template <class Fn>
  void with_pending(Fn&& fn) {
    std::lock_guard lk(pending_mu_);
    fn(pending_);
  }

  void broadcast(const Comment& c);
  std::uint64_t next_id() { return next_id_.fetch_add(1, std::memory_order_relaxed); }

  asio::io_context ioc_;
  std::vector<std::thread> runners_;
  asio::steady_timer rate_timer_{ioc_};
  std::atomic<std::uint64_t> next_id_{1};

  std::mutex rooms_mu_;
  std::unordered_map<std::string, std::unique_ptr<Room>> rooms_;

  std::mutex sessions_mu_;
  std::unordered_map<std::uint64_t, std::string> sessions_;
  std::function<void(std::uint64_t)> on_disconnect_;

  std::mutex pending_mu_;
  std::map<std::uint64_t, Comment> pending_;
  std::vector<json> audit_;

  std::mutex rate_mu_;
  std::unordered_map<std::string, int> per_user_rate_;
  std::unordered_map<std::string, int> strikes_;

  std::map<std::string, KeywordRule> keyword_rules_;  // written only in the constructor
};
