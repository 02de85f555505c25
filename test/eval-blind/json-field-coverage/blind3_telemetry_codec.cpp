// checks: errorshield-json-field-coverage
// Telemetry ingestion: events arrive as JSON over a websocket-like pipe and are
// re-emitted to a metrics backend. Uses adl_serializer specialisations,
// templates and a couple of hand-written (non-nlohmann) serializers.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

using json = nlohmann::json;

namespace telemetry {

struct Point {
  double x = 0;
  double y = 0;
  double z = 0;
};

struct Tags {
  std::string host;
  std::string region;
  std::string service;
};

struct Sample {
  std::string metric;
  double value = 0;
  std::int64_t ts_ms = 0;
  Tags tags;
  std::uint32_t seq = 0;
};

struct Span {
  std::string trace_id;
  std::string span_id;
  std::string parent_id;
  std::int64_t start_us = 0;
  std::int64_t end_us = 0;
  std::map<std::string, std::string> attrs;
};

struct Subscription {
  std::string topic;
  int qos = 0;
  std::function<void(const json &)> on_message; // callback: not data, cannot be serialised
};

template <typename T> struct Envelope {
  std::string kind;
  std::uint64_t id = 0;
  T payload;
  std::int64_t received_ms = 0;
};

struct Alert {
  std::string rule;
  int severity = 0;
  std::string message;
  bool acknowledged = false;
};

} // namespace telemetry

// --- adl_serializer specialisations ----------------------------------------
namespace nlohmann {

template <> struct adl_serializer<telemetry::Point> {
  static void to_json(json &j, const telemetry::Point &p) { // expect: errorshield-json-field-coverage
    j = json::array({p.x, p.y});
  }
  static void from_json(const json &j, telemetry::Point &p) {
    p.x = j.at(0).get<double>();
    p.y = j.at(1).get<double>();
    p.z = j.size() > 2 ? j.at(2).get<double>() : 0.0;
  }
};

template <> struct adl_serializer<telemetry::Tags> {
  static void to_json(json &j, const telemetry::Tags &t) {
    j = json::object();
    j.emplace("host", t.host);
    j.emplace("region", t.region);
    j.emplace("service", t.service);
  }
  static void from_json(const json &j, telemetry::Tags &t) {
    auto get = [&](const char *k, std::string &dst) {
      if (auto it = j.find(k); it != j.end())
        it->get_to(dst);
    };
    get("host", t.host);
    get("region", t.region);
    get("service", t.service);
  }
};

} // namespace nlohmann

namespace telemetry {

// --- Sample: complete, using a reference alias and emplace -------------------
void to_json(json &j, const Sample &s) {
  const auto &t = s.tags;
  j = json::object();
  j["metric"] = s.metric;
  j["value"] = s.value;
  j["ts"] = s.ts_ms; // renamed key on the wire
  j["tags"] = t;
  j.emplace("seq", s.seq);
}

void from_json(const json &j, Sample &s) { // expect: errorshield-json-field-coverage
  j.at("metric").get_to(s.metric);
  j.at("value").get_to(s.value);
  j.at("ts").get_to(s.ts_ms);
  j.at("tags").get_to(s.tags);
}

// --- Span: to_json forgets parent_id; from_json is complete --------------------
void to_json(json &j, const Span &sp) { // expect: errorshield-json-field-coverage
  j = {{"trace_id", sp.trace_id},
       {"span_id", sp.span_id},
       {"start_us", sp.start_us},
       {"end_us", sp.end_us},
       {"attrs", sp.attrs}};
}

void from_json(const json &j, Span &sp) {
  sp.trace_id = j.value("trace_id", "");
  sp.span_id = j.value("span_id", "");
  sp.parent_id = j.value("parent_id", "");
  sp.start_us = j.value("start_us", std::int64_t{0});
  sp.end_us = j.value("end_us", std::int64_t{0});
  sp.attrs = j.value("attrs", std::map<std::string, std::string>{});
}

// --- Subscription: callback member deliberately skipped ----------------------
void to_json(json &j, const Subscription &s) {
  j = {{"topic", s.topic}, {"qos", s.qos}};
}

void from_json(const json &j, Subscription &s) {
  j.at("topic").get_to(s.topic);
  s.qos = j.value("qos", 0);
}

// --- Envelope<T>: template, drops received_ms on output ----------------------
template <typename T> void to_json(json &j, const Envelope<T> &e) { // expect: errorshield-json-field-coverage
  j = {{"kind", e.kind}, {"id", e.id}, {"payload", e.payload}};
}

template <typename T> void from_json(const json &j, Envelope<T> &e) {
  j.at("kind").get_to(e.kind);
  j.at("id").get_to(e.id);
  j.at("payload").get_to(e.payload);
  e.received_ms = j.value("received_ms", std::int64_t{0});
}

// --- Alert: complete intrusive-free macro, ordered differently ---------------
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Alert, message, severity, rule, acknowledged)

// --- Hand-written non-nlohmann serializer for the line protocol --------------
struct Counter {
  std::string name;
  std::uint64_t value = 0;
  std::string unit;
  std::int64_t ts_ms = 0;
};

std::string serialize(const Counter &c) { // expect: errorshield-json-field-coverage
  std::ostringstream os;
  os << "{\"name\":\"" << c.name << "\",\"value\":" << c.value << ",\"ts\":" << c.ts_ms << "}";
  return os.str();
}

struct Gauge {
  std::string name;
  double value = 0;
  std::int64_t ts_ms = 0;
};

std::string serialize(const Gauge &g) {
  std::ostringstream os;
  os << "{\"name\":\"" << g.name << "\",\"value\":" << g.value << ",\"ts\":" << g.ts_ms << "}";
  return os.str();
}

// --- Variant dispatch: every alternative goes through its own to_json ---------
using Event = std::variant<Sample, Span, Alert>;

json encode(const Event &ev) {
  return std::visit(
      [](const auto &e) {
        json j;
        to_json(j, e);
        return j;
      },
      ev);
}

// --- Batch wrapper, complete -------------------------------------------------
struct Batch {
  std::string source;
  std::vector<Sample> samples;
  std::vector<Span> spans;
};

void to_json(json &j, const Batch &b) {
  j["source"] = b.source;
  j["samples"] = b.samples;
  j["spans"] = b.spans;
}

void from_json(const json &j, Batch &b) {
  j.at("source").get_to(b.source);
  j.at("samples").get_to(b.samples);
  j.at("spans").get_to(b.spans);
}

} // namespace telemetry

int main() {
  using namespace telemetry;
  auto b = json::parse(R"({"source":"a","samples":[],"spans":[]})").get<Batch>();
  Envelope<Alert> env{"alert", 1, Alert{"cpu", 2, "high", false}, 0};
  json j = env;
  Point p{1, 2, 3};
  json jp = p;
  Counter c{"req", 5, "1", 0};
  Gauge g{"temp", 1.5, 0};
  Subscription s{"t", 1, {}};
  json js = s;
  return static_cast<int>(serialize(c).size() + serialize(g).size() + j.size() +
                          jp.size() + js.size() + b.samples.size() +
                          encode(Sample{}).size());
}
