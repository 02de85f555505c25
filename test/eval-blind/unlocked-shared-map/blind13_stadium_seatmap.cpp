// checks: errorshield-unlocked-shared-map
// Live seat map for stadium ticketing. Browsers hold seats over WebSocket while the
// checkout service confirms purchases; the io_context runs on a pool of threads.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using json = nlohmann::json;
using boost::system::error_code;

namespace ticketing {

enum class SeatStatus { Open, Held, Sold, Blocked };

struct SeatState {
  SeatStatus status = SeatStatus::Open;
  std::string holder;
  std::chrono::steady_clock::time_point hold_until{};
};

struct VenueConfig {
  std::unordered_map<std::string, std::int64_t> price_override_cents;  // by seat id
  std::mutex mu;
};

// Tickets sold per section, exported to the ops dashboard.
std::map<std::string, int> g_sold_by_section;
std::mutex g_sold_mu;

inline std::string section_of(const std::string& seat_id) {
  return seat_id.substr(0, seat_id.find('-'));
}

class SeatMap {
 public:
  SeatMap(asio::io_context& ioc, std::shared_ptr<VenueConfig> venue, const std::vector<std::string>& layout)
      : ioc_(ioc), venue_(std::move(venue)), sweep_timer_(ioc) {
    for (const auto& id : layout) seats_.emplace(id, SeatState{});  // OK: constructor, no threads yet
  }

  bool hold(const std::string& seat_id, const std::string& user, std::chrono::seconds ttl) {
    std::lock_guard<std::mutex> lk(mu_);
    auto it = seats_.find(seat_id);
    if (it == seats_.end() || it->second.status != SeatStatus::Open) return false;
    it->second.status = SeatStatus::Held;
    it->second.holder = user;
    it->second.hold_until = std::chrono::steady_clock::now() + ttl;
    holds_by_user_[user].push_back(seat_id);  // OK: under mu_
    return true;
  }

  // Fast path used by the "best available" picker.
  bool hold_if_open(const std::string& seat_id, const std::string& user) {
    bool open = false;
    {
      std::lock_guard<std::mutex> lk(mu_);
      auto it = seats_.find(seat_id);
      open = it != seats_.end() && it->second.status == SeatStatus::Open;
    }
    if (!open) return false;
    seats_[seat_id] = SeatState{SeatStatus::Held, user, std::chrono::steady_clock::now() + hold_ttl_}; // expect: errorshield-unlocked-shared-map
    return true;
  }

  bool confirm_purchase(const std::string& seat_id, const std::string& user) {
    std::unique_lock<std::mutex> lk(mu_);
    auto it = seats_.find(seat_id);
    if (it == seats_.end() || it->second.holder != user) return false;
    mark_sold_locked(it->first);
    lk.unlock();
    notify_all(seat_id, "sold");
    holds_by_user_.erase(user); // expect: errorshield-unlocked-shared-map
    g_sold_by_section[section_of(seat_id)] += 1; // expect: errorshield-unlocked-shared-map
    return true;
  }

  bool confirm_purchase_fixed(const std::string& seat_id, const std::string& user) {
    {
      std::lock_guard<std::mutex> lk(mu_);
      auto it = seats_.find(seat_id);
      if (it == seats_.end() || it->second.holder != user) return false;
      mark_sold_locked(it->first);
      holds_by_user_.erase(user);  // OK: still under mu_
    }
    {
      std::lock_guard<std::mutex> lk(g_sold_mu);
      g_sold_by_section[section_of(seat_id)] += 1;  // OK
    }
    notify_all(seat_id, "sold");
    return true;
  }

  void set_price_override(const std::string& seat_id, std::int64_t cents) {
    auto& overrides = venue_->price_override_cents;
    overrides[seat_id] = cents; // expect: errorshield-unlocked-shared-map
  }

  void set_price_override_fixed(const std::string& seat_id, std::int64_t cents) {
    std::lock_guard<std::mutex> lk(venue_->mu);
    venue_->price_override_cents[seat_id] = cents;  // OK
  }

