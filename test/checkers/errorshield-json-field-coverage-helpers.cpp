// Hand-written to_json that hands the object to a helper or a stored encoder (one call deep), and
// function templates: judged in their instantiations, or at the pattern when never instantiated.
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-json-field-coverage' -- -std=c++20 \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

using json = nlohmann::json;

// ---- A helper that writes part of the object ----

struct Inspection {
  std::string hive;
  int frames = 0;
  int brood = 0;
  std::string notes;
};
namespace detail {
inline void write_colony(json &j, const Inspection &n) {
  j["frames"] = n.frames;
  j["brood"] = n.brood;
}
inline void log_hive(const Inspection &n) { (void)n.hive; }
} // namespace detail

void to_json(json &j, const Inspection &n) { // the helper writes frames and brood
  j["hive"] = n.hive;
  detail::write_colony(j, n);
  j["notes"] = n.notes;
}

struct Visit {
  std::string hive;
  std::string keeper;
  int minutes = 0;
};
void to_json(json &j, const Visit &v) {
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: to_json for 'Visit' never writes data members 'keeper', 'minutes': they are silently left out of the JSON output [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
  detail::log_hive(Inspection{v.hive, 0, 0, ""});
  j["hive"] = v.hive;
}

// ---- A stored encoder (a lambda in a function-pointer constant) ----

struct Payout {
  std::string tutor;
  std::int64_t gross = 0;
  std::int64_t fee = 0;
};
using Encoder = void (*)(json &, const Payout &);
inline const Encoder kPayoutEncoder = [](json &j, const Payout &p) {
  j["tutor"] = p.tutor;
  j["gross"] = p.gross;
};
void to_json(json &j, const Payout &p) {
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: to_json for 'Payout' never writes data member 'fee': it is silently left out of the JSON output [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
  kPayoutEncoder(j, p);
}

// Two calls deep: what the inner helper writes is not followed, so nothing is reported.
struct Ledger {
  std::string owner;
  std::int64_t balance = 0;
};
namespace detail {
inline void write_ledger_inner(json &j, const Ledger &l) { j = {{"o", l.owner}, {"b", l.balance}}; }
inline void write_ledger(json &j, const Ledger &l) { write_ledger_inner(j, l); }
} // namespace detail
void to_json(json &j, const Ledger &l) { detail::write_ledger(j, l); }

// ---- Function templates ----

template <class P> struct Envelope {
  std::string kind;
  std::uint64_t seq = 0;
  P payload;
};
template <class P> void to_json(json &j, const Envelope<P> &e) {
// CHECK-MESSAGES: :[[@LINE-1]]:25: warning: to_json for 'Envelope' never writes data member 'seq': it is silently left out of the JSON output [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
  j = json{{"kind", e.kind}, {"data", e.payload}};
}
template <class P> void from_json(const json &j, Envelope<P> &e) { // not instantiated: not judged
  j.at("kind").get_to(e.kind);
}

template <class P> struct Sample {
  std::string sensor;
  std::uint64_t at = 0;
  P value;
};
template <class P> void to_json(json &j, const Sample<P> &s) {
// CHECK-MESSAGES: :[[@LINE-1]]:25: warning: to_json for 'Sample' never writes data member 'at': it is silently left out of the JSON output [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
  j["sensor"] = s.sensor;
  j["value"] = s.value;
}
json sample_of_int() { return json(Sample<int>{"t1", 5, 3}); }
json sample_of_double() { return json(Sample<double>{"t2", 6, 1.5}); }

// Named only in an unevaluated operand, as nlohmann's adl_serializer does in its return type:
// the specialization exists without a body (clangd, which skips the library's bodies, never has
// more), so the pattern is judged.
template <class P> struct Reading {
  std::string probe;
  std::uint64_t taken_at = 0;
  P value;
};
template <class P> void to_json(json &j, const Reading<P> &r) {
// CHECK-MESSAGES: :[[@LINE-1]]:25: warning: to_json for 'Reading' never writes data member 'taken_at': it is silently left out of the JSON output [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
  j = json{{"probe", r.probe}, {"value", r.value}};
}
template <class T> auto write_later(json &j, const T &v) -> decltype(to_json(j, v));
void queue_reading(json &j) { write_later(j, Reading<int>{"p1", 7, 2}); }

template <class P> struct Full {
  std::string a;
  P b;
};
template <class P> void to_json(json &j, const Full<P> &f) { j = json{{"a", f.a}, {"b", f.b}}; }
json full_of_int() { return json(Full<int>{"x", 1}); }

// A local reference to the target is the target: what is set through it counts, and binding it
// sets nothing.
struct Audit {
  std::string checked_by;
  std::string approved_by;
};
void from_json(const json &j, Audit &a) {
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: from_json for 'Audit' never sets data member 'approved_by': it keeps its previous value whatever the JSON contains [ES-SERIALIZATION-001] [errorshield-json-field-coverage]
  auto &who = a;
  j.at("checkedBy").get_to(who.checked_by);
  j.at("approvedBy").get_to(who.checked_by); // copy-paste: approved_by is never set
}
struct Review {
  std::string checked_by;
  std::string approved_by;
};
void from_json(const json &j, Review &r) {
  auto &who = r;
  j.at("checkedBy").get_to(who.checked_by);
  who.approved_by = j.at("approvedBy").get<std::string>();
}
