// checks: errorshield-json-field-coverage
// Order-lifecycle events published by the OMS to the risk service and the
// trade-capture service over a message bus (JSON payloads).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

using json = nlohmann::json;

namespace oms {

enum class Side { Buy, Sell };
enum class TimeInForce { Day, IOC, FOK, GTC };

NLOHMANN_JSON_SERIALIZE_ENUM(Side, {{Side::Buy, "buy"}, {Side::Sell, "sell"}})
NLOHMANN_JSON_SERIALIZE_ENUM(TimeInForce,
                             {{TimeInForce::Day, "day"}, {TimeInForce::IOC, "ioc"}, {TimeInForce::FOK, "fok"},
                              {TimeInForce::GTC, "gtc"}})

struct NewOrder {
    std::string order_id;
    std::string account;
    std::string symbol;
    Side side = Side::Buy;
    std::int64_t quantity = 0;
    double limit_price = 0.0;
    TimeInForce tif = TimeInForce::Day;
    std::string client_tag;  // free-form tag echoed back to the strategy
};

void to_json(json& j, const NewOrder& o) { // expect: errorshield-json-field-coverage
    j = json{{"order_id", o.order_id},
             {"account", o.account},
             {"symbol", o.symbol},
             {"side", o.side},
             {"qty", o.quantity},
             {"px", o.limit_price},
             {"tif", o.tif}};
}

void from_json(const json& j, NewOrder& o) {
    j.at("order_id").get_to(o.order_id);
    j.at("account").get_to(o.account);
    j.at("symbol").get_to(o.symbol);
    j.at("side").get_to(o.side);
    j.at("qty").get_to(o.quantity);
    j.at("px").get_to(o.limit_price);
    j.at("tif").get_to(o.tif);
    o.client_tag = j.value("client_tag", std::string{});
}

// Cancel/replace: wire keys differ from member names but every member is carried.
struct Replace {
    std::string order_id;
    std::string orig_order_id;
    std::int64_t new_quantity = 0;
    double new_price = 0.0;
};

void to_json(json& j, const Replace& r) {
    j["id"] = r.order_id;
    j["orig_id"] = r.orig_order_id;
    j["amend"] = {{"qty", r.new_quantity}, {"px", r.new_price}};
}

void from_json(const json& j, Replace& r) {
    r.order_id = j.at("id").get<std::string>();
    r.orig_order_id = j.at("orig_id").get<std::string>();
    const auto& amend = j.at("amend");
    amend.at("qty").get_to(r.new_quantity);
    amend.at("px").get_to(r.new_price);
}

struct Fill {
    std::string order_id;
    std::string exec_id;
    std::int64_t last_qty = 0;
    double last_px = 0.0;
    std::string venue;
    std::int64_t transact_time_ns = 0;
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Fill, order_id, exec_id, last_qty, last_px, transact_time_ns) // expect: errorshield-json-field-coverage

struct Reject {
    std::string order_id;
    int reason_code = 0;
    std::string text;
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Reject, order_id, reason_code, text)

// Position snapshot sent to risk at end of each batch.
class PositionSnapshot {
public:
    static constexpr int kSchemaVersion = 3;

    PositionSnapshot() = default;
    PositionSnapshot(std::string acct, std::string sym, std::int64_t net, double avg)
        : account_(std::move(acct)), symbol_(std::move(sym)), net_qty_(net), avg_cost_(avg) {}

    double notional() const { return static_cast<double>(net_qty_) * avg_cost_; }

    NLOHMANN_DEFINE_TYPE_INTRUSIVE(PositionSnapshot, account_, symbol_, net_qty_, avg_cost_)

private:
    std::string account_;
    std::string symbol_;
    std::int64_t net_qty_ = 0;
    double avg_cost_ = 0.0;
};

class RiskLimits {
public:
    NLOHMANN_DEFINE_TYPE_INTRUSIVE(RiskLimits, account_, max_order_qty_, max_notional_) // expect: errorshield-json-field-coverage

private:
    std::string account_;
    std::int64_t max_order_qty_ = 0;
    double max_notional_ = 0.0;
    std::vector<std::string> restricted_symbols_;
};

// Allocation instruction from the middle office.
struct AllocationLeg {
    std::string sub_account;
    std::int64_t qty = 0;
};

struct Allocation {
    std::string alloc_id;
    std::string order_id;
    std::vector<AllocationLeg> legs;
    std::optional<std::string> settlement_instruction;
};

void to_json(json& j, const AllocationLeg& l) { j = json{{"sub_account", l.sub_account}, {"qty", l.qty}}; }

void from_json(const json& j, AllocationLeg& l) {
    j.at("sub_account").get_to(l.sub_account);
    j.at("qty").get_to(l.qty);
}

void to_json(json& j, const Allocation& a) {
    j = json::object();
    j["alloc_id"] = a.alloc_id;
    j["order_id"] = a.order_id;
    j["legs"] = a.legs;
    if (a.settlement_instruction)
        j["ssi"] = *a.settlement_instruction;
}

void from_json(const json& j, Allocation& a) { // expect: errorshield-json-field-coverage
    j.at("alloc_id").get_to(a.alloc_id);
    j.at("order_id").get_to(a.order_id);
    j.at("legs").get_to(a.legs);
}

// Venue session status, published on reconnects.
struct SessionStatus {
    std::string venue;
    bool logged_on = false;
    std::int64_t next_seq_out = 0;
    std::int64_t next_seq_in = 0;
};

json serialize_status(const SessionStatus& s) { // expect: errorshield-json-field-coverage
    json j;
    j["venue"] = s.venue;
    j["logged_on"] = s.logged_on;
    j["next_seq_out"] = s.next_seq_out;
    return j;
}

json serialize_reject(const Reject& r) {
    json j;
    j["order_id"] = r.order_id;
    j["reason_code"] = r.reason_code;
    j["text"] = r.text;
    return j;
}

}  // namespace oms

std::string publish_fill(const oms::Fill& f) { return json(f).dump(); }
std::string publish_snapshot(const oms::PositionSnapshot& p) { return json(p).dump(); }
