// checks: errorshield-float-money
// Food truck ordering API: menus per truck, order placement, tips, and the
// nearby-trucks lookup for the mobile app.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace trucks {

struct MenuItem {
  std::string sku;
  std::string name;
  double price;             // expect: errorshield-float-money
  int prep_minutes = 5;
  double spice_level = 0.0; // 0..1, shown as chili icons
};

struct Truck {
  std::string id;
  std::string name;
  double lat = 0.0;
  double lng = 0.0;
  double rating = 0.0;
  std::vector<MenuItem> menu;
};

struct OrderLine {
  std::string sku;
  int qty = 1;
  std::int64_t unit_cents = 0;
};

// Cents-based formatting for receipts.
std::string format_cents(std::int64_t cents) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s$%lld.%02lld", cents < 0 ? "-" : "",
                static_cast<long long>(std::llabs(cents) / 100),
                static_cast<long long>(std::llabs(cents) % 100));
  return buf;
}

double haversine_km(double lat1, double lng1, double lat2, double lng2) {
  constexpr double kR = 6371.0;
  constexpr double kDeg = 3.14159265358979323846 / 180.0;
  double dlat = (lat2 - lat1) * kDeg;
  double dlng = (lng2 - lng1) * kDeg;
  double a = std::sin(dlat / 2) * std::sin(dlat / 2) +
             std::cos(lat1 * kDeg) * std::cos(lat2 * kDeg) * std::sin(dlng / 2) * std::sin(dlng / 2);
  return 2 * kR * std::asin(std::sqrt(a));
}

class OrderBook {
public:
  void add_truck(Truck t) {
    std::lock_guard lk(mu_);
    trucks_[t.id] = std::move(t);
  }

  std::optional<MenuItem> find_item(const std::string& truck, const std::string& sku) {
    std::lock_guard lk(mu_);
    auto it = trucks_.find(truck);
    if (it == trucks_.end()) return std::nullopt;
    for (const auto& m : it->second.menu)
      if (m.sku == sku) return m;
    return std::nullopt;
  }

  // Order total as shown on the app's checkout screen.
  double order_total(const std::string& truck, const json& lines) { // expect: errorshield-float-money
    double subtotal = 0; // expect: errorshield-float-money
    for (const auto& l : lines) {
      auto item = find_item(truck, l.value("sku", ""));
      if (item) subtotal += item->price * l.value("qty", 1);
    }
    return subtotal;
  }

  // Kitchen ticket total, integer cents end to end.
  std::int64_t ticket_total_cents(const std::vector<OrderLine>& lines) const {
    std::int64_t total = 0;
    for (const auto& l : lines) total += l.unit_cents * l.qty;
    return total;
  }

  void record_tip(const std::string& truck, float tip) { // expect: errorshield-float-money
    std::lock_guard lk(mu_);
    tip_jar_cents_[truck] += std::llround(tip * 100);
  }

  std::vector<json> nearby(double lat, double lng, double radius_km) {
    std::lock_guard lk(mu_);
    std::vector<json> out;
    for (const auto& [id, t] : trucks_) {
      double d = haversine_km(lat, lng, t.lat, t.lng);
      if (d <= radius_km) out.push_back({{"id", id}, {"km", d}, {"rating", t.rating}});
    }
    return out;
  }

private:
  std::mutex mu_;
  std::map<std::string, Truck> trucks_;
  std::map<std::string, std::int64_t> tip_jar_cents_;
};

// Daily revenue counter for the operator dashboard.
template <class Amount>
class RevenueCounter {
public:
  void add(Amount a) { total_ += a; }
  Amount total() const { return total_; }

private:
  Amount total_{};
};

RevenueCounter<double> g_daily_revenue; // expect: errorshield-float-money
RevenueCounter<std::int64_t> g_daily_revenue_cents;
std::atomic<std::uint64_t> g_orders_placed{0};

http::response<http::string_body> place_order(OrderBook& book, const http::request<http::string_body>& req) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  json body = json::parse(req.body(), nullptr, false);
  if (body.is_discarded()) {
    res.result(http::status::bad_request);
    res.body() = R"({"error":"bad json"})";
    res.prepare_payload();
    return res;
  }
  std::string truck = body.value("truck", "");

  // Client sends the amount it displayed; we cross-check against our menu.
  double client_amount = body.at("amount").get<double>(); // expect: errorshield-float-money
  std::int64_t client_cents = body.value("amount_cents", std::int64_t{0});

  std::vector<OrderLine> lines;
  for (const auto& l : body["lines"]) {
    auto item = book.find_item(truck, l.value("sku", ""));
    if (!item) continue;
    lines.push_back({item->sku, l.value("qty", 1), std::llround(item->price * 100)});
  }
  std::int64_t cents = book.ticket_total_cents(lines);
  g_daily_revenue_cents.add(cents);
  g_daily_revenue.add(cents / 100.0);
  ++g_orders_placed;

  double est_wait_min = 0.0;
  for (const auto& l : lines) est_wait_min += 1.5 * l.qty;

  res.body() = json{{"total", format_cents(cents)},
                    {"total_cents", cents},
                    {"matches_client", client_cents == cents},
                    {"client_amount", client_amount},
                    {"eta_minutes", std::ceil(est_wait_min)}}
                   .dump();
  res.prepare_payload();
  return res;
}

asio::awaitable<void> serve(tcp::socket sock, OrderBook& book) {
  beast::flat_buffer buf;
  for (;;) {
    http::request<http::string_body> req;
    auto [ec, n] = co_await http::async_read(sock, buf, req, asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    auto res = place_order(book, req);
    co_await http::async_write(sock, res, asio::use_awaitable);
    if (!req.keep_alive()) co_return;
  }
}

} // namespace trucks

int main() {
  asio::io_context ioc;
  trucks::OrderBook book;
  book.add_truck({"t1", "Taco Loco", 40.7128, -74.0060, 4.6, {{"al-pastor", "Al Pastor", 3.5, 4, 0.4}}});
  tcp::acceptor acc(ioc, {tcp::v4(), 8081});
  asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
    for (;;) {
      auto s = co_await acc.async_accept(asio::use_awaitable);
      asio::co_spawn(ioc, trucks::serve(std::move(s), book), asio::detached);
    }
  }, asio::detached);
  ioc.run();
}
