// checks: errorshield-json-field-coverage
// Dive computer log sync: the companion app uploads logs downloaded from a
// diver's computer; the service stores them and serves them back page by page.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace dive {

// ------------------------------------------------------------- wire models
struct GasMix {
  int oxygen_pct = 21;
  int helium_pct = 0;
  std::string label;
};

inline void to_json(json& j, const GasMix& g) {  // expect: errorshield-json-field-coverage
  j = json{{"o2", g.oxygen_pct}, {"label", g.label}};
}

inline void from_json(const json& j, GasMix& g) {
  j.at("o2").get_to(g.oxygen_pct);
  g.helium_pct = j.value("he", 0);
  g.label = j.value("label", std::string{});
}

struct DepthSample {
  int t_s = 0;
  double depth_m = 0;
  double temp_c = 0;
  int ndl_min = 0;
  double ppo2 = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(DepthSample, t_s, depth_m, temp_c, ndl_min, ppo2)

struct DecoStop {
  double depth_m = 0;
  int minutes = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(DecoStop, depth_m, minutes)

struct TankPressure {
  std::string tank_id;
  int start_bar = 0;
  int end_bar = 0;
  GasMix mix;
};

json tank_to_json(const TankPressure& t) {
  return json{{"tank", t.tank_id}, {"start_bar", t.start_bar}, {"end_bar", t.end_bar}, {"mix", t.mix}};
}

TankPressure parse_tank(const json& j) {
  TankPressure t;
  TankPressure* out = &t;
  out->tank_id = j.at("tank").get<std::string>();
  out->start_bar = j.at("start_bar").get<int>();
  out->end_bar = j.value("end_bar", out->start_bar);
  out->mix = j.at("mix").get<GasMix>();
  return t;
}

struct DiveLog {
  std::string dive_id;
  std::string computer_serial;
  std::int64_t started_at = 0;
  int duration_s = 0;
  double max_depth_m = 0;
  double avg_depth_m = 0;
  int surface_interval_min = 0;
  std::vector<TankPressure> tanks;
  std::vector<DepthSample> samples;
  std::vector<DecoStop> deco_stops;
  std::string notes;
};

inline void to_json(json& j, const DiveLog& d) {
  j["id"] = d.dive_id;
  j["serial"] = d.computer_serial;
  j["started_at"] = d.started_at;
  j["duration_s"] = d.duration_s;
  j["max_depth_m"] = d.max_depth_m;
  j["avg_depth_m"] = d.avg_depth_m;
  j["si_min"] = d.surface_interval_min;
  j["tanks"] = json::array();
  for (const auto& t : d.tanks) j["tanks"].push_back(tank_to_json(t));
  j["samples"] = d.samples;
  j["deco"] = d.deco_stops;
  j["notes"] = d.notes;
}

inline void from_json(const json& j, DiveLog& d) {  // expect: errorshield-json-field-coverage
  j.at("id").get_to(d.dive_id);
  j.at("serial").get_to(d.computer_serial);
  j.at("started_at").get_to(d.started_at);
  j.at("duration_s").get_to(d.duration_s);
  j.at("max_depth_m").get_to(d.max_depth_m);
  d.avg_depth_m = j.value("avg_depth_m", 0.0);
  d.surface_interval_min = j.value("si_min", 0);
  d.tanks.clear();
  for (const auto& t : j.value("tanks", json::array())) d.tanks.push_back(parse_tank(t));
  j.at("samples").get_to(d.samples);
  d.notes = j.value("notes", std::string{});
}

struct DiverProfile {
  std::string diver_id;
  std::string display_name;
  std::string certification_level;
  int logged_dives = 0;
  bool nitrox_certified = false;
  double gradient_factor_low = 0.3;
  double gradient_factor_high = 0.85;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DiverProfile, diver_id, display_name, certification_level, logged_dives, gradient_factor_low, gradient_factor_high)  // expect: errorshield-json-field-coverage

class DeviceRecord {
 public:
  DeviceRecord() = default;
  DeviceRecord(std::string serial, std::string model, std::string fw)
      : serial_(std::move(serial)), model_(std::move(model)), firmware_(std::move(fw)) {}
  const std::string& serial() const { return serial_; }
  void mark_synced(std::int64_t at) { last_sync_epoch_ = at; }
  std::int64_t last_sync() const { return last_sync_epoch_; }

  NLOHMANN_DEFINE_TYPE_INTRUSIVE(DeviceRecord, serial_, model_, firmware_)  // expect: errorshield-json-field-coverage

