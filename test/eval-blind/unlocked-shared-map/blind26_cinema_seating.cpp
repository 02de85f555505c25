// checks: errorshield-unlocked-shared-map
// Cinema seat-reservation server: browsers hold seats for a few minutes while
// paying; the io_context runs on a pool of threads.
#include <boost/asio.hpp>
#include <chrono>
#include <cstdio>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

struct SeatKey {
  std::uint32_t showing;
  std::uint16_t row;
  std::uint16_t col;
  bool operator<(const SeatKey &o) const {
    return std::tie(showing, row, col) < std::tie(o.showing, o.row, o.col);
  }
};

struct Hold {
  std::string session;
  std::chrono::steady_clock::time_point expires;
};

// How often each showing page was opened (for the "selling fast" badge).
std::unordered_map<std::uint32_t, std::uint64_t> g_showing_views;

class SeatBook {
public:
  bool hold(const SeatKey &k, const std::string &session) {
    std::lock_guard lk(mu_);
    if (sold_.count(k)) return false;
    return holds_.emplace(k, Hold{session, std::chrono::steady_clock::now() + 5min}).second;
  }

  bool confirm(const SeatKey &k, const std::string &session) {
    std::scoped_lock lk(mu_);
    auto it = holds_.find(k);
    if (it == holds_.end() || it->second.session != session) return false;
    holds_.erase(it);
    sold_.insert(k);
    return true;
  }

  // Runs from the sweep timer every few seconds.
  std::size_t drop_expired() {
    auto now = std::chrono::steady_clock::now();
    std::size_t dropped = 0;
    for (auto it = holds_.begin(); it != holds_.end();) {
      if (it->second.expires < now) {
        it = holds_.erase(it); // expect: errorshield-unlocked-shared-map
        ++dropped;
      } else {
        ++it;
      }
    }
    return dropped;
  }

  std::size_t sold_count() const {
    std::lock_guard lk(mu_);
    return sold_.size();
  }

private:
  mutable std::mutex mu_;
  std::map<SeatKey, Hold> holds_;
  std::set<SeatKey> sold_;
};

// Per-showing price tiers, cached after the first lookup.
template <class Key, class Value>
class TierCache {
public:
  void put(const Key &k, Value v) { entries_[k] = std::move(v); } // expect: errorshield-unlocked-shared-map

  void put_locked(const Key &k, Value v) {
    std::unique_lock lk(mu_);
    entries_.insert_or_assign(k, std::move(v));
  }

  bool get(const Key &k, Value &out) const {
    std::shared_lock lk(mu_);
    auto it = entries_.find(k);
    if (it == entries_.end()) return false;
    out = it->second;
    return true;
  }

private:
  mutable std::shared_mutex mu_;
  std::unordered_map<Key, Value> entries_;
};

SeatBook g_book;
TierCache<std::uint32_t, std::string> g_tiers;

std::string fetch_tier_from_db(std::uint32_t showing);

class BookingSession : public std::enable_shared_from_this<BookingSession> {
public:
  explicit BookingSession(tcp::socket s) : sock_(std::move(s)) {}

