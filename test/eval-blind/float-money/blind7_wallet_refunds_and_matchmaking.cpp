// checks: errorshield-float-money
// Wallet service (credits, refunds, receipt validation) living next to the
// matchmaking scorer in the same lobby node.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio.hpp>
#include <nlohmann/json.hpp>

namespace asio = boost::asio;
using json = nlohmann::json;

#define WLOG(fmt, ...) std::fprintf(stderr, "[wallet] " fmt "\n", ##__VA_ARGS__)

namespace wallet {

struct WalletConfig {
  std::int64_t max_balance_cents = 500'000;
  int refund_window_days = 14;
  int vat_bps = 2000;                    // 20.00 % in basis points
  double fraud_score_threshold = 0.85;   // model output in [0, 1]
};

struct CartLine {
  std::string sku;
  std::int64_t unit_cents = 0;
  int qty = 1;
};

struct Purchase {
  std::string txn_id;
  std::string sku;
  std::int64_t price_cents = 0;
  int age_days = 0;
};

struct RefundRequest {
  std::string txn_id;
  std::string reason;
  double amount = 0.0; // expect: errorshield-float-money
};

inline void from_json(const json& j, RefundRequest& r) {
  j.at("txn_id").get_to(r.txn_id);
  j.at("reason").get_to(r.reason);
  j.at("amount").get_to(r.amount);
}

inline std::string format_cents(std::int64_t cents) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%02lld", static_cast<long long>(cents / 100),
                static_cast<long long>(std::llabs(cents % 100)));
  return buf;
}

// Fraction of the price returned, by age of the purchase. A ratio, not money.
inline double refund_ratio(int age_days, int window_days) {
  if (age_days <= 2) return 1.0;
  if (age_days >= window_days) return 0.0;
  return 1.0 - static_cast<double>(age_days) / window_days;
}

static double discounted_price(std::int64_t price_cents, int pct_off) { return price_cents * (100 - pct_off) / 100.0; } // expect: errorshield-float-money

static std::int64_t discounted_price_cents(std::int64_t price_cents, int pct_off) {
  return price_cents * (100 - pct_off) / 100;
}

class Wallet {
 public:
  Wallet(std::string player, WalletConfig cfg) : player_(std::move(player)), cfg_(cfg) {}

  bool credit(std::int64_t cents) {
    std::lock_guard lk(mtx_);
    if (balance_cents_ + cents > cfg_.max_balance_cents) return false;
    balance_cents_ += cents;
    return true;
  }

  bool debit(std::int64_t cents) {
    std::lock_guard lk(mtx_);
    if (cents > balance_cents_) return false;
    balance_cents_ -= cents;
    return true;
  }

  std::int64_t balance_cents() const {
    std::lock_guard lk(mtx_);
    return balance_cents_;
  }

  // Fill level used by the UI progress bar; a ratio of two integer amounts.
  double fill_ratio() const {
    std::lock_guard lk(mtx_);
    return static_cast<double>(balance_cents_) / static_cast<double>(cfg_.max_balance_cents);
  }

  const std::string& player() const { return player_; }

 private:
  std::string player_;
  WalletConfig cfg_;
  mutable std::mutex mtx_;
  std::int64_t balance_cents_ = 0;
};

class RefundService {
 public:
  explicit RefundService(WalletConfig cfg) : cfg_(cfg) {}

  void refund_prorated(Wallet& w, const Purchase& p) {
    const double ratio = refund_ratio(p.age_days, cfg_.refund_window_days);
    if (ratio <= 0.0) return;
    w.credit(static_cast<std::int64_t>(p.price_cents * ratio)); // expect: errorshield-float-money
  }

  void refund_prorated_exact(Wallet& w, const Purchase& p) {
    const int days_left = std::max(0, cfg_.refund_window_days - p.age_days);
    const std::int64_t due = p.price_cents * days_left / cfg_.refund_window_days;
    if (due > 0) w.credit(due);
  }

