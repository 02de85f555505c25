// checks: errorshield-float-money
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using json = nlohmann::json;
using tcp = asio::ip::tcp;

namespace parking {

struct Tariff {
  std::string zone;
  std::int64_t rate_cents_per_hour = 0;
  std::int32_t max_minutes = 120;
  std::int64_t daily_cap_cents = 0;
};

struct MeterStatus {
  std::string meter_id;
  double lat = 0.0;
  double lon = 0.0;
  double charge_level = 1.0;
  float coin_weight_grams = 0.0f;
  double occupancy_rate = 0.0;
  std::int64_t coin_box_cents = 0;
};

struct PermitHolder {
  std::string plate;
  std::string permit_zone;
  double prepaid_balance = 0.0; // expect: errorshield-float-money
  std::int32_t free_minutes_left = 0;
};

struct ParkingSession {
  std::string plate;
  std::string zone;
  std::chrono::system_clock::time_point start;
  std::chrono::system_clock::time_point end;
  std::int64_t charged_cents = 0;
};

class TariffTable {
public:
  void upsert(const Tariff &t) {
    std::unique_lock lk(mu_);
    tariffs_[t.zone] = t;
  }

  void set_event_cap(const std::string &zone, const json &j) {
    std::unique_lock lk(mu_);
    event_day_cap_[zone] = j.at("cap").get<double>();
  }

  const Tariff *find(const std::string &zone) const {
    std::shared_lock lk(mu_);
    auto it = tariffs_.find(zone);
    return it == tariffs_.end() ? nullptr : &it->second;
  }

private:
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, Tariff> tariffs_;
  std::unordered_map<std::string, double> event_day_cap_; // expect: errorshield-float-money
};

// Integer-only fee computation: 15 minute billing increments, rounded up.
inline std::int64_t fee_cents(const Tariff &t, std::int64_t minutes) {
  const std::int64_t increments = (minutes + 14) / 15;
  const std::int64_t fee = (increments * t.rate_cents_per_hour + 3) / 4;
  return t.daily_cap_cents > 0 ? std::min(fee, t.daily_cap_cents) : fee;
}

constexpr std::int64_t kPenaltyCentsPerMinute = 25;

inline std::int64_t overstay_penalty_cents(const Tariff &t, std::int64_t minutes) {
  const std::int64_t overstay = minutes - t.max_minutes;
  if (overstay <= 0) return 0;
  // Escalated penalty after the first hour of overstay.
  auto penalty = overstay * kPenaltyCentsPerMinute * (overstay > 60 ? 1.5 : 1.0); // expect: errorshield-float-money
  return static_cast<std::int64_t>(penalty);
}

void refund_to_card(const std::string &card_token, double refund_amount); // expect: errorshield-float-money

inline void refund_to_card_cents(const std::string &card_token, std::int64_t cents) {
  if (cents <= 0 || card_token.empty()) return;
  // forwarded to the acquirer in minor units
}

// Wallet service client: returns the driver's balance.
asio::awaitable<double> fetch_wallet_balance(tcp::resolver::results_type endpoints, std::string plate) { // expect: errorshield-float-money
  auto ex = co_await asio::this_coro::executor;
  beast::tcp_stream stream(ex);
  stream.expires_after(std::chrono::seconds(5));
  co_await stream.async_connect(endpoints, asio::use_awaitable);

  http::request<http::empty_body> req{http::verb::get, "/wallet/" + plate, 11};
  req.set(http::field::host, "wallet.internal");
  co_await http::async_write(stream, req, asio::use_awaitable);

  beast::flat_buffer buf;
  http::response<http::string_body> res;
  co_await http::async_read(stream, buf, res, asio::use_awaitable);
  const json j = json::parse(res.body());
  co_return j.value("balance", 0.0);
}

asio::awaitable<std::int64_t> fetch_wallet_cents(tcp::resolver::results_type endpoints, std::string plate) {
  auto ex = co_await asio::this_coro::executor;
  beast::tcp_stream stream(ex);
  stream.expires_after(std::chrono::seconds(5));
  co_await stream.async_connect(endpoints, asio::use_awaitable);

  http::request<http::empty_body> req{http::verb::get, "/v2/wallet/" + plate, 11};
  req.set(http::field::host, "wallet.internal");
  co_await http::async_write(stream, req, asio::use_awaitable);

  beast::flat_buffer buf;
  http::response<http::string_body> res;
  co_await http::async_read(stream, buf, res, asio::use_awaitable);
  co_return json::parse(res.body()).value("balance_cents", std::int64_t{0});
}

class BillingService {
public:
  explicit BillingService(TariffTable &table) : table_(table) {}

