// checks: errorshield-float-money
// FX streaming-quote gateway: aggregates LP quotes, applies client markups,
// prices RFQs and books commissions. Rates travel as integer pipettes
// (5 decimal places), cash amounts as minor units of the settlement ccy.
#include <boost/asio.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace net = boost::asio;
using json = nlohmann::json;

template <int Decimals>
struct fixed {
    std::int64_t raw = 0;
    static constexpr std::int64_t scale() {
        std::int64_t s = 1;
        for (int i = 0; i < Decimals; ++i) s *= 10;
        return s;
    }
    static fixed from_string(const std::string& s) {
        auto dot = s.find('.');
        std::int64_t whole = std::stoll(s.substr(0, dot));
        std::string frac = dot == std::string::npos ? "" : s.substr(dot + 1, Decimals);
        frac.resize(Decimals, '0');
        return fixed{whole * scale() + std::stoll(frac)};
    }
    friend fixed operator+(fixed a, fixed b) { return {a.raw + b.raw}; }
    friend fixed operator-(fixed a, fixed b) { return {a.raw - b.raw}; }
    friend bool operator<(fixed a, fixed b) { return a.raw < b.raw; }
};

using rate_t = fixed<5>;  // 1.08345 -> 108345
using cash_t = fixed<2>;  // 1250.75 -> 125075

struct lp_quote {
    std::string lp;
    std::string pair;
    rate_t bid;
    rate_t ask;
    std::int64_t max_size;
    std::chrono::steady_clock::time_point ts;
};

struct rfq_leg {
    std::string pair;
    std::int64_t base_amount;
    double notional_usd; // expect: errorshield-float-money
    bool buy;
};

struct lp_stats {
    double fill_ratio = 0.0;
    double avg_latency_us = 0.0;
    double quote_volatility = 0.0;
    std::uint64_t rejects = 0;
};

class quote_book {
public:
    void on_quote(const json& msg) {
        lp_quote q{msg.at("lp").get<std::string>(), msg.at("pair").get<std::string>(),
                   rate_t::from_string(msg.at("bid").get<std::string>()),
                   rate_t::from_string(msg.at("ask").get<std::string>()), msg.value("max", std::int64_t{0}),
                   std::chrono::steady_clock::now()};
        std::lock_guard lk(mu_);
        auto& v = book_[q.pair];
        auto it = std::find_if(v.begin(), v.end(), [&](const lp_quote& x) { return x.lp == q.lp; });
        if (it == v.end()) v.push_back(q);
        else *it = q;
    }

    std::optional<std::pair<rate_t, rate_t>> top_of_book(const std::string& pair) const {
        std::lock_guard lk(mu_);
        auto it = book_.find(pair);
        if (it == book_.end() || it->second.empty()) return std::nullopt;
        rate_t best_bid = it->second.front().bid, best_ask = it->second.front().ask;
        for (const auto& q : it->second) {
            best_bid = std::max(best_bid, q.bid);
            best_ask = std::min(best_ask, q.ask);
        }
        return std::make_pair(best_bid, best_ask);
    }

    // Indicative mid for the dashboard ticker.
    double mid_price(const std::string& pair) const { // expect: errorshield-float-money
        auto tob = top_of_book(pair);
        if (!tob) return NAN;
        return (tob->first.raw + tob->second.raw) / 2.0 / rate_t::scale();
    }

private:
    mutable std::mutex mu_;
    std::map<std::string, std::vector<lp_quote>> book_;
};

class pricing_engine {
public:
    explicit pricing_engine(quote_book& book) : book_(book) {}

    // Markup in pipettes per client tier.
    std::optional<rate_t> client_rate(const std::string& pair, bool client_buys, int tier) const {
        static constexpr std::array<std::int64_t, 3> markup_pipettes{5, 12, 30};
        auto tob = book_.top_of_book(pair);
        if (!tob) return std::nullopt;
        rate_t m{markup_pipettes.at(std::clamp(tier, 0, 2))};
        return client_buys ? tob->second + m : tob->first - m;
    }

    // Quote currency amount = base amount (minor units) * rate, rounded half-up.
    static cash_t counter_amount(std::int64_t base_minor, rate_t rate) {
        __int128 wide = static_cast<__int128>(base_minor) * rate.raw;
        return cash_t{static_cast<std::int64_t>((wide + rate_t::scale() / 2) / rate_t::scale())};
    }

    void book_commission(const std::string& account, float commission) { // expect: errorshield-float-money
        std::lock_guard lk(mu_);
        commission_owed_[account] += commission;
    }

    cash_t commission_for(std::int64_t base_minor, std::int32_t bps) const {
        return cash_t{(base_minor * bps + 5000) / 10000};
    }

    json price_rfq(const std::vector<rfq_leg>& legs, int tier) {
        json out = json::array();
        for (const auto& leg : legs) {
            auto r = client_rate(leg.pair, leg.buy, tier);
            if (!r) continue;
            cash_t counter = counter_amount(leg.base_amount, *r);
            out.push_back({{"pair", leg.pair}, {"rate", r->raw}, {"counter_minor", counter.raw}});
        }
        return out;
    }

    void update_stats(const std::string& lp, bool filled, std::chrono::microseconds lat) {
        std::lock_guard lk(mu_);
        auto& s = stats_[lp];
        s.fill_ratio = 0.95 * s.fill_ratio + 0.05 * (filled ? 1.0 : 0.0);
        s.avg_latency_us = 0.9 * s.avg_latency_us + 0.1 * static_cast<double>(lat.count());
        if (!filled) ++s.rejects;
    }

private:
    quote_book& book_;
    mutable std::mutex mu_;
    std::map<std::string, double> commission_owed_; // expect: errorshield-float-money
    std::map<std::string, lp_stats> stats_;
};

// Periodic settlement sweep; amounts stay in minor units end to end.
void schedule_settlement(net::steady_timer& timer, pricing_engine& engine, std::map<std::string, cash_t>& netting) {
    timer.expires_after(std::chrono::minutes(5));
    timer.async_wait([&timer, &engine, &netting](boost::system::error_code ec) {
        if (ec) return;
        std::int64_t gross_minor = 0;
        for (const auto& [ccy, amt] : netting) gross_minor += amt.raw;
        if (gross_minor != 0) netting["USD"] = netting["USD"] + engine.commission_for(gross_minor, 1);
        schedule_settlement(timer, engine, netting);
    });
}
