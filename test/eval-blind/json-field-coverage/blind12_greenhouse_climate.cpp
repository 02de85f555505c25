// checks: errorshield-json-field-coverage
// Climate control API for the glasshouse complex: zone setpoints, sensor
// readings and actuator state, served over HTTP/JSON to the grower dashboard
// and the irrigation planner.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

namespace gh {

using json = nlohmann::json;
namespace beast = boost::beast;
namespace http = beast::http;

// One probe sample. Timestamps are milliseconds since epoch.
struct SensorReading {
  std::string probe_id;
  std::int64_t ts_ms = 0;
  double air_temp_c = 0.0;
  double rel_humidity = 0.0;
  int co2_ppm = 0;
  double par_umol = 0.0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SensorReading, probe_id, ts_ms, air_temp_c, rel_humidity, co2_ppm, par_umol)

// Growing schedule attached to a zone.
struct LightSchedule {
  int on_minute = 360;
  int off_minute = 1200;
  int dim_percent = 100;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LightSchedule, on_minute, off_minute)  // expect: errorshield-json-field-coverage

// Setpoint request posted by the dashboard.
struct SetpointRequest {
  std::string zone_id;
  double target_temp_c = 21.0;
  double target_rh = 65.0;
  int target_co2_ppm = 800;
  int vent_limit_pct = 100;
};

inline void to_json(json &j, const SetpointRequest &r) {
  j = json{{"zone", r.zone_id},
           {"target", {{"temp_c", r.target_temp_c}, {"rh", r.target_rh}, {"co2", r.target_co2_ppm}}},
           {"vent_limit", r.vent_limit_pct}};
}

inline void from_json(const json &j, SetpointRequest &r) { // expect: errorshield-json-field-coverage
  j.at("zone").get_to(r.zone_id);
  const auto &t = j.at("target");
  t.at("temp_c").get_to(r.target_temp_c);
  t.at("rh").get_to(r.target_rh);
  t.at("co2").get_to(r.target_co2_ppm);
  int vent = j.value("vent_limit", 100);
  vent = std::clamp(vent, 0, 100);
}

// Actuator state reported back from the PLC bridge.
struct ActuatorState {
  std::string zone_id;
  int roof_vent_pct = 0;
  int side_vent_pct = 0;
  bool heating_on = false;
  bool fogging_on = false;
  bool screen_closed = false;
};

inline void to_json(json &j, const ActuatorState &a) { // expect: errorshield-json-field-coverage
  j["zone"] = a.zone_id;
  j["vents"] = {{"roof", a.roof_vent_pct}, {"side", a.roof_vent_pct}};
  j["heating"] = a.heating_on;
  j["fogging"] = a.fogging_on;
  j["screen"] = a.screen_closed;
}

inline void from_json(const json &j, ActuatorState &a) {
  j.at("zone").get_to(a.zone_id);
  const auto &v = j.at("vents");
  v.at("roof").get_to(a.roof_vent_pct);
  v.at("side").get_to(a.side_vent_pct);
  a.heating_on = j.value("heating", false);
  a.fogging_on = j.value("fogging", false);
  a.screen_closed = j.value("screen", false);
}

// Zone summary; optional dew point is only present once the probe has a
// humidity calibration. A derived field is emitted in addition to the members.
struct ZoneSummary {
  std::string zone_id;
  std::string crop;
  SensorReading latest;
  LightSchedule lights;
  std::optional<double> dew_point_c;
};

inline double vpd_kpa(double t, double rh) {
  const double svp = 0.6108 * std::exp(17.27 * t / (t + 237.3));
  return svp * (1.0 - rh / 100.0);
}

inline void to_json(json &j, const ZoneSummary &z) {
  j["zone"] = z.zone_id;
  j["crop"] = z.crop;
  j["latest"] = z.latest;
  j["lights"] = z.lights;
  j["vpd_kpa"] = vpd_kpa(z.latest.air_temp_c, z.latest.rel_humidity);
  if (z.dew_point_c)
    j["dew_point_c"] = *z.dew_point_c;
  else
    j["dew_point_c"] = nullptr;
}

inline void from_json(const json &j, ZoneSummary &z) {
  j.at("zone").get_to(z.zone_id);
  j.at("crop").get_to(z.crop);
  j.at("latest").get_to(z.latest);
  j.at("lights").get_to(z.lights);
  if (auto it = j.find("dew_point_c"); it != j.end() && it->is_number())
    z.dew_point_c = it->get<double>();
  else
    z.dew_point_c.reset();
}

// Alarm thresholds. The class owns its validation and maps its private state.
class AlarmThresholds {
public:
  bool breached(const SensorReading &r) const {
    return r.air_temp_c < min_temp_c_ || r.air_temp_c > max_temp_c_ || r.rel_humidity > max_rh_;
  }
  NLOHMANN_DEFINE_TYPE_INTRUSIVE_WITH_DEFAULT(AlarmThresholds, min_temp_c_, max_temp_c_, max_rh_)

private:
  double min_temp_c_ = 8.0;
  double max_temp_c_ = 35.0;
  double max_rh_ = 95.0;
};

} // namespace gh

