// checks: errorshield-float-money
// Ride-hailing fare quoting and trip settlement service. HTTP/1.1 JSON API
// served with Boost.Beast and C++20 coroutines.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;
using json = nlohmann::json;

namespace fares {

struct GeoPoint {
  double lat = 0;
  double lon = 0;
};

struct CityTariff {
  std::int64_t base_cents = 250;
  std::int64_t per_km_cents = 135;
  std::int64_t per_min_cents = 30;
  std::int64_t minimum_cents = 700;
};

// Tariff for the airport zone, copied from the old pricing spreadsheet.
constexpr double kAirportFlatFee = 4.50; // expect: errorshield-float-money
constexpr double kEarthRadiusKm = 6371.0;

struct TripReceipt {
  std::string trip_id;
  std::int64_t fare_cents = 0;
  std::int64_t tip_cents = 0;
  float promo_discount; // expect: errorshield-float-money
  double driver_rating = 5.0;
};

double haversine_km(GeoPoint a, GeoPoint b) {
  constexpr double rad = 3.14159265358979323846 / 180.0;
  const double dlat = (b.lat - a.lat) * rad;
  const double dlon = (b.lon - a.lon) * rad;
  const double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(a.lat * rad) * std::cos(b.lat * rad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadiusKm * std::asin(std::sqrt(h));
}

class FareEngine {
 public:
  void set_tariff(const std::string& city, CityTariff t) { tariffs_[city] = t; }
  void set_surge(const std::string& zone, int bp) { surge_bp_[zone] = bp; }

  // Integer-only quote: distance in metres, duration in seconds.
  std::int64_t quote_cents(const std::string& city, const std::string& zone, std::int64_t metres,
                           std::int64_t seconds) const {
    const CityTariff t = tariff_for(city);
    std::int64_t fare = t.base_cents + t.per_km_cents * metres / 1000 + t.per_min_cents * seconds / 60;
    fare = fare * surge_for(zone) / 10000;
    return std::max(fare, t.minimum_cents);
  }

  // Legacy quote path still used by the partner API.
  std::int64_t quote_cents_partner(const std::string& city, GeoPoint from, GeoPoint to) const {
    const CityTariff t = tariff_for(city);
    const double distance_km = haversine_km(from, to);
    double fare = t.base_cents + t.per_km_cents * distance_km; // expect: errorshield-float-money
    return static_cast<std::int64_t>(fare);
  }

  int surge_for(const std::string& zone) const {
    auto it = surge_bp_.find(zone);
    return it == surge_bp_.end() ? 10000 : it->second;
  }

  CityTariff tariff_for(const std::string& city) const {
    auto it = tariffs_.find(city);
    return it == tariffs_.end() ? CityTariff{} : it->second;
  }

 private:
  std::unordered_map<std::string, CityTariff> tariffs_;
  std::unordered_map<std::string, int> surge_bp_;
};

awaitable<json> handle_quote(const FareEngine& fe, const json& req) {
  const std::string city = req.value("city", "default");
  const std::string zone = req.value("zone", "");
  const std::int64_t metres = req.value("distance_m", std::int64_t{0});
  const std::int64_t seconds = req.value("duration_s", std::int64_t{0});
  const double eta_seconds = req.value("eta_s", 0.0);

  const std::int64_t fare_cents = fe.quote_cents(city, zone, metres, seconds);
  // Shown to the rider as "1.4x"; the multiplier itself is not a price.
  const double surge_multiplier = fe.surge_for(zone) / 10000.0;
  co_return json{{"fare_cents", fare_cents},
                 {"surge", surge_multiplier},
                 {"eta_min", std::ceil(eta_seconds / 60.0)}};
}

awaitable<json> handle_settle(const FareEngine& fe, const json& req) {
  TripReceipt r;
  r.trip_id = req.value("trip_id", "");
  r.fare_cents = fe.quote_cents(req.value("city", "default"), req.value("zone", ""),
                                req.value("distance_m", std::int64_t{0}),
                                req.value("duration_s", std::int64_t{0}));
  r.tip_cents = req.value("tip_cents", std::int64_t{0});
  r.driver_rating = req.value("rating", 5.0);

  const std::int64_t commission_cents = r.fare_cents * 2000 / 10000;
  json out{{"trip_id", r.trip_id},
           {"rider_charged_cents", r.fare_cents + r.tip_cents},
           {"commission_cents", commission_cents}};
  out["driver_payout"] = (r.fare_cents - commission_cents + r.tip_cents) / 100.0; // expect: errorshield-float-money
  out["rating"] = r.driver_rating;
  co_return out;
}

awaitable<void> serve_client(tcp::socket socket, const FareEngine& fe) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    stream.expires_after(std::chrono::seconds(30));
    http::request<http::string_body> req;
    auto [ec, n] = co_await http::async_read(stream, buffer, req, net::as_tuple(use_awaitable));
    if (ec) break;

    json body = json::parse(req.body(), nullptr, false);
    json result;
    if (!body.is_object())
      result = json{{"error", "bad json"}};
    else if (req.target() == "/v1/quote")
      result = co_await handle_quote(fe, body);
    else if (req.target() == "/v1/settle")
      result = co_await handle_settle(fe, body);
    else
      result = json{{"error", "not found"}};

    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/json");
    res.keep_alive(req.keep_alive());
    res.body() = result.dump();
    res.prepare_payload();
    co_await http::async_write(stream, res, use_awaitable);
    if (!req.keep_alive()) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

awaitable<void> listener(tcp::endpoint ep, const FareEngine& fe) {
  auto ex = co_await net::this_coro::executor;
  tcp::acceptor acceptor(ex, ep);
  for (;;) {
    tcp::socket s = co_await acceptor.async_accept(use_awaitable);
    net::co_spawn(ex, serve_client(std::move(s), fe), net::detached);
  }
}

int run(unsigned short port) {
  net::io_context ioc;
  FareEngine fe;
  fe.set_tariff("lisbon", CityTariff{200, 110, 25, 500});
  fe.set_surge("downtown", 14000);
  net::co_spawn(ioc, listener({tcp::v4(), port}, fe), net::detached);
  ioc.run();
  return 0;
}

}  // namespace fares
