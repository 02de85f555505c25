// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-deferred-ref-capture' -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --fix --checks='-*,errorshield-deferred-ref-capture' -- -std=c++20 -nostdinc++ -isystem %mocks
// RUN: FileCheck %s --check-prefix=CHECK-FIXES --input-file=%t.cpp
// RUN: %clangxx -fsyntax-only -std=c++20 -nostdinc++ -isystem %mocks %t.cpp

#include "deferred.h"

void close_conn(int);
int reopen();
void consume(const std::string &);
void refill(std::string &);

// ---- 1. Deferred cleanup: the guard runs at scope exit and sees later writes ----

void seed_incident_user_guard(int id) {
  int conn = id;
  auto guard = on_exit([&] { close_conn(conn); });
// CHECK-MESSAGES: :[[@LINE-1]]:24: warning: 'conn' is captured by reference in a deferred cleanup and modified after the guard is created [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
// CHECK-MESSAGES: :[[@LINE+2]]:3: note: 'conn' is modified here, before the cleanup runs
// CHECK-FIXES: auto guard = on_exit([conn] { close_conn(conn); });
  conn = reopen();
}

void gsl_finally_explicit(int id) {
  int conn = id;
  auto guard = gsl::finally([&conn] { close_conn(conn); });
// CHECK-MESSAGES: :[[@LINE-1]]:30: warning: 'conn' is captured by reference in a deferred cleanup and modified after the guard is created [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
// CHECK-MESSAGES: :[[@LINE+2]]:5: note: 'conn' is modified here, before the cleanup runs
// CHECK-FIXES: auto guard = gsl::finally([conn] { close_conn(conn); });
  ++conn;
}

void absl_cleanup_ctad(int id) {
  int conn = id;
  absl::Cleanup guard = [&conn] { close_conn(conn); };
// CHECK-MESSAGES: :[[@LINE-1]]:26: warning: 'conn' is captured by reference in a deferred cleanup and modified after the guard is created [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
// CHECK-MESSAGES: :[[@LINE+2]]:3: note: 'conn' is modified here, before the cleanup runs
// CHECK-FIXES: absl::Cleanup guard = [conn] { close_conn(conn); };
  conn += 1;
}

void absl_make_cleanup_nonconst_ref_arg() {
  std::string who = "1001";
  auto guard = absl::MakeCleanup([&who] { consume(who); });
// CHECK-MESSAGES: :[[@LINE-1]]:35: warning: 'who' is captured by reference in a deferred cleanup and modified after the guard is created [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
// CHECK-MESSAGES: :[[@LINE+2]]:10: note: 'who' is modified here, before the cleanup runs
// CHECK-FIXES: auto guard = absl::MakeCleanup([who] { consume(who); });
  refill(who);
}

void deleter_through_local_lambda(int *raw, int id) {
  int slot = id;
  auto release = [&slot](int *p) { close_conn(slot); };
// CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'slot' is captured by reference in a deferred cleanup and modified after the guard is created [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
// CHECK-MESSAGES: :[[@LINE+3]]:3: note: 'slot' is modified here, before the cleanup runs
// CHECK-FIXES: auto release = [slot](int *p) { close_conn(slot); };
  std::unique_ptr<int, decltype(release)> owned(raw, release);
  slot = reopen();
}

void shared_ptr_deleter_member_call() {
  std::string log;
  std::shared_ptr<int> token(nullptr, [&log](int *) { consume(log); });
// CHECK-MESSAGES: :[[@LINE-1]]:40: warning: 'log' is captured by reference in a deferred cleanup and modified after the guard is created [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
// CHECK-MESSAGES: :[[@LINE+2]]:3: note: 'log' is modified here, before the cleanup runs
// CHECK-FIXES: std::shared_ptr<int> token(nullptr, [log](int *) { consume(log); });
  log.clear();
}

void two_captures_one_written(int id) {
  int conn = id;
  int user = id;
  auto guard = on_exit([&] { close_conn(conn + user); });
// CHECK-MESSAGES: :[[@LINE-1]]:24: warning: 'conn' is captured by reference in a deferred cleanup and modified after the guard is created [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
// CHECK-MESSAGES: :[[@LINE+2]]:3: note: 'conn' is modified here, before the cleanup runs
// CHECK-FIXES: auto guard = on_exit([conn, &user] { close_conn(conn + user); });
  conn = reopen();
}

