// Structured logs: one JSON object per line on stderr, one line per event.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chat {

void log_event(std::string_view event,
               const std::vector<std::pair<std::string, std::string>> &fields = {});

} // namespace chat
