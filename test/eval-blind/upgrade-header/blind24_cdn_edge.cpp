// checks: errorshield-upgrade-header
// CDN edge node: origin fetcher. On a cache miss the edge pulls the object
// from the customer's origin, either plain HTTP (inside the customer's VPC
// peering) or HTTPS over the internet.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>

#include <iostream>
#include <memory>
#include <string>
#include <type_traits>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

using plain_stream = beast::tcp_stream;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

template <class S> struct is_tls : std::false_type {};
template <class S> struct is_tls<beast::ssl_stream<S>> : std::true_type {};

struct Origin {
  std::string host;
  std::string port;
  bool https = true;
};

using Request = http::request<http::empty_body>;
using Response = http::response<http::string_body>;

static Request base_request(const Origin& o, const std::string& path) {
  Request req{http::verb::get, path, 11};
  req.set(http::field::host, o.host);
  req.set(http::field::user_agent, "edge-fetch/4.2");
  req.set(http::field::via, "1.1 edge-fra3");
  return req;
}

// Ask a cleartext origin to switch to HTTP/2 (RFC 7540 section 3.2).
static void add_h2c_upgrade(Request& req) {
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c");
  req.set("HTTP2-Settings", "AAMAAABkAARAAAAA");
}

// VPC-peered origins: plain TCP, so the h2c upgrade is the only way to get h2.
net::awaitable<Response> fetch_plain(Origin o, std::string path) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver(ex);
  plain_stream stream(ex);
  auto eps = co_await resolver.async_resolve(o.host, o.port, net::use_awaitable);
  co_await stream.async_connect(eps, net::use_awaitable);

  Request req = base_request(o, path);
  add_h2c_upgrade(req);
  co_await http::async_write(stream, req, net::use_awaitable);

  beast::flat_buffer buf;
  Response res;
  co_await http::async_read(stream, buf, res, net::use_awaitable);
  if (res.result() == http::status::switching_protocols && res[http::field::upgrade] == "h2c") {
    std::cout << "origin " << o.host << " switched to h2c\n";
  }
  co_return res;
}

// Internet origins over TLS.
net::awaitable<Response> fetch_tls(Origin o, std::string path, ssl::context& ctx) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver(ex);
  tls_stream stream(ex, ctx);
  SSL_set_tlsext_host_name(stream.native_handle(), o.host.c_str());
  auto eps = co_await resolver.async_resolve(o.host, o.port, net::use_awaitable);
  co_await beast::get_lowest_layer(stream).async_connect(eps, net::use_awaitable);
  co_await stream.async_handshake(ssl::stream_base::client, net::use_awaitable);

  Request req = base_request(o, path);
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
  req.set("HTTP2-Settings", "AAMAAABkAARAAAAA");
  co_await http::async_write(stream, req, net::use_awaitable);

  beast::flat_buffer buf;
  Response res;
  co_await http::async_read(stream, buf, res, net::use_awaitable);
  co_return res;
}

// Shield tier: a second TLS hop to the regional shield cache. Shares the
// h2 helper with the plain path.
net::awaitable<Response> fetch_via_shield(Origin shield, std::string path, ssl::context& ctx) {
  auto ex = co_await net::this_coro::executor;
  tls_stream stream(ex, ctx);
  tcp::resolver resolver(ex);
  auto eps = co_await resolver.async_resolve(shield.host, shield.port, net::use_awaitable);
  co_await beast::get_lowest_layer(stream).async_connect(eps, net::use_awaitable);
  co_await stream.async_handshake(ssl::stream_base::client, net::use_awaitable);

  Request req = base_request(shield, path);
  req.set("X-Edge-Tier", "shield");
  add_h2c_upgrade(req); // expect: errorshield-upgrade-header
  co_await http::async_write(stream, req, net::use_awaitable);

  beast::flat_buffer buf;
  Response res;
  co_await http::async_read(stream, buf, res, net::use_awaitable);
  co_return res;
}

// Generic revalidation (If-None-Match) used by both origin kinds.
template <class Stream>
net::awaitable<http::status> revalidate(Stream& stream, Origin o, std::string path, std::string etag) {
  Request req = base_request(o, path);
  req.set(http::field::if_none_match, etag);
  if constexpr (!is_tls<Stream>::value) {
    req.set(http::field::connection, "Upgrade, HTTP2-Settings");
    req.set(http::field::upgrade, "h2c");
  }
  co_await http::async_write(stream, req, net::use_awaitable);
  beast::flat_buffer buf;
  Response res;
  co_await http::async_read(stream, buf, res, net::use_awaitable);
  co_return res.result();
}

