// Demo input for errorshield-json-field-coverage: the seed incident (BUGGY).
//
// The order router of a trading gateway. The order-entry service sends it
// one JSON object per line on standard input: orders to route, and the
// venues' fill reports. The router settles each order in its currency,
// books the fill's fee and keeps a position per account and symbol, which
// it saves as a JSON snapshot at shutdown and loads again at startup.
// nlohmann's mappings convert exactly the members they name; a member
// that was added to a struct later, but not to its mapping, is never
// written and never read, keeps its default value, and nothing fails:
//
// - Order::currency was added for the EUR and GBP venues, but not to
//   NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE. Every order was decoded with the
//   default "USD" and settled in the wrong currency, with no error anywhere.
// - The hand-written from_json for the venues' Fill reports (their keys
//   differ from ours) never sets Fill::fee_minor: no fee was ever booked.
// - Position's NLOHMANN_DEFINE_TYPE_INTRUSIVE omits cash_minor_: the
//   snapshot drops it, every restart resets what each position paid and
//   earned to zero, and the end-of-day P&L is wrong.
//
// Money is in integer minor units (cents) throughout.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <utility>

using json = nlohmann::json;

struct Order {
  static constexpr int kSchemaVersion = 3;  // static: not part of the JSON

  std::string client_order_id;
  std::string account;
  std::string symbol;
  std::string side;  // "buy" or "sell"
  std::int64_t quantity = 0;
  std::int64_t limit_price_minor = 0;
  std::string currency = "USD";  // added for the EUR and GBP venues
};
// BUG: 'currency' is not listed: it is never read, and every order settles in USD.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Order, client_order_id, account, symbol, side, quantity, limit_price_minor)

// A venue's fill report; the venues name the fields their own way.
struct Fill {
  std::string client_order_id;
  std::int64_t quantity = 0;
  std::int64_t price_minor = 0;
  std::int64_t fee_minor = 0;
  std::string venue;
};

void from_json(const json& j, Fill& fill) {  // BUG: never sets fee_minor
  j.at("clOrdId").get_to(fill.client_order_id);
  j.at("lastQty").get_to(fill.quantity);
  j.at("lastPx").get_to(fill.price_minor);
  j.at("venue").get_to(fill.venue);
}

class Position {
 public:
  Position() = default;
  Position(std::string account, std::string symbol) : account_(std::move(account)), symbol_(std::move(symbol)) {}

  void apply(const Order& order, const Fill& fill) {
    const bool buy = order.side == "buy";
    net_quantity_ += buy ? fill.quantity : -fill.quantity;
    cash_minor_ += (buy ? -fill.quantity : fill.quantity) * fill.price_minor - fill.fee_minor;
  }

 private:
  std::string account_;
  std::string symbol_;
  std::int64_t net_quantity_ = 0;
  std::int64_t cash_minor_ = 0;  // what the fills paid and earned, fees included
  // BUG: 'cash_minor_' is left out of the snapshot.
  NLOHMANN_DEFINE_TYPE_INTRUSIVE(Position, account_, symbol_, net_quantity_)
};

static void settle(const Order& order, const Fill& fill) {
  std::cout << "settle " << order.client_order_id << ": " << fill.quantity << " x " << fill.price_minor << " "
            << order.currency << " minor units, fee " << fill.fee_minor << " at " << fill.venue << "\n";
}

int main(int argc, char** argv) {
  const std::string snapshot_path = argc > 1 ? argv[1] : "positions.json";
  std::map<std::string, Position> positions;  // "account/symbol" -> position
  if (std::ifstream in(snapshot_path); in) positions = json::parse(in).get<std::map<std::string, Position>>();

  std::map<std::string, Order> open_orders;
  std::string line;
  while (std::getline(std::cin, line)) {
    try {
      const json message = json::parse(line);
      const std::string type = message.at("type").get<std::string>();
      if (type == "order") {
        Order order = message.at("order").get<Order>();
        std::cout << "route " << order.client_order_id << " " << order.side << " " << order.quantity << " "
                  << order.symbol << " @ " << order.limit_price_minor << " " << order.currency << "\n";
        open_orders[order.client_order_id] = std::move(order);
      } else if (type == "fill") {
        const Fill fill = message.at("fill").get<Fill>();
        auto it = open_orders.find(fill.client_order_id);
        if (it == open_orders.end()) continue;
        const Order& order = it->second;
        settle(order, fill);
        const std::string key = order.account + "/" + order.symbol;
        auto [pos, inserted] = positions.try_emplace(key, order.account, order.symbol);
        pos->second.apply(order, fill);
      }
    } catch (const json::exception& e) {
      std::cerr << "bad message: " << e.what() << "\n";
    }
  }

  std::ofstream out(snapshot_path);
  out << json(positions).dump(2) << "\n";
}
