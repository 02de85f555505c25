// checks: errorshield-float-money
// Sports-betting odds push server: a trading feed updates selection prices,
// websocket clients subscribe to events and receive odds deltas, and can place
// bets / ask for cash-out quotes over the same connection.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

// Decimal odds are a payout ratio, not an amount of money.
struct selection {
  std::string id;
  std::string label;
  double decimal_odds = 1.0;
  double implied_prob = 1.0;
  std::int64_t max_stake_cents = 0;
  std::int64_t matched_cents = 0;
};

struct market {
  std::string id;
  std::string event_name;
  std::vector<selection> selections;
  double overround = 1.0;  // sum of implied probabilities, e.g. 1.05
  bool suspended = false;
};

struct open_bet {
  std::string bet_id;
  std::string user;
  std::string market_id;
  std::string selection_id;
  std::int64_t stake_cents = 0;
  double odds_taken = 1.0;
  std::int32_t odds_taken_bp = 10000;  // odds in basis points, 2.50 -> 25000
};

constexpr float kMinStakeEur = 0.10f;  // expect: errorshield-float-money
constexpr std::int64_t kMaxStakeCents = 500'000;

std::string format_cents(std::int64_t cents) {
  char buf[32];
  const char* sign = cents < 0 ? "-" : "";
  const std::int64_t a = cents < 0 ? -cents : cents;
  std::snprintf(buf, sizeof buf, "%s%lld.%02lld", sign, static_cast<long long>(a / 100),
                static_cast<long long>(a % 100));
  return buf;
}

class market_book {
public:
  void apply_price_update(const std::string& market_id, const std::string& sel_id, double odds) {
    std::lock_guard lk(mu_);
    auto& m = markets_[market_id];
    double prob_sum = 0.0;
    for (auto& s : m.selections) {
      if (s.id == sel_id) {
        s.decimal_odds = odds;
        s.implied_prob = 1.0 / odds;
      }
      prob_sum += s.implied_prob;
    }
    m.overround = prob_sum;
  }

  void record_bet(const open_bet& b, double odds) {
    std::lock_guard lk(mu_);
    liability_by_selection_[b.selection_id] += b.stake_cents * (odds - 1.0) / 100.0;  // expect: errorshield-float-money
    bets_.push_back(b);
    for (auto& s : markets_[b.market_id].selections)
      if (s.id == b.selection_id) s.matched_cents += b.stake_cents;
  }

  // Share of the market's matched volume on one selection (ratio, not money).
  double volume_share(const std::string& market_id, const std::string& sel_id) {
    std::lock_guard lk(mu_);
    std::int64_t total = 0, mine = 0;
    for (const auto& s : markets_[market_id].selections) {
      total += s.matched_cents;
      if (s.id == sel_id) mine = s.matched_cents;
    }
    return total == 0 ? 0.0 : static_cast<double>(mine) / static_cast<double>(total);
  }

  json snapshot(const std::string& market_id) {
    std::lock_guard lk(mu_);
    const auto& m = markets_[market_id];
    json sels = json::array();
    for (const auto& s : m.selections)
      sels.push_back({{"id", s.id}, {"odds", s.decimal_odds}, {"matched", format_cents(s.matched_cents)}});
    return {{"market", m.id}, {"overround", m.overround}, {"selections", sels}};
  }

  bool find_selection(const std::string& market_id, const std::string& sel_id, selection& out) {
    std::lock_guard lk(mu_);
    for (const auto& s : markets_[market_id].selections)
      if (s.id == sel_id) {
        out = s;
        return true;
      }
    return false;
  }

private:
  std::mutex mu_;
  std::map<std::string, market> markets_;
  std::map<std::string, double> liability_by_selection_;  // expect: errorshield-float-money
  std::vector<open_bet> bets_;
};

class punter_session : public std::enable_shared_from_this<punter_session> {
public:
  punter_session(tcp::socket s, market_book& book) : ws_(std::move(s)), book_(book) {}

  void run() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read_next();
    });
  }

private:
  void read_next() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->dispatch(json::parse(beast::buffers_to_string(self->in_.data()), nullptr, false));
      self->in_.consume(self->in_.size());
      self->read_next();
    });
  }

  void dispatch(const json& msg) {
    if (msg.is_discarded()) return;
    const auto op = msg.value("op", "");
    if (op == "place") place_bet(msg);
    else if (op == "cashout_quote") quote_cash_out(msg);
    else if (op == "subscribe") send(book_.snapshot(msg.at("market").get<std::string>()));
  }

  void place_bet(const json& msg) {
    const double stake = msg.at("stake").get<double>();  // expect: errorshield-float-money
    if (stake < kMinStakeEur) return reject("stake below minimum");
    open_bet b;
    b.bet_id = "b-" + std::to_string(++seq_);
    b.user = user_;
    b.market_id = msg.at("market").get<std::string>();
    b.selection_id = msg.at("selection").get<std::string>();
    b.stake_cents = static_cast<std::int64_t>(stake * 100);  // expect: errorshield-float-money
    if (b.stake_cents > kMaxStakeCents) return reject("stake above maximum");

    selection sel;
    if (!book_.find_selection(b.market_id, b.selection_id, sel)) return reject("unknown selection");
    b.odds_taken = sel.decimal_odds;
    b.odds_taken_bp = static_cast<std::int32_t>(std::lround(sel.decimal_odds * 10000.0));
    book_.record_bet(b, sel.decimal_odds);
    bets_[b.bet_id] = b;

    // Potential return, integer math on basis-point odds: exact to the cent.
    const std::int64_t return_cents = b.stake_cents * b.odds_taken_bp / 10000;
    send({{"op", "accepted"},
          {"bet", b.bet_id},
          {"odds", b.odds_taken},
          {"potential_return", format_cents(return_cents)}});
  }

  void quote_cash_out(const json& msg) {
    auto it = bets_.find(msg.at("bet").get<std::string>());
    if (it == bets_.end()) return reject("unknown bet");
    const open_bet& b = it->second;
    selection sel;
    if (!book_.find_selection(b.market_id, b.selection_id, sel)) return reject("market closed");
    // cash out = stake * taken / current
    const auto quote_cents =
        static_cast<std::int64_t>(b.stake_cents * b.odds_taken / sel.decimal_odds);  // expect: errorshield-float-money
    const double share = book_.volume_share(b.market_id, b.selection_id);
    send({{"op", "cashout"},
          {"bet", b.bet_id},
          {"amount", format_cents(quote_cents)},
          {"liquidity_share", share}});
  }

  void reject(const char* why) { send({{"op", "rejected"}, {"reason", why}}); }

  void send(const json& j) {
    outq_.push_back(j.dump());
    if (outq_.size() == 1) write_next();
  }

  void write_next() {
    ws_.text(true);
    ws_.async_write(asio::buffer(outq_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->outq_.pop_front();
                      if (!ec && !self->outq_.empty()) self->write_next();
                    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  market_book& book_;
  beast::flat_buffer in_;
  std::deque<std::string> outq_;
  std::map<std::string, open_bet> bets_;
  std::string user_ = "anon";
  std::uint64_t seq_ = 0;
};

// Feed latency telemetry: seconds as double is fine, it is a duration.
struct feed_stats {
  std::chrono::duration<double, std::milli> last_latency{0};
  double ema_latency_ms = 0.0;
  void observe(std::chrono::steady_clock::duration d) {
    last_latency = d;
    ema_latency_ms = 0.9 * ema_latency_ms + 0.1 * last_latency.count();
  }
};
