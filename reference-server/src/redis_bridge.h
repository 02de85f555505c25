// Scale-out through Redis pub/sub: several server nodes route messages to each other's users and
// share who is online.
//
// Redis is spoken on two threads of its own, never in a completion handler: a subscriber blocked
// on channel "chat:route", and a publisher draining a queue that handlers fill without waiting.
// What arrives is posted back onto the io_context for local delivery.
//
// A node that stops says "bye"; one that crashes or is cut off cannot. Every node therefore
// publishes a "beat" each heartbeat period, and the others give a node up once they have heard
// nothing from it for three periods: its users stop counting as online (a message to them is
// refused rather than acknowledged and lost). A node given up and heard from again is asked,
// with a "hello", to announce its users anew.
#pragma once

#include "beast.h"
#include "protocol.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace chat {

// One routed event, as published on the channel.
struct Routed {
  std::string node;  // The publishing node (its own messages are ignored on receipt).
  // "direct" (to one user), "presence" (a user came online or went offline), "hello" (a node
  // started: the others announce their online users), "bye" (a node stops: its users are gone),
  // "beat" (a node is alive).
  std::string kind;
  UserId user = 0;   // The recipient (direct) or the subject (presence).
  bool online = false;
  std::string event; // The JSON text to deliver (direct).
};

class RedisBridge {
public:
  using Receive = std::function<void(const Routed &)>;

  using Clock = std::chrono::steady_clock;

  // Connects both threads to host:port; `receive` runs on `ioc` for every event of other nodes
  // but their beats.
  RedisBridge(net::io_context &ioc, std::string host, int port, std::chrono::milliseconds heartbeat,
              Receive receive);
  ~RedisBridge();
  RedisBridge(const RedisBridge &) = delete;
  RedisBridge &operator=(const RedisBridge &) = delete;

  const std::string &node() const { return node_; }
  // Queues an event for the other nodes; never blocks on Redis.
  void publish(Routed r);
  // The nodes other than this one, heard from within three heartbeats, where `user` has at least
  // one connection.
  std::size_t remote_nodes_of(UserId user) const;

private:
  void subscribe_loop();
  void publish_loop();
  void on_routed(const Routed &r);
  // Named *_locked: the caller holds mutex_.
  bool alive_locked(const std::string &node, Clock::time_point now) const;
  void forget_locked(const std::string &node);
  void give_up_silent_nodes_locked(Clock::time_point now);

  net::io_context &ioc_;
  const std::string host_;
  const int port_;
  const std::string node_;
  const std::chrono::milliseconds heartbeat_;
  Receive receive_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::string> outbox_;
  bool stopping_ = false;
  std::map<UserId, std::set<std::string>> remote_online_; // user -> nodes, from presence events.
  std::map<std::string, Clock::time_point> last_heard_;    // node -> when its last event came.
  std::set<std::string> given_up_;                         // Nodes forgotten for their silence.

  std::thread publisher_, subscriber_;
};

} // namespace chat
