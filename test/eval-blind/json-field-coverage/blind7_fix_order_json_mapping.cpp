// checks: errorshield-json-field-coverage
// ogw/msg: FIX-like application messages carried as JSON over WebSocket.
// Keys are FIX tag numbers ("11" = ClOrdID, ...) for wire compatibility with
// the existing drop-copy consumers.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace ogw::msg {

using json = nlohmann::json;

enum class Side { Buy, Sell, SellShort };
NLOHMANN_JSON_SERIALIZE_ENUM(Side, {{Side::Buy, "1"}, {Side::Sell, "2"}, {Side::SellShort, "5"}})

enum class OrdType { Market, Limit, Stop };
NLOHMANN_JSON_SERIALIZE_ENUM(OrdType, {{OrdType::Market, "1"}, {OrdType::Limit, "2"}, {OrdType::Stop, "3"}})

enum class TimeInForce { Day, Ioc, Fok, Gtc };
NLOHMANN_JSON_SERIALIZE_ENUM(TimeInForce, {{TimeInForce::Day, "0"}, {TimeInForce::Gtc, "1"},
                                           {TimeInForce::Ioc, "3"}, {TimeInForce::Fok, "4"}})

namespace tag {
inline constexpr const char* kAccount = "1";
inline constexpr const char* kClOrdId = "11";
inline constexpr const char* kCumQty = "14";
inline constexpr const char* kExecId = "17";
inline constexpr const char* kOrderQty = "38";
inline constexpr const char* kOrdStatus = "39";
inline constexpr const char* kOrigClOrdId = "41";
inline constexpr const char* kPrice = "44";
inline constexpr const char* kSymbol = "55";
inline constexpr const char* kText = "58";
inline constexpr const char* kLeavesQty = "151";
inline constexpr const char* kLastQty = "32";
inline constexpr const char* kLastPx = "31";
inline constexpr const char* kOrderId = "37";
}  // namespace tag

struct Heartbeat {
  static constexpr const char* kMsgType = "0";
  std::string test_req_id;
  std::uint64_t sending_time_ns{0};
  NLOHMANN_DEFINE_TYPE_INTRUSIVE(Heartbeat, test_req_id, sending_time_ns)
};

struct NewOrderSingle {
  static constexpr const char* kMsgType = "D";
  std::string cl_ord_id;
  std::string account;
  std::string symbol;
  Side side{Side::Buy};
  std::int64_t order_qty{0};
  std::int64_t price_ticks{0};
  OrdType ord_type{OrdType::Limit};
  TimeInForce time_in_force{TimeInForce::Day};
  NLOHMANN_DEFINE_TYPE_INTRUSIVE(NewOrderSingle, cl_ord_id, account, symbol, side, order_qty, price_ticks, ord_type) // expect: errorshield-json-field-coverage
};

// Cancel: optional fields fall back to defaults via value().
struct OrderCancelRequest {
  std::string cl_ord_id;
  std::string orig_cl_ord_id;
  std::string symbol;
  Side side{Side::Buy};
  std::optional<std::string> text;
};

inline void to_json(json& j, const OrderCancelRequest& r) {
  j = json{{tag::kClOrdId, r.cl_ord_id}, {tag::kOrigClOrdId, r.orig_cl_ord_id},
           {tag::kSymbol, r.symbol}, {"54", r.side}};
  if (r.text) j[tag::kText] = *r.text;
}

inline void from_json(const json& j, OrderCancelRequest& r) {
  j.at(tag::kClOrdId).get_to(r.cl_ord_id);
  r.orig_cl_ord_id = j.value(tag::kOrigClOrdId, std::string{});
  r.symbol = j.value(tag::kSymbol, std::string{});
  r.side = j.value("54", Side::Buy);
  if (j.contains(tag::kText)) r.text = j.at(tag::kText).get<std::string>();
  else r.text.reset();
}

// Cancel/replace: price and quantity are what the client is amending.
struct OrderCancelReplaceRequest {
  std::string cl_ord_id;
  std::string orig_cl_ord_id;
  std::string symbol;
  std::int64_t order_qty{0};
  std::int64_t price_ticks{0};
};

inline void to_json(json& j, const OrderCancelReplaceRequest& r) {
  j[tag::kClOrdId] = r.cl_ord_id;
  j[tag::kOrigClOrdId] = r.orig_cl_ord_id;
  j[tag::kSymbol] = r.symbol;
  j[tag::kOrderQty] = r.order_qty;
  j[tag::kPrice] = r.price_ticks;
}

