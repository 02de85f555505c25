// checks: errorshield-json-field-coverage
// Service-park telemetry relay: cars send JSON frames over UDP from the stage,
// engineers watch them live on a WebSocket feed.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using udp = asio::ip::udp;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace telem {

enum class Surface { gravel, tarmac, snow, mixed };
NLOHMANN_JSON_SERIALIZE_ENUM(Surface, {{Surface::gravel, "gravel"},
                                       {Surface::tarmac, "tarmac"},
                                       {Surface::snow, "snow"},
                                       {Surface::mixed, "mixed"}})

struct GpsFix {
  double lat = 0;
  double lon = 0;
  float alt_m = 0;
  std::uint8_t sats = 0;
};

struct DamperSetup {
  int bump_fl = 0, bump_fr = 0, bump_rl = 0, bump_rr = 0;
  int rebound_front = 0, rebound_rear = 0;
};

} // namespace telem

namespace nlohmann {
template <>
struct adl_serializer<telem::GpsFix> {
  static void to_json(json& j, const telem::GpsFix& g) {
    j = json{{"lat", g.lat}, {"lon", g.lon}, {"alt", g.alt_m}, {"sats", g.sats}};
  }
  static void from_json(const json& j, telem::GpsFix& g) {
    g.lat = j.at("lat").get<double>();
    g.lon = j.at("lon").get<double>();
    g.alt_m = j.value("alt", 0.0f);
    g.sats = j.value("sats", std::uint8_t{0});
  }
};

template <>
struct adl_serializer<telem::DamperSetup> {
  static void to_json(json& j, const telem::DamperSetup& d) { // expect: errorshield-json-field-coverage
    j["bump"] = {d.bump_fl, d.bump_fr, d.bump_rl, d.bump_rr};
    j["rebound_front"] = d.rebound_front;
  }
  static void from_json(const json& j, telem::DamperSetup& d) {
    auto b = j.at("bump");
    d.bump_fl = b.at(0).get<int>();
    d.bump_fr = b.at(1).get<int>();
    d.bump_rl = b.at(2).get<int>();
    d.bump_rr = b.at(3).get<int>();
    d.rebound_front = j.at("rebound_front").get<int>();
    d.rebound_rear = j.at("rebound_rear").get<int>();
  }
};
} // namespace nlohmann

namespace telem {

struct TyreTemps {
  float fl = 0, fr = 0, rl = 0, rr = 0;
};

void to_json(json& j, const TyreTemps& t) { // expect: errorshield-json-field-coverage
  j = json{{"fl", t.fl}, {"fr", t.fr}, {"rl", t.rl}};
}

void from_json(const json& j, TyreTemps& t) {
  j.at("fl").get_to(t.fl);
  j.at("fr").get_to(t.fr);
  j.at("rl").get_to(t.rl);
  j.at("rr").get_to(t.rr);
}

// Car frames are bandwidth constrained, so keys are abbreviated on the wire.
struct CarFrame {
  int car_no = 0;
  std::uint32_t seq = 0;
  float speed_kph = 0;
  int rpm = 0;
  int gear = 0;
  float throttle = 0;
  float brake_bar = 0;
  TyreTemps tyres;
  GpsFix gps;
};

void to_json(json& j, const CarFrame& f) {
  j = json{{"car", f.car_no}, {"seq", f.seq},      {"spd", f.speed_kph}, {"rpm", f.rpm},  {"g", f.gear},
           {"thr", f.throttle}, {"brk", f.brake_bar}, {"tyr", f.tyres},    {"gps", f.gps}};
}

void from_json(const json& j, CarFrame& f) { // expect: errorshield-json-field-coverage
  f.car_no = j.at("car").get<int>();
  f.seq = j.at("seq").get<std::uint32_t>();
  f.speed_kph = j.at("spd").get<float>();
  f.rpm = j.at("rpm").get<int>();
  f.gear = j.at("g").get<int>();
  f.throttle = j.value("thr", 0.0f);
  j.at("tyr").get_to(f.tyres);
  j.at("gps").get_to(f.gps);
}

struct StageInfo {
  std::string stage_id; // "SS7"
  std::string name;
  double length_km = 0;
  Surface surface = Surface::gravel;
  std::string start_time;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(StageInfo, stage_id, name, length_km, surface, start_time)

struct SplitTime {
  int car_no = 0;
  std::string stage_id;
  int split_index = 0;
  std::int64_t elapsed_ms = 0;
  std::int64_t delta_ms = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SplitTime, car_no, stage_id, split_index, elapsed_ms) // expect: errorshield-json-field-coverage

// Rolling window of samples for a single channel (oil temp, boost, ...).
template <class T>
class Channel {
public:
  std::string name;
  std::string unit;
  std::vector<T> samples;
  int rate_hz = 50;

  NLOHMANN_DEFINE_TYPE_INTRUSIVE(Channel, name, samples, rate_hz) // expect: errorshield-json-field-coverage
};

} // namespace telem

// Compact line for the timing screen; deliberately only a few numbers.
static json dashboard_line(const telem::CarFrame& f) {
  return json{{"car", f.car_no}, {"spd", f.speed_kph}, {"gear", f.gear}};
}

class EngineerFeed {
public:
  explicit EngineerFeed(asio::io_context& ioc) : udp_(ioc, udp::endpoint(udp::v4(), 47000)) {}

  void add(std::shared_ptr<websocket::stream<beast::tcp_stream>> ws) { viewers_.push_back(std::move(ws)); }

  void start() { receive(); }

private:
  void receive() {
    udp_.async_receive_from(asio::buffer(rx_), from_, [this](beast::error_code ec, std::size_t n) {
      if (ec) {
        std::cerr << "udp: " << ec.message() << "\n";
        return;
      }
      auto j = json::parse(rx_.data(), rx_.data() + n, nullptr, false);
      if (!j.is_discarded() && j.is_object()) {
        try {
          auto frame = j.get<telem::CarFrame>();
          last_[frame.car_no] = frame;
          fanout(dashboard_line(frame).dump());
        } catch (const json::exception& e) {
          std::cerr << "bad frame: " << e.what() << "\n";
        }
      }
      receive();
    });
  }

  void fanout(const std::string& line) {
    auto shared = std::make_shared<std::string>(line);
    for (auto& v : viewers_)
      v->async_write(asio::buffer(*shared), [shared](beast::error_code, std::size_t) {});
  }

  udp::socket udp_;
  udp::endpoint from_;
  std::array<char, 2048> rx_{};
  std::map<int, telem::CarFrame> last_;
  std::vector<std::shared_ptr<websocket::stream<beast::tcp_stream>>> viewers_;
};

int main() {
  asio::io_context ioc;
  EngineerFeed feed(ioc);
  feed.start();

  telem::StageInfo ss{"SS7", "Ouninpohja", 33.0, telem::Surface::gravel, "14:08"};
  telem::Channel<float> oil{"oil_temp", "C", {98.5f, 99.1f}, 10};
  telem::DamperSetup dampers{12, 12, 9, 9, 14, 11};
  telem::SplitTime split{17, "SS7", 2, 612340, -1200};
  json setup{{"stage", ss}, {"oil", oil}, {"dampers", dampers}, {"split", split}};
  std::cout << setup.dump(2) << "\n";

  ioc.run();
}
