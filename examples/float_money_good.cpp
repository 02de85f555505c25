// Demo input for errorshield-float-money: the seed incident (FIXED).
//
// Corrected twin of float_money_bad.cpp. The API sends prices as decimal
// strings ("19.99"), the gateway parses them into integer cents and sums
// integers, so the order costs exactly 6432 cents; the ledger's decimal is
// parsed from the decimal text "64.32", not built from a double.
#include <nlohmann/json.hpp>
#include <boost/multiprecision/cpp_dec_float.hpp>

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

using nlohmann::json;
namespace mp = boost::multiprecision;

struct OrderLine {
  std::string sku;
  int quantity = 0;
  std::int64_t price_cents = 0;  // FIX: integer minor units (1999 for 19.99)
};

// "19.99" -> 1999 (non-negative prices with at most two decimals).
std::int64_t parse_cents(const std::string& text) {
  const auto dot = text.find('.');
  std::string fraction = dot == std::string::npos ? "" : text.substr(dot + 1);
  if (fraction.size() > 2) throw std::invalid_argument("sub-cent price: " + text);
  fraction.resize(2, '0');
  return std::stoll(text.substr(0, dot)) * 100 + std::stoll(fraction);
}

// 6432 -> "64.32"
std::string format_cents(std::int64_t cents) {
  const std::string fraction = std::to_string(cents % 100);
  return std::to_string(cents / 100) + (fraction.size() == 1 ? ".0" : ".") + fraction;
}

std::vector<OrderLine> parse_order(const json& order) {
  std::vector<OrderLine> lines;
  for (const auto& item : order.at("lines")) {
    OrderLine line;
    line.sku = item.at("sku").get<std::string>();
    line.quantity = item.at("quantity").get<int>();
    // FIX: the money field is read as text and parsed exactly.
    line.price_cents = parse_cents(item.at("price").get<std::string>());
    lines.push_back(line);
  }
  return lines;
}

std::int64_t total_price_cents(const std::vector<OrderLine>& lines) {
  std::int64_t sum = 0;
  for (const auto& line : lines) sum += line.price_cents * line.quantity;
  return sum;
}

int main() {
  const json order = json::parse(R"({"lines": [
      {"sku": "mug", "quantity": 3, "price": "19.99"},
      {"sku": "gift-card", "quantity": 1, "price": "4.35"}]})");
  const std::vector<OrderLine> lines = parse_order(order);
  const std::int64_t cents = total_price_cents(lines);
  // FIX: the decimal is parsed from the decimal text.
  const mp::cpp_dec_float_50 booked(format_cents(cents));
  std::printf("charged %lld cents, booked %s\n", static_cast<long long>(cents),
              booked.str(20).c_str());
}
