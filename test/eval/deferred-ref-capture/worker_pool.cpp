// checks: errorshield-deferred-ref-capture
// Background workers of a matching-engine replica: parallel replay of journal
// segments at startup, a periodic stats thread, and a journal compactor.
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <numeric>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;

struct Segment {
  std::string path;
  std::uint64_t first_seq = 0;
};

std::uint64_t replay_segment(const Segment& s);
void compact(const std::string& dir);
void publish_stat(const std::string& name, double value);
std::string journal_dir();

static std::atomic<std::uint64_t> g_replayed{0};

class Replica {
 public:
  std::uint64_t replay(const std::vector<Segment>& segments) {
    std::vector<std::uint64_t> counts(segments.size());
    std::vector<std::thread> threads;
    threads.reserve(segments.size());
    for (std::size_t i = 0; i < segments.size(); ++i) {
      // fine: every thread in `threads` is joined below, before counts goes out of scope
      threads.emplace_back([&counts, &segments, i] { counts[i] = replay_segment(segments[i]); });
    }
    for (auto& t : threads) t.join();
    return std::accumulate(counts.begin(), counts.end(), std::uint64_t{0});
  }

  std::uint64_t replay_pooled(const std::vector<Segment>& segments) {
    std::mutex mu;
    std::uint64_t total = 0;
    asio::thread_pool pool(4);
    for (const auto& seg : segments) {
      // fine: pool.join() below waits for every posted job while mu/total are alive
      asio::post(pool, [&mu, &total, &seg] {
        auto n = replay_segment(seg);
        std::lock_guard lk(mu);
        total += n;
      });
    }
    pool.join();
    return total;
  }

  void verify_first(const std::vector<Segment>& segments) {
    std::uint64_t seen = 0;
    // fine: joined right away
    std::thread checker([&] { seen = replay_segment(segments.front()); });
    checker.join();
    g_replayed += seen;
  }

  void start_stats() {
    std::string prefix = "replica." + std::to_string(id_);
    // fine: the thread outlives this function (kept in a member) but owns a copy of prefix
    stats_ = std::jthread([prefix](std::stop_token st) {
      while (!st.stop_requested()) {
        publish_stat(prefix + ".replayed", static_cast<double>(g_replayed.load()));
        std::this_thread::sleep_for(1s);
      }
    });
  }

  void start_compactor() {
    std::string dir = journal_dir();
    // detached: the compactor keeps using dir after start_compactor has returned
    std::thread([&dir] {  // expect: errorshield-deferred-ref-capture
      for (;;) {
        compact(dir);
        std::this_thread::sleep_for(30s);
      }
    }).detach();
  }

  void start_heartbeat(int interval_ms) {
    // interval_ms is a by-value parameter; the thread lives on in heartbeats_
    std::thread hb([&] { for (;;) { publish_stat("heartbeat", 1.0); std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms)); } });  // expect: errorshield-deferred-ref-capture
    heartbeats_.push_back(std::move(hb));
  }

  void warmup() {
    std::atomic<int> ready{0};
    {
      // fine: std::jthread joins when the block ends
      std::jthread a([&ready] { ++ready; });
      std::jthread b([&ready] { ++ready; });
    }
    publish_stat("warmup.threads", ready.load());
  }

  void bump_global() {
    // fine: only the namespace-scope counter is used, nothing automatic
    std::thread([&] { g_replayed.fetch_add(1); }).detach();
  }

  ~Replica() {
    for (auto& t : heartbeats_)
      if (t.joinable()) t.detach();
  }

 private:
  int id_ = 1;
  std::jthread stats_;
  std::vector<std::thread> heartbeats_;
};
