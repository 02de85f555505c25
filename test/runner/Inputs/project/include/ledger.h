// A ledger line as the order service and the billing job both see it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace shop {

struct LedgerLine {
  std::string sku;
  std::int64_t quantity = 0;
  double price = 0; // money in a double, shared by every TU that includes this header
};

std::int64_t line_cents(const LedgerLine &line);

} // namespace shop
