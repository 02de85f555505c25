// checks: errorshield-float-money
// HTTP checkout endpoint of the in-game store plus the revenue events it
// hands to the telemetry uploader.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

namespace beast = boost::beast;
namespace http = beast::http;
using json = nlohmann::json;

#define STORE_WARN(fmt, ...) std::fprintf(stderr, "[store][warn] " fmt "\n", ##__VA_ARGS__)

namespace shop {

template <class Rep>
struct Amount {
  Rep value{};
  friend Amount operator+(Amount a, Amount b) { return {a.value + b.value}; }
  friend Amount operator-(Amount a, Amount b) { return {a.value - b.value}; }
  friend bool operator<(Amount a, Amount b) { return a.value < b.value; }
};

using Cents = Amount<std::int64_t>;
using Gems = Amount<std::int64_t>;

struct StoreConfig {
  float daily_spend_limit = 250.0f; // expect: errorshield-float-money
  std::int64_t min_purchase_cents = 99;
  double telemetry_sample_rate = 0.25;  // fraction of events uploaded
  double retry_backoff_multiplier = 1.5;
};

struct SpendLimits {
  std::int64_t max_cents_per_day = 0;
};

inline SpendLimits limits_from(const StoreConfig& cfg) {
  return SpendLimits{static_cast<std::int64_t>(cfg.daily_spend_limit) * 100};
}

struct StoreItem {
  std::string sku;
  Cents price;
  Gems gem_price;
  int discount_pct = 0;
  int purchases_7d = 0;
};

struct GiftCard {
  std::string code;
  std::int64_t balance_cents = 0;
};

// Ranking score for the storefront carousel; not a price.
inline double carousel_score(const StoreItem& it) {
  const double popularity = std::log1p(static_cast<double>(it.purchases_7d));
  return popularity * 0.7 + (it.discount_pct / 100.0) * 0.3;
}

inline std::string to_display(Cents c) {
  const auto d = std::lldiv(c.value, 100);
  char buf[32];
  std::snprintf(buf, sizeof buf, "$%lld.%02lld", d.quot, std::llabs(d.rem));
  return buf;
}

class Checkout {
 public:
  explicit Checkout(StoreConfig cfg) : cfg_(cfg), limits_(limits_from(cfg)) {}

  Cents total(const std::vector<StoreItem>& cart) const {
    Cents sum{};
    for (const auto& it : cart) sum = sum + Cents{it.price.value * (100 - it.discount_pct) / 100};
    return sum;
  }

  Gems gem_total(const std::vector<StoreItem>& cart) const {
    Gems g{};
    for (const auto& it : cart) g = g + it.gem_price;
    return g;
  }

  json bundle_offer(const std::vector<StoreItem>& cart) const {
    Amount<double> bundle_price{total(cart).value * 0.85 / 100.0}; // expect: errorshield-float-money
    return json{{"items", cart.size()}, {"bundle_price", bundle_price.value}};
  }

  json bundle_offer_exact(const std::vector<StoreItem>& cart) const {
    const Cents bundle{total(cart).value * 85 / 100};
    return json{{"items", cart.size()}, {"bundle_price_cents", bundle.value}, {"display", to_display(bundle)}};
  }

  bool apply_gift_card(const GiftCard& card, const std::vector<StoreItem>& cart) const {
    const double remaining = card.balance_cents / 100.0 - total(cart).value / 100.0; // expect: errorshield-float-money
    if (remaining < 0) {
      STORE_WARN("gift card %s short by %.2f", card.code.c_str(), -remaining);
      return false;
    }
    return true;
  }

  bool apply_gift_card_exact(const GiftCard& card, const std::vector<StoreItem>& cart) const {
    const std::int64_t remaining_cents = card.balance_cents - total(cart).value;
    if (remaining_cents < 0) {
      STORE_WARN("gift card %s short by %s", card.code.c_str(), to_display(Cents{-remaining_cents}).c_str());
      return false;
    }
    return true;
  }

  bool within_daily_limit(std::int64_t spent_today_cents, Cents next) const {
    return spent_today_cents + next.value <= limits_.max_cents_per_day;
  }

  std::vector<StoreItem> storefront(std::vector<StoreItem> items) const {
    std::sort(items.begin(), items.end(),
              [](const StoreItem& a, const StoreItem& b) { return carousel_score(a) > carousel_score(b); });
    return items;
  }

 private:
  StoreConfig cfg_;
  SpendLimits limits_;
};

class RevenueEvents {
 public:
  explicit RevenueEvents(const StoreConfig& cfg) : sample_rate_(cfg.telemetry_sample_rate) {}

  json purchase_event(const std::string& player, const StoreItem& item) const {
    json j;
    j["player"] = player;
    j["sku"] = item.sku;
    j["revenue"] = item.price.value / 100.0; // expect: errorshield-float-money
    j["sampled"] = sample_rate_;
    return j;
  }

  json purchase_event_cents(const std::string& player, const StoreItem& item) const {
    return json{{"player", player}, {"sku", item.sku}, {"revenue_cents", item.price.value}, {"sampled", sample_rate_}};
  }

  json upload_stats(std::size_t bytes, std::chrono::steady_clock::duration took) const {
    const std::chrono::duration<double> secs = took;
    const double bytes_per_sec = secs.count() > 0 ? static_cast<double>(bytes) / secs.count() : 0.0;
    return json{{"bytes", bytes}, {"throughput", bytes_per_sec}};
  }

 private:
  double sample_rate_;
};

http::response<http::string_body> handle_checkout(const http::request<http::string_body>& req, Checkout& co,
                                                  const std::vector<StoreItem>& catalog) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  json body = json::parse(req.body(), nullptr, false);
  if (body.is_discarded() || !body.contains("skus")) {
    res.result(http::status::bad_request);
    res.body() = R"({"error":"bad request"})";
    res.prepare_payload();
    return res;
  }
  std::vector<StoreItem> cart;
  for (const auto& j : body["skus"]) {
    const std::string sku = j.is_string() ? j.get<std::string>() : std::string{};
    auto it = std::find_if(catalog.begin(), catalog.end(), [&](const StoreItem& s) { return s.sku == sku; });
    if (it != catalog.end()) cart.push_back(*it);
  }
  const double tip = body.value("tip", 0.0); // expect: errorshield-float-money
  const std::int64_t spent_today = body.value("spent_today_cents", std::int64_t{0});
  const Cents due = co.total(cart);
  if (!co.within_daily_limit(spent_today, due)) res.result(http::status::forbidden);
  res.body() = json{{"due_cents", due.value}, {"display", to_display(due)}, {"tip", tip}}.dump();
  res.prepare_payload();
  return res;
}

}  // namespace shop

int main() {
  shop::StoreConfig cfg;
  shop::Checkout co(cfg);
  std::vector<shop::StoreItem> catalog{{"skin.neon", {1299}, {800}, 10, 40}, {"emote.wave", {299}, {200}, 0, 300}};
  http::request<http::string_body> req{http::verb::post, "/store/checkout", 11};
  req.body() = R"({"skus":["skin.neon"],"spent_today_cents":1000})";
  auto res = shop::handle_checkout(req, co, catalog);
  std::printf("%s\n", res.body().c_str());
  return 0;
}
