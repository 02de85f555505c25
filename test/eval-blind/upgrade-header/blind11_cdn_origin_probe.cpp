// checks: errorshield-upgrade-header
// CDN edge node: periodically probes each origin (health + protocol capability)
// and relays cache-miss requests to the origin. Origins may be http:// or https://.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using namespace std::chrono_literals;

namespace edge {

using ProbeRequest = http::request<http::empty_body>;
using MissRequest = http::request<http::string_body>;
using ProbeResponse = http::response<http::string_body>;

struct Origin {
  std::string id;
  std::string host;
  std::string port;
  bool https = true;
  std::string health_path = "/healthz";
};

struct ProbeResult {
  bool up = false;
  bool h2 = false;
  unsigned status = 0;
  std::chrono::milliseconds rtt{0};
};

class OriginTable {
public:
  void record(const std::string &id, ProbeResult r) {
    std::lock_guard lk(mu_);
    results_[id] = r;
  }
  nlohmann::json to_json() const {
    std::lock_guard lk(mu_);
    nlohmann::json j = nlohmann::json::object();
    for (const auto &[id, r] : results_)
      j[id] = {{"up", r.up}, {"h2", r.h2}, {"status", r.status}, {"rtt_ms", r.rtt.count()}};
    return j;
  }

private:
  mutable std::mutex mu_;
  std::map<std::string, ProbeResult> results_;
};

inline const char *kProbeSettings = "AAMAAABkAAQAAP__";

template <class Body>
void add_h2_probe_headers(http::request<Body> &req) {
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c");
  req.set(http::field::http2_settings, kProbeSettings);
}

template <class Body>
void strip_upgrade(http::request<Body> &req) {
  req.erase(http::field::upgrade);
  req.erase(http::field::http2_settings);
  req.erase(http::field::connection);
}

inline ProbeRequest make_probe(const Origin &o) {
  ProbeRequest req{http::verb::head, o.health_path, 11};
  req.set(http::field::host, o.host);
  req.set(http::field::user_agent, "edge-prober/3.2");
  return req;
}

// Cleartext origin: an h2c upgrade probe tells us whether the origin speaks h2.
inline net::awaitable<ProbeResult> probe_plain(Origin o) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver(ex);
  beast::tcp_stream stream(ex);
  stream.expires_after(3s);
  auto t0 = std::chrono::steady_clock::now();
  co_await stream.async_connect(co_await resolver.async_resolve(o.host, o.port, net::use_awaitable),
                                net::use_awaitable);
  auto req = make_probe(o);
  add_h2_probe_headers(req); // OK: cleartext
  co_await http::async_write(stream, req, net::use_awaitable);

  beast::flat_buffer buf;
  http::response<http::empty_body> res;
  http::response_parser<http::empty_body> parser;
  parser.skip(true);
  co_await http::async_read_header(stream, buf, parser, net::use_awaitable);
  res = parser.release();

  ProbeResult r;
  r.status = res.result_int();
  r.up = r.status < 500;
  r.h2 = res.result() == http::status::switching_protocols;
  r.rtt = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  co_return r;
}

// https origin probe.
inline net::awaitable<ProbeResult> probe_tls(Origin o, ssl::context &ctx) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver(ex);
  beast::ssl_stream<beast::tcp_stream> stream(ex, ctx);
  SSL_set_tlsext_host_name(stream.native_handle(), o.host.c_str());
  beast::get_lowest_layer(stream).expires_after(3s);
  auto t0 = std::chrono::steady_clock::now();
  co_await beast::get_lowest_layer(stream).async_connect(
      co_await resolver.async_resolve(o.host, o.port, net::use_awaitable), net::use_awaitable);
  co_await stream.async_handshake(ssl::stream_base::client, net::use_awaitable);

  auto req = make_probe(o);
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
  req.set(http::field::http2_settings, kProbeSettings); // expect: errorshield-upgrade-header
  co_await http::async_write(stream, req, net::use_awaitable);

  beast::flat_buffer buf;
  http::response_parser<http::empty_body> parser;
  parser.skip(true);
  co_await http::async_read_header(stream, buf, parser, net::use_awaitable);

  ProbeResult r;
  r.status = parser.get().result_int();
  r.up = r.status < 500;
  r.rtt = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  co_return r;
}

