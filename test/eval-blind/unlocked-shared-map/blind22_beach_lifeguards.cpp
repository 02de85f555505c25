// checks: errorshield-unlocked-shared-map
// Beach lifeguard tower status service.
// Towers push status (flag colour, staffed / unstaffed, incidents) over HTTP;
// the dashboard reads a JSON snapshot. Runs on a 4-thread io_context.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>
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
namespace beast = boost::beast;
namespace http = beast::http;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using json = nlohmann::json;

namespace beach {

enum class Flag { green, yellow, red, purple };

struct TowerStatus {
  std::string tower_id;
  Flag flag = Flag::green;
  bool staffed = false;
  int incidents_today = 0;
};

// Latest status per tower; written by every connection handler.
std::map<std::string, TowerStatus> g_towers;
std::mutex g_towers_mu;

// Which guards are currently clocked in.
std::set<std::string> g_on_duty;

// Per-tower last heartbeat (seconds since epoch).
std::unordered_map<std::string, long> g_heartbeats;
std::shared_mutex g_heartbeats_mu;

Flag parse_flag(const std::string &s) {
  if (s == "red") return Flag::red;
  if (s == "yellow") return Flag::yellow;
  if (s == "purple") return Flag::purple;
  return Flag::green;
}

long now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Called from the HTTP handler on whichever pool thread ran it.
void apply_status(const json &body) {
  TowerStatus st;
  st.tower_id = body.at("tower").get<std::string>();
  st.flag = parse_flag(body.value("flag", "green"));
  st.staffed = body.value("staffed", false);
  st.incidents_today = body.value("incidents", 0);
  g_towers[st.tower_id] = st; // expect: errorshield-unlocked-shared-map
}

// Same update, serialised with the tower mutex.
void apply_status_locked(const json &body) {
  TowerStatus st;
  st.tower_id = body.at("tower").get<std::string>();
  st.flag = parse_flag(body.value("flag", "green"));
  std::lock_guard<std::mutex> lk(g_towers_mu);
  g_towers[st.tower_id] = st;
}

void record_heartbeat(const std::string &tower) {
  std::unique_lock lk(g_heartbeats_mu);
  g_heartbeats[tower] = now_s();
}

long last_heartbeat(const std::string &tower) {
  std::shared_lock lk(g_heartbeats_mu);
  auto it = g_heartbeats.find(tower);
  return it == g_heartbeats.end() ? 0 : it->second;
}

// Tower offline: forget its heartbeat so the dashboard greys it out.
void forget_heartbeat(const std::string &tower) {
  g_heartbeats.erase(tower); // expect: errorshield-unlocked-shared-map
}

// Shift manager: keeps the set of guards on duty, with its own lock.
class ShiftBoard {
public:
  void clock_in(const std::string &guard, const std::string &tower) {
    std::scoped_lock lk(mu_);
    assignment_[guard] = tower;
  }

  void clock_out(const std::string &guard) {
    assignment_.erase(guard); // expect: errorshield-unlocked-shared-map
  }

