// checks: errorshield-unlocked-shared-map
// Fleet controller for robot vacuums: robots report telemetry over TCP, the dispatcher
// assigns rooms, and a maintenance thread retires robots whose batteries are worn out.
#include <boost/asio.hpp>
#include <algorithm>
#include <atomic>
#include <functional>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
using asio::ip::tcp;

namespace fleet {

struct RobotState {
  std::string room;
  int battery_pct = 100;
  int dust_bin_pct = 0;
  std::chrono::steady_clock::time_point last_seen;
};

struct Telemetry {
  std::string robot_id;
  int battery_pct = 0;
  int dust_bin_pct = 0;
};

Telemetry parse_telemetry(const std::string &line);
std::vector<std::string> worn_out_robots();

// Latest state per robot, written by every connection handler.
std::unordered_map<std::string, RobotState> g_robots;
std::mutex g_robots_mu;

// Robots currently docked for charging.
std::set<std::string> g_docked;

void record_telemetry(const Telemetry &t) {
  auto &st = g_robots[t.robot_id]; // expect: errorshield-unlocked-shared-map
  st.battery_pct = t.battery_pct;
  st.dust_bin_pct = t.dust_bin_pct;
  st.last_seen = std::chrono::steady_clock::now();
}

void record_telemetry_locked(const Telemetry &t) {
  std::lock_guard lk(g_robots_mu);
  auto &st = g_robots[t.robot_id];
  st.battery_pct = t.battery_pct;
  st.dust_bin_pct = t.dust_bin_pct;
  st.last_seen = std::chrono::steady_clock::now();
}

class RobotLink : public std::enable_shared_from_this<RobotLink> {
public:
  explicit RobotLink(tcp::socket s) : sock_(std::move(s)) {}
  void start() { read_next(); }

private:
  void read_next() {
    asio::async_read_until(sock_, asio::dynamic_buffer(buf_), '\n',
                           [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                             if (ec)
                               return;
                             std::string line = self->buf_.substr(0, n);
                             self->buf_.erase(0, n);
                             Telemetry t = parse_telemetry(line);
                             if (t.battery_pct < 15)
                               g_docked.insert(t.robot_id); // expect: errorshield-unlocked-shared-map
                             record_telemetry_locked(t);
                             self->read_next();
                           });
  }

  tcp::socket sock_;
  std::string buf_;
};

// Room assignments, owned by the dispatcher and shared with the HTTP status page.
class Dispatcher {
public:
  void assign(const std::string &robot, const std::string &room) {
    std::unique_lock lk(mu_);
    rooms_[robot] = room;
  }

  void unassign(const std::string &robot) {
    rooms_.erase(robot); // expect: errorshield-unlocked-shared-map
  }

  std::string room_of(const std::string &robot) const {
    std::shared_lock lk(mu_);
    auto it = rooms_.find(robot);
    return it == rooms_.end() ? std::string{} : it->second;
  }

  void bulk_assign(const std::map<std::string, std::string> &plan) {
    std::scoped_lock lk(mu_);
    for (const auto &[robot, room] : plan)
      rooms_.insert_or_assign(robot, room);
  }

private:
  mutable std::shared_mutex mu_;
  std::map<std::string, std::string> rooms_;
};

// Generic keyed registry used for chargers and docking stations.
template <class Key, class Value> class Registry {
public:
  void put(const Key &k, Value v) {
    std::lock_guard lk(mu_);
    items_[k] = std::move(v);
  }
  void put_fast(const Key &k, Value v) {
    items_.emplace(k, std::move(v)); // expect: errorshield-unlocked-shared-map
  }
  std::size_t size() const {
    std::lock_guard lk(mu_);
    return items_.size();
  }

private:
  mutable std::mutex mu_;
  std::unordered_map<Key, Value> items_;
};

Registry<std::string, int> g_chargers;

// Maintenance: retire worn robots every minute from a background thread.
void start_maintenance(std::atomic<bool> &running) {
  std::thread([&running] {
    while (running) {
      for (const auto &id : worn_out_robots())
        g_robots.erase(id); // expect: errorshield-unlocked-shared-map
      std::this_thread::sleep_for(std::chrono::minutes(1));
    }
  }).detach();
}

// Dock stations report on the pool; bookkeeping is serialised on a strand.
class DockMonitor {
public:
  explicit DockMonitor(asio::thread_pool &pool) : strand_(asio::make_strand(pool)) {}

  void station_online(std::string station, int slots) {
    asio::post(strand_, [this, station = std::move(station), slots] {
      free_slots_[station] = slots;
    });
  }

  void station_offline(std::string station) {
    asio::post(strand_, [this, station = std::move(station)] { free_slots_.erase(station); });
  }

private:
  asio::strand<asio::thread_pool::executor_type> strand_;
  std::map<std::string, int> free_slots_;
};

// Per-shift dust report: the map is built locally and returned by value.
std::map<std::string, int> dust_report(const std::vector<Telemetry> &samples) {
  std::map<std::string, int> report;
  for (const auto &s : samples)
    report[s.robot_id] = std::max(report[s.robot_id], s.dust_bin_pct);
  return report;
}

// Coroutine per robot link; many run on the same multi-threaded pool.
asio::awaitable<void> heartbeat_loop(tcp::socket sock, std::string robot_id) {
  asio::steady_timer t(co_await asio::this_coro::executor);
  char byte = 0;
  for (;;) {
    t.expires_after(std::chrono::seconds(10));
    co_await t.async_wait(asio::use_awaitable);
    auto [ec, n] = co_await asio::async_read(sock, asio::buffer(&byte, 1),
                                             asio::as_tuple(asio::use_awaitable));
    if (ec) {
      std::lock_guard lk(g_robots_mu);
      g_robots.erase(robot_id);
      co_return;
    }
    g_chargers.put_fast(robot_id, byte);
    g_robots[robot_id].last_seen = std::chrono::steady_clock::now(); // expect: errorshield-unlocked-shared-map
  }
}

void run_fleet(unsigned short port, const std::vector<Telemetry> &backlog) {
  asio::thread_pool pool(4);
  tcp::acceptor acc(pool, {tcp::v4(), port});
  DockMonitor docks(pool);
  std::function<void()> accept_next;
  accept_next = [&] {
    acc.async_accept([&](boost::system::error_code ec, tcp::socket s) {
      if (!ec)
        std::make_shared<RobotLink>(std::move(s))->start();
      accept_next();
    });
  };
  accept_next();
  // Telemetry buffered by robots while the controller was down is replayed in parallel.
  for (const auto &t : backlog)
    asio::post(pool, [t] { record_telemetry(t); });
  docks.station_online("hall-1", 2);
  pool.join();
}

} // namespace fleet
