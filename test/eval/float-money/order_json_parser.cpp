// checks: errorshield-float-money
// JSON front end of the trading gateway: new-order and execution-report
// messages arrive over a WebSocket as JSON and are converted to internal structs.
#include <boost/multiprecision/cpp_dec_float.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

using json = nlohmann::json;
using Decimal = boost::multiprecision::cpp_dec_float_50;

struct NewOrder {
  std::string client_order_id;
  std::string symbol;
  std::int64_t qty = 0;
  std::optional<double> limit_price; // expect: errorshield-float-money
  std::string tif = "DAY";
};

// Outbound snapshot published to the risk dashboard. The macro only generates
// code in the library's own macro body, so the macro line itself stays quiet.
struct PositionSnapshot {
  std::string symbol;
  std::int64_t net_qty = 0;
  double avg_price = 0.0; // expect: errorshield-float-money
  double unrealized_pnl = 0.0; // expect: errorshield-float-money
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PositionSnapshot, symbol, net_qty, avg_price, unrealized_pnl)

NewOrder parseNewOrder(const json& msg) {
  NewOrder o;
  o.client_order_id = msg.at("clOrdId").get<std::string>();
  o.symbol = msg.at("symbol").get<std::string>();
  o.qty = msg.at("qty").get<std::int64_t>(); // integer quantity: fine
  if (msg.contains("price") && !msg["price"].is_null())
    o.limit_price = msg["price"].get<double>(); // expect: errorshield-float-money
  o.tif = msg.value("tif", std::string("DAY")); // string: fine
  return o;
}

// The fixed version used by the FIX bridge: the price travels as a string and is
// parsed straight into a decimal, the quantity as an integer.
struct ExactOrder {
  std::string symbol;
  std::int64_t qty = 0;
  Decimal limit_price; // decimal type, not floating point: fine
};

ExactOrder parseExactOrder(const json& msg) {
  ExactOrder o;
  o.symbol = msg.at("symbol").get<std::string>();
  o.qty = msg.at("qty").get<std::int64_t>();
  o.limit_price = Decimal(msg.at("price").get<std::string>()); // string into decimal: fine
  return o;
}

struct ExecReport {
  std::string exec_id;
  std::int64_t last_qty = 0;
  double last_px = 0.0; // expect: errorshield-float-money
  double commission = 0.0; // expect: errorshield-float-money
  std::int64_t fee_cents = 0; // integer minor units: fine
  double venue_latency_ms = 0.0; // fine
};

ExecReport parseExecReport(const json& msg) {
  ExecReport r;
  r.exec_id = msg.at("execId").get<std::string>();
  r.last_qty = msg.at("lastQty").get<std::int64_t>();
  r.last_px = msg.at("lastPx").get<double>(); // key "lastPx" has no money word: fine
  msg.at("commission").get_to(r.commission); // expect: errorshield-float-money
  r.fee_cents = msg.value("feeCents", std::int64_t{0}); // integer: fine
  r.venue_latency_ms = msg.value("venueLatencyMs", 0.0); // not money: fine
  return r;
}

// Account update pushed by the broker. Weak keys ("total", "amount") count here
// because the enclosing record is an account handler.
class AccountFeedHandler {
 public:
  void onUpdate(const json& msg) {
    // conversion operator: double from a money key
    double cash = msg["cash"]; // expect: errorshield-float-money
    // weak key read inside a record named Account...
    const auto equity_total = msg.at("total").get<double>(); // expect: errorshield-float-money
    buying_power_ = msg.value("buyingPower", 0.0); // key without money word: fine
    const double leverage = msg.at("leverage").get<double>(); // fine
    last_cash_ = cash;
    last_equity_ = equity_total;
    leverage_ = leverage;
    server_seq_ = msg.at("seq").get<std::uint64_t>(); // fine
  }

 private:
  double last_cash_ = 0.0; // expect: errorshield-float-money
  // No money word in the name, but it is assigned equity_total, money.
  double last_equity_ = 0.0; // expect: errorshield-float-money
  double buying_power_ = 0.0; // fine
  double leverage_ = 1.0; // fine
  std::uint64_t server_seq_ = 0;
};

// Heartbeat/telemetry messages from the same socket: "total" is a weak word and
// the function is not a money context, so reading it as double is fine.
struct LinkHealth {
  double rtt_ms = 0.0;
  double loss_ratio = 0.0;
};

LinkHealth parseHeartbeat(const json& msg) {
  LinkHealth h;
  h.rtt_ms = msg.at("rttMs").get<double>(); // fine
  h.loss_ratio = static_cast<double>(msg.at("total")) > 0 ? msg.at("lost").get<double>() / msg.at("total").get<double>() : 0.0; // fine
  return h;
}

// Quote request: strong-word keys read with value() and static_cast
std::vector<double> parseFeeSchedule(const json& msg) { // expect: errorshield-float-money
  std::vector<double> tiers; // no money word in the name: fine
  for (const auto& tier : msg.at("tiers")) {
    tiers.push_back(tier.value("fee", 0.0)); // expect: errorshield-float-money
  }
  if (msg.contains("rebate"))
    tiers.push_back(-static_cast<double>(msg["rebate"])); // expect: errorshield-float-money
  return tiers;
}

json makeSnapshotMessage(const PositionSnapshot& snap) {
  json out = snap; // serialising (writing) a double is not a JSON read: fine
  out["type"] = "position";
  return out;
}
