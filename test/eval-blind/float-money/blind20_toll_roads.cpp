// checks: errorshield-float-money
// Toll road billing: gantry reads come in from the roadside units, trips are
// priced per segment, prepaid transponder accounts are debited, monthly
// statements are served over HTTP.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace toll {

enum class VehicleClass { car = 1, van = 2, truck = 3, motorcycle = 4 };

struct GantryRead {
  std::string plate;
  std::string gantry;
  VehicleClass cls = VehicleClass::car;
  double speed_kmh = 0.0;
  double axle_load_t = 0.0;
  std::chrono::system_clock::time_point at;
};

struct Segment {
  std::string from, to;
  std::int64_t length_m = 0;
  std::int64_t base_cents = 0;
};

// Peak multiplier applied to the integer base; result rounded once.
std::int64_t priced_cents(const Segment& s, VehicleClass cls, bool peak) {
  static const std::map<VehicleClass, int> class_factor_pct = {
      {VehicleClass::motorcycle, 50}, {VehicleClass::car, 100}, {VehicleClass::van, 150}, {VehicleClass::truck, 300}};
  const double congestion = peak ? 1.35 : 1.0;
  std::int64_t cents = s.base_cents * class_factor_pct.at(cls) / 100;
  return std::llround(static_cast<double>(cents) * congestion);
}

class Account {
public:
  explicit Account(std::string tag) : tag_(std::move(tag)) {}

  bool debit(double fee) { // expect: errorshield-float-money
    std::lock_guard lk(mu_);
    if (balance_ < fee) return false;
    balance_ -= fee;
    return true;
  }

  void top_up_cents(std::int64_t cents) {
    std::lock_guard lk(mu_);
    balance_ += cents / 100.0;
  }

  json to_json() const {
    std::lock_guard lk(mu_);
    return {{"tag", tag_}, {"balance", balance_}};
  }

private:
  std::string tag_;
  mutable std::mutex mu_;
  long double balance_ = 0; // expect: errorshield-float-money
};

class TripPricer {
public:
  void add_segment(Segment s) { segments_[s.from + ">" + s.to] = s; }

  // Statement line items for the monthly invoice.
  json line_items(const std::vector<GantryRead>& reads) const {
    std::vector<float> amounts; // expect: errorshield-float-money
    for (std::size_t i = 1; i < reads.size(); ++i) {
      auto it = segments_.find(reads[i - 1].gantry + ">" + reads[i].gantry);
      if (it == segments_.end()) continue;
      amounts.push_back(priced_cents(it->second, reads[i].cls, false) / 100.0f);
    }
    return amounts;
  }

  std::int64_t trip_cents(const std::vector<GantryRead>& reads, bool peak) const {
    std::int64_t total = 0;
    for (std::size_t i = 1; i < reads.size(); ++i) {
      auto it = segments_.find(reads[i - 1].gantry + ">" + reads[i].gantry);
      if (it != segments_.end()) total += priced_cents(it->second, reads[i].cls, peak);
    }
    return total;
  }

  double trip_km(const std::vector<GantryRead>& reads) const {
    double km = 0.0;
    for (std::size_t i = 1; i < reads.size(); ++i) {
      auto it = segments_.find(reads[i - 1].gantry + ">" + reads[i].gantry);
      if (it != segments_.end()) km += it->second.length_m / 1000.0;
    }
    return km;
  }

private:
  std::unordered_map<std::string, Segment> segments_;
};

// Plates with unpaid tolls get a video-billing surcharge.
struct Violation {
  std::string plate;
  std::int64_t unpaid_cents = 0;
  float admin_fee = 4.95f; // expect: errorshield-float-money
  int notices_sent = 0;
};

json statement(const std::string& tag, const TripPricer& pricer, const std::vector<GantryRead>& reads) {
  std::int64_t due = pricer.trip_cents(reads, false);
  double km = pricer.trip_km(reads);
  double avg_speed = 0.0;
  for (const auto& r : reads) avg_speed += r.speed_kmh;
  if (!reads.empty()) avg_speed /= static_cast<double>(reads.size());
  return {{"tag", tag}, {"due_cents", due}, {"km", km}, {"avg_speed_kmh", avg_speed}};
}

class BillingSession : public std::enable_shared_from_this<BillingSession> {
public:
  BillingSession(tcp::socket s, std::map<std::string, Account>& accounts, TripPricer& pricer)
      : stream_(std::move(s)), accounts_(accounts), pricer_(pricer) {}

  void run() {
    http::async_read(stream_, buf_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) self->dispatch();
    });
  }

private:
  void dispatch() {
    res_ = {http::status::ok, req_.version()};
    res_.set(http::field::content_type, "application/json");
    if (req_.method() == http::verb::post && req_.target() == "/charge") {
      auto body = json::parse(req_.body(), nullptr, false);
      auto fee = std::stod(body.value("fee", "0")); // expect: errorshield-float-money
      auto it = accounts_.find(body.value("tag", ""));
      bool ok = it != accounts_.end() && it->second.debit(fee);
      res_.body() = json{{"charged", ok}}.dump();
    } else if (req_.target() == "/statement") {
      res_.body() = statement("demo", pricer_, {}).dump();
    } else {
      auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_);
      res_.body() = json{{"uptime_s", elapsed.count()}}.dump();
    }
    res_.prepare_payload();
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec && self->req_.keep_alive()) {
        self->req_ = {};
        self->run();
      }
    });
  }

  beast::tcp_stream stream_;
  std::map<std::string, Account>& accounts_;
  TripPricer& pricer_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

void accept_loop(tcp::acceptor& acc, std::map<std::string, Account>& accounts, TripPricer& pricer) {
  acc.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec) std::make_shared<BillingSession>(std::move(s), accounts, pricer)->run();
    accept_loop(acc, accounts, pricer);
  });
}

} // namespace toll

int main() {
  asio::io_context ioc;
  std::map<std::string, toll::Account> accounts;
  accounts.emplace("TAG-0001", "TAG-0001");
  accounts.at("TAG-0001").top_up_cents(5000);
  toll::TripPricer pricer;
  pricer.add_segment({"G1", "G2", 12400, 310});
  pricer.add_segment({"G2", "G3", 8100, 205});
  tcp::acceptor acc(ioc, {tcp::v4(), 8090});
  toll::accept_loop(acc, accounts, pricer);
  ioc.run();
}
