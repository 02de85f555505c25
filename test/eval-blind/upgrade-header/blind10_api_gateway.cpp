// checks: errorshield-upgrade-header
// Edge gateway: terminates client HTTPS, routes by host to internal services
// (cleartext, some of which speak h2c) or to partner APIs (always TLS).
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <array>
#include <functional>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// base64url of an empty SETTINGS payload
constexpr const char *kEmptySettings = "AAMAAABkAARAAAAAAAIAAAAA";

struct Route {
  std::string host;
  std::string port;
  bool tls = false;
  std::function<void(Request &)> decorate;
};

std::vector<Route> build_routes() {
  std::vector<Route> routes;
  // OK: internal cleartext service, h2c upgrade is the right mechanism here.
  routes.push_back(Route{"inventory.svc.local", "8080", false, [](Request &r) {
                           r.set(http::field::connection, "Upgrade, HTTP2-Settings");
                           r.set(http::field::upgrade, "h2c");
                           r.set("HTTP2-Settings", kEmptySettings);
                         }});
  // Partner API over the internet: decorator copied from the route above.
  routes.push_back(Route{"api.partner-payments.example", "443", true, [](Request &r) {
                           r.set("X-Gateway", "edge-1");
                           r.set("HTTP2-Settings", kEmptySettings); // expect: errorshield-upgrade-header
                         }});
  routes.push_back(Route{"search.svc.local", "9200", false, [](Request &r) {
                           r.set("X-Gateway", "edge-1");
                         }});
  return routes;
}

bool is_hop_by_hop(std::string_view name) {
  static constexpr std::array<std::string_view, 8> hop{
      "connection", "keep-alive",        "proxy-connection", "te",
      "trailer",    "transfer-encoding", "upgrade",          "http2-settings"};
  for (auto h : hop)
    if (beast::iequals(name, h))
      return true;
  return false;
}

// OK: hop-by-hop headers (Upgrade, HTTP2-Settings included) never cross the proxy.
Request make_upstream_request(const Request &in, const Route &route) {
  Request out{in.method(), in.target(), 11};
  for (const auto &f : in) {
    if (is_hop_by_hop(f.name_string()))
      continue;
    out.insert(f.name_string(), f.value());
  }
  out.set(http::field::host, route.host);
  out.body() = in.body();
  out.prepare_payload();
  return out;
}

// BUG (relay): only Connection/Keep-Alive are stripped; a client's h2c upgrade goes to the partner over TLS.
Request make_partner_request_legacy(const Request &in, const Route &route) {
  Request out{in.method(), in.target(), 11};
  for (const auto &f : in) {
    if (f.name() == http::field::connection || f.name() == http::field::keep_alive)
      continue;
    out.insert(f.name_string(), f.value()); // expect: errorshield-upgrade-header
  }
  out.set(http::field::host, route.host);
  out.body() = in.body();
  out.prepare_payload();
  return out;
}

void send_via_route(const Route &route, Request req, TlsStream &tls,
                    beast::tcp_stream &plain) {
  if (route.decorate)
    route.decorate(req);
  if (route.tls)
    http::write(tls, req);
  else
    http::write(plain, req);
}

void forward_partner(const Route &route, const Request &client_req,
                     TlsStream &partner) {
  Request out = make_partner_request_legacy(client_req, route);
  http::write(partner, out);
}

// BUG: capability probe against a TLS upstream uses the cleartext upgrade dance.
bool probe_http2(TlsStream &upstream, const std::string &host) {
  Request req{http::verb::options, "*", 11};
  req.set(http::field::host, host);
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
  req.set("HTTP2-Settings", kEmptySettings); // expect: errorshield-upgrade-header
  http::write(upstream, req);
  beast::flat_buffer buf;
  Response res;
  beast::error_code ec;
  http::read(upstream, buf, res, ec);
  return !ec && res.result() == http::status::switching_protocols;
}

// OK: same probe on a cleartext internal connection.
bool probe_h2c(beast::tcp_stream &upstream, const std::string &host) {
  Request req{http::verb::options, "*", 11};
  req.set(http::field::host, host);
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c");
  req.set("HTTP2-Settings", kEmptySettings);
  http::write(upstream, req);
  beast::flat_buffer buf;
  Response res;
  beast::error_code ec;
  http::read(upstream, buf, res, ec);
  return !ec && res.result() == http::status::switching_protocols;
}

// Client-facing side of the gateway (TLS listener).
net::awaitable<void> answer_client(TlsStream &client, Request req) {
  const bool wants_h2c = beast::iequals(req[http::field::upgrade], "h2c");
  if (wants_h2c) {
    // BUG: agrees to an h2c switch on a TLS connection.
    Response res{http::status::switching_protocols, 11};
    res.set(http::field::connection, "Upgrade");
    res.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    co_await http::async_write(client, res, net::use_awaitable);
    co_return;
  }
  if (beast::iequals(req[http::field::upgrade], "websocket")) {
    // OK: WebSocket upgrade over TLS is legitimate.
    Response res{http::status::switching_protocols, 11};
    res.set(http::field::connection, "Upgrade");
    res.set(http::field::upgrade, "websocket");
    co_await http::async_write(client, res, net::use_awaitable);
    co_return;
  }
  Response res{http::status::ok, 11};
  res.set(http::field::content_type, "text/plain");
  res.body() = "ok";
  res.prepare_payload();
  co_await http::async_write(client, res, net::use_awaitable);
}

// BUG: relays the client's h2c settings verbatim to a TLS partner in the retry path.
net::awaitable<void> retry_partner(TlsStream &partner, const Request &client_req,
                                   const Route &route) {
  Request out = make_upstream_request(client_req, route);
  beast::flat_buffer buf;
  Response res;
  co_await http::async_write(partner, out, net::use_awaitable);
  co_await http::async_read(partner, buf, res, net::use_awaitable);
  if (res.result() == http::status::upgrade_required) {
    out.set("HTTP2-Settings", client_req["HTTP2-Settings"]); // expect: errorshield-upgrade-header
    co_await http::async_write(partner, out, net::use_awaitable);
  }
}

// OK: HTTP/2 over TLS is negotiated through ALPN, not headers.
void configure_partner_tls(ssl::context &ctx) {
  static const unsigned char alpn[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(ctx.native_handle(), alpn, sizeof(alpn));
}

// OK: "h2c" only appears in log text and a scheme comparison.
bool route_is_h2c(const std::string &scheme, const Route &route) {
  if (scheme == "h2c" && !route.tls) {
    std::clog << "route " << route.host << " uses h2c upgrade\n";
    return true;
  }
  return false;
}

// OK: strips upgrade headers before a TLS write.
void forward_sanitized(TlsStream &partner, Request req) {
  req.erase(http::field::upgrade);
  req.erase("HTTP2-Settings");
  req.erase(http::field::connection);
  http::write(partner, req);
}