  // Expired holds go back to Open every few seconds.
  void start_sweeper() {
    sweep_timer_.expires_after(std::chrono::seconds(5));
    sweep_timer_.async_wait([this](error_code ec) {
      if (ec) return;
      const auto now = std::chrono::steady_clock::now();
      std::vector<std::string> expired;
      {
        std::lock_guard<std::mutex> lk(mu_);
        for (auto& [id, s] : seats_)
          if (s.status == SeatStatus::Held && s.hold_until < now) {
            s.status = SeatStatus::Open;
            s.holder.clear();
            expired.push_back(id);
          }
      }
      for (const auto& id : expired) {
        notify_all(id, "open");
        subscribers_by_seat_.erase(id); // expect: errorshield-unlocked-shared-map
      }
      start_sweeper();
    });
  }

  std::map<std::string, int> section_availability() const {
    std::map<std::string, int> open_by_section;  // OK: local
    std::lock_guard<std::mutex> lk(mu_);
    for (const auto& [id, s] : seats_)
      if (s.status == SeatStatus::Open) open_by_section[section_of(id)] += 1;
    return open_by_section;
  }

  void subscribe(const std::string& seat_id, std::weak_ptr<void> session) {
    std::scoped_lock lk(mu_);
    subscribers_by_seat_[seat_id].push_back(std::move(session));  // OK
  }

  std::string describe(const std::string& seat_id) {
    thread_local std::unordered_map<std::string, std::string> label_cache;
    auto it = label_cache.find(seat_id);
    if (it != label_cache.end()) return it->second;
    std::string label = "Section " + section_of(seat_id) + ", seat " + seat_id.substr(seat_id.find('-') + 1);
    label_cache[seat_id] = label;  // OK: thread_local
    return label;
  }

 private:
  void mark_sold_locked(const std::string& seat_id) {
    auto& s = seats_[seat_id];  // OK: every caller holds mu_
    s.status = SeatStatus::Sold;
    s.holder.clear();
  }

  void notify_all(const std::string& seat_id, const std::string& status) {
    json msg{{"seat", seat_id}, {"status", status}};
    std::lock_guard<std::mutex> lk(mu_);
    auto it = subscribers_by_seat_.find(seat_id);
    if (it == subscribers_by_seat_.end()) return;
    for (auto& w : it->second)
      if (auto s = w.lock()) outbox_.push_back(msg.dump());
  }

  asio::io_context& ioc_;
  std::shared_ptr<VenueConfig> venue_;
  asio::steady_timer sweep_timer_;
  std::chrono::seconds hold_ttl_{420};
  mutable std::mutex mu_;
  std::unordered_map<std::string, SeatState> seats_;
  std::unordered_map<std::string, std::vector<std::string>> holds_by_user_;
  std::unordered_map<std::string, std::vector<std::weak_ptr<void>>> subscribers_by_seat_;
  std::vector<std::string> outbox_;
};

// One WebSocket session per browser.
class SeatSession : public std::enable_shared_from_this<SeatSession> {
 public:
  SeatSession(websocket::stream<beast::tcp_stream> ws, SeatMap& map, std::string user)
      : ws_(std::move(ws)), map_(map), user_(std::move(user)) {}

  void start() { do_read(); }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&SeatSession::on_read, shared_from_this()));
  }

  void on_read(error_code ec, std::size_t) {
    if (ec) return;
    on_message(beast::buffers_to_string(buffer_.data()));
    buffer_.consume(buffer_.size());
    do_read();
  }

  void on_message(const std::string& text) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded()) return;
    const std::string op = j.value("op", "");
    const std::string seat = j.value("seat", "");
    if (op == "hold") {
      map_.hold(seat, user_, std::chrono::seconds(420));
      my_seats_[seat] = 1;  // OK: per-session, reads are serialized
    } else if (op == "quick") {
      map_.hold_if_open(seat, user_);
    } else if (op == "buy") {
      map_.confirm_purchase(seat, user_);
      my_seats_.erase(seat);  // OK: per-session
    }
  }

 private:
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  SeatMap& map_;
  std::string user_;
  std::map<std::string, int> my_seats_;
};

inline void run_pool(asio::io_context& ioc, unsigned n) {
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < n; ++i) threads.emplace_back([&ioc] { ioc.run(); });
  for (auto& t : threads) t.join();
}

}  // namespace ticketing
