// checks: errorshield-float-money
// Reefer cold-chain billing service: ingests telemetry from refrigerated
// trailers, accrues per-trip charges and serves invoices over HTTP.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace reefer {

// The ledger works in integer cents.
using Cents = std::int64_t;

struct TelemetrySample {
    std::string trailer_id;
    std::int64_t ts_epoch_s = 0;
    double return_air_c = 0.0;
    double setpoint_c = 0.0;
    double fuel_level_pct = 0.0;
};

struct Trip {
    std::string trip_id;
    std::string trailer_id;
    std::string customer_id;
    std::int64_t started_s = 0;
    std::int64_t ended_s = 0;
    std::int64_t distance_m = 0;
    double total_distance_km = 0.0;     // reporting only
    double avg_return_air_c = 0.0;
    std::int64_t excursion_minutes = 0;
    Cents cargo_value_cents = 0;
    double diesel_litres = 0.0;
};

struct TariffPlan {
    std::string plan_id;
    Cents daily_rental_cents = 0;
    Cents per_km_cents = 0;
    std::int32_t fuel_surcharge_bp = 0;   // basis points on linehaul
    Cents washout_cents = 0;
};

inline std::string format_cents(Cents c) {
    const char* sign = c < 0 ? "-" : "";
    Cents a = c < 0 ? -c : c;
    std::string frac = std::to_string(a % 100);
    if (frac.size() < 2) frac.insert(frac.begin(), '0');
    return std::string(sign) + std::to_string(a / 100) + "." + frac;
}

// Rental is prorated by the minute, rounded half-up in integer arithmetic.
inline Cents prorated_rental(Cents daily_cents, std::int64_t minutes) {
    return (daily_cents * minutes + 720) / 1440;
}

// Yard detention after the two free hours.
inline double detention_fee(std::int64_t hours) { return hours > 2 ? (hours - 2) * 65.0 : 0.0; } // expect: errorshield-float-money

// ---- charge rules -----------------------------------------------------------

class ChargeRule {
public:
    virtual ~ChargeRule() = default;
    virtual std::string code() const = 0;
    virtual Cents apply(const Trip& trip, const TariffPlan& plan) const = 0;
};

class LinehaulRule final : public ChargeRule {
public:
    std::string code() const override { return "LINEHAUL"; }
    Cents apply(const Trip& trip, const TariffPlan& plan) const override {
        Cents linehaul = plan.per_km_cents * trip.distance_m / 1000;
        Cents surcharge_cents = linehaul * plan.fuel_surcharge_bp / 10000;
        return linehaul + surcharge_cents;
    }
};

class ReeferFuelRule final : public ChargeRule {
public:
    std::string code() const override { return "REEFER_FUEL"; }
    Cents apply(const Trip& trip, const TariffPlan&) const override {
        return std::llround(trip.diesel_litres * diesel_price_per_litre_ * 100.0);
    }

private:
    double diesel_price_per_litre_ = 1.689; // expect: errorshield-float-money
};

class RentalRule final : public ChargeRule {
public:
    std::string code() const override { return "RENTAL"; }
    Cents apply(const Trip& trip, const TariffPlan& plan) const override {
        std::int64_t minutes = (trip.ended_s - trip.started_s) / 60;
        return prorated_rental(plan.daily_rental_cents, minutes) + plan.washout_cents;
    }
};

// ---- ledgers ----------------------------------------------------------------

template <typename Money>
class RunningLedger {
public:
    void post(const std::string& account, Money amount) {
        std::lock_guard<std::mutex> lk(mu_);
        balances_[account] += amount;
    }
    std::optional<Money> balance_of(const std::string& account) const {
        std::lock_guard<std::mutex> lk(mu_);
        auto it = balances_.find(account);
        if (it == balances_.end()) return std::nullopt;
        return it->second;
    }

private:
    mutable std::mutex mu_;
    std::map<std::string, Money> balances_;
};

struct InvoiceLine {
    std::string code;
    Cents amount_cents = 0;
};