  std::string tower_of(const std::string &guard) {
    std::scoped_lock lk(mu_);
    auto it = assignment_.find(guard);
    return it == assignment_.end() ? std::string{} : it->second;
  }

private:
  std::mutex mu_;
  std::unordered_map<std::string, std::string> assignment_;
};

ShiftBoard g_shifts;

// Builds the dashboard snapshot. The local map is private to this call.
json snapshot() {
  std::map<std::string, json> rows;
  {
    std::lock_guard<std::mutex> lk(g_towers_mu);
    for (const auto &[id, st] : g_towers) {
      rows[id] = json{{"flag", static_cast<int>(st.flag)}, {"staffed", st.staffed},
                      {"incidents", st.incidents_today}};
    }
  }
  json out = json::object();
  for (auto &[id, row] : rows)
    out[id] = std::move(row);
  return out;
}

// Per-thread cache of parsed tower names; never shared.
thread_local std::unordered_map<std::string, std::string> t_name_cache;

const std::string &canonical_name(const std::string &raw) {
  auto it = t_name_cache.find(raw);
  if (it == t_name_cache.end())
    it = t_name_cache.emplace(raw, raw.substr(0, 16)).first;
  return it->second;
}

// Incident log kept per tower, appended from the pool and read by the reporter.
template <class Key> class IncidentLog {
public:
  void add(const Key &tower, std::string note) {
    std::lock_guard<std::mutex> lk(mu_);
    notes_[tower].push_back(std::move(note));
  }

  void clear_tower(const Key &tower) { notes_.erase(tower); } // expect: errorshield-unlocked-shared-map

private:
  std::mutex mu_;
  std::map<Key, std::vector<std::string>> notes_;
};

IncidentLog<std::string> g_incidents;

// HTTP session: one per tower connection, run with coroutines.
awaitable<void> serve_tower(tcp::socket sock) {
  beast::flat_buffer buf;
  for (;;) {
    http::request<http::string_body> req;
    co_await http::async_read(sock, buf, req, use_awaitable);
    json body = json::parse(req.body(), nullptr, false);
    http::response<http::string_body> res{http::status::ok, req.version()};
    if (req.target() == "/status" && body.is_object()) {
      apply_status(body);
      record_heartbeat(canonical_name(body.value("tower", "")));
    } else if (req.target() == "/clock-in" && body.is_object()) {
      g_on_duty.insert(body.value("guard", "")); // expect: errorshield-unlocked-shared-map
      g_shifts.clock_in(body.value("guard", ""), body.value("tower", ""));
    } else if (req.target() == "/clock-out" && body.is_object()) {
      g_shifts.clock_out(body.value("guard", ""));
    } else if (req.target() == "/incident" && body.is_object()) {
      g_incidents.add(body.value("tower", ""), body.value("note", ""));
    } else if (req.target() == "/incident-reset" && body.is_object()) {
      g_incidents.clear_tower(body.value("tower", ""));
    } else if (req.target() == "/snapshot") {
      res.body() = snapshot().dump();
    } else {
      res.result(http::status::not_found);
    }
    res.prepare_payload();
    co_await http::async_write(sock, res, use_awaitable);
    if (!req.keep_alive())
      break;
  }
}

// Stale tower sweeper: runs on a strand so it never overlaps with itself.
class Sweeper {
public:
  explicit Sweeper(asio::io_context &ioc) : strand_(asio::make_strand(ioc)), timer_(strand_) {}

  void start() { arm(); }

private:
  void arm() {
    timer_.expires_after(std::chrono::seconds(30));
    timer_.async_wait([this](boost::system::error_code ec) {
      if (ec)
        return;
      long cutoff = now_s() - 120;
      stale_[cutoff] = cutoff;
      if (stale_.size() > 64)
        stale_.erase(stale_.begin());
      arm();
    });
  }

  asio::strand<asio::io_context::executor_type> strand_;
  asio::steady_timer timer_;
  std::map<long, long> stale_; // touched only from handlers on strand_
};

awaitable<void> listen(tcp::acceptor acc) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(use_awaitable);
    asio::co_spawn(acc.get_executor(), serve_tower(std::move(s)), asio::detached);
  }
}

} // namespace beach

int main() {
  asio::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 8088});
  asio::co_spawn(ioc, beach::listen(std::move(acc)), asio::detached);
  beach::Sweeper sweeper(ioc);
  sweeper.start();

  // Radio bridge: a separate thread that reports guards leaving the beach.
  std::thread radio([] {
    for (int i = 0; i < 10; ++i) {
      beach::g_on_duty.erase("guard-" + std::to_string(i)); // expect: errorshield-unlocked-shared-map
      beach::g_incidents.add("tower-1", "radio check");
      beach::forget_heartbeat("tower-" + std::to_string(i));
    }
  });

  std::vector<std::thread> pool;
  for (int i = 0; i < 4; ++i)
    pool.emplace_back([&ioc] { ioc.run(); });
  for (auto &t : pool)
    t.join();
  radio.join();
}
