// checks: errorshield-float-money
// WebSocket order-entry front end for a small crypto venue.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

constexpr std::int64_t k_ticks_per_unit = 100; // 0.01 quote-currency tick

// Parses "123.45" into ticks without going through binary floating point.
std::optional<std::int64_t> parse_ticks(std::string_view s) {
  auto dot = s.find('.');
  std::int64_t whole = 0, frac = 0;
  auto head = s.substr(0, dot);
  if (std::from_chars(head.data(), head.data() + head.size(), whole).ec != std::errc{})
    return std::nullopt;
  if (dot != std::string_view::npos) {
    auto tail = s.substr(dot + 1, 2);
    if (std::from_chars(tail.data(), tail.data() + tail.size(), frac).ec != std::errc{})
      return std::nullopt;
    if (tail.size() == 1)
      frac *= 10;
  }
  return whole * k_ticks_per_unit + frac;
}

std::string format_ticks(std::int64_t t) {
  std::string frac = std::to_string(std::llabs(t % k_ticks_per_unit));
  if (frac.size() < 2)
    frac.insert(0, "0");
  return std::to_string(t / k_ticks_per_unit) + "." + frac;
}

struct fill {
  std::string order_id;
  double price; // expect: errorshield-float-money
  std::int64_t qty;
  std::chrono::system_clock::time_point at;
};

struct resting_order {
  std::string id;
  std::int64_t price_ticks;
  std::int64_t qty;
  std::int64_t filled = 0;
};

struct account {
  std::int64_t balance_ticks = 0;
  double margin_usage = 0.0;
  double rebalance_interval_sec = 30.0;
  std::vector<fill> fills;
};

class exchange_core {
public:
  void credit(std::string const &user, std::int64_t ticks) { accounts_[user].balance_ticks += ticks; }

  void record_fill(std::string const &user, fill f) {
    auto &acct = accounts_[user];
    acct.fills.push_back(f);
    wallet_balances_[user] -= f.price * static_cast<double>(f.qty);
    last_trade_px_ = f.price;
  }

  json portfolio(std::string const &user) const {
    auto it = accounts_.find(user);
    if (it == accounts_.end())
      return json::object();
    double pnl = 0.0; // expect: errorshield-float-money
    for (auto const &f : it->second.fills)
      pnl += (last_trade_px_ - f.price) * static_cast<double>(f.qty);
    return {{"balance", format_ticks(it->second.balance_ticks)}, {"pnl", pnl}};
  }

  // Percent change is a dimensionless statistic derived from integer ticks.
  double pct_change(std::int64_t open_ticks, std::int64_t last_ticks) const {
    if (open_ticks == 0)
      return 0.0;
    double pct = 100.0 * static_cast<double>(last_ticks - open_ticks) / static_cast<double>(open_ticks);
    return std::round(pct * 100.0) / 100.0;
  }

  double fill_ratio(resting_order const &o) const {
    double ratio = o.qty == 0 ? 0.0 : static_cast<double>(o.filled) / static_cast<double>(o.qty);
    return ratio;
  }

private:
  std::map<std::string, account> accounts_;
  std::map<std::string, double> wallet_balances_; // expect: errorshield-float-money
  double last_trade_px_ = 0.0; // expect: errorshield-float-money
};

// Smart-order-router scoring: weights are tuning knobs, not currency.
struct venue_score {
  double price_score_weight = 0.7;
  double latency_weight = 0.3;
  double score(std::int64_t px_improvement_ticks, double latency_ms) const {
    return price_score_weight * static_cast<double>(px_improvement_ticks) - latency_weight * latency_ms;
  }
};

class order_session : public std::enable_shared_from_this<order_session> {
public:
  order_session(tcp::socket s, exchange_core &core) : ws_(std::move(s)), core_(core) {}

  void start() { ws_.async_accept(beast::bind_front_handler(&order_session::on_accept, shared_from_this())); }

private:
  void on_accept(beast::error_code ec) {
    if (!ec)
      read();
  }
  void read() { ws_.async_read(buf_, beast::bind_front_handler(&order_session::on_read, shared_from_this())); }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    auto started = std::chrono::steady_clock::now();
    auto j = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    json reply;
    if (j.is_discarded() || !j.contains("op")) {
      reply = {{"error", "bad request"}};
    } else if (j["op"] == "limit") {
      auto px = parse_ticks(j.value("price", ""));
      if (!px) {
        reply = {{"error", "bad price"}};
      } else {
        resting_order o{j.value("id", ""), *px, j.value("qty", std::int64_t{0})};
        reply = {{"ack", o.id}, {"price", format_ticks(o.price_ticks)}};
      }
    } else if (j["op"] == "market") {
      double limit_price = j.at("protect_px").get<double>(); // expect: errorshield-float-money
      std::int64_t qty = j.value("qty", std::int64_t{0});
      fill f{j.value("id", ""), limit_price, qty, std::chrono::system_clock::now()};
      core_.record_fill(user_, f);
      float fee = static_cast<float>(limit_price * static_cast<double>(qty)) * 0.001f; // expect: errorshield-float-money
      reply = {{"filled", f.order_id}, {"fee", fee}};
    } else if (j["op"] == "portfolio") {
      reply = core_.portfolio(user_);
    }
    std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - started;
    double latency_ms = elapsed.count();
    reply["latency_ms"] = latency_ms;
    out_ = reply.dump();
    ws_.async_write(asio::buffer(out_), [self = shared_from_this()](beast::error_code e, std::size_t) {
      if (!e)
        self->read();
    });
  }

  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buf_;
  exchange_core &core_;
  std::string user_ = "demo";
  std::string out_;
};

void do_accept(tcp::acceptor &acc, exchange_core &core) {
  acc.async_accept([&acc, &core](beast::error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<order_session>(std::move(s), core)->start();
    do_accept(acc, core);
  });
}

int main() {
  asio::io_context ioc;
  exchange_core core;
  core.credit("demo", *parse_ticks("10000.00"));
  tcp::acceptor acc(ioc, {tcp::v4(), 8443});
  do_accept(acc, core);
  ioc.run();
}
