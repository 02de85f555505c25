// checks: errorshield-unlocked-shared-map
// Market-data gateway: a UDP multicast handler updates the last-trade table
// while REST worker threads quote from it.
#include <boost/asio.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace asio = boost::asio;
using udp = asio::ip::udp;
using json = nlohmann::json;

std::unordered_map<std::string, double> g_prices;
std::mutex g_prices_mu;

// Exchange reference data: loaded once, never modified.
const std::map<std::string, double> kTickSizes = {{"ESZ5", 0.25}, {"NQZ5", 0.25}, {"CLZ5", 0.01}};

// Not const, but nothing in this file ever writes it after static init.
std::unordered_map<std::string, int> g_symbol_ids = {{"ESZ5", 1}, {"NQZ5", 2}, {"CLZ5", 3}};

// Per-thread throttling state.
thread_local std::unordered_map<std::string, double> t_last_published;

static void store_price(const std::string& sym, double px) {
  g_prices[sym] = px;  // expect: errorshield-unlocked-shared-map (callers lock, but the helper has no REQUIRES or *Locked contract)
}

static void drop_symbol(const std::string& sym) {
  g_prices.erase(sym);  // expect: errorshield-unlocked-shared-map
}

double round_to_tick(const std::string& sym, double px) {
  auto it = kTickSizes.find(sym);  // fine: const table
  if (it == kTickSizes.end()) return px;  // fine: const table
  return std::round(px / it->second) * it->second;
}

int symbol_id(const std::string& sym) {
  auto it = g_symbol_ids.find(sym);  // fine: never written, only read
  return it == g_symbol_ids.end() ? 0 : it->second;  // fine: never written
}

bool should_publish(const std::string& sym, double px) {
  auto& last = t_last_published[sym];  // fine: thread_local
  if (std::abs(last - px) < 1e-9) return false;
  last = px;
  return true;
}

class FeedHandler {
 public:
  FeedHandler(asio::io_context& ioc, unsigned short port)
      : sock_(ioc, udp::endpoint(udp::v4(), port)) {}

  void start() { receive(); }

 private:
  void receive() {
    sock_.async_receive_from(asio::buffer(buf_), sender_,
                             [this](boost::system::error_code ec, std::size_t n) {
                               if (!ec) on_packet(std::string(buf_.data(), n));
                               receive();
                             });
  }

  void on_packet(const std::string& raw) {
    auto msg = json::parse(raw, nullptr, false);
    if (!msg.is_object()) return;
    const auto sym = msg.value("s", std::string{});
    const double px = msg.value("p", 0.0);
    if (msg.value("halt", false)) {
      drop_symbol(sym);  // trading halt: called without g_prices_mu
      return;
    }
    std::lock_guard<std::mutex> g(g_prices_mu);
    store_price(sym, px);
  }

  udp::socket sock_;
  udp::endpoint sender_;
  std::array<char, 1500> buf_{};
};

void delist(const std::string& sym) {
  std::lock_guard<std::mutex> g(g_prices_mu);
  drop_symbol(sym);
}

std::optional<double> quote(const std::string& sym) {
  std::lock_guard<std::mutex> g(g_prices_mu);
  auto it = g_prices.find(sym);  // fine: lock_guard held
  if (it == g_prices.end()) return std::nullopt;  // fine: lock_guard held
  return round_to_tick(sym, it->second);
}

// Backs GET /snapshot on the REST pool.
json snapshot() {
  json out = json::object();
  for (const auto& [sym, px] : g_prices)  // expect: errorshield-unlocked-shared-map
    out[sym] = px;
  return out;
}

// Watchdog: the multicast group went quiet, prices are stale.
void on_feed_timeout() {
  g_prices.clear();  // expect: errorshield-unlocked-shared-map
}

void apply_batch(const std::vector<std::pair<std::string, double>>& batch) {
  g_prices_mu.lock();
  for (const auto& [sym, px] : batch) g_prices.insert_or_assign(sym, px);  // fine: g_prices_mu.lock() above
  g_prices_mu.unlock();
  if (g_prices.size() > 50000)  // expect: errorshield-unlocked-shared-map
    on_feed_timeout();
}

class OrderBook {
 public:
  void add_bid(double px, long qty) {
    std::scoped_lock lk(mu_);
    bids_.emplace(px, qty);  // fine: scoped_lock held
  }

  void add_ask(double px, long qty) {
    asks_.emplace(px, qty);  // expect: errorshield-unlocked-shared-map
  }

  double best_bid() const {
    std::scoped_lock lk(mu_);
    return bids_.empty() ? 0.0 : bids_.begin()->first;  // fine: scoped_lock held
  }

  double best_ask() const {
    return asks_.empty() ? 0.0 : asks_.begin()->first;  // expect: errorshield-unlocked-shared-map
  }

  void cancel_bids_at(double px) {
    std::scoped_lock lk(mu_);
    bids_.erase(px);  // fine: scoped_lock held
  }

 private:
  mutable std::mutex mu_;
  std::multimap<double, long, std::greater<double>> bids_;
  std::multimap<double, long> asks_;
};

int main() {
  asio::io_context ioc;
  FeedHandler feed(ioc, 30001);
  feed.start();
  std::vector<std::thread> pool;
  for (int i = 0; i < 4; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  for (auto& t : pool) t.join();
}
