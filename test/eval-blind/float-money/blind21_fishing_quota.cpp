// checks: errorshield-float-money
// Fishing quota trading desk: vessels lease unused catch quota (in tonnes)
// to each other; the desk matches bids and settles the lease fee.
#include <boost/asio.hpp>
#include <nlohmann/json.hpp>
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace asio = boost::asio;
using json = nlohmann::json;

namespace quota {

// Amounts in euro cents.
using Cents = std::int64_t;

struct Species {
  std::string code; // FAO 3-alpha, e.g. "COD", "HER"
  double tac_tonnes = 0.0;     // total allowable catch
  double landed_tonnes = 0.0;
};

struct Offer {
  std::string vessel;
  std::string species;
  double tonnes = 0.0;
  double price_per_tonne = 0.0; // expect: errorshield-float-money
  bool firm = false;
};

struct Bid {
  std::string vessel;
  std::string species;
  double tonnes = 0.0;
  Cents limit_per_tonne = 0;
};

struct Settlement {
  std::string seller;
  std::string buyer;
  double tonnes = 0.0;
  Cents fee = 0;
  Cents levy = 0;
};

// Utilisation is a ratio, reported to the regulator with two decimals.
double utilisation(const Species &s) {
  if (s.tac_tonnes <= 0.0)
    return 0.0;
  return s.landed_tonnes / s.tac_tonnes;
}

Cents round_cents(long double v) { return static_cast<Cents>(v + (v >= 0 ? 0.5L : -0.5L)); }

Cents lease_fee(Cents per_tonne, double tonnes) {
  // tonnes come from scales with 3 decimals; convert to kg before pricing
  auto kg = static_cast<std::int64_t>(tonnes * 1000.0 + 0.5);
  return per_tonne * kg / 1000;
}

// Levy applied by the producer organisation, in basis points.
constexpr int kLevyBps = 35;

Cents levy_for(Cents fee) { return fee * kLevyBps / 10000; }

float desk_commission(float fee_eur) { // expect: errorshield-float-money
  return fee_eur * 0.0125f;
}

class Book {
public:
  void add_offer(Offer o) { offers_.push_back(std::move(o)); }
  void add_bid(Bid b) { bids_.push_back(std::move(b)); }

  std::vector<Settlement> match() {
    std::vector<Settlement> out;
    for (auto &b : bids_) {
      for (auto &o : offers_) {
        if (o.species != b.species || o.tonnes <= 0.0)
          continue;
        Cents ask = round_cents(static_cast<long double>(o.price_per_tonne) * 100.0L);
        if (ask > b.limit_per_tonne)
          continue;
        double qty = std::min(o.tonnes, b.tonnes);
        Settlement s{o.vessel, b.vessel, qty, lease_fee(ask, qty), 0};
        s.levy = levy_for(s.fee);
        o.tonnes -= qty;
        b.tonnes -= qty;
        out.push_back(s);
      }
    }
    return out;
  }

  void credit(const Settlement &s) {
    balances_[s.seller] += s.fee - s.levy;
    balances_[s.buyer] -= s.fee;
  }

  Cents balance(const std::string &vessel) const {
    auto it = balances_.find(vessel);
    return it == balances_.end() ? 0 : it->second;
  }

private:
  std::vector<Offer> offers_;
  std::vector<Bid> bids_;
  std::map<std::string, Cents> balances_;
};

// Running totals per vessel shown on the desk dashboard.
class Dashboard {
public:
  void on_settlement(const Settlement &s) {
    double fee_eur = static_cast<double>(s.fee) / 100.0; // expect: errorshield-float-money
    turnover_[s.seller] += fee_eur;
    tonnes_traded_[s.seller] += s.tonnes;
  }

  json snapshot() const {
    json j;
    for (auto &[vessel, eur] : turnover_)
      j[vessel] = {{"turnover", eur}, {"tonnes", tonnes_traded_.at(vessel)}};
    return j;
  }

private:
  std::map<std::string, double> turnover_; // expect: errorshield-float-money
  std::map<std::string, double> tonnes_traded_;
};

// Incoming offer over the desk API: {"vessel":..,"species":..,"tonnes":..,"price_cents":..}
std::optional<Bid> parse_bid(const json &j) {
  if (!j.contains("vessel") || !j.contains("species") || !j.contains("limit_cents"))
    return std::nullopt;
  Bid b;
  b.vessel = j.at("vessel").get<std::string>();
  b.species = j.at("species").get<std::string>();
  b.tonnes = j.value("tonnes", 0.0);
  b.limit_per_tonne = j.at("limit_cents").get<Cents>();
  return b;
}

Offer parse_offer(const json &j) {
  Offer o;
  o.vessel = j.at("vessel").get<std::string>();
  o.species = j.at("species").get<std::string>();
  o.tonnes = j.at("tonnes").get<double>();
  o.price_per_tonne = j.at("price").get<double>();
  o.firm = j.value("firm", false);
  return o;
}

template <class Amount>
struct Invoice {
  std::string vessel;
  Amount total{};
  Amount vat{};
};

std::string format_cents(Cents c) {
  std::ostringstream os;
  os << (c < 0 ? "-" : "") << (c < 0 ? -c : c) / 100 << "." << std::setw(2) << std::setfill('0')
     << (c < 0 ? -c : c) % 100;
  return os.str();
}

Invoice<Cents> invoice_for(const std::string &vessel, Cents total) {
  return Invoice<Cents>{vessel, total, total * 21 / 121};
}

Invoice<double> legacy_invoice_for(const std::string &vessel, double total) { // expect: errorshield-float-money
  return Invoice<double>{vessel, total, total * 21.0 / 121.0};
}

} // namespace quota

int main() {
  asio::io_context ioc;
  quota::Book book;
  quota::Dashboard dash;

  book.add_offer(quota::parse_offer(json::parse(
      R"({"vessel":"UK-201","species":"COD","tonnes":12.5,"price":1830.40,"firm":true})")));
  if (auto b = quota::parse_bid(json::parse(
          R"({"vessel":"NO-88","species":"COD","tonnes":4.2,"limit_cents":190000})")))
    book.add_bid(*b);

  asio::post(ioc, [&] {
    for (auto &s : book.match()) {
      book.credit(s);
      dash.on_settlement(s);
      std::cout << s.seller << " -> " << s.buyer << " " << quota::format_cents(s.fee) << "\n";
    }
  });
  ioc.run();

  quota::Species cod{"COD", 1200.0, 845.3};
  std::cout << "utilisation " << quota::utilisation(cod) << "\n";
  std::cout << dash.snapshot().dump() << "\n";
  auto inv = quota::invoice_for("UK-201", book.balance("UK-201"));
  std::cout << quota::format_cents(inv.vat) << " " << quota::desk_commission(12.0f) << "\n";
  std::cout << quota::legacy_invoice_for("NO-88", 7687.68).vat << "\n";
}
