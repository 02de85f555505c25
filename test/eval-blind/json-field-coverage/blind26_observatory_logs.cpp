// checks: errorshield-json-field-coverage
// Observatory night-log service: telescopes post observation records over HTTP,
// the archive stores them as JSON, the morning report pulls them back out.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace obslog {

struct sky_position {
  double ra_deg = 0;
  double dec_deg = 0;
  std::string epoch = "J2000";
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(sky_position, ra_deg, dec_deg, epoch)

struct exposure {
  std::string frame_id;
  std::string filter; // e.g. "V", "R", "Halpha"
  double seconds = 0;
  int binning = 1;
  double ccd_temp_c = -20;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(exposure, frame_id, filter, seconds, binning) // expect: errorshield-json-field-coverage

struct weather_snapshot {
  double seeing_arcsec = 0;
  double humidity_pct = 0;
  double wind_ms = 0;
  bool dome_open = false;
};

void to_json(json &j, const weather_snapshot &w) {
  j = json{{"seeing_arcsec", w.seeing_arcsec},
           {"humidity_pct", w.humidity_pct},
           {"wind_ms", w.wind_ms},
           {"dome_open", w.dome_open}};
}

void from_json(const json &j, weather_snapshot &w) { // expect: errorshield-json-field-coverage
  j.at("seeing_arcsec").get_to(w.seeing_arcsec);
  j.at("humidity_pct").get_to(w.humidity_pct);
  j.at("dome_open").get_to(w.dome_open);
}

struct telescope {
  std::string name;
  double aperture_mm = 0;
  double focal_length_mm = 0;
  std::string mount;
};

void to_json(json &j, const telescope &t) { // expect: errorshield-json-field-coverage
  j["name"] = t.name;
  j["aperture_mm"] = t.aperture_mm;
  j["mount"] = t.mount;
}

void from_json(const json &j, telescope &t) {
  t.name = j.at("name").get<std::string>();
  t.aperture_mm = j.at("aperture_mm").get<double>();
  t.focal_length_mm = j.at("focal_length_mm").get<double>();
  t.mount = j.at("mount").get<std::string>();
}

class observation {
public:
  observation() = default;
  observation(std::string target, sky_position pos) : target_(std::move(target)), pos_(std::move(pos)) {}

  void add(exposure e) { exposures_.push_back(std::move(e)); }
  const std::string &target() const { return target_; }

private:
  std::string target_;
  sky_position pos_;
  std::vector<exposure> exposures_;
  std::string observer_;
  std::int64_t started_unix_ = 0;

  NLOHMANN_DEFINE_TYPE_INTRUSIVE(observation, target_, pos_, exposures_, observer_, started_unix_)
};

// Calibration frames (darks/flats) carry a little extra on top of an exposure.
struct calibration_frame : exposure {
  std::string kind; // "dark", "flat", "bias"
  int stack_count = 1;
};

void to_json(json &j, const calibration_frame &c) {
  j = static_cast<const exposure &>(c);
  j["ccd_temp_c"] = c.ccd_temp_c;
  j["kind"] = c.kind;
  j["stack_count"] = c.stack_count;
}

// Generic measurement with uncertainty, used for photometry and astrometry.
template <class T> struct measurement {
  T value{};
  T sigma{};
  std::string unit;
};

template <class T> void to_json(json &j, const measurement<T> &m) { // expect: errorshield-json-field-coverage
  j = json{{"value", m.value}, {"unit", m.unit}};
}

template <class T> void from_json(const json &j, measurement<T> &m) {
  j.at("value").get_to(m.value);
  j.at("sigma").get_to(m.sigma);
  j.at("unit").get_to(m.unit);
}

struct photometry_result {
  std::string star_id;
  measurement<double> magnitude;
  measurement<double> color_index;
  std::optional<std::string> comparison_star;
};

struct night_summary {
  std::string date;
  int clear_hours = 0;
  int frames_taken = 0;
  std::vector<std::string> incidents;
  std::string duty_astronomer;

  NLOHMANN_DEFINE_TYPE_INTRUSIVE_WITH_DEFAULT(night_summary, date, clear_hours, frames_taken, incidents) // expect: errorshield-json-field-coverage
};

struct archive_ref {
  std::string bucket;
  std::string key;
  std::uint64_t bytes = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(archive_ref, bucket, key, bytes)

struct satellite_pass {
  std::string norad_id;
  double max_elevation_deg = 0;
  std::string rise_utc;
  std::string set_utc;
  bool ruined_frame = false;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(satellite_pass, norad_id, max_elevation_deg, rise_utc, ruined_frame) // expect: errorshield-json-field-coverage

void to_json(json &j, const photometry_result &p) {
  j["star_id"] = p.star_id;
  j["magnitude"] = p.magnitude;
  j["color_index"] = p.color_index;
  if (p.comparison_star)
    j["comparison_star"] = *p.comparison_star;
  else
    j["comparison_star"] = nullptr;
}

http::response<http::string_body> handle(const http::request<http::string_body> &req) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  auto body = json::parse(req.body(), nullptr, false);
  if (body.is_discarded()) {
    res.result(http::status::bad_request);
    res.body() = R"({"error":"invalid json"})";
  } else if (req.target() == "/observation") {
    auto obs = body.get<observation>();
    res.body() = json{{"stored", obs.target()}}.dump();
  } else if (req.target() == "/weather") {
    auto w = body.get<weather_snapshot>();
    res.body() = json(w).dump();
  } else if (req.target() == "/summary") {
    auto s = body.get<night_summary>();
    res.body() = json(s).dump();
  } else if (req.target() == "/telescope") {
    auto t = body.get<telescope>();
    res.body() = json(t).dump();
  } else if (req.target() == "/photometry") {
    photometry_result p{body.value("star_id", ""), body.at("magnitude").get<measurement<double>>(),
                        body.at("color_index").get<measurement<double>>(), std::nullopt};
    res.body() = json(p).dump();
  } else {
    calibration_frame c;
    c.kind = "dark";
    json out{{"cal", c}, {"archive", archive_ref{"raw", "2024/dark.fits", 1u << 20}},
             {"pass", body.get<satellite_pass>()}, {"exp", body.get<exposure>()}};
    res.body() = out.dump();
  }
  res.prepare_payload();
  return res;
}

net::awaitable<void> serve(tcp::socket s) {
  beast::flat_buffer buf;
  for (;;) {
    http::request<http::string_body> req;
    auto [ec, n] = co_await http::async_read(s, buf, req, net::as_tuple(net::use_awaitable));
    if (ec)
      co_return;
    auto res = handle(req);
    co_await http::async_write(s, res, net::use_awaitable);
    if (!req.keep_alive())
      co_return;
  }
}

net::awaitable<void> listen(tcp::acceptor acc) {
  for (;;) {
    auto s = co_await acc.async_accept(net::use_awaitable);
    net::co_spawn(acc.get_executor(), serve(std::move(s)), net::detached);
  }
}

} // namespace obslog

int main() {
  net::io_context ioc;
  net::co_spawn(ioc, obslog::listen(tcp::acceptor(ioc, {tcp::v4(), 8600})), net::detached);
  ioc.run();
}
