// Counters for GET /metrics (Prometheus text format). Lock-free: every connection updates them.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace chat {

enum class Rejection { MalformedJson, BadRequest, UnknownType, UnknownRecipient, FloatMoney,
                       Origin, MissingUser, Subprotocol, Binary, InvalidUtf8, Count };

class Metrics {
public:
  std::atomic<std::int64_t> connections{0};
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> messages_in{0};
  std::atomic<std::uint64_t> messages_out{0};
  std::atomic<std::uint64_t> slow_consumers_closed{0};
  std::atomic<std::uint64_t> idle_closed{0};

  void reject(Rejection why) { rejections_[static_cast<std::size_t>(why)]++; }
  std::string render() const;

private:
  std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(Rejection::Count)> rejections_{};
};

} // namespace chat
