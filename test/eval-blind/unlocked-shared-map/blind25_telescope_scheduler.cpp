// checks: errorshield-unlocked-shared-map
// Observatory scheduler: astronomers book observation windows on shared
// telescopes over HTTP; a pool of io threads serves requests and a weather
// thread cancels bookings when the dome has to close.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace observatory {

struct Booking {
  std::string astronomer;
  std::string target;
  long start_utc = 0;
  long end_utc = 0;
};

// Telescopes currently closed for maintenance; touched by the io pool and the
// weather thread.
std::set<std::string> g_closed_scopes;
std::mutex g_closed_mu;

// Per-telescope observation counts for the nightly report.
std::unordered_map<std::string, int> g_obs_counts;

class Scheduler {
public:
  bool book(const std::string& scope, const Booking& b) {
    std::lock_guard lk(mu_);
    auto& list = bookings_[scope];
    for (const auto& other : list)
      if (b.start_utc < other.end_utc && other.start_utc < b.end_utc) return false;
    list.push_back(b);
    return true;
  }

  void cancel_all(const std::string& scope) {
    std::unique_lock lk(mu_);
    bookings_.erase(scope);
  }

  // Dome sensors call this whenever a telescope reports its position.
  void record_position(const std::string& scope, double alt, double az) {
    last_position_[scope] = {alt, az}; // expect: errorshield-unlocked-shared-map
  }

  std::pair<double, double> position(const std::string& scope) {
    std::shared_lock lk(pos_mu_);
    auto it = last_position_.find(scope);
    return it == last_position_.end() ? std::pair{0.0, 0.0} : it->second;
  }

  void register_session(const std::string& token, const std::string& astronomer) {
    std::scoped_lock lk(session_mu_);
    sessions_.emplace(token, astronomer);
  }

  void drop_session(const std::string& token) {
    sessions_.erase(token); // expect: errorshield-unlocked-shared-map
  }

  std::vector<Booking> bookings_for(const std::string& scope) {
    std::lock_guard lk(mu_);
    auto it = bookings_.find(scope);
    return it == bookings_.end() ? std::vector<Booking>{} : it->second;
  }

  json snapshot() {
    std::lock_guard lk(mu_);
    json out = json::object();
    for (const auto& [scope, list] : bookings_) out[scope] = list.size();
    return out;
  }

private:
  std::mutex mu_;
  std::map<std::string, std::vector<Booking>> bookings_;
  std::shared_mutex pos_mu_;
  std::unordered_map<std::string, std::pair<double, double>> last_position_;
  std::mutex session_mu_;
  std::unordered_map<std::string, std::string> sessions_;
};

void bump_count(const std::string& scope) {
  ++g_obs_counts[scope]; // expect: errorshield-unlocked-shared-map
}

void mark_closed(const std::string& scope) {
  std::lock_guard lk(g_closed_mu);
  g_closed_scopes.insert(scope);
}

void mark_open(const std::string& scope) {
  g_closed_scopes.erase(scope); // expect: errorshield-unlocked-shared-map
}

// Weather watcher runs on its own thread and closes domes when it rains.
void weather_loop(Scheduler& sched, std::atomic<bool>& stop) {
  const std::vector<std::string> scopes{"north-1m", "south-0.6m", "solar"};
  while (!stop) {
    bool raining = std::rand() % 7 == 0;
    for (const auto& s : scopes) {
      if (raining) {
        mark_closed(s);
        sched.cancel_all(s);
      } else {
        mark_open(s);
      }
    }
    std::this_thread::sleep_for(std::chrono::seconds(30));
  }
}

// Request-local scratch map, built per call.
json summarize(const std::vector<Booking>& list) {
  std::map<std::string, int> per_target;
  for (const auto& b : list) ++per_target[b.target];
  return json(per_target);
}

// Per-thread cache of parsed target names.
thread_local std::unordered_map<std::string, std::string> t_target_cache;

