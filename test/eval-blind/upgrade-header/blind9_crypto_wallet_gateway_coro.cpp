// checks: errorshield-upgrade-header
// Wallet gateway of a crypto exchange.  Internal services (trading engine, support
// tools) call it over mutual TLS; it scores withdrawals with the risk engine (cleartext
// HTTP inside the cluster) and relays them to the custody node (TLS, HSM-backed).
// Written with C++20 coroutines; one coroutine per client connection.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using json = nlohmann::json;

using request_t = http::request<http::string_body>;
using response_t = http::response<http::string_body>;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

struct gateway_cfg {
  ssl::context *custody_ctx = nullptr;
  tcp::endpoint custody_ep;
  std::string custody_host;
  tcp::endpoint risk_ep;
  std::string risk_host;
  bool risk_h2_probed = false;
};

constexpr const char *k_h2_settings = "AAMAAABkAAQAAP__";

// Header relay used for withdrawals.  It drops Connection and Upgrade, which
// covers the headers people usually think of, but Keep-Alive, TE,
// Transfer-Encoding and Proxy-Authorization from the caller are relayed.
void forward_request_headers(const request_t &in, request_t &out) {
  for (const auto &f : in) {
    if (f.name() == http::field::connection || f.name() == http::field::upgrade ||
        f.name() == http::field::host)
      continue;
    out.set(f.name_string(), f.value()); // expect: errorshield-upgrade-header
  }
}

bool connection_specific(const request_t &in, const http::fields::value_type &f) {
  static constexpr http::field fixed[] = {
      http::field::connection,  http::field::keep_alive,        http::field::te,
      http::field::trailer,     http::field::transfer_encoding, http::field::upgrade,
      http::field::proxy_authorization, http::field::proxy_connection, http::field::host};
  for (auto h : fixed)
    if (f.name() == h)
      return true;
  for (auto tok : http::token_list{in[http::field::connection]})
    if (beast::iequals(tok, f.name_string()))
      return true;
  return false;
}

// Same loop shape as forward_request_headers, with the complete filter.
void strip_and_copy(const request_t &in, request_t &out) {
  for (const auto &f : in) {
    if (connection_specific(in, f))
      continue;
    out.set(f.name_string(), f.value());
  }
}

response_t json_reply(const request_t &in, http::status st, const json &body) {
  response_t res{st, in.version()};
  res.set(http::field::content_type, "application/json");
  res.keep_alive(in.keep_alive());
  res.body() = body.dump();
  res.prepare_payload();
  return res;
}

// ---------------------------------------------------------------------------
// Risk engine: cleartext HTTP/1.1 inside the cluster, h2c-capable.

awaitable<int> risk_score(const request_t &in, gateway_cfg &cfg) {
  beast::tcp_stream risk(co_await asio::this_coro::executor);
  co_await risk.async_connect(cfg.risk_ep, use_awaitable);
  request_t req{http::verb::post, "/score", 11};
  req.set(http::field::host, cfg.risk_host);
  req.set(http::field::content_type, "application/json");
  req.set(http::field::te, "trailers"); // our own hop: score arrives with a trailer
  req.set("X-Request-Id", in["X-Request-Id"]);
  if (!cfg.risk_h2_probed) {
    // Cleartext connection, so the RFC 7540 upgrade offer is legitimate here.
    req.set(http::field::connection, "Upgrade, HTTP2-Settings");
    req.set(http::field::upgrade, "h2c");
    req.set("HTTP2-Settings", k_h2_settings);
    cfg.risk_h2_probed = true;
  }
  req.body() = in.body();
  req.prepare_payload();
  co_await http::async_write(risk, req, use_awaitable);

  beast::flat_buffer buf;
  response_t res;
  co_await http::async_read(risk, buf, res, use_awaitable);
  if (res.result() == http::status::switching_protocols)
    co_return -1; // h2 path handled by the newer client; treat as "retry"
  auto j = json::parse(res.body(), nullptr, false);
  co_return j.is_discarded() ? 100 : j.value("score", 100);
}

// ---------------------------------------------------------------------------
// Custody node: TLS only.

