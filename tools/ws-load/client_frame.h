// WebSocket frames built by the load client itself, for --pipeline: several messages leave in
// one TCP write, which Beast's stream (one write per message) cannot do.
#pragma once

#include <cstdint>
#include <string>

namespace wsload {

// A masked text frame, as a client sends it (RFC 6455 5.2), appended to `out`.
inline void append_client_frame(std::string &out, const std::string &payload) {
  out += static_cast<char>(0x81);
  const std::size_t n = payload.size();
  if (n < 126) {
    out += static_cast<char>(0x80 | n);
  } else if (n <= 0xffff) {
    out += static_cast<char>(0x80 | 126);
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(n & 0xff);
  } else {
    out += static_cast<char>(0x80 | 127);
    for (int shift = 56; shift >= 0; shift -= 8)
      out += static_cast<char>((n >> shift) & 0xff);
  }
  // A load client's masks need not be unpredictable (they are against cache poisoning through
  // proxies, and this runs on loopback only); a fixed sequence keeps runs repeatable.
  static std::uint32_t seed = 0x9e3779b9;
  seed = seed * 1664525 + 1013904223;
  const char key[4] = {char(seed >> 24), char(seed >> 16), char(seed >> 8), char(seed)};
  out.append(key, 4);
  for (std::size_t i = 0; i < n; ++i)
    out += static_cast<char>(payload[i] ^ key[i % 4]);
}

} // namespace wsload
