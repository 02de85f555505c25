// checks: errorshield-float-money
// Card payment service: accepts charge/refund requests, computes processor
// fees and posts ledger entries on an asio strand.
#include <boost/asio.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using json = nlohmann::json;

// Minor-unit money value type used across the platform.
class Money {
 public:
  Money(std::int64_t minor_units, std::string ccy) : minor_(minor_units), ccy_(std::move(ccy)) {}

  // Legacy factory; every call site passing a double is a finding.
  static Money from_double(double major, std::string ccy) { // "major" and "ccy" carry no money word: fine
    return Money(std::llround(major * 100.0), std::move(ccy)); // integer argument: fine
  }
  static Money of(std::string_view text, std::string ccy) {
    const auto dot = text.find('.');
    std::int64_t whole = std::stoll(std::string(text.substr(0, dot)));
    std::int64_t frac = dot == std::string_view::npos ? 0 : std::stoll(std::string(text.substr(dot + 1, 2)));
    return Money(whole * 100 + frac, std::move(ccy));
  }

  Money scaled(double factor) const { // fine
    return Money(std::llround(static_cast<double>(minor_) * factor), ccy_);
  }
  Money operator+(const Money& o) const { return Money(minor_ + o.minor_, ccy_); }
  Money operator-(const Money& o) const { return Money(minor_ - o.minor_, ccy_); }
  std::int64_t minor() const { return minor_; }
  const std::string& currency() const { return ccy_; }

 private:
  std::int64_t minor_;
  std::string ccy_;
};

// Thin wrapper used by the reconciliation job.
class CurrencyAmount {
 public:
  static CurrencyAmount fromDouble(double v) { return CurrencyAmount(std::llround(v * 100.0)); } // fine
  static CurrencyAmount valueOf(std::int64_t cents) { return CurrencyAmount(cents); } // fine
  std::int64_t cents() const { return cents_; }

 private:
  explicit CurrencyAmount(std::int64_t c) : cents_(c) {}
  std::int64_t cents_;
};

struct PaymentRequest {
  std::string payment_id;
  std::string card_token;
  double amount = 0.0; // expect: errorshield-float-money
  std::string currency = "USD"; // string: fine
  std::int64_t attempt = 0;
};

struct ProcessorConfig {
  double card_fee_percent = 2.9; // a percentage is a ratio: fine (NonMoneyWords "percent")
  double fixed_fee = 0.30; // expect: errorshield-float-money
  double retry_backoff_seconds = 0.25; // fine
  std::chrono::duration<double> request_timeout{2.5}; // fine
};

class PaymentService {
 public:
  PaymentService(boost::asio::io_context& io, ProcessorConfig cfg) : strand_(io.get_executor()), cfg_(cfg) {}

  // the request document itself is json, not a container of doubles: fine
  void onChargeRequest(const json& payment) {
    PaymentRequest req;
    req.payment_id = payment.at("id").get<std::string>();
    req.card_token = payment.at("token").get<std::string>();
    req.amount = payment.at("amount").get<double>(); // expect: errorshield-float-money
    req.currency = payment.value("currency", std::string("USD")); // fine
    charge(req);
  }

  void charge(const PaymentRequest& req) {
    const double fee = processingFee(req.amount); // expect: errorshield-float-money
    // both arguments are floating point
    Money gross = Money::from_double(req.amount, req.currency); // expect: errorshield-float-money
    Money fee_money = Money::from_double( // Money built from a double on the next line
        fee, req.currency); // expect: errorshield-float-money
    Money net = gross - fee_money;
    boost::asio::post(strand_, [this, id = req.payment_id, net] { ledger_[id].push_back(net.minor()); });
  }

  // "refund" is a strong word in the function name, so the weak "amount" counts
  void refund(const std::string& payment_id, double amount) { // expect: errorshield-float-money
    // constructor taking minor units called with a major-unit double
    Money back(amount * 100, "USD"); // expect: errorshield-float-money
    boost::asio::post(strand_, [this, payment_id, back] { ledger_[payment_id].push_back(-back.minor()); });
  }

  void refundExact(const std::string& payment_id, std::int64_t amount_cents) { // integer: fine
    Money back(amount_cents, "USD"); // integer argument: fine
    Money surcharge = Money::of("0.35", "USD"); // parsed from text: fine
    boost::asio::post(strand_, [this, payment_id, back, surcharge] {
      ledger_[payment_id].push_back(-(back + surcharge).minor());
    });
  }

  double processingFee(double charge) const { // expect: errorshield-float-money
    return charge * cfg_.card_fee_percent / 100.0 + cfg_.fixed_fee;
  }

  // reconciliation report against the processor's CSV export
  // container of doubles whose name has a weak word plus a currency code
  std::int64_t reconcile(const std::map<std::string, double>& paid_usd_by_id) const { // expect: errorshield-float-money
    std::int64_t mismatches = 0;
    for (const auto& [id, settled] : paid_usd_by_id) { // "settled" is not a money word: fine
      CurrencyAmount theirs = CurrencyAmount::fromDouble(settled); // expect: errorshield-float-money
      CurrencyAmount ours = CurrencyAmount::valueOf(sum(id)); // integer: fine
      if (theirs.cents() != ours.cents()) ++mismatches;
    }
    return mismatches;
  }

 private:
  std::int64_t sum(const std::string& id) const {
    auto it = ledger_.find(id);
    std::int64_t s = 0;
    if (it != ledger_.end())
      for (std::int64_t e : it->second) s += e;
    return s;
  }

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  ProcessorConfig cfg_;
  std::map<std::string, std::vector<std::int64_t>> ledger_; // integer minor units: fine
};

// HTTP retry policy for the processor client: doubles, none of them money
struct RetryPolicy {
  double initial_backoff_s = 0.1;
  double multiplier = 2.0;
  double jitter_ratio = 0.2;
  int max_attempts = 5;
};

double nextBackoff(const RetryPolicy& p, int attempt) {
  return p.initial_backoff_s * std::pow(p.multiplier, attempt);
}

int main() {
  boost::asio::io_context io;
  PaymentService svc(io, ProcessorConfig{});
  svc.onChargeRequest(json{{"id", "pay_1"}, {"token", "tok_visa"}, {"amount", 42.5}, {"currency", "USD"}});
  svc.refund("pay_1",
             12.75); // plain double argument to a non-money function: fine
  svc.refundExact("pay_1", 1275);
  std::cout << nextBackoff(RetryPolicy{}, 3) << '\n';
  io.run();
}
