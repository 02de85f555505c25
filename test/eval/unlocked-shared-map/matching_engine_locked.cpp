// checks: errorshield-unlocked-shared-map
// Order matching engine and account ledger. Every shared table here is
// accessed with the right lock held; nothing in this file should be reported.
#include <boost/asio.hpp>
#include <boost/thread/lock_guard.hpp>
#include <boost/thread/recursive_mutex.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
using json = nlohmann::json;

struct Order {
  std::uint64_t id;
  std::string account;
  double px;
  long qty;
  bool buy;
};

// Fee schedule: const, safe to read from any thread.
const std::unordered_map<std::string, double> kFeeBps = {{"retail", 2.5}, {"pro", 0.8}, {"mm", -0.2}};

std::map<std::string, long> g_position;  // account -> net quantity
std::mutex g_position_mu;

static void apply_fill(const std::string& account, long signed_qty) {
  g_position[account] += signed_qty;  // expect: errorshield-unlocked-shared-map (callers lock, but the helper has no REQUIRES or *Locked contract)
}

class MatchingEngine {
 public:
  explicit MatchingEngine(asio::io_context& ioc) : ioc_(ioc) {
    for (const auto& [acct, bps] : kFeeBps) tiers_.insert(acct);  // fine: constructor; kFeeBps is const
  }

  ~MatchingEngine() {
    bids_.clear();  // fine: destructor
    asks_.clear();  // fine: destructor
  }

  void submit(const Order& o) {
    std::unique_lock<std::mutex> lk(mu_);
    live_.emplace(o.id, o);  // fine: unique_lock held
    if (o.buy) {
      bids_.emplace(o.px, o.id);  // fine: lock from the enclosing block
    } else {
      for (int pass = 0; pass < 2; ++pass) {
        if (asks_.count(o.px) == 0) asks_.emplace(o.px, o.id);  // fine: still inside the locked scope
      }
    }
    std::vector<std::uint64_t> filled = match_locked();
    lk.unlock();
    publish_fills(filled);
    lk.lock();
    for (auto id : filled) live_.erase(id);  // fine: re-locked with lk.lock()
  }

  bool cancel(std::uint64_t id) {
    std::lock_guard<std::mutex> g(mu_);
    return remove_order(id);
  }

  void cancel_all(const std::string& account) {
    std::lock_guard<std::mutex> g(mu_);
    std::vector<std::uint64_t> ids;
    for (const auto& [id, o] : live_)  // fine: lock_guard held
      if (o.account == account) ids.push_back(id);
    for (auto id : ids) remove_order(id);
  }

  std::unordered_map<std::uint64_t, Order> snapshot() const {
    auto copy = [this] {
      std::lock_guard<std::mutex> g(mu_);
      return live_;
    }();
    return copy;
  }

  std::size_t open_orders() const {
    mu_.lock();
    std::size_t n = live_.size();  // fine: mu_.lock() above
    mu_.unlock();
    return n;
  }

  bool known_tier(const std::string& t) const {
    return tiers_.count(t) != 0;  // fine: tiers_ is only written in the constructor
  }

  void cancel_async(std::uint64_t id) {
    asio::post(ioc_, [this, id] {
      std::lock_guard<std::mutex> g(mu_);
      remove_order(id);
    });
  }

 private:
  // Private helper: every call site above holds mu_.
  bool remove_order(std::uint64_t id) {
    auto it = live_.find(id);  // same container, same function: reported once, at the first write
    if (it == live_.end()) return false;  // same container, same function: reported once, at the first write
    auto& side = it->second.buy ? bids_ : asks_;
    auto range = side.equal_range(it->second.px);
    for (auto s = range.first; s != range.second; ++s)
      if (s->second == id) { side.erase(s); break; }
    live_.erase(it);  // expect: errorshield-unlocked-shared-map (callers lock, but the helper has no REQUIRES or *Locked contract)
    return true;
  }

