// checks: errorshield-deferred-ref-capture
// Laundry locker pickup notification service.
// Each locker bank reports "door closed with bag inside"; we notify the customer
// over their websocket/push session and release the reservation later.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using namespace std::chrono_literals;

namespace lockers {

struct Reservation {
  std::uint32_t locker_id = 0;
  std::string customer_id;
  std::string pickup_code;
};

// Registry of open customer sessions, keyed by customer id.
class SessionRegistry {
public:
  void add(const std::string &customer, int conn) {
    std::lock_guard<std::mutex> lk(mu_);
    conns_[customer] = conn;
  }
  void drop(const std::string &customer) {
    std::lock_guard<std::mutex> lk(mu_);
    conns_.erase(customer);
  }
  void release_locker(std::uint32_t id) {
    std::lock_guard<std::mutex> lk(mu_);
    released_.push_back(id);
  }
  void notify(const std::string &customer, const std::string &msg) {
    std::lock_guard<std::mutex> lk(mu_);
    if (conns_.count(customer))
      outbox_.emplace_back(customer, msg);
  }

private:
  std::mutex mu_;
  std::map<std::string, int> conns_;
  std::vector<std::uint32_t> released_;
  std::vector<std::pair<std::string, std::string>> outbox_;
};

SessionRegistry g_registry;

template <class F> class ScopeExit {
public:
  explicit ScopeExit(F f) : f_(std::move(f)) {}
  ScopeExit(const ScopeExit &) = delete;
  ScopeExit &operator=(const ScopeExit &) = delete;
  ~ScopeExit() { f_(); }

private:
  F f_;
};
template <class F> ScopeExit<F> on_exit(F f) { return ScopeExit<F>(std::move(f)); }

std::uint32_t next_free_locker(std::uint32_t bank);
std::string make_code();

// Walks a locker bank and releases any compartment whose timer expired.
// The guard makes sure the last locker we touched is handed back even if
// the bank controller throws halfway through.
void sweep_bank(std::uint32_t bank, std::uint32_t first) {
  std::uint32_t current = first;
  auto guard = on_exit([&] { g_registry.release_locker(current); }); // expect: errorshield-deferred-ref-capture
  for (int i = 0; i < 8; ++i) {
    current = next_free_locker(bank);
  }
}

// Same pattern, but the locker id never changes after the guard is armed.
void hold_single_locker(std::uint32_t bank) {
  const std::uint32_t locker = next_free_locker(bank);
  auto guard = on_exit([&] { g_registry.release_locker(locker); });
  g_registry.notify("ops", "holding locker " + std::to_string(locker));
}

// Arms a guard that drops the customer's session when we leave, copying the id.
void one_shot_notify(std::string customer) {
  auto guard = on_exit([customer] { g_registry.drop(customer); });
  g_registry.notify(customer, "your laundry is ready");
  customer = "anonymous";
}

// Schedules the "bag is ready" push on the io thread.
void schedule_ready_push(asio::io_context &ioc, const Reservation &r) {
  std::string text = "Locker " + std::to_string(r.locker_id) + " code " + r.pickup_code;
  asio::post(ioc, [&text, &r] { g_registry.notify(r.customer_id, text); }); // expect: errorshield-deferred-ref-capture
}

// Same as above but owns the message.
void schedule_ready_push_owned(asio::io_context &ioc, const Reservation &r) {
  std::string text = "Locker " + std::to_string(r.locker_id) + " code " + r.pickup_code;
  asio::post(ioc, [customer = r.customer_id, text = std::move(text)] {
    g_registry.notify(customer, text);
  });
}

// Startup self test: post and then drain the context while the locals are alive.
void self_test() {
  asio::io_context ioc;
  std::string probe = "selftest";
  asio::post(ioc, [&probe] { g_registry.notify(probe, "ping"); });
  ioc.run();
}

class PickupSession : public std::enable_shared_from_this<PickupSession> {
public:
  PickupSession(asio::io_context &ioc, std::string customer)
      : ioc_(ioc), timer_(ioc), customer_(std::move(customer)) {}

