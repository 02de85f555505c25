// checks: errorshield-float-money
// Crowdfunding pledge tracker: the payments webhook posts confirmed pledges, and campaign pages
// hold a WebSocket open to get live totals, backer counts and reward-tier stock once a second.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace pledges {

struct Pledge {
  std::string pledge_id;
  std::string backer_id;
  std::string campaign_id;
  std::string currency = "USD";
  double amount = 0.0; // expect: errorshield-float-money
  std::int64_t created_ms = 0;
};

template <typename Amount>
struct RewardTier {
  std::string name;
  Amount minimum{};
  std::int32_t limit = 0;
  std::int32_t claimed = 0;
};

struct Campaign {
  std::string id;
  std::string currency = "USD";
  std::int64_t goal_minor = 0;
  std::int64_t raised_minor = 0;
  std::int32_t backers = 0;
  std::vector<RewardTier<std::int64_t>> tiers;
  std::chrono::steady_clock::time_point deadline;
};

inline std::int64_t to_minor(const json& j) {
  // Webhook sends {"amount_minor": 2500}; never a decimal.
  return j.at("amount_minor").get<std::int64_t>();
}

inline std::int64_t platform_fee_minor(std::int64_t gross_minor) {
  return (gross_minor * 500 + 5000) / 10000;  // 5 %
}

class PledgeTracker {
 public:
  void add_campaign(Campaign c) {
    std::lock_guard lk(mu_);
    const std::string id = c.id;
    campaigns_.emplace(id, std::move(c));
  }

  // Payments webhook: {"pledge_id":"..","backer":"..","campaign":"..","amount_minor":2500}
  bool on_pledge_confirmed(const json& body) {
    std::lock_guard lk(mu_);
    auto it = campaigns_.find(body.at("campaign").get<std::string>());
    if (it == campaigns_.end()) return false;
    Campaign& c = it->second;
    const std::int64_t amount_minor = to_minor(body);
    if (amount_minor <= 0) return false;

    c.raised_minor += amount_minor;
    ++c.backers;
    platform_raised_minor_ += amount_minor;
    fees_minor_ += platform_fee_minor(amount_minor);

    for (auto& tier : c.tiers) {
      if (amount_minor >= tier.minimum && tier.claimed < tier.limit) {
        ++tier.claimed;
        break;
      }
    }
    const std::string backer = body.at("backer").get<std::string>();
    leaderboard_.emplace_back(backer, static_cast<float>(amount_minor) / 100.0f);
    std::sort(leaderboard_.begin(), leaderboard_.end(),
              [](const auto& a, const auto& b) { return a.second > b.second; });
    if (leaderboard_.size() > 10) leaderboard_.resize(10);

    const auto now = std::chrono::steady_clock::now();
    const double minutes = std::chrono::duration<double>(now - window_start_).count() / 60.0;
    ++window_count_;
    if (minutes > 0.0) pledges_per_minute_ = window_count_ / minutes;
    return true;
  }

  // Old mobile app still posts {"amount": 25.0}; kept until v3 is retired.
  bool on_legacy_pledge(const json& body) {
    Pledge p;
    p.pledge_id = body.value("pledge_id", "");
    p.backer_id = body.value("backer", "");
    p.campaign_id = body.value("campaign", "");
    p.amount = body.value("amount", 0.0);
    std::lock_guard lk(mu_);
    legacy_.push_back(p);
    platform_raised_.fetch_add(p.amount);
    return true;
  }

  void on_chargeback(const std::string& campaign_id, const json& body) {
    std::lock_guard lk(mu_);
    auto it = campaigns_.find(campaign_id);
    if (it == campaigns_.end()) return;
    const std::int64_t reversed_minor = to_minor(body);
    it->second.raised_minor -= reversed_minor;
    platform_raised_minor_ -= reversed_minor;
    if (it->second.raised_minor < 0) {
      // Processor reversed more than we recorded: owe the difference back to the platform.
      double shortfall = -static_cast<double>(it->second.raised_minor) / 100.0; // expect: errorshield-float-money
      it->second.raised_minor = 0;
      shortfall_log_.push_back(campaign_id + " short " + std::to_string(shortfall));
    }
  }

