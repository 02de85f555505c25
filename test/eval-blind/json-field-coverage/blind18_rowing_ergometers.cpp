// checks: errorshield-json-field-coverage
// Boathouse erg hub: collects stroke data from the indoor rowing machines over
// the local network, keeps per-athlete sessions and publishes results to the
// club's training log as JSON.

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using nlohmann::json;

namespace erg {

// Timestamped value as reported by the monitor firmware.
template <typename T>
struct Sample {
  std::uint32_t sequence = 0;
  std::int64_t monitor_ms = 0;
  T value{};
};

template <typename T>
void to_json(json& j, const Sample<T>& s) { // expect: errorshield-json-field-coverage
  j = json{{"t", s.monitor_ms}, {"v", s.value}};
}

template <typename T>
void from_json(const json& j, Sample<T>& s) {
  s.sequence = j.at("seq").get<std::uint32_t>();
  s.monitor_ms = j.at("t").get<std::int64_t>();
  s.value = j.at("v").get<T>();
}

struct Stroke {
  double drive_seconds = 0;
  double recovery_seconds = 0;
  double peak_force_newton = 0;
  int watts = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Stroke, drive_seconds, recovery_seconds, peak_force_newton, watts)

class Ergometer {
public:
  Ergometer() = default;
  Ergometer(std::string serial, std::string model) : serial_(std::move(serial)), model_(std::move(model)) {}

  const std::string& serial() const { return serial_; }
  int drag_factor() const { return drag_factor_; }
  void set_drag_factor(int df) { drag_factor_ = df; }

  NLOHMANN_DEFINE_TYPE_INTRUSIVE(Ergometer, serial_, model_, firmware_, bay_number_) // expect: errorshield-json-field-coverage

private:
  std::string serial_;
  std::string model_;
  std::string firmware_;
  int bay_number_ = 0;
  int drag_factor_ = 120;
};

// Base result, shared by pieces rowed in training and in the winter erg race.
struct ErgResult {
  std::string athlete_id;
  int distance_m = 0;
  double elapsed_seconds = 0;
  int avg_watts = 0;
  int stroke_rate_spm = 0;
};

void to_json(json& j, const ErgResult& r) {
  j = json{{"athlete", r.athlete_id},
           {"distance", r.distance_m},
           {"elapsed", r.elapsed_seconds},
           {"watts", r.avg_watts},
           {"rate", r.stroke_rate_spm}};
}

void from_json(const json& j, ErgResult& r) {
  j.at("athlete").get_to(r.athlete_id);
  j.at("distance").get_to(r.distance_m);
  j.at("elapsed").get_to(r.elapsed_seconds);
  j.at("watts").get_to(r.avg_watts);
  j.at("rate").get_to(r.stroke_rate_spm);
}

struct TrainingPiece : ErgResult {
  std::string plan_id;
  int interval_index = 0;
};

void to_json(json& j, const TrainingPiece& p) {
  to_json(j, static_cast<const ErgResult&>(p));
  j["plan"] = p.plan_id;
  j["interval"] = p.interval_index;
}

void from_json(const json& j, TrainingPiece& p) {
  from_json(j, static_cast<ErgResult&>(p));
  p.plan_id = j.at("plan").get<std::string>();
  p.interval_index = j.at("interval").get<int>();
}

struct RaceResult : ErgResult {
  std::string event_code;
  int lane = 0;
  int placing = 0;
  std::string weight_class;
};

void to_json(json& j, const RaceResult& r) { // expect: errorshield-json-field-coverage
  j = json{{"event", r.event_code},
           {"lane", r.lane},
           {"place", r.placing},
           {"class", r.weight_class}};
}

// Heart-rate strap pairing; the hub keeps one per bay.
struct StrapPairing {
  std::string strap_mac;
  int bay_number = 0;
  int max_hr = 0;
  int resting_hr = 0;
};

namespace {
void read_zones(const json& j, StrapPairing& p) {
  p.max_hr = j.at("maxHr").get<int>();
  p.resting_hr = j.at("restHr").get<int>();
}
} // namespace

void from_json(const json& j, StrapPairing& p) {
  p.strap_mac = j.at("mac").get<std::string>();
  p.bay_number = j.at("bay").get<int>();
  read_zones(j, p);
}

void to_json(json& j, const StrapPairing& p) {
  j = {{"mac", p.strap_mac}, {"bay", p.bay_number}, {"maxHr", p.max_hr}, {"restHr", p.resting_hr}};
}

// Hub settings, kept on the SD card at /boot/erghub/settings.json so the
// coach can edit them without a rebuild.
struct HubSettings {
  std::string club_name = "Boathouse";
  std::string units = "metric";
  int split_distance_m = 500;
  int upload_interval_s = 30;
  std::string training_log_url = "http://traininglog.local/api/results";
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(HubSettings, club_name, split_distance_m, upload_interval_s, training_log_url) // expect: errorshield-json-field-coverage

HubSettings load_settings(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return HubSettings{};
  return json::parse(in).get<HubSettings>();
}

// CSV export for the coach's spreadsheet; only the columns the sheet uses.
std::string to_csv_row(const RaceResult& r) {
  std::ostringstream os;
  os << r.athlete_id << ',' << r.event_code << ',' << r.elapsed_seconds << ',' << r.placing;
  return os.str();
}

struct Session {
  std::string athlete_id;
  Ergometer machine;
  std::vector<Sample<Stroke>> strokes;
  std::vector<Sample<int>> heart_rate;
};

class ErgHub {
public:
  explicit ErgHub(HubSettings settings) : settings_(std::move(settings)) {}

