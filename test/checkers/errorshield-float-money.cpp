// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-float-money' -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'

#include "money.h"

using nlohmann::json;
namespace mp = boost::multiprecision;

// ---- 1. Declarations named like money ----

struct Order {
  double price;
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'price' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:10: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  std::int64_t quantity;
  double total;
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'total' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:10: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  std::optional<double> fee;
// CHECK-MESSAGES: :[[@LINE-1]]:25: warning: 'fee' carries money in binary floating-point type 'std::optional<double>' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:25: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  float value;
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'value' carries money in binary floating-point type 'float' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:9: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
};

struct Sensor {
  double value;
  double total;
  double temperature;
};

// An FX quote's bid and ask are exchange rates: not money words by default.
struct Quote {
  double bid;
  double ask;
  double spread_ratio;
};

// `px` is trading's word for a price: money in a money context (here, a money sibling).
struct Execution {
  long long fee_cents;
  double last_px;
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'last_px' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:10: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
};
struct Sprite {
  double width_px;
};

struct Reading {
  double sum;
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'sum' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:10: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  double priceCents;
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'priceCents' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:10: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
};

double computeTax(double amount, int items);
// CHECK-MESSAGES: :[[@LINE-1]]:8: warning: 'computeTax' returns money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:8: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
// CHECK-MESSAGES: :[[@LINE-3]]:26: warning: 'amount' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-4]]:26: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
double average(double sum, int n) { return sum / n; }
double totalPriceUSD(const std::vector<double> &prices);
// CHECK-MESSAGES: :[[@LINE-1]]:8: warning: 'totalPriceUSD' returns money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:8: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
// CHECK-MESSAGES: :[[@LINE-3]]:49: warning: 'prices' carries money in binary floating-point type 'const std::vector<double> &' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-4]]:49: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
double convertToUsd(double eur_usd);
double amountInUsd();
// CHECK-MESSAGES: :[[@LINE-1]]:8: warning: 'amountInUsd' returns money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:8: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
long double grossSalary;
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'grossSalary' carries money in binary floating-point type 'long double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:13: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
std::map<std::string, double> balances;
// CHECK-MESSAGES: :[[@LINE-1]]:31: warning: 'balances' carries money in binary floating-point type 'std::map<std::string, double>' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:31: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
std::array<double, 4> feeTiers;
// CHECK-MESSAGES: :[[@LINE-1]]:23: warning: 'feeTiers' carries money in binary floating-point type 'std::array<double, 4>' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:23: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
double fee_rate = 0.01;
double discountPercent = 5;
std::chrono::duration<double> paymentTimeout(3.0);
std::int64_t price_cents = 1999;
double latency_ms = 1.5;
// A physical quantity or a level beside a money word is not money.
double fuel_amount_gallons = 0.0;
double charge_level = 1.0;
// Boost's templates hold what their arguments say, as std's do.
namespace boost::asio { template <class T> class awaitable; }
boost::asio::awaitable<double> fetch_wallet_balance(int account);
// CHECK-MESSAGES: :[[@LINE-1]]:32: warning: 'fetch_wallet_balance' returns money in binary floating-point type 'boost::asio::awaitable<double>' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:32: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string

void ledger(double amountEUR, double amount) {
// CHECK-MESSAGES: :[[@LINE-1]]:20: warning: 'amountEUR' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:20: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
// CHECK-MESSAGES: :[[@LINE-3]]:38: warning: 'amount' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-4]]:38: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  double subtotal = amountEUR; // a weak name, but money flows into it
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'subtotal' holds money computed in binary floating point from 'amountEUR' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:10: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  auto apply = [](double refund) { return refund; };
// CHECK-MESSAGES: :[[@LINE-1]]:26: warning: 'refund' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:26: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  for (double price : std::vector<double>{}) (void)price;
// CHECK-MESSAGES: :[[@LINE-1]]:15: warning: 'price' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:15: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  struct Tip { int driver; double tip; };
// CHECK-MESSAGES: :[[@LINE-1]]:35: warning: 'tip' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:35: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  auto [driver, tip] = Tip{1, 2.5};
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'tip' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:17: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  (void)driver; (void)tip;
  (void)subtotal; (void)apply; (void)amount;
}