 private:
  std::string serial_;
  std::string model_;
  std::string firmware_;
  std::int64_t last_sync_epoch_ = 0;
};

struct ComputerInfo {
  std::string serial;
  std::string model;
};

struct PairedComputer : ComputerInfo {
  std::string diver_id;
  std::int64_t paired_at = 0;
};

inline void to_json(json& j, const ComputerInfo& c) { j = json{{"serial", c.serial}, {"model", c.model}}; }
inline void from_json(const json& j, ComputerInfo& c) {
  j.at("serial").get_to(c.serial);
  j.at("model").get_to(c.model);
}

inline void to_json(json& j, const PairedComputer& p) {
  to_json(j, static_cast<const ComputerInfo&>(p));
  j["diver"] = p.diver_id;
  j["paired_at"] = p.paired_at;
}

inline void from_json(const json& j, PairedComputer& p) {
  from_json(j, static_cast<ComputerInfo&>(p));
  j.at("diver").get_to(p.diver_id);
  p.paired_at = j.value("paired_at", std::int64_t{0});
}

struct SyncCursor {
  static constexpr int kSchemaVersion = 3;
  std::string device_serial;
  std::int64_t after_started_at = 0;
  bool empty() const { return device_serial.empty(); }
};

inline void to_json(json& j, const SyncCursor& c) {
  j = json{{"v", SyncCursor::kSchemaVersion}, {"dev", c.device_serial}, {"after", c.after_started_at}};
}

inline void from_json(const json& j, SyncCursor& c) {
  c.device_serial = j.value("dev", std::string{});
  c.after_started_at = j.value("after", std::int64_t{0});
}

template <class T>
struct Page {
  std::vector<T> items;
  std::string next_cursor;
  std::size_t total = 0;
};

template <class T>
void to_json(json& j, const Page<T>& p) {  // expect: errorshield-json-field-coverage
  j = json{{"items", p.items}, {"next", p.next_cursor}};
}

// ------------------------------------------------------------------ store
class LogStore {
 public:
  void put(DiveLog log) {
    std::lock_guard lock(mu_);
    logs_[log.computer_serial][log.started_at] = std::move(log);
  }
  Page<DiveLog> page(const SyncCursor& cur, std::size_t limit) const {
    std::lock_guard lock(mu_);
    Page<DiveLog> out;
    auto dev = logs_.find(cur.device_serial);
    if (dev == logs_.end()) return out;
    out.total = dev->second.size();
    for (auto it = dev->second.upper_bound(cur.after_started_at); it != dev->second.end(); ++it) {
      if (out.items.size() == limit) {
        out.next_cursor = json(SyncCursor{cur.device_serial, out.items.back().started_at}).dump();
        break;
      }
      out.items.push_back(it->second);
    }
    return out;
  }
  void upsert_device(DeviceRecord d) {
    std::lock_guard lock(mu_);
    devices_[d.serial()] = std::move(d);
  }
  std::vector<DeviceRecord> devices() const {
    std::lock_guard lock(mu_);
    std::vector<DeviceRecord> out;
    for (const auto& [_, d] : devices_) out.push_back(d);
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::map<std::int64_t, DiveLog>> logs_;
  std::map<std::string, DeviceRecord> devices_;
};

// ------------------------------------------------------------------ http
class SyncSession : public std::enable_shared_from_this<SyncSession> {
 public:
  SyncSession(tcp::socket&& s, LogStore& store) : stream_(std::move(s)), store_(store) {}
  void run() { do_read(); }

 private:
  void do_read() {
    req_ = {};
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, req_, beast::bind_front_handler(&SyncSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    http::status status = http::status::ok;
    json body;
    try {
      body = route();
    } catch (const json::exception& e) {
      status = http::status::bad_request;
      body = json{{"error", e.what()}};
    }
    res_ = http::response<http::string_body>{status, req_.version()};
    res_.set(http::field::content_type, "application/json");
    res_.keep_alive(req_.keep_alive());
    res_.body() = body.dump();
    res_.prepare_payload();
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code wec, std::size_t) {
      if (!wec && self->res_.keep_alive()) self->do_read();
    });
  }

  json route() {
    const auto target = req_.target();
    if (req_.method() == http::verb::post && target == "/v1/logs") {
      auto log = json::parse(req_.body()).get<DiveLog>();
      store_.put(log);
      return json{{"stored", log.dive_id}};
    }
    if (req_.method() == http::verb::post && target == "/v1/pair") {
      auto paired = json::parse(req_.body()).get<PairedComputer>();
      store_.upsert_device(DeviceRecord(paired.serial, paired.model, "unknown"));
      return paired;
    }
    if (req_.method() == http::verb::post && target == "/v1/logs/page") {
      auto cursor = json::parse(req_.body()).get<SyncCursor>();
      return store_.page(cursor, 50);
    }
    if (target == "/v1/devices") return store_.devices();
    if (req_.method() == http::verb::put && target == "/v1/diver") {
      auto profile = json::parse(req_.body()).get<DiverProfile>();
      return profile;
    }
    throw json::other_error::create(501, "unknown route", nullptr);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
  LogStore& store_;
};

}  // namespace dive

int main() {
  net::io_context ioc{2};
  dive::LogStore store;
  tcp::acceptor acceptor(ioc, {tcp::v4(), 8088});
  std::function<void()> accept_next = [&] {
    acceptor.async_accept(net::make_strand(ioc), [&](beast::error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<dive::SyncSession>(std::move(s), store)->run();
      accept_next();
    });
  };
  accept_next();
  ioc.run();
}
