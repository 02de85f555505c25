// checks: errorshield-float-money
// Ski school lesson billing endpoint.
// Instructors log lessons from the slope app; the office pulls invoices as JSON.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using json = nlohmann::json;

namespace skischool {

enum class LessonKind { group, private_, freeride };

struct Lesson {
  std::string student;
  std::string instructor;
  LessonKind kind = LessonKind::group;
  double duration_hours = 1.0;   // 0.5 steps, from the slope app
  double altitude_m = 1800.0;    // meeting point altitude
  double hourly_rate_eur = 0.0;  // expect: errorshield-float-money
};

// Rates in the tariff table are integer cents.
struct Tariff {
  std::int64_t group_cents_per_hour = 4500;
  std::int64_t private_cents_per_hour = 9500;
  std::int64_t freeride_cents_per_hour = 14000;
  double snow_depth_cm = 0.0;
};

struct InvoiceLine {
  std::string description;
  std::int64_t amount_cents = 0;
};

struct Invoice {
  std::string student;
  std::vector<InvoiceLine> lines;
  std::int64_t total_cents = 0;
};

std::int64_t rate_cents(const Tariff &t, LessonKind k) {
  switch (k) {
  case LessonKind::group: return t.group_cents_per_hour;
  case LessonKind::private_: return t.private_cents_per_hour;
  case LessonKind::freeride: return t.freeride_cents_per_hour;
  }
  return t.group_cents_per_hour;
}

// Half-hour slots, so duration_hours * 2 is exact.
std::int64_t lesson_cents(const Tariff &t, const Lesson &l) {
  auto half_hours = static_cast<std::int64_t>(l.duration_hours * 2.0 + 0.5);
  return rate_cents(t, l.kind) * half_hours / 2;
}

// Legacy: the old tablet app still computes the price on-device.
double legacy_lesson_price(const Lesson &l) { // expect: errorshield-float-money
  return l.hourly_rate_eur * l.duration_hours;
}

Invoice build_invoice(const Tariff &t, const std::string &student,
                      const std::vector<Lesson> &lessons) {
  Invoice inv;
  inv.student = student;
  for (const auto &l : lessons) {
    if (l.student != student)
      continue;
    InvoiceLine line{l.instructor + " lesson", lesson_cents(t, l)};
    inv.total_cents += line.amount_cents;
    inv.lines.push_back(std::move(line));
  }
  return inv;
}

// Multi-day pass discount, in basis points (1250 = 12.5 %).
std::int64_t apply_discount(std::int64_t cents, std::int64_t basis_points) {
  return cents - cents * basis_points / 10000;
}

// Group fill level, used to decide whether to open another class.
double group_fill_ratio(int booked, int capacity) {
  return capacity == 0 ? 0.0 : static_cast<double>(booked) / capacity;
}

// Summary shown on the instructor leaderboard.
json instructor_summary(const std::vector<Lesson> &lessons, const std::string &instructor) {
  double hours = 0.0;
  float revenue = 0.0f; // expect: errorshield-float-money
  for (const auto &l : lessons) {
    if (l.instructor != instructor)
      continue;
    hours += l.duration_hours;
    revenue += static_cast<float>(l.hourly_rate_eur * l.duration_hours);
  }
  return json{{"instructor", instructor}, {"hours", hours}, {"revenue", revenue}};
}

// Deposits are taken at the desk and posted by the kiosk as JSON.
struct DepositRequest {
  std::string student;
  std::int64_t deposit_cents = 0;
  double wind_kmh = 0.0;
};

DepositRequest parse_deposit(const json &j) {
  DepositRequest d;
  d.student = j.at("student").get<std::string>();
  d.deposit_cents = j.at("deposit_cents").get<std::int64_t>();
  d.wind_kmh = j.value("wind_kmh", 0.0);
  return d;
}

// Refund from the ski-rental partner arrives in euros with decimals.
void book_partner_refund(std::map<std::string, std::int64_t> &ledger, const json &j) {
  const double refund_eur = j.at("refund_eur").get<double>(); // expect: errorshield-float-money
  ledger[j.at("student").get<std::string>()] -= static_cast<std::int64_t>(refund_eur * 100);
}

template <class Amount> struct Balance {
  std::string student;
  Amount owed{};
  void charge(Amount a) { owed += a; }
};

using CentsBalance = Balance<std::int64_t>;

json invoice_to_json(const Invoice &inv) {
  json lines = json::array();
  for (const auto &l : inv.lines)
    lines.push_back({{"description", l.description}, {"amount_cents", l.amount_cents}});
  return json{{"student", inv.student}, {"lines", lines}, {"total_cents", inv.total_cents}};
}

class BillingService {
public:
  explicit BillingService(Tariff t) : tariff_(t) {}

  void log_lesson(const json &j) {
    Lesson l;
    l.student = j.at("student").get<std::string>();
    l.instructor = j.at("instructor").get<std::string>();
    l.duration_hours = j.value("hours", 1.0);
    l.altitude_m = j.value("altitude_m", 1800.0);
    lessons_.push_back(std::move(l));
  }

  // Late-cancellation fee as charged by the front desk.
  void charge_cancellation(const std::string &student, double fee) { // expect: errorshield-float-money
    CentsBalance &b = balances_[student];
    b.student = student;
    b.charge(static_cast<std::int64_t>(fee * 100.0 + 0.5));
  }

  void charge_rental(const std::string &student, std::int64_t cents) {
    CentsBalance &b = balances_[student];
    b.student = student;
    b.charge(cents);
  }

  json invoice(const std::string &student) const {
    return invoice_to_json(build_invoice(tariff_, student, lessons_));
  }

  const std::vector<Lesson> &lessons() const { return lessons_; }

private:
  Tariff tariff_;
  std::vector<Lesson> lessons_;
  std::map<std::string, CentsBalance> balances_;
};

awaitable<void> serve(tcp::socket sock, std::shared_ptr<BillingService> svc) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(sock, buf, req, use_awaitable);
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  json body = json::parse(req.body(), nullptr, false);
  std::string target(req.target());
  if (target == "/lesson" && body.is_object()) {
    svc->log_lesson(body);
  } else if (target == "/invoice" && body.is_object()) {
    res.body() = svc->invoice(body.value("student", "")).dump();
  } else if (target == "/leaderboard" && body.is_object()) {
    res.body() = instructor_summary(svc->lessons(), body.value("instructor", "")).dump();
  } else if (target == "/deposit" && body.is_object()) {
    auto d = parse_deposit(body);
    svc->charge_rental(d.student, -apply_discount(d.deposit_cents, 0));
  } else if (target == "/fill" && body.is_object()) {
    res.body() = json{{"fill", group_fill_ratio(body.value("booked", 0), 8)}}.dump();
  } else {
    res.result(http::status::not_found);
  }
  res.prepare_payload();
  co_await http::async_write(sock, res, use_awaitable);
}

awaitable<void> listen(tcp::acceptor acc, std::shared_ptr<BillingService> svc) {
  for (;;) {
    auto s = co_await acc.async_accept(use_awaitable);
    asio::co_spawn(acc.get_executor(), serve(std::move(s), svc), asio::detached);
  }
}

} // namespace skischool

int main() {
  asio::io_context ioc;
  auto svc = std::make_shared<skischool::BillingService>(skischool::Tariff{});
  asio::co_spawn(ioc, skischool::listen(tcp::acceptor(ioc, {tcp::v4(), 8090}), svc),
                 asio::detached);
  ioc.run();
}
