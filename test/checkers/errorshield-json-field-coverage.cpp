// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-json-field-coverage' -- -std=c++20 \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --fix --checks='-*,errorshield-json-field-coverage' -- -std=c++20
// RUN: FileCheck %s --check-prefix=CHECK-FIXES --input-file=%t.cpp
// RUN: %clangxx -fsyntax-only -std=c++20 %t.cpp
// After the fix the macros list every member; only the findings without a safe edit remain.
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-json-field-coverage' -- -std=c++20 \
// RUN:   | FileCheck %s --check-prefix=AFTER-FIX --implicit-check-not='{{warning|error|note}}:'

#include <atomic>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

using json = nlohmann::json;

namespace gateway {

// ---- 1. Mapping macros ----

struct Order {
  std::string id;
  long quantity = 0;
  std::string currency;
  std::vector<std::string> tags;
  static constexpr int version = 2; // static: not part of the JSON
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Order, id, quantity)
// CHECK-MESSAGES: :[[@LINE-1]]:1: warning: NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE for 'Order' does not list data members 'currency', 'tags': they are silently left out of the JSON conversion [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
// CHECK-FIXES: NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Order, id, quantity, currency, tags){{$}}

struct Trade {
  std::string id;
  long price_minor = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Trade, price_minor, id) // every member, any order

struct Quote {
  std::string symbol;
  long bid = 0;
  long ask = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Quote, symbol, bid)
// CHECK-MESSAGES: :[[@LINE-1]]:1: warning: NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT for 'Quote' does not list data member 'ask': it is silently left out of the JSON conversion [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
// CHECK-FIXES: NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Quote, symbol, bid, ask){{$}}

class Position {
public:
  std::string symbol() const { return symbol_; }

private:
  std::string symbol_;
  long net_ = 0;
  long realized_minor_ = 0;
  NLOHMANN_DEFINE_TYPE_INTRUSIVE(Position, symbol_, net_)
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: NLOHMANN_DEFINE_TYPE_INTRUSIVE for 'Position' does not list data member 'realized_minor_': it is silently left out of the JSON conversion [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
// CHECK-FIXES: NLOHMANN_DEFINE_TYPE_INTRUSIVE(Position, symbol_, net_, realized_minor_){{$}}
};

// In a class template the macro's list is judged once, in the pattern (instantiated or not).
template <class T> struct Page {
  std::vector<T> items;
  std::string next_cursor;
  NLOHMANN_DEFINE_TYPE_INTRUSIVE(Page, items)
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: NLOHMANN_DEFINE_TYPE_INTRUSIVE for 'Page' does not list data member 'next_cursor': it is silently left out of the JSON conversion [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
// CHECK-FIXES: NLOHMANN_DEFINE_TYPE_INTRUSIVE(Page, items, next_cursor){{$}}
};
template <class T> struct Batch {
  std::vector<T> items;
  long sequence = 0;
  NLOHMANN_DEFINE_TYPE_INTRUSIVE(Batch, items, sequence)
};
inline Page<Position> firstPage(const nlohmann::json &j) { return j.get<Page<Position>>(); }
inline Batch<Position> firstBatch(const nlohmann::json &j) { return j.get<Batch<Position>>(); }

// A private member cannot be named by the non-intrusive macro: reported, but no edit is offered.
class Account {
  long balance_minor_ = 0;
  friend struct AccountAccess;

public:
  std::string owner;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Account, owner)
// CHECK-MESSAGES: :[[@LINE-1]]:1: warning: NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE for 'Account' does not list data member 'balance_minor_': it is silently left out of the JSON conversion [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
// CHECK-MESSAGES: :[[@LINE-2]]:1: note: a non-intrusive mapping can name public members only: use NLOHMANN_DEFINE_TYPE_INTRUSIVE inside the class, or list the member in IgnoredMembers if it must not travel
// AFTER-FIX: :[[@LINE-3]]:1: warning: NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE for 'Account' does not list data member 'balance_minor_': it is silently left out of the JSON conversion [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
// AFTER-FIX: :[[@LINE-4]]:1: note: a non-intrusive mapping can name public members only: use NLOHMANN_DEFINE_TYPE_INTRUSIVE inside the class, or list the member in IgnoredMembers if it must not travel
// CHECK-FIXES: NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Account, owner){{$}}

// ---- 2. Hand-written from_json ----

struct Fill {
  std::string order_id;
  long quantity = 0;
  std::optional<std::string> venue;
  bool final = false;
};

void from_json(const json &j, Fill &f) {
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: from_json for 'Fill' never sets data member 'final': it keeps its previous value whatever the JSON contains [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
// AFTER-FIX: :[[@LINE-2]]:6: warning: from_json for 'Fill' never sets data member 'final': it keeps its previous value whatever the JSON contains [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
  j.at("order_id").get_to(f.order_id);
  f.quantity = j.value("quantity", 0L);
  if (j.contains("venue"))
    f.venue = j.at("venue").get<std::string>();
}

void to_json(json &j, const Fill &f) { j = json{{"order_id", f.order_id}}; }
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: to_json for 'Fill' never writes data members 'quantity', 'venue', 'final': they are silently left out of the JSON output [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
// AFTER-FIX: :[[@LINE-2]]:6: warning: to_json for 'Fill' never writes data members 'quantity', 'venue', 'final': they are silently left out of the JSON output [ES-SERIALIZATION-001] [errorshield-json-field-coverage]

struct Level {
  long price = 0;
  long size = 0;
};
void from_json(const json &j, Level &l) { l = Level{j.at(0).get<long>(), j.at(1).get<long>()}; }

struct Book {
  std::vector<Level> bids;
  std::vector<Level> asks;
  long sequence = 0;
};
void from_json(const json &j, Book &b) {
  j.at("bids").get_to(b.bids);
  for (const json &level : j.at("asks"))
    b.asks.push_back(level.get<Level>());
  b.sequence = j.at("seq");
}

struct Heartbeat {
  long sent_at = 0;
  std::string node;
};
void validate(const Heartbeat &);
void from_json(const json &j, Heartbeat &h) {
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: from_json for 'Heartbeat' never sets data member 'node': it keeps its previous value whatever the JSON contains [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
// AFTER-FIX: :[[@LINE-2]]:6: warning: from_json for 'Heartbeat' never sets data member 'node': it keeps its previous value whatever the JSON contains [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
  h.sent_at = j.at("sent_at");
  validate(h); // a read of the whole object sets nothing
}

} // namespace gateway

template <> struct nlohmann::adl_serializer<std::vector<int>> {};

namespace venue {
struct Funding {
  double rate_bps = 0;
  long next_at = 0;
};
} // namespace venue

template <> struct nlohmann::adl_serializer<venue::Funding> {
  static void from_json(const json &j, venue::Funding &f) { f.rate_bps = j.at("rate_bps"); }
// CHECK-MESSAGES: :[[@LINE-1]]:15: warning: from_json for 'Funding' never sets data member 'next_at': it keeps its previous value whatever the JSON contains [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
// AFTER-FIX: :[[@LINE-2]]:15: warning: from_json for 'Funding' never sets data member 'next_at': it keeps its previous value whatever the JSON contains [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
  static void to_json(json &j, const venue::Funding &f) { j["rate_bps"] = f.rate_bps; }
// CHECK-MESSAGES: :[[@LINE-1]]:15: warning: to_json for 'Funding' never writes data member 'next_at': it is silently left out of the JSON output [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
// AFTER-FIX: :[[@LINE-2]]:15: warning: to_json for 'Funding' never writes data member 'next_at': it is silently left out of the JSON output [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
};

// Members no JSON value can be stored into are not expected in a from_json: a const member, a
// mutex or an atomic (not assignable), a callback (one of the UnmappableTypes).
struct ChatLine {
  const std::string kind = "chat";
  std::string text;
  mutable std::mutex guard;
  std::atomic<int> retries{0};
  std::function<void(const std::string &)> on_delivered;
  long sent_at = 0;
};
void from_json(const nlohmann::json &j, ChatLine &c) { j.at("text").get_to(c.text); }
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: from_json for 'ChatLine' never sets data member 'sent_at': it keeps its previous value whatever the JSON contains [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
// AFTER-FIX: :[[@LINE-2]]:6: warning: from_json for 'ChatLine' never sets data member 'sent_at': it keeps its previous value whatever the JSON contains [ES-SERIALIZATION-001] [errorshield-json-field-coverage]

// A hand-written to_json: quiet when every member is written, when a secret is left out on
// purpose (SensitiveMemberWords), or when the object goes to a getter or a helper (what is written
// is not known); a member to_json() is judged like the free one.
struct Login {
  std::string user;
  std::string password_hash;
  long last_seen = 0;
  long seen() const { return last_seen; }
  nlohmann::json to_json() const { return {{"user", user}}; }
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: to_json for 'Login' never writes data member 'last_seen': it is silently left out of the JSON output [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
// AFTER-FIX: :[[@LINE-2]]:18: warning: to_json for 'Login' never writes data member 'last_seen': it is silently left out of the JSON output [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
};
void to_json(nlohmann::json &j, const Login &l) {
  j["user"] = l.user;
  j["last_seen"] = l.last_seen;
}
struct Presence {
  std::string user;
  long since = 0;
};
void write_presence(nlohmann::json &j, const Presence &p);
void to_json(nlohmann::json &j, const Presence &p) { write_presence(j, p); }

// A mapping macro that leaves a secret out, on purpose: not reported, and no fix-it adds it.
struct AccountRecord {
  long id = 0;
  std::string login;
  std::string password_hash;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(AccountRecord, id, login)

// A from_json that fills a class through its setters: a setter sets what its body assigns.
class Position {
public:
  void set_symbol(std::string s) { symbol_ = std::move(s); }
  void set_net(long n) { net_ = n; }
  void set_all(std::string s, long n, long avg) {
    symbol_ = std::move(s);
    net_ = n;
    avg_cost_ = avg;
  }
  long net() const { return net_; }

private:
  std::string symbol_;
  long net_ = 0;
  long avg_cost_ = 0;
};
void from_json(const nlohmann::json &j, Position &p) {
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: from_json for 'Position' never sets data member 'avg_cost_': it keeps its previous value whatever the JSON contains [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
// AFTER-FIX: :[[@LINE-2]]:6: warning: from_json for 'Position' never sets data member 'avg_cost_': it keeps its previous value whatever the JSON contains [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
  p.set_symbol(j.at("sym").get<std::string>());
  if (p.net() == 0)
    p.set_net(j.at("net").get<long>());
}
struct PositionView {
  Position position;
};
void from_json(const nlohmann::json &j, PositionView &v) {
  v.position.set_all(j.at("sym").get<std::string>(), j.at("net").get<long>(), j.at("avg").get<long>());
}
class Snapshot {
public:
  void set_from(const nlohmann::json &j) { raw_ = j.dump(); seq_ = 1; }

private:
  std::string raw_;
  long seq_ = 0;
};
void from_json(const nlohmann::json &j, Snapshot &s) { s.set_from(j); }

// ---- Keys that differ between the paired to_json and from_json ----
namespace roundtrip {
namespace tag {
constexpr const char *kCumQty = "14";
}
struct Book {
  std::string symbol;
  long seq = 0;
};
void to_json(nlohmann::json &j, const Book &b) { j = nlohmann::json{{"symbol", b.symbol}, {"seq", b.seq}}; }
void from_json(const nlohmann::json &j, Book &b) {
  j.at("symbol").get_to(b.symbol);
  j.at("sequence").get_to(b.seq);
// CHECK-MESSAGES: :[[@LINE-1]]:8: warning: from_json for 'Book' reads data member 'seq' from key 'sequence', but to_json writes it under 'seq': its value does not survive a round trip [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
// CHECK-MESSAGES: :[[@LINE-5]]:6: note: to_json is defined here
// AFTER-FIX: :[[@LINE-3]]:8: warning: from_json for 'Book' reads data member 'seq' from key 'sequence', but to_json writes it under 'seq': its value does not survive a round trip [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
// AFTER-FIX: :[[@LINE-7]]:6: note: to_json is defined here
}
struct Quote {
  long bid = 0;
  long ask = 0;
  long cum_qty = 0;
};
void to_json(nlohmann::json &j, const Quote &q) {
  j["bid"] = q.bid;
  j["ask"] = q.ask;
  j[tag::kCumQty] = q.cum_qty;
}
void from_json(const nlohmann::json &j, Quote &q) {
  j.at("bid").get_to(q.bid);
  j.at("bid").get_to(q.ask);
// CHECK-MESSAGES: :[[@LINE-1]]:8: warning: from_json for 'Quote' reads data member 'ask' from key 'bid', but to_json writes it under 'ask': its value does not survive a round trip [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
// CHECK-MESSAGES: :[[@LINE-9]]:6: note: to_json is defined here
// AFTER-FIX: :[[@LINE-3]]:8: warning: from_json for 'Quote' reads data member 'ask' from key 'bid', but to_json writes it under 'ask': its value does not survive a round trip [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
// AFTER-FIX: :[[@LINE-11]]:6: note: to_json is defined here
  q.cum_qty = j.at("cum_qty").get<long>();
// CHECK-MESSAGES: :[[@LINE-1]]:20: warning: from_json for 'Quote' reads data member 'cum_qty' from key 'cum_qty', but to_json writes it under '14': its value does not survive a round trip [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
// CHECK-MESSAGES: :[[@LINE-14]]:6: note: to_json is defined here
// AFTER-FIX: :[[@LINE-3]]:20: warning: from_json for 'Quote' reads data member 'cum_qty' from key 'cum_qty', but to_json writes it under '14': its value does not survive a round trip [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
// AFTER-FIX: :[[@LINE-16]]:6: note: to_json is defined here
}
// The same keys both ways, through a constant, and a legacy key read as well: fine.
struct Fill {
  long qty = 0;
  long px = 0;
};
void to_json(nlohmann::json &j, const Fill &f) {
  j["qty"] = f.qty;
  j[tag::kCumQty] = f.px;
}
void from_json(const nlohmann::json &j, Fill &f) {
  f.qty = j.contains("quantity") ? j.at("quantity").get<long>() : j.value("qty", 0L);
  j.at(tag::kCumQty).get_to(f.px);
  if (j.contains("legacy_qty"))
    j.at("legacy_qty").get_to(f.qty);
}
} // namespace roundtrip

// ---- Derived classes and their base's members ----
namespace derived {
struct Header {
  std::string id;
  long sent_at = 0;
};
void to_json(nlohmann::json &j, const Header &h) { j = nlohmann::json{{"id", h.id}, {"sent_at", h.sent_at}}; }
void from_json(const nlohmann::json &j, Header &h) {
  j.at("id").get_to(h.id);
  j.at("sent_at").get_to(h.sent_at);
}
struct Location : Header {
  std::string where;
  double accuracy_m = 0;
};
void to_json(nlohmann::json &j, const Location &l) {
  to_json(j, static_cast<const Header &>(l));
  j["where"] = l.where;
  j["accuracy_m"] = l.accuracy_m;
}
// The base's from_json sets the base's members; this one still forgets its own.
void from_json(const nlohmann::json &j, Location &l) {
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: from_json for 'Location' never sets data member 'accuracy_m': it keeps its previous value whatever the JSON contains [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
// AFTER-FIX: :[[@LINE-2]]:6: warning: from_json for 'Location' never sets data member 'accuracy_m': it keeps its previous value whatever the JSON contains [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
  from_json(j, static_cast<Header &>(l));
  j.at("where").get_to(l.where);
}
struct Sms : Header {
  std::string sender;
};
void to_json(nlohmann::json &j, const Sms &s) { j["sender"] = s.sender; }
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: to_json for 'Sms' never writes the data members 'id', 'sent_at' it inherits from 'Header': they are silently left out of the JSON output [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
// AFTER-FIX: :[[@LINE-2]]:6: warning: to_json for 'Sms' never writes the data members 'id', 'sent_at' it inherits from 'Header': they are silently left out of the JSON output [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
struct Push : Header {
  std::string token;
};
void to_json(nlohmann::json &j, const Push &p) {
  j["id"] = p.id; // writes the inherited members itself
  j["token"] = p.token;
}
} // namespace derived