  void on_monitor_frame(const std::string& serial, const std::string& payload) {
    json frame = json::parse(payload, nullptr, false);
    if (frame.is_discarded())
      return;

    std::lock_guard lk(mu_);
    auto it = sessions_.find(serial);
    if (it == sessions_.end())
      return;
    Session& s = *it->second;
    if (frame.value("kind", "") == "stroke")
      s.strokes.push_back(frame.at("sample").get<Sample<Stroke>>());
    else if (frame.value("kind", "") == "hr")
      s.heart_rate.push_back(frame.at("sample").get<Sample<int>>());
  }

  void start_session(const std::string& athlete, Ergometer machine) {
    auto s = std::make_unique<Session>();
    s->athlete_id = athlete;
    s->machine = std::move(machine);
    std::lock_guard lk(mu_);
    sessions_[s->machine.serial()] = std::move(s);
  }

  json live_board() const {
    json board = json::array();
    std::lock_guard lk(mu_);
    for (const auto& [serial, s] : sessions_) {
      // Scoreboard in the boathouse: last stroke only.
      json row;
      row["bay"] = serial;
      row["athlete"] = s->athlete_id;
      if (!s->strokes.empty())
        row["watts"] = s->strokes.back().value.watts;
      board.push_back(std::move(row));
    }
    return board;
  }

  http::request<http::string_body> make_upload(const RaceResult& r) const {
    http::request<http::string_body> req{http::verb::post, "/api/results", 11};
    req.set(http::field::host, "traininglog.local");
    req.set(http::field::content_type, "application/json");
    json body;
    body["club"] = settings_.club_name;
    body["result"] = r;
    req.body() = body.dump();
    req.prepare_payload();
    return req;
  }

  json export_session(const std::string& serial) const {
    std::lock_guard lk(mu_);
    auto it = sessions_.find(serial);
    if (it == sessions_.end())
      return nullptr;
    const Session& s = *it->second;
    return json{{"athlete", s.athlete_id},
                {"machine", s.machine},
                {"strokes", s.strokes},
                {"hr", s.heart_rate}};
  }

private:
  HubSettings settings_;
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Session>> sessions_;
};

} // namespace erg
