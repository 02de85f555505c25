// checks: errorshield-unlocked-shared-map
// Token-bucket rate limiting and IP banning for a public WebSocket API.
// Every acceptor/reader thread consults these tables.
#include <boost/asio.hpp>
#include <boost/thread/lock_guard.hpp>
#include <boost/thread/locks.hpp>
#include <boost/thread/mutex.hpp>
#include <boost/unordered_map.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

using Clock = std::chrono::steady_clock;

class RateLimiter {
 public:
  struct Bucket {
    double tokens = 0;
    Clock::time_point last{};
  };

  static bool allow(const std::string& client, double rate, double burst) {
    std::scoped_lock lk(mu_);
    auto& b = buckets_[client];  // fine: scoped_lock held
    refill(b, rate, burst);
    if (b.tokens < 1.0) return false;
    b.tokens -= 1.0;
    return true;
  }

  static void forget(const std::string& client) {
    std::scoped_lock lk(mu_);
    buckets_.erase(client);  // fine: scoped_lock held
  }

  // Admin endpoint: "reset all limits".
  static void reset() {
    buckets_.clear();  // expect: errorshield-unlocked-shared-map
  }

  static std::size_t tracked_clients() {
    return buckets_.size();  // expect: errorshield-unlocked-shared-map
  }

 private:
  static void refill(Bucket& b, double rate, double burst) {
    const auto now = Clock::now();
    const double dt = std::chrono::duration<double>(now - b.last).count();
    b.tokens = std::min(burst, b.tokens + dt * rate);
    b.last = now;
  }

  static std::mutex mu_;
  static std::unordered_map<std::string, Bucket> buckets_;
};

std::mutex RateLimiter::mu_;
std::unordered_map<std::string, RateLimiter::Bucket> RateLimiter::buckets_;

using StrikeMap = boost::unordered_map<std::string, int>;

class BanList {
 public:
  static constexpr int kMaxStrikes = 5;

  BanList() {
    strikes_.rehash(1024);  // fine: constructor
  }

  void strike(const std::string& ip) {
    boost::lock_guard<boost::mutex> g(mu_);
    if (++strikes_[ip] >= kMaxStrikes) banLocked(ip);  // fine: boost::lock_guard held
  }

  bool banned(const std::string& ip) const {
    boost::unique_lock<boost::mutex> lk(mu_);
    return banned_.count(ip) != 0;  // fine: boost::unique_lock held
  }

  void unban(const std::string& ip) {
    boost::unique_lock<boost::mutex> lk(mu_);
    clear_strikes(ip);
    lk.unlock();
    banned_.erase(ip);  // expect: errorshield-unlocked-shared-map
  }

  void sweep() {
    boost::lock_guard<boost::mutex> g(mu_);
    prune_locked();
    decay();
  }

  void on_admin_reset() {
    decay();  // no lock here
  }

 private:
  void banLocked(const std::string& ip) {
    banned_.insert(ip);  // fine: *Locked helper, caller holds mu_
  }

  void prune_locked() {
    if (banned_.size() > 100000) banned_.clear();  // fine: *_locked helper
  }

  void clear_strikes(const std::string& ip) {
    strikes_.erase(ip);  // expect: errorshield-unlocked-shared-map (callers lock, but the helper has no REQUIRES or *Locked contract)
  }

  void decay() {
    for (auto& [ip, n] : strikes_)  // expect: errorshield-unlocked-shared-map
      n = n > 0 ? n - 1 : 0;
  }

  mutable boost::mutex mu_;
  StrikeMap strikes_;
  std::unordered_set<std::string> banned_;
};

// Per-tenant connection caps; callers follow the Clang thread-safety
// annotations and take `mu` before calling the annotated members.
struct ConnectionCaps {
  std::mutex mu;
  std::unordered_map<std::string, int> open;
  std::unordered_map<std::string, int> limit;

  bool try_acquire(const std::string& tenant) __attribute__((requires_capability(mu))) {
    auto cap = limit.find(tenant);  // fine: requires_capability(mu)
    const int max = cap == limit.end() ? 100 : cap->second;  // fine: requires_capability(mu)
    int& cur = open[tenant];  // fine: requires_capability(mu)
    if (cur >= max) return false;
    ++cur;
    return true;
  }

  void release(const std::string& tenant) __attribute__((exclusive_locks_required(mu)));

  void set_limit(const std::string& tenant, int n) {
    std::lock_guard<std::mutex> g(mu);
    limit[tenant] = n;  // fine: lock_guard held
  }

  int current(const std::string& tenant) {
    auto it = open.find(tenant);  // expect: errorshield-unlocked-shared-map
    return it == open.end() ? 0 : it->second;  // same container, same function: reported once, at the first access
  }
};

void ConnectionCaps::release(const std::string& tenant) {
  if (--open[tenant] <= 0) open.erase(tenant);  // fine: declared exclusive_locks_required(mu)
}

bool admit(ConnectionCaps& caps, const std::string& tenant, const std::string& ip, BanList& bans) {
  if (bans.banned(ip)) return false;
  if (!RateLimiter::allow(ip, 20.0, 40.0)) {
    bans.strike(ip);
    return false;
  }
  std::lock_guard<std::mutex> g(caps.mu);
  return caps.try_acquire(tenant);
}
