// checks: errorshield-float-money
// HTTP proxy in front of a payments backend: checkout, refunds and upstream selection.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast.hpp>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

constexpr std::int64_t k_tax_bps = 825; // 8.25 %

struct line_item {
  std::string sku;
  std::int64_t unit_price_cents = 0;
  int quantity = 0;
};

struct invoice {
  std::string id;
  double subtotal = 0.0; // expect: errorshield-float-money
  std::int64_t tax_cents = 0;
  std::int64_t total_cents = 0;
};

struct upstream {
  std::string host;
  std::string port;
  double balancer_weight = 1.0;
  double route_cost = 0.0; // EWMA of response latency in ms
  int failures = 0;
};

std::int64_t parse_minor_units(std::string const &s) {
  std::int64_t units = 0;
  std::from_chars(s.data(), s.data() + s.size(), units);
  return units;
}

class proxy_config {
public:
  explicit proxy_config(json const &cfg) {
    double timeout_seconds = cfg.value("timeout_seconds", 2.5);
    timeout_ = std::chrono::milliseconds(static_cast<long>(timeout_seconds * 1000.0));
    backoff_factor_ = cfg.value("backoff_factor", 1.5);
    log_sample_rate_ = cfg.value("log_sample_rate", 0.01);
    for (auto const &u : cfg.at("upstreams"))
      upstreams_.push_back({u.at("host"), u.at("port"), u.value("weight", 1.0), 0.0, 0});
  }

  upstream &pick() {
    return *std::min_element(upstreams_.begin(), upstreams_.end(), [](upstream const &a, upstream const &b) {
      return a.route_cost / a.balancer_weight < b.route_cost / b.balancer_weight;
    });
  }

  void observe(upstream &u, std::chrono::milliseconds took) {
    const double alpha = 0.2;
    u.route_cost = alpha * static_cast<double>(took.count()) + (1.0 - alpha) * u.route_cost;
  }

  std::chrono::milliseconds timeout() const { return timeout_; }
  double backoff_factor() const { return backoff_factor_; }

private:
  std::chrono::milliseconds timeout_{2500};
  double backoff_factor_ = 1.5;
  double log_sample_rate_ = 0.01;
  std::vector<upstream> upstreams_;
};

invoice price_cart(json const &cart) {
  invoice inv;
  inv.id = cart.value("id", "");
  std::int64_t subtotal_cents = 0;
  for (auto const &it : cart.at("items")) {
    line_item li{it.at("sku"), parse_minor_units(it.at("unit_price_cents").get<std::string>()), it.value("qty", 0)};
    subtotal_cents += li.unit_price_cents * li.quantity;
    inv.subtotal += static_cast<double>(li.unit_price_cents * li.quantity) / 100.0;
  }
  inv.tax_cents = (subtotal_cents * k_tax_bps + 5000) / 10000;
  inv.total_cents = subtotal_cents + inv.tax_cents;
  return inv;
}

json handle_checkout(json const &body) {
  invoice inv = price_cart(body);
  float tip = body.value("tip", 0.0f); // expect: errorshield-float-money
  std::int64_t grand_total_cents = inv.total_cents + static_cast<std::int64_t>(tip * 100.0f);
  return {{"invoice", inv.id}, {"total_cents", std::to_string(grand_total_cents)}};
}

json handle_refund(json const &body, std::int64_t captured_cents) {
  double refund_amount = std::stod(body.at("amount").get<std::string>()); // expect: errorshield-float-money
  double remaining = static_cast<double>(captured_cents) / 100.0 - refund_amount; // expect: errorshield-float-money
  if (remaining < 0)
    return {{"error", "refund exceeds capture"}};
  // The amount is forwarded verbatim as a decimal string; only validated above.
  std::string amount = body.at("amount").get<std::string>();
  return {{"refund", amount}, {"remaining", remaining}};
}

json handle_payout(json const &body) {
  std::int64_t amount_minor = parse_minor_units(body.at("amount_minor").get<std::string>());
  std::int64_t fee_minor = std::max<std::int64_t>(30, amount_minor * 29 / 1000);
  return {{"net_minor", std::to_string(amount_minor - fee_minor)}, {"fee_minor", std::to_string(fee_minor)}};
}

http::response<http::string_body> route(http::request<http::string_body> const &req, proxy_config &cfg,
                                        asio::yield_context yield) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  auto body = json::parse(req.body(), nullptr, false);
  if (body.is_discarded()) {
    res.result(http::status::bad_request);
  } else if (req.target() == "/checkout") {
    res.body() = handle_checkout(body).dump();
  } else if (req.target() == "/refund") {
    res.body() = handle_refund(body, body.value("captured_cents", std::int64_t{0})).dump();
  } else if (req.target() == "/payout") {
    res.body() = handle_payout(body).dump();
  } else {
    // Forward anything else to the least-loaded upstream.
    upstream &u = cfg.pick();
    auto started = std::chrono::steady_clock::now();
    beast::tcp_stream up(yield.get_executor());
    tcp::resolver resolver(yield.get_executor());
    beast::error_code ec;
    auto results = resolver.async_resolve(u.host, u.port, yield[ec]);
    if (!ec) {
      up.expires_after(cfg.timeout());
      up.async_connect(results, yield[ec]);
    }
    if (!ec) {
      http::async_write(up, req, yield[ec]);
      beast::flat_buffer b;
      if (!ec)
        http::async_read(up, b, res, yield[ec]);
    }
    if (ec) {
      ++u.failures;
      res = {http::status::bad_gateway, req.version()};
    }
    cfg.observe(u, std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started));
  }
  res.prepare_payload();
  return res;
}

void serve(tcp::socket sock, proxy_config &cfg, asio::yield_context yield) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  beast::error_code ec;
  for (;;) {
    http::request<http::string_body> req;
    stream.expires_after(std::chrono::seconds(30));
    http::async_read(stream, buf, req, yield[ec]);
    if (ec)
      break;
    auto res = route(req, cfg, yield);
    http::async_write(stream, res, yield[ec]);
    if (ec || !req.keep_alive())
      break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

int main() {
  asio::io_context ioc;
  proxy_config cfg(json::parse(R"({"upstreams":[{"host":"10.0.0.5","port":"8080","weight":2.0}]})"));
  asio::spawn(
      ioc,
      [&](asio::yield_context yield) {
        tcp::acceptor acc(ioc, {tcp::v4(), 8080});
        for (;;) {
          beast::error_code ec;
          tcp::socket s = acc.async_accept(yield[ec]);
          if (ec)
            continue;
          asio::spawn(
              acc.get_executor(),
              [&cfg, s = std::move(s)](asio::yield_context y) mutable { serve(std::move(s), cfg, y); },
              asio::detached);
        }
      },
      asio::detached);
  ioc.run();
}