  void start() { read_request(); }

private:
  void read_request() {
    asio::async_read_until(
        sock_, asio::dynamic_buffer(buf_), '\n',
        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
          if (ec) return;
          std::string line = self->buf_.substr(0, n - 1);
          self->buf_.erase(0, n);
          self->handle(line);
          self->read_request();
        });
  }

  void handle(const std::string &line) {
    // "VIEW <showing>" | "HOLD <showing> <row> <col>"
    std::uint32_t showing = 0;
    unsigned row = 0, col = 0;
    if (std::sscanf(line.c_str(), "VIEW %u", &showing) == 1) {
      ++g_showing_views[showing]; // expect: errorshield-unlocked-shared-map
      std::string tier;
      if (!g_tiers.get(showing, tier)) g_tiers.put(showing, fetch_tier_from_db(showing));
      return;
    }
    if (std::sscanf(line.c_str(), "HOLD %u %u %u", &showing, &row, &col) == 3) {
      // Scratch table for this request only.
      std::map<std::string, std::string> reply_fields;
      reply_fields["seat"] = std::to_string(row) + "-" + std::to_string(col);
      bool ok = g_book.hold({showing, static_cast<std::uint16_t>(row),
                             static_cast<std::uint16_t>(col)},
                            session_id_);
      reply_fields["status"] = ok ? "held" : "taken";
      reply(reply_fields);
    }
  }

  void reply(const std::map<std::string, std::string> &fields) {
    auto out = std::make_shared<std::string>();
    for (const auto &[k, v] : fields) *out += k + "=" + v + ";";
    *out += "\n";
    asio::async_write(sock_, asio::buffer(*out),
                      [self = shared_from_this(), out](boost::system::error_code, std::size_t) {});
  }

  tcp::socket sock_;
  std::string buf_;
  std::string session_id_ = "anon";
};

// Box-office terminals register themselves; registrations are serialized on
// a strand so the table never sees two writers at once.
class TerminalDirectory {
public:
  explicit TerminalDirectory(asio::io_context &ioc) : strand_(asio::make_strand(ioc)) {}

  void add(std::string name, std::string addr) {
    asio::post(strand_, [this, name = std::move(name), addr = std::move(addr)]() mutable {
      terminals_.emplace(std::move(name), std::move(addr));
    });
  }

private:
  asio::strand<asio::io_context::executor_type> strand_;
  std::unordered_map<std::string, std::string> terminals_;
};

// Nightly import of the next day's sold-out rows from the partner feed.
void import_blocked_rows(asio::thread_pool &pool, const std::vector<SeatKey> &feed,
                         std::set<SeatKey> &blocked) {
  for (const SeatKey &k : feed) {
    asio::post(pool, [&blocked, k] {
      blocked.insert(k); // expect: errorshield-unlocked-shared-map
    });
  }
}

void import_blocked_rows_locked(asio::thread_pool &pool, const std::vector<SeatKey> &feed,
                                std::set<SeatKey> &blocked, std::mutex &mu) {
  for (const SeatKey &k : feed) {
    asio::post(pool, [&blocked, &mu, k] {
      std::lock_guard lk(mu);
      blocked.insert(k);
    });
  }
}

// Ticket-scanner threads record which tickets were seen at the door.
std::unordered_set<std::string> g_scanned;

void run_scanners(const std::vector<std::vector<std::string>> &lanes) {
  std::vector<std::thread> threads;
  for (const auto &lane : lanes) {
    threads.emplace_back([&lane] {
      for (const auto &ticket : lane) g_scanned.insert(ticket); // expect: errorshield-unlocked-shared-map
    });
  }
  for (auto &t : threads) t.join();
}

void sweep_loop(asio::steady_timer &t) {
  t.expires_after(5s);
  t.async_wait([&t](boost::system::error_code ec) {
    if (ec) return;
    std::size_t n = g_book.drop_expired();
    if (n) std::cout << "released " << n << " stale holds\n";
    sweep_loop(t);
  });
}

void do_accept(tcp::acceptor &acc) {
  acc.async_accept([&acc](boost::system::error_code ec, tcp::socket s) {
    if (!ec) std::make_shared<BookingSession>(std::move(s))->start();
    do_accept(acc);
  });
}

int main() {
  asio::io_context ioc;
  // Warm the view counters before any worker thread exists.
  for (std::uint32_t s : {101u, 102u, 103u}) g_showing_views[s] = 0;

  tcp::acceptor acc(ioc, {tcp::v4(), 8088});
  asio::steady_timer sweeper(ioc);
  TerminalDirectory terminals(ioc);
  terminals.add("lobby-1", "10.0.0.21");
  do_accept(acc);
  sweep_loop(sweeper);

  std::vector<std::thread> workers;
  for (int i = 0; i < 4; ++i) workers.emplace_back([&ioc] { ioc.run(); });
  for (auto &w : workers) w.join();
}
