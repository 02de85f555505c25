// checks: errorshield-float-money
// Payroll notification service: after each pay run the payroll engine posts a
// batch of pay-stub events; this service renders them and pushes them to the
// employee app over WebSocket (or queues them for e-mail).
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <numeric>
#include <string>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using json = nlohmann::json;

namespace payroll {

using Cents = std::int64_t;

struct Deduction {
  std::string code;   // "FED_TAX", "401K", ...
  Cents amount_cents = 0;
  double rate_pct = 0.0;  // informational: statutory percentage
};

struct PayStubEvent {
  std::string employee_id;
  std::string period;       // "2024-06-B"
  Cents gross_cents = 0;
  std::vector<Deduction> deductions;
  double hours_worked = 0.0;
  double overtime_multiplier = 1.5;
  double net_pay = 0.0; // expect: errorshield-float-money
  float bonus = 0.0f; // expect: errorshield-float-money
  std::string currency = "USD";
};

void from_json(const json& j, Deduction& d) {
  d.code = j.at("code").get<std::string>();
  d.amount_cents = j.at("amount_cents").get<Cents>();
  d.rate_pct = j.value("rate_pct", 0.0);
}

void from_json(const json& j, PayStubEvent& e) {
  e.employee_id = j.at("employee_id").get<std::string>();
  e.period = j.at("period").get<std::string>();
  e.gross_cents = j.at("gross_cents").get<Cents>();
  e.deductions = j.value("deductions", std::vector<Deduction>{});
  e.hours_worked = j.value("hours", 0.0);
  e.net_pay = j.value("net", 0.0);
  e.bonus = j.value("bonus", 0.0f);
  e.currency = j.value("currency", std::string{"USD"});
}

// Integer-only rendering: 123456 -> "1,234.56"
std::string render_cents(Cents c) {
  const bool neg = c < 0;
  if (neg) c = -c;
  std::string whole = std::to_string(c / 100);
  for (int i = static_cast<int>(whole.size()) - 3; i > 0; i -= 3) whole.insert(static_cast<std::size_t>(i), ",");
  const auto frac = c % 100;
  return (neg ? "-" : "") + whole + "." + (frac < 10 ? "0" : "") + std::to_string(frac);
}

// Legacy helper still used by the e-mail template path.
std::string render_amount(double amount, const std::string& currency) { // expect: errorshield-float-money
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %.2f", currency.c_str(), amount);
  return buf;
}

Cents total_deductions(const PayStubEvent& e) {
  return std::accumulate(e.deductions.begin(), e.deductions.end(), Cents{0},
                         [](Cents acc, const Deduction& d) { return acc + d.amount_cents; });
}

struct YearToDate {
  std::vector<Cents> gross_by_period;
  Cents ytd_gross() const { return std::accumulate(gross_by_period.begin(), gross_by_period.end(), Cents{0}); }
};

json build_notice(const PayStubEvent& e, const YearToDate& ytd) {
  const Cents deductions = total_deductions(e);
  const Cents net_cents = e.gross_cents - deductions;
  auto ytd_net = std::accumulate(ytd.gross_by_period.begin(), ytd.gross_by_period.end(), 0.0) - deductions; // expect: errorshield-float-money
  const double effective_tax_pct =
      e.gross_cents == 0 ? 0.0 : 100.0 * static_cast<double>(deductions) / static_cast<double>(e.gross_cents);

  json n;
  n["type"] = "paystub.ready";
  n["employee_id"] = e.employee_id;
  n["period"] = e.period;
  n["net"] = render_cents(net_cents);
  n["net_cents"] = net_cents;
  n["ytd_net"] = render_cents(static_cast<Cents>(ytd_net));
  n["effective_tax_pct"] = effective_tax_pct;
  n["hours"] = e.hours_worked;
  return n;
}

// Notification throttling per tenant; purely operational numbers.
struct DeliveryStats {
  std::uint64_t sent = 0, failed = 0;
  double success_ratio() const { return sent + failed == 0 ? 1.0 : double(sent) / double(sent + failed); }
  double avg_latency_ms = 0.0;
};

class EmployeeChannel : public std::enable_shared_from_this<EmployeeChannel> {
public:
  explicit EmployeeChannel(websocket::stream<beast::tcp_stream> ws) : ws_(std::move(ws)) {}

  void push(json notice) {
    outbox_.push_back(notice.dump());
    if (outbox_.size() == 1) write_next();
  }

private:
  void write_next() {
    ws_.text(true);
    ws_.async_write(asio::buffer(outbox_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec) return;
                      self->outbox_.pop_front();
                      if (!self->outbox_.empty()) self->write_next();
                    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::deque<std::string> outbox_;
};

class NotificationRouter {
public:
  void attach(const std::string& employee_id, std::shared_ptr<EmployeeChannel> ch) {
    channels_[employee_id] = std::move(ch);
  }

  void on_pay_run(const json& batch) {
    for (const auto& item : batch.at("events")) {
      auto ev = item.get<PayStubEvent>();
      auto& ytd = ytd_[ev.employee_id];
      ytd.gross_by_period.push_back(ev.gross_cents);
      deliver(ev, build_notice(ev, ytd));
    }
  }

  // Bonus-only run: the amount arrives as decimal dollars from HR tooling.
  void on_bonus(const json& msg) {
    const std::string employee = msg.at("employee_id").get<std::string>();
    const double bonus_usd = msg.at("bonus").get<double>(); // expect: errorshield-float-money
    json n{{"type", "bonus.paid"}, {"employee_id", employee}, {"text", render_amount(bonus_usd, "USD")}};
    if (auto it = channels_.find(employee); it != channels_.end()) it->second->push(std::move(n));
  }

  void on_bonus_fixed(const json& msg) {
    const std::string employee = msg.at("employee_id").get<std::string>();
    const Cents bonus_cents = msg.at("bonus_cents").get<Cents>();
    json n{{"type", "bonus.paid"}, {"employee_id", employee}, {"text", "USD " + render_cents(bonus_cents)}};
    if (auto it = channels_.find(employee); it != channels_.end()) it->second->push(std::move(n));
  }

private:
  void deliver(const PayStubEvent& ev, json notice) {
    const auto t0 = std::chrono::steady_clock::now();
    auto it = channels_.find(ev.employee_id);
    if (it == channels_.end()) {
      ++stats_.failed;
      email_queue_.push_back(std::move(notice));
      return;
    }
    it->second->push(std::move(notice));
    ++stats_.sent;
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    stats_.avg_latency_ms = 0.9 * stats_.avg_latency_ms + 0.1 * ms;
  }

  std::unordered_map<std::string, std::shared_ptr<EmployeeChannel>> channels_;
  std::unordered_map<std::string, YearToDate> ytd_;
  std::deque<json> email_queue_;
  DeliveryStats stats_;
};

}  // namespace payroll
