// checks: errorshield-float-money
// Florist shop order service: takes bouquet orders over HTTP/JSON, quotes delivery,
// charges the card through the payment gateway and tracks the cold room.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace florist {

struct Bouquet {
  std::string sku;
  std::string name;
  double price; // expect: errorshield-float-money
  int stems = 12;
  double stem_length_cm = 50.0;
};

struct CartLine {
  std::string sku;
  int quantity = 1;
  std::int64_t unit_price_cents = 0;
};

struct ColdRoomReading {
  double temperature_c = 4.0;
  float humidity = 0.85f;
};

// Payment gateway client (implemented elsewhere).
bool gateway_charge_cents(const std::string& card_token, std::int64_t amount_cents, const std::string& currency);
// Old in-store POS terminals still go through this entry point.
bool pos_terminal_charge(int terminal_id, double amount, const std::string& currency); // expect: errorshield-float-money
bool gateway_refund_cents(const std::string& charge_id, std::int64_t amount_cents);

std::string format_cents(std::int64_t cents) {
  std::string frac = std::to_string(cents % 100);
  if (frac.size() < 2) frac.insert(0, "0");
  return std::to_string(cents / 100) + "." + frac;
}

class Catalog {
 public:
  Catalog() {
    price_list_["rose-dozen"] = 39.99;
    price_list_["tulip-mix"] = 24.50;
    cents_list_["rose-dozen"] = 3999;
    cents_list_["tulip-mix"] = 2450;
  }

  std::int64_t cents_for(const std::string& sku) const {
    auto it = cents_list_.find(sku);
    return it == cents_list_.end() ? 0 : it->second;
  }

  bool on_special(const std::string& sku) const { return price_list_.count(sku) && !cents_list_.count(sku); }

 private:
  std::map<std::string, double> price_list_; // expect: errorshield-float-money
  std::map<std::string, std::int64_t> cents_list_;
};

class DeliveryQuoter {
 public:
  // Flat fee plus a per-km charge beyond the free radius.
  std::int64_t quote_cents(double distance_km) const {
    std::int64_t cents = base_fee_cents_;
    if (distance_km > free_radius_km_)
      cents += static_cast<std::int64_t>(std::ceil(distance_km - free_radius_km_)) * per_km_cents_;
    return cents;
  }

  bool has_rush_option() const { return rush_fee_cents_ > 0; }

 private:
  std::int64_t base_fee_cents_ = 750;
  std::int64_t per_km_cents_ = 120;
  double free_radius_km_ = 5.0;
  std::int64_t rush_fee_cents_ = 995;
};

std::int64_t cart_total_cents(const std::vector<CartLine>& lines, double vat_rate) {
  std::int64_t net = 0;
  for (const auto& l : lines) net += l.unit_price_cents * l.quantity;
  return net + std::llround(static_cast<double>(net) * vat_rate);
}

std::int64_t legacy_cart_total(const std::vector<Bouquet>& items) {
  double subtotal = 0.0; // expect: errorshield-float-money
  for (const auto& b : items) subtotal += b.stems > 24 ? b.price * 0.9 : b.price;
  return std::llround(subtotal * 100);
}

json handle_order(const json& body, const Catalog& catalog, const DeliveryQuoter& quoter) {
  std::vector<CartLine> lines;
  for (const auto& item : body.at("items")) {
    CartLine l;
    l.sku = item.at("sku").get<std::string>();
    l.quantity = item.value("qty", 1);
    l.unit_price_cents = catalog.cents_for(l.sku);
    lines.push_back(l);
  }
  double distance_km = body.value("distance_km", 0.0);
  double tip = body.value("tip", 0.0); // expect: errorshield-float-money
  std::int64_t total = cart_total_cents(lines, 0.2) + quoter.quote_cents(distance_km);
  total += std::llround(tip * 100);

  if (!gateway_charge_cents(body.at("card").get<std::string>(), total, "EUR"))
    return json{{"status", "declined"}};
  return json{{"status", "paid"}, {"total", format_cents(total)}, {"total_cents", total}};
}

asio::awaitable<void> refund_wilted(std::string charge_id, std::int64_t paid_cents, int wilted, int stems) {
  std::int64_t refund_cents = paid_cents * wilted / stems;
  co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
  gateway_refund_cents(charge_id, refund_cents);
}

asio::awaitable<void> refund_late_delivery(std::string charge_id, std::int64_t paid_cents) {
  float goodwill = static_cast<float>(paid_cents) / 100.0f * 0.15f; // expect: errorshield-float-money
  co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
  gateway_refund_cents(charge_id, std::llround(goodwill * 100));
}

class OrderSession : public std::enable_shared_from_this<OrderSession> {
 public:
  OrderSession(tcp::socket s, const Catalog& c, const DeliveryQuoter& q)
      : stream_(std::move(s)), catalog_(c), quoter_(q) {}

  void start() { read(); }

 private:
  void read() {
    req_ = {};
    http::async_read(stream_, buf_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->respond();
    });
  }

  void respond() {
    json out;
    try {
      out = handle_order(json::parse(req_.body()), catalog_, quoter_);
    } catch (const std::exception& e) {
      out = json{{"error", e.what()}};
    }
    res_ = http::response<http::string_body>(http::status::ok, req_.version());
    res_.set(http::field::content_type, "application/json");
    res_.body() = out.dump();
    res_.prepare_payload();
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) self->read();
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
  const Catalog& catalog_;
  const DeliveryQuoter& quoter_;
  ColdRoomReading last_reading_;
};

}  // namespace florist

int main() {
  asio::io_context ioc;
  florist::Catalog catalog;
  florist::DeliveryQuoter quoter;
  tcp::acceptor acc(ioc, {tcp::v4(), 8088});
  std::function<void()> accept = [&] {
    acc.async_accept([&](beast::error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<florist::OrderSession>(std::move(s), catalog, quoter)->start();
      accept();
    });
  };
  accept();
  ioc.run();
}
