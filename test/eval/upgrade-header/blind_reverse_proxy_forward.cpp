// checks: errorshield-upgrade-header
// Request/response forwarding for the internal API reverse proxy
// (client -> proxy -> upstream service, plain HTTP inside the cluster).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast.hpp>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace apiproxy {

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

struct RouteConfig {
  std::string upstream_host;
  std::string upstream_port;
  std::vector<std::pair<std::string, std::string>> extra_headers;
};

// Hop-by-hop headers per RFC 7230 6.1 plus the de-facto Proxy-* ones.
bool is_hop_by_hop(http::field f) {
  switch (f) {
    case http::field::connection:
    case http::field::keep_alive:
    case http::field::proxy_authenticate:
    case http::field::proxy_authorization:
    case http::field::proxy_connection:
    case http::field::te:
    case http::field::trailer:
    case http::field::transfer_encoding:
    case http::field::upgrade:
      return true;
    default:
      return false;
  }
}

// BUG (v1 of the proxy): copies everything, including Connection/Upgrade,
// so a client's "Upgrade: websocket" leaks to services that can't handle it
// and "Connection: close" tears down the pooled upstream connection.
Request make_upstream_request_v1(const Request& client_req, const RouteConfig& route) {
  Request up{client_req.method(), client_req.target(), 11};
  for (auto const& field : client_req) {
    up.set(field.name_string(), field.value()); // expect: errorshield-upgrade-header
  }
  up.set(http::field::host, route.upstream_host);
  up.body() = client_req.body();
  up.prepare_payload();
  return up;
}

// Correct: hop-by-hop headers are skipped explicitly in the loop.
Request make_upstream_request(const Request& client_req, const RouteConfig& route,
                              const std::string& client_ip) {
  Request up{client_req.method(), client_req.target(), 11};
  for (auto const& field : client_req) {
    const auto name = field.name();
    if (name == http::field::connection || name == http::field::upgrade ||
        name == http::field::keep_alive || name == http::field::te ||
        name == http::field::trailer || name == http::field::transfer_encoding ||
        name == http::field::proxy_authorization || name == http::field::proxy_connection) {
      continue;
    }
    up.insert(field.name_string(), field.value());
  }
  up.set(http::field::host, route.upstream_host);
  up.set("X-Forwarded-For", client_ip);
  up.set("X-Forwarded-Proto", "http");
  for (auto const& [name, value] : route.extra_headers) {
    up.set(name, value);
  }
  up.body() = client_req.body();
  up.prepare_payload();
  return up;
}

// BUG: only Host is skipped (because it is rewritten below); Connection and
// Upgrade still go through. Iterator loop over the header base.
Response make_client_response_v1(const Response& upstream_res, unsigned version) {
  Response out{upstream_res.result(), version};
  auto const& hdr = upstream_res.base();
  for (auto it = hdr.begin(); it != hdr.end(); ++it) {
    if (it->name() == http::field::host) continue;
    out.insert(it->name_string(), it->value()); // expect: errorshield-upgrade-header
  }
  out.set(http::field::via, "1.1 apiproxy");
  out.body() = upstream_res.body();
  out.prepare_payload();
  return out;
}

// Correct: asks the helper for each field.
Response make_client_response(const Response& upstream_res, unsigned version, bool keep_alive) {
  Response out{upstream_res.result(), version};
  for (auto const& f : upstream_res.base()) {
    if (is_hop_by_hop(f.name())) continue;
    out.insert(f.name_string(), f.value());
  }
  out.set(http::field::via, "1.1 apiproxy");
  out.keep_alive(keep_alive);
  out.body() = upstream_res.body();
  out.prepare_payload();
  return out;
}

// BUG: Connection is dropped but Upgrade (and the rest) are not.
void copy_request_headers_partial(const Request& from, Request& to) {
  for (auto const& f : from) {
    if (beast::iequals(f.name_string(), "connection")) {
      continue;
    }
    to.set(f.name_string(), f.value()); // expect: errorshield-upgrade-header
  }
}

// Correct: case-insensitive string comparison against the hop-by-hop names.
void copy_response_headers(const Response& from, Response& to) {
  for (auto const& f : from) {
    const auto n = f.name_string();
    if (beast::iequals(n, "Connection") || beast::iequals(n, "Upgrade") ||
        beast::iequals(n, "Keep-Alive") || beast::iequals(n, "TE") ||
        beast::iequals(n, "Trailer") || beast::iequals(n, "Transfer-Encoding") ||
        beast::iequals(n, "Proxy-Authenticate") || beast::iequals(n, "Proxy-Connection")) {
      continue;
    }
    to.insert(n, f.value());
  }
}

// Synchronous forwarding path used by the admin endpoints.
Response forward(net::io_context& ioc, const Request& client_req, const RouteConfig& route,
                 const std::string& client_ip) {
  tcp::resolver resolver(ioc);
  beast::tcp_stream upstream(ioc);
  upstream.connect(resolver.resolve(route.upstream_host, route.upstream_port));

  Request up = make_upstream_request(client_req, route, client_ip);
  http::write(upstream, up);

  beast::flat_buffer buffer;
  Response upstream_res;
  http::read(upstream, buffer, upstream_res);

  beast::error_code ec;
  upstream.socket().shutdown(tcp::socket::shutdown_both, ec);
  return make_client_response(upstream_res, client_req.version(), client_req.keep_alive());
}

}  // namespace apiproxy
