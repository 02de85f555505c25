// checks: errorshield-float-money
// Art-supply webshop: catalogue, cart pricing and checkout endpoints
// (paints, brushes, stretched canvases, paper by the sheet).
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <map>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
using json = nlohmann::json;

namespace shop {

struct Money {
  std::int64_t cents = 0;
  friend Money operator+(Money a, Money b) { return {a.cents + b.cents}; }
  friend Money operator-(Money a, Money b) { return {a.cents - b.cents}; }
  friend Money operator*(Money a, int qty) { return {a.cents * qty}; }
  friend auto operator<=>(const Money&, const Money&) = default;
};

// "12.5" / "12.50" / "12" -> cents, without going through a double.
inline std::optional<Money> parse_money(std::string_view s) {
  auto dot = s.find('.');
  std::int64_t whole = 0, frac = 0;
  auto ip = s.substr(0, dot);
  if (std::from_chars(ip.data(), ip.data() + ip.size(), whole).ec != std::errc{}) return std::nullopt;
  if (dot != std::string_view::npos) {
    auto fp = s.substr(dot + 1);
    if (fp.empty() || fp.size() > 2) return std::nullopt;
    if (std::from_chars(fp.data(), fp.data() + fp.size(), frac).ec != std::errc{}) return std::nullopt;
    if (fp.size() == 1) frac *= 10;
  }
  return Money{whole * 100 + frac};
}

inline std::string format_money(Money m) {
  std::string frac = std::to_string(m.cents % 100);
  if (frac.size() < 2) frac.insert(0, "0");
  return std::to_string(m.cents / 100) + "." + frac;
}

// Percentages are kept in basis points (1250 = 12.5 %), rounded half up.
inline Money apply_basis_points(Money m, int bp) {
  return Money{(m.cents * bp + 5000) / 10000};
}

struct Product {
  std::string sku;
  std::string name;
  Money price;
  double weight_kg = 0.0;
  float pigment_load_pct = 0.0f;   // only for paints
  double canvas_width_cm = 0.0;    // only for canvases
  double avg_rating = 0.0;
};

struct OrderLine {
  std::string sku;
  int qty = 0;
  Money price;
  double weight_kg = 0.0;
};

// Saved from the product page so we can mail "price dropped" notices.
struct WishlistEntry {
  std::string sku;
  std::string customer_id;
  double price_when_saved = 0.0;  // expect: errorshield-float-money
};

struct ShopConfig {
  Money free_shipping_from{4900};
  int vat_bp = 1900;
  double gift_wrap_fee = 2.5;  // expect: errorshield-float-money
  double price_weight = 0.35;   // search ranking: how much a cheap item is boosted
  double rating_weight = 0.65;
};

inline ShopConfig load_config(const std::string& path) {
  ShopConfig cfg;
  std::ifstream in(path);
  if (!in) return cfg;
  json j = json::parse(in, nullptr, false);
  if (j.is_discarded()) return cfg;
  if (auto m = parse_money(j.value("free_shipping_from", std::string{"49.00"}))) cfg.free_shipping_from = *m;
  cfg.vat_bp = j.value("vat_bp", cfg.vat_bp);
  cfg.gift_wrap_fee = j.value("gift_wrap_fee", cfg.gift_wrap_fee);
  cfg.price_weight = j.value("price_weight", cfg.price_weight);
  cfg.rating_weight = j.value("rating_weight", cfg.rating_weight);
  return cfg;
}

// Oversized canvases go by freight; the carrier bills by weight.
inline double bulky_surcharge(double weight_kg) {  // expect: errorshield-float-money
  return weight_kg > 20.0 ? 14.90 + (weight_kg - 20.0) * 0.85 : 0.0;
}

inline Money standard_shipping(double parcel_weight_kg) {
  if (parcel_weight_kg <= 2.0) return Money{495};
  if (parcel_weight_kg <= 10.0) return Money{690};
  return Money{1190};
}

class Catalogue {
 public:
  // Supplier price list, one JSON object per line.
  std::size_t import_supplier_feed(std::istream& in) {
    std::size_t n = 0;
    std::string line;
    while (std::getline(in, line)) {
      json item = json::parse(line, nullptr, false);
      if (item.is_discarded() || !item.contains("sku")) continue;
      Product p;
      p.sku = item["sku"].get<std::string>();
      p.name = item.value("name", p.sku);
      p.weight_kg = item.value("weight_kg", 0.0);
      p.canvas_width_cm = item.value("width_cm", 0.0);
      auto price = parse_money(item.value("price", std::string{}));
      if (!price) continue;
      p.price = *price;
      products_[p.sku] = std::move(p);
      ++n;
    }
    return n;
  }

