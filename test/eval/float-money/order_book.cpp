// checks: errorshield-float-money
// Price-time priority limit order book for one instrument, used by the matching
// engine's replay tool. Quantities are integral lots; prices were (wrongly) kept
// as binary floating point when the tool was prototyped.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

enum class Side : std::uint8_t { Buy, Sell };

struct Order {
  std::uint64_t id = 0;
  std::string symbol;
  Side side = Side::Buy;
  double price = 0.0; // expect: errorshield-float-money
  std::int64_t qty = 0;        // integral lots: fine
  std::int64_t filled_qty = 0; // fine
  std::chrono::nanoseconds entered_at{};
};

struct Fill {
  std::uint64_t maker_id = 0;
  std::uint64_t taker_id = 0;
  // "px" is trader shorthand for a price: a weak money word, money here (a money sibling)
  double last_px = 0.0; // expect: errorshield-float-money
  std::int64_t last_qty = 0;
  double fee = 0.0; // expect: errorshield-float-money
  // weak word "value" inside a record named Fill
  double net_value = 0.0; // expect: errorshield-float-money
};

class OrderBook {
 public:
  // tick size is a price increment but its name carries no money word: fine
  OrderBook(std::string symbol, double tick_size, double maker_fee_bps) // expect: errorshield-float-money
      : symbol_(std::move(symbol)), tick_size_(tick_size), maker_fee_bps_(maker_fee_bps) {}

  std::vector<Fill> submit(Order incoming) {
    std::vector<Fill> fills;
    if (incoming.side == Side::Buy) {
      match(incoming, asks_, fills, [](double best, double limit) { return best <= limit; });
      if (incoming.qty > incoming.filled_qty) bids_[incoming.price].push_back(incoming);
    } else {
      match(incoming, bids_, fills, [](double best, double limit) { return best >= limit; });
      if (incoming.qty > incoming.filled_qty) asks_[incoming.price].push_back(incoming);
    }
    return fills;
  }

  std::optional<double> bestBidPrice() const { // expect: errorshield-float-money
    if (bids_.empty()) return std::nullopt;
    return bids_.begin()->first;
  }

  // "bestAsk" has no money word: fine
  std::optional<double> bestAsk() const {
    if (asks_.empty()) return std::nullopt;
    return asks_.begin()->first;
  }

  double midPrice() const { // expect: errorshield-float-money
    auto bid = bestBidPrice();
    auto ask = bestAsk();
    if (!bid || !ask) return 0.0;
    return (*bid + *ask) / 2.0;
  }

  // spread in ticks is a count, not money: fine
  double spreadTicks() const {
    auto bid = bestBidPrice();
    auto ask = bestAsk();
    if (!bid || !ask) return 0.0;
    return (*ask - *bid) / tick_size_;
  }

  std::int64_t depthAt(Side side, double level) const { // "level" is fine
    const std::vector<Order>* queue = nullptr;
    if (side == Side::Buy) {
      if (auto it = bids_.find(level); it != bids_.end()) queue = &it->second;
    } else {
      if (auto it = asks_.find(level); it != asks_.end()) queue = &it->second;
    }
    std::int64_t open = 0;
    if (queue)
      for (const Order& o : *queue) open += o.qty - o.filled_qty;
    return open;
  }

 private:
  template <class Book, class Crosses>
  void match(Order& taker, Book& book, std::vector<Fill>& out, Crosses crosses) {
    while (taker.filled_qty < taker.qty && !book.empty()) {
      auto level = book.begin();
      if (!crosses(level->first, taker.price)) break;
      auto& queue = level->second;
      Order& maker = queue.front();
      const std::int64_t traded = std::min(taker.qty - taker.filled_qty, maker.qty - maker.filled_qty);
      const double fill_price = level->first; // expect: errorshield-float-money
      const double notional = fill_price * static_cast<double>(traded); // expect: errorshield-float-money
      Fill f;
      f.maker_id = maker.id;
      f.taker_id = taker.id;
      f.last_px = fill_price;
      f.last_qty = traded;
      f.fee = notional * maker_fee_bps_ / 10'000.0;
      f.net_value = notional - f.fee;
      out.push_back(f);
      taker.filled_qty += traded;
      maker.filled_qty += traded;
      total_traded_lots_ += traded;
      if (maker.filled_qty == maker.qty) queue.erase(queue.begin());
      if (queue.empty()) book.erase(level);
    }
  }

  std::string symbol_;
  // price levels keyed by double: only the mapped type is considered, and it is
  // a vector of orders, so these maps are fine
  std::map<double, std::vector<Order>, std::greater<>> bids_;
  std::map<double, std::vector<Order>> asks_;
  double tick_size_;
  double maker_fee_bps_; // expect: errorshield-float-money
  std::int64_t total_traded_lots_ = 0; // integer: fine
};

// Volume-weighted average of fills. The function's name has no money word: fine;
// but its numerator accumulates prices times quantities, a notional amount.
double vwap(const std::vector<Fill>& fills) {
  double weighted = 0.0; // expect: errorshield-float-money
  std::int64_t lots = 0;
  for (const Fill& f : fills) {
    weighted += f.last_px * static_cast<double>(f.last_qty);
    lots += f.last_qty;
  }
  return lots == 0 ? 0.0 : weighted / static_cast<double>(lots);
}

// Replay statistics: a weak word ("total") with no money context: fine
struct ReplayStats {
  double total_latency_us = 0.0;
  double max_latency_us = 0.0;
  std::uint64_t messages = 0;
};

void recordLatency(ReplayStats& stats, std::chrono::nanoseconds took) {
  const double us = std::chrono::duration<double, std::micro>(took).count(); // fine
  stats.total_latency_us += us;
  stats.max_latency_us = std::max(stats.max_latency_us, us);
  ++stats.messages;
}
