// checks: errorshield-deferred-ref-capture
// Rowing club: ergometer telemetry hub + boathouse reservations.
#include <boost/asio.hpp>
#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;

namespace rowing {

struct Boat {
  int id = 0;
  std::string name;
  int seats = 1;
  std::string reserved_by;
};

struct Rower {
  std::string member_id;
  std::string name;
};

struct ErgSession {
  std::string member_id;
  int stroke_rate = 0;
  double split_seconds = 0.0;
};

class ScopeExit {
 public:
  explicit ScopeExit(std::function<void()> fn) : fn_(std::move(fn)) {}
  ~ScopeExit() {
    if (fn_) fn_();
  }
  void dismiss() { fn_ = nullptr; }
  ScopeExit(const ScopeExit&) = delete;
  ScopeExit& operator=(const ScopeExit&) = delete;

 private:
  std::function<void()> fn_;
};

std::string read_line_from_erg(int fd);
std::string extract_member(const std::string& hello);
void write_file(const std::string& path, const std::vector<std::string>& lines);

class BoatHouse {
 public:
  explicit BoatHouse(asio::io_context& ioc) : ioc_(ioc) {}

  void log(const std::string& msg) { std::cerr << "[boathouse] " << msg << '\n'; }

  bool reserve(int boat_id, const std::string& member) {
    auto it = boats_.find(boat_id);
    if (it == boats_.end() || !it->second.reserved_by.empty()) return false;
    it->second.reserved_by = member;
    return true;
  }

  void release(int boat_id) {
    auto it = boats_.find(boat_id);
    if (it != boats_.end()) it->second.reserved_by.clear();
  }

  void drop_session(const std::string& member_id) {
    sessions_.erase(member_id);
    log("erg session closed for " + member_id);
  }

  // Each erg connects as a guest first and identifies itself in its hello line.
  void run_erg_link(int fd, int link_no) {
    std::string member = "guest-" + std::to_string(link_no);
    sessions_[member] = ErgSession{member};
    ScopeExit hangup([&] { drop_session(member); }); // expect: errorshield-deferred-ref-capture

    std::string hello = read_line_from_erg(fd);
    member = extract_member(hello);
    sessions_[member] = ErgSession{member};

    for (std::string line = read_line_from_erg(fd); !line.empty(); line = read_line_from_erg(fd)) {
      sessions_[member].stroke_rate = std::stoi(line);
    }
  }

  // Holds the boat while the crew list is validated; gives it back on any failure.
  bool book_crew_boat(int boat_id, const std::vector<Rower>& crew) {
    if (crew.empty() || !reserve(boat_id, crew.front().member_id)) return false;
    ScopeExit undo([&] { release(boat_id); });
    auto it = boats_.find(boat_id);
    if (it == boats_.end() || static_cast<int>(crew.size()) > it->second.seats) return false;
    undo.dismiss();
    return true;
  }

  void schedule_overdue_check(int boat_id, std::chrono::minutes allowed) {
    auto timer = std::make_shared<asio::steady_timer>(ioc_, allowed);
    std::string boat_name = boats_[boat_id].name;
    timer->async_wait([this, timer, &boat_name](const boost::system::error_code& ec) { // expect: errorshield-deferred-ref-capture
      if (!ec) log("boat still out on the water: " + boat_name);
    });
  }

  void schedule_dock_reminder(int boat_id, std::chrono::minutes after) {
    auto timer = std::make_shared<asio::steady_timer>(ioc_, after);
    timer->async_wait([this, timer, boat_id, name = boats_[boat_id].name](const boost::system::error_code& ec) {
      if (!ec) log("reminder: rinse and rack " + name + " #" + std::to_string(boat_id));
    });
  }

  awaitable<void> notify(const Rower& r, const std::string& text) {
    asio::steady_timer pace(co_await asio::this_coro::executor, std::chrono::milliseconds(5));
    co_await pace.async_wait(use_awaitable);
    log("to " + r.name + ": " + text);
  }

