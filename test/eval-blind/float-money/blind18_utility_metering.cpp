// checks: errorshield-float-money
// Utility metering head-end: ingests smart-meter interval readings, applies
// time-of-use tariffs and keeps customer accounts for the billing run.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using json = nlohmann::json;

namespace metering {

// Amounts are kept in micro-euro (1 EUR = 1'000'000) so per-kWh rates with
// four decimals survive multiplication without rounding.
using MicroEur = std::int64_t;

struct IntervalReading {
  std::string meter_id;
  std::int64_t start_epoch_s = 0;
  std::int64_t energy_wh = 0;       // import register delta
  double energy_kwh = 0.0;          // as reported, for plausibility checks
  double voltage_v = 0.0;
  float power_factor = 1.0f;
  double peak_demand_kw = 0.0;
};

struct MeterHealth {
  double charge_level = 1.0;   // backup battery state of charge, 0..1
  double load_balance = 0.0;   // phase imbalance ratio, 0 = perfectly balanced
  double temperature_c = 20.0;
};

struct TouBand {
  int from_hour = 0;
  int to_hour = 24;
  MicroEur rate_per_kwh = 0;
};

struct Tariff {
  std::string code;
  std::vector<TouBand> bands;
  double standing_charge_per_day = 0.0;  // expect: errorshield-float-money
  MicroEur export_credit_per_kwh = 0;
  MicroEur meter_rental_per_month = 0;
  int late_fee_bp = 200;
};

struct Account {
  std::string account_no;
  std::string meter_id;
  std::string tariff_code;
  double balance = 0.0;  // expect: errorshield-float-money
  MicroEur deposit = 0;
  std::int64_t last_billed_epoch_s = 0;
  int days_overdue = 0;
};

// Append-only ledger of adjustments, summed at billing time.
template <class Amount>
class Ledger {
 public:
  using amount_type = Amount;
  void post(const std::string& account_no, Amount a) { entries_[account_no].push_back(a); }
  Amount total(const std::string& account_no) const {
    auto it = entries_.find(account_no);
    if (it == entries_.end()) return Amount{};
    return std::accumulate(it->second.begin(), it->second.end(), Amount{});
  }

