// checks: errorshield-float-money
// Pledge gateway: backers' browsers POST pledges, the gateway validates them
// against the campaign, records them and forwards the card charge to the
// payment processor. Each connection is a C++20 coroutine.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace pledges {

struct RewardTier {
  std::string title;
  std::int64_t min_pledge_cents = 0;
  int stock = 0;
};

struct Pledge {
  std::string backer;
  std::int64_t amount_cents = 0;
  std::string tier;
};

class Campaign {
public:
  Campaign(std::string slug, std::int64_t goal_cents)
      : slug_(std::move(slug)), goal_(static_cast<float>(goal_cents) / 100.0f) {}

  const std::string &slug() const { return slug_; }

  void record(const Pledge &p) {
    std::lock_guard lk(mu_);
    pledges_.push_back(p);
    raised_cents_ += p.amount_cents;
  }

  // Share of the goal reached, for the progress bar.
  double progress() const {
    std::lock_guard lk(mu_);
    double ratio = static_cast<double>(raised_cents_) / (goal_ * 100.0);
    return ratio > 1.0 ? 1.0 : ratio;
  }

  std::int64_t raised_cents() const {
    std::lock_guard lk(mu_);
    return raised_cents_;
  }

  // Total refunded if the campaign fails, reported to finance.
  double refund_total() const { // expect: errorshield-float-money
    std::lock_guard lk(mu_);
    std::int64_t cents = 0;
    for (const auto &p : pledges_)
      cents += p.amount_cents;
    return cents / 100.0;
  }

private:
  std::string slug_;
  float goal_; // expect: errorshield-float-money
  mutable std::mutex mu_;
  std::vector<Pledge> pledges_;
  std::int64_t raised_cents_ = 0;
};

// Processor fee is a percentage plus a fixed part, both from config.
struct FeeSchedule {
  double percent = 2.9;
  std::int64_t fixed_cents = 30;
};

std::int64_t processor_fee_cents(std::int64_t amount_cents, const FeeSchedule &fs) {
  // Round half up on the percentage part.
  return (amount_cents * static_cast<std::int64_t>(fs.percent * 10) + 500) / 1000 + fs.fixed_cents;
}

template <class Amount>
struct ChargeRequest {
  std::string card_token;
  Amount amount;
  std::string currency = "EUR";
};

template <class Amount>
awaitable<json> send_to_processor(const ChargeRequest<Amount> &req) {
  co_return json{{"status", "authorized"}, {"amount", req.amount}, {"currency", req.currency}};
}

// The old embeddable widget still posts euros as a decimal string ("19.99").
awaitable<json> forward_legacy_widget(const json &body) {
  ChargeRequest<double> req{body.value("card_token", ""), std::stod(body.value("eur", "0"))}; // expect: errorshield-float-money
  co_return co_await send_to_processor(req);
}

std::map<std::string, RewardTier> g_tiers = {
    {"early-bird", {"Early bird", 2500, 200}},
    {"collector", {"Collector's edition", 12000, 50}},
};

Campaign g_campaign("tiny-planetarium", 5000000);
FeeSchedule g_fees;

awaitable<http::response<http::string_body>> handle_pledge(const http::request<http::string_body> &req) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  auto body = json::parse(req.body(), nullptr, false);
  if (body.is_discarded() || !body.contains("amount")) {
    res.result(http::status::bad_request);
    co_return res;
  }

  auto amount = body["amount"].get<double>(); // expect: errorshield-float-money
  std::int64_t amount_cents = static_cast<std::int64_t>(amount * 100);
  const std::string tier = body.value("tier", "");
  if (auto it = g_tiers.find(tier); it != g_tiers.end() && amount_cents < it->second.min_pledge_cents) {
    res.result(http::status::unprocessable_entity);
    res.body() = json{{"error", "below tier minimum"}}.dump();
    co_return res;
  }

  std::int64_t fee = processor_fee_cents(amount_cents, g_fees);
  ChargeRequest<std::int64_t> charge{body.value("card_token", ""), amount_cents + fee};
  json ack = co_await send_to_processor(charge);
  if (ack.value("status", "") != "authorized") {
    res.result(http::status::payment_required);
    co_return res;
  }

  g_campaign.record({body.value("backer", ""), amount_cents, tier});
  double elapsed_ms = 0.0;
  res.body() = json{{"ok", true},
                    {"progress", g_campaign.progress()},
                    {"raised_cents", g_campaign.raised_cents()},
                    {"took_ms", elapsed_ms}}
                   .dump();
  co_return res;
}

awaitable<void> session(tcp::socket sock) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  for (;;) {
    http::request<http::string_body> req;
    stream.expires_after(std::chrono::seconds(20));
    auto [ec, n] = co_await http::async_read(stream, buf, req, asio::as_tuple(use_awaitable));
    if (ec)
      co_return;
    auto res = co_await handle_pledge(req);
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    co_await http::async_write(stream, res, use_awaitable);
    if (!req.keep_alive())
      break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

awaitable<void> listener(tcp::endpoint ep) {
  auto ex = co_await asio::this_coro::executor;
  tcp::acceptor acc(ex, ep);
  for (;;) {
    auto s = co_await acc.async_accept(use_awaitable);
    asio::co_spawn(ex, session(std::move(s)), asio::detached);
  }
}

// Stretch-goal banner shown once the campaign passes a threshold.
std::string stretch_banner(std::int64_t raised_cents) {
  const std::int64_t thresholds[] = {5000000, 7500000, 10000000};
  int reached = 0;
  for (auto t : thresholds)
    if (raised_cents >= t)
      ++reached;
  return "stretch goals unlocked: " + std::to_string(reached);
}

int main_loop(unsigned short port) {
  asio::io_context ioc;
  asio::co_spawn(ioc, listener({tcp::v4(), port}), asio::detached);
  ioc.run();
  return 0;
}

} // namespace pledges