// Range prefetch for large video segments; only ever used for the TLS
// media origins.
template <class Stream>
net::awaitable<Response> prefetch_range(Stream& stream, Origin o, std::string path, std::size_t from) {
  Request req = base_request(o, path);
  req.set(http::field::range, "bytes=" + std::to_string(from) + "-");
  req.insert(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
  req.insert(http::field::connection, "Upgrade");
  co_await http::async_write(stream, req, net::use_awaitable);
  beast::flat_buffer buf;
  Response res;
  co_await http::async_read(stream, buf, res, net::use_awaitable);
  co_return res;
}

// Purge notifications go to the customer's webhook (always HTTPS).
class PurgeNotifier : public std::enable_shared_from_this<PurgeNotifier> {
public:
  PurgeNotifier(net::any_io_executor ex, ssl::context& ctx, Origin hook)
      : stream_(ex, ctx), resolver_(ex), hook_(std::move(hook)) {}

  void notify(std::string body) {
    req_ = {http::verb::post, "/purge-events", 11};
    req_.set(http::field::host, hook_.host);
    req_.set(http::field::content_type, "application/json");
    req_.set("Connection", "Upgrade");
    req_.set("Upgrade", "h2c"); // expect: errorshield-upgrade-header
    req_.body() = std::move(body);
    req_.prepare_payload();
    resolver_.async_resolve(hook_.host, hook_.port,
                            beast::bind_front_handler(&PurgeNotifier::on_resolve, shared_from_this()));
  }

private:
  void on_resolve(beast::error_code ec, tcp::resolver::results_type eps) {
    if (ec) return;
    beast::get_lowest_layer(stream_).async_connect(eps, [self = shared_from_this()](beast::error_code ec,
                                                                                   tcp::endpoint) {
      if (ec) return;
      self->stream_.async_handshake(ssl::stream_base::client, [self](beast::error_code ec) {
        if (ec) return;
        http::async_write(self->stream_, self->req_, [self](beast::error_code, std::size_t) {});
      });
    });
  }

  tls_stream stream_;
  tcp::resolver resolver_;
  Origin hook_;
  http::request<http::string_body> req_;
};

// Live log tail for the customer dashboard: WebSocket over TLS is fine.
void open_log_tail(tls_stream& stream, const Origin& o) {
  http::request<http::empty_body> req{http::verb::get, "/logs/tail", 11};
  req.set(http::field::host, o.host);
  req.set(http::field::upgrade, "websocket");
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::sec_websocket_version, "13");
  req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  http::write(stream, req);
}

int main() {
  net::io_context ioc;
  ssl::context ctx(ssl::context::tls_client);
  ctx.set_default_verify_paths();
  ctx.set_verify_mode(ssl::verify_peer);
  static const unsigned char alpn[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(ctx.native_handle(), alpn, sizeof alpn);

  Origin vpc{"10.20.0.14", "8080", false};
  Origin web{"origin.example.net", "443", true};
  Origin shield{"shield-ams.edge.internal", "443", true};

  net::co_spawn(ioc, fetch_plain(vpc, "/index.html"), net::detached);
  net::co_spawn(ioc, fetch_tls(web, "/app.js", ctx), net::detached);
  net::co_spawn(ioc, fetch_via_shield(shield, "/hero.jpg", ctx), net::detached);

  tls_stream media(ioc, ctx);
  tls_stream static_assets(ioc, ctx);
  plain_stream vpc_conn(ioc);
  net::co_spawn(ioc, prefetch_range(media, web, "/v/seg-0042.ts", 1 << 20), net::detached);
  net::co_spawn(ioc, revalidate(static_assets, web, "/app.js", "\"abc123\""), net::detached);
  net::co_spawn(ioc, revalidate(vpc_conn, vpc, "/index.html", "\"f00\""), net::detached);

  std::make_shared<PurgeNotifier>(ioc.get_executor(), ctx, web)->notify(R"({"purged":["/app.js"]})");
  ioc.run();
}