// ---- 2. Decimal and money types built from a double ----

class Money {
public:
  explicit Money(double units);
  explicit Money(const char *text);
  Money(std::int64_t minor, const char *currency);
  static Money fromDouble(double units);
  static Money parse(const char *text);
};

void decimals(double units) {
  mp::cpp_dec_float_50 a(19.99);
// CHECK-MESSAGES: :[[@LINE-1]]:26: warning: decimal type 'mp::cpp_dec_float_50' (aka 'number<cpp_dec_float<50>>') is constructed from a binary floating-point 'double'; the double's rounding error is kept [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:26: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  mp::cpp_dec_float_50 b("19.99");
  mp::cpp_dec_float_50 c(1999LL);
  mp::cpp_dec_float_50 d;
  d = 0.1;
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: decimal type 'mp::cpp_dec_float_50' (aka 'number<cpp_dec_float<50>>') is constructed from a binary floating-point 'double'; the double's rounding error is kept [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:7: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  Money e(units);
// CHECK-MESSAGES: :[[@LINE-1]]:11: warning: decimal type 'Money' is constructed from a binary floating-point 'double'; the double's rounding error is kept [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:11: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  Money f("19.99");
  Money g(1999, "USD");
  Money h = Money::fromDouble(units * 100);
// CHECK-MESSAGES: :[[@LINE-1]]:31: warning: decimal type 'Money' is constructed from a binary floating-point 'double'; the double's rounding error is kept [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:31: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  Money i = Money::parse("19.99");
  Money j(5);
  (void)a; (void)b; (void)c; (void)e; (void)f; (void)g; (void)h; (void)i; (void)j;
}

// ---- 3. JSON money fields read as floating point ----

