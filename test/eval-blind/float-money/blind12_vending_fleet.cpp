// checks: errorshield-float-money
// Vending fleet gateway: machines POST telemetry and sale events, ops dashboard
// pulls per-machine revenue. Single io_context, a few worker threads.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace fleet {

struct TelemetrySample {
  std::string machine_id;
  double cabinet_temp_c = 0.0;
  double compressor_duty = 0.0;
  float supply_voltage = 0.0f;
  std::int64_t cash_box_cents = 0;
  std::int64_t change_float_cents = 0;
  std::chrono::system_clock::time_point received_at;
};

struct SlotConfig {
  std::string sku;
  int slot = 0;
  int capacity = 0;
  double price = 0.0; // expect: errorshield-float-money
  std::int64_t deposit_cents = 0;
  double sales_velocity_per_hour = 0.0;
};

struct SaleEvent {
  std::string machine_id;
  std::string sku;
  int quantity = 1;
  std::int64_t paid_cents = 0;
  std::int64_t change_cents = 0;
  std::string payment_method;
};

struct MachineState {
  std::string id;
  std::string site;
  std::vector<SlotConfig> slots;
  std::optional<TelemetrySample> last_sample;
  float restock_fee = 0.0f; // expect: errorshield-float-money
  int service_calls = 0;
};

template <typename T>
struct Tally {
  T sum{};
  std::size_t n = 0;
  void add(T v) {
    sum += v;
    ++n;
  }
};

inline std::string format_cents(std::int64_t cents) {
  char buf[32];
  const char *sign = cents < 0 ? "-" : "";
  if (cents < 0) cents = -cents;
  std::snprintf(buf, sizeof buf, "%s%lld.%02lld", sign,
                static_cast<long long>(cents / 100),
                static_cast<long long>(cents % 100));
  return buf;
}

// Operator keeps a cut of cashless sales, expressed in basis points.
inline std::int64_t operator_commission_cents(std::int64_t gross_cents,
                                              int commission_bps) {
  return (gross_cents * commission_bps + 5000) / 10000;
}

inline double operator_commission(const SaleEvent &e, int commission_bps) { // expect: errorshield-float-money
  return (e.paid_cents - e.change_cents) * commission_bps / 1000000.0;
}

class RevenueBook {
public:
  void record(const SaleEvent &e) {
    const std::int64_t net_cents = e.paid_cents - e.change_cents;
    std::lock_guard lk(mu_);
    by_machine_cents_[e.machine_id] += net_cents;
    by_sku_revenue_[e.sku] += net_cents / 100.0;
    ticket_cents_.add(net_cents);
    avg_basket_.add(net_cents / 100.0);
  }

  void note_temperature(double celsius) {
    std::lock_guard lk(mu_);
    avg_temp_.add(celsius);
  }

  json machine_report(const std::string &machine_id) const {
    std::lock_guard lk(mu_);
    json out;
    auto it = by_machine_cents_.find(machine_id);
    const std::int64_t cents = it == by_machine_cents_.end() ? 0 : it->second;
    out["machine"] = machine_id;
    out["revenue_cents"] = cents;
    out["revenue_display"] = format_cents(cents);
    out["sales"] = ticket_cents_.n;
    if (avg_temp_.n != 0)
      out["avg_cabinet_temp_c"] = avg_temp_.sum / static_cast<double>(avg_temp_.n);
    return out;
  }

private:
  mutable std::mutex mu_;
  std::map<std::string, std::int64_t> by_machine_cents_;
  std::map<std::string, double> by_sku_revenue_; // expect: errorshield-float-money
  Tally<std::int64_t> ticket_cents_;
  Tally<double> avg_basket_; // expect: errorshield-float-money
  Tally<double> avg_temp_;
};

class Fleet {
public:
  explicit Fleet(RevenueBook &book) : book_(book) {}

  void on_telemetry(const json &j) {
    TelemetrySample s;
    s.machine_id = j.at("machine").get<std::string>();
    s.cabinet_temp_c = j.at("temp_c").get<double>();
    s.compressor_duty = j.value("duty", 0.0);
    s.supply_voltage = j.value("vin", 0.0f);
    s.cash_box_cents = j.at("cash_box_cents").get<std::int64_t>();
    s.change_float_cents = j.value("float_cents", std::int64_t{0});
    s.received_at = std::chrono::system_clock::now();
    book_.note_temperature(s.cabinet_temp_c);
    std::lock_guard lk(mu_);
    machines_[s.machine_id].last_sample = std::move(s);
  }

