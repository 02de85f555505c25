// checks: errorshield-json-field-coverage
// Apiary gateway: collects hive sensor telemetry from field gateways and fans
// it out to dashboard clients over WebSocket.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

namespace apiary {

using json = nlohmann::json;

struct FrameWeight {
  int frame_index = 0;
  double grams = 0.0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(FrameWeight, frame_index, grams)

struct HiveReading {
  std::string hive_id;
  std::int64_t ts_ms = 0;
  double brood_temp_c = 0.0;
  double humidity_pct = 0.0;
  double ambient_temp_c = 0.0;
  int battery_mv = 0;
  std::vector<FrameWeight> frames;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(HiveReading, hive_id, ts_ms, brood_temp_c, humidity_pct, ambient_temp_c, frames) // expect: errorshield-json-field-coverage

struct AcousticSample {
  std::string hive_id;
  std::int64_t ts_ms = 0;
  double dominant_hz = 0.0;
  double rms_db = 0.0;
  bool queen_piping = false;
};

void to_json(json& j, const AcousticSample& s) { // expect: errorshield-json-field-coverage
  j = json{{"hive", s.hive_id},
           {"ts", s.ts_ms},
           {"hz", s.dominant_hz},
           {"piping", s.queen_piping}};
}

void from_json(const json& j, AcousticSample& s) {
  j.at("hive").get_to(s.hive_id);
  j.at("ts").get_to(s.ts_ms);
  j.at("hz").get_to(s.dominant_hz);
  s.rms_db = j.value("rms", 0.0);
  s.queen_piping = j.value("piping", false);
}

struct GatewayStatus {
  std::string gateway_id;
  std::string firmware;
  int rssi_dbm = 0;
  std::uint32_t uptime_s = 0;
  std::optional<double> solar_v;
};

// OK: every member is written; the optional one only when present.
void to_json(json& j, const GatewayStatus& g) {
  j["gateway"] = g.gateway_id;
  j["fw"] = g.firmware;
  j["rssi"] = g.rssi_dbm;
  j["uptime"] = g.uptime_s;
  if (g.solar_v)
    j["solar_v"] = *g.solar_v;
}

void from_json(const json& j, GatewayStatus& g) { // expect: errorshield-json-field-coverage
  j.at("gateway").get_to(g.gateway_id);
  g.rssi_dbm = j.value("rssi", -120);
  g.uptime_s = j.value("uptime", 0u);
  if (auto it = j.find("solar_v"); it != j.end() && !it->is_null())
    g.solar_v = it->get<double>();
  else
    g.solar_v.reset();
}

struct SwarmAlert {
  std::string hive_id;
  std::int64_t raised_ms = 0;
  int confidence_pct = 0;
  std::string reason;

  static constexpr int kSchema = 3; // not an instance field

  NLOHMANN_DEFINE_TYPE_INTRUSIVE(SwarmAlert, hive_id, raised_ms, confidence_pct, reason)
};

struct InspectionNote {
  std::string hive_id;
  std::string inspector;
  bool queen_seen = false;
  int brood_frames = 0;
  int honey_frames = 0;
  std::string notes;
};

namespace detail {
inline void write_colony(json& j, const InspectionNote& n) {
  j["queen_seen"] = n.queen_seen;
  j["brood_frames"] = n.brood_frames;
  j["honey_frames"] = n.honey_frames;
}
} // namespace detail

// OK: the colony fields are written by the helper above.
void to_json(json& j, const InspectionNote& n) {
  j = json::object();
  j["hive"] = n.hive_id;
  j["by"] = n.inspector;
  detail::write_colony(j, n);
  j["notes"] = n.notes;
}

template <class Payload>
struct Envelope {
  std::string kind;
  std::uint64_t seq = 0;
  std::string gateway_id;
  Payload payload;
};

template <class Payload>
void to_json(json& j, const Envelope<Payload>& e) { // expect: errorshield-json-field-coverage
  j = json{{"kind", e.kind}, {"gw", e.gateway_id}, {"data", e.payload}};
}

template <class Payload>
void from_json(const json& j, Envelope<Payload>& e) {
  j.at("kind").get_to(e.kind);
  j.at("seq").get_to(e.seq);
  j.at("gw").get_to(e.gateway_id);
  j.at("data").get_to(e.payload);
}

} // namespace apiary

namespace queens {
struct QueenRecord {
  std::string queen_id;
  std::string hive_id;
  int year_born = 0;
  std::string marking_colour;
  std::string lineage;
};
} // namespace queens

namespace nlohmann {
template <>
struct adl_serializer<queens::QueenRecord> {
  static void to_json(json& j, const queens::QueenRecord& q) { // expect: errorshield-json-field-coverage
    j = json{{"id", q.queen_id},
             {"hive", q.hive_id},
             {"born", q.year_born},
             {"lineage", q.lineage}};
  }
  static void from_json(const json& j, queens::QueenRecord& q) {
    q.queen_id = j.at("id").get<std::string>();
    q.hive_id = j.at("hive").get<std::string>();
    q.year_born = j.value("born", 0);
    q.marking_colour = j.value("mark", std::string{});
    q.lineage = j.value("lineage", std::string{});
  }
};
} // namespace nlohmann

namespace apiary {

class DashboardSession : public std::enable_shared_from_this<DashboardSession> {
public:
  explicit DashboardSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(64 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->flush();
    });
  }

  void push(const json& msg) {
    outbox_.push_back(msg.dump());
    if (outbox_.size() == 1)
      flush();
  }

private:
  void flush() {
    if (outbox_.empty())
      return;
    ws_.text(true);
    ws_.async_write(net::buffer(outbox_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec)
                        return;
                      self->outbox_.pop_front();
                      self->flush();
                    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::deque<std::string> outbox_;
};

class TelemetryHub {
public:
  void on_gateway_frame(const std::string& raw) {
    json in = json::parse(raw, nullptr, false);
    if (in.is_discarded() || !in.contains("kind"))
      return;
    const auto kind = in["kind"].get<std::string>();
    if (kind == "reading") {
      auto env = in.get<Envelope<HiveReading>>();
      broadcast(json(env));
    } else if (kind == "acoustic") {
      auto env = in.get<Envelope<AcousticSample>>();
      if (env.payload.queen_piping)
        broadcast(json(SwarmAlert{env.payload.hive_id, env.payload.ts_ms, 80, "piping"}));
      broadcast(json(env));
    } else if (kind == "status") {
      auto st = in.at("data").get<GatewayStatus>();
      broadcast(json{{"kind", "status"}, {"data", st}});
    }
  }

  void add(std::shared_ptr<DashboardSession> s) {
    std::lock_guard lk(mu_);
    sessions_.push_back(std::move(s));
  }

private:
  void broadcast(const json& msg) {
    std::lock_guard lk(mu_);
    for (auto& s : sessions_)
      s->push(msg);
  }

  std::mutex mu_;
  std::vector<std::shared_ptr<DashboardSession>> sessions_;
};

} // namespace apiary