void read_prices(const json &j, Order &o) {
  o.price = j["price"].get<double>();
// CHECK-MESSAGES: :[[@LINE-1]]:24: warning: JSON money field 'price' is read as binary floating point [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:24: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  auto p = j.at("fee").get<float>();
// CHECK-MESSAGES: :[[@LINE-1]]:24: warning: JSON money field 'fee' is read as binary floating point [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:24: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  double fee_copy;
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'fee_copy' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:10: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  j["tax"].get_to(fee_copy);
// CHECK-MESSAGES: :[[@LINE-1]]:12: warning: JSON money field 'tax' is read as binary floating point [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:12: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  auto v = j.value("discount", 0.0);
// CHECK-MESSAGES: :[[@LINE-1]]:14: warning: JSON money field 'discount' is read as binary floating point [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:14: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  double conv = j["price"];
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: JSON money field 'price' is read as binary floating point [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:17: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  auto cast = static_cast<double>(j["refund"]);
// CHECK-MESSAGES: :[[@LINE-1]]:35: warning: JSON money field 'refund' is read as binary floating point [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:35: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  auto text = j["price"].get<std::string>();
  auto qty = j["quantity"].get<std::int64_t>();
  auto lat = j["latency"].get<double>();
  auto amt = j["amount"].get<double>();
// CHECK-MESSAGES: :[[@LINE-1]]:26: warning: JSON money field 'amount' is read as binary floating point [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:26: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  (void)p; (void)v; (void)conv; (void)cast; (void)text; (void)qty; (void)lat; (void)amt;
}

void read_payment_amount(const json &j) {
  auto amt = j["amount"].get<double>();
// CHECK-MESSAGES: :[[@LINE-1]]:26: warning: JSON money field 'amount' is read as binary floating point [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:26: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  double price = j["price"].get<double>();
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'price' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:10: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  (void)amt; (void)price;
}
// Returned from a function that is itself reported for returning money: one finding, there.
double wallet_balance(const json &j) { return j.value("balance", 0.0); }
// CHECK-MESSAGES: :[[@LINE-1]]:8: warning: 'wallet_balance' returns money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:8: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
double scaled(const json &j) { return j.value("balance", 0.0); }
// CHECK-MESSAGES: :[[@LINE-1]]:41: warning: JSON money field 'balance' is read as binary floating point [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:41: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string

// A class is a decimal type by its head word: MoneyFormatter formats, CurrencyPair quotes a rate.
class MoneyFormatter {
public:
  explicit MoneyFormatter(double width);
};
class CurrencyPair {
public:
  explicit CurrencyPair(double rate);
};
MoneyFormatter formatter(12.5);
CurrencyPair eurusd(1.08);
double timeBudget = 2.0;

// A money class template of the project instantiated over binary floating point: the type says
// money, whatever the name. Over an integer, or a template that is not a money class, it is fine.
template <class Rep> struct CurrencyAmount {
  Rep minor_units;
};
template <class T> struct Sample {
  T value;
};
struct DailyTotals {
  CurrencyAmount<long long> gross;
  CurrencyAmount<double> fees;
// CHECK-MESSAGES: :[[@LINE-1]]:26: warning: 'fees' carries money in binary floating-point type 'CurrencyAmount<double>' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:26: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  CurrencyAmount<float> adjustments;
// CHECK-MESSAGES: :[[@LINE-1]]:25: warning: 'adjustments' carries money in binary floating-point type 'CurrencyAmount<float>' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:25: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  Sample<double> latency;
  double coupon = 0;
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'coupon' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:10: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
};

// ---- 4. Integer money computed with in binary floating point ----

struct GiftCard {
  std::int64_t balance_cents;
};
struct PriceTag {
  std::int64_t value;
};
struct CatalogItem {
  PriceTag price;
  int units;
};
constexpr std::int64_t kCentsPerDollar = 100;

bool coversCart(const GiftCard &card, std::int64_t cart_cents) {
  const double remaining = card.balance_cents / 100.0 - cart_cents / 100.0;
// CHECK-MESSAGES: :[[@LINE-1]]:16: warning: 'remaining' holds money computed in binary floating point from integer 'balance_cents' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:16: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  return remaining >= 0;
}

struct Campaign {
  std::int64_t goal_minor;
  std::int64_t raised_minor;
  std::int64_t minor_version; // a version number, not money: never converted below
};
bool nearlyFunded(const Campaign &c) {
  const double left = static_cast<double>(c.goal_minor - c.raised_minor) / 100.0;
// CHECK-MESSAGES: :[[@LINE-1]]:16: warning: 'left' holds money computed in binary floating point from integer 'goal_minor' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:16: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
// NOMINOR: warning: 'remaining' holds money computed in binary floating point from integer 'balance_cents'
// NOMINOR-NOT: warning: 'left' holds money
  const double funded_pct = 100.0 * c.raised_minor / c.goal_minor; // a NonMoneyWords name
  double minor = 0.5; // a floating-point name: minor-unit words do not make it money
  return left < 10.0 && funded_pct > minor;
}

// A data member assigned integer money made floating: one finding, at its declaration.
class EscrowView {
public:
  void hold(std::int64_t held_cents) { on_hold_ = held_cents / 100.0; }
  void release(std::int64_t held_cents) { on_hold_ = on_hold_ - held_cents / 100.0; }
  void wait(double seconds) { waited_ = seconds; }

private:
  double on_hold_ = 0;
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'on_hold_' holds money computed in binary floating point from integer 'held_cents' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:10: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  double waited_ = 0;
};

std::int64_t prorate(std::int64_t price_cents, double ratio) {
  return static_cast<std::int64_t>(price_cents * ratio);
// CHECK-MESSAGES: :[[@LINE-1]]:48: warning: integer money 'price_cents' is scaled in binary floating point and truncated back to an integer [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:48: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
}

json purchaseEvent(const CatalogItem &item) {
  json j;
  j["revenue"] = item.price.value / 100.0;
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: JSON money field 'revenue' is written as binary floating point from integer 'price' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:18: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  return j;
}

// Not reported: a ratio of two amounts, a scale constant, a count, integer arithmetic, a rounding
// function deciding the result, display-only conversions and non-money JSON keys.
double spendRatio(std::int64_t spent_cents, std::int64_t budget_cents) {
  const double spent_ratio = static_cast<double>(spent_cents) / budget_cents;
  return spent_ratio;
}
double perUnitWeight(const CatalogItem &item) {
  const double share = item.units / 3.0;
  const double unit_scale = 1.0 / kCentsPerDollar;
  return share * unit_scale;
}
std::int64_t discounted(std::int64_t price_cents) { return price_cents * 85 / 100; }
std::int64_t roundedRefund(std::int64_t price_cents, double ratio) {
  return std::llround(price_cents * ratio);
}
void showBalance(const GiftCard &card) { std::printf("%.2f", card.balance_cents / 100.0); }
json itemStats(const CatalogItem &item) {
  json j;
  j["weight"] = item.price.value / 100.0;
  return j;
}

// A weak money word in a function's name, with a parameter that names money: the function's
// parameters are its context.
double convertedAmount(std::int64_t price_cents, double fx_rate);
// CHECK-MESSAGES: :[[@LINE-1]]:8: warning: 'convertedAmount' returns money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:8: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
double averageValue(double samples, int n); // no money around 'value'

// A function named for a money record gives its parameters money context.
void ledger_post_legacy(const char *lot, double amount);
// CHECK-MESSAGES: :[[@LINE-1]]:49: warning: 'amount' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:49: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
void sensor_post(const char *probe, double amount); // no money around 'amount'

// A weak JSON key read as a double and stored as money.
struct Bid {
  std::int64_t amount_cents = 0;
  std::int64_t paddle = 0;
};
void parseBid(const json &msg, Bid &b) {
  b.amount_cents = std::llround(msg.at("amount").get<double>() * 100.0);
// CHECK-MESSAGES: :[[@LINE-1]]:50: warning: JSON money field 'amount' is read as binary floating point [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:50: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  b.paddle = std::llround(msg.at("amount").get<double>()); // not stored as money
}

// A const local holding an amount is money too.
std::int64_t nextBid(const Bid *best, std::int64_t reserve_cents) {
  const std::int64_t high = best ? best->amount_cents : reserve_cents;
  const std::int64_t lots = best ? best->paddle : 0;
  return high + static_cast<std::int64_t>(high * 0.05) + static_cast<std::int64_t>(lots * 0.5);
// CHECK-MESSAGES: :[[@LINE-1]]:48: warning: integer money 'high' is scaled in binary floating point and truncated back to an integer [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:48: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
}

// Betting: a stake, a wager and a liability are money; odds and probabilities are not.
struct BetSlip {
  double stake;
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'stake' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:10: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  float max_wager;
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'max_wager' carries money in binary floating-point type 'float' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:9: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  double decimal_odds;
  double total_odds;
};
double book_overround(const double *implied, int n) {
  double prob_sum = 0.0;
  for (int i = 0; i < n; ++i)
    prob_sum += implied[i];
  return prob_sum - 1.0;
}
double open_liability;
// CHECK-MESSAGES: :[[@LINE-1]]:8: warning: 'open_liability' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:8: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string

// A currency member or parameter says what a weak-named neighbour is.
struct pay_stub {
  std::int64_t gross_cents;
  float bonus;
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'bonus' carries money in binary floating-point type 'float' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:9: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
  double bonus_multiplier;
  const char *currency;
};
struct level_reward {
  float bonus; // no money context: a game's bonus
  int level;
};
void render_amount(double amount, const char *currency);
// CHECK-MESSAGES: :[[@LINE-1]]:27: warning: 'amount' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:27: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string
void render_bar(double amount, int width);
double avg_cpm;
// CHECK-MESSAGES: :[[@LINE-1]]:8: warning: 'avg_cpm' carries money in binary floating-point type 'double' [ES-NUMERIC-001] [errorshield-float-money]
// CHECK-MESSAGES: :[[@LINE-2]]:8: note: hold money as integer minor units (e.g. std::int64_t cents) or as a decimal parsed from a string

// With no MinorUnitWords, `raised_minor` is an integer like any other (prefix NOMINOR).
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-float-money' \
// RUN:   -config="{CheckOptions: {errorshield-float-money.MinorUnitWords: ''}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks | FileCheck %s --check-prefix=NOMINOR
