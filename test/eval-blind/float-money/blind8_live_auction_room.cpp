// checks: errorshield-float-money
// Live auction room: bidders connect over WebSocket, place bids on the lot
// currently under the hammer, and the room settles the lot when the timer
// expires. Amounts on the wire are integer minor units (cents) in v2 of the
// protocol; v1 clients still send decimal amounts.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace auction {

struct Bid {
  std::string bidder;
  std::int64_t amount_cents = 0;
  Clock::time_point at;
};

struct LotConfig {
  std::string lot_id;
  std::int64_t reserve_cents = 0;
  std::int64_t min_increment_cents = 100;
  int buyer_premium_bp = 1500;          // 15.00 % in basis points
  double anti_snipe_window_sec = 30.0;  // extend the clock on late bids
};

// Absentee bids imported from the v1 catalogue service.
struct AbsenteeBid {
  std::string bidder;
  double max_bid; // expect: errorshield-float-money
  int paddle = 0;
};

struct RoomStats {
  double bid_latency_ms = 0;     // wire-to-book latency, exponential average
  double bids_per_minute = 0;
  double parse_cost_us = 0;      // CPU time spent decoding a bid frame
};

std::string format_cents(std::int64_t cents) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%02lld", static_cast<long long>(cents / 100),
                static_cast<long long>(cents % 100));
  return buf;
}

void ledger_post(const std::string& lot_id, const std::string& bidder, std::int64_t cents);
void ledger_post_legacy(const std::string& lot_id, const std::string& bidder, double amount); // expect: errorshield-float-money

class AuctionRoom : public std::enable_shared_from_this<AuctionRoom> {
 public:
  AuctionRoom(net::any_io_executor ex, LotConfig cfg)
      : strand_(net::make_strand(ex)), hammer_(strand_), cfg_(std::move(cfg)) {}

  void open() {
    hammer_.expires_after(std::chrono::seconds(120));
    hammer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->settle();
    });
  }

  // Returns an error string, empty on success.
  std::string place_bid(const json& msg) {
    auto t0 = Clock::now();
    Bid b;
    b.bidder = msg.value("bidder", "");
    b.at = t0;
    if (msg.contains("amount_cents")) {
      b.amount_cents = msg.at("amount_cents").get<std::int64_t>();
    } else {
      // v1 client: decimal amount in major units.
      b.amount_cents = std::llround(msg.at("amount").get<double>() * 100.0); // expect: errorshield-float-money
    }

    const std::int64_t next = minimum_next_bid();
    if (b.amount_cents < next) return "bid below " + format_cents(next);

    book_.push_back(b);
    maybe_extend_clock(t0);
    std::chrono::duration<double, std::milli> took = Clock::now() - t0;
    stats_.bid_latency_ms = 0.9 * stats_.bid_latency_ms + 0.1 * took.count();
    return {};
  }

  std::int64_t minimum_next_bid() const {
    if (book_.empty()) return cfg_.reserve_cents / 2;
    const std::int64_t high = book_.back().amount_cents;
    return high + std::max<std::int64_t>(cfg_.min_increment_cents, high * 5 / 100);
  }

  // Older increment table used by the mobile app preview.
  std::int64_t preview_next_bid() const {
    const std::int64_t high = book_.empty() ? cfg_.reserve_cents : book_.back().amount_cents;
    return high + static_cast<std::int64_t>(high * 0.05); // expect: errorshield-float-money
  }

  json status() const {
    json j;
    j["lot"] = cfg_.lot_id;
    const std::int64_t high = book_.empty() ? 0 : book_.back().amount_cents;
    j["high_cents"] = high;
    j["high_display"] = format_cents(high);
    // Progress bar fill, a dimensionless fraction for the UI.
    j["reserve_progress"] =
        cfg_.reserve_cents > 0 ? std::min(1.0, static_cast<double>(high) / cfg_.reserve_cents) : 1.0;
    j["bids_per_minute"] = stats_.bids_per_minute;
    return j;
  }

  void import_absentee(const std::vector<AbsenteeBid>& bids) { absentee_ = bids; }

 private:
  void maybe_extend_clock(Clock::time_point now) {
    auto remaining = hammer_.expiry() - now;
    std::chrono::duration<double> window(cfg_.anti_snipe_window_sec);
    if (remaining < window) {
      hammer_.expires_after(std::chrono::duration_cast<Clock::duration>(window));
      hammer_.async_wait([self = shared_from_this()](beast::error_code ec) {
        if (!ec) self->settle();
      });
    }
  }

  void settle() {
    if (book_.empty()) return;
    const Bid& win = book_.back();
    if (win.amount_cents < cfg_.reserve_cents) return;

    const std::int64_t premium_cents = win.amount_cents * cfg_.buyer_premium_bp / 10000;
    ledger_post(cfg_.lot_id, win.bidder, win.amount_cents + premium_cents);

    double invoice_total = (win.amount_cents + premium_cents) / 100.0; // expect: errorshield-float-money
    ledger_post_legacy(cfg_.lot_id, win.bidder, invoice_total);

    float seller_payout = win.amount_cents * 0.9f / 100; // expect: errorshield-float-money
    std::printf("lot %s sold, seller receives %.2f\n", cfg_.lot_id.c_str(), seller_payout);
  }

  net::strand<net::any_io_executor> strand_;
  net::steady_timer hammer_;
  LotConfig cfg_;
  std::vector<Bid> book_;
  std::vector<AbsenteeBid> absentee_;
  RoomStats stats_;
};

class BidderSession : public std::enable_shared_from_this<BidderSession> {
 public:
  BidderSession(tcp::socket s, std::shared_ptr<AuctionRoom> room)
      : ws_(std::move(s)), room_(std::move(room)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read();
    });
  }

 private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      json msg = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.consume(self->buf_.size());
      std::string err = msg.is_object() ? self->room_->place_bid(msg) : "bad frame";
      self->reply_ = err.empty() ? self->room_->status().dump() : json{{"error", err}}.dump();
      self->ws_.text(true);
      self->ws_.async_write(net::buffer(self->reply_),
                            [self](beast::error_code wec, std::size_t) {
                              if (!wec) self->read();
                            });
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  std::shared_ptr<AuctionRoom> room_;
  std::string reply_;
};

}  // namespace auction