const std::string& canonical_target(const std::string& raw) {
  auto it = t_target_cache.find(raw);
  if (it != t_target_cache.end()) return it->second;
  std::string c = raw;
  for (auto& ch : c) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return t_target_cache.emplace(raw, std::move(c)).first->second;
}

// Template cache used by the HTTP handlers to remember the last response
// per path; every io thread writes into it.
template <class Key, class Value>
class ResponseCache {
public:
  void put(const Key& k, Value v) {
    entries_.insert_or_assign(k, std::move(v)); // expect: errorshield-unlocked-shared-map
  }
  void put_locked(const Key& k, Value v) {
    std::lock_guard lk(mu_);
    entries_.insert_or_assign(k, std::move(v));
  }

private:
  std::mutex mu_;
  std::map<Key, Value> entries_;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
public:
  HttpSession(tcp::socket s, Scheduler& sched, ResponseCache<std::string, std::string>& cache)
      : stream_(std::move(s)), sched_(sched), cache_(cache) {}

  void start() { do_read(); }

private:
  void do_read() {
    req_ = {};
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buf_, req_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    res_ = {};
    res_.version(req_.version());
    res_.set(http::field::content_type, "application/json");
    std::string target(req_.target());
    if (req_.method() == http::verb::post) {
      auto body = json::parse(req_.body(), nullptr, false);
      sched_.register_session(std::string(req_[http::field::authorization]), body.value("astronomer", ""));
      Booking b{body.value("astronomer", ""), canonical_target(body.value("target", "")),
                body.value("start", 0L), body.value("end", 0L)};
      std::string scope = body.value("scope", "north-1m");
      bool ok = sched_.book(scope, b);
      if (ok) bump_count(scope);
      res_.result(ok ? http::status::created : http::status::conflict);
      res_.body() = json{{"ok", ok}}.dump();
    } else if (req_.method() == http::verb::delete_) {
      sched_.drop_session(std::string(req_[http::field::authorization]));
      res_.result(http::status::no_content);
    } else if (target == "/summary") {
      res_.result(http::status::ok);
      res_.body() = summarize(sched_.bookings_for(std::string(req_["X-Scope"]))).dump();
    } else {
      res_.result(http::status::ok);
      res_.body() = sched_.snapshot().dump();
      cache_.put(target, res_.body());
    }
    res_.prepare_payload();
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) self->do_read();
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
  Scheduler& sched_;
  ResponseCache<std::string, std::string>& cache_;
};

// Position updates are funnelled through one strand; only that strand ever
// touches the map below.
class PositionFeed {
public:
  explicit PositionFeed(net::any_io_executor ex) : strand_(net::make_strand(ex)) {}
  void update(std::string scope, double alt) {
    net::post(strand_, [this, scope = std::move(scope), alt] { latest_alt_[scope] = alt; });
  }

private:
  net::strand<net::any_io_executor> strand_;
  std::map<std::string, double> latest_alt_;
};

net::awaitable<void> accept_loop(tcp::acceptor acc, Scheduler& sched,
                                 ResponseCache<std::string, std::string>& cache) {
  for (;;) {
    auto s = co_await acc.async_accept(net::use_awaitable);
    std::make_shared<HttpSession>(std::move(s), sched, cache)->start();
  }
}

}  // namespace observatory

int main() {
  using namespace observatory;
  net::io_context ioc;
  Scheduler sched;
  ResponseCache<std::string, std::string> cache;
  PositionFeed feed(ioc.get_executor());
  std::atomic<bool> stop{false};

  net::co_spawn(ioc, accept_loop(tcp::acceptor(ioc, {tcp::v4(), 8180}), sched, cache), net::detached);
  std::thread weather([&] { weather_loop(sched, stop); });

  std::vector<std::thread> pool;
  for (int i = 0; i < 4; ++i)
    pool.emplace_back([&] {
      sched.record_position("north-1m", 45.0, 180.0);
      feed.update("north-1m", 45.0);
      ioc.run();
    });
  for (auto& t : pool) t.join();
  stop = true;
  weather.join();
}
