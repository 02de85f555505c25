// checks: errorshield-float-money
// Ledger service: decimal arithmetic, Money value type, accounts, billing.
#include <boost/multiprecision/cpp_dec_float.hpp>
#include <cmath>
#include <cstdlib>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mp = boost::multiprecision;
using Dec = mp::cpp_dec_float_50;
using Dec100 = mp::number<mp::cpp_dec_float<100>>;

class Money {
 public:
  static Money fromCents(std::int64_t c) {
    Money m;
    m.cents_ = c;
    return m;
  }
  static Money from_double(double d) {
    Money m;
    m.cents_ = static_cast<std::int64_t>(d * 100);
    return m;
  }
  explicit Money(double d) : cents_(static_cast<std::int64_t>(d * 100)) {}
  Money() = default;
  std::int64_t cents() const { return cents_; }

 private:
  std::int64_t cents_ = 0;
};

struct CurrencyAmount {
  CurrencyAmount(std::string code, float v) : code(std::move(code)), micros(static_cast<std::int64_t>(v * 1e6f)) {}
  CurrencyAmount(std::string code, std::int64_t m) : code(std::move(code)), micros(m) {}
  std::string code;
  std::int64_t micros;
};

class FixedDecimal {
 public:
  FixedDecimal(double v, int scale) : v_(v), scale_(scale) {}
  explicit FixedDecimal(std::string_view text) : v_(0), scale_(static_cast<int>(text.size())) {}

 private:
  double v_;
  int scale_;
};

class Account {
 public:
  explicit Account(std::string id);
  void deposit(Money m);
  void credit(std::int64_t cents);
  Money balance() const;
  void applyInterest(double ratePercent);

 private:
  std::string id_;
  mutable std::mutex mu_;
  std::int64_t balance_cents_ = 0;
  double last_fx_rate_ = 1.0;
  std::vector<double> fee_history_;  // expect: errorshield-float-money
};

Account::Account(std::string id) : id_(std::move(id)) {}

void Account::deposit(Money m) {
  std::lock_guard g(mu_);
  balance_cents_ += m.cents();
}

void Account::credit(std::int64_t cents) { deposit(Money::fromCents(cents)); }

Money Account::balance() const {
  std::lock_guard g(mu_);
  return Money::fromCents(balance_cents_);
}

void Account::applyInterest(double ratePercent) {
  std::lock_guard g(mu_);
  double accrued_value = balance_cents_ * ratePercent / 100.0;  // expect: errorshield-float-money
  fee_history_.push_back(0.0);
  balance_cents_ += static_cast<std::int64_t>(std::llround(accrued_value));
  last_fx_rate_ = 1.0;
}

Dec parseAmount(std::string_view s) { return Dec(std::string(s)); }

Dec lineTotal(const Dec& unit, std::int64_t qty) { return unit * qty; }

Dec vatOn(double net) { return Dec(net) * Dec("0.21"); }  // expect: errorshield-float-money

void seedLedger(std::map<std::string, Dec>& ledger) {
  ledger["opening"] = Dec(1250.75);  // expect: errorshield-float-money
  ledger["adjust"] = Dec("-3.10");
  ledger["bonus"] = Dec(500);
  Dec100 precise(0.1);  // expect: errorshield-float-money
  Dec100 exact("0.1");
  Dec carry = 2.5;  // expect: errorshield-float-money
  ledger["carry"] = carry + Dec(exact.str());
  ledger["precise"] = Dec(precise.str());
}

Money chargeFor(const std::string& plan) {
  if (plan == "pro") return Money(29.99);  // expect: errorshield-float-money
  if (plan == "team") return Money::from_double(99.0);  // expect: errorshield-float-money
  return Money::fromCents(0);
}

CurrencyAmount convertToYen(std::int64_t usd_micros, float fx) {
  CurrencyAmount out("JPY", 0.5f * fx);  // expect: errorshield-float-money
  CurrencyAmount src("USD", usd_micros);
  CurrencyAmount eur("EUR", std::int64_t{1'500'000});
  return src.micros > 0 ? out : eur;
}

FixedDecimal makeRounding() {
  FixedDecimal coarse(0.1, 2);  // expect: errorshield-float-money
  FixedDecimal fine{std::string_view("0.001")};
  return std::getenv("COARSE_ROUNDING") ? coarse : fine;
}

struct BillingCycle {
  int days = 30;
  double total = 0;  // expect: errorshield-float-money
  long double amount = 0;  // expect: errorshield-float-money
  double usage_ratio = 0;
};

struct UsageReport {
  double cpu_seconds = 0;
  double value_usd = 0;  // expect: errorshield-float-money
  std::int64_t requests = 0;
};

struct DiskUsage {
  double total = 0;
  double used = 0;
  double value = 0;
};

void recordSettlement(const std::string& merchant, double amount, std::int64_t fee_cents) {  // expect: errorshield-float-money
  (void)merchant;
  (void)amount;
  (void)fee_cents;
}

void recordLatency(const std::string& route, double value, std::int64_t count) {
  (void)route;
  (void)value;
  (void)count;
}

std::int64_t refundCents(std::int64_t paid_cents, std::int64_t refund_cents) { return paid_cents - refund_cents; }

double diskFillRatio(const DiskUsage& d) { return d.total > 0 ? d.used / d.total : 0; }
