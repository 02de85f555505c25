// checks: errorshield-json-field-coverage
// Smart-home hub: the mobile app talks to the hub over a websocket; device
// state, scenes and lock events are exchanged as JSON. The session is a C++20
// coroutine; device types carry their own nlohmann mappings.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace hub {

enum class hvac_mode { off, heat, cool, auto_mode };
NLOHMANN_JSON_SERIALIZE_ENUM(hvac_mode, {{hvac_mode::off, "off"},
                                         {hvac_mode::heat, "heat"},
                                         {hvac_mode::cool, "cool"},
                                         {hvac_mode::auto_mode, "auto"}})

class thermostat_state {
public:
  thermostat_state() = default;
  const std::string& id() const { return device_id; }
  void set_target(double c) { target_c = c; }

  NLOHMANN_DEFINE_TYPE_INTRUSIVE(thermostat_state, device_id, current_c, target_c, mode)  // expect: errorshield-json-field-coverage

private:
  std::string device_id;
  double current_c = 20.0;
  double target_c = 21.0;
  hvac_mode mode = hvac_mode::off;
  double humidity_pct = 45.0;
};

// Eco schedule: copy-pasted from the thermostat mapping.
struct eco_schedule {
  std::string device_id;
  double eco_target_c = 17.0;
  int start_minute = 0;
  int end_minute = 0;
};

void to_json(json& j, const eco_schedule& e) {
  j = {{"device_id", e.device_id},
       {"eco_target_c", e.eco_target_c},
       {"start_minute", e.start_minute},
       {"end_minute", e.end_minute}};
}

void from_json(const json& j, eco_schedule& e) {
  j.at("device_id").get_to(e.device_id);
  e.eco_target_c = j.at("target_c").get<double>();  // expect: errorshield-json-field-coverage
  j.at("start_minute").get_to(e.start_minute);
  j.at("end_minute").get_to(e.end_minute);
}

struct rgb {
  std::uint8_t r = 255, g = 255, b = 255;
};

struct light_state {
  std::string device_id;
  bool on = false;
  int brightness = 100;
  rgb color;
  std::optional<int> color_temp_k;
};

// Colour is nested and optional colour temperature is omitted when unset;
// both directions cover every member.
void to_json(json& j, const light_state& l) {
  j["device_id"] = l.device_id;
  j["on"] = l.on;
  j["brightness"] = l.brightness;
  j["color"] = {{"r", l.color.r}, {"g", l.color.g}, {"b", l.color.b}};
  if (l.color_temp_k) j["color_temp_k"] = *l.color_temp_k;
}

void from_json(const json& j, light_state& l) {
  j.at("device_id").get_to(l.device_id);
  l.on = j.value("on", false);
  l.brightness = j.value("brightness", 100);
  const auto& c = j.at("color");
  c.at("r").get_to(l.color.r);
  c.at("g").get_to(l.color.g);
  c.at("b").get_to(l.color.b);
  if (auto it = j.find("color_temp_k"); it != j.end()) l.color_temp_k = it->get<int>();
}

struct dimmer_state {
  std::string device_id;
  int level = 0;
  int fade_ms = 0;
};

void to_json(json& j, const dimmer_state& d) {
  j = {{"device_id", d.device_id}, {"brightness", d.level}, {"fade_ms", d.fade_ms}};
}

void from_json(const json& j, dimmer_state& d) {
  j.at("device_id").get_to(d.device_id);
  d.level = j.value("level", 0);  // expect: errorshield-json-field-coverage
  d.fade_ms = j.value("fade_ms", 0);
}

struct scene_action {
  std::string device_id;
  json desired;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(scene_action, device_id, desired)

struct scene {
  std::string id;
  std::string name;
  std::vector<scene_action> actions;
  int transition_ms = 0;
};

void to_json(json& j, const scene& s) {  // expect: errorshield-json-field-coverage
  j = {{"id", s.id}, {"name", s.name}, {"actions", s.actions}};
}

void from_json(const json& j, scene& s) {
  j.at("id").get_to(s.id);
  j.at("name").get_to(s.name);
  j.at("actions").get_to(s.actions);
  s.transition_ms = j.value("transition_ms", 0);
}

struct lock_event {
  std::string lock_id;
  std::string user;
  bool locked = true;
  std::int64_t at_ms = 0;
  int battery_pct = 100;
};

}  // namespace hub

namespace nlohmann {
template <>
struct adl_serializer<hub::lock_event> {
  static void to_json(json& j, const hub::lock_event& e) {
    j = {{"lock_id", e.lock_id},
         {"user", e.user},
         {"locked", e.locked},
         {"at_ms", e.at_ms},
         {"battery_pct", e.battery_pct}};
  }
  static void from_json(const json& j, hub::lock_event& e) {  // expect: errorshield-json-field-coverage
    j.at("lock_id").get_to(e.lock_id);
    e.user = j.value("user", "");
    j.at("locked").get_to(e.locked);
    j.at("at_ms").get_to(e.at_ms);
  }
};
}  // namespace nlohmann

// ---------------------------------------------------------------------------

struct device_registry {
  std::map<std::string, hub::thermostat_state> thermostats;
  std::map<std::string, hub::light_state> lights;
  std::map<std::string, hub::scene> scenes;
  std::vector<hub::lock_event> lock_log;
};

json handle_command(device_registry& reg, const json& cmd) {
  const auto type = cmd.value("type", "");
  if (type == "thermostat.set") {
    auto t = cmd.at("state").get<hub::thermostat_state>();
    reg.thermostats[t.id()] = t;
    return {{"ok", true}, {"state", t}};
  }
  if (type == "light.set") {
    auto l = cmd.at("state").get<hub::light_state>();
    reg.lights[l.device_id] = l;
    return {{"ok", true}, {"state", l}};
  }
  if (type == "dimmer.set") {
    auto d = cmd.at("state").get<hub::dimmer_state>();
    return {{"ok", true}, {"state", d}};
  }
  if (type == "scene.save") {
    auto s = cmd.at("scene").get<hub::scene>();
    reg.scenes[s.id] = s;
    return {{"ok", true}};
  }
  if (type == "eco.set") {
    auto e = cmd.at("schedule").get<hub::eco_schedule>();
    return {{"ok", true}, {"schedule", e}};
  }
  if (type == "lock.event") {
    reg.lock_log.push_back(cmd.at("event").get<hub::lock_event>());
    return {{"ok", true}, {"event", reg.lock_log.back()}};
  }
  return {{"ok", false}, {"error", "unknown type"}};
}

awaitable<void> app_session(tcp::socket sock, device_registry& reg) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(64 * 1024);
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    json cmd = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    json reply = cmd.is_discarded() ? json{{"ok", false}} : handle_command(reg, cmd);
    const std::string out = reply.dump();
    co_await ws.async_write(asio::buffer(out), use_awaitable);
  }
}

awaitable<void> listen(tcp::acceptor acc, device_registry& reg) {
  for (;;) {
    auto s = co_await acc.async_accept(use_awaitable);
    asio::co_spawn(acc.get_executor(), app_session(std::move(s), reg), asio::detached);
  }
}