class BillingEngine {
public:
    BillingEngine() {
        rules_.push_back(std::make_unique<LinehaulRule>());
        rules_.push_back(std::make_unique<RentalRule>());
        rules_.push_back(std::make_unique<ReeferFuelRule>());

        excursion_pricer_ = [](const Trip& trip) -> Cents {
            if (trip.excursion_minutes <= 15) return 0;
            double deviation_c = std::abs(trip.avg_return_air_c);
            double claim_amount = static_cast<double>(trip.cargo_value_cents) * 0.002 * deviation_c; // expect: errorshield-float-money
            return static_cast<Cents>(claim_amount);
        };
    }

    void upsert_plan(TariffPlan plan) {
        std::lock_guard<std::mutex> lk(mu_);
        plans_[plan.plan_id] = std::move(plan);
    }

    void record_sample(const TelemetrySample& s) {
        std::lock_guard<std::mutex> lk(mu_);
        auto& hist = samples_[s.trailer_id];
        hist.push_back(s);
        if (hist.size() > 4096) hist.erase(hist.begin());
    }

    std::vector<InvoiceLine> close_trip(Trip trip, const std::string& plan_id,
                                        std::int64_t yard_hours) {
        std::lock_guard<std::mutex> lk(mu_);
        std::vector<InvoiceLine> lines;
        auto pit = plans_.find(plan_id);
        if (pit == plans_.end()) return lines;

        trip.total_distance_km = static_cast<double>(trip.distance_m) / 1000.0;
        double temp_sum = 0.0;
        const auto& hist = samples_[trip.trailer_id];
        for (const auto& s : hist) temp_sum += s.return_air_c - s.setpoint_c;
        if (!hist.empty()) trip.avg_return_air_c = temp_sum / static_cast<double>(hist.size());

        for (const auto& rule : rules_)
            lines.push_back({rule->code(), rule->apply(trip, pit->second)});
        lines.push_back({"DETENTION", std::llround(detention_fee(yard_hours) * 100.0)});
        lines.push_back({"EXCURSION_CREDIT", -excursion_pricer_(trip)});

        Cents invoice_total = 0;
        for (const auto& l : lines) invoice_total += l.amount_cents;
        customer_ledger_.post(trip.customer_id, invoice_total);
        carrier_ledger_.post(trip.trailer_id, detention_fee(yard_hours));
        return lines;
    }

    void adjust(const std::string& customer, Cents delta) { customer_ledger_.post(customer, delta); }
    std::optional<Cents> balance(const std::string& customer) const {
        return customer_ledger_.balance_of(customer);
    }

private:
    std::mutex mu_;
    std::map<std::string, TariffPlan> plans_;
    std::map<std::string, std::vector<TelemetrySample>> samples_;
    std::vector<std::unique_ptr<ChargeRule>> rules_;
    std::function<Cents(const Trip&)> excursion_pricer_;
    RunningLedger<Cents> customer_ledger_;
    RunningLedger<double> carrier_ledger_; // expect: errorshield-float-money
};

// ---- HTTP API ---------------------------------------------------------------

http::response<http::string_body> make_json(unsigned version, http::status st, const json& body) {
    http::response<http::string_body> res{st, version};
    res.set(http::field::content_type, "application/json");
    res.body() = body.dump();
    res.prepare_payload();
    return res;
}

