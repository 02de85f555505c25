// checks: errorshield-json-field-coverage
// Instrument reference data and gateway configuration. Some types come from
// the venue SDK (no ADL hooks possible there), so adl_serializer is used.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

// ---- third-party venue SDK types (cannot be modified) ----------------------
namespace venue_sdk {

struct FundingRate {
  std::string symbol;
  double rate{0.0};
  double mark_price{0.0};
  std::int64_t funding_time{0};
  std::int64_t next_funding_time{0};
};

struct LotFilter {
  double min_qty{0.0};
  double max_qty{0.0};
  double step_size{0.0};
};

}  // namespace venue_sdk

namespace nlohmann {

// BUG: next_funding_time is never decoded; the funding scheduler then fires
// at epoch 0 and hedges every position immediately.
template <>
struct adl_serializer<venue_sdk::FundingRate> {
  static void to_json(json& j, const venue_sdk::FundingRate& f) {
    j = json{{"symbol", f.symbol},
             {"lastFundingRate", f.rate},
             {"markPrice", f.mark_price},
             {"time", f.funding_time},
             {"nextFundingTime", f.next_funding_time}};
  }

  static void from_json(const json& j, venue_sdk::FundingRate& f) { // expect: errorshield-json-field-coverage
    j.at("symbol").get_to(f.symbol);
    f.rate = std::stod(j.at("lastFundingRate").get<std::string>());
    f.mark_price = std::stod(j.at("markPrice").get<std::string>());
    j.at("time").get_to(f.funding_time);
  }
};

// Complete: every member of the SDK struct is written.
template <>
struct adl_serializer<venue_sdk::LotFilter> {
  static void to_json(json& j, const venue_sdk::LotFilter& f) {
    j = json{{"minQty", f.min_qty}, {"maxQty", f.max_qty}, {"stepSize", f.step_size}};
  }

  static void from_json(const json& j, venue_sdk::LotFilter& f) {
    f.min_qty = std::stod(j.at("minQty").get<std::string>());
    f.max_qty = std::stod(j.at("maxQty").get<std::string>());
    f.step_size = std::stod(j.at("stepSize").get<std::string>());
  }
};

}  // namespace nlohmann

namespace gw {
inline namespace v2 {
namespace refdata {

enum class ContractType { Spot, Perpetual, Future, Option };

NLOHMANN_JSON_SERIALIZE_ENUM(ContractType, {{ContractType::Spot, "SPOT"},
                                            {ContractType::Perpetual, "PERPETUAL"},
                                            {ContractType::Future, "FUTURE"},
                                            {ContractType::Option, "OPTION"}})

struct Instrument {
  std::string symbol;
  std::string base_asset;
  std::string quote_asset;
  ContractType contract{ContractType::Spot};
  int price_precision{8};
  int qty_precision{8};
  double tick_size{0.0};
  venue_sdk::LotFilter lot;
  std::vector<std::string> order_types;
};

// Every member listed, including the SDK-typed one (handled by adl_serializer).
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Instrument, symbol, base_asset, quote_asset, contract,
                                   price_precision, qty_precision, tick_size, lot, order_types)

struct RateLimit {
  std::string type;
  std::string interval;
  int interval_num{1};
  int limit{0};
};

// BUG: interval_num missing; "10 per 1 SECOND" and "10 per 10 SECOND" limits
// are treated identically and the gateway gets IP-banned.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RateLimit, type, interval, limit) // expect: errorshield-json-field-coverage

struct ExchangeInfo {
  static constexpr std::chrono::minutes kRefreshEvery{15};

  std::string timezone;
  std::int64_t server_time{0};
  std::vector<RateLimit> rate_limits;
  std::vector<Instrument> symbols;
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ExchangeInfo, timezone, server_time, rate_limits, symbols)

}  // namespace refdata

namespace config {

struct EndpointConfig {
  std::string rest_url;
  std::string ws_url;
  std::optional<std::string> api_key;
  int recv_window_ms{5000};
  bool testnet{false};
};

// Every member written.
inline void from_json(const nlohmann::json& j, EndpointConfig& c) {
  c.rest_url = j.at("rest_url").get<std::string>();
  c.ws_url = j.at("ws_url").get<std::string>();
  if (j.contains("api_key") && !j.at("api_key").is_null()) {
    c.api_key = j.at("api_key").get<std::string>();
  } else {
    c.api_key.reset();
  }
  c.recv_window_ms = j.value("recv_window_ms", 5000);
  c.testnet = j.value("testnet", false);
}

class GatewayConfig {
 public:
  const std::string& name() const { return name_; }
  const EndpointConfig& endpoint() const { return endpoint_; }

  static GatewayConfig load(const nlohmann::json& j) { return j.get<GatewayConfig>(); }

 private:
  std::string name_;
  EndpointConfig endpoint_;
  std::vector<std::string> symbols_;
  std::map<std::string, double> max_notional_;
  int worker_threads_{2};
  bool dry_run_{true};

  // BUG: dry_run_ is not listed, so it keeps its default (true) and a
  // production config with "dry_run_": false never sends real orders; the
  // per-symbol notional caps are also lost.
  friend void from_json(const nlohmann::json& j, GatewayConfig& c) { // expect: errorshield-json-field-coverage
    j.at("name").get_to(c.name_);
    j.at("endpoint").get_to(c.endpoint_);
    j.at("symbols").get_to(c.symbols_);
    c.worker_threads_ = j.value("worker_threads", 2);
  }
};

}  // namespace config
}  // namespace v2
}  // namespace gw

inline gw::refdata::ExchangeInfo decode_exchange_info(const nlohmann::json& j) {
  return j.get<gw::refdata::ExchangeInfo>();
}

inline venue_sdk::FundingRate decode_funding(const nlohmann::json& j) {
  return j.get<venue_sdk::FundingRate>();
}
