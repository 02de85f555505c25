// checks: errorshield-deferred-ref-capture
// Chat server: session registry + disconnect handling.
#include <boost/asio.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace chat {

// tiny scope guard we use everywhere (copied from the old codebase)
template <class Fn> class ScopeExit {
public:
  explicit ScopeExit(Fn fn) : fn_(std::move(fn)) {}
  ~ScopeExit() {
    if (armed_) fn_();
  }
  void dismiss() { armed_ = false; }
  ScopeExit(const ScopeExit &) = delete;

private:
  Fn fn_;
  bool armed_ = true;
};
template <class Fn> ScopeExit<Fn> on_scope_exit(Fn fn) { return ScopeExit<Fn>(std::move(fn)); }

struct Session {
  std::string user_id;
  std::uint64_t conn_id = 0;
  tcp::socket *sock = nullptr;
};

struct DisconnectEvent {
  std::string user_id;
  std::uint64_t conn_id;
};

void log_line(const std::string &s);
std::uint64_t next_conn_id();
bool send_goodbye(std::uint64_t conn_id);

class SessionRegistry {
public:
  explicit SessionRegistry(asio::io_context &ioc) : ioc_(ioc), strand_(asio::make_strand(ioc)) {}

  void add(Session s) {
    std::lock_guard<std::mutex> lk(mu_);
    sessions_[s.conn_id] = std::move(s);
  }

  void erase(std::uint64_t conn_id) {
    std::lock_guard<std::mutex> lk(mu_);
    sessions_.erase(conn_id);
  }

  // BUG (the one from the incident): the loop variable is reused across
  // iterations, so by the time the strand runs the handlers every one of
  // them erases the LAST connection id in the batch.
  void drain_disconnects(const std::vector<DisconnectEvent> &batch) {
    std::uint64_t victim = 0;
    for (const auto &ev : batch) {
      victim = ev.conn_id;
      asio::post(strand_, [&victim, this] { erase(victim); }); // expect: errorshield-deferred-ref-capture
    }
  }

  // Fixed version of the above: capture the id by value.
  void drain_disconnects_fixed(const std::vector<DisconnectEvent> &batch) {
    for (const auto &ev : batch) {
      std::uint64_t victim = ev.conn_id;
      asio::post(strand_, [victim, this] { erase(victim); });
    }
  }

  // BUG: cleanup guard captures `conn` by reference, then `conn` is
  // re-pointed at the reconnect id. The guard closes the NEW connection.
  void reconnect(std::uint64_t old_conn) {
    std::uint64_t conn = old_conn;
    auto cleanup = on_scope_exit([&] { erase(conn); }); // expect: errorshield-deferred-ref-capture
    if (!send_goodbye(conn)) {
      log_line("goodbye failed");
    }
    conn = next_conn_id();
    log_line("reconnected as " + std::to_string(conn));
  }

  // OK: reference capture but nothing is written after the guard.
  void kick(std::uint64_t conn) {
    std::string reason = "kicked by moderator";
    auto cleanup = on_scope_exit([&] {
      log_line(reason);
      erase(conn);
    });
    send_goodbye(conn);
  }

  // OK: variable modified BEFORE the guard is created, never after.
  void kick_with_reason(std::uint64_t conn, bool spam) {
    std::string reason = "kicked";
    if (spam) reason += " (spam)";
    auto cleanup = on_scope_exit([&] { log_line(reason + " " + std::to_string(conn)); });
    send_goodbye(conn);
  }

  // BUG: `user` is a local; handler runs after we return.
  void schedule_presence_broadcast(const Session &s) {
    std::string user = s.user_id;
    asio::post(ioc_, [&user] { log_line("presence: " + user + " online"); }); // expect: errorshield-deferred-ref-capture
  }

  // OK: value capture via init-capture.
  void schedule_presence_broadcast_fixed(const Session &s) {
    asio::post(ioc_, [user = s.user_id] { log_line("presence: " + user + " online"); });
  }

  // BUG: detached worker outlives the stack frame holding `pending`.
  void flush_offline_queue(std::uint64_t conn) {
    std::vector<std::string> pending = load_offline(conn);
    std::thread([&pending, conn] { // expect: errorshield-deferred-ref-capture
      for (auto &m : pending) log_line("replay " + m + " to " + std::to_string(conn));
    }).detach();
  }

  // OK: joined before return.
  void flush_offline_queue_sync(std::uint64_t conn) {
    std::vector<std::string> pending = load_offline(conn);
    std::thread worker([&pending, conn] {
      for (auto &m : pending) log_line("replay " + m + " to " + std::to_string(conn));
    });
    worker.join();
  }

  // OK: by-ref capture used synchronously (std::function called right away).
  std::size_t count_user(const std::string &user) {
    std::size_t n = 0;
    std::function<void(const Session &)> visit = [&](const Session &s) {
      if (s.user_id == user) ++n;
    };
    std::lock_guard<std::mutex> lk(mu_);
    for (auto &kv : sessions_) visit(kv.second);
    return n;
  }

  // BUG: stored callback keeps a reference to a local that dies at return.
  void arm_idle_timeout(std::uint64_t conn) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    on_idle_ = [&deadline, conn] { // expect: errorshield-deferred-ref-capture
      if (std::chrono::steady_clock::now() > deadline) log_line("idle " + std::to_string(conn));
    };
  }

  // OK: [this] is a pointer copy; members live as long as the registry.
  void arm_idle_timeout_fixed(std::uint64_t conn) {
    idle_deadline_ = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    on_idle_ = [this, conn] {
      if (std::chrono::steady_clock::now() > idle_deadline_) log_line("idle " + std::to_string(conn));
    };
  }

  void tick() {
    if (on_idle_) on_idle_();
  }

private:
  std::vector<std::string> load_offline(std::uint64_t conn);

  asio::io_context &ioc_;
  asio::strand<asio::io_context::executor_type> strand_;
  std::mutex mu_;
  std::unordered_map<std::uint64_t, Session> sessions_;
  std::function<void()> on_idle_;
  std::chrono::steady_clock::time_point idle_deadline_;
};

// OK: local io_context is run to completion in the same scope, so the
// reference-captured locals are still alive when handlers execute.
int run_selftest() {
  asio::io_context ioc;
  int replies = 0;
  std::string banner = "selftest";
  asio::post(ioc, [&] {
    ++replies;
    log_line(banner);
  });
  asio::post(ioc, [&replies] { ++replies; });
  ioc.run();
  return replies;
}

} // namespace chat
