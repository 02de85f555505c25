// checks: errorshield-float-money
// Billing microservice: computes invoices for a subscription product,
// exposes them over a coroutine-based TCP line protocol and collects
// resource-usage metrics (CPU, memory, routing costs) that are NOT money.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <queue>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <nlohmann/json.hpp>

namespace asio = boost::asio;
using asio::awaitable;
using asio::co_spawn;
using asio::detached;
using asio::use_awaitable;
using asio::ip::tcp;
using json = nlohmann::json;

using Amount = double;
using MinorUnits = std::int64_t;

// ---------------------------------------------------------------------------
// Invoice model
// ---------------------------------------------------------------------------

struct LineItem {
  std::string sku;
  int units = 0;
  Amount unit_price = 0; // expect: errorshield-float-money
  MinorUnits unit_price_minor = 0;
};

struct Invoice {
  std::string customer_id;
  std::vector<LineItem> items;
  double subtotal = 0; // expect: errorshield-float-money
  double tax = 0; // expect: errorshield-float-money
  double discount_rate = 0;  // 0.0 .. 1.0, a fraction
  double vat_rate = 0.20;    // a fraction
  MinorUnits total_minor = 0;
};

struct Plan {
  std::string name;
  long double monthly_fee; // expect: errorshield-float-money
  std::int64_t monthly_fee_minor;
  double cpu_quota_cores;
  double storage_gb;
};

// Correct computation in minor units, rounding only the tax share.
MinorUnits compute_total_minor(const Invoice &inv) {
  MinorUnits sub = 0;
  for (const auto &li : inv.items)
    sub += li.unit_price_minor * li.units;
  // rates are fractions; applying them and rounding to an integer is fine
  auto disc = static_cast<MinorUnits>(std::llround(static_cast<double>(sub) * inv.discount_rate));
  auto vat = static_cast<MinorUnits>(std::llround(static_cast<double>(sub - disc) * inv.vat_rate));
  return sub - disc + vat;
}

// Legacy path still used by the PDF generator.
double compute_total(const Invoice &inv) { // expect: errorshield-float-money
  double sum = 0; // expect: errorshield-float-money
  for (const auto &li : inv.items)
    sum += li.unit_price * li.units;
  return sum * (1.0 - inv.discount_rate) * (1.0 + inv.vat_rate);
}

void apply_coupon(Invoice &inv, float coupon_amount) { // expect: errorshield-float-money
  inv.subtotal -= coupon_amount;
}

Invoice invoice_from_json(const json &j) {
  Invoice inv;
  inv.customer_id = j.at("customer").get<std::string>();
  for (const auto &it : j.at("items")) {
    LineItem li;
    li.sku = it.at("sku").get<std::string>();
    li.units = it.at("units").get<int>();
    li.unit_price_minor = it.at("unit_price_minor").get<MinorUnits>();
    inv.items.push_back(std::move(li));
  }
  inv.discount_rate = j.value("discount_rate", 0.0);
  inv.vat_rate = j.value("vat_rate", 0.20);
  inv.total_minor = compute_total_minor(inv);
  return inv;
}

// ---------------------------------------------------------------------------
// Resource accounting (not money)
// ---------------------------------------------------------------------------

struct ResourceUsage {
  double cpu_seconds = 0;
  double mem_gb_hours = 0;
  double egress_gb = 0;
  float cache_hit_ratio = 0;
};

// Dijkstra over the service mesh: "cost" is link latency, not money.
struct Edge {
  int to;
  double cost;
};

std::vector<double> shortest_costs(const std::vector<std::vector<Edge>> &g, int src) {
  std::vector<double> dist(g.size(), std::numeric_limits<double>::infinity());
  using Item = std::pair<double, int>;
  std::priority_queue<Item, std::vector<Item>, std::greater<>> pq;
  dist[src] = 0;
  pq.push({0, src});
  while (!pq.empty()) {
    auto [d, u] = pq.top();
    pq.pop();
    if (d > dist[u])
      continue;
    for (const auto &e : g[u]) {
      double nd = d + e.cost;
      if (nd < dist[e.to]) {
        dist[e.to] = nd;
        pq.push({nd, e.to});
      }
    }
  }
  return dist;
}

// Pricing engine: converts usage into money. The rates themselves are money per unit.
struct UsageRates {
  double per_cpu_second; // expect: errorshield-float-money
  MinorUnits per_gb_egress_micro; // micro-units per GB, integer
};

MinorUnits usage_charge_micro(const ResourceUsage &u, const UsageRates &r) {
  return static_cast<MinorUnits>(std::llround(u.egress_gb * static_cast<double>(r.per_gb_egress_micro)));
}

// ---------------------------------------------------------------------------
// Line protocol over TCP with C++20 coroutines
// ---------------------------------------------------------------------------

awaitable<void> serve_client(tcp::socket sock) {
  std::string buf;
  for (;;) {
    auto [ec, n] = co_await asio::async_read_until(
        sock, asio::dynamic_buffer(buf), '\n', asio::experimental::as_tuple(use_awaitable));
    if (ec)
      co_return;
    std::string line = buf.substr(0, n - 1);
    buf.erase(0, n);

    json req = json::parse(line, nullptr, false);
    json resp;
    if (req.is_discarded()) {
      resp = {{"error", "bad json"}};
    } else if (req.value("op", "") == "invoice") {
      Invoice inv = invoice_from_json(req);
      resp = {{"customer", inv.customer_id}, {"total_minor", inv.total_minor}};
    } else if (req.value("op", "") == "quote") {
      double price = req.value("price", 0.0); // expect: errorshield-float-money
      int qty = req.value("qty", 1);
      resp = {{"quote", price * qty}};
    } else if (req.value("op", "") == "health") {
      double load = 0.42;          // CPU load average
      double uptime_hours = 12.5;
      resp = {{"load", load}, {"uptime_h", uptime_hours}};
    }
    std::string out = resp.dump() + "\n";
    auto [wec, wn] = co_await asio::async_write(sock, asio::buffer(out),
                                                asio::experimental::as_tuple(use_awaitable));
    (void)wn;
    if (wec)
      co_return;
  }
}

awaitable<void> listener(tcp::acceptor acc) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(use_awaitable);
    co_spawn(acc.get_executor(), serve_client(std::move(s)), detached);
  }
}

int main() {
  asio::io_context ioc(1);
  tcp::acceptor acc(ioc, {tcp::v4(), 7000});
  co_spawn(ioc, listener(std::move(acc)), detached);
  ioc.run();
}