  // Cashless readers report the authorised amount; coin mechs report cents.
  SaleEvent on_sale(const json &j) {
    SaleEvent e;
    e.machine_id = j.at("machine").get<std::string>();
    e.sku = j.at("sku").get<std::string>();
    e.quantity = j.value("qty", 1);
    e.payment_method = j.value("method", std::string{"coin"});
    if (e.payment_method == "card") {
      const auto authorised = j.at("amount").get<double>(); // expect: errorshield-float-money
      e.paid_cents = static_cast<std::int64_t>(authorised * 100);
    } else {
      e.paid_cents = j.at("paid_cents").get<std::int64_t>();
      e.change_cents = j.value("change_cents", std::int64_t{0});
    }
    book_.record(e);
    return e;
  }

  json restock_quote(const std::string &machine_id) {
    std::lock_guard lk(mu_);
    auto it = machines_.find(machine_id);
    if (it == machines_.end())
      return json{{"error", "unknown machine"}};
    MachineState *m = &it->second;
    auto total = 0.0; // expect: errorshield-float-money
    int total_units = 0;
    std::int64_t deposits_cents = 0;
    for (const auto &slot : m->slots) {
      total += slot.price * slot.capacity;
      deposits_cents += slot.deposit_cents * slot.capacity;
      total_units += slot.capacity;
    }
    total += m->restock_fee;
    double avg_slot_units = m->slots.empty() ? 0.0 : double(total_units) / m->slots.size();
    return json{{"machine", machine_id},
                {"estimate_cents", static_cast<std::int64_t>(total * 100)},
                {"deposits_cents", deposits_cents},
                {"avg_slot_units", avg_slot_units}};
  }

  // Run by the nightly reconciliation timer, well after it is registered.
  std::function<void()> make_refund_job(SaleEvent e) {
    return [this, e] {
      auto refund_for = [](const SaleEvent &s) -> double { // expect: errorshield-float-money
        return (s.paid_cents - s.change_cents) / 100.0;
      };
      std::lock_guard lk(mu_);
      pending_refunds_[e.machine_id].push_back(
          static_cast<std::int64_t>(refund_for(e) * 100));
    };
  }

private:
  RevenueBook &book_;
  std::mutex mu_;
  std::map<std::string, MachineState> machines_;
  std::map<std::string, std::vector<std::int64_t>> pending_refunds_;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
public:
  HttpSession(tcp::socket s, Fleet &fleet, RevenueBook &book)
      : stream_(std::move(s)), fleet_(fleet), book_(book) {}

  void start() { read(); }

private:
  void read() {
    req_ = {};
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buf_, req_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec)
                         return;
                       self->handle();
                     });
  }

  void handle() {
    res_ = {};
    res_.version(req_.version());
    res_.keep_alive(req_.keep_alive());
    res_.set(http::field::content_type, "application/json");
    try {
      const std::string target(req_.target());
      if (req_.method() == http::verb::post && target == "/telemetry") {
        fleet_.on_telemetry(json::parse(req_.body()));
        res_.result(http::status::no_content);
      } else if (req_.method() == http::verb::post && target == "/sale") {
        auto e = fleet_.on_sale(json::parse(req_.body()));
        res_.result(http::status::ok);
        res_.body() = json{{"net_cents", e.paid_cents - e.change_cents},
                           {"commission_cents",
                            operator_commission_cents(e.paid_cents - e.change_cents, 350)}}
                          .dump();
      } else if (target.rfind("/revenue/", 0) == 0) {
        res_.result(http::status::ok);
        res_.body() = book_.machine_report(target.substr(9)).dump();
      } else {
        res_.result(http::status::not_found);
      }
    } catch (const std::exception &ex) {
      res_.result(http::status::bad_request);
      res_.body() = json{{"error", ex.what()}}.dump();
    }
    res_.prepare_payload();
    http::async_write(stream_, res_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec || !self->res_.keep_alive())
                          return;
                        self->read();
                      });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
  Fleet &fleet_;
  RevenueBook &book_;
};

} // namespace fleet
