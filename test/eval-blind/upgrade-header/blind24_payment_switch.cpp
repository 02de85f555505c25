// checks: errorshield-upgrade-header
// Payment switch: upstream client side. Authorisation requests are routed
// to acquirer gateways over mutual TLS; the tokenisation vault sits on the
// same host behind a loopback sidecar.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using json = nlohmann::json;

using tls_stream = beast::ssl_stream<beast::tcp_stream>;
using StrReq = http::request<http::string_body>;
using StrRes = http::response<http::string_body>;

struct AuthRequest {
  std::string pan_token;
  std::int64_t amount_minor = 0;
  std::string currency;
  std::string merchant_id;
  std::string stan;
};

static std::string to_body(const AuthRequest& a) {
  return json{{"token", a.pan_token}, {"amount", a.amount_minor}, {"currency", a.currency},
              {"mid", a.merchant_id}, {"stan", a.stan}}
      .dump();
}

// Acquirer A: long-lived mTLS connection, one request at a time.
class AcquirerLink {
public:
  AcquirerLink(net::io_context& ioc, ssl::context& ctx, std::string host)
      : stream_(ioc, ctx), host_(std::move(host)) {}

  void connect() {
    tcp::resolver r(stream_.get_executor());
    beast::get_lowest_layer(stream_).connect(r.resolve(host_, "8443"));
    stream_.handshake(ssl::stream_base::client);
  }

  StrRes authorise(const AuthRequest& a) {
    StrReq req = build(a);
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(3));
    http::write(stream_, req);
    beast::flat_buffer buf;
    StrRes res;
    http::read(stream_, buf, res);
    return res;
  }

private:
  StrReq build(const AuthRequest& a) const {
    StrReq req{http::verb::post, "/v2/authorisations", 11};
    req.set(http::field::host, host_);
    req.set(http::field::content_type, "application/json");
    req.set(http::field::connection, "keep-alive, Upgrade, HTTP2-Settings");
    req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    req.set("HTTP2-Settings", "AAMAAABkAAQCAAAA");
    req.set("Idempotency-Key", a.stan);
    req.body() = to_body(a);
    req.prepare_payload();
    return req;
  }

  tls_stream stream_;
  std::string host_;
};

// Acquirer B: asynchronous, connection per request (their LB drops idle
// connections after 5 s anyway).
class AcquirerBCall : public std::enable_shared_from_this<AcquirerBCall> {
public:
  AcquirerBCall(net::io_context& ioc, ssl::context& ctx, AuthRequest a)
      : stream_(ioc, ctx), resolver_(ioc), auth_(std::move(a)) {}

  void run() {
    resolver_.async_resolve("gw.acquirer-b.example", "443",
                            [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type eps) {
                              if (ec) return;
                              beast::get_lowest_layer(self->stream_).async_connect(
                                  eps, [self](beast::error_code ec, tcp::endpoint) {
                                    if (ec) return;
                                    self->stream_.async_handshake(
                                        ssl::stream_base::client,
                                        [self](beast::error_code ec) { self->on_handshake(ec); });
                                  });
                            });
  }

private:
  void on_handshake(beast::error_code ec) {
    if (ec) return;
    req_ = {http::verb::post, "/authorize", 11};
    req_.set(http::field::host, "gw.acquirer-b.example");
    req_.set(http::field::content_type, "application/json");
    const std::string wanted_proto = "h2c";
    req_.set(http::field::upgrade, wanted_proto); // expect: errorshield-upgrade-header
    req_.set(http::field::connection, "Upgrade");
    req_.body() = to_body(auth_);
    req_.prepare_payload();
    http::async_write(stream_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      http::async_read(self->stream_, self->buf_, self->res_,
                       [self](beast::error_code, std::size_t) { /* hand back to router */ });
    });
  }

  tls_stream stream_;
  tcp::resolver resolver_;
  AuthRequest auth_;
  StrReq req_;
  StrRes res_;
  beast::flat_buffer buf_;
};

