// What every connection shares: configuration, the registry, the metrics, and the routing of one
// client's request to the sessions it concerns.
#pragma once

#include "config.h"
#include "metrics.h"
#include "protocol.h"
#include "redis_bridge.h"
#include "registry.h"

#include <atomic>
#include <memory>
#include <string>

namespace chat {

class Server {
public:
  explicit Server(Config config) : config_(std::move(config)) {}

  const Config &config() const { return config_; }
  Registry &registry() { return registry_; }
  Metrics &metrics() { return metrics_; }
  SessionId next_session_id() { return ++last_session_id_; }

  // A session opened or closed: registry bookkeeping and presence events.
  void connected(UserId user, SessionId id, const std::shared_ptr<WebSocketSession> &session);
  void disconnected(UserId user, SessionId id);

  // One text message from `from`'s session `sender`: routed, acknowledged or answered with an error.
  void handle(UserId from, const std::shared_ptr<WebSocketSession> &sender, std::string_view text);

  // SIGINT/SIGTERM: every client gets a close frame with 1001 (going away), including those whose
  // handshake completes after this call (see stopping()).
  void close_all();
  bool stopping() const { return stopping_; }

  // Routes to and shares presence with other nodes through Redis at host:port.
  void enable_redis(net::io_context &ioc, const std::string &host, int port,
                    std::chrono::milliseconds heartbeat);
  // Joins the bridge's threads. Called once the pool has stopped and before it is destroyed: the
  // bridge posts what it receives onto an io_context, which must outlive those threads.
  void stop_redis() {
    registry_.set_presence_listener(nullptr);
    bridge_.reset();
  }

private:
  void deliver(const std::vector<std::shared_ptr<WebSocketSession>> &to, const std::string &event);
  void reply(const std::shared_ptr<WebSocketSession> &sender, std::string event);
  void reply_error(const std::shared_ptr<WebSocketSession> &sender, const ProtocolError &e);
  // A direct message or payment: delivered and acknowledged, or refused when `to` is connected to
  // no node.
  void send_to_user(const std::shared_ptr<WebSocketSession> &sender, UserId to,
                    const std::string &id, const std::string &event);
  // Local delivery plus, with Redis, the other nodes where `to` is connected; the number of
  // connections (local) and nodes (remote) reached, 0 when `to` is connected nowhere.
  std::size_t route(UserId to, const std::string &event);
  void on_remote(const Routed &r);

  Config config_;
  Registry registry_;
  Metrics metrics_;
  std::atomic<SessionId> last_session_id_{0};
  std::atomic<bool> stopping_{false};
  std::unique_ptr<RedisBridge> bridge_;
};

} // namespace chat
