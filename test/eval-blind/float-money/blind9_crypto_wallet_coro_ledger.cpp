// checks: errorshield-float-money
// Crypto exchange wallet service: websocket API (plain for the internal
// back-office, TLS for customers) that reports balances, portfolio value and
// accepts withdrawals. Balances are kept in integer base units (satoshi, wei).
#include <chrono>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/multiprecision/cpp_int.hpp>
#include <nlohmann/json.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using asio::awaitable;
using asio::use_awaitable;
using json = nlohmann::json;
using wei_t = boost::multiprecision::cpp_int;

struct asset_info {
  std::string symbol;
  unsigned decimals = 8;
  std::uint64_t min_withdrawal = 0;  // base units
  std::int64_t usd_cents_per_coin = 0;
};

struct withdrawal_request {
  std::string asset;
  double amount = 0.0;  // expect: errorshield-float-money
  std::string address;
  std::string otp;
};

void from_json(const json& j, withdrawal_request& r) {
  j.at("asset").get_to(r.asset);
  j.at("amount").get_to(r.amount);
  j.at("address").get_to(r.address);
  r.otp = j.value("otp", "");
}

// "0.015" with 8 decimals -> 1'500'000 exactly; no binary floating point.
template <class Int>
std::optional<Int> parse_fixed(std::string_view s, unsigned decimals) {
  Int whole = 0, frac = 0;
  unsigned frac_digits = 0;
  bool seen_dot = false;
  for (char c : s) {
    if (c == '.') {
      if (seen_dot) return std::nullopt;
      seen_dot = true;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    if (seen_dot) {
      if (++frac_digits > decimals) return std::nullopt;
      frac = frac * 10 + (c - '0');
    } else {
      whole = whole * 10 + (c - '0');
    }
  }
  for (; frac_digits < decimals; ++frac_digits) frac *= 10;
  Int scale = 1;
  for (unsigned i = 0; i < decimals; ++i) scale *= 10;
  return whole * scale + frac;
}

class ledger {
public:
  std::uint64_t balance(const std::string& user, const std::string& sym) const {
    auto it = balances_.find(user + ":" + sym);
    return it == balances_.end() ? 0 : it->second;
  }
  bool debit(const std::string& user, const std::string& sym, std::uint64_t atoms) {
    auto& b = balances_[user + ":" + sym];
    if (b < atoms) return false;
    b -= atoms;
    return true;
  }
  std::map<std::string, std::uint64_t> balances_;
  wei_t eth_wei = 0;
};

const std::map<std::string, asset_info> kAssets = {
    {"BTC", {"BTC", 8, 10'000, 6'512'300}},
    {"LTC", {"LTC", 8, 100'000, 8'410}},
};

template <class Stream>
class wallet_session : public std::enable_shared_from_this<wallet_session<Stream>> {
public:
  template <class... Args>
  wallet_session(ledger& l, std::string user, Args&&... args)
      : ws_(std::forward<Args>(args)...), ledger_(l), user_(std::move(user)) {}

  awaitable<void> run() {
    if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
      co_await ws_.next_layer().async_handshake(ssl::stream_base::server, use_awaitable);
    }
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    co_await ws_.async_accept(use_awaitable);
    for (;;) {
      beast::flat_buffer buf;
      co_await ws_.async_read(buf, use_awaitable);
      json msg = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
      if (msg.is_discarded()) continue;
      json reply = co_await handle(msg);
      const std::string out = reply.dump();
      ws_.text(true);
      co_await ws_.async_write(asio::buffer(out), use_awaitable);
    }
  }

private:
  awaitable<json> handle(const json& msg) {
    const auto op = msg.value("op", "");
    if (op == "portfolio") co_return portfolio();
    if (op == "withdraw") co_return withdraw(msg.at("req").get<withdrawal_request>());
    if (op == "eth_send") co_return eth_send(msg);
    if (op == "eth_send_v1") co_return eth_send_v1(msg);
    if (op == "ticker") co_return ticker(msg.at("asset").get<std::string>());
    co_return json{{"error", "unknown op"}};
  }

  json portfolio() {
    json rows = json::array();
    for (const auto& [sym, info] : kAssets) {
      const std::uint64_t atoms = ledger_.balance(user_, sym);
      const float usd_value = static_cast<float>(atoms) / 1e8f * static_cast<float>(info.usd_cents_per_coin) / 100.0f;  // expect: errorshield-float-money
      rows.push_back({{"asset", sym}, {"atoms", atoms}, {"usd", usd_value}});
    }
    return rows;
  }

  // Daily limit check in exact integer cents (cpp_int avoids 64-bit overflow).
  bool within_daily_limit(const asset_info& a, std::uint64_t atoms) const {
    wei_t scale = 1;
    for (unsigned i = 0; i < a.decimals; ++i) scale *= 10;
    const wei_t usd_cents = wei_t(atoms) * a.usd_cents_per_coin / scale;
    return usd_cents + wei_t(withdrawn_today_cents_) <= wei_t(daily_limit_cents_);
  }

  json withdraw(const withdrawal_request& req) {
    auto it = kAssets.find(req.asset);
    if (it == kAssets.end()) return {{"error", "asset"}};
    const asset_info& a = it->second;
    const auto atoms = static_cast<std::uint64_t>(req.amount * std::pow(10.0, a.decimals));  // expect: errorshield-float-money
    if (atoms < a.min_withdrawal) return {{"error", "below minimum"}};
    if (!within_daily_limit(a, atoms)) return {{"error", "daily limit"}};
    const double network_fee = atoms * withdraw_fee_pct_ / 100.0;  // expect: errorshield-float-money
    const std::uint64_t fee_atoms = static_cast<std::uint64_t>(network_fee);
    if (!ledger_.debit(user_, a.symbol, atoms + fee_atoms)) return {{"error", "insufficient funds"}};
    // internal sweep fee: basis points, integer math
    const std::uint64_t sweep_fee_atoms = atoms * sweep_fee_bp_ / 10'000;
    return {{"ok", true}, {"atoms", atoms}, {"fee", fee_atoms}, {"sweep_fee", sweep_fee_atoms}};
  }

  json eth_send(const json& msg) {
    const std::string raw = msg.at("amount").get<std::string>();
    const auto wei_amount = parse_fixed<wei_t>(raw, 18);
    if (!wei_amount) return {{"error", "bad amount"}};
    const wei_t gas_cost_wei = gas_price_wei_ * wei_t(msg.value("gas_limit", 21'000));
    if (ledger_.eth_wei < *wei_amount + gas_cost_wei) return {{"error", "insufficient funds"}};
    ledger_.eth_wei -= *wei_amount + gas_cost_wei;
    return {{"ok", true}, {"wei", wei_amount->str()}};
  }

  // Legacy v1 endpoint kept for the mobile app.
  json eth_send_v1(const json& msg) {
    const double amount_eth = std::stod(msg.at("amount").get<std::string>());  // expect: errorshield-float-money
    const wei_t wei = static_cast<wei_t>(amount_eth * 1e18);  // expect: errorshield-float-money
    if (ledger_.eth_wei < wei) return {{"error", "insufficient funds"}};
    ledger_.eth_wei -= wei;
    return {{"ok", true}, {"wei", wei.str()}};
  }

  // Percentage change and confirmation progress are ratios, not amounts.
  json ticker(const std::string& sym) const {
    auto it = kAssets.find(sym);
    if (it == kAssets.end()) return {{"error", "asset"}};
    const std::int64_t now_cents = it->second.usd_cents_per_coin;
    const std::int64_t open_cents = open_price_cents_;
    const double change_pct =
        open_cents == 0 ? 0.0 : static_cast<double>(now_cents - open_cents) * 100.0 / open_cents;
    const double confirm_progress = static_cast<double>(confirmations_) / required_confirmations_;
    return {{"asset", sym}, {"change_pct", change_pct}, {"confirm_progress", confirm_progress}};
  }

  websocket::stream<Stream> ws_;
  ledger& ledger_;
  std::string user_;
  double withdraw_fee_pct_ = 0.05;  // percent of the amount
  std::uint64_t sweep_fee_bp_ = 5;
  std::int64_t withdrawn_today_cents_ = 0;
  std::int64_t daily_limit_cents_ = 5'000'000;
  std::int64_t open_price_cents_ = 6'400'000;
  wei_t gas_price_wei_ = 30'000'000'000;
  unsigned confirmations_ = 0;
  unsigned required_confirmations_ = 6;
  std::chrono::duration<double> retry_backoff_{1.5};
};

awaitable<void> serve(asio::ip::tcp::acceptor& acc, ssl::context& tls, ledger& l, bool use_tls) {
  for (;;) {
    auto sock = co_await acc.async_accept(use_awaitable);
    auto ex = sock.get_executor();
    if (use_tls) {
      using S = beast::ssl_stream<beast::tcp_stream>;
      auto s = std::make_shared<wallet_session<S>>(l, "customer", std::move(sock), tls);
      asio::co_spawn(ex, [s]() -> awaitable<void> { co_await s->run(); }, asio::detached);
    } else {
      auto s = std::make_shared<wallet_session<beast::tcp_stream>>(l, "backoffice", std::move(sock));
      asio::co_spawn(ex, [s]() -> awaitable<void> { co_await s->run(); }, asio::detached);
    }
  }
}