  std::vector<std::uint64_t> match_locked() {
    std::vector<std::uint64_t> filled;
    while (!bids_.empty() && !asks_.empty() && bids_.rbegin()->first >= asks_.begin()->first) {  // fine: *_locked helper
      filled.push_back(bids_.rbegin()->second);  // fine: *_locked helper
      filled.push_back(asks_.begin()->second);   // fine: *_locked helper
      bids_.erase(std::prev(bids_.end()));       // fine: *_locked helper
      asks_.erase(asks_.begin());                // fine: *_locked helper
    }
    return filled;
  }

  void publish_fills(const std::vector<std::uint64_t>& ids) {
    json msg = json::array();
    for (auto id : ids) msg.push_back(id);
    (void)msg.dump();
  }

  asio::io_context& ioc_;
  mutable std::mutex mu_;
  std::unordered_map<std::uint64_t, Order> live_;
  std::multimap<double, std::uint64_t> bids_;
  std::multimap<double, std::uint64_t> asks_;
  std::set<std::string> tiers_;
};

class Ledger {
 public:
  void credit(const std::string& acct, double amt) {
    std::lock_guard<std::recursive_mutex> g(mu_);
    balances_[acct] += amt;  // fine: recursive_mutex held
    history_.emplace(acct, amt);  // fine: recursive_mutex held
  }

  void transfer(const std::string& from, const std::string& to, double amt) {
    std::lock_guard<std::recursive_mutex> g(mu_);
    if (balances_[from] < amt) return;  // fine: recursive_mutex held
    credit(from, -amt);
    credit(to, amt);
  }

  double balance(const std::string& acct) const {
    std::shared_lock<std::shared_timed_mutex> lk(snap_mu_);
    auto it = snapshot_.find(acct);  // fine: shared lock, read
    return it == snapshot_.end() ? 0.0 : it->second;  // fine: shared lock, read
  }

  void publish_snapshot() {
    std::scoped_lock lk(mu_, snap_mu_);
    snapshot_ = balances_;  // fine: both mutexes held by scoped_lock
  }

  void settle_with_adopt() {
    mu_.lock();
    std::lock_guard<std::recursive_mutex> g(mu_, std::adopt_lock);
    history_.clear();  // fine: lock_guard adopted the held mutex
  }

 private:
  mutable std::recursive_mutex mu_;
  mutable std::shared_timed_mutex snap_mu_;
  std::unordered_map<std::string, double> balances_;
  std::unordered_multimap<std::string, double> history_;
  std::unordered_map<std::string, double> snapshot_;
};

class FillJournal {
 public:
  void record(const std::string& acct, long qty) {
    boost::lock_guard<boost::recursive_mutex> g(mu_);
    per_account_[acct] += qty;  // fine: boost::lock_guard held
  }

  long total(const std::string& acct) const {
    boost::lock_guard<boost::recursive_mutex> g(mu_);
    auto it = per_account_.find(acct);  // fine: boost::lock_guard held
    return it == per_account_.end() ? 0 : it->second;  // fine: boost::lock_guard held
  }

 private:
  mutable boost::recursive_mutex mu_;
  std::map<std::string, long> per_account_;
};

double fee_for(const std::string& tier, double notional) {
  thread_local std::unordered_map<std::string, double> memo;
  auto it = memo.find(tier);  // fine: thread_local
  if (it == memo.end()) {
    auto f = kFeeBps.find(tier);  // fine: const table
    it = memo.emplace(tier, f == kFeeBps.end() ? 5.0 : f->second).first;  // fine: thread_local
  }
  return notional * it->second / 10000.0;
}

void on_fill(const std::string& buyer, const std::string& seller, long qty) {
  std::lock_guard<std::mutex> g(g_position_mu);
  apply_fill(buyer, qty);
  apply_fill(seller, -qty);
}

long position(const std::string& account) {
  std::lock_guard<std::mutex> g(g_position_mu);
  auto it = g_position.find(account);  // fine: lock_guard held
  return it == g_position.end() ? 0 : it->second;  // fine: lock_guard held
}

std::map<std::string, long> net_by_prefix(const std::map<std::string, long>& positions, const std::string& prefix) {
  std::map<std::string, long> out;  // local result
  for (auto it = positions.lower_bound(prefix); it != positions.end() && it->first.starts_with(prefix); ++it)  // fine: parameter
    out[it->first] = it->second;  // fine: local
  return out;
}
