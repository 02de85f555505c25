// checks: errorshield-upgrade-header
// Mortgage broker gateway: serves the applicant portal over HTTPS, pulls rates
// from lenders and credit reports from the bureau, and exposes a cleartext
// health/metrics port inside the cluster.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <openssl/ssl.h>

#include <iostream>
#include <memory>
#include <string>
#include <string_view>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace broker {

const unsigned char kAlpn[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

ssl::context make_server_tls() {
  ssl::context ctx(ssl::context::tls_server);
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  ctx.use_certificate_chain_file("/etc/broker/tls/fullchain.pem");
  ctx.use_private_key_file("/etc/broker/tls/key.pem", ssl::context::pem);
  // negotiate HTTP/2 the TLS way
  SSL_CTX_set_alpn_protos(ctx.native_handle(), kAlpn, sizeof kAlpn);
  return ctx;
}

json quote(const json& application) {
  double principal = application.value("principal", 0.0);
  return {{"rate_bps", 489}, {"monthly", principal * 0.0053}};
}

// Applicant portal (HTTPS).
class PortalSession : public std::enable_shared_from_this<PortalSession> {
 public:
  PortalSession(tcp::socket s, ssl::context& ctx) : stream_(std::move(s), ctx) {}

  void run() {
    stream_.async_handshake(ssl::stream_base::server, [self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read();
    });
  }

 private:
  void read() {
    req_ = {};
    http::async_read(stream_, buf_, req_, beast::bind_front_handler(&PortalSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    res_ = {http::status::ok, req_.version()};
    res_.set(http::field::content_type, "application/json");
    if (req_[http::field::upgrade] == "h2c") {
      // clients must use ALPN on this port; refuse the cleartext upgrade
      res_.result(http::status::bad_request);
      res_.erase(http::field::upgrade);
    } else if (req_.target() == "/quote") {
      res_.body() = quote(json::parse(req_.body(), nullptr, false)).dump();
      // let capable browsers switch to HTTP/2 on the next request
      res_.set(http::field::connection, "Upgrade");
      res_.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    }
    res_.keep_alive(req_.keep_alive());
    res_.prepare_payload();
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code wec, std::size_t) {
      if (!wec && self->res_.keep_alive()) self->read();
    });
  }

  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

// Lender rate feed client, TLS with the lender's API.
class LenderRateFeed {
 public:
  LenderRateFeed(net::io_context& ioc, ssl::context& ctx) : stream_(ioc, ctx) {}

  http::request<http::empty_body> make_request(const std::string& host) {
    http::request<http::empty_body> req{http::verb::get, "/v2/rates/fixed30", 11};
    req.set(http::field::host, host);
    req.set(http::field::user_agent, "broker-gw/3.4");
    req.set(http::field::connection, "Upgrade, HTTP2-Settings");
    req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    req.set("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA");
    return req;
  }

  void fetch(const std::string& host, const tcp::resolver::results_type& eps) {
    beast::get_lowest_layer(stream_).connect(eps);
    SSL_set_tlsext_host_name(stream_.native_handle(), host.c_str());
    stream_.handshake(ssl::stream_base::client);
    auto req = make_request(host);
    http::write(stream_, req);
    beast::flat_buffer b;
    http::response<http::string_body> res;
    http::read(stream_, b, res);
    std::cout << "rates: " << res.body() << "\n";
  }

 private:
  beast::ssl_stream<beast::tcp_stream> stream_;
};

// Credit bureau pull, coroutine over a raw ssl::stream.
net::awaitable<json> pull_credit(ssl::stream<tcp::socket>& tls, std::string applicant_id) {
  http::request<http::string_body> req{http::verb::post, "/reports/tri-merge", 11};
  req.set(http::field::host, "api.bureau.example");
  req.set(http::field::content_type, "application/json");
  req.insert(http::field::connection, "Upgrade");
  req.insert("Upgrade", "h2c"); // expect: errorshield-upgrade-header
  req.body() = json{{"applicant", applicant_id}}.dump();
  req.prepare_payload();
  co_await http::async_write(tls, req, net::use_awaitable);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  co_await http::async_read(tls, buf, res, net::use_awaitable);
  co_return json::parse(res.body(), nullptr, false);
}

// Document upload endpoint for payslips; hand-rolled 101 for the legacy scanner app.
net::awaitable<void> scanner_upgrade(ssl::stream<tcp::socket> tls) {
  co_await tls.async_handshake(ssl::stream_base::server, net::use_awaitable);
  char scratch[1024];
  co_await tls.async_read_some(net::buffer(scratch), net::use_awaitable);
  co_await net::async_write(tls, net::buffer(std::string_view("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n")), net::use_awaitable); // expect: errorshield-upgrade-header
}

// Live application status pushed to the broker's dashboard (WebSocket over TLS).
net::awaitable<void> dashboard(ssl::stream<tcp::socket> tls) {
  co_await tls.async_handshake(ssl::stream_base::server, net::use_awaitable);
  beast::websocket::stream<ssl::stream<tcp::socket>> ws(std::move(tls));
  ws.set_option(beast::websocket::stream_base::decorator([](beast::websocket::response_type& res) {
    res.set(http::field::server, "broker-gw");
  }));
  co_await ws.async_accept(net::use_awaitable);
  ws.text(true);
  co_await ws.async_write(net::buffer(std::string(R"({"pipeline":12})")), net::use_awaitable);
}

// Internal partner API over TLS; shared by the JSON and form-encoded calls.
template <class Body>
void call_partner(beast::ssl_stream<beast::tcp_stream>& tls, http::request<Body>& req) {
  req.set(http::field::host, "partners.internal");
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
  req.prepare_payload();
  http::write(tls, req);
}

void notify_partner(beast::ssl_stream<beast::tcp_stream>& tls, const json& status) {
  http::request<http::string_body> req{http::verb::post, "/v1/applications/status", 11};
  req.set(http::field::content_type, "application/json");
  req.body() = status.dump();
  call_partner(tls, req);
}

// Cleartext metrics port inside the cluster; sidecars upgrade to h2c here.
net::awaitable<void> metrics(tcp::socket sock) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  http::request<http::empty_body> req;
  co_await http::async_read(stream, buf, req, net::use_awaitable);
  http::response<http::string_body> res{http::status::switching_protocols, req.version()};
  res.set(http::field::connection, "Upgrade");
  res.set(http::field::upgrade, "h2c");
  co_await http::async_write(stream, res, net::use_awaitable);
}

// Internal upstream over plain TCP.
void ping_underwriter(tcp::socket& sock) {
  http::request<http::empty_body> req{http::verb::options, "*", 11};
  req.set(http::field::host, "underwriter.svc");
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c");
  http::write(sock, req);
}

}  // namespace broker

int main() {
  net::io_context ioc;
  auto server_ctx = broker::make_server_tls();
  ssl::context client_ctx(ssl::context::tls_client);
  client_ctx.set_default_verify_paths();

  tcp::acceptor portal(ioc, {tcp::v4(), 443});
  tcp::acceptor internal(ioc, {tcp::v4(), 9090});
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    for (;;) {
      auto s = co_await portal.async_accept(net::use_awaitable);
      std::make_shared<broker::PortalSession>(std::move(s), server_ctx)->run();
    }
  }, net::detached);
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    for (;;) {
      auto s = co_await internal.async_accept(net::use_awaitable);
      net::co_spawn(ioc, broker::metrics(std::move(s)), net::detached);
    }
  }, net::detached);

  beast::ssl_stream<beast::tcp_stream> partner_tls(ioc, client_ctx);
  beast::get_lowest_layer(partner_tls).connect(tcp::endpoint(net::ip::make_address("10.0.4.12"), 8443));
  partner_tls.handshake(ssl::stream_base::client);
  broker::notify_partner(partner_tls, {{"application", "A-20931"}, {"stage", "underwriting"}});
  ioc.run();
}
