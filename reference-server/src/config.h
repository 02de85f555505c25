// Server configuration: command-line flags, each with an environment fallback (ES_CHAT_<NAME>).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace chat {

struct Config {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080; // 0: any free port (printed at start-up).
  unsigned threads = 2;      // The io_context pool; never one thread per connection.
  std::vector<std::string> allowed_origins = {"http://127.0.0.1:8080", "http://localhost:8080"};
  std::size_t max_message_bytes = 64 * 1024;   // read_message_max: larger messages close with 1009.
  std::size_t max_queued_messages = 256;        // Per connection; a slower consumer is closed (1013).
  std::chrono::seconds idle_timeout{60};        // No message from the peer: closed with 1001.
  std::chrono::seconds handshake_timeout{10};   // HTTP request and WebSocket handshake.
  std::optional<std::string> redis;             // host:port for multi-node routing; unset: alone.
  // Each node says it is alive this often; one not heard for three periods is given up for gone.
  std::chrono::milliseconds redis_heartbeat{1000};
};

// Parses argv (and the environment); on a bad value, fills `error` and returns nothing.
std::optional<Config> parse_config(int argc, char **argv, std::string &error);

} // namespace chat
