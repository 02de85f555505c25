// checks: errorshield-json-field-coverage
// Ingest gateway for a network of automatic weather stations. Stations push
// observation batches as JSON over MQTT-bridged HTTP; the gateway normalises
// them and republishes to the forecast pipeline.
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

using json = nlohmann::json;

namespace wx {

struct GeoPoint {
  double lat = 0.0;
  double lon = 0.0;
  double elevation_m = 0.0;
};
// OK: complete.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(GeoPoint, lat, lon, elevation_m)

struct Observation {
  std::string station_id;
  std::int64_t observed_at = 0; // unix seconds
  double temp_c = 0.0;
  double rel_humidity = 0.0;
  double pressure_hpa = 0.0;
  double wind_mps = 0.0;
  double wind_dir_deg = 0.0;
  std::optional<double> gust_mps;
};

// OK: every member written, gust only when measured.
void to_json(json &j, const Observation &o) {
  j = json{{"sid", o.station_id},  {"t", o.observed_at},
           {"temp", o.temp_c},     {"rh", o.rel_humidity},
           {"p", o.pressure_hpa},  {"ws", o.wind_mps},
           {"wd", o.wind_dir_deg}};
  if (o.gust_mps)
    j["gust"] = *o.gust_mps;
}

// BUG: wind direction is never parsed, so every station reports a northerly wind.
void from_json(const json &j, Observation &o) { // expect: errorshield-json-field-coverage
  j.at("sid").get_to(o.station_id);
  j.at("t").get_to(o.observed_at);
  j.at("temp").get_to(o.temp_c);
  j.at("rh").get_to(o.rel_humidity);
  j.at("p").get_to(o.pressure_hpa);
  j.at("ws").get_to(o.wind_mps);
  if (auto it = j.find("gust"); it != j.end() && !it->is_null())
    o.gust_mps = it->get<double>();
  else
    o.gust_mps.reset();
}

struct StationInfo {
  std::string id;
  std::string name;
  GeoPoint location;
  std::string firmware;
  std::string owner_org;
  bool heated_rain_gauge = false;
};
// BUG: owner_org and heated_rain_gauge are both missing.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(StationInfo, id, name, location, firmware) // expect: errorshield-json-field-coverage

struct RainBucket {
  std::int64_t window_start = 0;
  int window_minutes = 10;
  double mm = 0.0;
};
// OK: all three members.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RainBucket, window_start, window_minutes, mm)

class Calibration {
public:
  Calibration() = default;
  Calibration(double t_off, double p_off, double rh_gain, std::string by)
      : temp_offset_(t_off), pressure_offset_(p_off), humidity_gain_(rh_gain),
        calibrated_by_(std::move(by)) {}

  double temp_offset() const { return temp_offset_; }
  double pressure_offset() const { return pressure_offset_; }
  double humidity_gain() const { return humidity_gain_; }
  const std::string &calibrated_by() const { return calibrated_by_; }

  void set(double t, double p, double g, std::string by) {
    temp_offset_ = t;
    pressure_offset_ = p;
    humidity_gain_ = g;
    calibrated_by_ = std::move(by);
  }

private:
  double temp_offset_ = 0.0;
  double pressure_offset_ = 0.0;
  double humidity_gain_ = 1.0;
  std::string calibrated_by_;
};

} // namespace wx

namespace nlohmann {
template <> struct adl_serializer<wx::Calibration> {
  // BUG: the humidity gain is left out of the stored calibration record.
  static void to_json(json &j, const wx::Calibration &c) { // expect: errorshield-json-field-coverage
    j = json{{"temp_offset", c.temp_offset()},
             {"pressure_offset", c.pressure_offset()},
             {"calibrated_by", c.calibrated_by()}};
  }
  // OK: reads all four through the setter.
  static void from_json(const json &j, wx::Calibration &c) {
    c.set(j.at("temp_offset").get<double>(), j.at("pressure_offset").get<double>(),
          j.value("humidity_gain", 1.0), j.at("calibrated_by").get<std::string>());
  }
};
} // namespace nlohmann

namespace wx {

struct Batch {
  std::string station_id;
  std::uint32_t seq = 0;
  std::vector<Observation> observations;
  std::vector<RainBucket> rain;
  std::uint32_t crc32 = 0;
};

namespace {
void put_header(json &j, const Batch &b) {
  j["station_id"] = b.station_id;
  j["seq"] = b.seq;
  j["crc32"] = b.crc32;
}
} // namespace

// OK: header fields written by put_header.
void to_json(json &j, const Batch &b) {
  j = json::object();
  put_header(j, b);
  j["observations"] = b.observations;
  j["rain"] = b.rain;
}

// BUG: the CRC is skipped on the way in, so corrupt batches are never detected.
void from_json(const json &j, Batch &b) { // expect: errorshield-json-field-coverage
  b.station_id = j.at("station_id").get<std::string>();
  b.seq = j.at("seq").get<std::uint32_t>();
  b.observations = j.at("observations").get<std::vector<Observation>>();
  b.rain = j.value("rain", std::vector<RainBucket>{});
}

class AlertThresholds {
public:
  AlertThresholds() = default;
  // OK: all members, private included.
  NLOHMANN_DEFINE_TYPE_INTRUSIVE(AlertThresholds, heat_c_, frost_c_, gust_mps_,
                                 rain_mm_per_h_)

  bool is_frost(double t) const { return t <= frost_c_; }

private:
  double heat_c_ = 35.0;
  double frost_c_ = 0.0;
  double gust_mps_ = 25.0;
  double rain_mm_per_h_ = 30.0;
};

struct HealthReport {
  std::string station_id;
  double battery_v = 0.0;
  int rssi_dbm = 0;
  std::uint32_t uptime_s = 0;
  std::map<std::string, std::string> sensor_faults;
};

// BUG: uptime is dropped from the health export although it's parsed below.
void to_json(json &j, const HealthReport &h) { // expect: errorshield-json-field-coverage
  j["station_id"] = h.station_id;
  j["battery_v"] = h.battery_v;
  j["rssi_dbm"] = h.rssi_dbm;
  j["faults"] = h.sensor_faults;
}

// OK: complete.
void from_json(const json &j, HealthReport &h) {
  j.at("station_id").get_to(h.station_id);
  j.at("battery_v").get_to(h.battery_v);
  j.at("rssi_dbm").get_to(h.rssi_dbm);
  j.at("uptime_s").get_to(h.uptime_s);
  h.sensor_faults = j.value("faults", std::map<std::string, std::string>{});
}

std::vector<Observation> decode_batch(const std::string &body, Batch &out) {
  out = json::parse(body).get<Batch>();
  return out.observations;
}

std::string encode_station(const StationInfo &s, const Calibration &cal) {
  json j = s;
  j["calibration"] = cal;
  return j.dump();
}

std::string encode_health(const HealthReport &h) { return json(h).dump(); }

} // namespace wx