// Irrigation valve commands come from a third-party type we cannot add
// friends to, so the mapping lives in an adl_serializer specialisation.
namespace valves {
struct ValveCommand {
  int valve_no = 0;
  int open_seconds = 0;
  double ec_target = 0.0;
  double ph_target = 0.0;
};
} // namespace valves

template <>
struct nlohmann::adl_serializer<valves::ValveCommand> {
  static void to_json(json &j, const valves::ValveCommand &c) {
    j = json{{"valve", c.valve_no}, {"seconds", c.open_seconds}, {"ec", c.ec_target}, {"ph", c.ph_target}};
  }
  static void from_json(const json &j, valves::ValveCommand &c) { // expect: errorshield-json-field-coverage
    c.valve_no = j.at("valve").get<int>();
    c.open_seconds = j.at("seconds").get<int>();
    c.ec_target = j.at("ec").get<double>();
  }
};

namespace gh {

// HTTP handler used by the API server.
class ClimateApi {
public:
  http::response<http::string_body> handle(const http::request<http::string_body> &req) {
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/json");
    try {
      if (req.method() == http::verb::post && req.target() == "/v1/setpoints") {
        auto body = json::parse(req.body());
        auto sp = body.get<SetpointRequest>();
        setpoints_[sp.zone_id] = sp;
        res.body() = json{{"accepted", sp}}.dump();
      } else if (req.method() == http::verb::post && req.target() == "/v1/valves") {
        auto cmd = json::parse(req.body()).get<valves::ValveCommand>();
        res.body() = json(cmd).dump();
      } else if (req.method() == http::verb::put && req.target() == "/v1/alarms") {
        thresholds_ = json::parse(req.body()).get<AlarmThresholds>();
        res.body() = json(thresholds_).dump();
      } else if (req.target() == "/v1/zones") {
        json out = json::array();
        for (const auto &[id, z] : zones_)
          out.push_back(z);
        res.body() = out.dump();
      } else {
        res.result(http::status::not_found);
        res.body() = R"({"error":"not found"})";
      }
    } catch (const json::exception &e) {
      res.result(http::status::bad_request);
      res.body() = json{{"error", e.what()}}.dump();
    }
    res.prepare_payload();
    return res;
  }

  void on_actuators(const std::string &raw) {
    auto st = json::parse(raw).get<ActuatorState>();
    actuators_[st.zone_id] = st;
  }

private:
  std::map<std::string, SetpointRequest> setpoints_;
  std::map<std::string, ZoneSummary> zones_;
  std::map<std::string, ActuatorState> actuators_;
  AlarmThresholds thresholds_;
};

} // namespace gh
