// es-chat-server: the ErrorShield reference WebSocket chat server.
//
//   es-chat-server [--address=127.0.0.1] [--port=8080] [--threads=2]
//                  [--allowed-origins=http://a,http://b] [--max-message-bytes=65536]
//                  [--max-queued-messages=256] [--idle-timeout=60] [--handshake-timeout=10]
//   (or ES_CHAT_PORT=..., ES_CHAT_ALLOWED_ORIGINS=... in the environment)
#include "config.h"
#include "io_pool.h"
#include "listener.h"
#include "log.h"
#include "server.h"

#include <charconv>
#include <csignal>
#include <cstdio>

int main(int argc, char **argv) {
  std::string error;
  std::optional<chat::Config> config = chat::parse_config(argc, argv, error);
  if (!config) {
    std::fprintf(stderr, "es-chat-server: %s\n", error.c_str());
    return 2;
  }
  const unsigned threads = config->threads;
  chat::IoPool pool(threads);
  chat::net::io_context &ioc = pool.main();
  auto server = std::make_shared<chat::Server>(*config);

  chat::beast::error_code ec;
  auto address = chat::net::ip::make_address(config->address, ec);
  if (ec) {
    std::fprintf(stderr, "es-chat-server: bad address %s\n", config->address.c_str());
    return 2;
  }
  auto listener = std::make_shared<chat::Listener>(pool, chat::tcp::endpoint{address, config->port},
                                                   server, ec);
  if (ec) {
    std::fprintf(stderr, "es-chat-server: cannot listen: %s\n", ec.message().c_str());
    return 1;
  }
  if (config->redis) {
    const std::size_t colon = config->redis->rfind(':');
    int redis_port = 0;
    if (colon == std::string::npos ||
        std::from_chars(config->redis->data() + colon + 1,
                        config->redis->data() + config->redis->size(), redis_port)
                .ec != std::errc()) {
      std::fprintf(stderr, "es-chat-server: --redis wants host:port\n");
      return 2;
    }
    server->enable_redis(ioc, config->redis->substr(0, colon), redis_port,
                         config->redis_heartbeat);
  }
  listener->run();
  const auto endpoint = listener->local_endpoint();
  // Tests read this line to learn the port when started with --port=0.
  std::printf("listening on %s:%u\n", endpoint.address().to_string().c_str(), endpoint.port());
  std::fflush(stdout);
  chat::log_event("listening", {{"port", std::to_string(endpoint.port())},
                                {"threads", std::to_string(threads)}});

  // SIGINT/SIGTERM: every client gets 1001 (going away), then the server exits.
  chat::net::signal_set signals(ioc, SIGINT, SIGTERM);
  chat::net::steady_timer grace(ioc);
  signals.async_wait([server, listener, &grace, &pool](chat::beast::error_code ec, int signal) {
    if (ec)
      return;
    chat::log_event("shutdown", {{"signal", std::to_string(signal)}});
    listener->stop();
    server->close_all();
    // Peers have a moment to answer the close frames; idle HTTP connections do not hold us up.
    grace.expires_after(std::chrono::seconds(2));
    grace.async_wait([&pool](chat::beast::error_code) { pool.stop(); });
  });

  pool.run();
  server->stop_redis();
  chat::log_event("stopped");
  return 0;
}
