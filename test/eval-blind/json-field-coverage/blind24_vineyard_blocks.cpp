// checks: errorshield-json-field-coverage
// Vineyard block records service: the field crew tablets sync block, soil,
// spray and harvest records to this service over HTTP as JSON.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace vineyard {

struct GeoPoint {
  double lat = 0;
  double lon = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(GeoPoint, lat, lon)

struct BlockRecord {
  std::string id;
  std::string variety;
  std::string clone;
  std::string rootstock;
  double area_ha = 0;
  double row_spacing_m = 0;
  double vine_spacing_m = 0;
  int planted_year = 0;
  bool irrigated = false;
  GeoPoint centroid;
};

void to_json(json& j, const BlockRecord& b) { // expect: errorshield-json-field-coverage
  j = json{{"id", b.id},
           {"variety", b.variety},
           {"clone", b.clone},
           {"area_ha", b.area_ha},
           {"row_spacing_m", b.row_spacing_m},
           {"vine_spacing_m", b.vine_spacing_m},
           {"planted_year", b.planted_year},
           {"irrigated", b.irrigated},
           {"centroid", b.centroid}};
}

void from_json(const json& j, BlockRecord& b) {
  j.at("id").get_to(b.id);
  j.at("variety").get_to(b.variety);
  j.at("clone").get_to(b.clone);
  j.at("rootstock").get_to(b.rootstock);
  j.at("area_ha").get_to(b.area_ha);
  j.at("row_spacing_m").get_to(b.row_spacing_m);
  j.at("vine_spacing_m").get_to(b.vine_spacing_m);
  j.at("planted_year").get_to(b.planted_year);
  b.irrigated = j.value("irrigated", false);
  b.centroid = j.at("centroid").get<GeoPoint>();
}

// Organic blocks carry their certification on top of the base record.
struct OrganicBlock : BlockRecord {
  std::string certifier;
  int certified_since = 0;
};

void to_json(json& j, const OrganicBlock& b) {
  to_json(j, static_cast<const BlockRecord&>(b));
  j["certifier"] = b.certifier;
  j["certified_since"] = b.certified_since;
}

struct SoilSample {
  std::string block_id;
  double ph = 0;
  double organic_matter_pct = 0;
  int depth_cm = 0;
  std::string sampled_on;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SoilSample, block_id, ph, organic_matter_pct, sampled_on) // expect: errorshield-json-field-coverage

struct HarvestPick {
  std::string block_id;
  std::time_t picked_at = 0;
  double tonnes = 0;
  double brix = 0;
  double ta_g_l = 0;
  double ph = 0;
};

static std::string iso_date(std::time_t t) {
  char buf[16];
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

static std::time_t parse_iso_date(const std::string& s) {
  std::tm tm{};
  strptime(s.c_str(), "%Y-%m-%d", &tm);
  return timegm(&tm);
}

void to_json(json& j, const HarvestPick& h) {
  j["block_id"] = h.block_id;
  j["picked_at"] = iso_date(h.picked_at);
  j["tonnes"] = h.tonnes;
  j["brix"] = h.brix;
  j["ta_g_l"] = h.ta_g_l;
  j["ph"] = h.ph;
}

void from_json(const json& j, HarvestPick& h) { // expect: errorshield-json-field-coverage
  h.block_id = j.at("block_id").get<std::string>();
  h.picked_at = parse_iso_date(j.at("picked_at").get<std::string>());
  h.tonnes = j.at("tonnes").get<double>();
  h.brix = j.at("brix").get<double>();
  h.ph = j.at("ph").get<double>();
}

class SprayRecord {
public:
  SprayRecord() = default;
  SprayRecord(std::string block, std::string product, double rate, int rei)
      : block_id_(std::move(block)), product_(std::move(product)), rate_l_ha_(rate), rei_hours_(rei) {}

  int rei_hours() const { return rei_hours_; }

  NLOHMANN_DEFINE_TYPE_INTRUSIVE(SprayRecord, block_id_, product_, rate_l_ha_, applicator_) // expect: errorshield-json-field-coverage

private:
  std::string block_id_;
  std::string product_;
  double rate_l_ha_ = 0;
  int rei_hours_ = 0;
  std::string applicator_;
};

class IrrigationSet {
public:
  static constexpr int kSchemaVersion = 2;

  NLOHMANN_DEFINE_TYPE_INTRUSIVE_WITH_DEFAULT(IrrigationSet, block_id_, litres_per_vine_, hours_, started_)

private:
  std::string block_id_;
  double litres_per_vine_ = 0;
  double hours_ = 0;
  std::string started_;
};

// Telemetry from the in-row probes: moisture (double), canopy temp
// (double), and the leaf-wetness sensor (bool).
template <class T>
struct Reading {
  std::string sensor_id;
  T value{};
  std::int64_t ts = 0;
  std::string unit;
};

template <class T>
void to_json(json& j, const Reading<T>& r) { // expect: errorshield-json-field-coverage
  j = json::object();
  j["sensor"] = r.sensor_id;
  j["value"] = r.value;
  j["ts"] = r.ts;
}

template <class T>
void from_json(const json& j, Reading<T>& r) {
  r.sensor_id = j.at("sensor").get<std::string>();
  r.value = j.at("value").get<T>();
  r.ts = j.at("ts").get<std::int64_t>();
  r.unit = j.value("unit", std::string{});
}

struct Vintage {
  int year = 0;
  std::vector<HarvestPick> picks;
  std::optional<std::string> notes;
};

void to_json(json& j, const Vintage& v) {
  j = {{"year", v.year}, {"picks", v.picks}};
  if (v.notes) j["notes"] = *v.notes;
}

void from_json(const json& j, Vintage& v) {
  j.at("year").get_to(v.year);
  j.at("picks").get_to(v.picks);
  if (j.contains("notes")) v.notes = j["notes"].get<std::string>();
}

}  // namespace vineyard

// ---------------------------------------------------------------------------

class BlockStore {
public:
  http::response<http::string_body> handle(const http::request<http::string_body>& req) {
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/json");
    auto body = json::parse(req.body(), nullptr, false);
    if (body.is_discarded()) {
      res.result(http::status::bad_request);
      return res;
    }
    std::string target(req.target());
    if (target == "/blocks" && req.method() == http::verb::post) {
      auto b = body.get<vineyard::BlockRecord>();
      blocks_[b.id] = b;
      res.body() = json(b).dump();
    } else if (target == "/harvest" && req.method() == http::verb::post) {
      auto h = body.get<vineyard::HarvestPick>();
      picks_.push_back(h);
      res.body() = json(h).dump();
    } else if (target == "/soil") {
      soil_.push_back(body.get<vineyard::SoilSample>());
      res.body() = json(soil_).dump();
    } else if (target == "/spray") {
      sprays_.push_back(body.get<vineyard::SprayRecord>());
      res.body() = json(sprays_.back()).dump();
    } else if (target == "/probe/moisture") {
      auto r = body.get<vineyard::Reading<double>>();
      res.body() = json(r).dump();
    } else {
      res.result(http::status::not_found);
    }
    res.prepare_payload();
    return res;
  }

private:
  std::map<std::string, vineyard::BlockRecord> blocks_;
  std::vector<vineyard::HarvestPick> picks_;
  std::vector<vineyard::SoilSample> soil_;
  std::vector<vineyard::SprayRecord> sprays_;
};

int main() {
  net::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 8088});
  BlockStore store;
  for (;;) {
    tcp::socket s(ioc);
    acc.accept(s);
    beast::flat_buffer buf;
    http::request<http::string_body> req;
    beast::error_code ec;
    http::read(s, buf, req, ec);
    if (ec) continue;
    http::write(s, store.handle(req), ec);
  }
}
