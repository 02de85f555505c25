// The order service: builds ledger lines from incoming orders.
#include "ledger.h"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

namespace shop {

struct Referral {
  std::string code;
  double bounty = 0; // a strong money word only in this project's .clang-tidy
};

std::vector<LedgerLine> make_lines(std::vector<std::pair<std::string, std::int64_t>> items) {
  std::vector<LedgerLine> lines;
  for (auto &[sku, quantity] : items)
    lines.push_back(LedgerLine{std::move(sku), quantity, 0});
  return lines;
}

std::int64_t line_cents(const LedgerLine &line) {
  return static_cast<std::int64_t>(std::llround(line.price * 100)) * line.quantity;
}

} // namespace shop