  void handle_refund_message(Wallet& w, const json& msg) {
    auto req = msg.get<RefundRequest>();
    WLOG("refund %s requested by %s (%s)", req.txn_id.c_str(), w.player().c_str(), req.reason.c_str());
    auto it = purchases_.find(req.txn_id);
    if (it != purchases_.end()) w.credit(it->second.price_cents);
  }

  bool validate_receipt(const json& receipt, std::int64_t expected_cents) const {
    if (std::llround(receipt.at("amount").get<double>() * 100) != expected_cents) return false; // expect: errorshield-float-money
    return receipt.value("status", "") == "paid";
  }

  bool validate_receipt_cents(const json& receipt, std::int64_t expected_cents) const {
    const auto amount_cents = receipt.at("amount_cents").get<std::int64_t>();
    const double fraud = receipt.value("fraud_score", 0.0);
    return amount_cents == expected_cents && fraud < cfg_.fraud_score_threshold;
  }

  json quote_cart(const std::vector<CartLine>& lines, int promo_pct) const {
    const double cart_total = std::accumulate(lines.begin(), lines.end(), 0.0, [](double acc, const CartLine& l) { return acc + l.unit_cents * l.qty / 100.0; }); // expect: errorshield-float-money
    std::int64_t subtotal_cents = 0;
    for (const auto& l : lines) subtotal_cents += l.unit_cents * l.qty;
    const std::int64_t promo_cents = discounted_price_cents(subtotal_cents, promo_pct);
    const std::int64_t vat_cents = promo_cents * cfg_.vat_bps / 10'000;
    return json{{"legacy_total", cart_total},
                {"subtotal", format_cents(subtotal_cents)},
                {"vat_cents", vat_cents},
                {"total_cents", promo_cents + vat_cents}};
  }

  json legacy_banner_price(const CartLine& featured, int pct_off) const {
    return json{{"sku", featured.sku}, {"display", discounted_price(featured.unit_cents, pct_off)}};
  }

  void remember(Purchase p) { purchases_.emplace(p.txn_id, std::move(p)); }

 private:
  WalletConfig cfg_;
  std::unordered_map<std::string, Purchase> purchases_;
};

}  // namespace wallet

namespace matchmaking {

struct PlayerStats {
  std::string id;
  int rating = 1500;
  double win_rate = 0.5;
  double avg_ping_ms = 40.0;
};

// Skill balance between two teams: 0 means perfectly balanced.
inline double team_balance(const std::vector<PlayerStats>& a, const std::vector<PlayerStats>& b) {
  auto avg = [](const std::vector<PlayerStats>& t) {
    double s = 0.0;
    for (const auto& p : t) s += p.rating;
    return t.empty() ? 0.0 : s / static_cast<double>(t.size());
  };
  return std::fabs(avg(a) - avg(b));
}

// Cost function minimised by the matcher (lower is better).
inline double match_cost(const std::vector<PlayerStats>& a, const std::vector<PlayerStats>& b,
                         std::chrono::duration<double> waited) {
  double ping_penalty = 0.0;
  for (const auto& p : a) ping_penalty += p.avg_ping_ms * 0.01;
  for (const auto& p : b) ping_penalty += p.avg_ping_ms * 0.01;
  const double wait_discount = std::min(1.0, waited.count() / 60.0);
  return team_balance(a, b) * (1.0 - 0.5 * wait_discount) + ping_penalty;
}

}  // namespace matchmaking

int main() {
  wallet::WalletConfig cfg;
  wallet::Wallet w("p-77", cfg);
  wallet::RefundService svc(cfg);
  w.credit(1'999);
  svc.remember({"t-1", "skin.gold", 999, 3});
  svc.refund_prorated_exact(w, {"t-1", "skin.gold", 999, 3});
  std::vector<matchmaking::PlayerStats> a{{"a", 1510}}, b{{"b", 1490}};
  const double cost = matchmaking::match_cost(a, b, std::chrono::seconds(20));
  WLOG("balance=%s cost=%.3f fill=%.2f", wallet::format_cents(w.balance_cents()).c_str(), cost, w.fill_ratio());
  return 0;
}
