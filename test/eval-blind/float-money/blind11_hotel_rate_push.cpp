// checks: errorshield-float-money
// Rate & availability push service: channel managers (OTAs, the booking engine) subscribe over
// WebSocket per property and receive rate-plan / inventory updates as revenue management or the
// PMS changes them. Amounts on the wire are integer minor units plus an ISO currency code.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace rates {

struct RatePlan {
  std::string plan_code;
  std::string room_type;
  std::string currency = "EUR";
  std::int64_t nightly_minor = 0;
  std::int32_t rooms_left = 0;
  double fill_rate = 0.0;
  float review_score = 0.0f;
};

struct PromoOverride {
  std::string plan_code;
  std::string starts_on;
  std::string ends_on;
  double discount_amount = 0.0; // expect: errorshield-float-money
  std::int32_t discount_bps = 0;
};

struct Channel {
  std::string name;
  std::int32_t commission_bps = 1500;
  float booking_fee = 0.0f; // expect: errorshield-float-money
  std::chrono::duration<double> push_interval{2.5};
};

struct Property {
  std::string id;
  double latitude = 0.0;
  double longitude = 0.0;
  std::vector<RatePlan> plans;
  std::vector<PromoOverride> promos;
};

inline std::string format_minor(std::int64_t minor, const std::string& currency) {
  const bool neg = minor < 0;
  const std::int64_t abs_minor = neg ? -minor : minor;
  std::string cents = std::to_string(abs_minor % 100);
  if (cents.size() == 1) cents.insert(0, "0");
  return (neg ? "-" : "") + std::to_string(abs_minor / 100) + "." + cents + " " + currency;
}

inline std::int64_t apply_bps(std::int64_t minor, std::int32_t bps) {
  return (minor * bps + 5000) / 10000;
}

double quote_stay(const RatePlan& plan, int nights, const PromoOverride* promo) { // expect: errorshield-float-money
  double total = static_cast<double>(plan.nightly_minor) * nights / 100.0; // expect: errorshield-float-money
  if (promo) total -= promo->discount_amount * nights;
  return total;
}

std::int64_t quote_stay_minor(const RatePlan& plan, int nights, const PromoOverride* promo) {
  std::int64_t total = plan.nightly_minor * nights;
  if (promo) total -= apply_bps(total, promo->discount_bps);
  return total;
}

class Subscriber : public std::enable_shared_from_this<Subscriber> {
 public:
  Subscriber(websocket::stream<beast::tcp_stream> ws, Channel channel)
      : ws_(std::move(ws)), channel_(std::move(channel)) {}

  void deliver(std::string text) {
    net::post(ws_.get_executor(), [self = shared_from_this(), t = std::move(text)]() mutable {
      self->out_.push_back(std::move(t));
      if (self->out_.size() == 1) self->flush();
    });
  }
  const Channel& channel() const { return channel_; }

 private:
  void flush() {
    ws_.async_write(net::buffer(out_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->out_.pop_front();
      if (!self->out_.empty()) self->flush();
    });
  }
  websocket::stream<beast::tcp_stream> ws_;
  Channel channel_;
  std::deque<std::string> out_;
};

class RatePushService {
 public:
  void subscribe(const std::string& property_id, std::shared_ptr<Subscriber> s) {
    std::lock_guard lk(mu_);
    subscribers_[property_id].push_back(std::move(s));
  }

  // PMS / revenue-management update: {"property":"..","plan":"..","nightly_minor":12900,"rooms_left":4}
  void on_rate_update(const json& body) {
    std::lock_guard lk(mu_);
    auto pit = properties_.find(body.at("property").get<std::string>());
    if (pit == properties_.end()) return;
    Property& prop = pit->second;
    for (RatePlan& plan : prop.plans) {
      if (plan.plan_code != body.at("plan").get<std::string>()) continue;
      const std::int64_t old_minor = plan.nightly_minor;
      plan.nightly_minor = body.at("nightly_minor").get<std::int64_t>();
      plan.rooms_left = body.value("rooms_left", plan.rooms_left);
      const double change_ratio =
          old_minor > 0 ? static_cast<double>(plan.nightly_minor) / static_cast<double>(old_minor) : 1.0;
      if (std::abs(change_ratio - 1.0) > 0.30) flagged_.push_back(plan.plan_code);
      push_plan(prop, plan);
    }
  }

