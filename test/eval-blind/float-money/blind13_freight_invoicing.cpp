// checks: errorshield-float-money
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using json = nlohmann::json;
using tcp = asio::ip::tcp;

namespace freight {

using Cents = std::int64_t;

struct Shipment {
  std::string waybill;
  std::string lane;
  double billable_weight_kg = 0.0;
  double distance_km = 0.0;
  Cents linehaul_cents = 0;
  std::vector<std::string> accessorial_codes;
};

struct FuelIndexSnapshot {
  std::chrono::system_clock::time_point published{};
  double diesel_price_per_gallon = 0.0; // expect: errorshield-float-money
  std::int64_t diesel_millicents_per_gallon = 0;
  double fuel_amount_gallons = 0.0;
};

struct InvoiceLine {
  std::string description;
  double amount = 0.0; // expect: errorshield-float-money
};

struct Invoice {
  std::string number;
  std::vector<InvoiceLine> lines;
  Cents total_cents = 0;
  double surcharge_percent_shown = 0.0;
};

// Fuel surcharge table: diesel price floor (millicents / gallon) -> basis points.
struct SurchargeBand {
  std::int64_t floor_millicents;
  std::int32_t bps;
};

constexpr SurchargeBand kBands[] = {
    {250'000'000, 0},    {300'000'000, 1200}, {350'000'000, 1850},
    {400'000'000, 2400}, {450'000'000, 3050}, {500'000'000, 3700},
};

inline std::int32_t surcharge_bps_for(std::int64_t diesel_millicents) {
  std::int32_t bps = 0;
  for (const auto &band : kBands)
    if (diesel_millicents >= band.floor_millicents)
      bps = band.bps;
  return bps;
}

inline Cents apply_bps(Cents base, std::int32_t bps) {
  // round half away from zero on the integer amount
  const Cents scaled = base * bps;
  return (scaled >= 0 ? scaled + 5'000 : scaled - 5'000) / 10'000;
}

double quote_accessorial(const std::string &code, const Shipment &s); // expect: errorshield-float-money

inline Cents accessorial_cents(const std::string &code) {
  if (code == "LIFTGATE") return 7'500;
  if (code == "RESIDENTIAL") return 9'900;
  if (code == "INSIDE") return 12'000;
  return 0;
}

class RateBook {
public:
  void set_lane_rate(const std::string &lane, Cents per_mile_cents) {
    std::lock_guard lk(mu_);
    lane_cents_per_mile_[lane] = per_mile_cents;
  }

  std::optional<Cents> linehaul(const Shipment &s) const {
    std::lock_guard lk(mu_);
    auto it = lane_cents_per_mile_.find(s.lane);
    if (it == lane_cents_per_mile_.end()) return std::nullopt;
    const double miles = s.distance_km * 0.621371;
    return static_cast<Cents>(std::llround(miles)) * it->second;
  }

  void load_legacy(const json &j) {
    std::lock_guard lk(mu_);
    for (auto &[lane, v] : j.items())
      legacy_rate_per_mile_[lane] = v.get<double>();
  }

private:
  mutable std::mutex mu_;
  std::map<std::string, Cents> lane_cents_per_mile_;
  std::map<std::string, double> legacy_rate_per_mile_; // expect: errorshield-float-money
};

class InvoiceBuilder {
public:
  InvoiceBuilder(const RateBook &book, const FuelIndexSnapshot &fuel)
      : book_(book), fuel_(fuel) {}