// Generic capability probe shared by the deep-check job.
template <class Stream>
void deep_probe(Stream &stream, const Origin &o, bool over_tls) {
  auto req = make_probe(o);
  req.method(http::verb::options);
  req.target("*");
  if (!over_tls)
    add_h2_probe_headers(req); // OK: guarded
  http::write(stream, req);
}

inline void deep_check(beast::ssl_stream<beast::tcp_stream> &tls, beast::tcp_stream &plain,
                       const Origin &o) {
  if (o.https)
    deep_probe(tls, o, true);
  else
    deep_probe(plain, o, false);
}

// Fallback path: the origin answered the TLS probe with 426 and an Upgrade list,
// so we retry on the same TLS connection.
inline void retry_tls_with_upgrade(beast::ssl_stream<beast::tcp_stream> &stream, const Origin &o,
                                   const http::response<http::empty_body> &prev) {
  if (prev.result() != http::status::upgrade_required) return;
  auto req = make_probe(o);
  add_h2_probe_headers(req); // expect: errorshield-upgrade-header
  beast::error_code ec;
  http::write(stream, req, ec);
  if (ec) std::cerr << "retry " << o.id << ": " << ec.message() << '\n';
}

// Cache miss: relay the client's request to the origin.
class MissRelay : public std::enable_shared_from_this<MissRelay> {
public:
  MissRelay(net::any_io_executor ex, ssl::context &ctx, MissRequest client_req)
      : tls_(ex, ctx), plain_(ex), req_(std::move(client_req)) {}

  void relay_tls(const tcp::resolver::results_type &eps) {
    beast::get_lowest_layer(tls_).connect(eps);
    tls_.handshake(ssl::stream_base::client);
    bool client_wanted_h2c = req_[http::field::upgrade] == "h2c"; // OK: only inspected
    if (client_wanted_h2c) std::clog << "client asked h2c on :80, origin is https\n";
    http::write(tls_, req_); // expect: errorshield-upgrade-header
  }

  void relay_tls_clean(const tcp::resolver::results_type &eps) {
    beast::get_lowest_layer(tls_).connect(eps);
    tls_.handshake(ssl::stream_base::client);
    strip_upgrade(req_);
    http::write(tls_, req_); // OK: stripped
  }

  void relay_plain(const tcp::resolver::results_type &eps) {
    plain_.connect(eps);
    http::write(plain_, req_); // OK: cleartext hop may carry h2c
  }

private:
  beast::ssl_stream<beast::tcp_stream> tls_;
  beast::tcp_stream plain_;
  MissRequest req_;
};

// WebSocket origin over TLS: the Upgrade here is for websocket, not h2c.
inline void prime_ws_origin(beast::ssl_stream<beast::tcp_stream> &stream, const Origin &o) {
  ProbeRequest req{http::verb::get, "/ws/ping", 11};
  req.set(http::field::host, o.host);
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::upgrade, "websocket"); // OK
  req.set(http::field::sec_websocket_version, "13");
  req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  http::write(stream, req);
}

inline void schedule_probes(net::io_context &ioc, ssl::context &ctx, OriginTable &table,
                            const std::vector<Origin> &origins) {
  for (const auto &o : origins) {
    auto done = [&table, id = o.id](std::exception_ptr e, ProbeResult r) {
      if (e) r.up = false;
      table.record(id, r);
    };
    if (o.https)
      net::co_spawn(ioc, probe_tls(o, ctx), done);
    else
      net::co_spawn(ioc, probe_plain(o), done);
  }
}

} // namespace edge