  // Legacy extranet still posts decimal prices: {"property":"..","plan":"..","price":129.0}
  void on_legacy_price(const json& body) {
    std::lock_guard lk(mu_);
    auto pit = properties_.find(body.at("property").get<std::string>());
    if (pit == properties_.end()) return;
    auto price = body.at("price").get<double>(); // expect: errorshield-float-money
    for (RatePlan& plan : pit->second.plans) {
      if (plan.plan_code != body.at("plan").get<std::string>()) continue;
      plan.nightly_minor = static_cast<std::int64_t>(std::llround(price * 100.0));
      push_plan(pit->second, plan);
    }
  }

  void set_city_tax(const std::string& property_id, const json& body) {
    std::lock_guard lk(mu_);
    if (body.contains("per_night_minor"))
      city_tax_minor_[property_id] = body["per_night_minor"].get<std::int64_t>();
    else
      city_tax_[property_id] = body.value("per_night", 0.0);
  }

  void on_booking(const std::string& property_id, const std::string& plan_code, int nights) {
    std::lock_guard lk(mu_);
    auto pit = properties_.find(property_id);
    if (pit == properties_.end()) return;
    for (RatePlan& plan : pit->second.plans) {
      if (plan.plan_code != plan_code || plan.rooms_left <= 0) continue;
      --plan.rooms_left;
      const int total_rooms = plan.rooms_left + booked_[plan_code] + 1;
      ++booked_[plan_code];
      plan.fill_rate = static_cast<double>(booked_[plan_code]) / static_cast<double>(total_rooms);
      const PromoOverride* promo = find_promo(pit->second, plan_code);
      const std::int64_t stay_minor = quote_stay_minor(plan, nights, promo);
      revenue_minor_[property_id] += stay_minor + city_tax_minor_[property_id] * nights;
      push_plan(pit->second, plan);
    }
  }

 private:
  const PromoOverride* find_promo(const Property& prop, const std::string& plan_code) const {
    for (const auto& p : prop.promos)
      if (p.plan_code == plan_code) return &p;
    return nullptr;
  }

  void push_plan(const Property& prop, const RatePlan& plan) {
    auto sit = subscribers_.find(prop.id);
    if (sit == subscribers_.end()) return;
    const PromoOverride* promo = find_promo(prop, plan.plan_code);
    for (const auto& sub : sit->second) {
      const Channel& ch = sub->channel();
      const std::int64_t net_minor = plan.nightly_minor - apply_bps(plan.nightly_minor, ch.commission_bps);
      const double pct_of_rack = rack_minor_ > 0 ? 100.0 * plan.nightly_minor / rack_minor_ : 0.0;
      json msg = {
          {"type", "rate"},
          {"property", prop.id},
          {"plan", plan.plan_code},
          {"room_type", plan.room_type},
          {"currency", plan.currency},
          {"nightly_minor", plan.nightly_minor},
          {"net_minor", net_minor},
          {"display", format_minor(plan.nightly_minor, plan.currency)},
          {"rooms_left", plan.rooms_left},
          {"fill_rate", plan.fill_rate},
          {"pct_of_rack", pct_of_rack},
          {"promo", promo != nullptr},
      };
      sub->deliver(msg.dump());
    }
  }

  std::mutex mu_;
  std::unordered_map<std::string, Property> properties_;
  std::unordered_map<std::string, std::vector<std::shared_ptr<Subscriber>>> subscribers_;
  std::unordered_map<std::string, double> city_tax_; // expect: errorshield-float-money
  std::unordered_map<std::string, std::int64_t> city_tax_minor_;
  std::unordered_map<std::string, std::int64_t> revenue_minor_;
  std::unordered_map<std::string, int> booked_;
  std::vector<std::string> flagged_;
  std::int64_t rack_minor_ = 0;
};

}  // namespace rates
