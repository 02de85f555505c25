// checks: errorshield-float-money
// Second-price auction core of an RTB exchange: bid requests fan out to DSPs,
// responses are collected, the winner is charged and budgets are paced.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using json = nlohmann::json;

namespace rtb {

// All settled amounts are integer micro-dollars (1e-6 USD) per CPM.
using Micros = std::int64_t;
constexpr Micros kMicrosPerDollar = 1'000'000;

struct Impression {
  std::string id;
  std::string tagid;
  int w = 0, h = 0;
  double bidfloor = 0.0; // expect: errorshield-float-money
  std::string bidfloorcur = "USD";
};

struct DspBid {
  std::string dsp;
  std::string imp_id;
  Micros price_micros = 0;
  std::string adm;
  float predicted_ctr = 0.f;  // model output, a probability
};

struct AuctionResult {
  std::string winner;
  Micros clearing_micros = 0;
  double win_rate = 0.0;  // share of auctions this DSP has won, for dashboards
  std::chrono::microseconds latency{};
};

// Parses an OpenRTB imp; floors arrive as decimal dollars.
Impression parse_imp(const json& j) {
  Impression imp;
  imp.id = j.at("id").get<std::string>();
  imp.tagid = j.value("tagid", std::string{});
  imp.bidfloor = j.value("bidfloor", 0.0);
  if (j.contains("banner")) {
    imp.w = j["banner"].value("w", 0);
    imp.h = j["banner"].value("h", 0);
  }
  return imp;
}

// Correct conversion path used for DSP responses: rounded to micros at the edge.
Micros dollars_to_micros(const json& price) {
  if (price.is_number_integer()) return price.get<std::int64_t>() * kMicrosPerDollar;
  const std::string s = price.is_string() ? price.get<std::string>() : price.dump();
  auto dot = s.find('.');
  Micros whole = std::stoll(s.substr(0, dot)) * kMicrosPerDollar;
  if (dot == std::string::npos) return whole;
  std::string frac = s.substr(dot + 1, 6);
  frac.resize(6, '0');
  return whole + std::stoll(frac);
}

class BudgetPacer {
public:
  // Spend throttling: pacing factor in [0,1] scales the bid-through rate.
  double pacing_factor(const std::string& campaign) const {
    std::lock_guard lk(mu_);
    auto it = spent_micros_.find(campaign);
    auto cap = caps_micros_.find(campaign);
    if (it == spent_micros_.end() || cap == caps_micros_.end() || cap->second == 0) return 1.0;
    double used = static_cast<double>(it->second) / static_cast<double>(cap->second);
    return std::clamp(1.0 - used, 0.0, 1.0);
  }

  void record_spend(const std::string& campaign, Micros amount) {
    std::lock_guard lk(mu_);
    spent_micros_[campaign] += amount;
    hourly_spend_[campaign] += static_cast<double>(amount) / kMicrosPerDollar; // dashboard rollup
  }

  json hourly_rollup_json() const {
    std::lock_guard lk(mu_);
    return json(hourly_spend_);
  }

private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, Micros> spent_micros_;
  std::unordered_map<std::string, Micros> caps_micros_;
  std::map<std::string, double> hourly_spend_; // expect: errorshield-float-money
};

class Auctioneer {
public:
  explicit Auctioneer(BudgetPacer& pacer) : pacer_(pacer) {}

  std::optional<AuctionResult> run(const Impression& imp, std::vector<DspBid> bids) {
    const auto t0 = std::chrono::steady_clock::now();
    const Micros floor = static_cast<Micros>(std::llround(imp.bidfloor * kMicrosPerDollar));
    std::erase_if(bids, [&](const DspBid& b) { return b.imp_id != imp.id || b.price_micros < floor; });
    if (bids.empty()) return std::nullopt;

    std::sort(bids.begin(), bids.end(),
              [](const DspBid& a, const DspBid& b) { return a.price_micros > b.price_micros; });

    const Micros second = bids.size() > 1 ? bids[1].price_micros : floor;
    auto clearing = second + 0.01 * kMicrosPerDollar; // expect: errorshield-float-money
    clearing = std::min<decltype(clearing)>(clearing, bids[0].price_micros);

    AuctionResult r;
    r.winner = bids[0].dsp;
    r.clearing_micros = static_cast<Micros>(clearing);
    r.latency = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
    ++wins_[r.winner];
    ++auctions_;
    r.win_rate = static_cast<double>(wins_[r.winner]) / static_cast<double>(auctions_);
    return r;
  }

  // Exchange take rate applied on top of the clearing price.
  Micros exchange_fee(Micros clearing) const {
    auto fee = clearing * take_rate_; // expect: errorshield-float-money
    return static_cast<Micros>(fee);
  }

  Micros exchange_fee_fixed(Micros clearing) const {
    return clearing * take_rate_bps_ / 10'000;
  }

  void settle(const std::string& campaign, const AuctionResult& r) {
    pacer_.record_spend(campaign, r.clearing_micros + exchange_fee_fixed(r.clearing_micros));
  }

private:
  BudgetPacer& pacer_;
  double take_rate_ = 0.15;           // 15% exchange take
  std::int64_t take_rate_bps_ = 1500; // same rate in basis points
  std::unordered_map<std::string, std::uint64_t> wins_;
  std::uint64_t auctions_ = 0;
};

// Win notice: DSPs receive ${AUCTION_PRICE} substituted into their nurl.
std::string render_win_notice(std::string nurl, Micros clearing) {
  const std::string macro = "${AUCTION_PRICE}";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%06lld", static_cast<long long>(clearing / kMicrosPerDollar),
                static_cast<long long>(clearing % kMicrosPerDollar));
  if (auto pos = nurl.find(macro); pos != std::string::npos) nurl.replace(pos, macro.size(), buf);
  return nurl;
}

// Reporting endpoint: GET /stats/dsp returns per-DSP averages.
http::response<http::string_body> dsp_stats(const std::vector<AuctionResult>& results, unsigned version) {
  std::map<std::string, std::pair<Micros, std::uint64_t>> agg;
  double p95_latency_ms = 0;
  for (const auto& r : results) {
    auto& [sum, n] = agg[r.winner];
    sum += r.clearing_micros;
    ++n;
    p95_latency_ms = std::max(p95_latency_ms, r.latency.count() / 1000.0);
  }
  json out = json::object();
  for (const auto& [dsp, sn] : agg) {
    const double avg_cpm = static_cast<double>(sn.first) / sn.second / kMicrosPerDollar; // expect: errorshield-float-money
    out[dsp] = {{"wins", sn.second}, {"avg_cpm_usd", avg_cpm}, {"spend_micros", sn.first}};
  }
  out["_p95_latency_ms"] = p95_latency_ms;
  http::response<http::string_body> res{http::status::ok, version};
  res.set(http::field::content_type, "application/json");
  res.body() = out.dump();
  res.prepare_payload();
  return res;
}

}  // namespace rtb
