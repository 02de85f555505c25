// checks: errorshield-float-money
// Chat app: creator tips + wallet top-ups over a Beast HTTP endpoint.
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <cstdint>
#include <iomanip>
#include <map>
#include <optional>
#include <sstream>
#include <string>

namespace http = boost::beast::http;
using json = nlohmann::json;

namespace wallet {

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// Money in the new code is always integer cents.
struct Cents {
  std::int64_t v = 0;
  friend Cents operator+(Cents a, Cents b) { return {a.v + b.v}; }
  friend Cents operator-(Cents a, Cents b) { return {a.v - b.v}; }
};

struct Account {
  std::string user_id;
  Cents balance;
  double trust_score = 0.5; // anti-fraud model output in [0,1]
};

std::map<std::string, Account> g_accounts;

// Shown in the UI as "$12.34". Display only.
std::string format_cents(Cents c) {
  std::ostringstream os;
  os << '$' << c.v / 100 << '.' << std::setw(2) << std::setfill('0') << (c.v % 100);
  return os.str();
}

// BUG: creator payout share computed in float.
struct TipSplit {
  float creator_share;  // expect: errorshield-float-money
  float platform_fee;   // expect: errorshield-float-money
};

TipSplit split_tip(std::int64_t tip_cents) {
  const float platform_pct = 0.30f; // a percentage, fine on its own
  TipSplit s{};
  s.platform_fee = tip_cents * platform_pct / 100.0f;
  s.creator_share = tip_cents / 100.0f - s.platform_fee;
  return s;
}

// OK: integer split with remainder going to the creator.
std::pair<Cents, Cents> split_tip_v2(Cents tip) {
  Cents fee{tip.v * 30 / 100};
  return {tip - fee, fee};
}

// BUG: amount parsed as double from the request body.
Response handle_tip(const Request &req) {
  Response res{http::status::ok, req.version()};
  auto body = json::parse(req.body(), nullptr, false);
  if (body.is_discarded() || !body.contains("amount")) {
    res.result(http::status::bad_request);
    return res;
  }
  double amount = body["amount"]; // expect: errorshield-float-money
  const std::string to = body.value("to", "");
  auto it = g_accounts.find(to);
  if (it == g_accounts.end()) {
    res.result(http::status::not_found);
    return res;
  }
  it->second.balance.v += static_cast<std::int64_t>(amount * 100);
  res.body() = json{{"ok", true}}.dump();
  return res;
}

// OK: amount sent as integer cents.
Response handle_tip_v2(const Request &req) {
  Response res{http::status::ok, req.version()};
  auto body = json::parse(req.body(), nullptr, false);
  if (body.is_discarded() || !body.contains("amount_cents") || !body["amount_cents"].is_number_integer()) {
    res.result(http::status::bad_request);
    return res;
  }
  Cents amount{body["amount_cents"].get<std::int64_t>()};
  auto it = g_accounts.find(body.value("to", ""));
  if (it == g_accounts.end()) {
    res.result(http::status::not_found);
    return res;
  }
  it->second.balance = it->second.balance + amount;
  res.body() = json{{"ok", true}, {"balance", format_cents(it->second.balance)}}.dump();
  return res;
}

// BUG: top-up amount parsed with stod.
std::optional<std::int64_t> parse_topup(const std::string &s) {
  try {
    const double dollars = std::stod(s); // expect: errorshield-float-money
    if (dollars <= 0) return std::nullopt;
    return static_cast<std::int64_t>(dollars * 100);
  } catch (...) {
    return std::nullopt;
  }
}

// OK: fraud heuristic mixes doubles that are NOT money.
bool looks_fraudulent(const Account &a, std::int64_t tip_cents, double tips_per_minute) {
  double risk = (1.0 - a.trust_score) * 0.7 + std::min(tips_per_minute / 20.0, 1.0) * 0.3;
  return risk > 0.8 || tip_cents > 100'000;
}

// BUG: exchange to local currency, result kept as double.
double to_local_currency(Cents usd, double fx_rate) { // expect: errorshield-float-money
  return usd.v / 100.0 * fx_rate;
}

// OK: integer conversion with rate as rational (rate * 1e6).
Cents to_local_currency_v2(Cents usd, std::int64_t fx_rate_e6) {
  return Cents{(usd.v * fx_rate_e6 + 500'000) / 1'000'000};
}

// Monthly creator statement.
json statement(const std::string &user) {
  auto it = g_accounts.find(user);
  if (it == g_accounts.end()) return json::object();
  double total_usd = it->second.balance.v / 100.0; // expect: errorshield-float-money
  return json{{"user", user}, {"total", total_usd}, {"trust", it->second.trust_score}};
}

} // namespace wallet
