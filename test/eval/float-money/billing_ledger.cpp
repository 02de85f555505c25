// checks: errorshield-float-money
// Utility billing and payroll ledger: metered usage is priced per kWh, late
// fees are added, entries are posted to a general ledger. A home-grown Decimal
// type exists but older modules still feed it doubles.
#include <boost/multiprecision/cpp_dec_float.hpp>

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

using boost::multiprecision::cpp_dec_float_100;

// Fixed-point decimal: unscaled integer plus scale.
class Decimal {
 public:
  explicit Decimal(const std::string& text) {
    const auto dot = text.find('.');
    scale_ = dot == std::string::npos ? 0 : static_cast<int>(text.size() - dot - 1);
    std::string digits = text;
    if (dot != std::string::npos) digits.erase(dot, 1);
    unscaled_ = std::stoll(digits);
  }
  static Decimal valueOf(long long unscaled, int scale) { return Decimal(unscaled, scale); }
  static Decimal FromDouble(double d, int scale = 2) { // "d" and "scale": fine
    return Decimal(std::llround(d * std::pow(10.0, scale)), scale); // integer argument: fine
  }
  Decimal operator+(const Decimal& o) const { return Decimal(unscaled_ + rescale(o), scale_); }
  long long unscaled() const { return unscaled_; }

 private:
  Decimal(long long unscaled, int scale) : unscaled_(unscaled), scale_(scale) {}
  long long rescale(const Decimal& o) const {
    long long v = o.unscaled_;
    for (int s = o.scale_; s < scale_; ++s) v *= 10;
    return v;
  }
  long long unscaled_ = 0;
  int scale_ = 0;
};

constexpr double kSalesTaxRate = 0.0825; // a tax rate is a ratio, not an amount of money: fine (NonMoneyWords "rate")
constexpr double kGridLossFactor = 1.04; // "loss" is not money: fine
constexpr int kGraceDays = 10;

// forward declaration and definition are both reported
double lateFee(int days_overdue); // expect: errorshield-float-money

struct MeterReading {
  std::string meter_id;
  std::vector<double> usage_kwh; // fine
  double peak_demand_kw = 0.0;   // fine
  double power_factor = 0.95;    // fine
};

struct BillingCycle {
  std::string account_id;
  double energy_charge = 0.0; // expect: errorshield-float-money
  // weak words in a Billing record
  double amount_due = 0.0; // expect: errorshield-float-money
  double consumption_kwh = 0.0; // fine: no money word, record context only affects weak words
  std::optional<double> budget_cap; // expect: errorshield-float-money
};

BillingCycle bill(const MeterReading& r, double price_per_kwh) { // expect: errorshield-float-money
  BillingCycle c;
  c.account_id = r.meter_id;
  double kwh = 0.0; // fine
  for (double interval : r.usage_kwh) kwh += interval; // fine
  c.consumption_kwh = kwh * kGridLossFactor;
  c.energy_charge = c.consumption_kwh * price_per_kwh;
  c.amount_due = c.energy_charge * (1.0 + kSalesTaxRate);
  return c;
}

double lateFee(int days_overdue) { // expect: errorshield-float-money
  if (days_overdue <= kGraceDays) return 0.0;
  const double interest_rate = 0.015; // "interest" and "rate" are not money words: fine
  return 5.0 + interest_rate * (days_overdue - kGraceDays);
}

template <class T>
T applySurcharge(T base_price, T pct) { // expect: errorshield-float-money
  return base_price + base_price * pct / 100;
}

void splitTax(double gross, double& tax_out, double& net_out) { // expect: errorshield-float-money
  tax_out = gross * kSalesTaxRate / (1.0 + kSalesTaxRate);
  net_out = gross - tax_out;
}

struct LedgerEntry {
  std::string account;
  Decimal amount{"0"}; // decimal: fine
  long double running_total = 0; // expect: errorshield-float-money
  long double fx_adjustment = 0; // fine
  std::int64_t posted_at_epoch_s = 0;
};

struct Transaction {
  std::string id;
  float amount = 0.f; // expect: errorshield-float-money
  std::int64_t fee_minor = 0; // integer: fine
};

std::vector<LedgerEntry> post(const BillingCycle& c, int days_overdue) {
  std::vector<LedgerEntry> out;
  LedgerEntry energy;
  energy.account = "4000-energy";
  energy.amount = Decimal::FromDouble(c.energy_charge); // expect: errorshield-float-money
  out.push_back(energy);

  auto late = lateFee(days_overdue); // deduced double, name without money word: fine
  if (late > 0) {
    LedgerEntry fee_entry;
    fee_entry.account = "4100-late-fees";
    fee_entry.amount = Decimal::FromDouble( // the double argument is on the next line
        late); // expect: errorshield-float-money
    out.push_back(fee_entry);
  }

  LedgerEntry adj;
  adj.account = "4900-rounding";
  adj.amount = Decimal::valueOf(-3, 2) + Decimal("0.01"); // integer and string: fine
  out.push_back(adj);
  return out;
}

// Interest accrual in the treasury module uses cpp_dec_float_100
cpp_dec_float_100 accrue(const cpp_dec_float_100& principal, int days) {
  const cpp_dec_float_100 daily_rate("0.000137"); // fine
  const cpp_dec_float_100 penalty(lateFee(days)); // expect: errorshield-float-money
  cpp_dec_float_100 accrued = principal * daily_rate * days; // fine
  return accrued + penalty;
}

// Payroll
struct Timesheet {
  std::string employee_id;
  double hours_worked = 0.0; // fine
  double hourly_wage = 0.0; // expect: errorshield-float-money
  std::optional<double> overtime_premium; // expect: errorshield-float-money
  std::int64_t salary_cents = 0; // integer: fine
};

std::string payslip(const Timesheet& t) {
  // deduced double; weak word plus currency code
  auto gross_usd = t.hours_worked * t.hourly_wage; // expect: errorshield-float-money
  const double overtime_hours = t.hours_worked > 160 ? t.hours_worked - 160 : 0.0; // fine
  std::ostringstream os;
  os << t.employee_id << ' ' << gross_usd << ' ' << overtime_hours;
  return os.str();
}

int main() {
  MeterReading r{"M-17", {1.2, 0.8, 2.4}, 3.1, 0.97};
  BillingCycle c = bill(r, 0.31);
  double totals[2]{};
  splitTax(c.amount_due, totals[0], totals[1]);
  auto entries = post(c, 14);
  const double adjusted = applySurcharge(c.amount_due, 2.5); // plain call, not a decimal constructor: fine
  cpp_dec_float_100 interest = accrue(cpp_dec_float_100("1500.00"), 30);
  return entries.empty() || adjusted < 0 || interest < 0 ? 1 : 0;
}
