// checks: errorshield-deferred-ref-capture
// Connection registry of a market-data push server. Each logged-in user has at
// most one live connection; reconnects replace it and tear the old one down.
#include <boost/asio.hpp>

#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace asio = boost::asio;

// Minimal stand-in for the GSL scope guard (gsl/util), which is not installed here.
namespace gsl {
template <class F>
class final_action {
 public:
  explicit final_action(F f) noexcept : f_(std::move(f)) {}
  final_action(final_action&& other) noexcept
      : f_(std::move(other.f_)), invoke_(std::exchange(other.invoke_, false)) {}
  final_action(const final_action&) = delete;
  final_action& operator=(const final_action&) = delete;
  ~final_action() noexcept {
    if (invoke_) f_();
  }

 private:
  F f_;
  bool invoke_ = true;
};
template <class F>
[[nodiscard]] final_action<std::decay_t<F>> finally(F&& f) noexcept {
  return final_action<std::decay_t<F>>(std::forward<F>(f));
}
}  // namespace gsl

struct Connection {
  int user_id = 0;
  std::string peer;
  bool open = true;
  void close() { open = false; }
};

void log_line(const std::string& what);

class ConnectionRegistry {
 public:
  explicit ConnectionRegistry(asio::io_context& ioc) : ioc_(ioc) {}

  std::shared_ptr<Connection> find(int user_id) {
    auto it = conns_.find(user_id);
    return it == conns_.end() ? nullptr : it->second;
  }

  void disconnect(int user_id, const std::shared_ptr<Connection>& conn) {
    if (conn) conn->close();
    conns_.erase(user_id);
    if (auto cb = on_disconnect_.find(user_id); cb != on_disconnect_.end()) cb->second(0);
  }

  // Batch reconnect after a gateway failover (users 1001-1004 in the incident).
  void reconnect_all(const std::vector<int>& users) {
    int conn_id = users.front();
    std::shared_ptr<Connection> conn = find(conn_id);
    // conn_id/conn are reassigned in the loop: the cleanup disconnects the last user, not the first
    auto cleanup = gsl::finally([&] { disconnect(conn_id, conn); });  // expect: errorshield-deferred-ref-capture
    for (int user : users) {
      conn_id = user;
      conn = find(user);
      if (conn) conn->peer = "reconnecting";
    }
  }

  // Replace a user's connection; the old raw pointer is released at scope exit.
  void replace(int user_id, std::shared_ptr<Connection> fresh) {
    Connection* current = find(user_id).get();
    // current is repointed at the fresh connection before the guard fires
    auto close_old = gsl::finally([&current] { if (current) current->close(); });  // expect: errorshield-deferred-ref-capture
    conns_[user_id] = fresh;
    current = fresh.get();
    log_line("replaced connection of user " + std::to_string(user_id));
  }

  void drop(int user_id) {
    auto conn = find(user_id);
    if (!conn) return;
    // fine: user_id and conn are only read after the guard (conn->close() mutates the pointee, not conn)
    auto erase_later = gsl::finally([&] { conns_.erase(user_id); log_line("erased " + conn->peer); });
    conn->close();
    log_line("dropping " + conn->peer);
  }

  void drop_many(std::vector<int> ids) {
    {
      int first = ids.front();
      // fine: the guard fires at the end of this block, before `first` is touched again
      auto g = gsl::finally([&first] { log_line("dropped batch starting at " + std::to_string(first)); });
      for (int id : ids) disconnect(id, find(id));
    }
    ids.clear();
  }

  void watch(int user_id) {
    std::string label = "user-" + std::to_string(user_id);
    // stored in the member map: fires on a later disconnect, long after label is gone
    on_disconnect_[user_id] = [&label](int code) { log_line(label + " closed, code " + std::to_string(code)); };  // expect: errorshield-deferred-ref-capture
  }

  void watch_by_value(int user_id) {
    std::string label = "user-" + std::to_string(user_id);
    // fine: label is copied into the stored callback
    on_disconnect_[user_id] = [label](int code) { log_line(label + " closed, code " + std::to_string(code)); };
  }

  void kick(int user_id, std::string reason) {
    // reason is a by-value parameter; the posted handler runs after kick() returns
    asio::post(ioc_, [this, user_id, &reason] { disconnect(user_id, find(user_id)); log_line(reason); });  // expect: errorshield-deferred-ref-capture
  }

  void kick_all(const std::string& reason) {
    for (auto& entry : conns_) {
      // fine: entry is a reference into the registry's own map, not a local object
      asio::post(ioc_, [this, &entry, reason] { log_line(reason + " " + entry.second->peer); });
    }
  }

  void kick_ids(const std::vector<int>& ids) {
    for (int id : ids) {
      // id is a per-iteration copy; every posted handler refers to a dead loop variable
      asio::post(ioc_, [this, &id] { disconnect(id, find(id)); });  // expect: errorshield-deferred-ref-capture
    }
  }

  void touch(int user_id) {
    auto& slot = conns_[user_id];
    // fine: slot is a reference to the map element, and `this` is not a local
    asio::post(ioc_, [this, &slot, user_id] { if (!slot) slot = std::make_shared<Connection>(); slot->user_id = user_id; });
  }

  void resync(int user_id, int extra_channel) {
    std::vector<int> saved = subscriptions_[user_id];
    // the guard should restore the old channel set, but push_back below changes `saved` first
    auto restore = gsl::finally([&saved, this, user_id] { subscriptions_[user_id] = saved; });  // expect: errorshield-deferred-ref-capture
    saved.push_back(extra_channel);
    subscriptions_[user_id].clear();
  }

  void audit_subscriptions(int user_id) {
    std::vector<int> saved = subscriptions_[user_id];
    // fine: only const member functions of `saved` are called after the guard
    auto report = gsl::finally([&saved, user_id] { log_line(std::to_string(user_id) + ": " + std::to_string(saved.size())); });
    if (saved.empty() || saved.size() > 64) log_line("suspicious subscription set");
  }

  std::size_t count_open() const {
    std::size_t n = 0;
    // fine: invoked immediately
    [&] { for (const auto& [id, c] : conns_) n += c->open ? 1 : 0; }();
    return n;
  }

 private:
  asio::io_context& ioc_;
  std::map<int, std::shared_ptr<Connection>> conns_;
  std::map<int, std::function<void(int)>> on_disconnect_;
  std::map<int, std::vector<int>> subscriptions_;
};
