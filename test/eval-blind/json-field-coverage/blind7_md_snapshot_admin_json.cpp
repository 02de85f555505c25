// checks: errorshield-json-field-coverage
// mdfan: JSON schema for book snapshots / BBO pushed to WebSocket clients,
// service config loaded from disk, and the admin HTTP /status payload.
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

using json = nlohmann::json;

namespace mdfan {

// Fixed-point price in 1e-9 units; wire form is a plain integer.
struct Px {
  std::int64_t nanos{0};
};

}  // namespace mdfan

template <>
struct nlohmann::adl_serializer<mdfan::Px> {
  static void to_json(json& j, const mdfan::Px& p) { j = p.nanos; }
  static void from_json(const json& j, mdfan::Px& p) { p.nanos = j.get<std::int64_t>(); }
};

namespace mdfan {

struct Level {
  Px price;
  std::int64_t size{0};
  std::uint32_t order_count{0};
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Level, price, size) // expect: errorshield-json-field-coverage

struct BookSnapshot {
  std::string symbol;
  std::uint64_t seq{0};
  std::vector<Level> bids;
  std::vector<Level> asks;
  std::chrono::nanoseconds exch_ts{0};
};

void to_json(json& j, const BookSnapshot& s) {
  j = json{{"symbol", s.symbol}, {"seq", s.seq}, {"bids", s.bids}, {"asks", s.asks},
           {"exch_ts", s.exch_ts.count()}};
}

void from_json(const json& j, BookSnapshot& s) {
  j.at("symbol").get_to(s.symbol);
  j.at("sequence").get_to(s.seq); // expect: errorshield-json-field-coverage
  j.at("bids").get_to(s.bids);
  j.at("asks").get_to(s.asks);
  s.exch_ts = std::chrono::nanoseconds(j.value("exch_ts", std::int64_t{0}));
}

struct Bbo {
  std::string symbol;
  Px bid;
  Px ask;
  std::int64_t bid_size{0};
  std::int64_t ask_size{0};
  std::optional<std::string> venue;
};

void to_json(json& j, const Bbo& q) {
  j = {{"symbol", q.symbol}, {"bid", q.bid}, {"ask", q.ask}, {"bidSize", q.bid_size}, {"askSize", q.ask_size}};
  if (q.venue) j["venue"] = *q.venue;
}

void from_json(const json& j, Bbo& q) {
  j.at("symbol").get_to(q.symbol);
  j.at("bid").get_to(q.bid);
  j.at("bid").get_to(q.ask); // expect: errorshield-json-field-coverage
  j.at("bidSize").get_to(q.bid_size);
  j.at("askSize").get_to(q.ask_size);
  if (j.contains("venue")) q.venue = j["venue"].get<std::string>();
}

struct TradeTick {
  static constexpr int kSchemaVersion = 3;
  std::string symbol;
  Px price;
  std::int64_t qty{0};
  char aggressor{'B'};
  std::uint64_t trade_id{0};
};

void to_json(json& j, const TradeTick& t) {
  j = {{"v", TradeTick::kSchemaVersion}, {"s", t.symbol}, {"p", t.price}, {"q", t.qty},
       {"a", std::string(1, t.aggressor)}, {"id", t.trade_id}};
}

void from_json(const json& j, TradeTick& t) {
  j.at("s").get_to(t.symbol);
  j.at("p").get_to(t.price);
  j.at("q").get_to(t.qty);
  t.aggressor = j.value("a", std::string("B")).front();
  t.trade_id = j.value("id", std::uint64_t{0});
}

struct Subscription {
  static constexpr std::size_t kMaxDepth = 50;
  std::vector<std::string> symbols;
  std::string channel = "book";
  std::size_t depth = 10;
  bool conflate = true;
  NLOHMANN_DEFINE_TYPE_INTRUSIVE_WITH_DEFAULT(Subscription, symbols, channel, depth, conflate)
};

// ---- service configuration ------------------------------------------------

struct FanoutConfig {
  std::string upstream_host = "feed-a.md.internal";
  int upstream_port = 9001;
  std::size_t max_clients = 5000;
  std::size_t max_queue_depth = 4096;
  int snapshot_interval_ms = 1000;
};

void from_json(const json& j, FanoutConfig& c) { // expect: errorshield-json-field-coverage
  const FanoutConfig d{};
  c.upstream_host = j.value("upstream_host", d.upstream_host);
  c.upstream_port = j.value("upstream_port", d.upstream_port);
  c.max_clients = j.value("max_clients", d.max_clients);
  c.snapshot_interval_ms = j.value("snapshot_interval_ms", d.snapshot_interval_ms);
}

struct AdminConfig {
  std::string bind = "127.0.0.1";
  int port = 8081;
  std::vector<std::string> allowed_cidrs{"10.0.0.0/8"};
  std::string auth_token_file = "/etc/mdfan/admin.token";
  bool enable_reload = false;
};

void from_json(const json& j, AdminConfig& c) {
  const AdminConfig d{};
  c.bind = j.value("bind", d.bind);
  c.port = j.value("port", d.port);
  c.allowed_cidrs = j.value("allowed_cidrs", d.allowed_cidrs);
  c.auth_token_file = j.value("auth_token_file", d.auth_token_file);
  c.enable_reload = j.value("enable_reload", d.enable_reload);
}

void to_json(json& j, const AdminConfig& c) {
  j = {{"bind", c.bind}, {"port", c.port}, {"allowed_cidrs", c.allowed_cidrs},
       {"auth_token_file", c.auth_token_file}, {"enable_reload", c.enable_reload}};
}

// ---- admin /status ---------------------------------------------------------

struct StatusResponse {
  std::string version;
  std::uint64_t uptime_s{0};
  std::size_t clients{0};
  std::uint64_t msgs_out{0};
  std::map<std::string, std::uint64_t> drops_by_symbol;
};

void to_json(json& j, const StatusResponse& s) { // expect: errorshield-json-field-coverage
  j["version"] = s.version;
  j["clients"] = s.clients;
  j["msgs_out"] = s.msgs_out;
  j["drops_by_symbol"] = s.drops_by_symbol;
}

struct ReloadResult {
  bool ok{false};
  std::string message;
  std::optional<FanoutConfig> applied;
};

void to_json(json& j, const ReloadResult& r) {
  j = {{"ok", r.ok}, {"message", r.message}};
  if (r.applied) {
    j["applied"] = {{"upstream_host", r.applied->upstream_host}, {"upstream_port", r.applied->upstream_port},
                    {"max_clients", r.applied->max_clients}, {"max_queue_depth", r.applied->max_queue_depth},
                    {"snapshot_interval_ms", r.applied->snapshot_interval_ms}};
  } else {
    j["applied"] = nullptr;
  }
}

struct ServiceConfig {
  FanoutConfig fanout;
  AdminConfig admin;
};

ServiceConfig load_config(const std::string& path) {
  std::ifstream in(path);
  json j = json::parse(in, nullptr, /*allow_exceptions=*/false);
  ServiceConfig cfg;
  if (j.is_discarded()) {
    std::clog << "[mdfan] bad config " << path << ", using defaults\n";
    return cfg;
  }
  if (j.contains("fanout")) j.at("fanout").get_to(cfg.fanout);
  if (j.contains("admin")) j.at("admin").get_to(cfg.admin);
  return cfg;
}

}  // namespace mdfan

int main(int argc, char** argv) {
  auto cfg = mdfan::load_config(argc > 1 ? argv[1] : "/etc/mdfan/mdfan.json");
  mdfan::BookSnapshot snap{"ESZ5", 1001, {{{4525250000000}, 12, 3}}, {{{4525500000000}, 7, 2}}, {}};
  json out = snap;
  mdfan::StatusResponse st{"2.4.1", 3600, 12, 99000, {{"ESZ5", 3}}};
  json status = st;
  auto sub = json::parse(R"({"symbols":["ESZ5"],"depth":5})").get<mdfan::Subscription>();
  std::cout << out.dump() << "\n" << status.dump() << "\n" << sub.depth << " " << cfg.admin.port << "\n";
}
