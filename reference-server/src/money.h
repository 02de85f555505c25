// Money as integer minor units with its currency: never a binary floating-point number
// (ErrorShield ES-NUMERIC-001: 0.1 + 0.2 != 0.3, and 19.99 is stored as 19.989999...).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chat {

struct Money {
  std::int64_t minor_units = 0; // Cents for a currency with two decimals.
  std::string currency;         // ISO 4217 code, e.g. "EUR".
};

// Parses a decimal string ("19.99", "-3", "0.5") with at most `decimals` fraction digits.
std::optional<std::int64_t> parse_minor_units(std::string_view text, int decimals = 2);

// Renders minor units back as a decimal string with exactly `decimals` fraction digits.
std::string format_minor_units(std::int64_t minor_units, int decimals = 2);

// A plausible ISO 4217 code: three upper-case letters.
bool is_currency_code(std::string_view code);

} // namespace chat
