// checks: errorshield-json-field-coverage
// Logistics fleet tracking: in-cab units push GPS fixes and status over a
// websocket, dispatchers receive the same types as JSON. Wire types and their
// nlohmann mappings live here together with the connection handlers.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using json = nlohmann::json;

namespace fleet {

struct gps_fix {
  double lat = 0;
  double lon = 0;
  double speed_kph = 0;
  double heading_deg = 0;
  std::int64_t ts_ms = 0;
};

void to_json(json& j, const gps_fix& f) {  // expect: errorshield-json-field-coverage
  j = json{{"lat", f.lat}, {"lon", f.lon}, {"speed_kph", f.speed_kph}, {"ts", f.ts_ms}};
}

void from_json(const json& j, gps_fix& f) {
  j.at("lat").get_to(f.lat);
  j.at("lon").get_to(f.lon);
  j.at("speed_kph").get_to(f.speed_kph);
  f.heading_deg = j.value("heading_deg", 0.0);
  j.at("ts").get_to(f.ts_ms);  // key differs from member name, consistently on both sides
}

struct vehicle_status {
  std::string vehicle_id;
  std::string driver_id;
  gps_fix last_fix;
  int fuel_pct = 0;
  bool ignition_on = false;
  std::vector<std::string> alerts;
};

void to_json(json& j, const vehicle_status& v) {
  j["vehicle_id"] = v.vehicle_id;
  j["driver_id"] = v.driver_id;
  j["last_fix"] = v.last_fix;
  j["fuel_pct"] = v.fuel_pct;
  j["ignition_on"] = v.ignition_on;
  j["alerts"] = v.alerts;
}

void from_json(const json& j, vehicle_status& v) {
  j.at("vehicleId").get_to(v.vehicle_id);  // expect: errorshield-json-field-coverage
  j.at("driver_id").get_to(v.driver_id);
  j.at("last_fix").get_to(v.last_fix);
  v.fuel_pct = j.value("fuel_pct", 0);
  v.ignition_on = j.value("ignition_on", false);
  if (j.contains("alerts")) j.at("alerts").get_to(v.alerts);
}

struct delivery_stop {
  std::string stop_id;
  std::string address;
  std::int64_t eta_ms = 0;
  std::string status;
  int sequence = 0;
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(delivery_stop, stop_id, address, eta_ms, status)  // expect: errorshield-json-field-coverage

struct geofence {
  std::string id;
  std::string name;
  std::vector<std::pair<double, double>> polygon;
  int dwell_limit_s = 0;
  bool alert_on_exit = true;
};

void to_json(json& j, const geofence& g) {
  j = {{"id", g.id},
       {"name", g.name},
       {"polygon", g.polygon},
       {"dwell_limit_s", g.dwell_limit_s},
       {"alert_on_exit", g.alert_on_exit}};
}

void from_json(const json& j, geofence& g) {  // expect: errorshield-json-field-coverage
  j.at("id").get_to(g.id);
  j.at("name").get_to(g.name);
  j.at("polygon").get_to(g.polygon);
  g.alert_on_exit = j.value("alert_on_exit", true);
}

// Route plans: every member mapped; kSchemaVersion is static and has no
// per-object state to serialize.
struct route_plan {
  static constexpr int kSchemaVersion = 3;
  std::string route_id;
  std::string depot;
  std::vector<delivery_stop> stops;
  std::optional<std::string> notes;
};

void to_json(json& j, const route_plan& r) {
  j = {{"v", route_plan::kSchemaVersion}, {"route_id", r.route_id}, {"depot", r.depot}, {"stops", r.stops}};
  if (r.notes) j["notes"] = *r.notes;
}

void from_json(const json& j, route_plan& r) {
  j.at("route_id").get_to(r.route_id);
  j.at("depot").get_to(r.depot);
  j.at("stops").get_to(r.stops);
  if (auto it = j.find("notes"); it != j.end() && !it->is_null()) r.notes = it->get<std::string>();
  else r.notes.reset();
}

// Driver shift: break list is decoded by a helper shared with the HOS module.
struct rest_break {
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(rest_break, start_ms, end_ms)

struct driver_shift {
  std::string driver_id;
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  std::vector<rest_break> breaks;
};

static void read_breaks(const json& j, std::vector<rest_break>& out) {
  out.clear();
  if (!j.contains("breaks")) return;
  for (const auto& b : j.at("breaks")) out.push_back(b.get<rest_break>());
}

void to_json(json& j, const driver_shift& s) {
  j = {{"driver_id", s.driver_id}, {"start_ms", s.start_ms}, {"end_ms", s.end_ms}, {"breaks", s.breaks}};
}

void from_json(const json& j, driver_shift& s) {
  j.at("driver_id").get_to(s.driver_id);
  j.at("start_ms").get_to(s.start_ms);
  j.at("end_ms").get_to(s.end_ms);
  read_breaks(j, s.breaks);
}

// Reefer trailers extend the base trailer record; the base part is delegated.
struct trailer {
  std::string trailer_id;
  std::string plate;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(trailer, trailer_id, plate)

struct reefer_trailer : trailer {
  double setpoint_c = -18.0;
  double return_air_c = 0;
  bool door_open = false;
};

void to_json(json& j, const reefer_trailer& t) {
  to_json(j, static_cast<const trailer&>(t));
  j["setpoint_c"] = t.setpoint_c;
  j["return_air_c"] = t.return_air_c;
  j["door_open"] = t.door_open;
}

void from_json(const json& j, reefer_trailer& t) {
  from_json(j, static_cast<trailer&>(t));
  t.setpoint_c = j.value("setpoint_c", -18.0);
  t.return_air_c = j.value("return_air_c", 0.0);
  t.door_open = j.value("door_open", false);
}

}  // namespace fleet

// ---------------------------------------------------------------------------
// Connection handling: one conn_state per in-cab unit, owned by the map.

struct conn_state {
  std::string vehicle_id;
  std::shared_ptr<websocket::stream<beast::tcp_stream>> ws;
  beast::flat_buffer buf;
  fleet::vehicle_status last_status;
};

using conn_map = std::map<std::uint64_t, conn_state>;

void publish_to_dispatch(const json& j);

void on_unit_message(conn_map& conns, std::uint64_t id, const std::string& text) {
  auto it = conns.find(id);
  if (it == conns.end()) return;
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return;
  const auto kind = j.value("kind", "");
  if (kind == "status") {
    it->second.last_status = j.at("body").get<fleet::vehicle_status>();
    publish_to_dispatch({{"kind", "status"}, {"body", it->second.last_status}});
  } else if (kind == "fix") {
    it->second.last_status.last_fix = j.at("body").get<fleet::gps_fix>();
    publish_to_dispatch({{"kind", "fix"}, {"vehicle", it->second.vehicle_id}, {"body", it->second.last_status.last_fix}});
  } else if (kind == "stop_update") {
    auto stop = j.at("body").get<fleet::delivery_stop>();
    publish_to_dispatch({{"kind", "stop"}, {"body", stop}});
  } else if (kind == "reefer") {
    auto r = j.at("body").get<fleet::reefer_trailer>();
    publish_to_dispatch({{"kind", "reefer"}, {"body", r}});
  }
}

void read_loop(conn_map& conns, std::uint64_t id) {
  auto it = conns.find(id);
  if (it == conns.end()) return;
  auto ws = it->second.ws;
  ws->async_read(it->second.buf, [&conns, id, ws](beast::error_code ec, std::size_t) {
    auto c = conns.find(id);
    if (ec || c == conns.end()) {
      conns.erase(id);
      return;
    }
    on_unit_message(conns, id, beast::buffers_to_string(c->second.buf.data()));
    c->second.buf.consume(c->second.buf.size());
    read_loop(conns, id);
  });
}
