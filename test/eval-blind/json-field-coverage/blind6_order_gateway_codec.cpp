// checks: errorshield-json-field-coverage
// JSON codec for an order-entry gateway: clients submit orders over a
// WebSocket, the gateway streams execution reports and book snapshots back.
#include <nlohmann/json.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

using nlohmann::json;

namespace gw {

enum class Side { buy, sell };
enum class TimeInForce { day, ioc, gtc };

NLOHMANN_JSON_SERIALIZE_ENUM(Side, {{Side::buy, "B"}, {Side::sell, "S"}})
NLOHMANN_JSON_SERIALIZE_ENUM(TimeInForce, {{TimeInForce::day, "DAY"}, {TimeInForce::ioc, "IOC"}, {TimeInForce::gtc, "GTC"}})

struct NewOrder {
  std::string account;
  std::string client_order_id;
  std::string symbol;
  Side side = Side::buy;
  std::int64_t qty = 0;
  double limit_px = 0.0;
  TimeInForce tif = TimeInForce::day;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(NewOrder, account, symbol, side, qty, limit_px, tif) // expect: errorshield-json-field-coverage

struct CancelOrder {
  std::string account;
  std::string client_order_id;
  std::string orig_client_order_id;
};
// Correct: complete.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CancelOrder, account, client_order_id, orig_client_order_id)

struct Fill {
  std::string exec_id;
  std::string symbol;
  std::int64_t qty = 0;
  double px = 0.0;
  double fee = 0.0;
};

struct Heartbeat {};  // no data members

// Correct: an empty type has nothing to omit.
inline void to_json(json& j, Heartbeat const&) { j = json{{"type", "hb"}}; }
inline void from_json(json const&, Heartbeat&) {}

// Base report fields shared by all execution reports.
struct ReportBase {
  std::string order_id;
  std::string symbol;
  std::int64_t seq = 0;
};

inline void to_json(json& j, ReportBase const& b) {
  j["order_id"] = b.order_id;
  j["symbol"] = b.symbol;
  j["seq"] = b.seq;
}

inline void from_json(json const& j, ReportBase& b) {
  j.at("order_id").get_to(b.order_id);
  j.at("symbol").get_to(b.symbol);
  j.at("seq").get_to(b.seq);
}

// Correct: derived serializer delegates the base part, then adds its own.
struct RejectReport : ReportBase {
  std::string reason;
  int code = 0;
};

inline void to_json(json& j, RejectReport const& r) {
  to_json(j, static_cast<ReportBase const&>(r));
  j["reason"] = r.reason;
  j["code"] = r.code;
}

inline void from_json(json const& j, RejectReport& r) {
  from_json(j, static_cast<ReportBase&>(r));
  r.reason = j.value("reason", "");
  r.code = j.value("code", 0);
}

struct FillReport : ReportBase {
  std::int64_t last_qty = 0;
  double last_px = 0.0;
  std::int64_t leaves_qty = 0;
};

inline void to_json(json& j, FillReport const& r) { // expect: errorshield-json-field-coverage
  to_json(j, static_cast<ReportBase const&>(r));
  j["last_qty"] = r.last_qty;
  j["last_px"] = r.last_px;
}

inline void from_json(json const& j, FillReport& r) {
  from_json(j, static_cast<ReportBase&>(r));
  r.last_qty = j.at("last_qty").get<std::int64_t>();
  r.last_px = j.at("last_px").get<double>();
  r.leaves_qty = j.value("leaves_qty", std::int64_t{0});
}

// Position snapshot: encapsulated, accessed through getters/setters.
class Position {
 public:
  std::string const& symbol() const { return symbol_; }
  std::int64_t net() const { return net_; }
  double avg_price() const { return avg_price_; }
  void set(std::string s, std::int64_t n, double a) {
    symbol_ = std::move(s);
    net_ = n;
    avg_price_ = a;
  }
  void set_symbol(std::string s) { symbol_ = std::move(s); }
  void set_net(std::int64_t n) { net_ = n; }

 private:
  std::string symbol_;
  std::int64_t net_ = 0;
  double avg_price_ = 0.0;
};

// Correct: every field reached through its getter.
inline void to_json(json& j, Position const& p) {
  j = json{{"sym", p.symbol()}, {"net", p.net()}, {"avg", p.avg_price()}};
}

inline void from_json(json const& j, Position& p) { // expect: errorshield-json-field-coverage
  p.set_symbol(j.at("sym").get<std::string>());
  p.set_net(j.at("net").get<std::int64_t>());
}

struct PositionList {
  std::vector<Position> items;
  std::string account;
};

inline void to_json(json& j, PositionList const& l) {
  j["account"] = l.account;
  j["items"] = l.items;
}

// Correct: each Position restored through a setter taking all three fields.
inline void from_json(json const& j, PositionList& l) {
  l.account = j.at("account").get<std::string>();
  for (auto const& e : j.at("items")) {
    Position p;
    p.set(e.at("sym").get<std::string>(), e.at("net").get<std::int64_t>(), e.value("avg", 0.0));
    l.items.push_back(std::move(p));
  }
}

// Book level templated on price representation (double or fixed-point ticks).
template <class Price>
struct PriceLevel {
  Price px{};
  std::int64_t size = 0;
  std::uint32_t order_count = 0;
};

template <class Price>
void to_json(json& j, PriceLevel<Price> const& l) { // expect: errorshield-json-field-coverage
  j = json::array({l.px, l.size});
}

template <class Price>
void from_json(json const& j, PriceLevel<Price>& l) {
  l.px = j.at(0).template get<Price>();
  l.size = j.at(1).template get<std::int64_t>();
  l.order_count = j.size() > 2 ? j.at(2).template get<std::uint32_t>() : 0u;
}

struct BookSnapshot {
  std::string symbol;
  std::vector<PriceLevel<double>> bids;
  std::vector<PriceLevel<double>> asks;
  std::int64_t ts_ns = 0;
};
// Correct: complete intrusive-free mapping.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(BookSnapshot, symbol, bids, asks, ts_ns)

}  // namespace gw

// Fill goes through an adl_serializer specialisation (kept out of namespace gw
// because the struct is shared with the clearing library).
namespace nlohmann {
template <>
struct adl_serializer<gw::Fill> {
  static void to_json(json& j, gw::Fill const& f) { // expect: errorshield-json-field-coverage
    j = json{{"exec_id", f.exec_id}, {"sym", f.symbol}, {"qty", f.qty}, {"px", f.px}};
  }
  static void from_json(json const& j, gw::Fill& f) {
    f.exec_id = j.at("exec_id").get<std::string>();
    f.symbol = j.at("sym").get<std::string>();
    f.qty = j.at("qty").get<std::int64_t>();
    f.px = j.at("px").get<double>();
    f.fee = j.value("fee", 0.0);
  }
};
}  // namespace nlohmann

int main() {
  gw::NewOrder o;
  json j = o;
  gw::FillReport fr;
  json k = fr;
  gw::Fill f;
  json fj = f;
  gw::BookSnapshot snap;
  json sj = snap;
  gw::PositionList pl = json::parse(R"({"account":"A","items":[]})").get<gw::PositionList>();
  gw::RejectReport rr = json{{"order_id", "1"}, {"symbol", "X"}, {"seq", 1}}.get<gw::RejectReport>();
  json hb = gw::Heartbeat{};
  return static_cast<int>(j.size() + k.size() + fj.size() + sj.size() + pl.items.size() + rr.code + hb.size());
}
