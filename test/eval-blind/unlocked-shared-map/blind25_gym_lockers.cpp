// checks: errorshield-unlocked-shared-map
// Gym locker service: members rent day lockers from kiosks and the mobile app.
// The io_context is run by a small thread pool, so handlers run concurrently.
#include <boost/asio.hpp>
#include <chrono>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using Clock = std::chrono::steady_clock;

namespace gym {

struct Locker {
  int number = 0;
  std::string member;
  Clock::time_point since{};
  bool needs_cleaning = false;
};

// Lockers currently rented, by locker number.
std::unordered_map<int, Locker> g_rented;
std::mutex g_rented_mu;

// Members the front desk has suspended (unpaid fees etc.).
std::set<std::string> g_suspended;
std::shared_mutex g_suspended_mu;

void rent_from_kiosk(asio::thread_pool& pool, int number, std::string member) {
  asio::post(pool, [number, member = std::move(member)] {
    g_rented.emplace(number, Locker{number, member, Clock::now()}); // expect: errorshield-unlocked-shared-map
  });
}

void rent_from_app(asio::thread_pool& pool, int number, std::string member) {
  asio::post(pool, [number, member = std::move(member)] {
    std::scoped_lock lk(g_rented_mu);
    g_rented[number] = Locker{number, member, Clock::now()};
  });
}

// Runs on its own thread; frees lockers that were never emptied overnight.
void start_night_janitor(std::chrono::hours max_age) {
  std::thread([max_age] {
    for (;;) {
      std::this_thread::sleep_for(std::chrono::minutes(10));
      auto cutoff = Clock::now() - max_age;
      for (auto it = g_rented.begin(); it != g_rented.end();) {
        if (it->second.since < cutoff)
          it = g_rented.erase(it); // expect: errorshield-unlocked-shared-map
        else
          ++it;
      }
    }
  }).detach();
}

bool is_suspended(const std::string& member) {
  std::shared_lock lk(g_suspended_mu);
  return g_suspended.count(member) != 0;
}

awaitable<void> suspend_member(std::string member, std::chrono::seconds grace) {
  asio::steady_timer t(co_await asio::this_coro::executor, grace);
  co_await t.async_wait(use_awaitable);
  g_suspended.insert(member); // expect: errorshield-unlocked-shared-map
}

awaitable<void> reinstate_member(std::string member) {
  {
    std::unique_lock lk(g_suspended_mu);
    g_suspended.erase(member);
  }
  asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(1));
  co_await t.async_wait(use_awaitable);
  std::cout << member << " reinstated\n";
}

// Per-visit counters, bumped by every door-scan handler.
void record_door_scan(const std::string& member) {
  static std::unordered_map<std::string, int> visits_today;
  ++visits_today[member]; // expect: errorshield-unlocked-shared-map
}

// Generic cache shared between kiosk handlers.
template <class Key, class Value>
class KioskCache {
 public:
  void put(const Key& k, Value v) {
    items_[k] = std::move(v); // expect: errorshield-unlocked-shared-map
  }
  void put_locked(const Key& k, Value v) {
    std::lock_guard<std::mutex> lk(mu_);
    items_[k] = std::move(v);
  }
  std::optional<Value> get(const Key& k) {
    std::lock_guard<std::mutex> lk(mu_);
    auto it = items_.find(k);
    if (it == items_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::mutex mu_;
  std::map<Key, Value> items_;
};

class LockerDesk {
 public:
  explicit LockerDesk(asio::io_context& ioc) : ioc_(ioc), cleaning_strand_(asio::make_strand(ioc)) {
    for (int n = 1; n <= 120; ++n) by_number_[n] = Locker{n};
  }

  void assign(int number, const std::string& member) {
    std::lock_guard<std::mutex> lk(mu_);
    by_number_[number].member = member;
    by_number_[number].since = Clock::now();
  }

  void release(int number) {
    auto it = by_number_.find(number);
    if (it == by_number_.end()) return;
    by_number_.erase(it); // expect: errorshield-unlocked-shared-map
    flag_for_cleaning(number);
  }

  void flag_for_cleaning(int number) {
    asio::post(cleaning_strand_, [this, number] { cleaning_queue_.insert(number); });
  }

  void cleaned(int number) {
    asio::post(cleaning_strand_, [this, number] { cleaning_queue_.erase(number); });
  }

  std::vector<int> summarize_free() {
    std::map<int, int> by_bank;  // bank of 20 lockers -> free count
    {
      std::lock_guard<std::mutex> lk(mu_);
      for (const auto& [n, l] : by_number_)
        if (l.member.empty()) by_bank[n / 20] += 1;
    }
    std::vector<int> out;
    for (const auto& [bank, count] : by_bank) out.push_back(count);
    return out;
  }

  void handle_app_request(std::string verb, int number, std::string member) {
    asio::post(ioc_, [this, verb = std::move(verb), number, member = std::move(member)] {
      if (verb == "rent")
        assign(number, member);
      else if (verb == "return")
        release(number);
    });
  }

 private:
  asio::io_context& ioc_;
  asio::strand<asio::io_context::executor_type> cleaning_strand_;
  std::mutex mu_;
  std::map<int, Locker> by_number_;
  std::set<int> cleaning_queue_;
};

}  // namespace gym

int main() {
  asio::io_context ioc;
  asio::thread_pool kiosks(4);
  gym::LockerDesk desk(ioc);
  gym::KioskCache<std::string, int> last_locker;

  gym::rent_from_kiosk(kiosks, 12, "m-881");
  gym::rent_from_app(kiosks, 13, "m-882");
  gym::start_night_janitor(std::chrono::hours(14));

  asio::post(kiosks, [&] { last_locker.put("m-881", 12); });
  asio::post(kiosks, [&] { last_locker.put_locked("m-882", 13); });

  asio::co_spawn(ioc, gym::suspend_member("m-17", std::chrono::seconds(30)), asio::detached);
  asio::co_spawn(ioc, gym::reinstate_member("m-18"), asio::detached);
  desk.handle_app_request("rent", 40, "m-881");
  desk.handle_app_request("return", 40, "m-881");
  asio::post(ioc, [] { gym::record_door_scan("m-881"); });
  asio::post(ioc, [] { gym::record_door_scan("m-882"); });

  std::vector<std::thread> workers;
  for (int i = 0; i < 4; ++i) workers.emplace_back([&ioc] { ioc.run(); });
  for (auto& w : workers) w.join();
  kiosks.join();
}
