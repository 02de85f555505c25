// checks: errorshield-float-money
// FX quoting engine: streams two-way rates per currency pair and converts client
// notionals for the RFQ desk.
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

struct FxQuote {
  std::string pair; // e.g. "EURUSD"
  // rates are prices of one currency in another but the names carry no money
  // word; the record being a Quote only matters for weak words
  double bid = 0.0;
  double ask = 0.0;
  double eur_usd_rate = 0.0; // currency codes alone, no weak word: fine
  std::chrono::system_clock::time_point valid_until;
  // weak word inside a Quote record
  double max_amount = 0.0; // expect: errorshield-float-money
  std::int64_t quote_id = 0;
};

struct RfqRequest {
  std::string client;
  std::string pair;
  double notional = 0.0; // expect: errorshield-float-money
  bool client_buys_base = true;
};

class QuoteEngine {
 public:
  void onMarketRate(const std::string& pair, double bid, double ask) { // fine
    FxQuote& q = book_[pair];
    q.pair = pair;
    q.bid = bid - spread_pips_ * pipSize(pair);
    q.ask = ask + spread_pips_ * pipSize(pair);
  }

  std::optional<double> rateFor(const std::string& pair, bool buy) const { // fine
    auto it = book_.find(pair);
    if (it == book_.end()) return std::nullopt;
    return buy ? it->second.ask : it->second.bid;
  }

  double convertToUsd(const RfqRequest& rfq) const { // "convertToUsd": currency code without a weak word, fine
    const std::optional<double> rate = rateFor(rfq.pair, rfq.client_buys_base);
    if (!rate) throw std::runtime_error("no quote");
    // weak word plus currency code in the name
    const double amount_usd = rfq.notional * *rate; // expect: errorshield-float-money
    return amount_usd;
  }

  double commissionFor(double notional_usd) const { // expect: errorshield-float-money
    for (std::size_t i = 0; i < kTierCaps.size(); ++i)
      if (notional_usd <= kTierCaps[i]) return notional_usd * kTierBps[i] / 10'000.0;
    return notional_usd * kTierBps.back() / 10'000.0;
  }

  // ladder of client sizes; the vector has no money word in its name: fine
  std::vector<double> sizeLadder() const { return {1e6, 5e6, 10e6, 25e6}; }

 private:
  static double pipSize(const std::string& pair) { // fine
    return pair.ends_with("JPY") ? 0.01 : 0.0001;
  }

  static constexpr std::array<double, 3> kTierCaps{1e6, 10e6, 1e9}; // fine: caps in notional but name has no money word
  static constexpr std::array<double, 3> kTierBps{2.0, 1.0, 0.5}; // fine
  double spread_pips_ = 0.8; // fine
  std::map<std::string, FxQuote> book_;
};

// Cross-rate triangulation helper for the analytics job: only rates, no money
double crossRate(double eur_usd, double usd_jpy) { return eur_usd * usd_jpy; } // fine

// Daily P&L of the FX desk, by currency
struct DeskPnl {
  std::map<std::string, double> pnl_by_ccy; // expect: errorshield-float-money
  double unrealized_amount_eur = 0.0; // expect: errorshield-float-money
  double total_gbp = 0.0; // expect: errorshield-float-money
};

DeskPnl closeOfDay(const std::vector<RfqRequest>& done, const QuoteEngine& engine) {
  DeskPnl pnl;
  for (const RfqRequest& r : done) {
    const double usd = engine.convertToUsd(r); // a bare currency code is not a money word: fine
    const double commission = engine.commissionFor(usd); // expect: errorshield-float-money
    pnl.pnl_by_ccy["USD"] += commission;
  }
  return pnl;
}

// Hedge ratio and volatility inputs from the risk model: not money
struct HedgeParams {
  double hedge_ratio = 1.0;
  double vol_annualized = 0.12;
  double correlation = 0.0;
  std::array<double, 4> tenor_weights{0.4, 0.3, 0.2, 0.1};
};

// lambda parameter with a strong word
auto premiumOf = [](double premium, double days) { return premium * days / 365.0; }; // expect: errorshield-float-money

int main() {
  QuoteEngine engine;
  engine.onMarketRate("EURUSD", 1.0841, 1.0843);
  RfqRequest r{"acme", "EURUSD", 2'500'000.0, true};
  DeskPnl pnl = closeOfDay({r}, engine);
  HedgeParams hp;
  return pnl.total_gbp + hp.hedge_ratio + premiumOf(0.01, 30) > 0 ? 0 : 1;
}
