// checks: errorshield-unlocked-shared-map
// Ski lift queue monitor: turnstile/camera sensors push UDP counts, the
// ops dashboard pulls wait-time estimates over HTTP. Everything runs on a
// shared asio::thread_pool.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using udp = asio::ip::udp;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace lifts {

struct Reading {
  std::string lift;
  int queued = 0;
  int per_minute = 0; // chairs loaded per minute
};

inline Reading parse_reading(std::string_view dgram) {
  // "LIFT_ID queued per_minute"
  Reading r;
  auto a = dgram.find(' ');
  auto b = dgram.find(' ', a + 1);
  if (a == std::string_view::npos || b == std::string_view::npos) return r;
  r.lift = std::string(dgram.substr(0, a));
  r.queued = std::atoi(std::string(dgram.substr(a + 1, b - a - 1)).c_str());
  r.per_minute = std::atoi(std::string(dgram.substr(b + 1)).c_str());
  return r;
}

class QueueMonitor {
public:
  QueueMonitor(asio::thread_pool& pool, unsigned short port)
      : pool_(pool), sock_(pool, udp::endpoint(udp::v4(), port)), reset_(pool),
        dash_strand_(asio::make_strand(pool)) {}

  void start() {
    for (int i = 0; i < 4; ++i) receive(); // several receives in flight
    schedule_nightly_reset();
  }

  json wait_times() {
    std::lock_guard lk(mu_);
    json out = json::object();
    for (const auto& [lift, r] : latest_)
      out[lift] = r.per_minute > 0 ? r.queued / r.per_minute : -1;
    return out;
  }

  void mark_closed(const std::string& lift) {
    std::unique_lock lk(mu_);
    closed_.insert(lift);
    lk.unlock();
    changed_.notify_all();
  }

  void reopen_all_later() {
    auto waits_copy = [&] {
      std::lock_guard lk(mu_);
      return waits_by_lift_;
    }();
    waits_copy.erase("maintenance");
    for (auto& [lift, w] : waits_copy) std::cout << lift << " " << w.size() << "\n";
  }

  // Dashboard subscriptions are strand-confined.
  void subscribe(std::string client) {
    asio::post(dash_strand_, [this, client = std::move(client)] {
      dashboard_clients_.insert(client);
    });
  }

private:
  struct Slot {
    std::array<char, 256> buf{};
    udp::endpoint from;
  };

  void receive() {
    auto slot = std::make_shared<Slot>();
    sock_.async_receive_from(asio::buffer(slot->buf), slot->from,
                             [this, slot](boost::system::error_code ec, std::size_t n) {
                               if (ec) return;
                               Reading r = parse_reading({slot->buf.data(), n});
                               if (!r.lift.empty()) on_reading(std::move(r));
                               receive();
                             });
  }

  void on_reading(Reading r) {
    {
      std::lock_guard lk(mu_);
      record_locked(r);
    }
    auto& waits = waits_by_lift_;
    waits.try_emplace(r.lift).first->second.push_back(r.queued); // expect: errorshield-unlocked-shared-map
    if (r.queued > 300) {
      alerts_.emplace(Clock::now(), r.lift); // expect: errorshield-unlocked-shared-map
    }
  }

  // Caller holds mu_.
  void record_locked(const Reading& r) { latest_[r.lift] = r; }

  void schedule_nightly_reset() {
    reset_.expires_after(24h);
    reset_.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      closed_.clear(); // expect: errorshield-unlocked-shared-map
      schedule_nightly_reset();
    });
  }

  asio::thread_pool& pool_;
  udp::socket sock_;
  asio::steady_timer reset_;
  asio::strand<asio::thread_pool::executor_type> dash_strand_;
  std::condition_variable changed_;

  std::mutex mu_;
  std::unordered_map<std::string, Reading> latest_;
  std::unordered_set<std::string> closed_;
  std::map<std::string, std::vector<int>> waits_by_lift_;
  std::multimap<Clock::time_point, std::string> alerts_;
  std::unordered_set<std::string> dashboard_clients_;
};

// Season pass scans from the gates: which passes are currently riding.
std::unordered_set<std::string> g_on_lift;

asio::awaitable<void> gate_scanner(tcp::socket sock) {
  std::string buf;
  for (;;) {
    auto n = co_await asio::async_read_until(sock, asio::dynamic_buffer(buf), '\n', asio::use_awaitable);
    std::string pass = buf.substr(0, n - 1);
    buf.erase(0, n);
    g_on_lift.insert(pass); // expect: errorshield-unlocked-shared-map
  }
}

// Per-lift lift-ticket counts aggregated from the daily export files.
std::map<std::string, int> tally_exports(asio::thread_pool& pool, const std::vector<std::string>& rows) {
  std::map<std::string, int> counts;
  std::vector<std::future<void>> done;
  for (const auto& row : rows) {
    std::string lift = row.substr(0, row.find(','));
    done.push_back(asio::post(pool, asio::use_future([&counts, lift] {
      counts[lift]++; // expect: errorshield-unlocked-shared-map
    })));
  }
  for (auto& f : done) f.get();
  return counts;
}

// Same aggregation done properly for the season report.
std::map<std::string, int> tally_exports_safe(asio::thread_pool& pool, const std::vector<std::string>& rows) {
  std::map<std::string, int> counts;
  std::mutex m;
  std::vector<std::future<void>> done;
  for (const auto& row : rows) {
    std::string lift = row.substr(0, row.find(','));
    done.push_back(asio::post(pool, asio::use_future([&counts, &m, lift] {
      std::lock_guard lk(m);
      ++counts[lift];
    })));
  }
  for (auto& f : done) f.get();
  return counts;
}

const std::map<std::string, int> kLiftCapacity = {
    {"Summit Express", 3600}, {"Bunny Carpet", 900}, {"North Ridge", 2400}};

} // namespace lifts

int main() {
  asio::thread_pool pool(6);
  lifts::QueueMonitor mon(pool, 9400);
  mon.start();
  mon.subscribe("ops-desk-1");

  // Size the rider set before the gate acceptor starts feeding it.
  lifts::g_on_lift.reserve(4096);

  tcp::acceptor acc(pool, {tcp::v4(), 9401});
  asio::co_spawn(pool, [&acc]() -> asio::awaitable<void> {
    for (;;) {
      auto s = co_await acc.async_accept(asio::use_awaitable);
      asio::co_spawn(acc.get_executor(), lifts::gate_scanner(std::move(s)), asio::detached);
    }
  }, asio::detached);

  auto counts = lifts::tally_exports_safe(pool, {"Summit Express,1", "North Ridge,2"});
  std::cout << counts.size() << " lifts in export\n";
  pool.join();
  return 0;
}