  json snapshot(const std::string& campaign_id) {
    std::lock_guard lk(mu_);
    auto it = campaigns_.find(campaign_id);
    if (it == campaigns_.end()) return json{{"error", "unknown campaign"}};
    const Campaign& c = it->second;
    const float funded_pct =
        c.goal_minor > 0 ? 100.0f * static_cast<float>(c.raised_minor) / static_cast<float>(c.goal_minor) : 0.0f;
    const double seconds_left =
        std::chrono::duration<double>(c.deadline - std::chrono::steady_clock::now()).count();
    json tiers = json::array();
    for (const auto& t : c.tiers)
      tiers.push_back({{"name", t.name}, {"minimum_minor", t.minimum}, {"left", t.limit - t.claimed}});
    json top = json::array();
    for (const auto& [backer, amt] : leaderboard_) top.push_back({{"backer", backer}, {"amount", amt}});
    return json{{"campaign", c.id},
                {"currency", c.currency},
                {"raised_minor", c.raised_minor},
                {"goal_minor", c.goal_minor},
                {"backers", c.backers},
                {"funded_pct", funded_pct},
                {"seconds_left", seconds_left},
                {"pledges_per_minute", pledges_per_minute_},
                {"tiers", tiers},
                {"top", top}};
  }

  void load_legacy_tiers(const json& arr) {
    std::lock_guard lk(mu_);
    for (const auto& t : arr)
      legacy_tiers_.push_back({t.value("name", ""), t.value("minimum", 0.0), t.value("limit", 0), 0});
  }

 private:
  std::mutex mu_;
  std::map<std::string, Campaign> campaigns_;
  std::vector<Pledge> legacy_;
  std::vector<RewardTier<double>> legacy_tiers_; // expect: errorshield-float-money
  std::vector<std::pair<std::string, float>> leaderboard_; // expect: errorshield-float-money
  std::atomic<double> platform_raised_{0.0}; // expect: errorshield-float-money
  std::atomic<std::int64_t> platform_raised_minor_{0};
  std::int64_t fees_minor_ = 0;
  std::vector<std::string> shortfall_log_;
  std::chrono::steady_clock::time_point window_start_ = std::chrono::steady_clock::now();
  std::int64_t window_count_ = 0;
  double pledges_per_minute_ = 0.0;
};

net::awaitable<void> live_totals(tcp::socket sock, PledgeTracker& tracker) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(4096);
  co_await ws.async_accept(net::use_awaitable);

  beast::flat_buffer buf;
  co_await ws.async_read(buf, net::use_awaitable);
  const json hello = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
  const std::string campaign_id = hello.is_object() ? hello.value("campaign", "") : "";

  net::steady_timer tick(co_await net::this_coro::executor);
  std::int64_t last_raised_minor = -1;
  for (;;) {
    tick.expires_after(1s);
    co_await tick.async_wait(net::use_awaitable);
    json snap = tracker.snapshot(campaign_id);
    const std::int64_t raised_minor = snap.value("raised_minor", std::int64_t{0});
    if (raised_minor == last_raised_minor) continue;
    snap["delta_minor"] = last_raised_minor < 0 ? 0 : raised_minor - last_raised_minor;
    last_raised_minor = raised_minor;
    const std::int64_t goal_minor = snap.value("goal_minor", std::int64_t{0});
    if (goal_minor > raised_minor) {
      const double remaining = static_cast<double>(goal_minor - raised_minor) / 100.0; // expect: errorshield-float-money
      snap["banner"] = "Only $" + std::to_string(remaining) + " to go!";
    }
    const std::string frame = snap.dump();
    ws.text(true);
    auto [ec, n] = co_await ws.async_write(net::buffer(frame), net::as_tuple(net::use_awaitable));
    if (ec) co_return;
  }
}

net::awaitable<void> serve(tcp::acceptor acceptor, PledgeTracker& tracker) {
  for (;;) {
    tcp::socket s = co_await acceptor.async_accept(net::use_awaitable);
    net::co_spawn(acceptor.get_executor(), live_totals(std::move(s), tracker), net::detached);
  }
}

}  // namespace pledges