  json close_session(ParkingSession &s, PermitHolder *holder) {
    json out;
    const Tariff *t = table_.find(s.zone);
    if (!t) {
      out["error"] = "unknown zone";
      return out;
    }
    const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(s.end - s.start).count();
    std::int64_t due = fee_cents(*t, minutes) + overstay_penalty_cents(*t, minutes);

    if (holder && holder->permit_zone == s.zone && holder->free_minutes_left > 0) {
      const std::int64_t covered = std::min<std::int64_t>(minutes, holder->free_minutes_left);
      holder->free_minutes_left -= static_cast<std::int32_t>(covered);
      due -= fee_cents(*t, covered);
      due = std::max<std::int64_t>(due, 0);
    }
    if (holder) {
      const std::int64_t available = static_cast<std::int64_t>(holder->prepaid_balance * 100.0);
      const std::int64_t taken = std::min(available, due);
      holder->prepaid_balance -= taken / 100.0;
      due -= taken;
    }

    s.charged_cents = due;
    out["plate"] = s.plate;
    out["minutes"] = minutes;
    out["amount_cents"] = due;
    return out;
  }

  void record_meter(const MeterStatus &m) {
    const double hours_of_battery = m.charge_level * 72.0;
    if (hours_of_battery < 6.0) low_battery_.push_back(m.meter_id);
  }

  std::vector<std::string> low_battery_;

private:
  TariffTable &table_;
};

class MeterSession : public std::enable_shared_from_this<MeterSession> {
public:
  MeterSession(tcp::socket s, BillingService &billing)
      : stream_(std::move(s)), billing_(billing) {}

  void run() { read(); }

private:
  void read() {
    req_ = {};
    stream_.expires_after(std::chrono::seconds(20));
    http::async_read(stream_, buf_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) self->on_request();
    });
  }

  void on_request() {
    http::response<http::string_body> res{http::status::ok, req_.version()};
    try {
      const json body = json::parse(req_.body());
      ParkingSession s;
      s.plate = body.at("plate").get<std::string>();
      s.zone = body.at("zone").get<std::string>();
      const auto now = std::chrono::system_clock::now();
      s.start = now - std::chrono::minutes(body.at("minutes").get<std::int64_t>());
      s.end = now;

      const float tendered = body.value("coins_tendered", 0.0f); // expect: errorshield-float-money
      const std::int64_t tendered_cents = body.value("coins_tendered_cents", std::int64_t{0});

      json out = billing_.close_session(s, nullptr);
      out["change_cents"] = std::max<std::int64_t>(0, tendered_cents - s.charged_cents);
      out["legacy_meter"] = tendered > 0.0f && tendered_cents == 0;
      res.body() = out.dump();
    } catch (const std::exception &e) {
      res.result(http::status::bad_request);
      res.body() = json{{"error", e.what()}}.dump();
    }
    res.set(http::field::content_type, "application/json");
    res.prepare_payload();
    auto sp = std::make_shared<http::response<http::string_body>>(std::move(res));
    http::async_write(stream_, *sp, [self = shared_from_this(), sp](beast::error_code ec, std::size_t) {
      if (!ec && sp->keep_alive()) self->read();
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  BillingService &billing_;
};

} // namespace parking
