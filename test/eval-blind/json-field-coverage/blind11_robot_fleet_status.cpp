// checks: errorshield-json-field-coverage
// Fleet status API for the warehouse AMR fleet: robots push heartbeats, the
// WMS pulls status pages and posts mission assignments.
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
using json = nlohmann::json;

namespace fleet {

enum class RobotState { idle, navigating, picking, charging, faulted };

NLOHMANN_JSON_SERIALIZE_ENUM(RobotState, {
                                             {RobotState::idle, "idle"},
                                             {RobotState::navigating, "navigating"},
                                             {RobotState::picking, "picking"},
                                             {RobotState::charging, "charging"},
                                             {RobotState::faulted, "faulted"},
                                         })

struct Pose {
  double x_m = 0.0;
  double y_m = 0.0;
  double heading_deg = 0.0;
  std::string floor_id;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Pose, x_m, y_m, heading_deg, floor_id)

struct BatteryReport {
  std::string robot_id;
  int charge_pct = 0;
  int voltage_mv = 0;
  std::uint32_t cycle_count = 0;
  bool docked = false;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(BatteryReport, robot_id, charge_pct, voltage_mv, docked) // expect: errorshield-json-field-coverage

struct RobotStatus {
  std::string robot_id;
  std::string model;
  RobotState state = RobotState::idle;
  Pose pose;
  int battery_pct = 0;
  std::optional<std::string> current_task;
  std::uint32_t fault_code = 0;
  std::int64_t last_seen_ms = 0;
};

void to_json(json &j, const RobotStatus &r) { // expect: errorshield-json-field-coverage
  j = json{{"robot_id", r.robot_id},
           {"model", r.model},
           {"state", r.state},
           {"pose", r.pose},
           {"battery_pct", r.battery_pct},
           {"last_seen_ms", r.last_seen_ms}};
  if (r.current_task)
    j["current_task"] = *r.current_task;
  else
    j["current_task"] = nullptr;
}

void from_json(const json &j, RobotStatus &r) {
  j.at("robot_id").get_to(r.robot_id);
  j.at("model").get_to(r.model);
  j.at("state").get_to(r.state);
  auto &p = r.pose;
  j.at("pose").get_to(p);
  r.battery_pct = std::clamp(j.at("battery_pct").get<int>(), 0, 100);
  if (auto it = j.find("current_task"); it != j.end() && !it->is_null())
    r.current_task = it->get<std::string>();
  else
    r.current_task.reset();
  r.fault_code = j.value("fault_code", 0u);
  r.last_seen_ms = j.value("last_seen_ms", std::int64_t{0});
}

struct MissionAssignment {
  std::string mission_id;
  std::string robot_id;
  std::vector<std::string> waypoints;
  int priority = 0;
  std::int64_t deadline_ms = 0;
};

void to_json(json &j, const MissionAssignment &m) {
  j["mission_id"] = m.mission_id;
  j["robot_id"] = m.robot_id;
  j["waypoints"] = m.waypoints;
  j["priority"] = m.priority;
  j["deadline_ms"] = m.deadline_ms;
}

void from_json(const json &j, MissionAssignment &m) { // expect: errorshield-json-field-coverage
  m.mission_id = j.at("mission_id").get<std::string>();
  m.robot_id = j.at("robot_id").get<std::string>();
  m.waypoints = j.at("waypoints").get<std::vector<std::string>>();
  m.deadline_ms = j.value("deadline_ms", std::int64_t{0});
}

struct ZoneInfo {
  static constexpr int kSchemaVersion = 2;
  std::string zone_id;
  std::string name;
  int max_robots = 0;
  bool restricted = false;
};

namespace {
void write_limits(json &j, const ZoneInfo &z) {
  j["limits"] = {{"max_robots", z.max_robots}, {"restricted", z.restricted}};
}
} // namespace

void to_json(json &j, const ZoneInfo &z) {
  j = json{{"schema", ZoneInfo::kSchemaVersion}, {"zone_id", z.zone_id}, {"name", z.name}};
  write_limits(j, z);
}

void from_json(const json &j, ZoneInfo &z) {
  j.at("zone_id").get_to(z.zone_id);
  j.at("name").get_to(z.name);
  const auto &lim = j.at("limits");
  lim.at("max_robots").get_to(z.max_robots);
  z.restricted = lim.value("restricted", false);
}

class ChargerDock {
public:
  ChargerDock() = default;
  ChargerDock(std::string id, int slots, std::string fw)
      : dock_id_(std::move(id)), slot_count_(slots), firmware_(std::move(fw)) {}