  void broadcast_to_crew(std::vector<Rower> crew, std::string text) {
    asio::co_spawn(ioc_, [&]() -> awaitable<void> { // expect: errorshield-deferred-ref-capture
      for (const auto& r : crew) co_await notify(r, text);
    }, asio::detached);
  }

  void broadcast_to_squad(std::vector<Rower> squad, std::string text) {
    asio::co_spawn(ioc_, [this, squad = std::move(squad), text = std::move(text)]() -> awaitable<void> {
      for (const auto& r : squad) co_await notify(r, text);
    }, asio::detached);
  }

  void export_logbook(const std::string& path) {
    std::vector<std::string> lines;
    for (const auto& [id, b] : boats_) lines.push_back(b.name + "," + b.reserved_by);
    std::thread([&lines, path] { write_file(path, lines); }).detach(); // expect: errorshield-deferred-ref-capture
  }

  void export_logbook_blocking(const std::string& path) {
    std::vector<std::string> lines;
    for (const auto& [id, b] : boats_) lines.push_back(b.name + "," + b.reserved_by);
    std::thread writer([&] { write_file(path, lines); });
    writer.join();
  }

  void watch_member(std::string member_id) {
    on_disconnect_ = [this, &member_id] { drop_session(member_id); }; // expect: errorshield-deferred-ref-capture
  }

  void watch_member_safely(std::string member_id) {
    on_disconnect_ = [this, id = std::move(member_id)] { drop_session(id); };
  }

  void link_lost() {
    if (on_disconnect_) on_disconnect_();
  }

  std::vector<Boat> free_boats(int min_seats) const {
    std::vector<Boat> out;
    std::for_each(boats_.begin(), boats_.end(), [&](const auto& kv) {
      if (kv.second.reserved_by.empty() && kv.second.seats >= min_seats) out.push_back(kv.second);
    });
    return out;
  }

  void add_boat(Boat b) { boats_.emplace(b.id, std::move(b)); }

 private:
  asio::io_context& ioc_;
  std::map<int, Boat> boats_;
  std::unordered_map<std::string, ErgSession> sessions_;
  std::function<void()> on_disconnect_;
};

// Retires stale entries from any registry keyed by member id or boat id.
template <class Registry>
class Reaper {
 public:
  Reaper(asio::io_context& ioc, Registry& reg) : ioc_(ioc), reg_(reg) {}

  void retire_later(typename Registry::key_type key) {
    asio::post(ioc_, [&] { reg_.erase(key); }); // expect: errorshield-deferred-ref-capture
  }

  void retire_later_by_value(typename Registry::key_type key) {
    asio::post(ioc_, [this, key] { reg_.erase(key); });
  }

 private:
  asio::io_context& ioc_;
  Registry& reg_;
};

void run_club(asio::io_context& ioc) {
  BoatHouse house(ioc);
  house.add_boat({1, "Single Scull", 1, {}});
  house.add_boat({8, "Eight - Thames", 8, {}});

  std::unordered_map<std::string, int> lockers{{"m-100", 3}, {"m-101", 4}};
  Reaper<std::unordered_map<std::string, int>> reaper(ioc, lockers);
  reaper.retire_later("m-100");
  reaper.retire_later_by_value("m-101");

  house.schedule_overdue_check(1, std::chrono::minutes(90));
  house.schedule_dock_reminder(8, std::chrono::minutes(120));
  house.broadcast_to_crew({{"m-1", "Ana"}, {"m-2", "Ben"}}, "outing at 6:00");
  house.broadcast_to_squad({{"m-3", "Cy"}}, "ergs at 7:00");
  house.watch_member("m-1");
  house.watch_member_safely("m-2");
  house.book_crew_boat(8, {{"m-1", "Ana"}});

  ioc.run();
}

}  // namespace rowing

int main() {
  asio::io_context ioc;
  rowing::run_club(ioc);
}
