// checks: errorshield-float-money
// Laundromat controller: washers and dryers report telemetry over HTTP, the
// app starts cycles, and customers pay from a prepaid card balance.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace laundromat {

enum class Kind { washer, dryer };

struct Machine {
  std::string id;
  Kind kind = Kind::washer;
  double drum_temp_c = 20.0;
  double water_litres = 0.0;
  double load_kg = 0.0;
  double cycle_price = 3.50; // expect: errorshield-float-money
  int minutes_left = 0;
};

struct Card {
  std::string card_id;
  std::int64_t balance_cents = 0;
  std::uint32_t loyalty_points = 0;
};

struct Receipt {
  std::string machine;
  std::int64_t charged_cents = 0;
  double energy_kwh = 0.0;
};

// Dryer pricing is per started 10 minutes.
double dryer_cost(int minutes) { // expect: errorshield-float-money
  const int blocks = (minutes + 9) / 10;
  return blocks * 0.25;
}

std::int64_t dryer_cost_cents(int minutes) {
  const int blocks = (minutes + 9) / 10;
  return static_cast<std::int64_t>(blocks) * 25;
}

// Energy use estimate, kWh, for the utility dashboard.
double estimated_kwh(const Machine& m) {
  const double heat = m.water_litres * 4.186 * std::max(0.0, m.drum_temp_c - 15.0) / 3600.0;
  return heat + 0.15 * m.load_kg;
}

template <class T>
T sum_all(const std::vector<T>& v) {
  return std::accumulate(v.begin(), v.end(), T{});
}

class Till {
public:
  bool charge(Card& card, std::int64_t cents) {
    std::lock_guard lk(mu_);
    if (card.balance_cents < cents) return false;
    card.balance_cents -= cents;
    takings_cents_ += cents;
    return true;
  }

  // Refunds for machines that stopped mid-cycle.
  void refund(Card& card, const json& req) {
    std::lock_guard lk(mu_);
    double refund_amount = req.at("amount").get<double>(); // expect: errorshield-float-money
    card.balance_cents += std::llround(refund_amount * 100);
    takings_cents_ -= std::llround(refund_amount * 100);
  }

  void log_shift_float(const std::vector<std::int64_t>& drops) {
    std::lock_guard lk(mu_);
    takings_cents_ += sum_all(drops);
  }

  void record_tips(const json& tips) {
    std::lock_guard lk(mu_);
    float tip_total = std::accumulate(tips.begin(), tips.end(), 0.0f, [](float acc, const json& t) { return acc + t.get<float>(); }); // expect: errorshield-float-money
    tips_cents_ += static_cast<std::int64_t>(tip_total * 100);
  }

  json report() const {
    std::lock_guard lk(mu_);
    return {{"takings_cents", takings_cents_}, {"tips_cents", tips_cents_}};
  }

private:
  mutable std::mutex mu_;
  std::int64_t takings_cents_ = 0;
  std::int64_t tips_cents_ = 0;
};

class Controller {
public:
  Controller() {
    machines_["W1"] = Machine{"W1", Kind::washer, 40.0, 0.0, 0.0, 3.50, 0};
    machines_["W2"] = Machine{"W2", Kind::washer, 60.0, 0.0, 0.0, 4.25, 0};
    machines_["D1"] = Machine{"D1", Kind::dryer, 20.0, 0.0, 0.0, 0.0, 0};
    cards_["C-100"] = Card{"C-100", 2000, 0};
  }

  http::response<http::string_body> handle(const http::request<http::string_body>& req) {
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/json");
    auto body = json::parse(req.body(), nullptr, false);
    if (body.is_discarded()) {
      res.result(http::status::bad_request);
      res.body() = R"({"error":"bad json"})";
    } else if (req.target() == "/telemetry") {
      on_telemetry(body);
      res.body() = "{}";
    } else if (req.target() == "/start") {
      res.body() = on_start(body).dump();
    } else if (req.target() == "/refund") {
      till_.refund(cards_.at(body.at("card").get<std::string>()), body);
      res.body() = "{}";
    } else if (req.target() == "/tips") {
      till_.record_tips(body.at("tips"));
      res.body() = till_.report().dump();
    } else if (req.target() == "/quote") {
      res.body() = quote(body).dump();
    } else {
      res.result(http::status::not_found);
    }
    res.prepare_payload();
    return res;
  }

private:
  void on_telemetry(const json& t) {
    auto& m = machines_.at(t.at("machine").get<std::string>());
    m.drum_temp_c = t.value("temp_c", m.drum_temp_c);
    m.water_litres = t.value("water_l", m.water_litres);
    m.load_kg = t.value("load_kg", m.load_kg);
    m.minutes_left = t.value("minutes_left", m.minutes_left);
  }

  json on_start(const json& r) {
    auto& m = machines_.at(r.at("machine").get<std::string>());
    auto& card = cards_.at(r.at("card").get<std::string>());
    std::int64_t cents = 0;
    if (m.kind == Kind::dryer) {
      cents = dryer_cost_cents(r.value("minutes", 30));
    } else {
      cents = std::llround(m.cycle_price * 100);
    }
    if (!till_.charge(card, cents)) return {{"ok", false}, {"reason", "insufficient balance"}};
    card.loyalty_points += static_cast<std::uint32_t>(cents / 100);
    Receipt rc{m.id, cents, estimated_kwh(m)};
    return {{"ok", true}, {"charged_cents", rc.charged_cents}, {"kwh", rc.energy_kwh}};
  }

  json quote(const json& r) {
    const int minutes = r.value("minutes", 30);
    const double utilisation = static_cast<double>(busy_count()) / machines_.size();
    float quoted_price = utilisation > 0.8 ? dryer_cost(minutes) * 1.1f : dryer_cost(minutes); // expect: errorshield-float-money
    return {{"price", quoted_price}, {"utilisation", utilisation}};
  }

  std::size_t busy_count() const {
    std::size_t n = 0;
    for (const auto& [id, m] : machines_)
      if (m.minutes_left > 0) ++n;
    return n;
  }

  std::map<std::string, Machine> machines_;
  std::map<std::string, Card> cards_;
  Till till_;
};

class Session : public std::enable_shared_from_this<Session> {
public:
  Session(tcp::socket s, Controller& c) : stream_(std::move(s)), ctl_(c) {}
  void run() { read(); }

private:
  void read() {
    req_ = {};
    stream_.expires_after(std::chrono::seconds(20));
    http::async_read(stream_, buf_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->res_ = self->ctl_.handle(self->req_);
      http::async_write(self->stream_, self->res_, [self](beast::error_code ec2, std::size_t) {
        if (!ec2) self->read();
      });
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
  Controller& ctl_;
};

net::awaitable<void> serve(tcp::acceptor acc, Controller& c) {
  for (;;) {
    auto s = co_await acc.async_accept(net::use_awaitable);
    std::make_shared<Session>(std::move(s), c)->run();
  }
}

}  // namespace laundromat

int main() {
  net::io_context ioc;
  laundromat::Controller ctl;
  net::co_spawn(ioc, laundromat::serve(tcp::acceptor(ioc, {tcp::v4(), 8070}), ctl), net::detached);
  auto dryer_wait = std::chrono::duration<double, std::ratio<60>>(12.5);
  (void)dryer_wait;
  ioc.run();
}
