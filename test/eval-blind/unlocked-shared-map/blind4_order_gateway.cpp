// checks: errorshield-unlocked-shared-map
// Trading gateway: order book state shared by the session threads.
#include <boost/asio.hpp>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;

namespace gw {

struct Order {
  std::uint64_t id = 0;
  std::string symbol;
  std::int64_t qty = 0;
  std::int64_t price_ticks = 0;
  bool live = true;
};

struct ExecReport {
  std::uint64_t order_id;
  std::int64_t filled;
};

// Global open-order table; every FIX session thread writes into it.
std::unordered_map<std::uint64_t, Order> g_open_orders;
std::mutex g_open_orders_mu;

// Per-symbol last trade, written by the feed threads. Nobody bothered to lock it.
std::map<std::string, std::int64_t> g_last_trade;

bool read_next_exec(int session_fd, ExecReport &out);
bool read_next_order(int session_fd, Order &out);
bool read_next_trade(int feed_fd, std::string &sym, std::int64_t &px);

// BUG: runs on N session threads, writes the global table without the lock.
void session_loop(int fd) {
  Order o;
  while (read_next_order(fd, o)) {
    g_open_orders[o.id] = o; // expect: errorshield-unlocked-shared-map
  }
}

// OK: same table, properly guarded.
void exec_loop(int fd) {
  ExecReport r{};
  while (read_next_exec(fd, r)) {
    std::lock_guard<std::mutex> lk(g_open_orders_mu);
    auto it = g_open_orders.find(r.order_id);
    if (it == g_open_orders.end()) continue;
    it->second.qty -= r.filled;
    if (it->second.qty <= 0) g_open_orders.erase(it);
  }
}

// BUG: lock is taken for the lookup only; the erase happens after the
// guard went out of scope.
void cancel_order(std::uint64_t id) {
  bool found = false;
  {
    std::lock_guard<std::mutex> lk(g_open_orders_mu);
    found = g_open_orders.count(id) != 0;
  }
  if (found) {
    g_open_orders.erase(id); // expect: errorshield-unlocked-shared-map
  }
}

// BUG: feed handler threads.
void feed_loop(int feed_fd) {
  std::string sym;
  std::int64_t px = 0;
  while (read_next_trade(feed_fd, sym, px)) {
    g_last_trade[sym] = px; // expect: errorshield-unlocked-shared-map
  }
}

void start_gateway(const std::vector<int> &session_fds, const std::vector<int> &feed_fds) {
  std::vector<std::thread> threads;
  for (int fd : session_fds) {
    threads.emplace_back(session_loop, fd);
    threads.emplace_back(exec_loop, fd);
  }
  for (int fd : feed_fds) threads.emplace_back(feed_loop, fd);
  for (auto &t : threads) t.join();
}

// Position keeper used from an asio thread pool.
class PositionKeeper {
public:
  explicit PositionKeeper(asio::thread_pool &pool) : pool_(pool) {}

  // BUG: fills arrive on any pool thread; the map is mutated bare.
  void on_fill(const std::string &account, const std::string &symbol, std::int64_t qty) {
    asio::post(pool_, [this, account, symbol, qty] {
      positions_[account + ":" + symbol] += qty; // expect: errorshield-unlocked-shared-map
    });
  }

  // OK: shared_mutex writer lock.
  void set_limit(const std::string &account, std::int64_t limit) {
    asio::post(pool_, [this, account, limit] {
      std::unique_lock<std::shared_mutex> wl(limits_mu_);
      limits_[account] = limit;
    });
  }

  // OK: read-only lookup under a shared lock.
  std::int64_t limit_of(const std::string &account) const {
    std::shared_lock<std::shared_mutex> rl(limits_mu_);
    auto it = limits_.find(account);
    return it == limits_.end() ? 0 : it->second;
  }

  // OK: all symbol-state mutation is funnelled through one strand.
  void on_quote(const std::string &symbol, std::int64_t bid) {
    asio::post(strand_, [this, symbol, bid] { best_bid_[symbol] = bid; });
  }

  // OK: scoped_lock on both tables.
  void reset_account(const std::string &account) {
    asio::post(pool_, [this, account] {
      std::scoped_lock lk(pos_mu_, limits_mu_);
      for (auto it = positions_locked_.begin(); it != positions_locked_.end();) {
        if (it->first.rfind(account + ":", 0) == 0)
          it = positions_locked_.erase(it);
        else
          ++it;
      }
      limits_.erase(account);
    });
  }

private:
  asio::thread_pool &pool_;
  asio::strand<asio::thread_pool::executor_type> strand_{asio::make_strand(pool_)};
  std::unordered_map<std::string, std::int64_t> positions_;
  std::unordered_map<std::string, std::int64_t> positions_locked_;
  std::mutex pos_mu_;
  std::unordered_map<std::string, std::int64_t> limits_;
  mutable std::shared_mutex limits_mu_;
  std::map<std::string, std::int64_t> best_bid_;
};

// OK: per-thread scratch map, never shared.
std::int64_t net_exposure(const std::vector<Order> &orders) {
  std::unordered_map<std::string, std::int64_t> by_symbol;
  std::vector<std::thread> ts;
  std::atomic<std::int64_t> total{0};
  for (int shard = 0; shard < 2; ++shard) {
    ts.emplace_back([&orders, &total, shard] {
      std::map<std::string, std::int64_t> local;
      for (std::size_t i = shard; i < orders.size(); i += 2) local[orders[i].symbol] += orders[i].qty;
      for (auto &kv : local) total += kv.second;
    });
  }
  for (auto &t : ts) t.join();
  // single-threaded again here
  for (auto &o : orders) by_symbol[o.symbol] += o.qty;
  return total.load() + static_cast<std::int64_t>(by_symbol.size()) * 0;
}

// OK: thread_local cache, one per thread.
thread_local std::unordered_map<std::string, int> tl_symbol_ids;
int symbol_id(const std::string &sym) {
  auto [it, inserted] = tl_symbol_ids.try_emplace(sym, static_cast<int>(tl_symbol_ids.size()));
  return it->second;
}

} // namespace gw
