// checks: errorshield-float-money
// Trading gateway: fee + P&L calculation for fills.
#include <nlohmann/json.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

using json = nlohmann::json;

namespace fees {

// Old struct from v1 of the gateway; still used by the reporting job.
struct LegacyFill {
  std::string symbol;
  double price;        // expect: errorshield-float-money
  double qty;          // fractional crypto quantity, not money
  double commission;   // expect: errorshield-float-money
  double latency_ms;   // wire-to-ack latency
};

// New struct: everything monetary is in integer micro-dollars.
struct Fill {
  std::string symbol;
  std::int64_t price_micros = 0;
  std::int64_t qty_lots = 0;
  std::int64_t commission_micros = 0;
  double fill_ratio = 0.0; // filled / requested, a ratio
};

struct FeeSchedule {
  // rates, not amounts
  double maker_rate = 0.0002;
  double taker_rate = 0.0005;
  std::int64_t min_fee_micros = 10'000; // $0.01
};

constexpr std::int64_t kMicrosPerDollar = 1'000'000;

// BUG: notional and fee computed in double.
double taker_fee(double notional, const FeeSchedule &s) { // expect: errorshield-float-money
  double fee = notional * s.taker_rate; // expect: errorshield-float-money
  return fee < 0.01 ? 0.01 : fee;
}

// OK: integer math with explicit rounding of the rate product.
std::int64_t taker_fee_micros(std::int64_t notional_micros, const FeeSchedule &s) {
  // rate has at most 4 decimals -> scale to integer basis points * 100
  const std::int64_t rate_e6 = std::llround(s.taker_rate * 1'000'000);
  std::int64_t fee = (notional_micros * rate_e6 + 500'000) / 1'000'000;
  return fee < s.min_fee_micros ? s.min_fee_micros : fee;
}

// BUG: `auto` silently makes this a double.
std::int64_t maker_rebate_micros(std::int64_t notional_micros, const FeeSchedule &s) {
  auto rebate = notional_micros * s.maker_rate; // expect: errorshield-float-money
  return static_cast<std::int64_t>(rebate);
}

// BUG: running P&L in float.
class PnlTracker {
public:
  void on_fill(const LegacyFill &f, bool is_buy) {
    float signed_cash = static_cast<float>(f.price * f.qty); // expect: errorshield-float-money
    realized_pnl_ += is_buy ? -signed_cash : signed_cash;
    total_fees_ += f.commission;
  }
  float realized() const { return realized_pnl_; }

private:
  float realized_pnl_ = 0.0f; // expect: errorshield-float-money
  double total_fees_ = 0.0;   // expect: errorshield-float-money
};

// OK: same tracker in integers.
class PnlTrackerV2 {
public:
  void on_fill(const Fill &f, bool is_buy) {
    std::int64_t cash = f.price_micros * f.qty_lots;
    realized_micros_ += is_buy ? -cash : cash;
    fees_micros_ += f.commission_micros;
  }
  std::int64_t realized_micros() const { return realized_micros_; }

private:
  std::int64_t realized_micros_ = 0;
  std::int64_t fees_micros_ = 0;
};

// OK: statistics that happen to be doubles.
struct LatencyStats {
  double p50_ms = 0;
  double p99_ms = 0;
  double mean_fill_ratio = 0;
};

LatencyStats summarize(const std::vector<LegacyFill> &fills) {
  LatencyStats st;
  if (fills.empty()) return st;
  std::vector<double> lat;
  lat.reserve(fills.size());
  for (auto &f : fills) lat.push_back(f.latency_ms);
  std::sort(lat.begin(), lat.end());
  st.p50_ms = lat[lat.size() / 2];
  st.p99_ms = lat[lat.size() * 99 / 100];
  return st;
}

// BUG: VWAP computed from a vector of double prices.
std::vector<double> g_recent_prices; // expect: errorshield-float-money

double vwap(const std::vector<LegacyFill> &fills) {
  double notional = 0.0; // expect: errorshield-float-money
  double volume = 0.0;
  for (auto &f : fills) {
    notional += f.price * f.qty;
    volume += f.qty;
  }
  return volume > 0 ? notional / volume : 0.0;
}

// Report serialization for the back office.
json fill_to_json(const Fill &f) {
  return json{{"symbol", f.symbol},
              {"price_micros", f.price_micros},
              {"commission_micros", f.commission_micros},
              {"fill_ratio", f.fill_ratio}};
}

// BUG: reading the account balance out of JSON as a double.
std::int64_t parse_balance(const json &j) {
  double balance_usd = j.at("balance").get<double>(); // expect: errorshield-float-money
  return static_cast<std::int64_t>(balance_usd * kMicrosPerDollar);
}

// OK: balance delivered as a string decimal, parsed to integer micros.
std::int64_t parse_balance_v2(const json &j) {
  const std::string s = j.at("balance_str").get<std::string>();
  std::int64_t whole = 0, frac = 0;
  int frac_digits = 0;
  bool after_dot = false;
  for (char c : s) {
    if (c == '.') {
      after_dot = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    if (after_dot) {
      if (frac_digits == 6) break;
      frac = frac * 10 + (c - '0');
      ++frac_digits;
    } else {
      whole = whole * 10 + (c - '0');
    }
  }
  while (frac_digits++ < 6) frac *= 10;
  return whole * kMicrosPerDollar + frac;
}

// OK: timeouts / backoff in double seconds.
double backoff_seconds(int attempt) {
  double base = 0.25;
  return std::min(30.0, base * std::pow(2.0, attempt));
}

} // namespace fees