awaitable<response_t> custody_call(request_t up, gateway_cfg &cfg) {
  tls_stream custody(co_await asio::this_coro::executor, *cfg.custody_ctx);
  co_await beast::get_lowest_layer(custody).async_connect(cfg.custody_ep, use_awaitable);
  co_await custody.async_handshake(ssl::stream_base::client, use_awaitable);
  up.set(http::field::host, cfg.custody_host);
  up.prepare_payload();
  co_await http::async_write(custody, up, use_awaitable);
  beast::flat_buffer buf;
  response_t res;
  co_await http::async_read(custody, buf, res, use_awaitable);
  beast::error_code ec;
  custody.shutdown(ec);
  co_return res;
}

awaitable<response_t> withdraw(const request_t &in, gateway_cfg &cfg) {
  int score = co_await risk_score(in, cfg);
  if (score > 80)
    co_return json_reply(in, http::status::forbidden, {{"error", "risk_rejected"}});

  request_t up{in.method(), in.target(), 11};
  forward_request_headers(in, up);
  // The custody vendor announced HTTP/2 support, so the gateway "tries it" on
  // each withdrawal, copying the risk-engine probe.  This hop is TLS.
  up.set(http::field::connection, "Upgrade, HTTP2-Settings");
  up.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
  up.set("HTTP2-Settings", k_h2_settings); // expect: errorshield-upgrade-header
  up.set("X-Risk-Score", std::to_string(score));
  up.body() = in.body();

  response_t cres = co_await custody_call(std::move(up), cfg);

  response_t out{cres.result(), in.version()};
  out.set(http::field::content_type, cres[http::field::content_type]);
  out.set("X-Custody-Tx", cres["X-Custody-Tx"]);
  // Meant to let callers reuse connections "with the custody node's timeout".
  if (cres.count(http::field::keep_alive))
    out.set(http::field::keep_alive, cres[http::field::keep_alive]); // expect: errorshield-upgrade-header
  out.keep_alive(in.keep_alive());
  out.body() = std::move(cres.body());
  out.prepare_payload();
  co_return out;
}

awaitable<response_t> balances(const request_t &in, gateway_cfg &cfg) {
  request_t up{http::verb::get, in.target(), 11};
  strip_and_copy(in, up);
  up.set(http::field::accept, "application/json");
  response_t cres = co_await custody_call(std::move(up), cfg);
  response_t out{cres.result(), in.version()};
  out.set(http::field::content_type, "application/json");
  out.set(http::field::cache_control, "no-store");
  out.keep_alive(in.keep_alive());
  out.body() = std::move(cres.body());
  out.prepare_payload();
  co_return out;
}

// ---------------------------------------------------------------------------

awaitable<void> serve_client(tls_stream client, gateway_cfg &cfg) {
  try {
    co_await client.async_handshake(ssl::stream_base::server, use_awaitable);
    beast::flat_buffer buf;
    for (;;) {
      request_t in;
      co_await http::async_read(client, buf, in, use_awaitable);
      if (in.count(http::field::upgrade))
        std::clog << "caller asked for upgrade to " << in[http::field::upgrade] << ", ignored\n";
      response_t out;
      if (in.target().starts_with("/v1/withdrawals") && in.method() == http::verb::post)
        out = co_await withdraw(in, cfg);
      else if (in.target().starts_with("/v1/balances"))
        out = co_await balances(in, cfg);
      else
        out = json_reply(in, http::status::not_found, {{"error", "no_route"}});
      if (!in.keep_alive())
        out.set(http::field::connection, "close");
      co_await http::async_write(client, out, use_awaitable);
      if (!out.keep_alive())
        break;
    }
    beast::error_code ec;
    client.shutdown(ec);
  } catch (const std::exception &e) {
    std::cerr << "wallet gateway client: " << e.what() << "\n";
  }
}

awaitable<void> listen(tcp::acceptor &acc, ssl::context &server_ctx, gateway_cfg &cfg) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(use_awaitable);
    asio::co_spawn(acc.get_executor(),
                   serve_client(tls_stream(std::move(s), server_ctx), cfg), asio::detached);
  }
}