 private:
  std::unordered_map<std::string, std::vector<Amount>> entries_;
};

template <class Amount>
Amount prorate(Amount per_period, int days, int period_days) {
  return per_period * days / period_days;
}

inline std::optional<MicroEur> parse_micro_eur(const std::string& s) {
  // "0.2843" -> 284300
  auto dot = s.find('.');
  try {
    MicroEur whole = std::stoll(s.substr(0, dot)) * 1'000'000;
    if (dot == std::string::npos) return whole;
    std::string frac = s.substr(dot + 1);
    if (frac.size() > 6) return std::nullopt;
    frac.append(6 - frac.size(), '0');
    return whole + std::stoll(frac);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

class TariffBook {
 public:
  bool load(const std::string& path) {
    std::ifstream in(path);
    json doc = json::parse(in, nullptr, false);
    if (doc.is_discarded() || !doc.is_array()) return false;
    for (const auto& t : doc) {
      Tariff tariff;
      tariff.code = t.at("code").get<std::string>();
      for (const auto& b : t.at("bands")) {
        auto rate = parse_micro_eur(b.at("rate").get<std::string>());
        if (!rate) return false;
        tariff.bands.push_back({b.at("from").get<int>(), b.at("to").get<int>(), *rate});
      }
      tariff.standing_charge_per_day = t.value("standing_charge", 0.0);
      tariff.export_credit_per_kwh = parse_micro_eur(t.value("export_credit", std::string{"0"})).value_or(0);
      tariff.meter_rental_per_month = parse_micro_eur(t.value("meter_rental", std::string{"0"})).value_or(0);
      tariff.late_fee_bp = t.value("late_fee_bp", tariff.late_fee_bp);
      tariffs_[tariff.code] = std::move(tariff);
    }
    return true;
  }

  const Tariff* find(const std::string& code) const {
    auto it = tariffs_.find(code);
    return it == tariffs_.end() ? nullptr : &it->second;
  }

 private:
  std::map<std::string, Tariff> tariffs_;
};

class BillingEngine {
 public:
  explicit BillingEngine(const TariffBook& book) : book_(book) {}

  // Energy charge for one interval, in micro-euro.
  static MicroEur energy_charge(const Tariff& t, const IntervalReading& r) {
    const auto hour = static_cast<int>((r.start_epoch_s / 3600) % 24);
    for (const auto& band : t.bands) {
      if (hour >= band.from_hour && hour < band.to_hour) return r.energy_wh * band.rate_per_kwh / 1000;
    }
    return 0;
  }

  void ingest(const IntervalReading& r) {
    std::lock_guard lk(mu_);
    auto acct_it = by_meter_.find(r.meter_id);
    if (acct_it == by_meter_.end()) return;
    Account* acct = acct_it->second;
    const Tariff* t = book_.find(acct->tariff_code);
    if (!t) return;

    // Plausibility: on a healthy meter, reported kWh and register delta agree within 1 %.
    const double register_kwh = static_cast<double>(r.energy_wh) / 1000.0;
    if (std::abs(register_kwh - r.energy_kwh) > 0.01 * std::max(register_kwh, 0.001)) {
      ++implausible_;
      return;
    }
    pending_[acct->account_no] += energy_charge(*t, r);
  }

  void record_payment(const std::string& account_no, MicroEur paid) {
    std::lock_guard lk(mu_);
    if (Account* acct = find_account(account_no)) {
      acct->balance -= static_cast<double>(paid) / 1e6;
      payments_.post(account_no, paid);
    }
  }

  // Back-office adjustments arrive as {"amount": ...} from the CRM export.
  void adjust_arrears(const std::string& account_no, const json& adj) {
    std::lock_guard lk(mu_);
    arrears_.post(account_no, adj.at("amount").get<decltype(arrears_)::amount_type>());
  }

  // Monthly run: energy + standing charge, then late fees for overdue accounts.
  json bill(const std::string& account_no, int days_in_period) {
    std::lock_guard lk(mu_);
    Account* acct = find_account(account_no);
    if (!acct) return json{{"error", "unknown account"}};
    const Tariff* t = book_.find(acct->tariff_code);
    if (!t) return json{{"error", "unknown tariff"}};

    MicroEur energy = pending_[account_no];
    pending_[account_no] = 0;
    MicroEur export_credit = exported_wh_[account_no] * t->export_credit_per_kwh / 1000;
    MicroEur rental = prorate<MicroEur>(t->meter_rental_per_month, days_in_period, 30);
    MicroEur standing = static_cast<MicroEur>(std::llround(t->standing_charge_per_day * 1e6)) * days_in_period;

    json out{{"account", account_no},
             {"energy_micro_eur", energy},
             {"standing_micro_eur", standing},
             {"export_credit_micro_eur", export_credit},
             {"rental_micro_eur", rental}};

    if (acct->days_overdue > 30) {
      float late_fee = static_cast<float>(acct->balance) * t->late_fee_bp / 10000.0f;  // expect: errorshield-float-money
      acct->balance += late_fee;
      out["late_fee"] = late_fee;
    }

    acct->balance += static_cast<double>(energy + standing + rental - export_credit) / 1e6;
    acct->balance += arrears_.total(account_no);
    out["payments_micro_eur"] = payments_.total(account_no);
    return out;
  }

  json health_report(const std::string& meter_id, const MeterHealth& h) const {
    json out{{"meter", meter_id}, {"battery", h.charge_level}, {"imbalance", h.load_balance}};
    if (h.charge_level < 0.2) out["alarm"] = "backup battery low";
    if (h.load_balance > 0.15) out["alarm"] = "phase imbalance";
    return out;
  }

  void add_account(Account a) {
    std::lock_guard lk(mu_);
    auto& stored = accounts_[a.account_no];
    stored = std::move(a);
    by_meter_[stored.meter_id] = &stored;
  }

  http::response<http::string_body> handle_bill(const http::request<http::string_body>& req) {
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/json");
    json q = json::parse(req.body(), nullptr, false);
    if (q.is_discarded() || !q.contains("account")) {
      res.result(http::status::bad_request);
      res.body() = R"({"error":"account expected"})";
    } else {
      res.body() = bill(q["account"].get<std::string>(), q.value("days", 30)).dump();
    }
    res.prepare_payload();
    return res;
  }

 private:
  Account* find_account(const std::string& account_no) {
    auto it = accounts_.find(account_no);
    return it == accounts_.end() ? nullptr : &it->second;
  }

  const TariffBook& book_;
  std::mutex mu_;
  std::map<std::string, Account> accounts_;
  std::unordered_map<std::string, Account*> by_meter_;
  std::unordered_map<std::string, MicroEur> pending_;
  std::unordered_map<std::string, std::int64_t> exported_wh_;
  Ledger<MicroEur> payments_;
  Ledger<double> arrears_;  // expect: errorshield-float-money
  std::uint64_t implausible_ = 0;
};

}  // namespace metering