http::response<http::string_body> route(BillingEngine& engine,
                                        const http::request<http::string_body>& req) {
    const auto v = req.version();
    json body = json::parse(req.body(), nullptr, false);
    if (body.is_discarded()) return make_json(v, http::status::bad_request, {{"error", "bad json"}});

    if (req.target() == "/telemetry") {
        TelemetrySample s;
        s.trailer_id = body.value("trailer", "");
        s.ts_epoch_s = body.value("ts", std::int64_t{0});
        s.return_air_c = body.value("return_air_c", 0.0);
        s.setpoint_c = body.value("setpoint_c", 0.0);
        s.fuel_level_pct = body.value("fuel_pct", 0.0);
        engine.record_sample(s);
        return make_json(v, http::status::accepted, {{"ok", true}});
    }
    if (req.target() == "/trips/close") {
        Trip t;
        t.trip_id = body.value("trip", "");
        t.trailer_id = body.value("trailer", "");
        t.customer_id = body.value("customer", "");
        t.started_s = body.value("started", std::int64_t{0});
        t.ended_s = body.value("ended", std::int64_t{0});
        t.distance_m = body.value("distance_m", std::int64_t{0});
        t.excursion_minutes = body.value("excursion_min", std::int64_t{0});
        t.cargo_value_cents = body.value("cargo_value_cents", Cents{0});
        t.diesel_litres = body.value("reefer_diesel_l", 0.0);
        auto lines = engine.close_trip(t, body.value("plan", ""), body.value("yard_hours", 0));
        json out = json::array();
        for (const auto& l : lines)
            out.push_back({{"code", l.code}, {"amount", format_cents(l.amount_cents)}});
        return make_json(v, http::status::ok, {{"lines", out}});
    }
    if (req.target() == "/plans") {
        TariffPlan p;
        p.plan_id = body.value("plan", "");
        p.daily_rental_cents = body.value("daily_rental_cents", Cents{0});
        p.per_km_cents = body.value("per_km_cents", Cents{0});
        p.fuel_surcharge_bp = body.value("fuel_surcharge_bp", 0);
        p.washout_cents = body.value("washout_cents", Cents{0});
        engine.upsert_plan(std::move(p));
        return make_json(v, http::status::ok, {{"ok", true}});
    }
    return make_json(v, http::status::not_found, {{"error", "no route"}});
}

asio::awaitable<void> serve(tcp::socket socket, BillingEngine& engine) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    try {
        for (;;) {
            stream.expires_after(std::chrono::seconds(30));
            http::request<http::string_body> req;
            co_await http::async_read(stream, buffer, req, asio::use_awaitable);

            http::response<http::string_body> res;
            if (req.target() == "/adjustments") {
                json body = json::parse(req.body(), nullptr, false);
                if (body.is_discarded() || !body.contains("customer")) {
                    res = make_json(req.version(), http::status::bad_request, {{"error", "bad"}});
                } else if (body.contains("amount_cents")) {
                    Cents amount_cents = body.at("amount_cents").get<Cents>();
                    engine.adjust(body.at("customer").get<std::string>(), amount_cents);
                    res = make_json(req.version(), http::status::ok, {{"ok", true}});
                } else {
                    // legacy dispatcher console still posts decimal amounts
                    double adjustment_amount = body.at("amount").get<double>(); // expect: errorshield-float-money
                    engine.adjust(body.at("customer").get<std::string>(),
                                  std::llround(adjustment_amount * 100));
                    res = make_json(req.version(), http::status::ok, {{"ok", true}});
                }
            } else if (req.target().starts_with("/balance/")) {
                std::string cust(req.target().substr(9));
                auto bal = engine.balance(cust);
                res = bal ? make_json(req.version(), http::status::ok,
                                      {{"customer", cust}, {"balance", format_cents(*bal)}})
                          : make_json(req.version(), http::status::not_found, {{"error", "unknown"}});
            } else {
                res = route(engine, req);
            }
            res.keep_alive(req.keep_alive());
            co_await http::async_write(stream, res, asio::use_awaitable);
            if (!req.keep_alive()) break;
        }
    } catch (const std::exception& e) {
        std::cerr << "session: " << e.what() << "\n";
    }
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<void> listen(tcp::endpoint ep, BillingEngine& engine) {
    auto ex = co_await asio::this_coro::executor;
    tcp::acceptor acceptor(ex, ep);
    for (;;) {
        tcp::socket sock = co_await acceptor.async_accept(asio::use_awaitable);
        asio::co_spawn(ex, serve(std::move(sock), engine), asio::detached);
    }
}

}  // namespace reefer

int main() {
    asio::io_context ioc;
    reefer::BillingEngine engine;
    asio::co_spawn(ioc, reefer::listen({tcp::v4(), 8088}, engine), asio::detached);
    ioc.run();
}
