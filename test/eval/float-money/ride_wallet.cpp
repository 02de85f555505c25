// checks: errorshield-float-money
// Ride-hailing backend: fare estimation, driver payouts, rider wallets and
// monthly invoices for business accounts.
#include <boost/asio.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

using json = nlohmann::json;

struct TripMetrics {
  double distance_km = 0.0;   // fine
  double duration_min = 0.0;  // fine
  double surge_multiplier = 1.0; // fine: "multiplier" does not contain the word "tip"
  double eta_error_s = 0.0;   // fine
};

struct FareBreakdown {
  double base_fare = 0.0; // expect: errorshield-float-money
  double per_km = 0.0;    // fine: no money word in the name
  double booking_fee = 0.0; // expect: errorshield-float-money
  double tip = 0.0; // expect: errorshield-float-money
  // weak word; sibling fields carry "fare", "fee" and "tip"
  double total = 0.0; // expect: errorshield-float-money
};

FareBreakdown estimateFare(const TripMetrics& m, double base_fare, double per_km) { // expect: errorshield-float-money
  FareBreakdown f;
  f.base_fare = base_fare;
  f.per_km = per_km;
  f.booking_fee = 1.25;
  const double distance_part = m.distance_km * per_km * m.surge_multiplier; // fine
  f.total = (f.base_fare + distance_part + f.booking_fee);
  return f;
}

// Driver payout, integer cents end to end: fine
struct DriverPayout {
  std::string driver_id;
  std::int64_t gross_cents = 0;
  std::int64_t platform_cut_cents = 0;
};

DriverPayout computePayout(const std::string& driver_id, std::int64_t fare_cents, std::int64_t tip_cents) {
  DriverPayout p{driver_id, fare_cents + tip_cents, fare_cents / 4};
  return p;
}

// Rider wallet with a strand-serialised balance
class Wallet {
 public:
  explicit Wallet(boost::asio::io_context& io) : strand_(io.get_executor()) {}

  void topUp(double top_up_value) { // expect: errorshield-float-money
    // capturing by copy declares nothing new
    boost::asio::post(strand_, [this, top_up_value] { balance_ += top_up_value; });
  }

  void debitAsync(double fare, std::function<void(bool)> done) { // expect: errorshield-float-money
    boost::asio::post(strand_, [this, fare, done = std::move(done)] {
      const bool ok = balance_ >= fare;
      if (ok) balance_ -= fare;
      done(ok);
    });
  }

  double balance() const { return balance_; } // expect: errorshield-float-money

  // retry/backoff settings of the wallet's ledger client: fine
  void setRetry(double backoff_ms, int attempts) { backoff_ms_ = backoff_ms; attempts_ = attempts; }

 private:
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  double balance_ = 0.0; // expect: errorshield-float-money
  double backoff_ms_ = 50.0; // fine
  int attempts_ = 3;
};

struct InvoiceLine {
  std::string trip_id;
  double amount = 0.0; // expect: errorshield-float-money
  double distance_km = 0.0; // fine, even inside an invoice line
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(InvoiceLine, trip_id, amount, distance_km)

struct MonthlyInvoice {
  std::string account_id;
  std::vector<InvoiceLine> lines;
  std::optional<double> credit_applied; // expect: errorshield-float-money
  std::string currency = "EUR"; // fine
};

MonthlyInvoice buildInvoice(const std::string& account_id, const json& trips) {
  MonthlyInvoice inv;
  inv.account_id = account_id;
  for (const auto& t : trips) {
    InvoiceLine line;
    line.trip_id = t.at("tripId").get<std::string>();
    // weak key, but the function name carries "Invoice"
    line.amount = t.at("amount").get<double>(); // expect: errorshield-float-money
    line.distance_km = t.at("distanceKm").get<double>(); // fine
    inv.lines.push_back(line);
  }
  if (trips.size() > 20) inv.credit_applied = 15.0;
  return inv;
}

double invoiceTotal(const MonthlyInvoice& inv) { // expect: errorshield-float-money
  // the accumulator lambda's parameter has no money word
  return std::accumulate(inv.lines.begin(), inv.lines.end(), 0.0,
                         [](double running, const InvoiceLine& l) { return running + l.amount; }) - // "running": fine
         inv.credit_applied.value_or(0.0);
}

std::map<std::string, double> tipTotalsByDriver(const std::vector<std::pair<std::string, double>>& rated) { // expect: errorshield-float-money
  std::map<std::string, double> out; // fine: "out" has no money word
  // structured binding of a double with a strong word
  for (const auto& [driver, tip] : rated) // expect: errorshield-float-money
    out[driver] += tip;
  return out;
}

// Rating aggregation: doubles, not money
double averageRating(const std::vector<double>& stars) { // fine
  if (stars.empty()) return 0.0;
  double acc = 0.0;
  for (double s : stars) acc += s;
  return acc / static_cast<double>(stars.size());
}

int main() {
  boost::asio::io_context io;
  Wallet w(io);
  w.topUp(20.0);
  const FareBreakdown fb = estimateFare(TripMetrics{12.4, 23.0, 1.3, 0.0}, 2.50, 1.10);
  w.debitAsync(fb.total, [](bool ok) { (void)ok; });
  io.run();
  auto cheer = [](double tip_amount) { return tip_amount > 5.0; }; // expect: errorshield-float-money
  return cheer(fb.tip) && averageRating({4.5, 5.0}) > 4 ? 0 : 1;
}
