// checks: errorshield-deferred-ref-capture
// Ferris wheel boarding service: assigns riders to cabins, releases cabins
// when a ride finishes or a rider's connection drops.
#include <boost/asio.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace wheel {

struct Rider {
  std::string ticket;
  int party_size = 1;
};

class CabinTable {
public:
  explicit CabinTable(int cabins) : occupied_(cabins, false) {}

  std::optional<int> claim(int party_size) {
    std::lock_guard lk(mu_);
    if (party_size > 6) return std::nullopt;
    for (int i = 0; i < static_cast<int>(occupied_.size()); ++i) {
      if (!occupied_[i]) {
        occupied_[i] = true;
        return i;
      }
    }
    return std::nullopt;
  }

  void release(int cabin) {
    std::lock_guard lk(mu_);
    if (cabin >= 0 && cabin < static_cast<int>(occupied_.size())) occupied_[cabin] = false;
  }

private:
  std::mutex mu_;
  std::vector<bool> occupied_;
};

// Small scope guard used all over the boarding code.
template <class F> class ScopeExit {
public:
  explicit ScopeExit(F f) : f_(std::move(f)) {}
  ScopeExit(const ScopeExit &) = delete;
  ScopeExit &operator=(const ScopeExit &) = delete;
  ~ScopeExit() {
    if (armed_) f_();
  }
  void dismiss() { armed_ = false; }

private:
  F f_;
  bool armed_ = true;
};
template <class F> ScopeExit<F> on_scope_exit(F f) { return ScopeExit<F>(std::move(f)); }

bool load_safety_bar(int cabin);
void notify_rider(const std::string &ticket, const std::string &msg);
void log_event(const std::string &what);

// Boards a party. If loading fails we hand the first cabin back; when the
// first cabin turns out to be too small we try the next free one.
bool board_party(CabinTable &table, const Rider &rider) {
  auto first = table.claim(rider.party_size);
  if (!first) return false;
  int cabin = *first;
  auto undo = on_scope_exit([&] { table.release(cabin); }); // expect: errorshield-deferred-ref-capture
  if (!load_safety_bar(cabin)) {
    auto second = table.claim(rider.party_size);
    if (!second) return false;
    cabin = *second;
    if (!load_safety_bar(cabin)) return false;
  }
  undo.dismiss();
  notify_rider(rider.ticket, "boarded cabin " + std::to_string(cabin));
  return true;
}

// Same idea, but the guard only reads the cabin, nothing changes it later.
bool board_single(CabinTable &table, const Rider &rider) {
  auto got = table.claim(1);
  if (!got) return false;
  const int cabin = *got;
  auto undo = on_scope_exit([&] { table.release(cabin); });
  if (!load_safety_bar(cabin)) return false;
  undo.dismiss();
  notify_rider(rider.ticket, "enjoy the ride");
  return true;
}

class RideController {
public:
  RideController(asio::io_context &ioc, CabinTable &table)
      : ioc_(ioc), strand_(asio::make_strand(ioc)), table_(table) {}

  // Schedules the end-of-ride release after one full rotation.
  void start_rotation(int cabin, std::string ticket) {
    auto timer = std::make_shared<asio::steady_timer>(ioc_, 12min);
    timer->async_wait([this, timer, &ticket, cabin](boost::system::error_code ec) { // expect: errorshield-deferred-ref-capture
      if (ec) return;
      table_.release(cabin);
      notify_rider(ticket, "ride complete");
    });
  }

  // Correct version kept for the express line: everything copied in.
  void start_express(int cabin, std::string ticket) {
    auto timer = std::make_shared<asio::steady_timer>(ioc_, 6min);
    timer->async_wait([this, timer, cabin, ticket = std::move(ticket)](boost::system::error_code ec) {
      if (ec) return;
      table_.release(cabin);
      notify_rider(ticket, "express ride complete");
    });
  }

