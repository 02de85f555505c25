// checks: errorshield-unlocked-shared-map
// Sports-betting odds push hub.  Punters' apps subscribe to markets ("EPL:ARS-CHE:1X2")
// over WebSocket; the trading feed pushes price changes.  One io_context is run by a
// pool of threads, so every handler below may execute on any of them.
#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::ip::tcp;

using session_id = std::uint64_t;
using clock_type = std::chrono::steady_clock;

struct odds_quote {
  std::string market;
  std::string selection;
  std::int32_t price_milli = 0; // decimal odds * 1000
  std::uint64_t seq = 0;
};

class punter_session {
public:
  virtual ~punter_session() = default;
  virtual void send_text(std::shared_ptr<const std::string> msg) = 0;
  virtual session_id id() const = 0;
};

std::string encode_quote(const odds_quote &q);

class odds_hub {
public:
  explicit odds_hub(asio::io_context &ioc)
      : ioc_(ioc), cache_strand_(asio::make_strand(ioc)) {
    // Filled once before run() spawns the pool; read-only afterwards.
    sport_names_.emplace("EPL", "Premier League");
    sport_names_.emplace("NBA", "NBA");
    sport_names_.emplace("ATP", "ATP Tour");
  }

  void run(unsigned threads) {
    for (unsigned i = 0; i < threads; ++i)
      pool_.emplace_back([this] { ioc_.run(); });
  }

  void join() {
    for (auto &t : pool_)
      t.join();
  }

  // -- session lifecycle ----------------------------------------------------

  void add_session(std::shared_ptr<punter_session> s) {
    std::lock_guard<std::mutex> lk(mu_);
    sessions_.emplace(s->id(), std::move(s));
  }

  void remove_session(session_id id) {
    std::lock_guard<std::mutex> lk(mu_);
    sessions_.erase(id);
    drop_subscriptions_locked(id);
    last_seen_.erase(id);
  }

  // Called from every read completion to feed the idle sweeper.  The sweeper
  // erases under mu_, but this write is on the hot path and was left unlocked.
  void touch(session_id id) {
    last_seen_[id] = clock_type::now(); // expect: errorshield-unlocked-shared-map
  }

  void sweep_idle(clock_type::duration max_idle) {
    std::vector<session_id> stale;
    {
      std::lock_guard<std::mutex> lk(mu_);
      auto now = clock_type::now();
      for (auto &[id, when] : last_seen_)
        if (now - when > max_idle)
          stale.push_back(id);
    }
    for (auto id : stale)
      remove_session(id);
  }

  // -- subscriptions ----------------------------------------------------------

  void subscribe(session_id id, const std::string &market) {
    std::lock_guard<std::mutex> lk(mu_);
    market_subs_[market].insert(id);
  }

  void unsubscribe(session_id id, const std::string &market) {
    std::scoped_lock lk(mu_);
    auto it = market_subs_.find(market);
    if (it == market_subs_.end())
      return;
    it->second.erase(id);
    if (it->second.empty())
      market_subs_.erase(it);
  }

  // Used by the /metrics scrape handler, which runs on the same pool.  The
  // lookup races with subscribe() rehashing market_subs_.
  std::size_t subscriber_count(const std::string &market) const {
    return market_subs_.count(market) ? market_subs_.at(market).size() : 0; // expect: errorshield-unlocked-shared-map
  }

  // -- publishing -------------------------------------------------------------

