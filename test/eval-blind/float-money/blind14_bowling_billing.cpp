// checks: errorshield-float-money
// strikeline: lane billing service for a bowling centre. Lane consoles report
// start/stop and frame scores over WebSocket; the front desk POS pulls the tab
// for a lane and closes it out.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace strikeline {

using Cents = std::int64_t;

constexpr Cents kShoeRentalCents = 450;
constexpr double kCosmicSurcharge = 1.50;  // expect: errorshield-float-money
constexpr int kFramesPerGame = 10;

struct LaneTab {
  int lane = 0;
  std::string party_name;
  int bowlers = 0;
  int shoe_rentals = 0;
  int games = 0;
  bool cosmic = false;
  std::chrono::steady_clock::time_point started;
  std::chrono::steady_clock::time_point stopped;
  Cents rate_cents_per_hour = 0;
  std::optional<Cents> league_flat_cents;
  int discount_bps = 0;
  double discount_amount = 0.0;  // expect: errorshield-float-money
  std::vector<std::pair<std::string, double>> addons;  // expect: errorshield-float-money
  std::vector<int> frame_pins;
};

struct LaneStats {
  double average_score = 0.0;
  double strike_rate = 0.0;
  double minutes_per_game = 0.0;
};

// Per-hour pricing rules, picked at the start of a session and applied at close.
using RateRule = std::function<Cents(double minutes)>;

RateRule make_rate_rule(const json& cfg, bool peak) {
  if (peak) {
    return [rate = cfg.at("peak_rate").get<float>()](double minutes) {  // expect: errorshield-float-money
      return static_cast<Cents>(std::ceil(minutes / 60.0 * rate * 100.0));
    };
  }
  const Cents offpeak = cfg.at("offpeak_rate_cents").get<Cents>();
  return [offpeak](double minutes) {
    return static_cast<Cents>(std::llround(minutes / 60.0 * static_cast<double>(offpeak)));
  };
}

double minutes_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double, std::ratio<60>>(b - a).count();
}

LaneStats compute_stats(const LaneTab& tab) {
  LaneStats s;
  if (tab.games == 0 || tab.bowlers == 0) return s;
  const int total = std::accumulate(tab.frame_pins.begin(), tab.frame_pins.end(), 0);
  const int strikes = static_cast<int>(std::count(tab.frame_pins.begin(), tab.frame_pins.end(), 10));
  s.average_score = static_cast<double>(total) / (tab.games * tab.bowlers);
  s.strike_rate = tab.frame_pins.empty() ? 0.0 : static_cast<double>(strikes) / tab.frame_pins.size();
  s.minutes_per_game = minutes_between(tab.started, tab.stopped) / tab.games;
  return s;
}

bool redeem_gift_card(LaneTab& tab, const std::string& code, double card_value) {  // expect: errorshield-float-money
  if (code.size() != 16 || card_value <= 0.0) return false;
  tab.discount_amount += card_value;
  return true;
}

std::string format_cents(Cents c) {
  const char* sign = c < 0 ? "-" : "";
  if (c < 0) c = -c;
  std::string frac = std::to_string(c % 100);
  if (frac.size() == 1) frac.insert(0, "0");
  return sign + std::to_string(c / 100) + "." + frac;
}

class LaneBilling {
 public:
  explicit LaneBilling(json cfg) : cfg_(std::move(cfg)) {}

  void open_lane(int lane, const json& req) {
    std::lock_guard lk(mu_);
    LaneTab& tab = tabs_[lane];
    tab = LaneTab{};
    tab.lane = lane;
    tab.party_name = req.value("party", std::string{"walk-in"});
    tab.bowlers = req.at("bowlers").get<int>();
    tab.shoe_rentals = req.value("shoes", 0);
    tab.cosmic = req.value("cosmic", false);
    tab.started = std::chrono::steady_clock::now();
    if (req.contains("league_flat_cents")) tab.league_flat_cents = req["league_flat_cents"].get<Cents>();
    tab.discount_bps = req.value("discount_bps", 0);
    rules_[lane] = make_rate_rule(cfg_, req.value("peak", false));
  }

