// checks: errorshield-unlocked-shared-map
// Bus ticket validator hub: on-board validators connect over TCP and send
// one line per tap ("TAP <validator> <ticket>"). The hub tracks live
// validators, rejects double taps and keeps per-route ride counters.
#include <boost/asio.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace hub {

struct TapResult {
  bool accepted = false;
  std::string reason;
};

// Tickets seen in the current fare window, shared by every validator session.
static std::unordered_set<std::string> g_recent_taps;
static std::mutex g_recent_mu;

// Ride counters per route, bumped by the statistics workers.
static std::map<std::string, std::uint64_t> g_route_rides;

// Last heartbeat per validator, for the depot dashboard.
static std::unordered_map<std::string, std::chrono::steady_clock::time_point> g_last_seen;

// Blocklisted tickets (reported stolen); refreshed by the sync thread.
static std::set<std::string> g_blocklist;
static std::shared_mutex g_blocklist_mu;

std::string route_of(const std::string &validator) {
  auto dash = validator.find('-');
  return dash == std::string::npos ? validator : validator.substr(0, dash);
}

TapResult check_tap(const std::string &ticket) {
  {
    std::shared_lock lk(g_blocklist_mu);
    if (g_blocklist.count(ticket)) return {false, "blocked"};
  }
  std::lock_guard lk(g_recent_mu);
  if (!g_recent_taps.insert(ticket).second) return {false, "double tap"};
  return {true, "ok"};
}

// Called from the statistics thread pool for every accepted tap.
void count_ride(const std::string &validator) {
  g_route_rides[route_of(validator)] += 1; // expect: errorshield-unlocked-shared-map
}

class ValidatorRegistry {
public:
  void connected(const std::string &id, std::shared_ptr<tcp::socket> sock) {
    std::unique_lock lk(mu_);
    live_[id] = std::move(sock);
  }

  // Invoked from the session's read handler when the socket closes.
  void disconnected(const std::string &id) {
    live_.erase(id); // expect: errorshield-unlocked-shared-map
  }

  void mark_faulty(const std::string &id) {
    faulty_.insert(id); // expect: errorshield-unlocked-shared-map
  }

  std::size_t live_count() {
    std::unique_lock lk(mu_);
    return live_.size();
  }

private:
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<tcp::socket>> live_;
  std::set<std::string> faulty_;
};

// Pending fare adjustments, keyed by ticket. Filled by the sessions and
// drained by the settlement worker.
template <class Amount> class AdjustmentQueue {
public:
  void add(const std::string &ticket, Amount delta) {
    pending_[ticket] += delta; // expect: errorshield-unlocked-shared-map
  }

  std::map<std::string, Amount> drain() {
    std::lock_guard lk(mu_);
    std::map<std::string, Amount> out;
    out.swap(pending_);
    return out;
  }

private:
  std::mutex mu_;
  std::map<std::string, Amount> pending_;
};

AdjustmentQueue<std::int64_t> g_adjustments;

class Session : public std::enable_shared_from_this<Session> {
public:
  Session(tcp::socket s, ValidatorRegistry &reg, asio::thread_pool &stats)
      : sock_(std::make_shared<tcp::socket>(std::move(s))), reg_(reg), stats_(stats) {}

  void start() { read_line(); }

private:
  void read_line() {
    auto self = shared_from_this();
    asio::async_read_until(*sock_, buf_, '\n', [self](boost::system::error_code ec, std::size_t) {
      if (ec) {
        if (!self->id_.empty()) self->reg_.disconnected(self->id_);
        return;
      }
      std::istream in(&self->buf_);
      std::string line;
      std::getline(in, line);
      self->handle(line);
      self->read_line();
    });
  }

  void handle(const std::string &line) {
    std::istringstream ss(line);
    std::string verb, validator, ticket;
    ss >> verb >> validator >> ticket;
    if (verb == "HELLO") {
      id_ = validator;
      reg_.connected(id_, sock_);
      asio::post(stats_, [validator] {
        g_last_seen[validator] = std::chrono::steady_clock::now(); // expect: errorshield-unlocked-shared-map
      });
      return;
    }
    if (verb == "FAULT") {
      reg_.mark_faulty(validator);
      return;
    }
    if (verb == "REFUND") {
      // validator field carries the amount in cents for refunds
      g_adjustments.add(ticket, -std::stoll(validator));
      return;
    }
    if (verb != "TAP") return;
    auto res = check_tap(ticket);
    if (res.accepted) {
      asio::post(stats_, [validator] { count_ride(validator); });
    }
    auto reply = std::make_shared<std::string>((res.accepted ? "OK " : "NO ") + res.reason + "\n");
    asio::async_write(*sock_, asio::buffer(*reply), [reply](boost::system::error_code, std::size_t) {});
  }

  std::shared_ptr<tcp::socket> sock_;
  asio::streambuf buf_;
  ValidatorRegistry &reg_;
  asio::thread_pool &stats_;
  std::string id_;
};


// Periodic blocklist refresh from the back office (own thread).
void refresh_blocklist(const std::vector<std::string> &fresh) {
  std::unique_lock lk(g_blocklist_mu);
  g_blocklist.clear();
  g_blocklist.insert(fresh.begin(), fresh.end());
}

// Fare window rolls over every few minutes; run on a strand-less timer in
// the multi-threaded io_context.
void roll_fare_window(asio::steady_timer &timer) {
  timer.expires_after(3min);
  timer.async_wait([&timer](boost::system::error_code ec) {
    if (ec) return;
    {
      std::scoped_lock lk(g_recent_mu);
      g_recent_taps.clear();
    }
    roll_fare_window(timer);
  });
}

// Per-thread scratch cache for route name lookups: not shared.
std::string cached_route(const std::string &validator) {
  thread_local std::unordered_map<std::string, std::string> cache;
  auto it = cache.find(validator);
  if (it != cache.end()) return it->second;
  auto r = route_of(validator);
  cache.emplace(validator, r);
  return r;
}

asio::awaitable<void> listen(tcp::acceptor acc, ValidatorRegistry &reg, asio::thread_pool &stats) {
  for (;;) {
    auto sock = co_await acc.async_accept(asio::use_awaitable);
    std::make_shared<Session>(std::move(sock), reg, stats)->start();
  }
}

} // namespace hub

int main() {
  asio::io_context ioc;
  asio::thread_pool stats(4);
  hub::ValidatorRegistry reg;
  tcp::acceptor acc(ioc, {tcp::v4(), 7400});
  asio::co_spawn(ioc, hub::listen(std::move(acc), reg, stats), asio::detached);

  asio::steady_timer window(ioc);
  hub::roll_fare_window(window);

  std::thread sync([] {
    for (;;) {
      hub::refresh_blocklist({"T-STOLEN-1", "T-STOLEN-2"});
      hub::g_adjustments.add("T-REFUND-9", -250);
      std::this_thread::sleep_for(60s);
    }
  });
  sync.detach();

  // Summary built locally by the reporting thread, never shared.
  std::thread report([] {
    std::map<std::string, int> local_summary;
    for (const char *r : {"12", "12", "40"}) local_summary[r]++;
    (void)hub::cached_route("12-A");
  });
  report.join();

  std::vector<std::thread> runners;
  for (int i = 0; i < 4; ++i) runners.emplace_back([&ioc] { ioc.run(); });
  for (auto &t : runners) t.join();
  stats.join();
}
