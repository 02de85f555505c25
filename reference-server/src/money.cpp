#include "money.h"

#include <limits>

namespace chat {

std::optional<std::int64_t> parse_minor_units(std::string_view text, int decimals) {
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  const std::size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  if (whole.empty() || static_cast<int>(fraction.size()) > decimals ||
      (dot != std::string_view::npos && fraction.empty()))
    return std::nullopt;
  constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max() / 10;
  std::int64_t value = 0;
  for (char c : whole) {
    if (c < '0' || c > '9' || value > max)
      return std::nullopt;
    value = value * 10 + (c - '0');
  }
  for (int i = 0; i < decimals; ++i) {
    const char c = i < static_cast<int>(fraction.size()) ? fraction[i] : '0';
    if (c < '0' || c > '9' || value > max)
      return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return negative ? -value : value;
}

std::string format_minor_units(std::int64_t minor_units, int decimals) {
  const bool negative = minor_units < 0;
  // Work in unsigned so that the most negative value does not overflow.
  std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(minor_units)
                                     : static_cast<std::uint64_t>(minor_units);
  std::string digits = std::to_string(magnitude);
  if (static_cast<int>(digits.size()) <= decimals)
    digits.insert(0, static_cast<std::size_t>(decimals) + 1 - digits.size(), '0');
  if (decimals > 0)
    digits.insert(digits.size() - static_cast<std::size_t>(decimals), ".");
  return negative ? "-" + digits : digits;
}

bool is_currency_code(std::string_view code) {
  if (code.size() != 3)
    return false;
  for (char c : code)
    if (c < 'A' || c > 'Z')
      return false;
  return true;
}

} // namespace chat