  bool has_free_slot() const { return occupied_ < slot_count_; }
  void occupy() { ++occupied_; }
  void release() { occupied_ = std::max(0, occupied_ - 1); }
  const std::string &id() const { return dock_id_; }

private:
  std::string dock_id_;
  int slot_count_ = 0;
  int occupied_ = 0;
  std::string firmware_;

  NLOHMANN_DEFINE_TYPE_INTRUSIVE(ChargerDock, dock_id_, slot_count_, occupied_) // expect: errorshield-json-field-coverage
};

struct FleetSummary {
  int robots_total = 0;
  int robots_active = 0;
  int robots_faulted = 0;
  int docks_free = 0;
  std::string site;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(FleetSummary, robots_total, robots_active,
                                                robots_faulted, docks_free, site)

template <class T> struct Page {
  std::vector<T> items;
  std::size_t total = 0;
  std::string next_cursor;
};

template <class T> void to_json(json &j, const Page<T> &p) { // expect: errorshield-json-field-coverage
  j = json::object();
  j["items"] = p.items;
  j["total"] = p.total;
}

// Internal bookkeeping only, never serialised.
struct HeartbeatWindow {
  std::int64_t first_ms = 0;
  std::int64_t last_ms = 0;
  int missed = 0;
};

class FleetRegistry {
public:
  void upsert(RobotStatus s) {
    std::lock_guard lk(mu_);
    auto &hb = windows_[s.robot_id];
    if (hb.first_ms == 0)
      hb.first_ms = s.last_seen_ms;
    hb.last_ms = s.last_seen_ms;
    robots_[s.robot_id] = std::move(s);
  }

  Page<RobotStatus> page(std::size_t offset, std::size_t limit) const {
    std::lock_guard lk(mu_);
    Page<RobotStatus> out;
    out.total = robots_.size();
    std::size_t i = 0;
    for (const auto &[id, st] : robots_) {
      if (i >= offset && out.items.size() < limit)
        out.items.push_back(st);
      ++i;
    }
    if (offset + limit < robots_.size())
      out.next_cursor = std::to_string(offset + limit);
    return out;
  }

  FleetSummary summary(std::string_view site) const {
    std::lock_guard lk(mu_);
    FleetSummary s;
    s.site = std::string(site);
    for (const auto &[id, st] : robots_) {
      ++s.robots_total;
      if (st.state == RobotState::faulted)
        ++s.robots_faulted;
      else if (st.state != RobotState::idle)
        ++s.robots_active;
    }
    return s;
  }

private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, RobotStatus> robots_;
  std::unordered_map<std::string, HeartbeatWindow> windows_;
};

http::response<http::string_body> make_json(const http::request<http::string_body> &req,
                                            http::status st, const json &body) {
  http::response<http::string_body> res{st, req.version()};
  res.set(http::field::content_type, "application/json");
  res.keep_alive(req.keep_alive());
  res.body() = body.dump();
  res.prepare_payload();
  return res;
}

http::response<http::string_body> handle(const http::request<http::string_body> &req,
                                         FleetRegistry &reg) {
  const std::string_view target = req.target();
  try {
    if (req.method() == http::verb::get && target.starts_with("/v1/robots"))
      return make_json(req, http::status::ok, reg.page(0, 50));
    if (req.method() == http::verb::get && target == "/v1/summary")
      return make_json(req, http::status::ok, reg.summary("DC-07"));
    if (req.method() == http::verb::post && target == "/v1/heartbeat") {
      auto st = json::parse(req.body()).get<RobotStatus>();
      reg.upsert(std::move(st));
      return make_json(req, http::status::accepted, {{"ok", true}});
    }
    if (req.method() == http::verb::post && target == "/v1/battery") {
      auto rep = json::parse(req.body()).get<BatteryReport>();
      return make_json(req, http::status::accepted, rep);
    }
    if (req.method() == http::verb::post && target == "/v1/missions") {
      auto m = json::parse(req.body()).get<MissionAssignment>();
      return make_json(req, http::status::created, m);
    }
  } catch (const json::exception &e) {
    return make_json(req, http::status::bad_request, {{"error", e.what()}});
  }
  return make_json(req, http::status::not_found, {{"error", "no route"}});
}

} // namespace fleet
