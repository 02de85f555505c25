// Money that flows into plainly named floating-point variables, and ratios that are not money.
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-float-money' -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'

#include "money.h"

using Cents = std::int64_t;

struct Tier {
  float price;
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'price' carries money in binary floating-point type 'float' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:9: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  float discount_pct;
};

constexpr double kServiceFee = 1.25;
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: 'kServiceFee' carries money in binary floating-point type 'const double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:18: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string

Cents sell(const Tier &tier, int qty) {
  // A local computed from floating-point money is money, whatever its name; so is one computed
  // from that local in turn.
  const double unit = tier.price * (1.0f - tier.discount_pct / 100.0f);
// CHECK-MESSAGES: :[[@LINE-1]]:16: warning: 'unit' holds money computed in binary floating point from 'price' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:16: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  double due = unit * qty + kServiceFee;
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'due' holds money computed in binary floating point from 'unit' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:10: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  // Not money: a percentage, a comparison, a name that says it is a ratio.
  const double off = tier.discount_pct / 100.0;
  const bool cheap = tier.price < 5.0f;
  const double price_weight = tier.price * 0.5;
  return cheap && off > 0 ? 0 : static_cast<Cents>(due * 100.0);
}

double late_fee(int days);
// CHECK-MESSAGES: :[[@LINE-1]]:8: warning: 'late_fee' returns money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:8: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string

struct Line {
  double cost;
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'cost' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:10: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  int units;
};

class Escrow {
public:
  void hold(double amount_usd) {
// CHECK-MESSAGES: :[[@LINE-1]]:20: warning: 'amount_usd' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:20: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
    available_ -= amount_usd; // reported once, at the member
    if (available_ < 0)
      available_ += amount_usd;
    ratio_ = amount_usd / kServiceFee; // money per money: a ratio
  }

  double settle(const Line *lines, int n, int days) {
    double sum = 0;
// CHECK-MESSAGES: :[[@LINE-1]]:12: warning: 'sum' holds money computed in binary floating point from 'cost' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:12: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
    int count = 0;
    for (int i = 0; i < n; ++i) {
      sum += lines[i].cost * lines[i].units;
      count += lines[i].units;
    }
    // A call's result is not followed: the function is reported for it.
    auto late = late_fee(days);
    // KNOWN MISS: money per unit is money, but a local is followed through its initializer only,
    // and `sum` became money by `+=`.
    double per_unit = count ? sum / count : 0.0;
    return sum + late + per_unit * 0;
  }

private:
  double available_ = 0;
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'available_' holds money computed in binary floating point from 'amount_usd' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:10: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  double ratio_ = 0;
};

struct Booking {
  Cents deposit_cents;
  Cents quote_cents;
};

// Money divided by money is a ratio: neither the plain name nor the money-named one is money.
bool oversized(const Booking &b) {
  const double share = static_cast<double>(b.deposit_cents) / static_cast<double>(b.quote_cents);
  const double deposit_share = b.deposit_cents / static_cast<double>(b.quote_cents);
  double deposit_fraction = 0.3; // a NonMoneyWord
  return share > deposit_fraction || deposit_share > 0.9;
}

// Converting between money units is a scale, not an amount.
constexpr double kCentsPerDollar = 100.0;
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: 'kCentsPerDollar' carries money in binary floating-point type 'const double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:18: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
double in_dollars(Cents c) { return c / kCentsPerDollar; }
// CHECK-MESSAGES: :[[@LINE-1]]:8: warning: 'in_dollars' returns money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:8: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
double cents_to_dollars_ratio(Cents balance_cents) {
  const double dollars_value = balance_cents / kCentsPerDollar; // money-named: reported as a declaration
// CHECK-MESSAGES: :[[@LINE-1]]:16: warning: 'dollars_value' carries money in binary floating-point type 'const double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:16: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  const double converted = balance_cents / kCentsPerDollar; // an amount: cents over a scale
// CHECK-MESSAGES: :[[@LINE-1]]:16: warning: 'converted' holds money computed in binary floating point from integer 'balance_cents' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:16: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  return dollars_value + converted;
}

// An element of a data member is the state the money is kept in; a local map gathers values that
// were reported where they came from.
class Receivables {
public:
  void credit_note(int client, double credit) {
// CHECK-MESSAGES: :[[@LINE-1]]:39: warning: 'credit' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:39: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
    open_by_client_[client] -= credit;
    std::map<int, double> seen;
    seen[client] += credit;
    hours_by_client_[client] += 1.5;
  }

private:
  std::map<int, double> open_by_client_;
// CHECK-MESSAGES: :[[@LINE-1]]:25: warning: 'open_by_client_' holds money computed in binary floating point from 'credit' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:25: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  std::map<int, double> hours_by_client_;
};

// A plainly named value scaled by 100 to meet integer money holds major units; one scaled by 100
// into a percentage does not.
class Pledges {
public:
  std::int64_t settle(std::int64_t fare_cents, int minutes, double progress) {
    double late = minutes > 60 ? 25.0 : 0.0;
// CHECK-MESSAGES: :[[@LINE-1]]:12: warning: 'late' holds money in major units in binary floating point: it is scaled by 100 to meet integer money 'fare_cents' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE+2]]:37: note: scaled here
// CHECK-MESSAGES: :[[@LINE-3]]:12: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
    fare_cents += std::llround(late * 100);
    const int shown_pct = static_cast<int>(progress * 100);
    return fare_cents + shown_pct;
  }
  double funded_ratio() const { return static_cast<double>(raised_cents_) / (goal_ * 100.0); }

private:
  std::int64_t raised_cents_ = 0;
  double goal_ = 0;
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'goal_' holds money in major units in binary floating point: it is scaled by 100 to meet integer money 'raised_cents_' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-6]]:84: note: scaled here
// CHECK-MESSAGES: :[[@LINE-3]]:10: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
};

// A plainly named function whose result is computed from money returns money; a function that
// returns a variable (reported where declared), a ratio, and a lambda's result are not reported.
struct Tutor {
  double hourly_rate;
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'hourly_rate' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:10: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
};
double quote_session(const Tutor &t, int minutes) { return t.hourly_rate * minutes / 60.0; }
// CHECK-MESSAGES: :[[@LINE-1]]:8: warning: 'quote_session' returns money computed in binary floating point from 'hourly_rate' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:8: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
double week_plan(const Tutor &t, int sessions) {
  double planned = t.hourly_rate * sessions;
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'planned' holds money computed in binary floating point from 'hourly_rate' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:10: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  return planned;
}
double rate_against(const Tutor &a, const Tutor &b) { return a.hourly_rate / b.hourly_rate; }
double peak_of(const Tutor &t) {
  auto doubled = [&t] { return t.hourly_rate * 2; };
  return doubled() > 0 ? 1.0 : 0.0;
}

// Earnings, income and cashback are money words.
double monthly_earnings;
// CHECK-MESSAGES: :[[@LINE-1]]:8: warning: 'monthly_earnings' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:8: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
float net_income;
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'net_income' carries money in binary floating-point type 'float' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:7: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
double learning_rate;
template <class Points> struct LoyaltyAccount {
  Points points{};
  double cashback_eur = 0.0;
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'cashback_eur' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:10: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
};
LoyaltyAccount<int> loyalty_account;
