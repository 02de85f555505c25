// checks: errorshield-upgrade-header
// API gateway: TLS front door, coroutine-based, forwards to internal
// services over plain TCP or mTLS.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <memory>
#include <string>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

struct Route {
  std::string host;
  std::string port;
  bool tls;
};
Route pick_route(const Request &req);

// ---------------------------------------------------------------------------
// Bug: client request forwarded verbatim (hop-by-hop headers included) to an
// internal service over plain TCP.
awaitable<Response> forward_verbatim(Request req, Route r) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver res(ex);
  beast::tcp_stream up(ex);
  co_await up.async_connect(co_await res.async_resolve(r.host, r.port, use_awaitable),
                            use_awaitable);
  co_await http::async_write(up, req, use_awaitable); // expect: errorshield-upgrade-header
  beast::flat_buffer b;
  Response out;
  co_await http::async_read(up, b, out, use_awaitable);
  co_return out;
}

// Correct: scrub hop-by-hop headers named in Connection plus the fixed set.
void scrub(http::fields &h) {
  std::string conn{h[http::field::connection]};
  std::size_t pos = 0;
  while (pos < conn.size()) {
    auto comma = conn.find(',', pos);
    auto tok = conn.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    while (!tok.empty() && tok.front() == ' ') tok.erase(0, 1);
    if (!tok.empty()) h.erase(tok);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  h.erase(http::field::connection);
  h.erase(http::field::upgrade);
  h.erase(http::field::keep_alive);
  h.erase(http::field::te);
  h.erase(http::field::trailer);
  h.erase(http::field::transfer_encoding);
}

awaitable<Response> forward_scrubbed(Request req, Route r) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver res(ex);
  beast::tcp_stream up(ex);
  co_await up.async_connect(co_await res.async_resolve(r.host, r.port, use_awaitable),
                            use_awaitable);
  scrub(req.base());
  req.keep_alive(true);
  req.prepare_payload();
  co_await http::async_write(up, req, use_awaitable);
  beast::flat_buffer b;
  Response out;
  co_await http::async_read(up, b, out, use_awaitable);
  scrub(out.base());
  co_return out;
}

// Bug: header block assigned wholesale from the client request.
Request build_internal_request(const Request &client, const Route &r) {
  Request out;
  out.base() = client.base(); // expect: errorshield-upgrade-header
  out.set(http::field::host, r.host);
  out.body() = client.body();
  out.prepare_payload();
  return out;
}

// ---------------------------------------------------------------------------
// Front door (TLS). Responses are produced here.
Response make_response(const Request &req, http::status st, std::string body) {
  Response res{st, req.version()};
  res.set(http::field::server, "gw/2.3");
  res.set(http::field::content_type, "application/json");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

awaitable<void> serve_tls(TlsStream stream) {
  co_await stream.async_handshake(ssl::stream_base::server, use_awaitable);
  beast::flat_buffer b;
  for (;;) {
    Request req;
    co_await http::async_read(stream, b, req, use_awaitable);
    Response res = make_response(req, http::status::ok, R"({"ok":true})");
    // advertise HTTP/2 like the old Apache config did
    res.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    co_await http::async_write(stream, res, use_awaitable);
    if (!req.keep_alive()) break;
  }
  co_await stream.async_shutdown(use_awaitable);
}

// Plain listener on :80 for internal health checks; advertising h2c is legal.
awaitable<void> serve_plain(beast::tcp_stream stream) {
  beast::flat_buffer b;
  for (;;) {
    Request req;
    co_await http::async_read(stream, b, req, use_awaitable);
    Response res = make_response(req, http::status::ok, R"({"healthy":true})");
    res.set(http::field::upgrade, "h2c");
    res.set(http::field::connection, "Upgrade");
    co_await http::async_write(stream, res, use_awaitable);
    if (!req.keep_alive()) break;
  }
}

// ---------------------------------------------------------------------------
// Sync probe used by the health checker: tries h2c upgrade first.
template <class Stream>
bool probe_h2c(Stream &s, const std::string &host) {
  Request req{http::verb::options, "*", 11};
  req.set(http::field::host, host);
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c");
  req.set("HTTP2-Settings", "AAMAAABkAAQAAP__");
  http::write(s, req);
  beast::flat_buffer b;
  Response res;
  http::read(s, b, res);
  return res.result() == http::status::switching_protocols;
}

bool probe_internal(net::io_context &ioc, const std::string &host) {
  tcp::resolver r(ioc);
  beast::tcp_stream s(ioc);
  s.connect(r.resolve(host, "80"));
  return probe_h2c(s, host);
}

// mTLS probe: sends the h2c upgrade inside TLS.
bool probe_mtls(net::io_context &ioc, ssl::context &ctx, const std::string &host) {
  tcp::resolver r(ioc);
  TlsStream s(ioc, ctx);
  beast::get_lowest_layer(s).connect(r.resolve(host, "443"));
  s.handshake(ssl::stream_base::client);
  Request req{http::verb::options, "*", 11};
  req.set(http::field::host, host);
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.insert(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
  req.set("HTTP2-Settings", "AAMAAABkAAQAAP__");
  http::write(s, req);
  beast::flat_buffer b;
  Response res;
  http::read(s, b, res);
  return res.result() == http::status::switching_protocols;
}

// mTLS probe done right: plain HTTP/1.1 OPTIONS, HTTP/2 left to ALPN.
bool probe_mtls_fixed(net::io_context &ioc, ssl::context &ctx, const std::string &host) {
  tcp::resolver r(ioc);
  TlsStream s(ioc, ctx);
  beast::get_lowest_layer(s).connect(r.resolve(host, "443"));
  s.handshake(ssl::stream_base::client);
  Request req{http::verb::options, "*", 11};
  req.set(http::field::host, host);
  req.set(http::field::connection, "close");
  http::write(s, req);
  beast::flat_buffer b;
  Response res;
  http::read(s, b, res);
  return res.result() == http::status::ok;
}

int main() {
  net::io_context ioc;
  ssl::context ctx{ssl::context::tlsv12};
  probe_internal(ioc, "svc.internal");
  probe_mtls_fixed(ioc, ctx, "svc.internal");
  ioc.run();
}
