#include "log.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>

namespace chat {

void log_event(std::string_view event, const std::vector<std::pair<std::string, std::string>> &fields) {
  nlohmann::json line = {{"event", std::string(event)}};
  line["ts_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  for (const auto &[key, value] : fields)
    line[key] = value;
  const std::string text = line.dump() + "\n";
  // One write per line keeps lines whole when several threads log at once.
  std::fwrite(text.data(), 1, text.size(), stderr);
}

} // namespace chat
