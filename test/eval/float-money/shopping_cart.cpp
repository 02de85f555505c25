// checks: errorshield-float-money
// Checkout service of a web shop: cart lines, promo codes and VAT. The legacy
// path uses doubles; the new path uses cpp_dec_float_50 built from strings.
#include <boost/multiprecision/cpp_dec_float.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <numeric>
#include <string>
#include <vector>

using boost::multiprecision::cpp_dec_float_50;
using Dec = boost::multiprecision::number<boost::multiprecision::cpp_dec_float<30>>;

struct CartLine {
  std::string sku;
  int quantity = 1;
  double unit_price = 0.0; // expect: errorshield-float-money
  // weak word, but the record is a cart line
  double subtotal = 0.0; // expect: errorshield-float-money
  double weight_kg = 0.0; // shipping weight, not money: fine
};

// VAT rates by country; the name carries "tax"
static const std::map<std::string, double> kVatTaxRates = { // rates are ratios: fine (NonMoneyWords "rate")
    {"DE", 0.19}, {"FR", 0.20}, {"NL", 0.21}};

// Volume-tier thresholds in item counts: fine
static const std::array<double, 3> kTierThresholds = {10.0, 50.0, 100.0};
static const std::array<double, 3> kTierDiscounts = {0.02, 0.05, 0.08}; // expect: errorshield-float-money

class ShoppingCart {
 public:
  void add(std::string sku, int quantity, double unit_price) { // expect: errorshield-float-money
    CartLine line{std::move(sku), quantity, unit_price, unit_price * quantity, 0.0};
    lines_.push_back(line);
  }

  // weak word in a function name, record is a cart
  double total() const { // expect: errorshield-float-money
    double sum = 0.0; // expect: errorshield-float-money
    for (const CartLine& l : lines_) sum += l.subtotal;
    return sum;
  }

  double shippingWeightKg() const { // fine
    double kg = 0.0;
    for (const CartLine& l : lines_) kg += l.weight_kg * l.quantity;
    return kg;
  }

  std::size_t itemCount() const {
    return std::accumulate(lines_.begin(), lines_.end(), std::size_t{0},
                           [](std::size_t n, const CartLine& l) { return n + l.quantity; });
  }

 private:
  std::vector<CartLine> lines_;
};

double applyDiscount(double total, double percent) { // expect: errorshield-float-money
  return total * (1.0 - percent / 100.0);
}

// weak word plus currency code in the parameter name
double vatFor(const std::string& country, double net_eur) { // expect: errorshield-float-money
  auto it = kVatTaxRates.find(country);
  return it == kVatTaxRates.end() ? 0.0 : net_eur * it->second;
}

// loyalty points are earned per item, not money
double loyaltyMultiplier(std::size_t items) {
  double multiplier = 1.0; // "tip" inside "multiplier" is not a word: fine
  for (std::size_t i = 0; i < kTierThresholds.size(); ++i)
    if (static_cast<double>(items) >= kTierThresholds[i]) multiplier += 0.5;
  return multiplier;
}

// ---- decimal path -------------------------------------------------------

struct DecimalLine {
  std::string sku;
  int quantity = 1;
  cpp_dec_float_50 unit_price; // decimal: fine
};

cpp_dec_float_50 decimalCheckout(const std::vector<DecimalLine>& lines, const std::string& country) {
  cpp_dec_float_50 net{0};                        // integer literal: fine
  for (const DecimalLine& l : lines) net += l.unit_price * l.quantity;
  const cpp_dec_float_50 vat_rate{"0.19"};        // string literal: fine
  const cpp_dec_float_50 fr_rate("0.20");         // string literal: fine
  const cpp_dec_float_50 rate = country == "FR" ? fr_rate : vat_rate;
  // the promo discount was copied from the legacy double table
  const cpp_dec_float_50 promo(kTierDiscounts[0]); // expect: errorshield-float-money
  cpp_dec_float_50 gross = net * (1 + rate);
  gross -= gross * promo;
  return gross;
}

// Rounding helper ported from the legacy code: builds a decimal from a double
Dec roundToCents(double unrounded) { // "unrounded" is not a money word: fine
  Dec d(
      unrounded); // expect: errorshield-float-money
  Dec scaled = d * 100;
  return Dec(static_cast<long long>(std::llround(scaled.convert_to<double>()))) / 100; // integer argument: fine
}

// Promo codes configured in whole cents: fine
Dec promoValue(const std::string& code) {
  static const std::map<std::string, std::int64_t> kPromoCents = {{"WELCOME5", 500}, {"VIP10", 1000}};
  auto it = kPromoCents.find(code);
  return it == kPromoCents.end() ? Dec(0) : Dec(it->second) / 100;
}

int main() {
  ShoppingCart cart;
  cart.add("SKU-1", 2, 19.99);
  cart.add("SKU-2", 1, 5.49);
  const double payable = applyDiscount(cart.total(), 10.0); // "payable" is not one of the check's words: fine
  const double vat = vatFor("DE", payable);                 // "vat" is not one of the check's words: fine
  const double grand_total_eur = payable + vat;             // expect: errorshield-float-money
  std::vector<DecimalLine> lines{{"SKU-1", 2, cpp_dec_float_50("19.99")}, {"SKU-2", 1, cpp_dec_float_50("5.49")}};
  cpp_dec_float_50 exact = decimalCheckout(lines, "DE");
  Dec rounded = roundToCents(grand_total_eur) + promoValue("WELCOME5");
  const double as_shown = static_cast<double>(rounded) + exact.convert_to<double>() * 0; // fine
  return as_shown > 0 && loyaltyMultiplier(cart.itemCount()) > 0 ? 0 : 1;
}
