// checks: errorshield-float-money
// Order gateway: receives orders over HTTP (Boost.Beast), keeps an in-memory
// book and per-account balances, and reports latency metrics.
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using json = nlohmann::json;

// ---------------------------------------------------------------------------
// Domain types
// ---------------------------------------------------------------------------

enum class Side { Buy, Sell };

struct Order {
  std::uint64_t id = 0;
  std::string symbol;
  Side side = Side::Buy;
  double price = 0.0; // expect: errorshield-float-money
  double quantity = 0.0;          // fractional shares, not money
  std::int64_t limit_cents = 0;   // correct: integer minor units
  std::chrono::steady_clock::time_point received;
};

struct Fill {
  std::uint64_t order_id = 0;
  std::int64_t price_cents = 0;   // correct
  std::int64_t fee_cents = 0;     // correct
  double fill_ratio = 0.0;        // filled / requested, a ratio
};

struct Account {
  std::string owner;
  double balance = 0.0; // expect: errorshield-float-money
  float credit_limit = 0.0f; // expect: errorshield-float-money
  std::int64_t reserved_cents = 0;
  double risk_score = 0.0;        // model output, not money
};

// Load balancer unrelated to accounts: "balance" here is about traffic.
struct UpstreamPool {
  double balance_threshold = 0.75;  // utilisation above which we shed load
  double cpu_percent = 0.0;
  float weight = 1.0f;
};

struct LatencyStats {
  double p50_ms = 0.0;
  double p99_ms = 0.0;
  double mean_ms = 0.0;
  std::uint64_t samples = 0;

  void add(double ms) {
    mean_ms += (ms - mean_ms) / static_cast<double>(++samples);
  }
};

// ---------------------------------------------------------------------------
// Book
// ---------------------------------------------------------------------------

class OrderBook {
public:
  void insert(const Order &o) {
    std::lock_guard<std::mutex> lk(mu_);
    orders_[o.id] = o;
    if (o.side == Side::Buy)
      best_bid_ = std::max(best_bid_, o.price);
  }

  double notional(std::uint64_t id) const { // expect: errorshield-float-money
    std::lock_guard<std::mutex> lk(mu_);
    auto it = orders_.find(id);
    if (it == orders_.end())
      return 0.0;
    return it->second.price * it->second.quantity;
  }

  std::int64_t notional_cents(std::uint64_t id) const {
    std::lock_guard<std::mutex> lk(mu_);
    auto it = orders_.find(id);
    if (it == orders_.end())
      return 0;
    return it->second.limit_cents * static_cast<std::int64_t>(it->second.quantity);
  }

  double spread_ratio(double mid) const {
    // dimensionless: (ask - bid) / mid
    return mid == 0.0 ? 0.0 : (best_ask_ - best_bid_) / mid;
  }

private:
  mutable std::mutex mu_;
  std::unordered_map<std::uint64_t, Order> orders_;
  double best_bid_ = 0.0; // expect: errorshield-float-money
  double best_ask_ = 0.0; // expect: errorshield-float-money
};

// ---------------------------------------------------------------------------
// Ledger
// ---------------------------------------------------------------------------

class Ledger {
public:
  void credit(const std::string &acct, double amount) { // expect: errorshield-float-money
    std::lock_guard<std::mutex> lk(mu_);
    balances_[acct] += amount;
  }

  void credit_minor(const std::string &acct, std::int64_t amount_minor) {
    std::lock_guard<std::mutex> lk(mu_);
    minor_balances_[acct] += amount_minor;
  }

  std::optional<std::int64_t> balance_minor(const std::string &acct) const {
    std::lock_guard<std::mutex> lk(mu_);
    auto it = minor_balances_.find(acct);
    if (it == minor_balances_.end())
      return std::nullopt;
    return it->second;
  }

private:
  mutable std::mutex mu_;
  std::map<std::string, double> balances_; // expect: errorshield-float-money
  std::map<std::string, std::int64_t> minor_balances_;
};

std::atomic<double> total_revenue{0.0}; // expect: errorshield-float-money
std::atomic<std::int64_t> total_revenue_cents{0};
std::atomic<double> avg_queue_depth{0.0};

// ---------------------------------------------------------------------------
// HTTP handling
// ---------------------------------------------------------------------------

std::optional<Order> parse_order(const std::string &body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded())
    return std::nullopt;
  Order o;
  o.id = j.value("id", 0ull);
  o.symbol = j.value("symbol", "");
  o.side = j.value("side", "buy") == "buy" ? Side::Buy : Side::Sell;
  o.price = j.at("price").get<double>(); // expect: errorshield-float-money
  o.quantity = j.value("qty", 0.0);
  o.limit_cents = j.value("limit_cents", std::int64_t{0});
  o.received = std::chrono::steady_clock::now();
  return o;
}

// Display only: formatting integer cents for a human-readable response.
std::string format_cents(std::int64_t cents) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%lld.%02lld", static_cast<long long>(cents / 100),
                static_cast<long long>(std::llabs(cents % 100)));
  return buf;
}

http::response<http::string_body> handle(const http::request<http::string_body> &req,
                                         OrderBook &book, LatencyStats &stats) {
  auto start = std::chrono::steady_clock::now();
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");

  if (req.method() == http::verb::post && req.target() == "/orders") {
    auto o = parse_order(req.body());
    if (!o) {
      res.result(http::status::bad_request);
      res.body() = R"({"error":"bad json"})";
    } else {
      book.insert(*o);
      double total_price = o->price * o->quantity; // expect: errorshield-float-money
      json out{{"id", o->id}, {"notional", total_price},
               {"limit", format_cents(o->limit_cents)}};
      res.body() = out.dump();
    }
  }

  double elapsed_ms = std::chrono::duration<double, std::milli>(
                          std::chrono::steady_clock::now() - start)
                          .count();
  stats.add(elapsed_ms);
  res.prepare_payload();
  return res;
}

// ---------------------------------------------------------------------------
// Generic money wrapper used by the reporting module
// ---------------------------------------------------------------------------

template <typename Rep> struct Money {
  Rep amount{};
  std::string currency;
};

using Cents = Money<std::int64_t>;

struct DailyReport {
  Cents gross;                     // correct
  Money<double> fees; // expect: errorshield-float-money
  double fx_rate = 1.0;            // exchange rate, a ratio between currencies
  double growth_percent = 0.0;
  std::vector<double> hourly_volumes;    // number of shares traded per hour
  std::vector<double> hourly_prices; // expect: errorshield-float-money
};

void session(tcp::socket sock, OrderBook &book, LatencyStats &stats) {
  beast::flat_buffer buf;
  beast::error_code ec;
  for (;;) {
    http::request<http::string_body> req;
    http::read(sock, buf, req, ec);
    if (ec == http::error::end_of_stream)
      break;
    if (ec)
      return;
    auto res = handle(req, book, stats);
    http::write(sock, res, ec);
    if (ec)
      return;
  }
  sock.shutdown(tcp::socket::shutdown_send, ec);
}

int main() {
  net::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 8080});
  OrderBook book;
  LatencyStats stats;
  UpstreamPool pool;
  (void)pool;
  for (;;) {
    tcp::socket s(ioc);
    acc.accept(s);
    session(std::move(s), book, stats);
  }
}
