// checks: errorshield-deferred-ref-capture
// Lobby service: party lifecycle, ready checks and presence fan-out.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core/error.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;

#define LOBBY_LOG(lvl, fmt, ...) \
  std::fprintf(stderr, "[lobby][%s] " fmt "\n", lvl, ##__VA_ARGS__)

namespace lobby {

struct LobbyConfig {
  std::chrono::seconds ready_check_timeout{15};
  std::chrono::milliseconds presence_debounce{250};
  std::size_t max_party_size = 5;
};

using ConnId = std::uint64_t;
using PlayerId = std::string;

class ScopeExit {
 public:
  explicit ScopeExit(std::function<void()> fn) : fn_(std::move(fn)) {}
  ScopeExit(const ScopeExit&) = delete;
  ScopeExit& operator=(const ScopeExit&) = delete;
  ~ScopeExit() {
    if (fn_) fn_();
  }
  void dismiss() { fn_ = nullptr; }

 private:
  std::function<void()> fn_;
};

class ConnectionRegistry {
 public:
  ConnId open(const PlayerId& who) {
    std::lock_guard lk(mtx_);
    ConnId id = ++next_;
    owners_[id] = who;
    return id;
  }
  void close(ConnId id) {
    std::lock_guard lk(mtx_);
    owners_.erase(id);
  }
  // Runs `pred` synchronously under the registry lock.
  template <class Pred>
  std::vector<ConnId> collect(Pred pred) const {
    std::lock_guard lk(mtx_);
    std::vector<ConnId> out;
    for (const auto& [id, who] : owners_)
      if (pred(who)) out.push_back(id);
    return out;
  }

 private:
  mutable std::mutex mtx_;
  ConnId next_ = 0;
  std::unordered_map<ConnId, PlayerId> owners_;
};

struct Party {
  std::string id;
  std::vector<PlayerId> members;
};

class LobbyService : public std::enable_shared_from_this<LobbyService> {
 public:
  LobbyService(asio::io_context& ioc, LobbyConfig cfg)
      : ioc_(ioc), strand_(asio::make_strand(ioc)), cfg_(cfg) {}

  // Opens a temporary control connection for the leader while members are
  // migrated; the same variable is then reused for each member's connection.
  void migrate_party(const Party& party) {
    if (party.members.empty()) return;
    ConnId conn_id = registry_.open(party.members.front());
    ScopeExit release([&] { registry_.close(conn_id); }); // expect: errorshield-deferred-ref-capture
    for (std::size_t i = 1; i < party.members.size(); ++i) {
      conn_id = registry_.open(party.members[i]);
      notify_member(conn_id, party.id);
    }
  }

  // Same shape, but the guard copies the id and the variable is never reused.
  void probe_leader(const Party& party) {
    if (party.members.empty()) return;
    const ConnId probe = registry_.open(party.members.front());
    ScopeExit by_value([probe, this] { registry_.close(probe); });
    ConnId ctl = registry_.open(party.members.front());
    ScopeExit by_ref([&] { registry_.close(ctl); });
    notify_member(ctl, party.id);
    notify_member(probe, party.id);
  }

  void start_ready_check(const Party& party) {
    auto timer = std::make_shared<asio::steady_timer>(ioc_, cfg_.ready_check_timeout);
    std::string party_id = party.id;
    timer->async_wait([&party_id, timer, self = shared_from_this()](beast::error_code ec) { // expect: errorshield-deferred-ref-capture
      if (!ec) self->expire_party(party_id);
    });
  }

  void start_ready_check_safe(const Party& party) {
    auto timer = std::make_shared<asio::steady_timer>(ioc_, cfg_.ready_check_timeout);
    timer->async_wait(
        [timer, party_id = party.id, self = shared_from_this()](beast::error_code ec) {
          if (!ec) self->expire_party(party_id);
        });
  }

  void broadcast_roster(const Party& party) {
    std::vector<PlayerId> roster = party.members;
    std::sort(roster.begin(), roster.end(),
              [&](const PlayerId& a, const PlayerId& b) { return rank_of(a) > rank_of(b); });
    asio::post(strand_, [&, self = shared_from_this()] { self->send_roster(party.id, roster); }); // expect: errorshield-deferred-ref-capture
  }

  void broadcast_roster_safe(const Party& party) {
    std::vector<PlayerId> roster = party.members;
    auto top = std::find_if(roster.begin(), roster.end(),
                            [&](const PlayerId& p) { return rank_of(p) >= min_rank_; });
    if (top == roster.end()) return;
    asio::post(strand_, [roster = std::move(roster), id = party.id, self = shared_from_this()] {
      self->send_roster(id, roster);
    });
  }

  void arm_disband_hook(const Party& party) {
    std::string leader = party.members.empty() ? std::string{} : party.members.front();
    on_disband_ = [&leader, this] { LOBBY_LOG("info", "party led by %s disbanded (%zu)", leader.c_str(), disbands_); }; // expect: errorshield-deferred-ref-capture
  }

  void arm_disband_hook_safe(const Party& party) {
    std::string leader = party.members.empty() ? std::string{} : party.members.front();
    on_disband_ = [leader, this] { LOBBY_LOG("info", "party led by %s disbanded (%zu)", leader.c_str(), disbands_); };
  }

  void flush_presence_async() {
    std::vector<ConnId> ids = registry_.collect([&](const PlayerId& w) { return !w.empty() && w != muted_; });
    std::thread([&ids, this] { for (ConnId c : ids) push_presence(c); }).detach(); // expect: errorshield-deferred-ref-capture
  }

  void flush_presence_blocking() {
    std::vector<ConnId> ids = registry_.collect([&](const PlayerId& w) { return !w.empty(); });
    std::thread worker([&] {
      for (ConnId c : ids) push_presence(c);
    });
    worker.join();
  }

  std::size_t count_online_parallel(const std::vector<Party>& parties) {
    std::size_t online = 0;
    auto fut = std::async(std::launch::async, [&] {
      for (const auto& p : parties) online += p.members.size();
    });
    fut.get();
    return online;
  }

  void disband(const Party& party) {
    ++disbands_;
    if (on_disband_) asio::post(strand_, on_disband_);
    LOBBY_LOG("info", "disbanding %s", party.id.c_str());
  }

 private:
  int rank_of(const PlayerId& p) const { return static_cast<int>(p.size()); }
  bool handshake_ok(ConnId) const { return true; }
  void notify_member(ConnId id, const std::string& party) {
    LOBBY_LOG("debug", "notify %llu about %s", static_cast<unsigned long long>(id), party.c_str());
  }
  void expire_party(const std::string& id) { LOBBY_LOG("warn", "ready check expired: %s", id.c_str()); }
  void send_roster(const std::string& id, const std::vector<PlayerId>& r) {
    LOBBY_LOG("debug", "roster %s size=%zu", id.c_str(), r.size());
  }
  void push_presence(ConnId) {}

  asio::io_context& ioc_;
  asio::strand<asio::io_context::executor_type> strand_;
  LobbyConfig cfg_;
  ConnectionRegistry registry_;
  std::function<void()> on_disband_;
  std::size_t disbands_ = 0;
  int min_rank_ = 3;
  std::string muted_;
};

// Offline admin tool: the io_context is local and fully drained before the
// captured locals go out of scope, so the by-reference capture is safe.
std::size_t replay_party_log(const std::vector<Party>& parties) {
  asio::io_context local;
  std::size_t total = 0;
  for (const auto& p : parties) {
    asio::post(local, [&total, &p] { total += p.members.size(); });
  }
  local.run();
  return total;
}

// Retry loop: the posted task reads `attempt` after the loop already moved on.
void schedule_reconnects(asio::io_context& ioc, ConnectionRegistry& reg, const PlayerId& who) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    asio::post(ioc, [&reg, &who, &attempt] { if (attempt < 2) reg.open(who); }); // expect: errorshield-deferred-ref-capture
  }
}

void schedule_reconnects_safe(asio::io_context& ioc, ConnectionRegistry& reg, const PlayerId& who) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    asio::post(ioc, [&reg, who, attempt] { if (attempt < 2) reg.open(who); });
  }
}

}  // namespace lobby

int main() {
  asio::io_context ioc;
  auto svc = std::make_shared<lobby::LobbyService>(ioc, lobby::LobbyConfig{});
  lobby::Party p{"p-1", {"alice", "bob", "carol"}};
  svc->migrate_party(p);
  svc->start_ready_check_safe(p);
  svc->broadcast_roster_safe(p);
  svc->arm_disband_hook_safe(p);
  svc->disband(p);
  ioc.run();
  return static_cast<int>(lobby::replay_party_log({p}) == 0);
}