  // Legacy feed from the paper mill still sends numbers.
  std::size_t import_mill_feed(const json& feed) {
    std::size_t n = 0;
    for (const auto& item : feed) {
      const double list_price = item.at("list_price").get<double>();  // expect: errorshield-float-money
      Product p;
      p.sku = item.at("sku").get<std::string>();
      p.name = item.value("name", p.sku);
      p.price = Money{static_cast<std::int64_t>(list_price * 100)};
      p.weight_kg = item.value("sheet_weight_g", 0.0) / 1000.0;
      products_[p.sku] = std::move(p);
      ++n;
    }
    return n;
  }

  const Product* find(const std::string& sku) const {
    auto it = products_.find(sku);
    return it == products_.end() ? nullptr : &it->second;
  }

  // Relevance score for search results; cheaper and better rated ranks higher.
  std::vector<const Product*> ranked(const ShopConfig& cfg) const {
    std::vector<std::pair<double, const Product*>> scored;
    for (const auto& [sku, p] : products_) {
      double price_score = 1.0 / (1.0 + static_cast<double>(p.price.cents) / 1000.0);
      scored.emplace_back(cfg.price_weight * price_score + cfg.rating_weight * p.avg_rating / 5.0, &p);
    }
    std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<const Product*> out;
    for (auto& s : scored) out.push_back(s.second);
    return out;
  }

  std::vector<WishlistEntry> price_drops(const std::vector<WishlistEntry>& wishlist) const {
    std::vector<WishlistEntry> out;
    for (const auto& w : wishlist) {
      const Product* p = find(w.sku);
      if (p && p->price.cents < static_cast<std::int64_t>(w.price_when_saved * 100)) out.push_back(w);
    }
    return out;
  }

 private:
  std::map<std::string, Product> products_;
};

class CheckoutHandler {
 public:
  CheckoutHandler(const Catalogue& cat, ShopConfig cfg) : cat_(cat), cfg_(std::move(cfg)) {}

  json quote(const json& cart) const {
    std::vector<OrderLine> lines;
    for (const auto& entry : cart.at("lines")) {
      const Product* p = cat_.find(entry.at("sku").get<std::string>());
      if (!p) continue;
      lines.push_back({p->sku, entry.value("qty", 1), p->price, p->weight_kg});
    }

    Money subtotal = std::accumulate(lines.begin(), lines.end(), Money{},
                                     [](Money acc, const OrderLine& l) { return acc + l.price * l.qty; });
    const double parcel_weight_kg = std::accumulate(lines.begin(), lines.end(), 0.0,
                                                    [](double acc, const OrderLine& l) { return acc + l.weight_kg * l.qty; });

    Money shipping = subtotal >= cfg_.free_shipping_from ? Money{} : standard_shipping(parcel_weight_kg);
    Money total = subtotal + shipping + Money{static_cast<std::int64_t>(bulky_surcharge(parcel_weight_kg) * 100)};
    if (cart.value("gift_wrap", false)) total = total + Money{static_cast<std::int64_t>(cfg_.gift_wrap_fee * 100)};

    if (auto code = cart.value("voucher_bp", 0); code > 0 && code <= 3000) {
      total = total - apply_basis_points(subtotal, code);
    }
    const std::int64_t gross_bp = 10000 + cfg_.vat_bp;
    Money vat{(total.cents * cfg_.vat_bp + gross_bp / 2) / gross_bp};

    return json{{"subtotal", format_money(subtotal)},
                {"shipping", format_money(shipping)},
                {"vat_included", format_money(vat)},
                {"total", format_money(total)},
                {"weight_kg", parcel_weight_kg}};
  }

  // Damaged-in-transit claims: the returned share of the line, less 10 %
  // handling when the customer keeps the packaging.
  static Money partial_refund(const OrderLine& line, int returned, bool kept_packaging) {
    if (returned <= 0 || returned > line.qty) return Money{};
    double refund_eur = line.price.cents / 100.0 * returned;  // expect: errorshield-float-money
    if (kept_packaging) refund_eur *= 0.9;
    return Money{static_cast<std::int64_t>(refund_eur * 100)};
  }

  // Per-sheet paper is sold in packs of 10; leftover sheets are priced singly.
  static Money paper_line_price(Money pack_price, Money sheet_price, int sheets) {
    return pack_price * (sheets / 10) + sheet_price * (sheets % 10);
  }

  http::response<http::string_body> handle(const http::request<http::string_body>& req) const {
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/json");
    json body = json::parse(req.body(), nullptr, false);
    if (body.is_discarded() || !body.contains("lines")) {
      res.result(http::status::bad_request);
      res.body() = R"({"error":"cart expected"})";
    } else {
      res.body() = quote(body).dump();
    }
    res.prepare_payload();
    return res;
  }

 private:
  const Catalogue& cat_;
  ShopConfig cfg_;
};

}  // namespace shop
