// checks: errorshield-float-money
// gridx: peer-to-peer energy exchange for a community microgrid. Prosumers post
// buy/sell offers for the next 5-minute interval; the clearing engine matches
// them at a uniform price and settles into participant wallets.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <mutex>
#include <numeric>
#include <string>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using json = nlohmann::json;

namespace gridx {

using Micros = std::int64_t;  // millionths of the settlement currency

constexpr std::int64_t kPlatformFeeBps = 125;  // 1.25 %
constexpr double kLineLossFactor = 0.035;       // fraction of energy lost on the feeder

enum class Side { buy, sell };

struct Offer {
  std::string participant;
  Side side = Side::sell;
  double kwh = 0.0;
  Micros limit_per_kwh = 0;
};

struct BatteryBid {
  std::string battery_id;
  double max_discharge_kw = 0.0;
  double state_of_charge = 0.0;  // 0..1
  float reserve_price_per_kwh = 0.0f;  // expect: errorshield-float-money
};

struct Trade {
  std::string buyer;
  std::string seller;
  double kwh = 0.0;
  Micros price_per_kwh = 0;
};

struct MeterSample {
  std::string meter_id;
  double import_kwh = 0.0;
  double export_kwh = 0.0;
  double voltage_v = 0.0;
  double frequency_hz = 0.0;
};

Offer parse_offer(const json& j) {
  Offer o;
  o.participant = j.at("participant").get<std::string>();
  o.side = j.at("side").get<std::string>() == "buy" ? Side::buy : Side::sell;
  o.kwh = j.at("kwh").get<double>();
  o.limit_per_kwh = j.at("limit_micros").get<Micros>();
  return o;
}

BatteryBid parse_battery_bid(const json& j) {
  BatteryBid b;
  b.battery_id = j.at("battery").get<std::string>();
  b.max_discharge_kw = j.at("max_kw").get<double>();
  b.state_of_charge = j.at("soc").get<double>();
  b.reserve_price_per_kwh = j.at("reserve_price").get<float>();
  return b;
}

// Fallback when the local market does not clear: the utility's time-of-use tariff.
double utility_import_tariff(const json& cfg, int hour) {  // expect: errorshield-float-money
  for (const auto& band : cfg.at("tou_bands")) {
    if (hour >= band.at("from").get<int>() && hour < band.at("to").get<int>())
      return band.at("per_kwh").get<double>();
  }
  return cfg.at("flat_per_kwh").get<double>();
}

Micros trade_value(const Trade& t) {
  return std::llround(t.kwh * static_cast<double>(t.price_per_kwh));
}

std::string format_micros(Micros m) {
  const bool neg = m < 0;
  const Micros a = neg ? -m : m;
  const Micros cents = (a + 5'000) / 10'000;
  std::string frac = std::to_string(cents % 100);
  if (frac.size() < 2) frac.insert(0, "0");
  return (neg ? "-" : "") + std::to_string(cents / 100) + "." + frac;
}

class ClearingEngine {
 public:
  explicit ClearingEngine(json cfg) : cfg_(std::move(cfg)) {}

  void submit(const Offer& o) {
    std::lock_guard lk(mu_);
    (o.side == Side::buy ? bids_ : asks_).push_back(o);
  }

  std::vector<Trade> clear_interval(int hour) {
    std::lock_guard lk(mu_);
    std::sort(bids_.begin(), bids_.end(), [](const Offer& a, const Offer& b) { return a.limit_per_kwh > b.limit_per_kwh; });
    std::sort(asks_.begin(), asks_.end(), [](const Offer& a, const Offer& b) { return a.limit_per_kwh < b.limit_per_kwh; });

    std::vector<Trade> trades;
    std::size_t bi = 0, ai = 0;
    double bid_left = bids_.empty() ? 0.0 : bids_[0].kwh;
    double ask_left = asks_.empty() ? 0.0 : asks_[0].kwh * (1.0 - kLineLossFactor);
    while (bi < bids_.size() && ai < asks_.size() && bids_[bi].limit_per_kwh >= asks_[ai].limit_per_kwh) {
      const double qty = std::min(bid_left, ask_left);
      const Micros price = (bids_[bi].limit_per_kwh + asks_[ai].limit_per_kwh) / 2;
      trades.push_back(Trade{bids_[bi].participant, asks_[ai].participant, qty, price});
      bid_left -= qty;
      ask_left -= qty;
      if (bid_left <= 1e-9 && ++bi < bids_.size()) bid_left = bids_[bi].kwh;
      if (ask_left <= 1e-9 && ++ai < asks_.size()) ask_left = asks_[ai].kwh * (1.0 - kLineLossFactor);
    }

    // Unmatched demand is served by the utility at the import tariff.
    const Micros fallback = std::llround(utility_import_tariff(cfg_, hour) * 1'000'000.0);
    for (; bi < bids_.size(); ++bi) {
      if (bid_left > 0.0) trades.push_back(Trade{bids_[bi].participant, "utility", bid_left, fallback});
      if (bi + 1 < bids_.size()) bid_left = bids_[bi + 1].kwh;
    }

    const double offered = std::accumulate(asks_.begin(), asks_.end(), 0.0,
                                           [](double acc, const Offer& o) { return acc + o.kwh; });
    const double matched = std::accumulate(trades.begin(), trades.end(), 0.0,
                                           [](double acc, const Trade& t) { return acc + t.kwh; });
    last_match_ratio_ = offered > 0.0 ? matched / offered : 0.0;

    bids_.clear();
    asks_.clear();
    return trades;
  }

  double last_match_ratio() const { return last_match_ratio_; }

 private:
  json cfg_;
  std::mutex mu_;
  std::vector<Offer> bids_;
  std::vector<Offer> asks_;
  double last_match_ratio_ = 0.0;
};

class Settlement {
 public:
  void settle(const std::vector<Trade>& trades) {
    std::lock_guard lk(mu_);
    for (const Trade& t : trades) {
      const Micros gross = trade_value(t);
      const Micros fee = gross * kPlatformFeeBps / 10'000;
      wallets_[t.buyer] -= gross;
      wallets_[t.seller] += gross - fee;
      fees_collected_ += fee;
      today_.push_back(t);
    }
  }

  // Prosumers who opted into "instant payout" get their credit pushed to the
  // bank rail right away; the payout provider charges its own percentage.
  void instant_payout(const std::string& participant, Micros amount) {
    std::lock_guard lk(mu_);
    auto payout_fee = amount * 0.0125;  // expect: errorshield-float-money
    wallets_[participant] -= amount;
    pending_payouts_[participant] += amount - static_cast<Micros>(payout_fee);
  }

  json wallet_view(const std::string& participant) {
    std::lock_guard lk(mu_);
    std::vector<Trade> mine;
    std::copy_if(today_.begin(), today_.end(), std::back_inserter(mine),
                 [&](const Trade& t) { return t.buyer == participant || t.seller == participant; });
    const auto owed = std::accumulate(mine.begin(), mine.end(), 0.0, [&](auto acc, const Trade& t) {  // expect: errorshield-float-money
      return t.buyer == participant ? acc + t.kwh * t.price_per_kwh / 1e6 : acc;
    });
    const double energy = std::accumulate(mine.begin(), mine.end(), 0.0,
                                          [](double acc, const Trade& t) { return acc + t.kwh; });
    return json{{"participant", participant},
                {"balance", format_micros(wallets_[participant])},
                {"pending_payout", pending_payouts_[participant]},
                {"owed_today", owed},
                {"kwh_today", energy}};
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, Micros> wallets_;
  std::unordered_map<std::string, double> pending_payouts_;  // expect: errorshield-float-money
  Micros fees_collected_ = 0;
  std::vector<Trade> today_;
};

http::response<http::string_body> handle_request(const http::request<http::string_body>& req,
                                                 ClearingEngine& engine, Settlement& settlement) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  try {
    if (req.method() == http::verb::post && req.target() == "/offers") {
      engine.submit(parse_offer(json::parse(req.body())));
      res.body() = R"({"accepted":true})";
    } else if (req.method() == http::verb::get && req.target().starts_with("/wallet/")) {
      const std::string id(req.target().substr(8));
      res.body() = settlement.wallet_view(id).dump();
    } else {
      res.result(http::status::not_found);
      res.body() = R"({"error":"not found"})";
    }
  } catch (const std::exception& e) {
    res.result(http::status::bad_request);
    res.body() = json{{"error", e.what()}}.dump();
  }
  res.prepare_payload();
  return res;
}

void run_clearing_loop(asio::steady_timer& timer, ClearingEngine& engine, Settlement& settlement) {
  timer.expires_after(std::chrono::minutes(5));
  timer.async_wait([&timer, &engine, &settlement](beast::error_code ec) {
    if (ec) return;
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    const int hour = static_cast<int>((now / 3600) % 24);
    settlement.settle(engine.clear_interval(hour));
    run_clearing_loop(timer, engine, settlement);
  });
}

}  // namespace gridx
