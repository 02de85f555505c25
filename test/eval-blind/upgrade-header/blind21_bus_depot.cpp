// checks: errorshield-upgrade-header
// Bus depot charging gateway: sits between the depot's pantograph/plug chargers
// and the operator's cloud scheduler. Uplinks are HTTPS; the in-depot LAN is plain HTTP.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <openssl/ssl.h>

#include <iostream>
#include <memory>
#include <string>

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace depot {

using tls_stream = beast::ssl_stream<beast::tcp_stream>;

constexpr const char* kSettings = "AAMAAABkAARAAAAAAAIAAAAA";

http::request<http::string_body> charge_plan_request(const std::string& host, const json& plan) {
  http::request<http::string_body> req{http::verb::post, "/v2/charge-plans", 11};
  req.set(http::field::host, host);
  req.set(http::field::content_type, "application/json");
  req.body() = plan.dump();
  req.prepare_payload();
  return req;
}

// Upload tonight's charge plan to the operator's scheduler over TLS.
void push_plan_tls(tls_stream& stream, const std::string& host, const json& plan) {
  auto req = charge_plan_request(host, plan);
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
  req.set("HTTP2-Settings", kSettings);
  http::write(stream, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(stream, buf, res);
}

// Same plan to a charger controller on the depot LAN (cleartext; h2c is fine here).
void push_plan_lan(beast::tcp_stream& stream, const std::string& host, const json& plan) {
  auto req = charge_plan_request(host, plan);
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c");
  req.set("HTTP2-Settings", kSettings);
  http::write(stream, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(stream, buf, res);
}

// Telemetry uplink to the grid operator (demand response).
class GridUplink {
public:
  GridUplink(net::io_context& ioc, ssl::context& ctx) : resolver_(ioc), stream_(ioc, ctx) {}

  net::awaitable<void> connect(std::string host) {
    host_ = host;
    SSL_set_tlsext_host_name(stream_.native_handle(), host.c_str());
    auto eps = co_await resolver_.async_resolve(host, "443", net::use_awaitable);
    co_await beast::get_lowest_layer(stream_).async_connect(eps, net::use_awaitable);
    co_await stream_.async_handshake(ssl::stream_base::client, net::use_awaitable);
  }

  net::awaitable<void> report_load(double kw) {
    http::request<http::string_body> req{http::verb::post, "/dr/load", 11};
    req.set(http::field::host, host_);
    req.insert("Upgrade", "h2c"); // expect: errorshield-upgrade-header
    req.insert("Connection", "Upgrade, HTTP2-Settings");
    req.insert("HTTP2-Settings", kSettings);
    req.body() = json{{"depot_kw", kw}}.dump();
    req.prepare_payload();
    co_await http::async_write(stream_, req, net::use_awaitable);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    co_await http::async_read(stream_, buf, res, net::use_awaitable);
  }

  // Live SoC feed to the control room over WebSocket on the same TLS link.
  net::awaitable<void> open_soc_feed() {
    http::request<http::empty_body> req{http::verb::get, "/soc-feed", 11};
    req.set(http::field::host, host_);
    req.set(http::field::upgrade, "websocket");
    req.set(http::field::connection, "Upgrade");
    req.set(http::field::sec_websocket_version, "13");
    req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
    co_await http::async_write(stream_, req, net::use_awaitable);
  }

private:
  tcp::resolver resolver_;
  tls_stream stream_;
  std::string host_;
};

// Generic HTTPS client for the fleet-management APIs (bodies vary per endpoint).
template <class Body>
class FleetApiClient {
public:
  explicit FleetApiClient(tls_stream& s) : stream_(s) {}

  http::response<http::string_body> call(http::request<Body> req) {
    req.set(http::field::connection, "Upgrade, HTTP2-Settings");
    req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    req.set("HTTP2-Settings", kSettings);
    req.prepare_payload();
    http::write(stream_, req);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(stream_, buf, res);
    return res;
  }

private:
  tls_stream& stream_;
};

template class FleetApiClient<http::string_body>;

// HTTPS endpoint the chargers' vendor portal calls into. Some of the older
// portal builds probe for HTTP/2 and we answer with a switch.
net::awaitable<void> vendor_portal_session(tls_stream stream) {
  co_await stream.async_handshake(ssl::stream_base::server, net::use_awaitable);
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(stream, buf, req, net::use_awaitable);
  if (req[http::field::upgrade] == "h2c") {
    http::response<http::empty_body> res{http::status::switching_protocols, req.version()};
    res.set(http::field::connection, "Upgrade");
    res.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    co_await http::async_write(stream, res, net::use_awaitable);
    co_return;
  }
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.body() = R"({"depot":"north","bays":24})";
  res.prepare_payload();
  co_await http::async_write(stream, res, net::use_awaitable);
}

// Raw keep-alive probe used by the watchdog against the scheduler, hand-written request.
void uplink_probe(tls_stream& s, const std::string& host) {
  std::string probe = "OPTIONS * HTTP/1.1\r\nHost: " + host + "\r\n";
  probe += "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"; // expect: errorshield-upgrade-header
  probe += "HTTP2-Settings: " + std::string(kSettings) + "\r\n\r\n";
  net::write(s, net::buffer(probe));
}

// Same watchdog probe for the pantograph controllers on the LAN.
void lan_probe(tcp::socket& s, const std::string& host) {
  std::string probe = "OPTIONS * HTTP/1.1\r\nHost: " + host + "\r\n";
  probe += "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n";
  probe += "HTTP2-Settings: " + std::string(kSettings) + "\r\n\r\n";
  net::write(s, net::buffer(probe));
}

// For TLS, HTTP/2 is negotiated through ALPN during the handshake instead.
void configure_uplink_alpn(ssl::context& ctx) {
  static const unsigned char protos[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(ctx.native_handle(), protos, sizeof protos);
}

}  // namespace depot

int main() {
  net::io_context ioc;
  ssl::context client_ctx(ssl::context::tls_client);
  client_ctx.set_default_verify_paths();
  client_ctx.set_verify_mode(ssl::verify_peer);
  depot::configure_uplink_alpn(client_ctx);

  ssl::context server_ctx(ssl::context::tls_server);
  server_ctx.use_certificate_chain_file("/etc/depot/tls/gateway.pem");
  server_ctx.use_private_key_file("/etc/depot/tls/gateway.key", ssl::context::pem);

  depot::GridUplink grid(ioc, client_ctx);
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    co_await grid.connect("dr.gridoperator.example");
    co_await grid.report_load(1840.0);
    co_await grid.open_soc_feed();
  }, net::detached);

  tcp::acceptor acc(ioc, {tcp::v4(), 8443});
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    for (;;) {
      auto s = co_await acc.async_accept(net::use_awaitable);
      net::co_spawn(ioc, depot::vendor_portal_session(depot::tls_stream(std::move(s), server_ctx)), net::detached);
    }
  }, net::detached);

  ioc.run();
}
