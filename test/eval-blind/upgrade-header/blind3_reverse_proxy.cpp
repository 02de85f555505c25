// checks: errorshield-upgrade-header
// Edge reverse proxy: accepts HTTP/1.1 from clients, forwards to a pool of
// upstreams (plain or TLS), relays responses.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>

#include <array>
#include <memory>
#include <string>
#include <string_view>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

static bool is_hop_by_hop(http::field f) {
  switch (f) {
  case http::field::connection:
  case http::field::keep_alive:
  case http::field::proxy_authenticate:
  case http::field::proxy_authorization:
  case http::field::te:
  case http::field::trailer:
  case http::field::transfer_encoding:
  case http::field::upgrade:
    return true;
  default:
    return false;
  }
}

// ---------------------------------------------------------------------------
// v1 request rewriting: copies every header (bug).
Request make_upstream_request_v1(const Request &in, const std::string &upstream_host) {
  Request out{in.method(), in.target(), 11};
  for (auto const &f : in) {
    out.set(f.name_string(), f.value()); // expect: errorshield-upgrade-header
  }
  out.set(http::field::host, upstream_host);
  out.set("X-Forwarded-For", "client");
  out.body() = in.body();
  out.prepare_payload();
  return out;
}

// v2 request rewriting: hop-by-hop filtered (correct).
Request make_upstream_request_v2(const Request &in, const std::string &upstream_host) {
  Request out{in.method(), in.target(), 11};
  for (auto const &f : in) {
    if (is_hop_by_hop(f.name())) continue;
    out.insert(f.name_string(), f.value());
  }
  out.set(http::field::host, upstream_host);
  out.body() = in.body();
  out.prepare_payload();
  return out;
}

// v3: copy-construct then scrub (correct).
Request make_upstream_request_v3(const Request &in, const std::string &upstream_host) {
  Request out = in;
  out.erase(http::field::connection);
  out.erase(http::field::upgrade);
  out.erase(http::field::keep_alive);
  out.erase(http::field::te);
  out.erase(http::field::proxy_authorization);
  out.set(http::field::host, upstream_host);
  return out;
}

// Response relay: copies upstream headers to the client response (bug).
Response relay_response(const Response &up) {
  Response down{up.result(), up.version()};
  for (auto const &f : up.base()) {
    down.insert(f.name_string(), f.value()); // expect: errorshield-upgrade-header
  }
  down.body() = up.body();
  down.prepare_payload();
  return down;
}

// Response relay, filtered (correct).
Response relay_response_filtered(const Response &up) {
  Response down{up.result(), up.version()};
  for (auto const &f : up.base()) {
    if (f.name() == http::field::connection || f.name() == http::field::upgrade ||
        f.name() == http::field::keep_alive || f.name() == http::field::transfer_encoding)
      continue;
    down.insert(f.name_string(), f.value());
  }
  down.body() = up.body();
  down.prepare_payload();
  return down;
}

// ---------------------------------------------------------------------------
// Upstream connections.
class TlsUpstream : public std::enable_shared_from_this<TlsUpstream> {
  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buf_;
  Request req_;
  Response res_;

public:
  TlsUpstream(net::any_io_executor ex, ssl::context &ctx) : stream_(ex, ctx) {}

  // "Opportunistic HTTP/2" copied from the plaintext upstream class: the
  // upgrade dance is only defined for cleartext; over TLS ALPN is used.
  void send(Request r) {
    req_ = std::move(r);
    req_.set(http::field::connection, "Upgrade, HTTP2-Settings");
    req_.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    req_.set("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA");
    http::async_write(stream_, req_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return;
                        http::async_read(self->stream_, self->buf_, self->res_,
                                         [self](beast::error_code, std::size_t) {});
                      });
  }

  // Plain HTTP/1.1 over TLS (correct).
  void send_plain(Request r) {
    req_ = std::move(r);
    req_.keep_alive(true);
    http::async_write(stream_, req_,
                      [self = shared_from_this()](beast::error_code, std::size_t) {});
  }
};

class PlainUpstream : public std::enable_shared_from_this<PlainUpstream> {
  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  Request req_;
  Response res_;

public:
  explicit PlainUpstream(net::any_io_executor ex) : stream_(ex) {}

  // h2c upgrade on a cleartext connection: this is what RFC 7540 s3.2 allows.
  void send(Request r) {
    req_ = std::move(r);
    req_.set(http::field::connection, "Upgrade, HTTP2-Settings");
    req_.set(http::field::upgrade, "h2c");
    req_.set("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA");
    http::async_write(stream_, req_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return;
                        http::async_read(self->stream_, self->buf_, self->res_,
                                         [self](beast::error_code, std::size_t) {});
                      });
  }
};

// ---------------------------------------------------------------------------
// WebSocket tunnelling: the proxy deliberately re-creates the upgrade
// headers for the upstream leg (correct; the upgrade is terminated and
// re-issued, not blindly copied).
Request make_ws_upstream_request(const Request &in, const std::string &upstream_host) {
  Request out = make_upstream_request_v2(in, upstream_host);
  if (websocket::is_upgrade(in)) {
    out.set(http::field::connection, "Upgrade");
    out.set(http::field::upgrade, "websocket");
    out.set(http::field::sec_websocket_key, in[http::field::sec_websocket_key]);
    out.set(http::field::sec_websocket_version, "13");
  }
  return out;
}

// Bug: "pass the client's Connection header through so keep-alive works".
Request make_upstream_request_passthrough(const Request &in, const std::string &upstream_host) {
  Request out = make_upstream_request_v2(in, upstream_host);
  out.set(http::field::connection, in[http::field::connection]); // expect: errorshield-upgrade-header
  out.set(http::field::upgrade, in[http::field::upgrade]); // expect: errorshield-upgrade-header
  return out;
}

int main() {
  net::io_context ioc;
  ssl::context ctx{ssl::context::tlsv12_client};
  auto tls = std::make_shared<TlsUpstream>(ioc.get_executor(), ctx);
  auto plain = std::make_shared<PlainUpstream>(ioc.get_executor());
  Request r{http::verb::get, "/", 11};
  r.set(http::field::host, "example.com");
  tls->send_plain(make_upstream_request_v3(r, "backend-tls"));
  plain->send(make_upstream_request_v2(r, "backend"));
  ioc.run();
}
