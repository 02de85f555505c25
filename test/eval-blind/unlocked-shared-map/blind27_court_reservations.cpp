// checks: errorshield-unlocked-shared-map
// Tennis/padel court reservation server. Clients send "BOOK <court> <slot> <member>",
// "CANCEL <booking>" lines; a pool of threads runs the io_context.
#include <boost/asio.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
using asio::ip::tcp;

namespace courts {

struct Booking {
  int court = 0;
  int slot = 0; // 30-minute slot index in the day
  std::string member;
};

// Per-court opening slots, filled once at startup and never modified afterwards.
const std::map<int, int> kSlotsPerCourt = {{1, 28}, {2, 28}, {3, 24}, {4, 20}};

// Members currently banned for no-shows; the nightly job refreshes this.
std::set<std::string> g_no_show_list;

std::map<std::string, int> g_daily_counts;
std::mutex g_daily_mutex;

void note_booking_for_stats(const std::string &member) {
  std::lock_guard<std::mutex> lk(g_daily_mutex);
  ++g_daily_counts[member];
}

void reset_no_show_list(const std::vector<std::string> &fresh) {
  std::set<std::string> next;
  for (const auto &m : fresh)
    next.insert(m);
  g_no_show_list.swap(next); // expect: errorshield-unlocked-shared-map
}

template <class Key, class Value> class ExpiringCache {
public:
  void put(const Key &k, Value v) {
    std::unique_lock lk(mu_);
    items_[k] = std::move(v);
  }
  bool get(const Key &k, Value &out) const {
    std::shared_lock lk(mu_);
    auto it = items_.find(k);
    if (it == items_.end())
      return false;
    out = it->second;
    return true;
  }
  void evict(const Key &k) { items_.erase(k); } // expect: errorshield-unlocked-shared-map

private:
  mutable std::shared_mutex mu_;
  std::unordered_map<Key, Value> items_;
};

class ReservationBook {
public:
  explicit ReservationBook(asio::io_context &ioc) : ioc_(ioc) {}

  std::uint64_t book(const Booking &b) {
    std::lock_guard<std::mutex> lk(mu_);
    auto key = slot_key(b.court, b.slot);
    if (taken_.count(key))
      return 0;
    auto id = ++next_id_;
    taken_.insert(key);
    bookings_.emplace(id, b);
    return id;
  }

  // Cancellation is posted so the client gets its ack first.
  void cancel_async(std::uint64_t id) {
    asio::post(ioc_, [this, id] {
      {
        std::lock_guard<std::mutex> lk(mu_);
        auto it = bookings_.find(id);
        if (it == bookings_.end())
          return;
        taken_.erase(slot_key(it->second.court, it->second.slot));
      }
      // slot is free again; drop the record itself
      bookings_.erase(id); // expect: errorshield-unlocked-shared-map
    });
  }

  std::size_t count() const {
    std::lock_guard<std::mutex> lk(mu_);
    return bookings_.size();
  }

  ExpiringCache<std::string, std::string> member_names;

private:
  static int slot_key(int court, int slot) { return court * 100 + slot; }

  asio::io_context &ioc_;
  mutable std::mutex mu_;
  std::uint64_t next_id_ = 0;
  std::set<int> taken_;
  std::unordered_map<std::uint64_t, Booking> bookings_;
};

class ClientSession : public std::enable_shared_from_this<ClientSession> {
public:
  ClientSession(tcp::socket s, ReservationBook &book,
                std::unordered_map<std::string, std::weak_ptr<ClientSession>> &online)
      : sock_(std::move(s)), book_(book), online_(online) {}

  void start() { read(); }

private:
  void read() {
    auto self = shared_from_this();
    asio::async_read_until(sock_, asio::dynamic_buffer(in_), '\n',
                           [self](boost::system::error_code ec, std::size_t n) {
                             if (ec) {
                               self->online_.erase(self->member_); // expect: errorshield-unlocked-shared-map
                               return;
                             }
                             std::string line = self->in_.substr(0, n - 1);
                             self->in_.erase(0, n);
                             self->dispatch(line);
                             self->read();
                           });
  }

  void dispatch(const std::string &line) {
    std::istringstream is(line);
    std::string verb;
    is >> verb;
    // Per-request scratch map of parsed options; owned by this call only.
    std::map<std::string, std::string> opts;
    std::string kv;
    while (is >> kv) {
      auto eq = kv.find('=');
      if (eq != std::string::npos)
        opts[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    if (verb == "HELLO") {
      member_ = opts["member"];
      online_[member_] = weak_from_this(); // expect: errorshield-unlocked-shared-map
    } else if (verb == "BOOK") {
      Booking b{std::stoi(opts["court"]), std::stoi(opts["slot"]), member_};
      if (!kSlotsPerCourt.count(b.court) || g_no_show_list.count(member_)) {
        reply("DENIED\n");
        return;
      }
      auto id = book_.book(b);
      note_booking_for_stats(member_);
      reply(id ? "OK " + std::to_string(id) + "\n" : "TAKEN\n");
    } else if (verb == "CANCEL") {
      book_.cancel_async(std::stoull(opts["id"]));
      reply("CANCELLING\n");
    }
  }

  void reply(std::string msg) {
    auto self = shared_from_this();
    auto data = std::make_shared<std::string>(std::move(msg));
    asio::async_write(sock_, asio::buffer(*data),
                      [self, data](boost::system::error_code, std::size_t) {});
  }

  tcp::socket sock_;
  ReservationBook &book_;
  std::unordered_map<std::string, std::weak_ptr<ClientSession>> &online_;
  std::string in_;
  std::string member_;
};

class Server {
public:
  Server(asio::io_context &ioc, unsigned short port)
      : ioc_(ioc), acceptor_(ioc, tcp::endpoint(tcp::v4(), port)), book_(ioc) {}

  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket s) {
      if (!ec)
        std::make_shared<ClientSession>(std::move(s), book_, online_)->start();
      accept();
    });
  }

  // Nightly job running on its own thread: refresh the ban list and drop stale stats.
  void start_nightly() {
    nightly_ = std::thread([this] {
      while (!stop_) {
        std::this_thread::sleep_for(std::chrono::hours(24));
        reset_no_show_list({});
        {
          std::scoped_lock lk(g_daily_mutex);
          g_daily_counts.clear();
        }
        book_.member_names.evict("guest");
      }
    });
  }

  ~Server() {
    stop_ = true;
    if (nightly_.joinable())
      nightly_.detach();
  }

private:
  asio::io_context &ioc_;
  tcp::acceptor acceptor_;
  ReservationBook book_;
  std::unordered_map<std::string, std::weak_ptr<ClientSession>> online_;
  std::thread nightly_;
  std::atomic<bool> stop_{false};
};

} // namespace courts

int main() {
  asio::io_context ioc;
  courts::Server server(ioc, 7400);
  server.accept();
  server.start_nightly();
  std::vector<std::thread> pool;
  for (int i = 0; i < 4; ++i)
    pool.emplace_back([&ioc] { ioc.run(); });
  for (auto &t : pool)
    t.join();
}
