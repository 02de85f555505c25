// Scale-out through Redis pub/sub: several server nodes route messages to each other's users and
// share who is online.
//
// Redis is spoken on two threads of its own, never in a completion handler: a subscriber blocked
// on channel "chat:route", and a publisher draining a queue that handlers fill without waiting.
// What arrives is posted back onto the io_context for local delivery.
//
// A node that stops says "bye"; one that crashes or is cut off cannot. Every node therefore
// publishes a "beat" each heartbeat period while it is subscribed, and the others give a node up
// once it has been silent for three of its periods (NodeLiveness): its users stop counting as
// online, so a message to them is refused rather than acknowledged and lost. A node given up and
// heard from again is asked ("ask") to announce its users anew. Both threads reconnect when Redis
// goes away; a subscriber that reconnects starts over from a "hello", as a node that starts does.
#pragma once

#include "beast.h"
#include "node_liveness.h"
#include "protocol.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

struct redisContext; // hiredis, included by the implementation only.

namespace chat {

// One routed event, as published on the channel.
struct Routed {
  std::string node;  // The publishing node (its own messages are ignored on receipt).
  // "direct" (to one user), "presence" (a user came online or went offline), "hello" (a node
  // subscribed: the others announce their online users), "ask" (the node named in `event` is
  // to announce its users), "bye" (a node stops: its users are gone), "beat" (a node is alive).
  std::string kind;
  UserId user = 0;   // The recipient (direct) or the subject (presence).
  bool online = false;
  std::string event; // The JSON text to deliver (direct), the node asked (ask).
  std::int64_t heartbeat_ms = 0; // The publisher's heartbeat period (beat).
};

class RedisBridge {
public:
  using Receive = std::function<void(const Routed &)>;

  using Clock = std::chrono::steady_clock;

  // Connects both threads to host:port; `receive` runs on `ioc` for the events of other nodes
  // that concern this one (not beats, nor asks to other nodes).
  RedisBridge(net::io_context &ioc, std::string host, int port, std::chrono::milliseconds heartbeat,
              Receive receive);
  ~RedisBridge();
  RedisBridge(const RedisBridge &) = delete;
  RedisBridge &operator=(const RedisBridge &) = delete;

  const std::string &node() const { return node_; }
  // Queues an event for the other nodes; never blocks on Redis.
  void publish(Routed r);
  // The nodes other than this one, alive (NodeLiveness), where `user` has at least one connection.
  std::size_t remote_nodes_of(UserId user) const;

private:
  void subscribe_loop();
  void listen(redisContext &c);
  void publish_loop();
  void on_routed(const Routed &r);
  void on_own_beat();
  void forget_locked(const std::string &node); // The caller holds mutex_.
  // Waits up to `d` unless stopping; false once stopping.
  bool pause(std::chrono::milliseconds d);
  std::chrono::milliseconds retry_delay() const; // Between attempts to reach Redis.

  net::io_context &ioc_;
  const std::string host_;
  const int port_;
  const std::string node_;
  const std::chrono::milliseconds heartbeat_;
  Receive receive_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;    // The publisher: something to send, or stopping.
  std::condition_variable stopped_; // The subscriber, between reconnections: stopping.
  std::deque<std::string> outbox_;
  bool stopping_ = false;
  bool subscribed_ = false; // Beats are sent only while this node hears the channel.
  Clock::time_point last_own_beat_; // When this node last heard its own beat (or subscribed).
  int subscriber_fd_ = -1;          // The subscriber's socket while it listens.
  static constexpr std::size_t max_outbox = 100'000; // Events waiting while Redis is away.
  std::map<UserId, std::set<std::string>> remote_online_; // user -> nodes, from presence events.
  NodeLiveness liveness_;

  std::thread publisher_, subscriber_;
};

} // namespace chat