  void add_addon(int lane, const std::string& item, const json& j) {
    std::lock_guard lk(mu_);
    tabs_.at(lane).addons.emplace_back(item, j.at("price").get<double>());
  }

  void record_frame(int lane, int pins) {
    std::lock_guard lk(mu_);
    LaneTab& tab = tabs_.at(lane);
    tab.frame_pins.push_back(pins);
    if (tab.frame_pins.size() % (kFramesPerGame * tab.bowlers) == 0) ++tab.games;
  }

  json close_lane(int lane) {
    std::lock_guard lk(mu_);
    LaneTab& tab = tabs_.at(lane);
    tab.stopped = std::chrono::steady_clock::now();

    const double minutes = minutes_between(tab.started, tab.stopped);
    Cents lane_time = tab.league_flat_cents ? *tab.league_flat_cents : rules_.at(lane)(minutes);
    const Cents shoes = tab.shoe_rentals * kShoeRentalCents;
    const Cents cosmic = tab.cosmic ? std::llround(tab.games * tab.bowlers * kCosmicSurcharge * 100.0) : 0;

    Cents addons = 0;
    for (const auto& addon : tab.addons) addons += std::llround(addon.second * 100.0);

    const Cents subtotal = lane_time + shoes + cosmic + addons;
    const Cents pct_discount = subtotal * tab.discount_bps / 10'000;
    const Cents total = subtotal - pct_discount - std::llround(tab.discount_amount * 100.0);

    const LaneStats stats = compute_stats(tab);
    const double utilisation = minutes / (tab.games > 0 ? tab.games * 12.0 : 1.0);

    json receipt{{"lane", lane},
                 {"party", tab.party_name},
                 {"minutes", minutes},
                 {"lane_time", format_cents(lane_time)},
                 {"shoes", format_cents(shoes)},
                 {"addons", format_cents(addons)},
                 {"total", format_cents(total)},
                 {"average_score", stats.average_score},
                 {"pace", utilisation}};
    closed_total_cents_ += total;
    tabs_.erase(lane);
    rules_.erase(lane);
    return receipt;
  }

  bool redeem(int lane, const json& j) {
    std::lock_guard lk(mu_);
    return redeem_gift_card(tabs_.at(lane), j.at("code").get<std::string>(), j.at("value").get<double>());
  }

  void comp_amount(int lane, const json& j) {
    std::lock_guard lk(mu_);
    tabs_.at(lane).discount_amount += j.at("amount").get<double>();
  }

 private:
  json cfg_;
  std::mutex mu_;
  std::map<int, LaneTab> tabs_;
  std::map<int, RateRule> rules_;
  Cents closed_total_cents_ = 0;
};

// One WebSocket per lane console.
class ConsoleSession : public std::enable_shared_from_this<ConsoleSession> {
 public:
  ConsoleSession(tcp::socket s, LaneBilling& billing) : ws_(std::move(s)), billing_(billing) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(8 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read();
    });
  }

 private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->dispatch(json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false));
      self->buf_.consume(self->buf_.size());
      self->read();
    });
  }

  void dispatch(const json& msg) {
    if (msg.is_discarded() || !msg.contains("type")) return;
    const int lane = msg.value("lane", 0);
    const std::string type = msg["type"].get<std::string>();
    if (type == "open") billing_.open_lane(lane, msg);
    else if (type == "frame") billing_.record_frame(lane, msg.at("pins").get<int>());
    else if (type == "addon") billing_.add_addon(lane, msg.at("item").get<std::string>(), msg);
    else if (type == "comp") billing_.comp_amount(lane, msg);
    else if (type == "gift") billing_.redeem(lane, msg);
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  LaneBilling& billing_;
};

}  // namespace strikeline
