// checks: errorshield-float-money
// Vending fleet sales server. Machines POST a JSON sale record after each
// vend; the server keeps per-machine revenue and stock, and serves a small
// telemetry endpoint (temperature, battery) for the route planners.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using json = nlohmann::json;

struct Product {
  std::string sku;
  std::string label;
  double price; // expect: errorshield-float-money
  int stock = 0;
};

struct Telemetry {
  double cabinet_temp_c = 4.0;
  float battery_voltage = 12.6f;
  double latitude = 0.0;
  double longitude = 0.0;
};

struct Sale {
  std::string machine_id;
  std::string sku;
  int quantity = 1;
  std::int64_t paid_cents = 0;
};

class FleetLedger {
public:
  void load_catalog() {
    catalog_["COLA-33"] = Product{"COLA-33", "Cola 33cl", 1.80, 24};
    catalog_["WATER-50"] = Product{"WATER-50", "Water 50cl", 1.20, 30};
    list_price_cents_["COLA-33"] = 180;
    list_price_cents_["WATER-50"] = 120;
  }

  json record(const json &body) {
    std::lock_guard<std::mutex> lk(mu_);
    Sale s;
    s.machine_id = body.at("machine").get<std::string>();
    s.sku = body.at("sku").get<std::string>();
    s.quantity = body.value("qty", 1);
    double amount = body.at("amount").get<double>(); // expect: errorshield-float-money
    s.paid_cents = static_cast<std::int64_t>(amount * 100);
    revenue_by_machine_[s.machine_id] += amount;
    revenue_cents_by_machine_[s.machine_id] += s.paid_cents;
    auto &p = catalog_[s.sku];
    p.stock -= s.quantity;
    return json{{"ok", true}, {"stock_left", p.stock}};
  }

  std::int64_t list_price_cents(const std::string &sku) const {
    auto it = list_price_cents_.find(sku);
    return it == list_price_cents_.end() ? 0 : it->second;
  }

  // Change owed to the customer, in cents.
  std::int64_t change_due_cents(std::int64_t inserted_cents, const std::string &sku, int qty) const {
    auto it = list_price_cents_.find(sku);
    if (it == list_price_cents_.end())
      return inserted_cents;
    return inserted_cents - it->second * qty;
  }

  double refund_for(const Sale &s) const { // expect: errorshield-float-money
    auto it = catalog_.find(s.sku);
    return it == catalog_.end() ? 0.0 : it->second.price * s.quantity;
  }

  json daily_summary() {
    std::lock_guard<std::mutex> lk(mu_);
    float total_takings = 0.0f; // expect: errorshield-float-money
    std::int64_t total_cents = 0;
    for (const auto &[machine, cents] : revenue_cents_by_machine_) {
      total_takings += static_cast<float>(cents) / 100.0f;
      total_cents += cents;
    }
    double fill_ratio = 0.0;
    int stock = 0, capacity = 0;
    for (const auto &[sku, p] : catalog_) {
      stock += p.stock;
      capacity += 30;
    }
    if (capacity > 0)
      fill_ratio = static_cast<double>(stock) / capacity;
    return json{{"takings", total_takings}, {"takings_cents", total_cents}, {"fill_ratio", fill_ratio}};
  }

private:
  std::mutex mu_;
  std::map<std::string, Product> catalog_;
  std::map<std::string, std::int64_t> list_price_cents_;
  std::unordered_map<std::string, double> revenue_by_machine_; // expect: errorshield-float-money
  std::unordered_map<std::string, std::int64_t> revenue_cents_by_machine_;
};

template <class Body>
http::response<http::string_body> make_json_reply(const http::request<Body> &req, const json &j) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  res.keep_alive(req.keep_alive());
  res.body() = j.dump();
  res.prepare_payload();
  return res;
}

json telemetry_report(const Telemetry &t) {
  auto uptime = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch());
  return json{{"temp_c", t.cabinet_temp_c},
              {"battery_v", t.battery_voltage},
              {"pos", {t.latitude, t.longitude}},
              {"uptime_s", uptime.count()}};
}

asio::awaitable<void> serve(tcp::socket sock, FleetLedger &ledger) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  Telemetry telemetry;
  for (;;) {
    http::request<http::string_body> req;
    boost::system::error_code ec;
    co_await http::async_read(stream, buf, req, asio::redirect_error(asio::use_awaitable, ec));
    if (ec)
      break;
    json reply;
    if (req.target() == "/sale" && req.method() == http::verb::post) {
      reply = ledger.record(json::parse(req.body(), nullptr, false));
    } else if (req.target() == "/summary") {
      reply = ledger.daily_summary();
    } else {
      reply = telemetry_report(telemetry);
    }
    auto res = make_json_reply(req, reply);
    co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !req.keep_alive())
      break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send);
}

// Promo preview for the back office: percentage off the list price, rounded
// half up to the cent.
template <class Ledger> std::int64_t promo_price_cents(const Ledger &ledger, const std::string &sku, int percent_off) {
  auto discounted = [](std::int64_t cents, int pct) { return cents - (cents * pct + 50) / 100; };
  return discounted(ledger.list_price_cents(sku), percent_off);
}

void print_receipt(const Sale &s) {
  auto unit_price = s.paid_cents / 100.0 / s.quantity; // expect: errorshield-float-money
  std::cout << s.sku << " x" << s.quantity << " @ " << unit_price << "\n";
}

int main() {
  asio::io_context ioc;
  FleetLedger ledger;
  ledger.load_catalog();
  std::cout << "promo: " << promo_price_cents(ledger, "COLA-33", 10) << "\n";
  print_receipt(Sale{"VM-12", "COLA-33", 2, 360});
  asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
    tcp::acceptor acc(ioc, {tcp::v4(), 8088});
    for (;;) {
      tcp::socket s = co_await acc.async_accept(asio::use_awaitable);
      asio::co_spawn(ioc, serve(std::move(s), ledger), asio::detached);
    }
  }, asio::detached);
  ioc.run();
}
