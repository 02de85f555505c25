// checks: errorshield-float-money
// Driver payout API: Beast handler, JSON body parsing, wallet statements.
#include <boost/beast/http.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace http = boost::beast::http;
using nlohmann::json;
using namespace std;

struct PayoutRequest {
  string driver_id;
  double payout = 0;  // expect: errorshield-float-money
  int64_t payout_cents = 0;
  optional<double> tip;  // expect: errorshield-float-money
  double distance_km = 0;
};

struct Telemetry {
  double latency_ms = 0;
  double cpu_temperature = 0;
  double total = 0;
  vector<double> samples;
};

using PayoutCallback = function<void(const string&, int64_t)>;

map<string, double> g_driver_balances;  // expect: errorshield-float-money
map<string, int64_t> g_driver_balance_cents;
map<string, double> g_zone_multiplier;

template <typename Num>
struct Stat {
  Num sum{};
  Num count{};
};

Stat<double> g_latency_stat;

template <typename Rep>
Rep splitFare(Rep fare, int riders) {  // expect: errorshield-float-money
  return riders > 0 ? fare / riders : fare;
}

PayoutRequest parsePayout(const json& body) {
  PayoutRequest r;
  r.driver_id = body.at("driver").get<string>();
  r.payout = body.at("payout").get<double>();  // expect: errorshield-float-money
  r.payout_cents = body.value("payout_cents", int64_t{0});
  if (body.contains("tip")) r.tip = body.at("tip").get<double>();  // expect: errorshield-float-money
  body.at("distance_km").get_to(r.distance_km);
  return r;
}

optional<double> lookupSurchargeFee(const string& zone) {  // expect: errorshield-float-money
  if (zone == "airport") return 4.5;
  return nullopt;
}

http::response<http::string_body> handlePayout(const http::request<http::string_body>& req, const PayoutCallback& cb) {
  json body = json::parse(req.body());
  PayoutRequest pr = parsePayout(body);
  double fee;  // expect: errorshield-float-money
  body.at("fee").get_to(fee);  // expect: errorshield-float-money
  double refund = body["refund"];  // expect: errorshield-float-money
  float surge = body["surge_multiplier"];
  double eta = body.value("eta_minutes", 0.0);
  string price_text = body.value("price", string("0"));
  int64_t tax_cents = body.value("tax_cents", int64_t{0});
  int64_t net_cents = pr.payout_cents - tax_cents;
  cb(pr.driver_id, net_cents);
  auto estimateFare = [](double base_fare, double km, double per_km_rate) { return base_fare + km * per_km_rate; };  // expect: errorshield-float-money
  json out{{"ok", true},
           {"net_cents", net_cents},
           {"eta", eta},
           {"surge", surge},
           {"price_text", price_text},
           {"estimate", estimateFare(2.5, pr.distance_km, 1.1)},
           {"split", splitFare(pr.payout + fee + refund, 2)},
           {"split_cents", splitFare<int64_t>(pr.payout_cents, 2)}};
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  res.body() = out.dump();
  res.prepare_payload();
  return res;
}

class WalletService {
 public:
  void topUp(const string& user, int64_t cents);
  string statement(const string& user) const;

 private:
  map<string, int64_t> cents_;
  double cashback_ratio_ = 0.01;
};

void WalletService::topUp(const string& user, int64_t cents) {
  cents_[user] += cents + static_cast<int64_t>(cents * cashback_ratio_);  // expect: errorshield-float-money
}

string WalletService::statement(const string& user) const {
  auto it = cents_.find(user);
  double value = it == cents_.end() ? 0.0 : it->second / 100.0;  // expect: errorshield-float-money
  char buf[64];
  snprintf(buf, sizeof buf, "%s: %.2f", user.c_str(), value);
  return buf;
}

double percentile(vector<double> xs, double q) {
  if (xs.empty()) return 0;
  sort(xs.begin(), xs.end());
  return xs[static_cast<size_t>(q * (xs.size() - 1))];
}

double sum(const vector<double>& v) {
  double acc = 0;
  for (double x : v) acc += x;
  return acc;
}

void recordTelemetry(Telemetry& t, const json& sample) {
  t.latency_ms = sample.at("latency").get<double>();
  t.cpu_temperature = sample.value("cpu_temp", 0.0);
  t.total += t.latency_ms;
  t.samples.push_back(t.latency_ms);
  g_latency_stat.sum += t.latency_ms;
  g_latency_stat.count += 1;
  g_zone_multiplier["default"] = 1.0;
}
