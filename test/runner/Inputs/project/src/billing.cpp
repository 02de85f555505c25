// The nightly billing job: sums the ledger and books refunds.
#include "ledger.h"

#include <cstdint>
#include <vector>

namespace shop {

std::int64_t invoice_cents(const std::vector<LedgerLine> &lines) {
  std::int64_t cents = 0;
  for (const LedgerLine &line : lines)
    cents += line_cents(line);
  return cents;
}

// The payment provider's legacy API takes a double; reviewed and accepted.
double legacy_refund = 0; // NOLINT(errorshield-float-money)

double refund_amount(std::int64_t cents) {
  return static_cast<double>(cents) / 100.0;
}

} // namespace shop
