// How names are read: the head of an `X_of_Y` name, and the words added for round-14 code.
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-float-money' -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'

#include "money.h"

// A battery bid: the price beside it makes its weak-named members money, but `state_of_charge`
// is a state (of charge), and `share_of_revenue` a share.
struct battery_bid {
  double state_of_charge;
  double share_of_revenue;
  double stateOfCharge;
  float reserve_price;
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'reserve_price' carries money in binary floating-point type 'float' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:9: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  double cost_of_goods;
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'cost_of_goods' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:10: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  double cost_of_capital_rate; // a rate: a NonMoneyWord counts after `of` too
  double charge;
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'charge' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:10: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
};

// `of` as the first word is not a head: `of_fee` is still a fee.
double of_fee;
// CHECK-MESSAGES: :[[@LINE-1]]:8: warning: 'of_fee' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:8: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string

// Tariffs are prices; what is owed is money.
double import_tariff(int hour);
// CHECK-MESSAGES: :[[@LINE-1]]:8: warning: 'import_tariff' returns money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:8: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
void settle(long trades) {
  const auto owed = trades * 0.5;
// CHECK-MESSAGES: :[[@LINE-1]]:14: warning: 'owed' carries money in binary floating-point type 'const double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:14: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  const double tariff_rate = 0.2; // a rate, not money
  (void)owed;
  (void)tariff_rate;
}

// A project template whose parameter is named as money carries money in what it is given,
// whatever the template and the variable are called; standard containers are looked through.
template <class Amount> struct RevenueCounter {
  Amount total_{};
};
template <typename Money> struct RunningLedger {
  Money balance{};
};
template <class Value> struct Smoothed {
  Value last{};
};
RevenueCounter<double> daily;
// CHECK-MESSAGES: :[[@LINE-1]]:24: warning: 'daily' carries money in binary floating-point type 'RevenueCounter<double>' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:24: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
std::vector<RunningLedger<float>> carriers;
// CHECK-MESSAGES: :[[@LINE-1]]:35: warning: 'carriers' carries money in binary floating-point type 'std::vector<RunningLedger<float>>' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:35: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
RevenueCounter<long long> daily_cents;
std::vector<RunningLedger<long>> carrier_cents;
Smoothed<double> load_average; // a generic parameter name says nothing
std::vector<RevenueCounter<double>> legacy_tills();
// CHECK-MESSAGES: :[[@LINE-1]]:37: warning: 'legacy_tills' returns money in binary floating-point type 'std::vector<RevenueCounter<double>>' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:37: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
std::vector<RevenueCounter<long long>> tills();
// A generic template whose member is named as money, instantiated with floating point: reported
// at the member; a money template's members are not (its uses are, above).
template <class Num> struct Refund {
  const char *plate;
  Num refund_amount;
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'refund_amount' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:7: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
};
Refund<double> refund_for_dryer_fault() { return {"AB-123", 12.5}; }
Refund<long long> refund_in_cents() { return {"AB-123", 1250}; }
template <class Amount> struct Till {
  Amount takings_total{};
};
Till<double> front_till;
// CHECK-MESSAGES: :[[@LINE-1]]:14: warning: 'front_till' carries money in binary floating-point type 'Till<double>' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:14: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
float takings_for_bay(int bay);
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'takings_for_bay' returns money in binary floating-point type 'float' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:7: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
double turnover_eur;
// CHECK-MESSAGES: :[[@LINE-1]]:8: warning: 'turnover_eur' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:8: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string

// A weak key read beside keys that are money is the same amount in another unit; stored into a
// member named as money it is reported at the member (only there).
struct Adjustment {
  long long gross_cents;
  double net_pay;
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'net_pay' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:10: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
};
void post_adjustment(const nlohmann::json &body, Adjustment &a) {
  long long cents = body.at("amount_cents").get<long long>();
  double legacy = body.at("amount").get<double>();
// CHECK-MESSAGES: :[[@LINE-1]]:37: warning: JSON money field 'amount' is read as binary floating point [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:37: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  a.net_pay = body.value("net", 0.0);
  (void)cents;
  (void)legacy;
}
void read_gauge(const nlohmann::json &body) {
  double total = body.at("total").get<double>(); // nothing beside it is money
  int samples = body.value("samples", 0);
  (void)total;
  (void)samples;
}

// A rate after a period word (PeriodWords) is a price per period; any other rate is a ratio.
struct contractor {
  double hourly_rate;
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'hourly_rate' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:10: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  double nightlyRates;
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'nightlyRates' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:10: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  double error_rate;
  double hourly_sample_count;
  double rate_hourly; // the period after the rate: not read as a price
};
