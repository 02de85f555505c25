#include "redis_bridge.h"

#include "log.h"

#include <hiredis/hiredis.h>
#include <sys/socket.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <random>
#include <vector>

namespace chat {
namespace {

constexpr const char *channel = "chat:route";

std::string random_node_id() {
  std::random_device rd;
  return "node-" + std::to_string(std::uniform_int_distribution<std::uint64_t>()(rd) % 1000000007);
}

struct ContextDeleter {
  void operator()(redisContext *c) const { redisFree(c); }
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;

// Every call on the connection is bounded by `timeout` (connecting, and each read and write): a
// Redis that hangs, or a connection that died without an error, must not hold a thread forever.
Context connect(const std::string &host, int port, std::chrono::milliseconds timeout) {
  const timeval tv{static_cast<time_t>(timeout.count() / 1000),
                   static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  Context c(redisConnectWithTimeout(host.c_str(), port, tv));
  if (!c || c->err || redisSetTimeout(c.get(), tv) != REDIS_OK ||
      redisEnableKeepAlive(c.get()) != REDIS_OK) {
    log_event("redis-connect-failed", {{"error", c ? c->errstr : "out of memory"}});
    return nullptr;
  }
  return c;
}

constexpr std::chrono::milliseconds command_timeout{2000};

// The reply of a command, or null when the command failed: no connection, an I/O error or a
// timeout (the connection is then unusable), or an error reply (logged).
using Reply = std::unique_ptr<redisReply, decltype(&freeReplyObject)>;
Reply checked(void *raw) {
  Reply reply(static_cast<redisReply *>(raw), freeReplyObject);
  if (reply && reply->type == REDIS_REPLY_ERROR) {
    log_event("redis-error", {{"error", std::string(reply->str, reply->len)}});
    return Reply(nullptr, freeReplyObject);
  }
  return reply;
}

std::string encode(const Routed &r) {
  return nlohmann::json{{"node", r.node},   {"kind", r.kind},   {"user", r.user},
                        {"online", r.online}, {"event", r.event}, {"heartbeat_ms", r.heartbeat_ms}}
      .dump();
}

// Anything on the channel that is not an event of ours, or has a field of the wrong type, is
// ignored: another program publishing there must not bring the node down.
std::optional<Routed> decode(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return std::nullopt;
  try {
    Routed r;
    r.node = j.value("node", "");
    r.kind = j.value("kind", "");
    r.user = j.value("user", UserId{0});
    r.online = j.value("online", false);
    r.event = j.value("event", "");
    // Clamped to what --redis-heartbeat-ms accepts: another node's value must not overflow ours.
    r.heartbeat_ms = std::clamp(j.value("heartbeat_ms", std::int64_t{0}), std::int64_t{0},
                                std::int64_t{60'000});
    return r;
  } catch (const nlohmann::json::exception &) {
    return std::nullopt;
  }
}

} // namespace

RedisBridge::RedisBridge(net::io_context &ioc, std::string host, int port,
                         std::chrono::milliseconds heartbeat, Receive receive)
    : ioc_(ioc), host_(std::move(host)), port_(port), node_(random_node_id()),
      heartbeat_(heartbeat), receive_(std::move(receive)), liveness_(heartbeat) {
  publisher_ = std::thread([this] { publish_loop(); });
  subscriber_ = std::thread([this] { subscribe_loop(); });
}

RedisBridge::~RedisBridge() {
  {
    // "bye" is the last thing published: no beat can follow it and bring this node back.
    std::lock_guard<std::mutex> lock(mutex_);
    outbox_.push_back(encode({node_, "bye", 0, false, "", 0}));
    stopping_ = true;
  }
  wake_.notify_all();
  stopped_.notify_all();
  publisher_.join();
  {
    // The subscriber blocks in a read: shutting its socket down ends the read at once, whatever
    // Redis is doing. (Its connection stays open until the subscriber clears subscriber_fd_.)
    std::lock_guard<std::mutex> lock(mutex_);
    if (subscriber_fd_ >= 0)
      ::shutdown(subscriber_fd_, SHUT_RDWR);
  }
  subscriber_.join();
}

void RedisBridge::publish(Routed r) {
  r.node = node_;
  r.heartbeat_ms = heartbeat_.count(); // Every event says how often this node beats.
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_)
      return; // "bye" was the last word.
    if (outbox_.size() >= max_outbox) // Redis has been away long: the oldest events go.
      outbox_.pop_front();
    outbox_.push_back(encode(r));
  }
  wake_.notify_one();
}

std::size_t RedisBridge::remote_nodes_of(UserId user) const {
  std::lock_guard<std::mutex> lock(mutex_);
  // Cut off from the channel (not subscribed, or its own beats no longer come back): nothing
  // published now would be known to arrive, so no remote user counts as reachable.
  if (!subscribed_ || Clock::now() - last_own_beat_ > 3 * heartbeat_ + command_timeout)
    return 0;
  auto it = remote_online_.find(user);
  if (it == remote_online_.end())
    return 0;
  return static_cast<std::size_t>(
      std::count_if(it->second.begin(), it->second.end(),
                    [&](const std::string &node) { return liveness_.alive(node); }));
}

void RedisBridge::publish_loop() {
  Context c;
  Clock::time_point next_beat = Clock::now(), next_connect = Clock::now();
  // A broken connection is found by the PUBLISH that fails: the event is retried once on a new
  // connection.
  auto send = [&](const std::string &message, bool stopping) {
    for (int attempt = 0; attempt < (stopping ? 1 : 2); ++attempt) { // Stopping: no waiting twice.
      if (!c && Clock::now() >= next_connect) {
        c = connect(host_, port_, command_timeout);
        next_connect = Clock::now() + retry_delay();
      }
      if (!c)
        return false;
      if (checked(redisCommand(c.get(), "PUBLISH %s %b", channel, message.data(), message.size())))
        return true;
      c.reset();
      next_connect = Clock::now(); // Reconnect at once for the retry.
    }
    return false;
  };
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    wake_.wait_until(lock, next_beat, [this] { return stopping_ || !outbox_.empty(); });
    if (!stopping_ && Clock::now() >= next_beat) {
      // First in line: a long queue must not delay it until the others give this node up.
      if (subscribed_) // A node that cannot hear the channel must not look alive to the others.
        outbox_.push_front(encode({node_, "beat", 0, false, "", heartbeat_.count()}));
      next_beat = Clock::now() + heartbeat_;
    }
    if (outbox_.empty()) {
      if (stopping_)
        return; // Everything queued was sent.
      continue;
    }
    const std::string message = outbox_.front();
    const bool stopping = stopping_;
    lock.unlock();
    const bool sent = send(message, stopping);
    lock.lock();
    if (sent || stopping_) { // Stopping: what cannot be sent now is given up.
      if (!outbox_.empty() && outbox_.front() == message)
        outbox_.pop_front();
      continue;
    }
    // Not sent: it stays first in line (a lost hello or ask would not be asked for again) until
    // Redis is back.
    wake_.wait_until(lock, next_connect, [this] { return stopping_; });
  }
}

void RedisBridge::subscribe_loop() {
  do {
    // Reads time out a little after three missed own beats: a connection that died without an
    // error is then dropped and made anew.
    if (Context c = connect(host_, port_, 3 * heartbeat_ + command_timeout))
      listen(*c);
  } while (pause(retry_delay()));
}

void RedisBridge::listen(redisContext &c) {
  if (!checked(redisCommand(&c, "SUBSCRIBE %s", channel)))
    return;
  {
    // A fresh view: what was learnt on an earlier subscription may have changed unheard.
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_)
      return;
    remote_online_.clear();
    liveness_.reset();
    subscribed_ = true;
    last_own_beat_ = Clock::now();
    subscriber_fd_ = c.fd;
  }
  log_event("redis-subscribed", {{"node", node_}});
  // Subscribed first, so the answers to this are heard: who is already online on other nodes.
  publish({"", "hello", 0, false, "", 0});
  while (true) {
    void *raw = nullptr;
    if (redisGetReply(&c, &raw) != REDIS_OK)
      break;
    Reply reply(static_cast<redisReply *>(raw), freeReplyObject);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_)
        break;
    }
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3)
      continue;
    std::optional<Routed> r = decode(std::string_view(reply->element[2]->str, reply->element[2]->len));
    if (!r || r->node.empty())
      continue;
    if (r->node == node_) {
      if (r->kind == "beat") // Its own beat, back from the bus: one period has passed.
        on_own_beat();
      continue;
    }
    on_routed(*r);
  }
  bool stopping = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    subscribed_ = false;
    subscriber_fd_ = -1; // Cleared before the connection is freed (see ~RedisBridge).
    stopping = stopping_;
  }
  if (!stopping)
    log_event("redis-unsubscribed", {{"node", node_}});
}

