// checks: errorshield-float-money
// Shop checkout: cart parsing, coupons, ride add-ons, latency bookkeeping.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

using json = nlohmann::json;

#define LOG_DEBUG(...) std::fprintf(stderr, __VA_ARGS__)

namespace shop {

using Amount = double;
typedef float money_t;

struct LineItem {
  std::string sku;
  int quantity = 1;
  double unit_price = 0;  // expect: errorshield-float-money
  std::int64_t unit_price_cents = 0;
  float weight_kg = 0;
};

struct Cart {
  std::vector<LineItem> items;
  double subtotal = 0;  // expect: errorshield-float-money
  std::optional<double> discount;  // expect: errorshield-float-money
  std::string currency = "EUR";
  double shipping_weight = 0;
};

struct RouteEstimate {
  double total_distance_km = 0;
  double eta_minutes = 0;
};

struct Ride {
  std::string rider;
  money_t fare = 0;  // expect: errorshield-float-money
  money_t tip = 0;  // expect: errorshield-float-money
  double distance_km = 0;
  std::int64_t fare_cents = 0;
};

Amount lineCost(const LineItem& it) {  // expect: errorshield-float-money
  return it.unit_price * it.quantity;
}

std::int64_t lineCostCents(const LineItem& it) { return it.unit_price_cents * it.quantity; }

LineItem parseItem(const json& j) {
  LineItem it;
  it.sku = j.at("sku").get<std::string>();
  it.quantity = j.value("qty", 1);
  it.unit_price = j.at("price").get<double>();  // expect: errorshield-float-money
  it.unit_price_cents = j.at("price_cents").get<std::int64_t>();
  it.weight_kg = j.value("weight", 0.0f);
  return it;
}

Cart parseCart(const json& j) {
  Cart c;
  for (const auto& item : j.at("items")) c.items.push_back(parseItem(item));
  if (j.contains("discount")) c.discount = j.at("discount").get<double>();  // expect: errorshield-float-money
  j.at("currency").get_to(c.currency);
  j.at("shipping_weight").get_to(c.shipping_weight);
  return c;
}

void applyCoupon(Cart& cart, const json& coupon) {
  double off = coupon.value("discount", 0.0);  // expect: errorshield-float-money
  std::string code = coupon.value("code", std::string{});
  LOG_DEBUG("coupon %s -%.2f\n", code.c_str(), off);
  cart.discount = cart.discount.value_or(0) + off;
}

double cartPrice(const Cart& cart) {  // expect: errorshield-float-money
  double sum = 0;  // expect: errorshield-float-money
  for (const auto& it : cart.items) sum += lineCost(it);
  if (cart.discount) sum -= *cart.discount;
  return std::max(sum, 0.0);
}

std::int64_t cartCents(const Cart& cart) {
  std::int64_t cents = 0;
  for (const auto& it : cart.items) cents += lineCostCents(it);
  return cents;
}

std::vector<LineItem> expensiveItems(const Cart& cart, double threshold_price) {  // expect: errorshield-float-money
  std::vector<LineItem> out;
  std::copy_if(cart.items.begin(), cart.items.end(), std::back_inserter(out),
               [&](const LineItem& it) { return it.unit_price > threshold_price; });
  return out;
}

// ---- non-money floating point -------------------------------------------

struct LatencyStats {
  double sum = 0;
  std::vector<double> samples_ms;
  double mean() const { return samples_ms.empty() ? 0 : sum / samples_ms.size(); }
};

double backoffSeconds(int attempt, double backoff_multiplier) {
  double base = 0.25;
  return base * std::pow(backoff_multiplier, attempt);
}

double feedbackGain = 0.8;
double tax_rate = 0.2;

double sensorAverage(const json& reading) {
  double temp = reading.value("temperature", 20.0);
  double humidity = reading.at("humidity").get<double>();
  return (temp + humidity) / 2;
}

std::string priceLabel(const json& j) {
  auto price_text = j.at("price").get<std::string>();
  std::int64_t price_cents = j.value("price_cents", std::int64_t{0});
  return price_text + " (" + std::to_string(price_cents) + ")";
}

double successRatio(int ok, int total) {
  return total == 0 ? 1.0 : static_cast<double>(ok) / total;
}

}  // namespace shop