  // Rider's phone disconnected: free the cabin on the strand.
  void on_disconnect(const std::string &ticket) {
    int cabin = -1;
    {
      std::lock_guard lk(index_mu_);
      auto it = by_ticket_.find(ticket);
      if (it == by_ticket_.end()) return;
      cabin = it->second;
      by_ticket_.erase(it);
    }
    asio::post(strand_, [this, &cabin] { table_.release(cabin); }); // expect: errorshield-deferred-ref-capture
  }

  // Batch evacuation: release every cabin in the list once the wheel stops.
  void evacuate(const std::vector<int> &cabins) {
    int current = 0;
    for (std::size_t i = 0; i < cabins.size(); ++i) {
      current = cabins[i];
      asio::post(strand_, [&, this] { table_.release(current); }); // expect: errorshield-deferred-ref-capture
    }
  }

  void remember(const std::string &ticket, int cabin) {
    std::lock_guard lk(index_mu_);
    by_ticket_[ticket] = cabin;
  }

  // Synchronous sweep: the lambda runs before we return.
  int count_assigned() {
    std::lock_guard lk(index_mu_);
    int n = 0;
    auto bump = [&n](const auto &) { ++n; };
    for (const auto &kv : by_ticket_) bump(kv);
    return n;
  }

private:
  asio::io_context &ioc_;
  asio::strand<asio::io_context::executor_type> strand_;
  CabinTable &table_;
  std::mutex index_mu_;
  std::unordered_map<std::string, int> by_ticket_;
};

// Generic helper used by the maintenance crew tooling.
template <class Executor, class Table>
void schedule_inspection(Executor ex, Table &table, int cabin) {
  int locked_cabin = cabin;
  asio::post(ex, [&table, &locked_cabin] { table.release(locked_cabin); }); // expect: errorshield-deferred-ref-capture
}

// The io_context reference refers to an object owned by main, so capturing
// it by reference is fine; the cabin itself is copied.
template <class Table>
void schedule_release(asio::io_context &ioc, Table &table, int cabin) {
  asio::post(ioc, [&table, cabin] { table.release(cabin); });
}

asio::awaitable<void> watch_cabin(CabinTable &table, int cabin) {
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer t(ex, 30s);
  co_await t.async_wait(asio::use_awaitable);
  table.release(cabin);
}

// Spawns a watchdog per cabin; the coroutine receives the cabin by value.
void spawn_watchdogs(asio::io_context &ioc, CabinTable &table, int cabins) {
  for (int c = 0; c < cabins; ++c) {
    asio::co_spawn(ioc, watch_cabin(table, c), asio::detached);
  }
}

// Operator console: a short-lived worker counts down and then frees the
// cabin. We wait for it before returning.
void manual_release(CabinTable &table, int cabin) {
  std::thread worker([&] {
    std::this_thread::sleep_for(50ms);
    table.release(cabin);
  });
  worker.join();
}

// Logs when a cabin has been idle too long.
void arm_idle_alarm(asio::io_context &ioc, int cabin) {
  std::string label = "cabin-" + std::to_string(cabin);
  auto timer = std::make_shared<asio::steady_timer>(ioc, 5min);
  timer->async_wait([timer, label](boost::system::error_code ec) {
    if (!ec) log_event(label + " idle for 5 minutes");
  });
}

} // namespace wheel

int main() {
  asio::io_context ioc;
  wheel::CabinTable table(32);
  wheel::RideController ctl(ioc, table);
  ctl.remember("T-1001", 3);
  ctl.start_rotation(3, "T-1001");
  ctl.start_express(4, "T-1002");
  wheel::spawn_watchdogs(ioc, table, 4);
  wheel::schedule_release(ioc, table, 5);
  wheel::schedule_inspection(ioc.get_executor(), table, 6);
  wheel::arm_idle_alarm(ioc, 7);
  ctl.evacuate({1, 2, 3});
  ctl.on_disconnect("T-1001");
  wheel::manual_release(table, 8);
  ioc.run();
}
