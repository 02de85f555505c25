// checks: errorshield-float-money
// Museum membership billing: HTTP endpoint that quotes and renews
// memberships, applies family add-ons and records payments.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <numeric>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace billing {

enum class Tier { Individual, Family, Patron };

struct TierInfo {
  std::string name;
  std::int64_t annual_fee_cents;
  int guest_passes;
  double gift_shop_discount_rate; // 0.10 == 10 %
};

struct Membership {
  std::string member_id;
  Tier tier = Tier::Individual;
  int extra_cardholders = 0;
  double outstanding_balance = 0.0; // expect: errorshield-float-money
  std::chrono::sys_days expires{};
};

struct Payment {
  std::string member_id;
  std::int64_t amount_cents = 0;
  std::string method;
};

const std::map<Tier, TierInfo> kTiers = {
    {Tier::Individual, {"individual", 7500, 2, 0.10}},
    {Tier::Family, {"family", 14000, 4, 0.10}},
    {Tier::Patron, {"patron", 50000, 10, 0.20}},
};

const std::map<std::string, float> kAddOnPrices = { // expect: errorshield-float-money
    {"parking", 45.00f},
    {"lecture_series", 60.00f},
};

constexpr std::int64_t kExtraCardholderCents = 2500;

std::string format_cents(std::int64_t cents) {
  std::string sign = cents < 0 ? "-" : "";
  if (cents < 0)
    cents = -cents;
  std::string frac = std::to_string(cents % 100);
  if (frac.size() < 2)
    frac = "0" + frac;
  return sign + "$" + std::to_string(cents / 100) + "." + frac;
}

std::int64_t renewal_cents(const Membership &m) {
  const TierInfo &t = kTiers.at(m.tier);
  return t.annual_fee_cents + kExtraCardholderCents * m.extra_cardholders;
}

double renewal_price_dollars(const Membership &m) { // expect: errorshield-float-money
  return renewal_cents(m) / 100.0;
}

// Seniors and students get a percentage off; the rate itself is a ratio.
std::int64_t apply_concession(std::int64_t cents, double rate) {
  const std::int64_t off = (cents * static_cast<std::int64_t>(rate * 1000 + 0.5)) / 1000;
  return cents - off;
}

template <class Amount>
struct LineItem {
  std::string label;
  Amount amount;
};

std::vector<LineItem<std::int64_t>> build_invoice(const Membership &m,
                                                  const std::vector<std::string> &addons) {
  std::vector<LineItem<std::int64_t>> items;
  items.push_back({kTiers.at(m.tier).name + " membership", kTiers.at(m.tier).annual_fee_cents});
  if (m.extra_cardholders > 0)
    items.push_back({"extra cardholders", kExtraCardholderCents * m.extra_cardholders});
  for (const auto &a : addons) {
    if (a == "parking")
      items.push_back({"parking", 4500});
  }
  return items;
}

std::vector<LineItem<double>> build_legacy_invoice(const Membership &m) { // expect: errorshield-float-money
  return {{"membership", kTiers.at(m.tier).annual_fee_cents / 100.0}};
}

json invoice_json(const std::vector<LineItem<std::int64_t>> &items) {
  json lines = json::array();
  for (const auto &i : items)
    lines.push_back({{"label", i.label}, {"amount_cents", i.amount}});
  const std::int64_t total = std::accumulate(
      items.begin(), items.end(), std::int64_t{0},
      [](std::int64_t acc, const LineItem<std::int64_t> &i) { return acc + i.amount; });
  return {{"lines", lines}, {"total_cents", total}, {"total_display", format_cents(total)}};
}

class BillingService {
public:
  http::response<http::string_body> handle(const http::request<http::string_body> &req) {
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/json");
    json body = json::parse(req.body(), nullptr, false);
    if (body.is_discarded()) {
      res.result(http::status::bad_request);
      return res;
    }
    if (req.target() == "/renew")
      res.body() = renew(body).dump();
    else if (req.target() == "/pay")
      res.body() = pay(body).dump();
    else
      res.result(http::status::not_found);
    res.prepare_payload();
    return res;
  }

private:
  json renew(const json &body) {
    Membership &m = members_[body.at("member_id").get<std::string>()];
    m.extra_cardholders = body.value("extra_cardholders", 0);
    auto items = build_invoice(m, body.value("addons", std::vector<std::string>{}));
    return invoice_json(items);
  }

  json pay(const json &body) {
    Payment p;
    p.member_id = body.at("member_id").get<std::string>();
    p.amount_cents = body.at("amount_cents").get<std::int64_t>();
    p.method = body.value("method", "card");
    const double tip = body.value("donation", 0.0); // expect: errorshield-float-money
    ledger_cents_[p.member_id] += p.amount_cents;
    donations_ += tip;
    // occupancy figure for the front desk dashboard, not money
    const double fill_ratio = static_cast<double>(ledger_cents_.size()) / 5000.0;
    return {{"ok", true}, {"paid", format_cents(p.amount_cents)}, {"members_paid_ratio", fill_ratio}};
  }

  std::map<std::string, Membership> members_;
  std::map<std::string, std::int64_t> ledger_cents_;
  double donations_ = 0; // expect: errorshield-float-money
};

void serve(tcp::socket sock, BillingService &svc) {
  beast::flat_buffer buf;
  beast::error_code ec;
  for (;;) {
    http::request<http::string_body> req;
    http::read(sock, buf, req, ec);
    if (ec)
      break;
    auto res = svc.handle(req);
    http::write(sock, res, ec);
    if (ec || !req.keep_alive())
      break;
  }
}

} // namespace billing

int main() {
  asio::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 8088});
  billing::BillingService svc;
  for (;;) {
    tcp::socket s = acc.accept();
    billing::serve(std::move(s), svc);
  }
}
