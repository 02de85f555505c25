// checks: errorshield-float-money
// Booking and payout service for an online tutoring marketplace. Students book
// sessions over a small HTTP API, tutors get paid out weekly.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using json = nlohmann::json;

namespace tutoring {

struct Tutor {
  std::string id;
  std::string subject;
  double hourly_rate = 0.0; // expect: errorshield-float-money
  double avg_rating = 0.0;
  double hours_taught = 0.0;
};

struct Booking {
  std::string student;
  std::string tutor;
  int minutes = 0;
  std::int64_t price_cents = 0;
};

// Price quoted to the student before checkout.
double quote_session(const Tutor &t, int minutes) { // expect: errorshield-float-money
  return t.hourly_rate * minutes / 60.0;
}

// Commission in basis points so rounding is exact.
constexpr std::int64_t kCommissionBps = 1500;

std::int64_t commission_cents(std::int64_t price_cents) {
  return price_cents * kCommissionBps / 10000;
}

std::int64_t tutor_share_cents(const Booking &b) {
  return b.price_cents - commission_cents(b.price_cents);
}

class Wallets {
public:
  void credit(const std::string &tutor, std::int64_t cents) {
    std::lock_guard lk(mu_);
    pending_cents_[tutor] += cents;
  }

  std::int64_t drain(const std::string &tutor) {
    std::lock_guard lk(mu_);
    auto it = pending_cents_.find(tutor);
    if (it == pending_cents_.end())
      return 0;
    std::int64_t v = it->second;
    pending_cents_.erase(it);
    return v;
  }

private:
  std::mutex mu_;
  std::unordered_map<std::string, std::int64_t> pending_cents_;
};

// Gift-card balances loaded from the legacy system.
class GiftCards {
public:
  void load(const json &doc) {
    for (const auto &[code, v] : doc.items())
      balances_[code] = v.get<double>();
  }
  bool covers(const std::string &code, std::int64_t cents) const {
    auto it = balances_.find(code);
    return it != balances_.end() && it->second * 100 >= cents;
  }

private:
  std::map<std::string, double> balances_; // expect: errorshield-float-money
};

struct SessionStats {
  double error_rate = 0.0;
  double mean_latency_ms = 0.0;
  std::chrono::milliseconds p99{0};
};

json booking_to_json(const Booking &b) {
  return json{{"student", b.student},
              {"tutor", b.tutor},
              {"minutes", b.minutes},
              {"price_cents", b.price_cents}};
}

Booking booking_from_json(const json &j) {
  Booking b;
  b.student = j.at("student").get<std::string>();
  b.tutor = j.at("tutor").get<std::string>();
  b.minutes = j.at("minutes").get<int>();
  b.price_cents = j.at("price_cents").get<std::int64_t>();
  return b;
}

http::response<http::string_body> make_json_reply(const json &body, unsigned version) {
  http::response<http::string_body> res{http::status::ok, version};
  res.set(http::field::content_type, "application/json");
  res.body() = body.dump();
  res.prepare_payload();
  return res;
}

// POST /tip : student adds a tip after the session.
http::response<http::string_body> handle_tip(const http::request<http::string_body> &req,
                                             Wallets &wallets) {
  json body = json::parse(req.body(), nullptr, false);
  if (body.is_discarded())
    return make_json_reply({{"error", "bad json"}}, req.version());
  std::string tutor = body.value("tutor", "");
  float tip = body.value("tip", 0.0f); // expect: errorshield-float-money
  wallets.credit(tutor, static_cast<std::int64_t>(tip * 100));
  return make_json_reply({{"ok", true}}, req.version());
}

// POST /rate : star rating, 1..5 with halves allowed.
http::response<http::string_body> handle_rating(const http::request<http::string_body> &req,
                                                std::map<std::string, Tutor> &tutors) {
  json body = json::parse(req.body(), nullptr, false);
  if (body.is_discarded() || !body.contains("tutor"))
    return make_json_reply({{"error", "bad json"}}, req.version());
  double stars = body.value("stars", 0.0);
  auto &t = tutors[body["tutor"].get<std::string>()];
  t.avg_rating = (t.avg_rating * 0.9) + (stars * 0.1);
  return make_json_reply({{"avg", t.avg_rating}}, req.version());
}

std::int64_t refund_policy_cents(const Booking &b, int minutes_before_start) {
  if (minutes_before_start >= 24 * 60)
    return b.price_cents;
  if (minutes_before_start >= 2 * 60)
    return b.price_cents / 2;
  return 0;
}

// Cancellation flow, refund issued asynchronously to the payment provider.
asio::awaitable<void> cancel_booking(Booking b, int minutes_before_start, Wallets &wallets) {
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer settle(ex, std::chrono::milliseconds(50));
  co_await settle.async_wait(asio::use_awaitable);
  double refund_amount = minutes_before_start >= 120 ? b.price_cents / 100.0 : 0.0; // expect: errorshield-float-money
  if (refund_amount > 0)
    wallets.credit(b.student, -static_cast<std::int64_t>(std::lround(refund_amount * 100)));
  co_return;
}

// Same flow after the policy moved to whole cents.
asio::awaitable<void> cancel_booking_v2(Booking b, int minutes_before_start, Wallets &wallets) {
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer settle(ex, std::chrono::milliseconds(50));
  co_await settle.async_wait(asio::use_awaitable);
  std::int64_t refund_cents = refund_policy_cents(b, minutes_before_start);
  if (refund_cents > 0)
    wallets.credit(b.student, -refund_cents);
  co_return;
}

// Weekly payout batch.
template <class Sink> void run_payouts(const std::vector<Booking> &week, Wallets &wallets, Sink &&sink) {
  std::map<std::string, std::int64_t> per_tutor;
  for (const auto &b : week)
    per_tutor[b.tutor] += tutor_share_cents(b);
  for (const auto &[tutor, cents] : per_tutor) {
    wallets.credit(tutor, cents);
    sink(tutor, wallets.drain(tutor));
  }
}

// Monthly earnings summary for the tutor dashboard.
template <class Range> json earnings_summary(const Range &bookings) {
  double total_earnings = 0; // expect: errorshield-float-money
  double hours = 0;
  for (const auto &b : bookings) {
    total_earnings += tutor_share_cents(b) / 100.0;
    hours += b.minutes / 60.0;
  }
  return json{{"earnings", total_earnings}, {"hours", hours}};
}

json stats_to_json(const SessionStats &s) {
  return json{{"error_rate", s.error_rate},
              {"mean_latency_ms", s.mean_latency_ms},
              {"p99_ms", s.p99.count()}};
}

void weekly_job(const std::vector<Booking> &week, Wallets &wallets) {
  run_payouts(week, wallets, [](const std::string &, std::int64_t) {});
  json dash = earnings_summary(week);
  (void)dash;
}

} // namespace tutoring
