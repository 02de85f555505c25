// checks: errorshield-json-field-coverage
// Hand-written codecs for the venue's execution-report and market-data
// messages. The venue uses short, cryptic keys, so the macros can't be used.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tradegw {
namespace venue {
namespace msg {

using json = nlohmann::json;

enum class OrderStatus { New, PartiallyFilled, Filled, Canceled, Rejected, Expired };

NLOHMANN_JSON_SERIALIZE_ENUM(OrderStatus, {{OrderStatus::New, "NEW"},
                                           {OrderStatus::PartiallyFilled, "PARTIALLY_FILLED"},
                                           {OrderStatus::Filled, "FILLED"},
                                           {OrderStatus::Canceled, "CANCELED"},
                                           {OrderStatus::Rejected, "REJECTED"},
                                           {OrderStatus::Expired, "EXPIRED"}})

struct ExecutionReport {
  std::string symbol;
  std::string client_order_id;
  std::int64_t order_id{0};
  OrderStatus status{OrderStatus::New};
  double last_qty{0.0};
  double last_px{0.0};
  double cum_qty{0.0};
  double leaves_qty{0.0};
  double commission{0.0};
  std::string commission_asset;
  std::uint64_t transact_time{0};
};

void from_json(const json& j, ExecutionReport& r);

// BUG: leaves_qty ("q") and commission_asset ("N") are never read, so the
// order manager thinks partially filled orders have nothing left open and
// fees are booked in the wrong currency.
void from_json(const json& j, ExecutionReport& r) { // expect: errorshield-json-field-coverage
  j.at("s").get_to(r.symbol);
  j.at("c").get_to(r.client_order_id);
  j.at("i").get_to(r.order_id);
  j.at("X").get_to(r.status);
  r.last_qty = std::stod(j.at("l").get<std::string>());
  r.last_px = std::stod(j.at("L").get<std::string>());
  r.cum_qty = std::stod(j.at("z").get<std::string>());
  r.commission = std::stod(j.value("n", std::string{"0"}));
  r.transact_time = j.at("T").get<std::uint64_t>();
}

void to_json(json& j, const ExecutionReport& r) {
  j = json{{"s", r.symbol},
           {"c", r.client_order_id},
           {"i", r.order_id},
           {"X", r.status},
           {"l", std::to_string(r.last_qty)},
           {"L", std::to_string(r.last_px)},
           {"z", std::to_string(r.cum_qty)},
           {"q", std::to_string(r.leaves_qty)},
           {"n", std::to_string(r.commission)},
           {"N", r.commission_asset},
           {"T", r.transact_time}};
}

// Top of book. Every member is written: get_to, plain assignment and value().
struct BookTicker {
  std::uint64_t update_id{0};
  std::string symbol;
  double bid_px{0.0};
  double bid_qty{0.0};
  double ask_px{0.0};
  double ask_qty{0.0};
  bool stale{false};
};

void from_json(const json& j, BookTicker& t) {
  j.at("u").get_to(t.update_id);
  j.at("s").get_to(t.symbol);
  t.bid_px = std::stod(j.at("b").get<std::string>());
  t.bid_qty = std::stod(j.at("B").get<std::string>());
  t.ask_px = std::stod(j.at("a").get<std::string>());
  t.ask_qty = std::stod(j.at("A").get<std::string>());
  t.stale = j.value("stale", false);
}

// Depth level, decoded from a two-element array ["px", "qty"]. The whole
// object is assigned at once.
struct PriceLevel {
  double price{0.0};
  double qty{0.0};
};

void from_json(const json& j, PriceLevel& lvl) {
  lvl = PriceLevel{std::stod(j.at(0).get<std::string>()),
                   std::stod(j.at(1).get<std::string>())};
}

struct DepthUpdate {
  static constexpr int kMaxLevels = 20;

  std::string symbol;
  std::uint64_t first_update_id{0};
  std::uint64_t final_update_id{0};
  std::vector<PriceLevel> bids;
  std::vector<PriceLevel> asks;
};

// Static kMaxLevels is not a payload field; every data member is written.
// The snapshot id is only present on some messages but is still written when
// it is.
void
from_json(const json& j, DepthUpdate& d) {
  d.symbol = j.at("s").get<std::string>();
  if (j.contains("U")) {
    j.at("U").get_to(d.first_update_id);
  }
  j.at("u").get_to(d.final_update_id);
  j.at("b").get_to(d.bids);
  j.at("a").get_to(d.asks);
}

struct Kline {
  std::uint64_t open_time{0};
  std::uint64_t close_time{0};
  std::string interval;
  double open{0.0};
  double high{0.0};
  double low{0.0};
  double close{0.0};
  double volume{0.0};
  std::uint32_t trade_count{0};
  bool closed{false};
};

// BUG: the "x" flag (candle closed) is never copied, so the signal engine
// trades on every in-progress candle as if it were final; trade_count too.
void
from_json(const json& j, Kline& k) // expect: errorshield-json-field-coverage
{
  const json& body = j.at("k");
  body.at("t").get_to(k.open_time);
  body.at("T").get_to(k.close_time);
  body.at("i").get_to(k.interval);
  k.open = std::stod(body.at("o").get<std::string>());
  k.high = std::stod(body.at("h").get<std::string>());
  k.low = std::stod(body.at("l").get<std::string>());
  k.close = std::stod(body.at("c").get<std::string>());
  k.volume = std::stod(body.at("v").get<std::string>());
}

inline std::vector<ExecutionReport> decode_reports(const json& batch) {
  return batch.get<std::vector<ExecutionReport>>();
}

inline DepthUpdate decode_depth(const json& payload) { return payload.get<DepthUpdate>(); }
inline Kline decode_kline(const json& payload) { return payload.get<Kline>(); }
inline BookTicker decode_ticker(const json& payload) { return payload.get<BookTicker>(); }

}  // namespace msg
}  // namespace venue
}  // namespace tradegw
