#include "redis_bridge.h"

#include "log.h"

#include <hiredis/hiredis.h>
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

Context connect(const std::string &host, int port) {
  Context c(redisConnect(host.c_str(), port));
  if (!c || c->err) {
    log_event("redis-connect-failed", {{"error", c ? c->errstr : "out of memory"}});
    return nullptr;
  }
  return c;
}

std::string encode(const Routed &r) {
  return nlohmann::json{{"node", r.node}, {"kind", r.kind}, {"user", r.user},
                        {"online", r.online}, {"event", r.event}}
      .dump();
}

std::optional<Routed> decode(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return std::nullopt;
  Routed r;
  r.node = j.value("node", "");
  r.kind = j.value("kind", "");
  r.user = j.value("user", UserId{0});
  r.online = j.value("online", false);
  r.event = j.value("event", "");
  return r;
}

} // namespace

RedisBridge::RedisBridge(net::io_context &ioc, std::string host, int port,
                         std::chrono::milliseconds heartbeat, Receive receive)
    : ioc_(ioc), host_(std::move(host)), port_(port), node_(random_node_id()),
      heartbeat_(heartbeat), receive_(std::move(receive)) {
  publisher_ = std::thread([this] { publish_loop(); });
  subscriber_ = std::thread([this] { subscribe_loop(); });
}

RedisBridge::~RedisBridge() {
  publish({"", "bye", 0, false, ""}); // Sent before the publisher stops: it drains its queue.
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  publisher_.join();
  // The subscriber blocks in a read: a message on the channel from this node wakes it to stop.
  if (Context c = connect(host_, port_))
    freeReplyObject(redisCommand(c.get(), "PUBLISH %s %s", channel, "{}"));
  subscriber_.join();
}

void RedisBridge::publish(Routed r) {
  r.node = node_;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    outbox_.push_back(encode(r));
  }
  wake_.notify_one();
}

std::size_t RedisBridge::remote_nodes_of(UserId user) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = remote_online_.find(user);
  if (it == remote_online_.end())
    return 0;
  // Checked here too, not only when the subscriber sweeps: a node that fell silent a moment ago
  // no longer counts even if no event has come in since to trigger a sweep.
  const Clock::time_point now = Clock::now();
  return static_cast<std::size_t>(
      std::count_if(it->second.begin(), it->second.end(),
                    [&](const std::string &node) { return alive_locked(node, now); }));
}

void RedisBridge::publish_loop() {
  Context c = connect(host_, port_);
  std::unique_lock<std::mutex> lock(mutex_);
  Clock::time_point next_beat = Clock::now();
  while (true) {
    wake_.wait_until(lock, next_beat, [this] { return stopping_ || !outbox_.empty(); });
    if (!stopping_ && Clock::now() >= next_beat) {
      outbox_.push_back(encode({node_, "beat", 0, false, ""}));
      next_beat = Clock::now() + heartbeat_;
    }
    if (outbox_.empty()) {
      if (stopping_)
        return; // Everything queued was sent.
      continue;
    }
    std::string message = std::move(outbox_.front());
    outbox_.pop_front();
    lock.unlock();
    if (c)
      freeReplyObject(redisCommand(c.get(), "PUBLISH %s %b", channel, message.data(), message.size()));
    lock.lock();
  }
}

void RedisBridge::subscribe_loop() {
  Context c = connect(host_, port_);
  if (!c)
    return;
  freeReplyObject(redisCommand(c.get(), "SUBSCRIBE %s", channel));
  log_event("redis-subscribed", {{"node", node_}});
  // Subscribed first, so the answers to this are heard: who is already online on other nodes.
  publish({"", "hello", 0, false, ""});
  while (true) {
    void *raw = nullptr;
    if (redisGetReply(c.get(), &raw) != REDIS_OK)
      return;
    std::unique_ptr<redisReply, decltype(&freeReplyObject)> reply(static_cast<redisReply *>(raw),
                                                                  freeReplyObject);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_)
        return;
    }
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3)
      continue;
    std::optional<Routed> r = decode(std::string_view(reply->element[2]->str, reply->element[2]->len));
    if (!r || r->node.empty())
      continue;
    {
      // This node's own beats come back every period: the sweep runs even when no other node
      // says anything at all.
      std::lock_guard<std::mutex> lock(mutex_);
      give_up_silent_nodes_locked(Clock::now());
    }
    if (r->node != node_)
      on_routed(*r);
  }
}

void RedisBridge::on_routed(const Routed &r) {
  bool back = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (r.kind == "bye")
      return forget_locked(r.node);
    last_heard_[r.node] = Clock::now();
    back = given_up_.erase(r.node) > 0;
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
  if (back) { // Its users were forgotten here: every node announces its users again.
    log_event("redis-node-back", {{"node", r.node}});
    publish({"", "hello", 0, false, ""});
  }
  if (r.kind != "beat")
    net::post(ioc_, [receive = receive_, r] { receive(r); });
}

bool RedisBridge::alive_locked(const std::string &node, Clock::time_point now) const {
  auto it = last_heard_.find(node);
  return it != last_heard_.end() && now - it->second <= 3 * heartbeat_;
}

void RedisBridge::forget_locked(const std::string &node) {
  last_heard_.erase(node);
  for (auto it = remote_online_.begin(); it != remote_online_.end();) {
    it->second.erase(node);
    it = it->second.empty() ? remote_online_.erase(it) : std::next(it);
  }
}

void RedisBridge::give_up_silent_nodes_locked(Clock::time_point now) {
  std::vector<std::string> silent;
  for (const auto &[node, heard] : last_heard_)
    if (!alive_locked(node, now))
      silent.push_back(node);
  for (const std::string &node : silent) {
    log_event("redis-node-lost", {{"node", node}});
    given_up_.insert(node);
    forget_locked(node);
  }
}

} // namespace chat