  std::optional<Invoice> build(const Shipment &s, const std::string &number) const {
    auto linehaul = book_.linehaul(s);
    if (!linehaul) return std::nullopt;

    Invoice inv;
    inv.number = number;
    Cents total = *linehaul;
    inv.lines.push_back({"Linehaul " + s.lane, 0.0});

    const std::int32_t bps = surcharge_bps_for(fuel_.diesel_millicents_per_gallon);
    const Cents fuel_cents = apply_bps(*linehaul, bps);
    total += fuel_cents;
    inv.surcharge_percent_shown = bps / 100.0;

    for (const auto &code : s.accessorial_codes)
      total += accessorial_cents(code);

    // Legacy customers get the surcharge computed off the *quoted* linehaul.
    auto legacy_surcharge = s.linehaul_cents * (bps / 10'000.0); // expect: errorshield-float-money
    if (s.linehaul_cents > 0)
      total += std::llround(legacy_surcharge) - fuel_cents;

    inv.total_cents = total;
    return inv;
  }

private:
  const RateBook &book_;
  const FuelIndexSnapshot &fuel_;
};

inline json to_wire(const Invoice &inv) {
  json j;
  j["number"] = inv.number;
  j["total_cents"] = inv.total_cents;
  j["total_display"] = std::to_string(inv.total_cents / 100) + "." +
                       (inv.total_cents % 100 < 10 ? "0" : "") +
                       std::to_string(inv.total_cents % 100);
  j["fuel_surcharge_percent"] = inv.surcharge_percent_shown;
  return j;
}

class QuoteSession : public std::enable_shared_from_this<QuoteSession> {
public:
  QuoteSession(tcp::socket sock, const RateBook &book, const FuelIndexSnapshot &fuel)
      : stream_(std::move(sock)), book_(book), fuel_(fuel) {}

  void start() { do_read(); }

private:
  void do_read() {
    req_ = {};
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buf_, req_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return;
                       self->handle();
                     });
  }

  void handle() {
    http::response<http::string_body> res{http::status::ok, req_.version()};
    res.set(http::field::content_type, "application/json");
    try {
      const json body = json::parse(req_.body());
      Shipment s;
      s.waybill = body.at("waybill").get<std::string>();
      s.lane = body.at("lane").get<std::string>();
      s.billable_weight_kg = body.at("weight_kg").get<double>();
      s.distance_km = body.at("distance_km").get<double>();
      s.linehaul_cents = body.value("quoted_linehaul_cents", Cents{0});

      const double client_quoted_total = body.value("client_total", 0.0); // expect: errorshield-float-money
      const Cents client_total_cents = body.value("client_total_cents", Cents{0});

      InvoiceBuilder builder(book_, fuel_);
      auto inv = builder.build(s, "Q-" + s.waybill);
      if (!inv) {
        res.result(http::status::unprocessable_entity);
        res.body() = R"({"error":"unknown lane"})";
      } else {
        json out = to_wire(*inv);
        out["matches_client"] = client_total_cents == inv->total_cents;
        out["client_delta_hint"] = client_quoted_total > 0;
        res.body() = out.dump();
      }
    } catch (const std::exception &e) {
      res.result(http::status::bad_request);
      res.body() = json{{"error", e.what()}}.dump();
    }
    res.prepare_payload();
    auto sp = std::make_shared<http::response<http::string_body>>(std::move(res));
    http::async_write(stream_, *sp,
                      [self = shared_from_this(), sp](beast::error_code ec, std::size_t) {
                        if (!ec && sp->keep_alive()) self->do_read();
                      });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  const RateBook &book_;
  const FuelIndexSnapshot &fuel_;
};

struct CarrierAccount {
  std::string carrier_id;
  Cents open_balance_cents = 0;
  double credit_limit = 0.0; // expect: errorshield-float-money
  float on_time_ratio = 1.0f;
};

inline bool over_limit(const CarrierAccount *acct, Cents pending) {
  const Cents limit_cents = std::llround(acct->credit_limit * 100.0);
  return acct->open_balance_cents + pending > limit_cents;
}

inline void record_latency(std::chrono::steady_clock::time_point start, CarrierAccount &acct) {
  const std::chrono::duration<double, std::milli> elapsed =
      std::chrono::steady_clock::now() - start;
  if (elapsed.count() > 250.0)
    acct.on_time_ratio *= 0.99f;
}

} // namespace freight
