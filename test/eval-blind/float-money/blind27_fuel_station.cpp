// checks: errorshield-float-money
// Fuel station forecourt controller: pumps report dispensed volume, the POS asks
// for the amount due, loyalty cards get a per-litre discount.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using json = nlohmann::json;

namespace forecourt {

enum class Grade { Unleaded95, Unleaded98, Diesel, Lpg };

struct PumpReading {
  int pump = 0;
  Grade grade = Grade::Unleaded95;
  double litres = 0.0;          // flow meter resolution is 0.01 l
  double temperature_c = 15.0;  // for volume correction
};

struct Tariff {
  Grade grade;
  std::int64_t price_millicents_per_litre; // 1.899 EUR/l -> 189900
};

struct LoyaltyOffer {
  std::string card_prefix;
  double cashback_per_litre; // expect: errorshield-float-money
};

// Temperature-compensated volume (ATC), reference 15 C.
double corrected_litres(const PumpReading &r) {
  constexpr double kExpansion = 0.00095;
  return r.litres * (1.0 - kExpansion * (r.temperature_c - 15.0));
}

std::int64_t amount_due_cents(const Tariff &t, double litres) {
  // millicents * litres, rounded half-up to whole cents
  auto millicents = static_cast<std::int64_t>(std::llround(t.price_millicents_per_litre * litres));
  return (millicents + 500) / 1000;
}

double amount_due_eur(const Tariff &t, double litres) { // expect: errorshield-float-money
  return t.price_millicents_per_litre * litres / 100000.0;
}

std::string format_cents(std::int64_t cents) {
  std::string frac = std::to_string(cents % 100);
  if (frac.size() < 2)
    frac.insert(0, "0");
  return std::to_string(cents / 100) + "." + frac;
}

template <class Amount> class ShiftLedger {
public:
  void add(int pump, Amount a) {
    std::lock_guard<std::mutex> lk(mu_);
    per_pump_[pump] += a;
    total_ += a;
  }
  Amount total() const {
    std::lock_guard<std::mutex> lk(mu_);
    return total_;
  }

private:
  mutable std::mutex mu_;
  std::map<int, Amount> per_pump_;
  Amount total_{};
};

class Forecourt {
public:
  Forecourt() {
    tariffs_[Grade::Unleaded95] = {Grade::Unleaded95, 189900};
    tariffs_[Grade::Unleaded98] = {Grade::Unleaded98, 201900};
    tariffs_[Grade::Diesel] = {Grade::Diesel, 176900};
    tariffs_[Grade::Lpg] = {Grade::Lpg, 99900};
    offers_.push_back({"6301", 0.05});
  }

  json settle(const PumpReading &r, const std::string &card) {
    const Tariff &t = tariffs_.at(r.grade);
    double vol = corrected_litres(r);
    std::int64_t due = amount_due_cents(t, vol);
    cents_ledger_.add(r.pump, due);

    float loyalty_discount = 0.0f; // expect: errorshield-float-money
    for (const auto &o : offers_)
      if (card.rfind(o.card_prefix, 0) == 0)
        loyalty_discount = static_cast<float>(o.cashback_per_litre * vol);

    eur_ledger_.add(r.pump, amount_due_eur(t, vol) - loyalty_discount);
    return json{{"pump", r.pump},
                {"litres", vol},
                {"due_cents", due},
                {"due", format_cents(due)}};
  }

  // Card terminal posts back what was actually charged.
  void record_payment(const json &body) {
    double charged = body.at("charged").get<double>(); // expect: errorshield-float-money
    std::int64_t tip_cents = body.value("tip_cents", std::int64_t{0});
    int pump = body.at("pump").get<int>();
    double flow_rate = body.value("flow_lpm", 0.0);
    std::cout << "pump " << pump << " charged " << charged << " tip " << format_cents(tip_cents)
              << " flow " << flow_rate << " l/min\n";
  }

  json shift_report() const {
    return json{{"total_cents", cents_ledger_.total()}, {"total_eur", eur_ledger_.total()}};
  }

private:
  std::map<Grade, Tariff> tariffs_;
  std::vector<LoyaltyOffer> offers_;
  ShiftLedger<std::int64_t> cents_ledger_;
  ShiftLedger<double> eur_ledger_; // expect: errorshield-float-money
};

http::response<http::string_body> handle(Forecourt &fc, const http::request<http::string_body> &req) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  try {
    auto body = json::parse(req.body());
    if (req.target() == "/settle") {
      PumpReading r;
      r.pump = body.at("pump").get<int>();
      r.grade = static_cast<Grade>(body.at("grade").get<int>());
      r.litres = body.at("litres").get<double>();
      r.temperature_c = body.value("temp_c", 15.0);
      res.body() = fc.settle(r, body.value("card", std::string{})).dump();
    } else if (req.target() == "/payment") {
      fc.record_payment(body);
      res.body() = R"({"ok":true})";
    } else if (req.target() == "/report") {
      res.body() = fc.shift_report().dump();
    } else {
      res.result(http::status::not_found);
    }
  } catch (const std::exception &e) {
    res.result(http::status::bad_request);
    res.body() = json{{"error", e.what()}}.dump();
  }
  res.prepare_payload();
  return res;
}

asio::awaitable<void> session(tcp::socket sock, Forecourt &fc) {
  beast::flat_buffer buf;
  for (;;) {
    http::request<http::string_body> req;
    auto [ec, n] = co_await http::async_read(sock, buf, req, asio::as_tuple(asio::use_awaitable));
    if (ec)
      co_return;
    auto res = handle(fc, req);
    co_await http::async_write(sock, res, asio::use_awaitable);
    if (!req.keep_alive())
      co_return;
  }
}

asio::awaitable<void> listen(tcp::acceptor acc, Forecourt &fc) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(asio::use_awaitable);
    asio::co_spawn(acc.get_executor(), session(std::move(s), fc), asio::detached);
  }
}

} // namespace forecourt

int main() {
  asio::io_context ioc;
  forecourt::Forecourt fc;
  asio::co_spawn(ioc, forecourt::listen(tcp::acceptor(ioc, {tcp::v4(), 8088}), fc), asio::detached);
  ioc.run();
}
