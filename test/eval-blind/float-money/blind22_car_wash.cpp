// checks: errorshield-float-money
// Car wash billing service: members buy monthly plans, each wash bay posts a
// JSON event when a wash finishes, and we bill the wash (or count it against
// the plan) and answer the bay over HTTP.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace carwash {

enum class Program { Basic, Foam, Premium };

struct Plan {
  std::string name;
  std::int64_t monthly_fee_cents = 0; // billed on the 1st
  int washes_included = 0;
};

struct Member {
  std::string plate;
  std::string plan;
  int washes_used = 0;
  double account_balance = 0.0; // expect: errorshield-float-money
};

struct WashEvent {
  int bay = 0;
  std::string plate;
  Program program = Program::Basic;
  double water_litres = 0.0;    // sensor reading
  double dryer_seconds = 0.0;   // sensor reading
  float foam_concentration = 0; // chemical mix ratio, 0..1
};

// Per-program prices, in cents.
const std::map<Program, std::int64_t> kProgramPriceCents = {
    {Program::Basic, 899}, {Program::Foam, 1299}, {Program::Premium, 1999}};

// Surcharge applied when a wash uses unusually much water.
constexpr double kWaterSurchargeThresholdLitres = 180.0;
constexpr std::int64_t kWaterSurchargeCents = 150;

const std::map<std::string, Plan> kPlans = {
    {"silver", {"silver", 2499, 4}}, {"gold", {"gold", 3999, 10}}};

Program parse_program(const std::string &s) {
  if (s == "foam") return Program::Foam;
  if (s == "premium") return Program::Premium;
  return Program::Basic;
}

WashEvent parse_event(const json &j) {
  WashEvent ev;
  ev.bay = j.at("bay").get<int>();
  ev.plate = j.at("plate").get<std::string>();
  ev.program = parse_program(j.value("program", "basic"));
  ev.water_litres = j.value("water_litres", 0.0);
  ev.dryer_seconds = j.value("dryer_seconds", 0.0);
  ev.foam_concentration = j.value("foam", 0.0f);
  return ev;
}

// Price of one wash for a non-member, in cents.
std::int64_t walk_in_price_cents(const WashEvent &ev) {
  std::int64_t cents = kProgramPriceCents.at(ev.program);
  if (ev.water_litres > kWaterSurchargeThresholdLitres) cents += kWaterSurchargeCents;
  return cents;
}

// Loyalty discount for members who exceeded their plan (10% off extra washes).
double extra_wash_price(const WashEvent &ev) { // expect: errorshield-float-money
  return static_cast<double>(walk_in_price_cents(ev)) / 100.0 * 0.9;
}

std::string format_cents(std::int64_t cents) {
  std::string sign = cents < 0 ? "-" : "";
  if (cents < 0) cents = -cents;
  std::string frac = std::to_string(cents % 100);
  if (frac.size() < 2) frac = "0" + frac;
  return sign + "$" + std::to_string(cents / 100) + "." + frac;
}

class Ledger {
public:
  void add_member(Member m) {
    std::lock_guard lk(mu_);
    members_[m.plate] = std::move(m);
  }

  // Returns the amount charged to the member for this wash (0 when covered
  // by the plan), and a human-readable note for the bay display.
  json bill(const WashEvent &ev) {
    std::lock_guard lk(mu_);
    auto it = members_.find(ev.plate);
    if (it == members_.end()) {
      std::int64_t due_cents = walk_in_price_cents(ev);
      walk_in_revenue_cents_ += due_cents;
      return {{"member", false}, {"due_cents", due_cents}, {"display", format_cents(due_cents)}};
    }
    Member &m = it->second;
    const Plan &plan = kPlans.at(m.plan);
    if (m.washes_used < plan.washes_included) {
      ++m.washes_used;
      return {{"member", true}, {"due_cents", 0}, {"left", plan.washes_included - m.washes_used}};
    }
    m.account_balance -= extra_wash_price(ev);
    return {{"member", true}, {"extra", true}, {"balance", m.account_balance}};
  }

  // Daily takings by bay, shown on the manager dashboard.
  float takings_for_bay(int bay) { // expect: errorshield-float-money
    std::lock_guard lk(mu_);
    auto it = bay_cents_.find(bay);
    return it == bay_cents_.end() ? 0.0f : static_cast<float>(it->second) / 100.0f;
  }

  void record_bay(int bay, std::int64_t cents) {
    std::lock_guard lk(mu_);
    bay_cents_[bay] += cents;
  }

private:
  std::mutex mu_;
  std::unordered_map<std::string, Member> members_;
  std::map<int, std::int64_t> bay_cents_;
  std::int64_t walk_in_revenue_cents_ = 0;
};

// Monthly renewal: prorates a plan when a member joins mid-month.
template <class Clock = std::chrono::system_clock>
std::int64_t prorated_fee_cents(const Plan &plan, int days_left, int days_in_month) {
  // integer math, rounded half up
  return (plan.monthly_fee_cents * days_left + days_in_month / 2) / days_in_month;
}

template <class Num> struct Refund {
  std::string plate;
  Num refund_amount; // expect: errorshield-float-money
  std::string reason;
};

Refund<double> refund_for_broken_dryer(const WashEvent &ev) {
  return {ev.plate, walk_in_price_cents(ev) / 100.0, "dryer fault"};
}

// Average dryer time per bay, for the maintenance report (not money).
double average_dryer_seconds(const std::vector<WashEvent> &events) {
  if (events.empty()) return 0.0;
  double sum = 0.0;
  for (const auto &e : events) sum += e.dryer_seconds;
  return sum / static_cast<double>(events.size());
}

asio::awaitable<void> serve(tcp::socket sock, Ledger &ledger) {
  beast::flat_buffer buf;
  for (;;) {
    http::request<http::string_body> req;
    auto [ec, n] = co_await http::async_read(sock, buf, req, asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/json");
    try {
      auto body = json::parse(req.body());
      auto ev = parse_event(body);
      auto out = ledger.bill(ev);
      if (body.contains("tip")) {
        double tip_amount = body["tip"].get<double>(); // expect: errorshield-float-money
        out["tip"] = tip_amount;
      }
      ledger.record_bay(ev.bay, out.value("due_cents", std::int64_t{0}));
      res.body() = out.dump();
    } catch (const std::exception &e) {
      res.result(http::status::bad_request);
      res.body() = json{{"error", e.what()}}.dump();
    }
    res.prepare_payload();
    auto [wec, wn] = co_await http::async_write(sock, res, asio::as_tuple(asio::use_awaitable));
    if (wec || !req.keep_alive()) co_return;
  }
}

asio::awaitable<void> listen(tcp::acceptor acc, Ledger &ledger) {
  for (;;) {
    auto sock = co_await acc.async_accept(asio::use_awaitable);
    asio::co_spawn(acc.get_executor(), serve(std::move(sock), ledger), asio::detached);
  }
}

} // namespace carwash

int main() {
  asio::io_context ioc;
  carwash::Ledger ledger;
  ledger.add_member({"KX-204", "gold", 0, 0.0});
  (void)carwash::prorated_fee_cents(carwash::kPlans.at("silver"), 12, 30);
  (void)carwash::refund_for_broken_dryer({});
  (void)carwash::average_dryer_seconds({});
  (void)ledger.takings_for_bay(1);
  asio::co_spawn(ioc, carwash::listen(tcp::acceptor(ioc, {tcp::v4(), 8088}), ledger), asio::detached);
  ioc.run();
}
