// checks: errorshield-float-money
// Car sharing backend: members unlock cars from the app, the server streams trip
// telemetry and bills the trip when the car is parked.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace carshare {

struct Position {
  double lat = 0.0;
  double lon = 0.0;
};

struct Car {
  std::string plate;
  Position pos;
  double battery_pct = 100.0;
  std::int64_t minute_rate_cents = 29;   // tariff per started minute
};

struct Trip {
  std::string member;
  std::string plate;
  std::chrono::steady_clock::time_point started;
  double distance_km = 0.0;
  double fare = 0.0; // expect: errorshield-float-money
};

struct Invoice {
  std::string member;
  std::int64_t total_cents = 0;
  std::int64_t vat_cents = 0;
};

inline double haversine_km(Position a, Position b) {
  constexpr double r = 6371.0;
  const double dlat = (b.lat - a.lat) * M_PI / 180.0;
  const double dlon = (b.lon - a.lon) * M_PI / 180.0;
  const double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(a.lat * M_PI / 180.0) * std::cos(b.lat * M_PI / 180.0) *
                       std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * r * std::asin(std::sqrt(h));
}

// Integer-cent billing used for the printed invoice.
inline Invoice bill_in_cents(const std::string &member, std::int64_t minutes, std::int64_t rate_cents) {
  Invoice inv;
  inv.member = member;
  inv.total_cents = minutes * rate_cents;
  inv.vat_cents = (inv.total_cents * 19 + 50) / 100;
  return inv;
}

// Quick estimate shown in the app before unlocking.
inline double estimate_price(double minutes, double per_km, double km) { // expect: errorshield-float-money
  return minutes * 0.29 + per_km * km;
}

class Wallet {
public:
  void top_up(const std::string &member, std::int64_t cents) {
    std::lock_guard<std::mutex> lk(mu_);
    balance_cents_[member] += cents;
  }

  void charge(const std::string &member, const Trip &trip) {
    std::lock_guard<std::mutex> lk(mu_);
    float remaining = static_cast<float>(balance_cents_[member]) / 100.0f - static_cast<float>(trip.fare); // expect: errorshield-float-money
    balance_cents_[member] = static_cast<std::int64_t>(remaining * 100.0f);
  }

  std::int64_t balance(const std::string &member) {
    std::lock_guard<std::mutex> lk(mu_);
    return balance_cents_[member];
  }

private:
  std::mutex mu_;
  std::map<std::string, std::int64_t> balance_cents_;
};

// Loyalty tiers are parameterised on the counter type used by each partner.
template <class Points> struct LoyaltyAccount {
  Points points{};
  double cashback_eur = 0.0; // expect: errorshield-float-money
  double utilisation = 0.0;  // share of the month the member had a car

  void credit(Points p) { points += p; }
};

class TripSession : public std::enable_shared_from_this<TripSession> {
public:
  TripSession(tcp::socket sock, Wallet &wallet) : ws_(std::move(sock)), wallet_(wallet) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(beast::bind_front_handler(&TripSession::on_accept, shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    read_next();
  }

  void read_next() {
    ws_.async_read(buf_, beast::bind_front_handler(&TripSession::on_message, shared_from_this()));
  }

  void on_message(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    json msg = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (msg.is_discarded()) {
      read_next();
      return;
    }

    const std::string type = msg.value("type", "");
    if (type == "position") {
      Position p{msg.value("lat", 0.0), msg.value("lon", 0.0)};
      trip_.distance_km += haversine_km(last_, p);
      last_ = p;
    } else if (type == "park") {
      const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(
                               std::chrono::steady_clock::now() - trip_.started)
                               .count() + 1;
      Invoice inv = bill_in_cents(trip_.member, minutes, 29);
      trip_.fare = static_cast<double>(inv.total_cents) / 100.0;
      wallet_.charge(trip_.member, trip_);
      reply_ = json{{"type", "invoice"}, {"total_cents", inv.total_cents}, {"vat_cents", inv.vat_cents}}.dump();
    } else if (type == "tip") {
      double tip = msg.at("amount").get<double>(); // expect: errorshield-float-money
      wallet_.top_up("driver-pool", static_cast<std::int64_t>(tip * 100));
    } else if (type == "voucher") {
      const std::int64_t voucher_cents = msg.value("amount_cents", std::int64_t{0});
      wallet_.top_up(trip_.member, voucher_cents);
    }

    if (!reply_.empty()) {
      ws_.text(true);
      ws_.async_write(net::buffer(reply_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
        self->reply_.clear();
        if (!ec)
          self->read_next();
      });
      return;
    }
    read_next();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  Wallet &wallet_;
  Trip trip_{};
  Position last_{};
  std::string reply_;
};

// Fleet dashboard endpoint: average battery and revenue for the ops team.
net::awaitable<void> fleet_stats(tcp::socket sock, std::vector<Car> cars, std::vector<Invoice> invoices) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(stream, buf, req, net::use_awaitable);

  double avg_battery = 0.0;
  for (const auto &c : cars)
    avg_battery += c.battery_pct / static_cast<double>(cars.size());

  double revenue = 0.0; // expect: errorshield-float-money
  for (const auto &inv : invoices)
    revenue += inv.total_cents / 100.0;

  std::int64_t revenue_cents = 0;
  for (const auto &inv : invoices)
    revenue_cents += inv.total_cents;

  http::response<http::string_body> res{http::status::ok, req.version()};
  res.body() = json{{"avg_battery", avg_battery}, {"revenue", revenue}, {"revenue_cents", revenue_cents}}.dump();
  res.prepare_payload();
  co_await http::async_write(stream, res, net::use_awaitable);
}

} // namespace carshare

int main() {
  using namespace carshare;
  net::io_context ioc;
  Wallet wallet;
  LoyaltyAccount<int> acct;
  acct.credit(10);
  tcp::acceptor acceptor(ioc, {tcp::v4(), 8443});
  acceptor.async_accept([&](beast::error_code ec, tcp::socket sock) {
    if (!ec)
      std::make_shared<TripSession>(std::move(sock), wallet)->start();
  });
  ioc.run();
  return static_cast<int>(estimate_price(10, 0.19, 4.2)) > 0 ? 0 : 1;
}
