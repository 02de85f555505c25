#include "config.h"

#include <charconv>
#include <cstdlib>
#include <string_view>

namespace chat {
namespace {

template <typename T> bool parse_number(std::string_view text, T &out) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

std::vector<std::string> split(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    std::size_t comma = text.find(',');
    if (comma != 0)
      out.emplace_back(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
  }
  return out;
}

// Applies one setting; false when the value is not valid for it.
bool apply(Config &c, std::string_view name, std::string_view value) {
  unsigned long long n = 0;
  if (name == "address")
    c.address = std::string(value);
  else if (name == "port")
    return parse_number(value, c.port);
  else if (name == "threads")
    return parse_number(value, c.threads) && c.threads > 0;
  else if (name == "allowed-origins")
    c.allowed_origins = split(value);
  else if (name == "max-message-bytes")
    return parse_number(value, c.max_message_bytes) && c.max_message_bytes > 0 &&
           c.max_message_bytes <= 16 * 1024 * 1024;
  else if (name == "max-queued-messages")
    return parse_number(value, c.max_queued_messages) && c.max_queued_messages > 0;
  else if (name == "idle-timeout")
    return parse_number(value, n) && n > 0 && (c.idle_timeout = std::chrono::seconds(n), true);
  else if (name == "handshake-timeout")
    return parse_number(value, n) && n > 0 &&
           (c.handshake_timeout = std::chrono::seconds(n), true);
  else if (name == "redis")
    c.redis = std::string(value);
  else if (name == "redis-heartbeat-ms")
    return parse_number(value, n) && n >= 10 && n <= 60'000 &&
           (c.redis_heartbeat = std::chrono::milliseconds(n), true);
  else
    return false;
  return true;
}

constexpr std::string_view names[] = {"address", "port", "threads", "allowed-origins",
                                      "max-message-bytes", "max-queued-messages", "idle-timeout",
                                      "handshake-timeout", "redis", "redis-heartbeat-ms"};

} // namespace

std::optional<Config> parse_config(int argc, char **argv, std::string &error) {
  Config c;
  // The environment first (ES_CHAT_PORT=9000), flags override it (--port=9000).
  for (std::string_view name : names) {
    std::string env = "ES_CHAT_";
    for (char ch : name)
      env += ch == '-' ? '_' : static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
    if (const char *value = std::getenv(env.c_str()); value && !apply(c, name, value)) {
      error = "invalid " + env + "=" + value;
      return std::nullopt;
    }
  }
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::size_t eq = arg.find('=');
    if (arg.substr(0, 2) != "--" || eq == std::string_view::npos) {
      error = "expected --name=value, got '" + std::string(arg) + "'";
      return std::nullopt;
    }
    if (!apply(c, arg.substr(2, eq - 2), arg.substr(eq + 1))) {
      error = "invalid option '" + std::string(arg) + "'";
      return std::nullopt;
    }
  }
  return c;
}

} // namespace chat
