// checks: errorshield-json-field-coverage
// REST DTOs for an account/order service (Beast HTTP + nlohmann/json).
#include <nlohmann/json.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

using nlohmann::json;

namespace api {

struct Address {
  std::string street;
  std::string city;
  std::string zip;
  std::string country;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Address, street, city, zip, country)

struct UserDto {
  std::int64_t id = 0;
  std::string name;
  std::string email;
  std::string created_at;
  Address address;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(UserDto, id, name, email, address) // expect: errorshield-json-field-coverage

// Stored account: the hash must never leave the server.
struct AccountRecord {
  std::int64_t id = 0;
  std::string login;
  std::string password_hash;
  std::vector<std::string> roles;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(AccountRecord, id, login, roles)

struct LineItem {
  std::string sku;
  int quantity = 0;
  double unit_price = 0.0;
  double discount = 0.0;

  NLOHMANN_DEFINE_TYPE_INTRUSIVE(LineItem, sku, quantity, unit_price) // expect: errorshield-json-field-coverage
};

class Order {
public:
  std::string id;
  std::string customer_id;
  std::vector<LineItem> items;
  std::string currency = "EUR";
  std::optional<std::string> coupon;

  NLOHMANN_DEFINE_TYPE_INTRUSIVE_WITH_DEFAULT(Order, id, customer_id, items, currency) // expect: errorshield-json-field-coverage
};

// Paging envelope: all fields mapped.
struct Page {
  int page = 1;
  int per_page = 50;
  int total = 0;
  std::vector<Order> orders;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Page, page, per_page, total, orders)

// Client-side cache entry: callback and mutex are runtime state, not payload.
struct CachedQuote {
  std::string symbol;
  double bid = 0;
  double ask = 0;
  std::function<void(double)> on_change;
  mutable std::mutex mu;
  static constexpr int schema_version = 2;

  NLOHMANN_DEFINE_TYPE_INTRUSIVE(CachedQuote, symbol, bid, ask)
};

// Hand-written mapping for a type whose wire names differ.
struct Session {
  std::string token;
  std::string user_id;
  std::int64_t expires_at = 0;
  std::string ip;
  std::string user_agent;
};

void to_json(json& j, Session const& s) { // expect: errorshield-json-field-coverage
  j = json{{"token", s.token},
           {"userId", s.user_id},
           {"expiresAt", s.expires_at},
           {"ip", s.ip}};
}

void from_json(json const& j, Session& s) {
  j.at("token").get_to(s.token);
  j.at("userId").get_to(s.user_id);
  j.at("expiresAt").get_to(s.expires_at);
  j.at("ip").get_to(s.ip);
  s.user_agent = j.value("userAgent", "");
}

// Hand-written, complete, with a derived field computed on load.
struct Money {
  std::int64_t cents = 0;
  std::string currency;
};

void to_json(json& j, Money const& m) {
  j["amount"] = static_cast<double>(m.cents) / 100.0;
  j["currency"] = m.currency;
}

void from_json(json const& j, Money& m) {
  m.cents = static_cast<std::int64_t>(j.at("amount").get<double>() * 100.0 + 0.5);
  m.currency = j.at("currency").get<std::string>();
}

struct Refund {
  std::string order_id;
  Money amount;
  std::string reason;
  bool partial = false;
};

void to_json(json& j, Refund const& r) {
  j = {{"order_id", r.order_id}, {"amount", r.amount}, {"reason", r.reason}, {"partial", r.partial}};
}

void from_json(json const& j, Refund& r) { // expect: errorshield-json-field-coverage
  j.at("order_id").get_to(r.order_id);
  j.at("amount").get_to(r.amount);
  j.at("reason").get_to(r.reason);
}

// Webhook config with a secret that is written only to the vault, never JSON.
struct Webhook {
  std::string url;
  std::vector<std::string> events;
  std::string secret;
  bool active = true;
};

void to_json(json& j, Webhook const& w) {
  j = json{{"url", w.url}, {"events", w.events}, {"active", w.active}};
}

void from_json(json const& j, Webhook& w) {
  j.at("url").get_to(w.url);
  j.at("events").get_to(w.events);
  w.active = j.value("active", true);
}

}  // namespace api

int main() {
  api::UserDto u{1, "ann", "a@x", "2024-01-01", {}};
  json j = u;
  api::Order o;
  json jo = o;
  api::Session s;
  json js = s;
  api::Refund r = json::parse(R"({"order_id":"1","amount":{"amount":1.5,"currency":"EUR"},"reason":"x","partial":true})")
                      .get<api::Refund>();
  (void)r;
  api::Webhook w;
  json jw = w;
  api::AccountRecord a;
  json ja = a;
  return static_cast<int>(j.size() + jo.size() + js.size() + jw.size() + ja.size());
}
