// checks: errorshield-unlocked-shared-map
// Matchmaking ticket pool. The io_context is run by a pool of threads
// (see run_matchmaker below), so every handler can execute concurrently.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio.hpp>
#include <nlohmann/json.hpp>

namespace asio = boost::asio;
using json = nlohmann::json;

#define MM_LOG(fmt, ...) std::fprintf(stderr, "[mm] " fmt "\n", ##__VA_ARGS__)

namespace mm {

struct MatchmakerConfig {
  std::size_t worker_threads = 4;
  int rating_window = 150;
  std::chrono::seconds ticket_ttl{120};
};

struct Ticket {
  std::string player_id;
  std::string region;
  int rating = 1500;
  std::chrono::steady_clock::time_point created = std::chrono::steady_clock::now();
};

// Per-region load counters, bumped by the std::thread region pollers.
std::unordered_map<std::string, int> g_region_load;
std::mutex g_region_mtx;

class TicketPool : public std::enable_shared_from_this<TicketPool> {
 public:
  TicketPool(asio::io_context& ioc, MatchmakerConfig cfg)
      : ioc_(ioc), strand_(asio::make_strand(ioc)), cfg_(cfg) {}

  void enqueue(Ticket t) {
    std::lock_guard lk(mtx_);
    tickets_[t.player_id] = std::move(t);
  }

  void cancel(const std::string& player_id) {
    MM_LOG("cancel %s", player_id.c_str());
    tickets_.erase(player_id); // expect: errorshield-unlocked-shared-map
  }

  std::size_t pending() const {
    return tickets_.size(); // expect: errorshield-unlocked-shared-map
  }

  std::size_t pending_locked() const {
    std::lock_guard lk(mtx_);
    return tickets_.size();
  }

  // Called from the websocket handler when a match result arrives.
  void on_match_result(const std::string& player_id, bool won) {
    adjust_rating(player_id, won ? 25 : -25);
  }

  void on_match_result_safe(const std::string& player_id, bool won) {
    std::lock_guard lk(mtx_);
    adjust_rating_locked(player_id, won ? 25 : -25);
  }

  // Every 500ms, sweep expired tickets on the strand (the only place that
  // touches expiry_index_), so no mutex is needed for that map.
  void schedule_sweep() {
    auto timer = std::make_shared<asio::steady_timer>(strand_, std::chrono::milliseconds(500));
    timer->async_wait([timer, self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->sweep_on_strand();
    });
  }

  void track_expiry(const std::string& player_id) {
    asio::post(strand_, [self = shared_from_this(), player_id] {
      self->expiry_index_[player_id] = std::chrono::steady_clock::now() + self->cfg_.ticket_ttl;
    });
  }

  // Posted to the plain io_context, not the strand: races with sweep_on_strand.
  void untrack_expiry(const std::string& player_id) {
    asio::post(ioc_, [self = shared_from_this(), player_id] {
      self->expiry_index_.erase(player_id); // expect: errorshield-unlocked-shared-map
    });
  }

  json snapshot() const {
    std::unordered_map<std::string, Ticket> copy;
    {
      std::lock_guard lk(mtx_);
      copy = tickets_;
    }
    json out = json::object();
    for (const auto& [id, t] : copy) out[id] = {{"region", t.region}, {"rating", t.rating}};
    return out;
  }

  std::vector<std::pair<std::string, std::string>> form_pairs() {
    std::lock_guard lk(mtx_);
    std::map<int, std::string> by_rating;  // local, not shared
    for (const auto& [id, t] : tickets_) by_rating.emplace(t.rating, id);
    std::vector<std::pair<std::string, std::string>> out;
    for (auto it = by_rating.begin(); it != by_rating.end();) {
      auto next = std::next(it);
      if (next == by_rating.end()) break;
      if (next->first - it->first <= cfg_.rating_window) {
        out.emplace_back(it->second, next->second);
        tickets_.erase(it->second);
        tickets_.erase(next->second);
        it = std::next(next);
      } else {
        it = next;
      }
    }
    return out;
  }

  int rating_of(const std::string& player_id) const {
    std::shared_lock lk(ratings_mtx_);
    auto it = ratings_.find(player_id);
    return it == ratings_.end() ? 1500 : it->second;
  }

  void seed_rating(const std::string& player_id, int r) {
    std::unique_lock lk(ratings_mtx_);
    ratings_.insert_or_assign(player_id, r);
  }

 private:
  // Helper with no locking of its own; reached from on_match_result without a lock.
  void adjust_rating(const std::string& player_id, int delta) {
    ratings_[player_id] += delta; // expect: errorshield-unlocked-shared-map
  }

  // Caller must hold mtx_ and takes ratings_mtx_ here.
  void adjust_rating_locked(const std::string& player_id, int delta) {
    std::unique_lock rl(ratings_mtx_);
    ratings_[player_id] += delta;
    if (auto it = tickets_.find(player_id); it != tickets_.end()) it->second.rating += delta;
  }

  void sweep_on_strand() {
    const auto now = std::chrono::steady_clock::now();
    for (auto it = expiry_index_.begin(); it != expiry_index_.end();) {
      if (it->second <= now) {
        drop_ticket(it->first);
        it = expiry_index_.erase(it);
      } else {
        ++it;
      }
    }
    schedule_sweep();
  }

  void drop_ticket(const std::string& player_id) {
    std::lock_guard lk(mtx_);
    tickets_.erase(player_id);
  }

  asio::io_context& ioc_;
  asio::strand<asio::io_context::executor_type> strand_;
  MatchmakerConfig cfg_;
  mutable std::mutex mtx_;
  std::unordered_map<std::string, Ticket> tickets_;
  mutable std::shared_mutex ratings_mtx_;
  std::unordered_map<std::string, int> ratings_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> expiry_index_;
};

void poll_region(const std::string& region, int samples) {
  for (int i = 0; i < samples; ++i) {
    g_region_load[region] += 1; // expect: errorshield-unlocked-shared-map
  }
}

void poll_region_safe(const std::string& region, int samples) {
  for (int i = 0; i < samples; ++i) {
    std::lock_guard lk(g_region_mtx);
    g_region_load[region] += 1;
  }
}

int run_matchmaker(const MatchmakerConfig& cfg) {
  asio::io_context ioc;
  auto pool = std::make_shared<TicketPool>(ioc, cfg);
  pool->schedule_sweep();

  std::vector<std::thread> pollers;
  for (const char* r : {"eu-west", "us-east", "ap-south"}) pollers.emplace_back(poll_region, std::string(r), 100);

  std::vector<std::thread> workers;
  for (std::size_t i = 0; i < cfg.worker_threads; ++i) workers.emplace_back([&ioc] { ioc.run(); });
  for (auto& t : pollers) t.join();
  for (auto& t : workers) t.join();

  // All pollers and workers are joined: single-threaded from here on.
  int total = 0;
  for (const auto& [region, load] : g_region_load) total += load;
  MM_LOG("total region load %d, pending %zu", total, pool->pending_locked());
  return total;
}

}  // namespace mm

int main() { return mm::run_matchmaker(mm::MatchmakerConfig{}) > 0 ? 0 : 1; }