  void publish(const odds_quote &q) {
    auto msg = std::make_shared<const std::string>(encode_quote(q));
    std::vector<std::shared_ptr<punter_session>> targets;
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (suspended_.count(q.market))
        return;
      auto it = market_subs_.find(q.market);
      if (it == market_subs_.end())
        return;
      for (auto sid : it->second) {
        auto s = sessions_.find(sid);
        if (s != sessions_.end())
          targets.push_back(s->second);
      }
    }
    for (auto &s : targets)
      s->send_text(msg);
    remember(q);
  }

  // Suspension: the trader pulls a market when a goal is scored.
  void suspend_market(const std::string &market, std::string reason) {
    std::lock_guard<std::mutex> lk(mu_);
    suspended_[market] = std::move(reason);
  }

  // The feed client calls this from its own reconnect thread after a feed
  // outage.  publish() consults suspended_ under mu_, but this clear does not.
  void on_feed_reconnect() {
    suspended_.clear(); // expect: errorshield-unlocked-shared-map
    ++feed_epoch_;
  }

  // -- acknowledged delivery for bet-slip price locks -------------------------

  void send_with_ack(std::shared_ptr<punter_session> s, const odds_quote &q) {
    {
      std::lock_guard<std::mutex> lk(mu_);
      pending_acks_.emplace(q.seq, s->id());
    }
    s->send_text(std::make_shared<const std::string>(encode_quote(q)));
  }

  // Runs when the app acks the price-lock frame (from the session's read loop).
  void on_ack(std::uint64_t seq) {
    if (pending_acks_.erase(seq) == 0) // expect: errorshield-unlocked-shared-map
      ++stale_acks_;
  }

  // -- last-price cache, confined to a strand --------------------------------

  void remember(const odds_quote &q) {
    asio::post(cache_strand_, [this, q] { last_quote_[q.market + "/" + q.selection] = q; });
  }

  void replay_to(std::shared_ptr<punter_session> s, std::string market) {
    asio::post(cache_strand_, [this, s, market = std::move(market)] {
      for (auto it = last_quote_.lower_bound(market);
           it != last_quote_.end() && it->first.compare(0, market.size(), market) == 0; ++it)
        s->send_text(std::make_shared<const std::string>(encode_quote(it->second)));
    });
  }

  // -- read-only helpers ------------------------------------------------------

  std::string sport_label(const std::string &code) const {
    auto it = sport_names_.find(code); // immutable after construction
    return it == sport_names_.end() ? code : it->second;
  }

  // Per-thread formatting cache; never shared.
  static const std::string &market_title(const std::string &market) {
    thread_local std::unordered_map<std::string, std::string> titles;
    auto it = titles.find(market);
    if (it == titles.end())
      it = titles.emplace(market, "Market " + market).first;
    return it->second;
  }

  // Snapshot then work on the copy without holding the lock.
  std::map<std::string, std::size_t> subscription_report() const {
    std::unordered_map<std::string, std::set<session_id>> copy;
    {
      std::lock_guard<std::mutex> lk(mu_);
      copy = market_subs_;
    }
    std::map<std::string, std::size_t> out;
    for (auto &[market, ids] : copy)
      out[market] = ids.size();
    return out;
  }

private:
  // Precondition: mu_ is held (only called from remove_session).
  void drop_subscriptions_locked(session_id id) {
    for (auto it = market_subs_.begin(); it != market_subs_.end();) {
      it->second.erase(id);
      it = it->second.empty() ? market_subs_.erase(it) : std::next(it);
    }
  }

  asio::io_context &ioc_;
  asio::strand<asio::io_context::executor_type> cache_strand_;
  std::vector<std::thread> pool_;

  mutable std::mutex mu_;
  std::unordered_map<session_id, std::shared_ptr<punter_session>> sessions_;
  std::unordered_map<std::string, std::set<session_id>> market_subs_;
  std::unordered_map<session_id, clock_type::time_point> last_seen_;
  std::unordered_map<std::string, std::string> suspended_;
  std::unordered_map<std::uint64_t, session_id> pending_acks_;

  std::map<std::string, odds_quote> last_quote_; // cache_strand_ only
  std::unordered_map<std::string, std::string> sport_names_;
  std::uint64_t feed_epoch_ = 0;
  std::atomic<std::uint64_t> stale_acks_{0};
};

// Metrics endpoint wiring (runs on the pool as well).
std::string render_metrics(const odds_hub &hub, const std::vector<std::string> &markets) {
  std::string out;
  for (auto &m : markets)
    out += m + " " + std::to_string(hub.subscriber_count(m)) + "\n";
  for (auto &[m, n] : hub.subscription_report())
    out += "sub_total{market=\"" + m + "\"} " + std::to_string(n) + "\n";
  return out;
}