  // Reservation expires if the bag is not collected within the window.
  void start_expiry(std::uint32_t locker, std::chrono::seconds window) {
    std::string code = make_code();
    timer_.expires_after(window);
    timer_.async_wait([&code, locker, this](boost::system::error_code ec) { // expect: errorshield-deferred-ref-capture
      if (ec)
        return;
      g_registry.notify(customer_, "code " + code + " expired");
      g_registry.release_locker(locker);
    });
  }

  // Same expiry, keeping ourselves and the code alive in the handler.
  void start_expiry_safe(std::uint32_t locker, std::chrono::seconds window) {
    timer_.expires_after(window);
    timer_.async_wait([self = shared_from_this(), code = make_code(),
                       locker](boost::system::error_code ec) {
      if (ec)
        return;
      g_registry.notify(self->customer_, "code " + code + " expired");
      g_registry.release_locker(locker);
    });
  }

  // On disconnect we clean up the session after pending notifications flush.
  void on_disconnect() {
    std::string who = customer_;
    asio::post(ioc_, [self = shared_from_this(), who] { g_registry.drop(who); });
  }

private:
  asio::io_context &ioc_;
  asio::steady_timer timer_;
  std::string customer_;
};

// Reconnect handling: the terminal hands us a list of customers whose
// push channel dropped. We defer the drop so in-flight pushes get out first.
void drop_stale_sessions(asio::io_context &ioc, const std::vector<std::string> &stale) {
  for (std::size_t i = 0; i < stale.size(); ++i) {
    const std::string &customer = stale[i];
    std::string reason = "stale:" + customer;
    asio::post(ioc, [&] { g_registry.notify(customer, reason); g_registry.drop(customer); }); // expect: errorshield-deferred-ref-capture
  }
}

// Reconnect variant done right: each deferred drop gets its own copy.
void drop_stale_sessions_copy(asio::io_context &ioc, const std::vector<std::string> &stale) {
  for (const auto &customer : stale) {
    asio::post(ioc, [customer] { g_registry.drop(customer); });
  }
}

// Coroutine that watches a locker door and tells the customer when it opens.
awaitable<void> watch_door(std::uint32_t locker, std::string customer) {
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer t(ex);
  for (int polls = 0; polls < 120; ++polls) {
    t.expires_after(500ms);
    co_await t.async_wait(use_awaitable);
  }
  g_registry.notify(customer, "locker " + std::to_string(locker) + " opened");
}

void start_watch(asio::io_context &ioc, std::uint32_t locker, const std::string &customer) {
  std::string owner = customer;
  asio::co_spawn(
      ioc,
      [&owner, locker]() -> awaitable<void> { // expect: errorshield-deferred-ref-capture
        co_await watch_door(locker, owner);
        g_registry.drop(owner);
      },
      asio::detached);
}

void start_watch_owned(asio::io_context &ioc, std::uint32_t locker, const std::string &customer) {
  asio::co_spawn(ioc, watch_door(locker, customer), asio::detached);
}

// Legacy SMS gateway is blocking, so we push from a background thread.
void send_sms_background(const Reservation &r) {
  std::string sms = "Pickup code " + r.pickup_code;
  std::thread([&sms, &r] { g_registry.notify(r.customer_id, sms); }).detach(); // expect: errorshield-deferred-ref-capture
}

void send_sms_blocking(const Reservation &r) {
  std::string sms = "Pickup code " + r.pickup_code;
  std::thread worker([&sms, &r] { g_registry.notify(r.customer_id, sms); });
  worker.join();
}

template <class Store> class Notifier {
public:
  Notifier(asio::io_context &ioc, std::shared_ptr<Store> store)
      : ioc_(ioc), store_(std::move(store)) {}

  // The store is shared, so the deferred lookup keeps it alive.
  void queue(typename Store::key_type key) {
    asio::post(ioc_, [store = store_, key] { store->erase(key); });
  }

private:
  asio::io_context &ioc_;
  std::shared_ptr<Store> store_;
};

} // namespace lockers

int main() {
  asio::io_context ioc;
  lockers::Reservation r{12, "c-881", "4471"};
  lockers::schedule_ready_push(ioc, r);
  lockers::schedule_ready_push_owned(ioc, r);
  auto s = std::make_shared<lockers::PickupSession>(ioc, "c-881");
  s->start_expiry(12, std::chrono::seconds(3600));
  s->start_expiry_safe(12, std::chrono::seconds(3600));
  ioc.run();
}