// Negatives for cleanups.
void guard_not_written_after(int id) {
  int conn = id;
  conn = reopen(); // before the guard: the guard sees this value, as intended
  auto guard = on_exit([&] { close_conn(conn); });
  close_conn(conn);
}

void guard_by_value(int id) {
  int conn = id;
  auto guard = on_exit([conn] { close_conn(conn); });
  conn = reopen();
}

void guard_write_after_scope_ended(int id) {
  int conn = id;
  {
    auto guard = on_exit([&] { close_conn(conn); });
  }
  conn = reopen(); // the guard already ran
}

void guard_reference_variable(int &conn) {
  auto guard = on_exit([&conn] { close_conn(conn); });
  conn = reopen(); // a reference parameter: the caller's object, not a local
}

// A write that turns the cleanup off on purpose: the guard dismissed first, or a flag or sentinel
// the cleanup tests set to a constant (commit/rollback, ownership handed to the caller).
void guard_dismissed(int id) {
  int conn = id;
  auto guard = on_exit([&] { close_conn(conn); });
  guard.dismiss();
  conn = reopen();
}

int guard_released_by_sentinel(int fd) {
  auto guard = on_exit([&] { if (fd >= 0) close_conn(fd); });
  int out = fd;
  fd = -1;
  return out;
}

void guard_committed(int &balance, int delta) {
  bool committed = false;
  int backup = balance;
  auto guard = on_exit([&] { if (!committed) balance = backup; });
  balance += delta;
  committed = true;
}

// Still retargeted: dismissed only after the write, or a tested variable given another object.
void guard_dismissed_late(int id) {
  int conn = id;
  auto guard = on_exit([&] { close_conn(conn); });
// CHECK-MESSAGES: :[[@LINE-1]]:24: warning: 'conn' is captured by reference in a deferred cleanup and modified after the guard is created [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
// CHECK-MESSAGES: :[[@LINE+2]]:3: note: 'conn' is modified here, before the cleanup runs
// CHECK-FIXES: auto guard = on_exit([conn] { close_conn(conn); });
  conn = reopen();
  guard.dismiss();
}

void guard_tested_but_retargeted(int id) {
  int conn = id;
  auto guard = on_exit([&] { if (conn >= 0) close_conn(conn); });
// CHECK-MESSAGES: :[[@LINE-1]]:24: warning: 'conn' is captured by reference in a deferred cleanup and modified after the guard is created [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
// CHECK-MESSAGES: :[[@LINE+2]]:3: note: 'conn' is modified here, before the cleanup runs
// CHECK-FIXES: auto guard = on_exit([conn] { if (conn >= 0) close_conn(conn); });
  conn = reopen();
}
// ---- 2. Deferred execution: the lambda may run after the scope ends ----

void posted_handler(boost::asio::io_context &ioc) {
  std::string who = "1001";
  boost::asio::post(ioc, [&who] { consume(who); });
// CHECK-MESSAGES: :[[@LINE-1]]:27: warning: 'who' is captured by reference by a completion handler that may run after 'who' goes out of scope [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
// CHECK-MESSAGES: :[[@LINE-2]]:3: note: the handler is passed to 'post' here
// CHECK-FIXES: boost::asio::post(ioc, [who] { consume(who); });
}

void async_op_handler(boost::asio::ip::tcp::socket &sock) {
  std::string buf;
  sock.async_read_some(boost::asio::buffer(buf), [&](int ec, size_t n) { consume(buf); });
// CHECK-MESSAGES: :[[@LINE-1]]:50: warning: 'buf' is captured by reference by a completion handler that may run after 'buf' goes out of scope [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
// CHECK-MESSAGES: :[[@LINE-2]]:8: note: the handler is passed to 'async_read_some' here
// CHECK-FIXES: sock.async_read_some(boost::asio::buffer(buf), [buf](int ec, size_t n) { consume(buf); });
}

void wrapped_handler(boost::asio::steady_timer &timer, boost::asio::io_context &ioc) {
  std::string who = "1002";
  timer.async_wait(boost::asio::bind_executor(ioc.get_executor(), [&who](int) { consume(who); }));
// CHECK-MESSAGES: :[[@LINE-1]]:68: warning: 'who' is captured by reference by a completion handler that may run after 'who' goes out of scope [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
// CHECK-MESSAGES: :[[@LINE-2]]:9: note: the handler is passed to 'async_wait' here
// CHECK-FIXES: timer.async_wait(boost::asio::bind_executor(ioc.get_executor(), [who](int) { consume(who); }));
}

