// checks: errorshield-unlocked-shared-map
// HTTP front end: TTL page cache, MIME registry, per-IP limiter, route table.
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/thread/lock_guard.hpp>
#include <boost/thread/mutex.hpp>
#include <boost/unordered_map.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

using namespace std;
namespace http = boost::beast::http;

#define REQUIRES(...) __attribute__((requires_capability(__VA_ARGS__)))
#define EXCLUSIVE_LOCKS_REQUIRED(...) __attribute__((exclusive_locks_required(__VA_ARGS__)))

template <typename Key, typename Value>
class TtlCache {
 public:
  void put(const Key& k, Value v) {
    lock_guard<mutex> lk(mu_);
    entries_[k] = Entry{std::move(v), Clock::now()};
  }

  optional<Value> get(const Key& k) {
    lock_guard<mutex> lk(mu_);
    auto it = entries_.find(k);
    if (it == entries_.end()) return nullopt;
    return it->second.value;
  }

  size_t size() const { return entries_.size(); }  // expect: errorshield-unlocked-shared-map

  void sweep(chrono::seconds ttl) {
    auto cutoff = Clock::now() - ttl;
    lock_guard<mutex> lk(mu_);
    sweepLocked(cutoff);
  }

  void invalidate(const Key& k) { entries_.erase(k); }  // expect: errorshield-unlocked-shared-map

 private:
  using Clock = chrono::steady_clock;
  struct Entry {
    Value value;
    Clock::time_point at;
  };

  void sweepLocked(Clock::time_point cutoff) {
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (it->second.at < cutoff) it = entries_.erase(it); else ++it;
    }
  }

  mutable mutex mu_;
  map<Key, Entry> entries_;
};

TtlCache<string, string> g_page_cache;

// Static registry without a mutex: static members are shared anyway.
struct MimeRegistry {
  static map<string, string> byExt;
  static const map<int, string> kFallbacks;

  static string lookup(const string& ext) {
    auto it = byExt.find(ext);  // expect: errorshield-unlocked-shared-map
    if (it == byExt.end()) return kFallbacks.at(0);  // same container, same function: reported once, at the first write
    return it->second;
  }
  static void registerType(const string& ext, const string& mime) { byExt[ext] = mime; }  // expect: errorshield-unlocked-shared-map
};
map<string, string> MimeRegistry::byExt;
const map<int, string> MimeRegistry::kFallbacks{{0, "application/octet-stream"}};

class ConnectionLimiter {
 public:
  bool admit(const string& ip);
  void release(const string& ip);
  size_t tracked() const;

 private:
  boost::mutex mu_;
  boost::unordered_map<string, int> per_ip_;
};

bool ConnectionLimiter::admit(const string& ip) {
  boost::lock_guard<boost::mutex> g(mu_);
  int& n = per_ip_[ip];
  if (n >= 8) return false;
  ++n;
  return true;
}

void ConnectionLimiter::release(const string& ip) {
  auto it = per_ip_.find(ip);  // same container, same function: reported once, at the first write
  if (it != per_ip_.end() && --it->second == 0) per_ip_.erase(it);  // expect: errorshield-unlocked-shared-map
}

size_t ConnectionLimiter::tracked() const { return per_ip_.size(); }  // expect: errorshield-unlocked-shared-map

class RouteTable {
 public:
  void add(const string& prefix, const string& upstream) {
    lock_guard g(mu_);
    addRoute(prefix, upstream);
  }

  optional<string> match(const string& target) {
    scoped_lock g(mu_);
    return matchImpl(target);
  }

  vector<string> upstreamsFor(const string& prefix) {
    vector<string> out;
    auto [lo, hi] = routes_.equal_range(prefix);  // expect: errorshield-unlocked-shared-map
    for (auto it = lo; it != hi; ++it) out.push_back(it->second);
    return out;
  }

 private:
  void addRoute(const string& p, const string& u) REQUIRES(mu_) { routes_.emplace(p, u); }

  optional<string> matchImpl(const string& target) EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    for (const auto& [prefix, up] : routes_)
      if (target.starts_with(prefix)) return up;
    return nullopt;
  }

  mutex mu_;
  multimap<string, string> routes_;
};

namespace {
mutex g_stats_mu;
map<string, uint64_t> g_status_counts;
}  // namespace

void recordStatus(http::status st, bool sampled) {
  if (sampled) {
    lock_guard g(g_stats_mu);
    g_status_counts[to_string(static_cast<unsigned>(st))]++;
  }
  g_status_counts["total"]++;  // expect: errorshield-unlocked-shared-map
}

void drainStats(vector<pair<string, uint64_t>>& out) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    unique_lock lk(g_stats_mu, try_to_lock);
    if (!lk.owns_lock()) continue;
    for (auto& kv : g_status_counts) out.emplace_back(kv);
    g_status_counts.clear();
    return;
  }
}

http::response<http::string_body> handle(const http::request<http::string_body>& req, RouteTable& routes) {
  map<string, string> headers;
  for (auto const& f : req) headers[string(f.name_string())] = string(f.value());
  http::response<http::string_body> res{http::status::ok, req.version()};
  string target(req.target());
  if (auto cached = g_page_cache.get(target)) {
    res.body() = *cached;
  } else if (auto up = routes.match(target)) {
    res.body() = "proxied to " + *up;
    g_page_cache.put(target, res.body());
  }
  res.set(http::field::content_type, MimeRegistry::lookup(target.substr(target.rfind('.') + 1)));
  recordStatus(res.result(), headers.count("x-sample") > 0);
  res.prepare_payload();
  return res;
}

void maintenance(ConnectionLimiter& lim, RouteTable& routes) {
  g_page_cache.sweep(chrono::seconds(60));
  g_page_cache.invalidate("/health");
  (void)g_page_cache.size();
  MimeRegistry::registerType("json", "application/json");
  routes.add("/api", "10.0.0.2:8080");
  (void)routes.upstreamsFor("/api");
  if (lim.admit("10.1.1.1")) lim.release("10.1.1.1");
  (void)lim.tracked();
}
