// checks: errorshield-unlocked-shared-map
// Canal lock queue tracker: barges report their position over UDP-ish
// telemetry, lock keepers query the queue for each chamber.
#include <boost/asio.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;

namespace canal {

struct BargeReport {
  std::string hull_id;
  int lock_no = 0;
  double draught_m = 0.0;
  std::chrono::steady_clock::time_point seen;
};

// Barges currently waiting at each lock, keyed by hull id.
std::unordered_map<std::string, BargeReport> g_waiting;

// Hulls that have been flagged by the harbour master (expired permits etc.).
std::set<std::string> g_flagged;
std::mutex g_flagged_mu;

void telemetry_worker(int lock_no, std::vector<std::string> hulls) {
  for (auto &h : hulls) {
    BargeReport r{h, lock_no, 2.4, std::chrono::steady_clock::now()};
    g_waiting[h] = r; // expect: errorshield-unlocked-shared-map
  }
}

void flag_worker(std::vector<std::string> hulls) {
  for (auto &h : hulls) {
    std::lock_guard<std::mutex> lk(g_flagged_mu);
    g_flagged.insert(h);
  }
}

void start_feeds() {
  std::vector<std::thread> feeds;
  feeds.emplace_back(telemetry_worker, 1, std::vector<std::string>{"NL-1021", "NL-3310"});
  feeds.emplace_back(telemetry_worker, 2, std::vector<std::string>{"BE-0042"});
  feeds.emplace_back(flag_worker, std::vector<std::string>{"NL-3310"});
  for (auto &t : feeds)
    t.join();
}

// Per-chamber queue. The io_context is run by a small pool of threads, so
// handlers of different sockets can be in here at the same time.
class LockQueue {
public:
  explicit LockQueue(asio::io_context &ioc) : ioc_(ioc) {}

  void on_arrival(const std::string &hull, int lock_no) {
    asio::post(ioc_, [this, hull, lock_no] {
      queue_[lock_no].push_back(hull); // expect: errorshield-unlocked-shared-map
      positions_.emplace(hull, lock_no); // expect: errorshield-unlocked-shared-map
    });
  }

  void on_departure(const std::string &hull) {
    asio::post(ioc_, [this, hull] {
      std::unique_lock<std::shared_mutex> lk(mu_);
      auto it = positions_.find(hull);
      if (it == positions_.end())
        return;
      auto &q = queue_[it->second];
      for (auto qi = q.begin(); qi != q.end(); ++qi) {
        if (*qi == hull) {
          q.erase(qi);
          break;
        }
      }
      positions_.erase(it);
    });
  }

  void on_permit_expired(const std::string &hull) {
    asio::post(ioc_, [this, hull] { positions_.erase(hull); }); // expect: errorshield-unlocked-shared-map
  }

  std::size_t waiting_at(int lock_no) {
    std::shared_lock<std::shared_mutex> lk(mu_);
    auto it = queue_.find(lock_no);
    return it == queue_.end() ? 0 : it->second.size();
  }

private:
  asio::io_context &ioc_;
  std::shared_mutex mu_;
  std::map<int, std::vector<std::string>> queue_;
  std::unordered_map<std::string, int> positions_;
};

// Lock cycle counters, one table per canal section.
template <class Key>
class CycleCounter {
public:
  void bump_locked(const Key &k) {
    std::scoped_lock lk(mu_);
    ++counts_[k];
  }

  void bump(const Key &k) {
    counts_[k] += 1; // expect: errorshield-unlocked-shared-map
  }

  void spawn_sensors(const std::vector<Key> &keys) {
    std::vector<std::thread> sensors;
    for (const auto &k : keys) {
      sensors.emplace_back([this, k] { bump(k); });
      sensors.emplace_back([this, k] { bump_locked(k); });
    }
    for (auto &t : sensors)
      t.join();
  }

private:
  std::mutex mu_;
  std::map<Key, std::uint64_t> counts_;
};

// Closed chambers (maintenance). Written by the operator console thread and
// by the SCADA poller.
class ClosureBoard {
public:
  void run(asio::thread_pool &pool) {
    asio::post(pool, [this] { close_chamber(3); });
    asio::post(pool, [this] { reopen_chamber(3); });
    asio::post(pool, [this] { close_chamber_safe(5); });
  }

  void close_chamber(int n) {
    closed_.insert(n); // expect: errorshield-unlocked-shared-map
  }

  void reopen_chamber(int n) {
    std::lock_guard<std::mutex> lk(mu_);
    closed_.erase(n);
  }

  void close_chamber_safe(int n) {
    std::lock_guard<std::mutex> lk(mu_);
    closed_.insert(n);
  }

private:
  std::mutex mu_;
  std::set<int> closed_;
};

// Each poller keeps its own scratch table; only the summary is merged.
void poll_section(int section, std::map<int, int> &summary, std::mutex &summary_mu) {
  std::map<int, int> local;
  for (int lock_no = section * 10; lock_no < section * 10 + 5; ++lock_no)
    local[lock_no] = lock_no % 3;
  std::lock_guard<std::mutex> lk(summary_mu);
  for (auto &[k, v] : local)
    summary[k] = v;
}

thread_local std::unordered_map<std::string, int> t_hull_cache;

void remember_hull(const std::string &hull, int lock_no) { t_hull_cache[hull] = lock_no; }

} // namespace canal

int main() {
  canal::start_feeds();

  asio::io_context ioc;
  canal::LockQueue lq(ioc);
  lq.on_arrival("NL-1021", 1);
  lq.on_arrival("DE-7781", 1);
  lq.on_departure("NL-1021");
  lq.on_permit_expired("DE-7781");

  std::vector<std::thread> pool;
  for (int i = 0; i < 4; ++i)
    pool.emplace_back([&ioc] { ioc.run(); });
  for (auto &t : pool)
    t.join();
  std::cout << lq.waiting_at(1) << "\n";

  canal::CycleCounter<std::string> cycles;
  cycles.spawn_sensors({"north", "south", "north"});

  asio::thread_pool tp(3);
  canal::ClosureBoard board;
  board.run(tp);

  std::map<int, int> summary;
  std::mutex summary_mu;
  std::thread a(canal::poll_section, 1, std::ref(summary), std::ref(summary_mu));
  std::thread b(canal::poll_section, 2, std::ref(summary), std::ref(summary_mu));
  std::thread c([] { canal::remember_hull("NL-9", 4); });
  a.join();
  b.join();
  c.join();
  tp.join();
}
