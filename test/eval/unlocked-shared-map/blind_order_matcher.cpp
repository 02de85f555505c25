// checks: errorshield-unlocked-shared-map
// Matching engine: order book, fill notifier, halted symbols, sharded positions.
#include <array>
#include <boost/asio.hpp>
#include <chrono>
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

struct Order {
  std::uint64_t id;
  std::string symbol;
  std::int64_t px;
  std::int64_t qty;
  bool buy;
};

class OrderBook {
 public:
  void submit(const Order& o);
  bool cancel(std::uint64_t id);
  std::int64_t bestBid() const;
  std::size_t depth() const;
  void snapshot_locked(std::vector<Order>& out) const;
  void snapshot(std::vector<Order>& out) const;
  void replay(const std::vector<Order>& log);
  std::size_t peekUnlocked() const;

 private:
  mutable std::recursive_mutex mu_;
  std::map<std::int64_t, std::vector<Order>, std::greater<>> bids_;
  std::map<std::int64_t, std::vector<Order>> asks_;
  std::unordered_map<std::uint64_t, std::int64_t> index_;
};

void OrderBook::submit(const Order& o) {
  std::lock_guard<std::recursive_mutex> g(mu_);
  if (o.buy) bids_[o.px].push_back(o); else asks_[o.px].push_back(o);
  index_.emplace(o.id, o.px);
}

bool OrderBook::cancel(std::uint64_t id) {
  mu_.lock();
  const bool found = index_.erase(id) > 0;
  mu_.unlock();
  return found;
}

std::int64_t OrderBook::bestBid() const {
  mu_.lock();
  const bool empty = bids_.empty();
  mu_.unlock();
  return empty ? 0 : bids_.begin()->first;  // expect: errorshield-unlocked-shared-map
}

std::size_t OrderBook::depth() const {
  std::unique_lock lk(mu_);
  return bids_.size() + asks_.size();
}

void OrderBook::snapshot_locked(std::vector<Order>& out) const {
  for (const auto& [px, lvl] : bids_) out.insert(out.end(), lvl.begin(), lvl.end());
  for (const auto& [px, lvl] : asks_) out.insert(out.end(), lvl.begin(), lvl.end());
}

void OrderBook::snapshot(std::vector<Order>& out) const {
  std::scoped_lock lk(mu_);
  snapshot_locked(out);
}

void OrderBook::replay(const std::vector<Order>& log) {
  for (const auto& o : log) {
    std::lock_guard g(mu_);
    index_[o.id] = o.px;
  }
  asks_.clear();  // expect: errorshield-unlocked-shared-map
}

// "Unlocked" does not end in "Locked"/"_locked": nobody holds the lock here.
std::size_t OrderBook::peekUnlocked() const {
  return index_.size();  // expect: errorshield-unlocked-shared-map
}

class FillNotifier {
 public:
  explicit FillNotifier(asio::io_context& ioc) : timer_(ioc) { subs_.emplace("*", 0); }

  void subscribe(const std::string& sym, int fd) {
    std::unique_lock<std::timed_mutex> lk(mu_, std::chrono::milliseconds(50));
    if (!lk) return;
    subs_.emplace(sym, fd);
  }

  void arm() {
    timer_.expires_after(std::chrono::seconds(1));
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      for (auto& [sym, fd] : subs_) notify(fd, sym);  // expect: errorshield-unlocked-shared-map
      arm();
    });
  }

  int countFor(const std::string& sym) {
    std::lock_guard lk(mu_);
    return static_cast<int>(subs_.count(sym));
  }

 private:
  void notify(int, const std::string&) {}
  std::timed_mutex mu_;
  asio::steady_timer timer_;
  std::unordered_multimap<std::string, int> subs_;
};

namespace {
std::shared_mutex g_sym_mu;
std::set<std::string> g_halted;
std::unordered_map<std::string, std::int64_t> g_tick_size{{"AAPL", 1}, {"MSFT", 1}};
}  // namespace

void halt(const std::string& s) {
  std::unique_lock lk(g_sym_mu);
  g_halted.insert(s);
}

bool isHalted(const std::string& s) {
  std::shared_lock lk(g_sym_mu);
  return g_halted.contains(s);
}

void resumeAll() {
  std::shared_lock lk(g_sym_mu);
  g_halted.clear();  // expect: errorshield-unlocked-shared-map
}

std::vector<std::string> haltedList() {
  return {g_halted.begin(), g_halted.end()};  // expect: errorshield-unlocked-shared-map
}

std::int64_t tickSize(const std::string& s) {
  auto it = g_tick_size.find(s);
  return it == g_tick_size.end() ? 1 : it->second;
}

struct Shard {
  std::mutex m;
  std::map<std::string, std::int64_t> positions;
};

std::array<Shard, 16> g_shards;

Shard& shardFor(const std::string& account) {
  return g_shards[std::hash<std::string>{}(account) % g_shards.size()];
}

void addPosition(const std::string& account, std::int64_t qty) {
  Shard& s = shardFor(account);
  std::lock_guard g(s.m);
  s.positions[account] += qty;
}

void forcePosition(Shard& s, const std::string& account, std::int64_t qty) {
  s.positions[account] = qty;  // expect: errorshield-unlocked-shared-map
}

std::size_t openAccounts(std::size_t shard) {
  return g_shards[shard].positions.size();  // expect: errorshield-unlocked-shared-map
}

std::int64_t netPosition(const std::string& account) {
  Shard& s = shardFor(account);
  std::scoped_lock g(s.m);
  auto it = s.positions.find(account);
  return it == s.positions.end() ? 0 : it->second;
}

// Plain value type with no mutex: per-request scratch data, not shared.
struct PriceLadder {
  std::map<std::int64_t, std::int64_t> levels;
  void add(std::int64_t px, std::int64_t q) { levels[px] += q; }
  std::int64_t top() const { return levels.empty() ? 0 : levels.rbegin()->first; }
};

std::int64_t buildLadder(const std::vector<Order>& orders) {
  PriceLadder ladder;
  std::unordered_map<std::string, int> per_symbol;
  for (const auto& o : orders) {
    ladder.add(o.px, o.qty);
    ++per_symbol[o.symbol];
  }
  return ladder.top() + static_cast<std::int64_t>(per_symbol.size());
}
