// checks: errorshield-unlocked-shared-map
// HTTP response cache and session-token store shared by all Beast worker
// threads. Readers take shared locks, writers exclusive ones -- mostly.
#include <boost/beast/core.hpp>
#include <boost/thread/locks.hpp>
#include <boost/thread/shared_mutex.hpp>
#include <boost/unordered_map.hpp>

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class ResponseCache {
 public:
  struct Entry {
    std::string body;
    Clock::time_point expires;
  };

  ResponseCache() {
    route_ttl_.emplace("/api/quotes", 1s);   // fine: constructor
    route_ttl_.emplace("/api/static", 300s);  // fine: constructor
  }

  std::optional<std::string> get(const std::string& key) const {
    std::shared_lock lk(mu_);
    auto it = entries_.find(key);  // fine: read under shared_lock
    if (it == entries_.end() || it->second.expires < Clock::now()) return std::nullopt;  // fine: read under shared_lock
    return it->second.body;
  }

  // Written by someone who copied get() and changed the body.
  void put(const std::string& key, std::string body) {
    std::shared_lock lk(mu_);
    entries_[key] = Entry{std::move(body), Clock::now() + ttl_for(key)};  // expect: errorshield-unlocked-shared-map
  }

  void put_exclusive(const std::string& key, std::string body) {
    std::unique_lock lk(mu_);
    entries_.insert_or_assign(key, Entry{std::move(body), Clock::now() + ttl_for(key)});  // fine: unique_lock held
  }

  void invalidate_prefix(const std::string& prefix) {
    std::unique_lock lk(mu_, std::defer_lock);
    if (entries_.empty()) return;  // expect: errorshield-unlocked-shared-map
    lk.lock();
    for (auto it = entries_.begin(); it != entries_.end();) {  // fine: after lk.lock()
      if (it->first.starts_with(prefix))
        it = entries_.erase(it);  // fine: after lk.lock()
      else
        ++it;
    }
  }

  std::size_t evict_expired() {
    std::unique_lock lk(mu_);
    std::vector<std::string> dead;
    for (const auto& [k, e] : entries_)  // fine: unique_lock held
      if (e.expires < Clock::now()) dead.push_back(k);
    lk.unlock();
    std::printf("evicting %zu entries\n", dead.size());
    for (const auto& k : dead) entries_.erase(k);  // expect: errorshield-unlocked-shared-map
    return dead.size();
  }

  std::size_t size() const {
    return entries_.size();  // expect: errorshield-unlocked-shared-map
  }

  bool is_cached(const std::string& key) const {
    mu_.lock_shared();
    bool hit = entries_.contains(key);  // fine: lock_shared() covers reads
    mu_.unlock_shared();
    return hit;
  }

  void drop(const std::string& key) {
    mu_.lock_shared();
    entries_.erase(key);  // expect: errorshield-unlocked-shared-map
    mu_.unlock_shared();
  }

 private:
  std::chrono::seconds ttl_for(const std::string& key) const {
    auto it = route_ttl_.find(key);  // fine: only written in the constructor
    return it == route_ttl_.end() ? 30s : it->second;  // fine: only written in the constructor
  }

  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  std::unordered_map<std::string, std::chrono::seconds> route_ttl_;
};

class TokenStore {
 public:
  bool valid(const std::string& tok) const {
    boost::shared_lock<boost::shared_mutex> lk(mu_);
    return tokens_.count(tok) != 0;  // fine: boost::shared_lock, read
  }

  void issue(const std::string& tok, const std::string& user) {
    boost::unique_lock<boost::shared_mutex> lk(mu_);
    tokens_.emplace(tok, user);  // fine: boost::unique_lock held
  }

  void revoke(const std::string& tok) {
    boost::shared_lock<boost::shared_mutex> lk(mu_);
    tokens_.erase(tok);  // expect: errorshield-unlocked-shared-map
  }

  std::string owner(const std::string& tok) const {
    auto it = tokens_.find(tok);  // expect: errorshield-unlocked-shared-map
    return it == tokens_.end() ? std::string() : it->second;  // same container, same function: reported once, at the first access
  }

  std::size_t purge_user(const std::string& user) {
    boost::unique_lock<boost::shared_mutex> lk(mu_);
    std::size_t n = 0;
    for (auto it = tokens_.begin(); it != tokens_.end();) {  // fine: boost::unique_lock held
      if (it->second == user) {
        it = tokens_.erase(it);  // fine: boost::unique_lock held
        ++n;
      } else {
        ++it;
      }
    }
    return n;
  }

 private:
  mutable boost::shared_mutex mu_;
  boost::unordered_map<std::string, std::string> tokens_;
};
