// checks: errorshield-deferred-ref-capture
// Job scheduler for an order-matching back office: timers, thread pool,
// coroutines and shutdown hooks.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace jobs {

struct Order {
  long id = 0;
  std::string account;
  double qty = 0;
};

void cancel_order(long id);
void settle(const Order &o);
Order load_order(long id);
void log_line(const std::string &s);

// Deferred-callback helper used throughout the code base.
template <class F> class Finally {
public:
  explicit Finally(F f) : f_(std::move(f)) {}
  ~Finally() { f_(); }
  Finally(const Finally &) = delete;

private:
  F f_;
};
template <class F> Finally<F> finally(F f) { return Finally<F>(std::move(f)); }

// BUG: the timeout timer's handler captures the local `order` by reference;
// the function returns long before the timer fires.
void arm_timeout(net::steady_timer &timer, long order_id) {
  Order order = load_order(order_id);
  timer.expires_after(30s);
  timer.async_wait([&order](const boost::system::error_code &ec) { // expect: errorshield-deferred-ref-capture
    if (!ec)
      cancel_order(order.id);
  });
}

// OK: timer handler captures only the id, by value.
void arm_timeout_ok(net::steady_timer &timer, long order_id) {
  timer.expires_after(30s);
  timer.async_wait([order_id](const boost::system::error_code &ec) {
    if (!ec)
      cancel_order(order_id);
  });
}

// BUG: the thread pool job captures the loop's current order by reference;
// `current` is overwritten on the next iteration before the job has run,
// so the same (last) order gets settled several times.
void settle_batch(net::thread_pool &pool, const std::vector<long> &ids) {
  Order current;
  for (long id : ids) {
    current = load_order(id);
    net::post(pool, [&current] { settle(current); }); // expect: errorshield-deferred-ref-capture
  }
  pool.join();
}

// OK: each job owns its order.
void settle_batch_ok(net::thread_pool &pool, const std::vector<long> &ids) {
  for (long id : ids) {
    Order o = load_order(id);
    net::post(pool, [o = std::move(o)] { settle(o); });
  }
}

// OK: the pool is local and joined before `summary` is destroyed, and
// `summary` is never reassigned while jobs run.
std::string summarize(const std::vector<long> &ids) {
  net::thread_pool pool(4);
  std::mutex mu;
  std::string summary;
  for (long id : ids) {
    net::post(pool, [&mu, &summary, id] {
      Order o = load_order(id);
      std::lock_guard<std::mutex> lk(mu);
      summary += o.account + ";";
    });
  }
  pool.join();
  return summary;
}

// BUG: coroutine lambda captures `account` by reference; co_spawn with
// `detached` runs the body after this function returned.
void audit_account(net::io_context &ioc, std::string account) {
  net::co_spawn(
      ioc,
      [&account]() -> net::awaitable<void> { // expect: errorshield-deferred-ref-capture
        net::steady_timer t(co_await net::this_coro::executor, 1s);
        co_await t.async_wait(net::use_awaitable);
        log_line("audit " + account);
      },
      net::detached);
}

// OK: coroutine takes its argument by value as a parameter, which is copied
// into the coroutine frame.
net::awaitable<void> audit_body(std::string account) {
  net::steady_timer t(co_await net::this_coro::executor, 1s);
  co_await t.async_wait(net::use_awaitable);
  log_line("audit " + account);
}
void audit_account_ok(net::io_context &ioc, std::string account) {
  net::co_spawn(ioc, audit_body(std::move(account)), net::detached);
}

// BUG: "finally" guard meant to release the reservation of the *first* order;
// `id` is reassigned for a retry, so the guard releases the retry instead.
void reserve_with_retry(long id) {
  auto release = finally([&] { cancel_order(id); }); // expect: errorshield-deferred-ref-capture
  Order o = load_order(id);
  if (o.qty <= 0) {
    id = id + 1;
    o = load_order(id);
  }
  settle(o);
}

// OK: guard captures by reference but `id` is const after the guard.
void reserve_once(long id) {
  const long reserved = id;
  auto release = finally([&] { cancel_order(reserved); });
  settle(load_order(reserved));
}

// OK: std::async result is waited for before the locals die.
double total_qty(const std::vector<long> &ids) {
  double total = 0;
  auto fut = std::async(std::launch::async, [&] {
    for (long id : ids)
      total += load_order(id).qty;
  });
  fut.get();
  return total;
}

// OK: std::jthread joins in its destructor; `ids` outlives it and is not
// modified while the thread runs.
void warm_cache(const std::vector<long> &ids) {
  std::vector<long> copy = ids;
  std::jthread warmer([&copy] {
    for (long id : copy)
      (void)load_order(id);
  });
}

class Scheduler {
public:
  explicit Scheduler(net::io_context &ioc) : ioc_(ioc), timer_(ioc) {}

  ~Scheduler() {
    for (auto &hook : shutdown_hooks_)
      hook();
  }

  void add_shutdown_hook(std::function<void()> h) { shutdown_hooks_.push_back(std::move(h)); }

  // BUG: hook runs in ~Scheduler, long after `name` (a local) died.
  void register_feed(const json &cfg) {
    std::string name = cfg.value("feed", "default");
    add_shutdown_hook([&name] { log_line("closing feed " + name); }); // expect: errorshield-deferred-ref-capture
  }

  // OK: hook captures `this`; the member outlives the hook since hooks run
  // from the destructor body before members are destroyed.
  void register_self() {
    add_shutdown_hook([this] { log_line("scheduler stopping, jobs=" + std::to_string(jobs_)); });
  }

  // OK: shared state captured by shared_ptr.
  void register_counter(std::shared_ptr<int> counter) {
    add_shutdown_hook([counter] { log_line("count=" + std::to_string(*counter)); });
  }

  // OK: posting a handler that captures `this` on the scheduler's own
  // io_context; the scheduler owns the work.
  void tick() {
    ++jobs_;
    timer_.expires_after(1s);
    timer_.async_wait([this](const boost::system::error_code &ec) {
      if (!ec)
        tick();
    });
  }

  // BUG: dispatch to another executor with a reference to a parameter
  // that is a temporary in the caller.
  void forward(net::any_io_executor ex, json payload) {
    net::post(ex, [&payload] { log_line(payload.dump()); }); // expect: errorshield-deferred-ref-capture
  }

private:
  net::io_context &ioc_;
  net::steady_timer timer_;
  std::vector<std::function<void()>> shutdown_hooks_;
  int jobs_ = 0;
};

} // namespace jobs

int main() {
  net::io_context ioc;
  jobs::Scheduler s(ioc);
  s.register_self();
  s.tick();
  ioc.run_for(2s);
}
