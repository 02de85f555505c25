// checks: errorshield-unlocked-shared-map
// Store catalogue cache + telemetry batcher. Both objects are shared by the
// coroutines spawned on a multi-threaded asio::thread_pool.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio.hpp>
#include <nlohmann/json.hpp>

namespace asio = boost::asio;
using json = nlohmann::json;

#define TLOG(tag, fmt, ...) std::fprintf(stderr, "[%s] " fmt "\n", tag, ##__VA_ARGS__)

namespace game {

struct CatalogConfig {
  std::chrono::seconds refresh_every{60};
  std::size_t max_entries = 4096;
};

struct CatalogItem {
  std::string sku;
  std::int64_t price_cents = 0;
  int stock = 0;
};

template <class K, class V>
class GuardedMap {
 public:
  template <class Fn>
  auto with(Fn&& fn) {
    std::lock_guard lk(m_);
    return fn(map_);
  }

 private:
  std::mutex m_;
  std::unordered_map<K, V> map_;
};

class CatalogCache {
 public:
  explicit CatalogCache(CatalogConfig cfg) : cfg_(cfg), region_multipliers_{{"eu", 100}, {"us", 100}, {"br", 85}} {}

  std::optional<CatalogItem> lookup(const std::string& sku) {
    std::lock_guard lk(inv_mtx_);
    auto it = items_.find(sku);
    if (it == items_.end()) return std::nullopt;
    return it->second;
  }

  void upsert(CatalogItem item) {
    std::unique_lock lk(inv_mtx_);
    if (items_.size() >= cfg_.max_entries) {
      lk.unlock();
      TLOG("catalog", "cache full, evicting %s", item.sku.c_str());
      items_.erase(items_.begin()); // expect: errorshield-unlocked-shared-map
      return;
    }
    items_[item.sku] = std::move(item);
  }

  bool reserve(const std::string& sku) {
    std::lock_guard lk(stats_mtx_);  // wrong mutex: items_ is guarded by inv_mtx_
    ++reserve_attempts_;
    auto it = items_.find(sku); // expect: errorshield-unlocked-shared-map
    if (it == items_.end() || it->second.stock == 0) return false;
    --it->second.stock;
    return true;
  }

  bool reserve_safe(const std::string& sku) {
    {
      std::lock_guard lk(stats_mtx_);
      ++reserve_attempts_;
    }
    std::lock_guard lk(inv_mtx_);
    auto it = items_.find(sku);
    if (it == items_.end() || it->second.stock == 0) return false;
    --it->second.stock;
    return true;
  }

  // Immutable after construction: concurrent readers need no lock.
  int region_multiplier(const std::string& region) const {
    auto it = region_multipliers_.find(region);
    return it == region_multipliers_.end() ? 100 : it->second;
  }

  void record_view(const std::string& sku) {
    views_.with([&](auto& m) { ++m[sku]; });
    ++total_views_;
  }

  std::vector<std::string> hot_skus(int min_views) {
    return views_.with([&](auto& m) {
      std::vector<std::string> out;
      for (const auto& [sku, n] : m)
        if (n >= min_views) out.push_back(sku);
      return out;
    });
  }

 private:
  CatalogConfig cfg_;
  std::mutex inv_mtx_;
  std::unordered_map<std::string, CatalogItem> items_;
  std::mutex stats_mtx_;
  std::uint64_t reserve_attempts_ = 0;
  const std::map<std::string, int> region_multipliers_;
  GuardedMap<std::string, int> views_;
  std::atomic<std::uint64_t> total_views_{0};
};

// Telemetry events are grouped per session and flushed in batches.
class TelemetryBatcher {
 public:
  explicit TelemetryBatcher(asio::any_io_executor ex) : strand_(asio::make_strand(ex)) {}

  asio::awaitable<void> add_event(std::string session, json ev) {
    pending_[session].push_back(std::move(ev)); // expect: errorshield-unlocked-shared-map
    co_return;
  }

  // Hops onto the strand before touching per_session_, so all access is serialized.
  asio::awaitable<void> add_event_serialized(std::string session, json ev) {
    co_await asio::post(strand_, asio::use_awaitable);
    per_session_[session].push_back(std::move(ev));
  }

  asio::awaitable<std::size_t> flush_serialized() {
    co_await asio::post(strand_, asio::use_awaitable);
    std::size_t n = 0;
    for (auto& [session, evs] : per_session_) n += upload(session, evs);
    per_session_.clear();
    co_return n;
  }

  std::size_t flush_pending() {
    std::size_t n = 0;
    for (auto& [session, evs] : pending_) n += upload(session, evs); // expect: errorshield-unlocked-shared-map
    return n;
  }

  void note_upload_latency(const std::string& endpoint, std::chrono::milliseconds ms) {
    thread_local std::unordered_map<std::string, std::int64_t> local_worst;  // per-thread, never shared
    auto& worst = local_worst[endpoint];
    if (ms.count() > worst) worst = ms.count();
  }

 private:
  std::size_t upload(const std::string& session, const std::vector<json>& evs) {
    TLOG("telemetry", "upload %s (%zu events)", session.c_str(), evs.size());
    return evs.size();
  }

  asio::strand<asio::any_io_executor> strand_;
  std::unordered_map<std::string, std::vector<json>> pending_;
  std::unordered_map<std::string, std::vector<json>> per_session_;
};

std::unordered_map<std::string, std::int64_t> g_endpoint_bytes;
std::once_flag g_endpoint_once;

void register_endpoints() {
  std::call_once(g_endpoint_once, [] {
    g_endpoint_bytes.emplace("collector-a", 0);
    g_endpoint_bytes.emplace("collector-b", 0);
  });
}

void account_bytes(const std::string& endpoint, std::int64_t n) {
  g_endpoint_bytes[endpoint] += n; // expect: errorshield-unlocked-shared-map
}

int run_store_node() {
  asio::thread_pool pool(4);
  CatalogCache catalog(CatalogConfig{});
  TelemetryBatcher batcher(pool.get_executor());
  register_endpoints();

  for (int i = 0; i < 64; ++i) {
    asio::co_spawn(
        pool,
        [&, i]() -> asio::awaitable<void> {
          std::string sku = "sku-" + std::to_string(i % 8);
          catalog.upsert(CatalogItem{sku, 199 + i, 10});
          catalog.reserve_safe(sku);
          catalog.record_view(sku);
          co_await batcher.add_event_serialized("s-" + std::to_string(i % 3), json{{"sku", sku}});
          co_await batcher.add_event("s-" + std::to_string(i % 3), json{{"view", sku}});
        },
        asio::detached);
    asio::post(pool, [i] { account_bytes(i % 2 ? "collector-a" : "collector-b", 512); });
  }

  std::thread flusher([&batcher] { TLOG("telemetry", "flushed %zu", batcher.flush_pending()); });
  flusher.join();
  pool.join();
  return static_cast<int>(catalog.hot_skus(2).size());
}

}  // namespace game

int main() { return game::run_store_node() >= 0 ? 0 : 1; }
