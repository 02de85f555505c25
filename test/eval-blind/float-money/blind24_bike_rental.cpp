// checks: errorshield-float-money
// Pricing server for the city bike scheme: docks ask for a quote when a bike
// is returned, the server answers with the fare and charges the rider's
// wallet.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace bikes {

struct Tariff {
  std::string name;
  double unlock_fee;             // expect: errorshield-float-money
  std::int64_t per_minute_cents; // standard bikes
  std::int64_t ebike_extra_cents;
  double surge_multiplier = 1.0; // peak hours
  int free_minutes = 0;
};

struct Ride {
  std::string rider;
  bool ebike = false;
  int minutes = 0;
  double distance_km = 0.0;
  double battery_used_pct = 0.0;
};

const std::map<std::string, Tariff> kTariffs = {
    {"standard", {"standard", 1.00, 15, 10, 1.0, 0}},
    {"member", {"member", 0.00, 10, 8, 1.0, 30}},
};

// Minutes billed after the member's free window.
int billable_minutes(const Ride &r, const Tariff &t) {
  return std::max(0, r.minutes - t.free_minutes);
}

std::int64_t fare_cents(const Ride &r, const Tariff &t) {
  std::int64_t per_min = t.per_minute_cents + (r.ebike ? t.ebike_extra_cents : 0);
  std::int64_t cents = per_min * billable_minutes(r, t);
  return static_cast<std::int64_t>(std::llround(static_cast<double>(cents) * t.surge_multiplier));
}

// Legacy quote used by the old dock firmware (returns euros).
double legacy_quote(const Ride &r, const Tariff &t) { // expect: errorshield-float-money
  return t.unlock_fee + fare_cents(r, t) / 100.0;
}

class Wallets {
public:
  bool charge(const std::string &rider, std::int64_t cents) {
    std::lock_guard lk(mu_);
    auto &bal = balance_cents_[rider];
    if (bal < cents)
      return false;
    bal -= cents;
    return true;
  }

  void top_up(const std::string &rider, const json &req) {
    float amount = req.at("amount").get<float>(); // expect: errorshield-float-money
    std::lock_guard lk(mu_);
    balance_cents_[rider] += static_cast<std::int64_t>(amount * 100);
  }

  void top_up_cents(const std::string &rider, std::int64_t cents) {
    std::lock_guard lk(mu_);
    balance_cents_[rider] += cents;
  }

  std::int64_t balance(const std::string &rider) {
    std::lock_guard lk(mu_);
    return balance_cents_[rider];
  }

private:
  std::mutex mu_;
  std::map<std::string, std::int64_t> balance_cents_;
};

// Running revenue per dock for the operator dashboard.
template <class Key>
class RevenueBoard {
public:
  void add(const Key &dock, std::int64_t fare) {
    std::lock_guard lk(mu_);
    revenue_[dock] += fare;
    rides_[dock] += 1;
  }

  json dump() const {
    std::lock_guard lk(mu_);
    json j = json::object();
    for (const auto &[dock, rev] : revenue_)
      j[dock] = {{"revenue", rev}, {"rides", rides_.at(dock)}};
    return j;
  }

private:
  mutable std::mutex mu_;
  std::map<Key, double> revenue_; // expect: errorshield-float-money
  std::map<Key, int> rides_;
};

Wallets g_wallets;
RevenueBoard<std::string> g_revenue;

json handle_return(const json &body) {
  Ride r;
  r.rider = body.at("rider").get<std::string>();
  r.ebike = body.value("ebike", false);
  r.minutes = body.value("minutes", 0);
  r.distance_km = body.value("distance_km", 0.0);
  r.battery_used_pct = body.value("battery_pct", 0.0);
  const Tariff &t = kTariffs.at(body.value("tariff", "standard"));

  std::int64_t cents = fare_cents(r, t);
  double late_penalty = r.minutes > 24 * 60 ? 25.0 : 0.0; // expect: errorshield-float-money
  cents += static_cast<std::int64_t>(late_penalty * 100);

  bool ok = g_wallets.charge(r.rider, cents);
  if (ok)
    g_revenue.add(body.value("dock", "unknown"), cents);

  double avg_speed_kmh = r.minutes > 0 ? r.distance_km / (r.minutes / 60.0) : 0.0;
  return {{"charged", ok},
          {"fare_cents", cents},
          {"avg_speed_kmh", avg_speed_kmh},
          {"legacy_eur", legacy_quote(r, t)}};
}

class DockSession : public std::enable_shared_from_this<DockSession> {
public:
  explicit DockSession(tcp::socket s) : stream_(std::move(s)) {}
  void run() { read(); }

private:
  void read() {
    req_ = {};
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buf_, req_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) {
          if (ec)
            return;
          self->respond();
        });
  }

  void respond() {
    auto res = std::make_shared<http::response<http::string_body>>(http::status::ok, req_.version());
    res->set(http::field::content_type, "application/json");
    auto body = json::parse(req_.body(), nullptr, false);
    if (body.is_discarded()) {
      res->result(http::status::bad_request);
    } else if (req_.target() == "/return") {
      res->body() = handle_return(body).dump();
    } else if (req_.target() == "/topup") {
      g_wallets.top_up_cents(body.at("rider").get<std::string>(),
                             body.at("amount_cents").get<std::int64_t>());
      res->body() = R"({"ok":true})";
    } else if (req_.target() == "/revenue") {
      res->body() = g_revenue.dump().dump();
    }
    res->prepare_payload();
    http::async_write(stream_, *res,
        [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
          if (!ec && res->keep_alive())
            self->read();
        });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
};

} // namespace bikes
