// checks: errorshield-json-field-coverage
// Order-entry DTOs for the REST/WebSocket trading gateway. These structs are
// decoded from the venue's JSON payloads and re-encoded for the risk engine.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

// nlohmann 3.11 has no built-in std::optional support; the usual shim.
namespace nlohmann {
template <typename T>
struct adl_serializer<std::optional<T>> {
  static void to_json(json& j, const std::optional<T>& opt) {
    if (opt) {
      j = *opt;
    } else {
      j = nullptr;
    }
  }

  static void from_json(const json& j, std::optional<T>& opt) {
    if (j.is_null()) {
      opt = std::nullopt;
    } else {
      opt = j.get<T>();
    }
  }
};
}  // namespace nlohmann

namespace gateway::orders {

enum class Side { Buy, Sell };
enum class OrdType { Market, Limit, StopLimit };
enum class TimeInForce { GTC, IOC, FOK, GTX };

NLOHMANN_JSON_SERIALIZE_ENUM(Side, {{Side::Buy, "BUY"}, {Side::Sell, "SELL"}})
NLOHMANN_JSON_SERIALIZE_ENUM(OrdType, {{OrdType::Market, "MARKET"},
                                       {OrdType::Limit, "LIMIT"},
                                       {OrdType::StopLimit, "STOP_LIMIT"}})
NLOHMANN_JSON_SERIALIZE_ENUM(TimeInForce, {{TimeInForce::GTC, "GTC"},
                                           {TimeInForce::IOC, "IOC"},
                                           {TimeInForce::FOK, "FOK"},
                                           {TimeInForce::GTX, "GTX"}})

// New order as submitted by strategy clients.
struct NewOrderRequest {
  std::string client_order_id;
  std::string symbol;
  Side side{Side::Buy};
  OrdType type{OrdType::Limit};
  TimeInForce time_in_force{TimeInForce::GTC};
  double quantity{0.0};
  double price{0.0};
  std::optional<double> stop_price;
  bool reduce_only{false};
};

// BUG: time_in_force and stop_price were added later and never listed here,
// so IOC stop orders silently come through as GTC with no trigger.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(NewOrderRequest, // expect: errorshield-json-field-coverage
                                   client_order_id, symbol, side, type,
                                   quantity, price, reduce_only)

// A single fill from the venue's trade stream. Every member listed (in a
// different order from the declaration, which is fine).
struct Trade {
  std::int64_t trade_id{0};
  std::string symbol;
  double price{0.0};
  double qty{0.0};
  Side aggressor{Side::Buy};
  std::uint64_t ts_ns{0};
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Trade, symbol, trade_id, aggressor, price, qty, ts_ns)

// Cancel request: the static message-type tag is not part of the payload.
struct CancelOrderRequest {
  static constexpr const char* kMsgType = "cancel";
  static inline std::uint32_t instances_created = 0;

  std::string symbol;
  std::string orig_client_order_id;
  std::optional<std::int64_t> venue_order_id;
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CancelOrderRequest, symbol, orig_client_order_id, venue_order_id)

// Book-keeping for a live position. Private members, intrusive macro.
class Position {
 public:
  Position() = default;
  Position(std::string sym, double qty, double avg)
      : symbol_(std::move(sym)), net_qty_(qty), avg_entry_px_(avg) {}

  const std::string& symbol() const { return symbol_; }
  double net_qty() const { return net_qty_; }
  double realized_pnl() const { return realized_pnl_; }

 private:
  std::string symbol_;
  double net_qty_{0.0};
  double avg_entry_px_{0.0};
  double realized_pnl_{0.0};
  std::vector<std::int64_t> open_order_ids_;

  // BUG: realized_pnl_ and open_order_ids_ are dropped on reload, so the PnL
  // resets to zero after every gateway restart.
  NLOHMANN_DEFINE_TYPE_INTRUSIVE(Position, symbol_, net_qty_, avg_entry_px_) // expect: errorshield-json-field-coverage
};

// Account snapshot, tolerant of missing keys (older venue API versions).
class AccountSnapshot {
 public:
  std::string account_id() const { return account_id_; }

 private:
  std::string account_id_;
  double balance_{0.0};
  double available_{0.0};
  std::vector<Position> positions_;
  std::uint64_t update_time_ms_{0};

  NLOHMANN_DEFINE_TYPE_INTRUSIVE_WITH_DEFAULT(AccountSnapshot, account_id_, balance_,
                                              available_, positions_, update_time_ms_)
};

inline std::vector<Trade> parse_trades(const nlohmann::json& payload) {
  return payload.at("trades").get<std::vector<Trade>>();
}

inline nlohmann::json encode(const NewOrderRequest& req) { return req; }

}  // namespace gateway::orders