inline void from_json(const json& j, OrderCancelReplaceRequest& r) { // expect: errorshield-json-field-coverage
  j.at(tag::kClOrdId).get_to(r.cl_ord_id);
  j.at(tag::kOrigClOrdId).get_to(r.orig_cl_ord_id);
  j.at(tag::kSymbol).get_to(r.symbol);
  j.at(tag::kOrderQty).get_to(r.order_qty);
}

struct ExecutionReport {
  std::string order_id;
  std::string exec_id;
  std::string cl_ord_id;
  char ord_status{'0'};
  std::int64_t cum_qty{0};
  std::int64_t leaves_qty{0};
  std::int64_t last_qty{0};
  std::int64_t last_px_ticks{0};
};

inline void to_json(json& j, const ExecutionReport& e) { // expect: errorshield-json-field-coverage
  j = json::object();
  j[tag::kOrderId] = e.order_id;
  j[tag::kExecId] = e.exec_id;
  j[tag::kClOrdId] = e.cl_ord_id;
  j[tag::kOrdStatus] = std::string(1, e.ord_status);
  j[tag::kCumQty] = e.cum_qty;
  j[tag::kLastQty] = e.last_qty;
  j[tag::kLastPx] = e.last_px_ticks;
}

inline void from_json(const json& j, ExecutionReport& e) {
  j.at(tag::kOrderId).get_to(e.order_id);
  j.at(tag::kExecId).get_to(e.exec_id);
  j.at(tag::kClOrdId).get_to(e.cl_ord_id);
  e.ord_status = j.at(tag::kOrdStatus).get<std::string>().at(0);
  e.cum_qty = j.at("cum_qty").get<std::int64_t>(); // expect: errorshield-json-field-coverage
  e.leaves_qty = j.value(tag::kLeavesQty, std::int64_t{0});
  e.last_qty = j.value(tag::kLastQty, std::int64_t{0});
  e.last_px_ticks = j.value(tag::kLastPx, std::int64_t{0});
}

// Fill: the wire form carries a derived notional, which is not a member.
struct Fill {
  std::string exec_id;
  std::int64_t qty{0};
  std::int64_t px_ticks{0};
  std::int64_t tick_value{1};
};

inline void to_json(json& j, const Fill& f) {
  j = {{"execId", f.exec_id}, {"qty", f.qty}, {"px", f.px_ticks}, {"tickValue", f.tick_value},
       {"notional", f.qty * f.px_ticks * f.tick_value}};
}

inline void from_json(const json& j, Fill& f) {
  j.at("execId").get_to(f.exec_id);
  j.at("qty").get_to(f.qty);
  j.at("px").get_to(f.px_ticks);
  f.tick_value = j.value("tickValue", std::int64_t{1});
}

struct RejectInfo {
  std::uint64_t ref_seq_num{0};
  int reason{0};
  std::string text;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RejectInfo, ref_seq_num, reason) // expect: errorshield-json-field-coverage

struct SessionLogon {
  std::string sender_comp_id;
  std::string target_comp_id;
  int heartbeat_s{30};
  bool reset_seq{false};
  std::vector<std::string> allowed_symbols;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SessionLogon, sender_comp_id, target_comp_id, heartbeat_s,
                                                reset_seq, allowed_symbols)

// Routing envelope shared by all message kinds.
template <class Body>
struct Envelope {
  std::string msg_type;
  std::uint64_t seq_num{0};
  Body body;
};

template <class Body>
void to_json(json& j, const Envelope<Body>& e) {
  j = {{"35", e.msg_type}, {"34", e.seq_num}, {"body", e.body}};
}

template <class Body>
void from_json(const json& j, Envelope<Body>& e) {
  j.at("35").get_to(e.msg_type);
  j.at("34").get_to(e.seq_num);
  j.at("body").get_to(e.body);
}

}  // namespace ogw::msg

int main() {
  using namespace ogw::msg;
  Envelope<NewOrderSingle> nos{"D", 42, {"C1", "ACC1", "ESZ5", Side::Buy, 5, 452525, OrdType::Limit, TimeInForce::Ioc}};
  json wire = nos;
  auto back = wire.get<Envelope<NewOrderSingle>>();
  auto er = json::parse(R"({"37":"O1","17":"E1","11":"C1","39":"1","14":2})").get<ExecutionReport>();
  auto rej = json::parse(R"({"ref_seq_num":7,"reason":5,"text":"unknown symbol"})").get<RejectInfo>();
  std::cout << back.body.symbol << " " << er.cum_qty << " " << rej.text << "\n";
}
