// checks: errorshield-float-money
// Fine-wine auction house: live bidding over HTTP/JSON, settlement at the
// end of each session.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using json = nlohmann::json;

namespace cellar {

struct Lot {
  std::uint32_t id = 0;
  std::string producer;
  int vintage = 0;
  double abv = 13.5;              // alcohol by volume, %
  double critic_score = 0.0;      // 0-100
  double storage_temp_c = 12.0;   // provenance record
  double reserve_price = 0.0; // expect: errorshield-float-money
  std::int64_t estimate_low_cents = 0;
  std::int64_t estimate_high_cents = 0;
};

// Buyer's premium is a fraction of the hammer price; the amounts themselves
// stay in integer cents.
constexpr double kBuyerPremiumRate = 0.18;

std::int64_t premium_cents(std::int64_t hammer_cents) {
  return std::llround(static_cast<double>(hammer_cents) * kBuyerPremiumRate);
}

struct Bid {
  std::string paddle;
  std::int64_t amount_cents = 0;
  std::chrono::system_clock::time_point at;
};

class Ledger {
public:
  void credit(const std::string &paddle, double amount) { // expect: errorshield-float-money
    std::lock_guard lk(mu_);
    deposits_[paddle] += static_cast<std::int64_t>(amount * 100);
  }

  void credit_cents(const std::string &paddle, std::int64_t cents) {
    std::lock_guard lk(mu_);
    deposits_[paddle] += cents;
  }

  std::int64_t deposit_of(const std::string &paddle) const {
    std::lock_guard lk(mu_);
    auto it = deposits_.find(paddle);
    return it == deposits_.end() ? 0 : it->second;
  }

private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::int64_t> deposits_;
};

// Running totals shown on the auctioneer's screen.
class SessionBoard {
public:
  void record_hammer(std::uint32_t lot, const std::string &paddle, std::int64_t cents) {
    std::lock_guard lk(mu_);
    winners_[lot] = paddle;
    spend_by_paddle_[paddle] += static_cast<double>(cents) / 100.0;
    hammer_count_++;
  }

  double fill_ratio(std::size_t lots_offered) const {
    std::lock_guard lk(mu_);
    return lots_offered ? static_cast<double>(hammer_count_) / lots_offered : 0.0;
  }

private:
  mutable std::mutex mu_;
  std::map<std::uint32_t, std::string> winners_;
  std::map<std::string, double> spend_by_paddle_; // expect: errorshield-float-money
  std::size_t hammer_count_ = 0;
};

class AuctionState {
public:
  std::optional<std::string> place(std::uint32_t lot_id, const json &body) {
    std::lock_guard lk(mu_);
    auto lot = lots_.find(lot_id);
    if (lot == lots_.end()) return "no such lot";

    std::string paddle = body.at("paddle").get<std::string>();
    double bid_amount = body.at("amount").get<double>(); // expect: errorshield-float-money
    std::int64_t cents = std::llround(bid_amount * 100.0);

    auto &history = bids_[lot_id];
    std::int64_t floor = history.empty() ? 0 : history.back().amount_cents + increment_for(history.back().amount_cents);
    if (cents < floor) return "below increment";
    history.push_back({paddle, cents, std::chrono::system_clock::now()});
    return std::nullopt;
  }

  void add_lot(Lot l) {
    std::lock_guard lk(mu_);
    lots_[l.id] = std::move(l);
  }

  json lot_view(std::uint32_t lot_id) {
    std::lock_guard lk(mu_);
    json j;
    auto it = lots_.find(lot_id);
    if (it == lots_.end()) return j;
    j["producer"] = it->second.producer;
    j["vintage"] = it->second.vintage;
    j["critic_score"] = it->second.critic_score;
    j["estimate_low_cents"] = it->second.estimate_low_cents;
    j["estimate_high_cents"] = it->second.estimate_high_cents;
    auto &h = bids_[lot_id];
    j["current_cents"] = h.empty() ? 0 : h.back().amount_cents;
    return j;
  }

private:
  static std::int64_t increment_for(std::int64_t current_cents) {
    if (current_cents < 100'000) return 5'000;
    if (current_cents < 1'000'000) return 25'000;
    return 100'000;
  }

  std::mutex mu_;
  std::map<std::uint32_t, Lot> lots_;
  std::map<std::uint32_t, std::vector<Bid>> bids_;
};

// Converts the hammer price to the consignor's home currency for the
// settlement statement.
template <class Amount>
Amount convert(Amount v, double fx_rate) {
  return static_cast<Amount>(v * fx_rate);
}

std::string settlement_line(const Lot &lot, std::int64_t hammer_cents, double fx_rate) {
  float consignor_payout = convert<float>(static_cast<float>(hammer_cents) / 100.0f, fx_rate); // expect: errorshield-float-money
  std::int64_t payout_cents = convert<std::int64_t>(hammer_cents, fx_rate);
  return lot.producer + " " + std::to_string(lot.vintage) + ": " +
         std::to_string(consignor_payout) + " (" + std::to_string(payout_cents) + ")";
}

AuctionState g_state;
Ledger g_ledger;

http::response<http::string_body> handle(const http::request<http::string_body> &req) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  auto target = std::string(req.target());
  try {
    if (req.method() == http::verb::post && target.rfind("/bid/", 0) == 0) {
      auto lot = static_cast<std::uint32_t>(std::stoul(target.substr(5)));
      json body = json::parse(req.body());
      if (auto err = g_state.place(lot, body)) {
        res.result(http::status::conflict);
        res.body() = json{{"error", *err}}.dump();
      } else {
        res.body() = g_state.lot_view(lot).dump();
      }
    } else if (req.method() == http::verb::post && target == "/deposit") {
      json body = json::parse(req.body());
      g_ledger.credit_cents(body.at("paddle").get<std::string>(),
                            body.at("amount_cents").get<std::int64_t>());
      res.body() = "{}";
    } else {
      res.result(http::status::not_found);
    }
  } catch (const std::exception &e) {
    res.result(http::status::bad_request);
    res.body() = json{{"error", e.what()}}.dump();
  }
  res.prepare_payload();
  return res;
}

asio::awaitable<void> serve(tcp::socket sock) {
  beast::flat_buffer buf;
  auto elapsed = std::chrono::duration<double>::zero();
  for (;;) {
    http::request<http::string_body> req;
    auto t0 = std::chrono::steady_clock::now();
    auto [ec, n] = co_await http::async_read(sock, buf, req, asio::as_tuple(asio::use_awaitable));
    if (ec) break;
    auto res = handle(req);
    co_await http::async_write(sock, res, asio::use_awaitable);
    elapsed += std::chrono::steady_clock::now() - t0;
    if (!req.keep_alive()) break;
  }
  std::cout << "connection served in " << elapsed.count() << "s\n";
}

asio::awaitable<void> listen(tcp::acceptor acc) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(asio::use_awaitable);
    asio::co_spawn(acc.get_executor(), serve(std::move(s)), asio::detached);
  }
}

} // namespace cellar

int main() {
  asio::io_context ioc;
  cellar::Lot l;
  l.id = 1;
  l.producer = "Domaine Example";
  l.vintage = 2005;
  l.estimate_low_cents = 1'200'00;
  l.estimate_high_cents = 1'800'00;
  cellar::g_state.add_lot(l);
  asio::co_spawn(ioc, cellar::listen(tcp::acceptor(ioc, {tcp::v4(), 8443})), asio::detached);
  ioc.run();
}