// Token vault sidecar on loopback: plain HTTP, h2c upgrade is what it expects.
net::awaitable<std::string> detokenise(std::string token) {
  auto ex = co_await net::this_coro::executor;
  beast::tcp_stream vault(ex);
  co_await vault.async_connect(tcp::endpoint{net::ip::make_address("127.0.0.1"), 7207}, net::use_awaitable);
  StrReq req{http::verb::post, "/detokenise", 11};
  req.set(http::field::host, "localhost");
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c");
  req.set("HTTP2-Settings", "AAMAAABkAAQCAAAA");
  req.body() = json{{"token", token}}.dump();
  req.prepare_payload();
  co_await http::async_write(vault, req, net::use_awaitable);
  beast::flat_buffer buf;
  StrRes res;
  co_await http::async_read(vault, buf, res, net::use_awaitable);
  co_return res.body();
}

// Fraud scoring service: TLS, coroutine client.
net::awaitable<int> fraud_score(tls_stream& stream, const AuthRequest& a) {
  StrReq req{http::verb::post, "/score", 11};
  req.set(http::field::host, "fraud.internal");
  req.set(http::field::content_type, "application/json");
  req.set(http::field::connection, "keep-alive");
  req.body() = to_body(a);
  req.prepare_payload();
  co_await http::async_write(stream, req, net::use_awaitable);
  beast::flat_buffer buf;
  StrRes res;
  co_await http::async_read(stream, buf, res, net::use_awaitable);
  auto j = json::parse(res.body(), nullptr, false);
  co_return j.is_discarded() ? 100 : j.value("score", 100);
}

// Settlement file push, batched nightly: TLS to the scheme's endpoint.
net::awaitable<void> push_settlement(tls_stream& stream, std::string batch) {
  http::request<http::string_body> req{http::verb::put, "/settlement/batch", 11};
  req.set(http::field::host, "settle.scheme.example");
  req.set(http::field::content_type, "text/csv");
  req.insert("Upgrade", "H2C"); // expect: errorshield-upgrade-header
  req.insert("Connection", "Upgrade");
  req.body() = std::move(batch);
  req.prepare_payload();
  co_await http::async_write(stream, req, net::use_awaitable);
  beast::flat_buffer buf;
  StrRes res;
  co_await http::async_read(stream, buf, res, net::use_awaitable);
}

// Inbound side for merchants still on HTTP/1.0 terminals: the switch's TLS
// listener answers with 426 and tells them what to upgrade to.
net::awaitable<void> reject_legacy(tls_stream& stream, unsigned version) {
  StrRes res{http::status::upgrade_required, version};
  res.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
  res.set(http::field::connection, "Upgrade");
  res.body() = "HTTP/1.1 or later required";
  res.prepare_payload();
  co_await http::async_write(stream, res, net::use_awaitable);
}

// Merchant dashboard push channel: TLS WebSocket upgrade, legitimate.
void request_dashboard_channel(tls_stream& stream) {
  StrReq req{http::verb::get, "/push", 11};
  req.set(http::field::host, "dash.switch.example");
  req.set(http::field::upgrade, "websocket");
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::sec_websocket_key, "x3JJHMbDL1EzLkh9GBhXDw==");
  req.set(http::field::sec_websocket_version, "13");
  http::write(stream, req);
  beast::flat_buffer buf;
  http::response<http::empty_body> res;
  http::read(stream, buf, res);
  if (res[http::field::upgrade] != "websocket") throw std::runtime_error("dashboard refused upgrade");
}

int main() {
  net::io_context ioc;
  ssl::context ctx(ssl::context::tls_client);
  ctx.load_verify_file("/etc/switch/acquirers-ca.pem");
  ctx.use_certificate_chain_file("/etc/switch/client.pem");
  ctx.use_private_key_file("/etc/switch/client.key", ssl::context::pem);
  ctx.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);

  AuthRequest a{"tok_8f3a", 1999, "EUR", "M-40021", "000123"};

  AcquirerLink link(ioc, ctx, "auth.acquirer-a.example");
  link.connect();
  auto res = link.authorise(a);

  std::make_shared<AcquirerBCall>(ioc, ctx, a)->run();
  net::co_spawn(ioc, detokenise(a.pan_token), net::detached);

  tls_stream fraud(ioc, ctx);
  net::co_spawn(ioc, fraud_score(fraud, a), net::detached);

  ioc.run();
  return res.result() == http::status::ok ? 0 : 1;
}
