// checks: errorshield-deferred-ref-capture
// Game-master console hub for an escape-room venue. Each room has a console
// (tablet) that the GM uses to push hints, extend timers and unlock props.
// The hub keeps room locks so two GMs cannot drive the same room at once.
#include <boost/asio.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <iostream>
#include <list>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;

class RoomLocks {
public:
  bool acquire(int room, const std::string &gm) {
    if (held_.count(room))
      return false;
    held_.insert(room);
    std::cout << gm << " took room " << room << "\n";
    return true;
  }
  void release(int room) { held_.erase(room); }

private:
  std::set<int> held_;
};

class ConsoleDirectory {
public:
  void connect(const std::string &console_id) { online_.insert(console_id); }
  void disconnect(const std::string &console_id) { online_.erase(console_id); }
  void send(const std::string &console_id, const std::string &msg) {
    if (online_.count(console_id))
      std::cout << console_id << " <- " << msg << "\n";
  }

private:
  std::set<std::string> online_;
};

// Runs a callable on every exit path of the enclosing block.
class ScopeExit {
public:
  explicit ScopeExit(std::function<void()> fn) : fn_(std::move(fn)) {}
  ScopeExit(const ScopeExit &) = delete;
  ScopeExit &operator=(const ScopeExit &) = delete;
  ~ScopeExit() {
    if (fn_)
      fn_();
  }

private:
  std::function<void()> fn_;
};

static std::vector<std::string> g_audit_trail;

// A GM takes over a room; if the primary room is busy we fall back to the
// overflow room. Whatever room we end up holding must be released at the end.
void run_takeover(RoomLocks &locks, int primary, int overflow, const std::string &gm) {
  int room = primary;
  ScopeExit unlock([&] { locks.release(room); }); // expect: errorshield-deferred-ref-capture
  if (!locks.acquire(room, gm)) {
    room = overflow;
    locks.acquire(room, gm);
  }
  std::cout << gm << " driving room " << room << "\n";
}

void run_solo_session(RoomLocks &locks, int room, const std::string &gm) {
  if (!locks.acquire(room, gm))
    return;
  ScopeExit unlock([&] { locks.release(room); });
  std::cout << gm << " driving room " << room << "\n";
}

// Console reconnects with a new id after a tablet reboot; the old session is
// torn down once the handover completes.
void handover_console(ConsoleDirectory &dir, std::string console_id, const std::string &new_id) {
  dir.connect(console_id);
  std::shared_ptr<void> teardown(nullptr, [&](void *) { dir.disconnect(console_id); }); // expect: errorshield-deferred-ref-capture
  dir.send(console_id, "handover");
  console_id = new_id;
  dir.connect(console_id);
}

void drop_console(ConsoleDirectory &dir, std::string console_id) {
  std::shared_ptr<void> teardown(nullptr, [&dir, id = console_id](void *) { dir.disconnect(id); });
  dir.send(console_id, "bye");
  console_id.clear();
}

template <class Executor> class HintScheduler {
public:
  HintScheduler(Executor ex, ConsoleDirectory &dir) : ex_(std::move(ex)), dir_(dir) {}

  void push(std::string console_id, std::string text) {
    asio::post(ex_, [this, &console_id, &text] { dir_.send(console_id, text); }); // expect: errorshield-deferred-ref-capture
  }

  void push_owned(std::string console_id, std::string text) {
    asio::post(ex_, [this, c = std::move(console_id), t = std::move(text)] { dir_.send(c, t); });
  }

private:
  Executor ex_;
  ConsoleDirectory &dir_;
};

class CountdownBoard {
public:
  explicit CountdownBoard(asio::io_context &ioc, ConsoleDirectory &dir) : ioc_(ioc), dir_(dir) {}

  // Every room gets a "10 minutes left" warning on its console.
  void schedule_warnings(const std::vector<int> &rooms) {
    for (int room : rooms) {
      auto &t = timers_.emplace_back(ioc_, 50min);
      t.async_wait([this, &room](boost::system::error_code ec) { if (!ec) warn(room); }); // expect: errorshield-deferred-ref-capture
    }
  }

  void schedule_final_call(const std::vector<int> &rooms) {
    for (int room : rooms) {
      auto &t = timers_.emplace_back(ioc_, 59min);
      t.async_wait([this, room_no = room](boost::system::error_code ec) {
        if (!ec)
          warn(room_no);
      });
    }
  }

private:
  void warn(int room) { dir_.send("console-" + std::to_string(room), "10 minutes left"); }

  asio::io_context &ioc_;
  ConsoleDirectory &dir_;
  std::list<asio::steady_timer> timers_;
};

asio::awaitable<void> unlock_prop(ConsoleDirectory &dir, std::string console_id, int prop) {
  asio::steady_timer settle(co_await asio::this_coro::executor, 200ms);
  co_await settle.async_wait(asio::use_awaitable);
  dir.send(console_id, "prop " + std::to_string(prop) + " open");
}

void remote_unlock(asio::io_context &ioc, ConsoleDirectory &dir, int room, int prop) {
  std::string console_id = "console-" + std::to_string(room);
  asio::co_spawn(ioc, [&]() -> asio::awaitable<void> { co_await unlock_prop(dir, console_id, prop); }, asio::detached); // expect: errorshield-deferred-ref-capture
}

void remote_unlock_safe(asio::io_context &ioc, ConsoleDirectory &dir, int room, int prop) {
  std::string console_id = "console-" + std::to_string(room);
  asio::co_spawn(ioc, unlock_prop(dir, console_id, prop), asio::detached);
}

// Synchronous lookup used by the booking kiosk: the future is awaited before
// returning, so borrowing the locals is fine.
bool room_free_now(RoomLocks &locks, int room) {
  std::string probe = "kiosk";
  auto fut = std::async(std::launch::async, [&] {
    bool ok = locks.acquire(room, probe);
    if (ok)
      locks.release(room);
    return ok;
  });
  return fut.get();
}

void audit_async(asio::io_context &ioc, const std::string &entry) {
  asio::post(ioc, [entry] { g_audit_trail.push_back(entry); });
  asio::post(ioc, [] { g_audit_trail.shrink_to_fit(); });
}

int main() {
  asio::io_context ioc;
  RoomLocks locks;
  ConsoleDirectory dir;
  dir.connect("console-3");
  run_takeover(locks, 3, 9, "gm-ana");
  run_solo_session(locks, 4, "gm-rui");
  handover_console(dir, "console-3", "console-3b");
  drop_console(dir, "console-3b");
  HintScheduler<asio::io_context::executor_type> hints(ioc.get_executor(), dir);
  hints.push("console-3", "look under the clock");
  hints.push_owned("console-3", "the code has four digits");
  CountdownBoard board(ioc, dir);
  board.schedule_warnings({3, 4});
  board.schedule_final_call({3, 4});
  remote_unlock(ioc, dir, 3, 2);
  remote_unlock_safe(ioc, dir, 4, 1);
  room_free_now(locks, 5);
  audit_async(ioc, "boot");
  ioc.run();
}
