// checks: errorshield-unlocked-shared-map
// Metrics aggregator: ingest workers, a thread pool for enrichment, and a
// publisher thread. Several maps, some protected, some not.
#include <boost/asio.hpp>
#include <boost/asio/thread_pool.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace net = boost::asio;
using json = nlohmann::json;

namespace metrics {

struct Sample {
  std::string name;
  double value = 0;
  std::map<std::string, std::string> tags;
};

bool next_sample(int shard, Sample &out);
void publish(const json &j);

// A small generic registry with its own lock.
template <class K, class V> class LockedMap {
public:
  template <class F> void update(const K &k, F &&f) {
    std::lock_guard<std::mutex> lk(mu_);
    f(map_[k]);
  }
  std::map<K, V> snapshot() const {
    std::lock_guard<std::mutex> lk(mu_);
    return map_;
  }

private:
  mutable std::mutex mu_;
  std::map<K, V> map_;
};

class Sink {
public:
  virtual ~Sink() = default;
  virtual void consume(const Sample &s) = 0;
};

// Called concurrently from all ingest threads.
class CounterSink : public Sink {
public:
  void consume(const Sample &s) override {
    // BUG: ingest threads call consume() concurrently; no lock here.
    totals_[s.name] += s.value; // expect: errorshield-unlocked-shared-map
  }
  std::unordered_map<std::string, double> totals_;
};

// Called concurrently too, but properly locked.
class GaugeSink : public Sink {
public:
  void consume(const Sample &s) override {
    std::unique_lock lk(mu_);
    last_[s.name] = s.value;
  }
  json dump() const {
    std::shared_lock lk(mu_);
    json j = json::object();
    for (const auto &[k, v] : last_)
      j[k] = v;
    return j;
  }

private:
  mutable std::shared_mutex mu_;
  std::map<std::string, double> last_;
};

// Histogram sink using the LockedMap helper: safe.
class HistogramSink : public Sink {
public:
  void consume(const Sample &s) override {
    hist_.update(s.name, [&](std::vector<double> &v) { v.push_back(s.value); });
  }

private:
  LockedMap<std::string, std::vector<double>> hist_;
};

class Aggregator {
public:
  Aggregator(std::vector<Sink *> sinks, int shards) : sinks_(std::move(sinks)), shards_(shards) {
    // Configured before any thread exists.
    for (int i = 0; i < shards_; ++i)
      shard_names_[i] = "shard-" + std::to_string(i);
  }

  void run() {
    std::vector<std::thread> ingest;
    for (int i = 0; i < shards_; ++i)
      ingest.emplace_back([this, i] { ingest_loop(i); });
    std::thread pub([this] { publish_loop(); });
    for (auto &t : ingest)
      t.join();
    stop_ = true;
    cv_.notify_all();
    pub.join();
    pool_.join();
  }

private:
  void ingest_loop(int shard) {
    Sample s;
    while (next_sample(shard, s)) {
      for (Sink *sink : sinks_)
        sink->consume(s);
      // BUG: per-series sample counts updated from every ingest thread.
      seen_[s.name]++; // expect: errorshield-unlocked-shared-map
      {
        std::lock_guard<std::mutex> lk(q_mu_);
        pending_.push_back(s);
        last_by_shard_[shard_names_.at(shard)] = s.name;
      }
      cv_.notify_one();
      net::post(pool_, [this, s] { enrich(s); });
    }
  }

  // Runs on the 4-thread pool.
  void enrich(Sample s) {
    auto tag = s.tags.find("host");
    if (tag == s.tags.end())
      return;
    // BUG: pool jobs run in parallel and all write this member map.
    hosts_[tag->second].push_back(s.name); // expect: errorshield-unlocked-shared-map
  }

  void publish_loop() {
    std::unique_lock<std::mutex> lk(q_mu_);
    while (!stop_ || !pending_.empty()) {
      cv_.wait_for(lk, std::chrono::milliseconds(100));
      while (!pending_.empty()) {
        Sample s = std::move(pending_.front());
        pending_.pop_front();
        lk.unlock();
        publish(json{{"name", s.name}, {"value", s.value}});
        lk.lock();
      }
    }
  }

  std::vector<Sink *> sinks_;
  int shards_;
  std::map<int, std::string> shard_names_;
  std::unordered_map<std::string, long> seen_;
  std::mutex q_mu_;
  std::condition_variable cv_;
  std::deque<Sample> pending_;
  std::map<std::string, std::string> last_by_shard_;
  std::unordered_map<std::string, std::vector<std::string>> hosts_;
  net::thread_pool pool_{4};
  std::atomic<bool> stop_{false};
};

// ---------------------------------------------------------------------------
// Global label cache: lazily filled by whichever thread first needs it.
// ---------------------------------------------------------------------------
std::unordered_map<std::string, std::string> g_label_cache;
std::mutex g_label_mu;

std::string label_for(const std::string &key) {
  std::lock_guard<std::mutex> lk(g_label_mu);
  auto it = g_label_cache.find(key);
  if (it != g_label_cache.end())
    return it->second;
  return g_label_cache.emplace(key, "label:" + key).first->second;
}

std::map<std::string, int> g_priority;

// BUG: the reload thread inserts while request threads also insert.
void reload_priorities(const json &cfg) {
  for (auto &[k, v] : cfg.items())
    g_priority[k] = v.get<int>(); // expect: errorshield-unlocked-shared-map
}

void bump_priority(const std::string &k) {
  g_priority[k] += 1; // expect: errorshield-unlocked-shared-map
}

// Local map inside a thread body: not shared.
void shard_report(int shard) {
  std::map<std::string, double> local;
  Sample s;
  while (next_sample(shard, s))
    local[s.name] += s.value;
  json j = json::object();
  for (auto &[k, v] : local)
    j[k] = v;
  publish(j);
}

} // namespace metrics

int main() {
  metrics::CounterSink counters;
  metrics::GaugeSink gauges;
  metrics::HistogramSink hist;
  metrics::Aggregator agg({&counters, &gauges, &hist}, 4);

  std::thread reloader([] {
    metrics::reload_priorities(json{{"cpu", 1}, {"mem", 2}});
  });
  std::thread bumper([] { metrics::bump_priority("cpu"); });
  std::thread r1(metrics::shard_report, 0), r2(metrics::shard_report, 1);
  agg.run();
  reloader.join();
  bumper.join();
  r1.join();
  r2.join();
  (void)metrics::label_for("x");
}