void detached_thread() {
  std::string who = "1003";
  std::thread worker([&who] { consume(who); });
// CHECK-MESSAGES: :[[@LINE-1]]:23: warning: 'who' is captured by reference by a detached thread that may run after 'who' goes out of scope [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
// CHECK-MESSAGES: :[[@LINE+2]]:10: note: the thread is detached here
// CHECK-FIXES: std::thread worker([who] { consume(who); });
  worker.detach();
}

void temporary_detached_thread() {
  std::string who = "1003";
  std::thread([&who] { consume(who); }).detach();
// CHECK-MESSAGES: :[[@LINE-1]]:16: warning: 'who' is captured by reference by a detached thread that may run after 'who' goes out of scope [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
// CHECK-MESSAGES: :[[@LINE-2]]:41: note: the thread is detached here
// CHECK-FIXES: std::thread([who] { consume(who); }).detach();
}

struct Server {
  std::vector<std::thread> threads_;
  std::function<void()> on_close_;
  std::vector<std::function<void()>> callbacks_;
  std::future<int> pending_;

  void spawn() {
    int id = 7;
    threads_.emplace_back([&id] { close_conn(id); });
// CHECK-MESSAGES: :[[@LINE-1]]:28: warning: 'id' is captured by reference by an unjoined thread that may run after 'id' goes out of scope [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
// CHECK-MESSAGES: :[[@LINE-2]]:14: note: the thread is stored here, in a container that outlives this scope
// CHECK-FIXES: threads_.emplace_back([id] { close_conn(id); });
  }
  void register_callbacks() {
    int id = 8;
    on_close_ = [&id] { close_conn(id); };
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: 'id' is captured by reference by a stored callback that may run after 'id' goes out of scope [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
// CHECK-MESSAGES: :[[@LINE-2]]:15: note: the callback is stored here, in an object that outlives this scope
// CHECK-FIXES: on_close_ = [id] { close_conn(id); };
    callbacks_.push_back([&id] { close_conn(id); });
// CHECK-MESSAGES: :[[@LINE-1]]:27: warning: 'id' is captured by reference by a stored callback that may run after 'id' goes out of scope [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
// CHECK-MESSAGES: :[[@LINE-2]]:16: note: the callback is stored here, in an object that outlives this scope
// CHECK-FIXES: callbacks_.push_back([id] { close_conn(id); });
  }
  void start_async() {
    int id = 9;
    pending_ = std::async(std::launch::async, [&id] { close_conn(id); return 0; });
// CHECK-MESSAGES: :[[@LINE-1]]:48: warning: 'id' is captured by reference by a task whose future escapes that may run after 'id' goes out of scope [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
// CHECK-MESSAGES: :[[@LINE-2]]:5: note: the future escapes here
// CHECK-FIXES: pending_ = std::async(std::launch::async, [id] { close_conn(id); return 0; });
  }
  void capture_this_only() {
    on_close_ = [this] { threads_.size(); }; // `this`: not a local
  }
};

std::future<int> returned_future() {
  int id = 10;
  return std::async(std::launch::async, [&id] { close_conn(id); return 0; });
// CHECK-MESSAGES: :[[@LINE-1]]:42: warning: 'id' is captured by reference by a task whose future escapes that may run after 'id' goes out of scope [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
// CHECK-MESSAGES: :[[@LINE-2]]:3: note: the future escapes here
// CHECK-FIXES: return std::async(std::launch::async, [id] { close_conn(id); return 0; });
}

void submitted_and_forgotten(TaskPool &pool) {
  int id = 11;
  pool.enqueue([&id] { close_conn(id); });
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'id' is captured by reference by a pool task that may run after 'id' goes out of scope [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
// CHECK-MESSAGES: :[[@LINE-2]]:8: note: the task is submitted here and not waited for in this scope
// CHECK-FIXES: pool.enqueue([id] { close_conn(id); });
}

void non_copyable_capture(boost::asio::io_context &ioc, int *raw) {
  std::unique_ptr<int, std::default_delete<int>> owned(raw, {});
  boost::asio::post(ioc, [&owned] { (void)owned; });
// CHECK-MESSAGES: :[[@LINE-1]]:27: warning: 'owned' is captured by reference by a completion handler that may run after 'owned' goes out of scope [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
// CHECK-MESSAGES: :[[@LINE-2]]:3: note: the handler is passed to 'post' here
// CHECK-MESSAGES: :[[@LINE-4]]:50: note: 'owned' cannot simply be captured by value (not copyable, or modified by the lambda); give the deferred code its own copy or shared ownership
}

// Negatives for deferred execution.
void joined_thread() {
  std::string who = "1004";
  std::thread worker([&who] { consume(who); });
  worker.join();
}

void joined_thread_container() {
  std::string who = "1004";
  std::vector<std::thread> workers;
  for (int i = 0; i < 4; ++i)
    workers.emplace_back([&who] { consume(who); });
  for (auto &w : workers)
    w.join();
}

void auto_joining_thread() {
  std::string who = "1004";
  std::jthread worker([&who] { consume(who); });
}

void local_future_waits() {
  int id = 12;
  auto f = std::async(std::launch::async, [&id] { close_conn(id); return 0; });
  f.get();
}

void waited_task(TaskPool &pool) {
  int id = 13;
  auto f = pool.submit([&id] { close_conn(id); return 0; });
  f.wait();
}

void context_run_in_scope() {
  boost::asio::io_context ioc;
  std::string who = "1001";
  boost::asio::post(ioc, [&who] { consume(who); });
  ioc.run(); // the handler completes here, before `who` dies
}

void capture_execution_context(boost::asio::steady_timer &timer) {
  boost::asio::io_context ioc;
  timer.async_wait([&ioc](int) { ioc.stop(); });
}

void immediately_invoked_and_algorithms(std::vector<int> &v) {
  int total = 0;
  [&total] { ++total; }();
  std::for_each(v.begin(), v.end(), [&total](int x) { total += x; });
}

void value_and_init_captures(boost::asio::io_context &ioc) {
  std::string who = "1001";
  boost::asio::post(ioc, [who] { consume(who); });
  boost::asio::post(ioc, [w = std::move(who)] { consume(w); });
}

void local_callback_container() {
  int id = 14;
  std::vector<std::function<void()>> local;
  local.push_back([&id] { close_conn(id); }); // the container dies with `id`
}

// The lambda reaches storage through a member function of our own: `on_fill(cb)` stores `cb` into
// a member container. One call into the callee's body is followed.
struct FillFeed {
  std::vector<std::function<void()>> fill_cbs_;
  void on_fill(std::function<void()> cb) { fill_cbs_.push_back(std::move(cb)); }
  void subscribe() {
    int account = 15;
    on_fill([&account] { close_conn(account); });
// CHECK-MESSAGES: :[[@LINE-1]]:14: warning: 'account' is captured by reference by a callback that 'on_fill' stores that may run after 'account' goes out of scope [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
// CHECK-MESSAGES: :[[@LINE-2]]:5: note: 'on_fill' stores the callback in an object that outlives this scope
// CHECK-FIXES: on_fill([account] { close_conn(account); });
  }
};

// Not an escape: the future is waited for by `return f.get();`, only its value leaves.
int local_future_value_returned() {
  int id = 16;
  auto f = std::async(std::launch::async, [&id] { close_conn(id); return 0; });
  return f.get();
}

// Quiet: the handler completes inside run() of a context this function drives: a data member of
// `this`, or a local whose class derives from a listed context type.
class BlockingClient {
public:
  int read_line() {
    int result = 0;
    boost::asio::post(io_, [&] { result = 1; });
    io_.run();
    return result;
  }

private:
  boost::asio::io_context io_;
};

struct PriorityContext : boost::asio::io_context {};

int run_on_derived_context() {
  PriorityContext ctx;
  int done = 0;
  boost::asio::post(ctx, [&done] { done = 1; });
  ctx.run();
  return done;
}

// A structured binding lives as long as the object it unpacks, a local here.
struct Subscriber {
  int id;
  std::string name;
};
void posted_binding(boost::asio::io_context &ioc, Subscriber subscriber) {
  auto [id, name] = subscriber;
  boost::asio::post(ioc, [&name] { consume(name); });
// CHECK-MESSAGES: :[[@LINE-1]]:27: warning: 'name' is captured by reference by a completion handler that may run after 'name' goes out of scope [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
// CHECK-MESSAGES: :[[@LINE-2]]:3: note: the handler is passed to 'post' here
// CHECK-FIXES: boost::asio::post(ioc, [name] { consume(name); });
  close_conn(id);
}

// `return conn;` after the guard is created, into an optional-like result: the implicit move
// leaves a trivially copyable local as it was, so the cleanup sees the value it was armed with.
template <class T> struct maybe {
  maybe() = default;
  template <class U> maybe(U &&u) : value(static_cast<U &&>(u)) {}
  T value{};
};
maybe<int> guard_then_return(int id) {
  int conn = id;
  if (id > 1000)
    conn = reopen();
  bool committed = false;
  auto guard = on_exit([&] {
    if (!committed)
      close_conn(conn);
  });
  if (id > 0)
    committed = true;
  return conn;
}

// ---- A project helper that defers the callback it is given ----
template <class F> void run_later(boost::asio::io_context &ioc, F fn) {
  boost::asio::post(ioc, [fn] { fn(); });
}
template <class F> void with_retry(F fn) { fn(); } // calls it right away
void schedule_resend(boost::asio::io_context &ioc, const std::string &req_key) {
  std::string key = req_key;
  run_later(ioc, [&key] { consume(key); });
// CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'key' is captured by reference by a callback that 'run_later' defers that may run after 'key' goes out of scope [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
// CHECK-MESSAGES: :[[@LINE-2]]:3: note: 'run_later' hands the callback to 'post', which runs it later
// CHECK-FIXES: run_later(ioc, [key] { consume(key); });
  with_retry([&key] { consume(key); });
}

// ---- Callbacks a loop collects in a local container, to run after it (an undo log) ----
struct Order {
  std::string flavour;
  int scoops = 0;
};
Order parse_order(const std::string &line);
void release(const std::string &flavour, int scoops);

void reserve_batch(std::vector<std::string> &lines) {
  std::vector<std::function<void()>> undo_log;
  Order current;
  for (std::string &line : lines) {
    current = parse_order(line);
    undo_log.push_back([&current] { release(current.flavour, current.scoops); });
// CHECK-MESSAGES: :[[@LINE-1]]:25: warning: 'current' is captured by reference by a callback collected in 'undo_log', and the loop that collects it changes 'current': every callback sees its last value [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
// CHECK-MESSAGES: :[[@LINE-3]]:5: note: 'current' is modified here, in the loop
// CHECK-FIXES: undo_log.push_back([current] { release(current.flavour, current.scoops); });
  }
  for (auto &undo : undo_log)
    undo();
}

// A variable of the loop's body is gone when the callbacks run.
void reserve_each(std::vector<std::string> &lines) {
  std::vector<std::function<void()>> undo_log;
  for (int i = 0; i < 3; ++i) {
    Order parsed = parse_order(lines[i]);
    undo_log.push_back([&parsed] { release(parsed.flavour, parsed.scoops); });
// CHECK-MESSAGES: :[[@LINE-1]]:25: warning: 'parsed' is captured by reference by a callback collected in 'undo_log' that may run after 'parsed' goes out of scope [ES-LIFETIME-001] [errorshield-deferred-ref-capture]
// CHECK-MESSAGES: :[[@LINE-2]]:14: note: the callback is collected here, to run after the loop
// CHECK-FIXES: undo_log.push_back([parsed] { release(parsed.flavour, parsed.scoops); });
  }
  for (auto &undo : undo_log)
    undo();
}

// Quiet: an outer variable the loop does not change, a container made per iteration, and a
// collection outside any loop.
void reserve_same(std::vector<std::string> &lines, const Order &fallback) {
  std::vector<std::function<void()>> undo_log;
  Order template_order = parse_order(lines[0]);
  for (int i = 0; i < 3; ++i)
    undo_log.push_back([&template_order] { release(template_order.flavour, 1); });
  for (int i = 0; i < 3; ++i) {
    std::vector<std::function<void()>> step;
    Order parsed = parse_order(lines[i]);
    step.push_back([&parsed] { release(parsed.flavour, parsed.scoops); });
    step[0]();
  }
  Order single = parse_order(lines[1]);
  undo_log.push_back([&single] { release(single.flavour, single.scoops); });
  for (auto &undo : undo_log)
    undo();
}