void RedisBridge::on_routed(const Routed &r) {
  NodeLiveness::Heard heard = NodeLiveness::Heard::Known;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (r.kind == "bye") {
      liveness_.forget(r.node);
      return forget_locked(r.node);
    }
    heard = liveness_.heard(r.node, std::chrono::milliseconds(r.heartbeat_ms));
    if (r.kind == "presence") {
      auto &nodes = remote_online_[r.user];
      if (r.online)
        nodes.insert(r.node);
      else
        nodes.erase(r.node);
      if (nodes.empty())
        remote_online_.erase(r.user);
    }
  }
  // A node heard from for the first time (it may have missed this node's hello, published before
  // it subscribed) or again after being given up (its users were forgotten here) is asked to
  // announce its users.
  if (heard != NodeLiveness::Heard::Known) {
    if (heard == NodeLiveness::Heard::Back)
      log_event("redis-node-back", {{"node", r.node}});
    publish({"", "ask", 0, false, r.node, 0});
  }
  if (r.kind == "beat" || (r.kind == "ask" && r.event != node_))
    return;
  net::post(ioc_, [receive = receive_, r] { receive(r); });
}

void RedisBridge::on_own_beat() {
  std::vector<std::string> lost;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    last_own_beat_ = Clock::now();
    lost = liveness_.own_beat();
    for (const std::string &node : lost)
      forget_locked(node);
  }
  for (const std::string &node : lost)
    log_event("redis-node-lost", {{"node", node}});
}

void RedisBridge::forget_locked(const std::string &node) {
  for (auto it = remote_online_.begin(); it != remote_online_.end();) {
    it->second.erase(node);
    it = it->second.empty() ? remote_online_.erase(it) : std::next(it);
  }
}

bool RedisBridge::pause(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mutex_);
  return !stopped_.wait_for(lock, d, [this] { return stopping_; });
}

std::chrono::milliseconds RedisBridge::retry_delay() const {
  return std::max(heartbeat_, std::chrono::milliseconds(500));
}

} // namespace chat
