// Demo input for errorshield-float-money: the seed incident (BUGGY).
//
// An order gateway reads orders from a JSON API, prices them, charges the
// payment provider in integer cents and books the amount in a decimal ledger.
// Prices travel as JSON numbers and are held in doubles, so 19.99 is really
// 19.989999999999998436805981327779591083526611328125. The order below costs
// 3 x 19.99 + 4.35 = 64.32, but the double sum times 100 is 6431.999..., so the
// customer is charged 6431 cents; and the ledger's decimal, built from the
// double, books 64.319999999999993... instead of 64.32. Reconciliation fails.
#include <nlohmann/json.hpp>
#include <boost/multiprecision/cpp_dec_float.hpp>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

using nlohmann::json;
namespace mp = boost::multiprecision;

struct OrderLine {
  std::string sku;
  int quantity = 0;
  double price = 0;  // BUG: binary floating point
};

std::vector<OrderLine> parse_order(const json& order) {
  std::vector<OrderLine> lines;
  for (const auto& item : order.at("lines")) {
    OrderLine line;
    line.sku = item.at("sku").get<std::string>();
    line.quantity = item.at("quantity").get<int>();
    line.price = item.at("price").get<double>();  // BUG: a JSON money field read as a double
    lines.push_back(line);
  }
  return lines;
}

double total_price(const std::vector<OrderLine>& lines) {  // BUG: money as a double
  double sum = 0;
  for (const auto& line : lines) sum += line.price * line.quantity;
  return sum;
}

int main() {
  const json order = json::parse(R"({"lines": [
      {"sku": "mug", "quantity": 3, "price": 19.99},
      {"sku": "gift-card", "quantity": 1, "price": 4.35}]})");
  const std::vector<OrderLine> lines = parse_order(order);
  // The provider takes integer cents: the truncation loses a cent.
  const auto cents = static_cast<std::int64_t>(total_price(lines) * 100);
  // BUG: a decimal built from the double keeps the double's error.
  const mp::cpp_dec_float_50 booked(total_price(lines));
  std::printf("charged %lld cents, booked %s\n", static_cast<long long>(cents),
              booked.str(20).c_str());
}
