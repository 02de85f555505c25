// checks: errorshield-upgrade-header
// Telemetry gateway: outbound HTTP clients towards internal backends (rules
// engine, time-series store, alert hub) and a small internal relay. Some
// backends are reachable over cleartext inside the cluster, some only over TLS.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <iostream>
#include <string>
#include <string_view>
#include <type_traits>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace tgw::backend {

using request_t = http::request<http::string_body>;
using response_t = http::response<http::string_body>;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

template <class Stream>
inline constexpr bool is_tls_v = false;
template <class Next>
inline constexpr bool is_tls_v<beast::ssl_stream<Next>> = true;

struct backend_config {
  std::string host;
  std::string port;
  bool prefer_http2 = true;
  std::string user_agent = "tgw-backend/3.1";
};

// base64url(SETTINGS payload): MAX_CONCURRENT_STREAMS=100, INITIAL_WINDOW_SIZE=1MiB
inline std::string default_h2_settings() { return "AAMAAABkAAQAEAAA"; }

// Offer an HTTP/2 cleartext upgrade on an HTTP/1.1 request (RFC 7540 3.2).
inline void add_h2c_offer(request_t& req, std::string const& settings) {
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c");
  req.set("HTTP2-Settings", settings);
}

inline void log_backend(std::string_view who, std::string_view what) {
  std::clog << "[backend:" << who << "] " << what << '\n';
}

// -----------------------------------------------------------------------------
// Generic client; the h2c offer is compiled out for TLS transports (ALPN instead).
template <class Stream>
class backend_client {
 public:
  backend_client(Stream& stream, backend_config cfg) : stream_(stream), cfg_(std::move(cfg)) {}

  request_t make_request(http::verb verb, std::string_view target, std::string body) const {
    request_t req{verb, target, 11};
    req.set(http::field::host, cfg_.host);
    req.set(http::field::user_agent, cfg_.user_agent);
    req.set(http::field::content_type, "application/json");
    if constexpr (!is_tls_v<Stream>) {
      if (cfg_.prefer_http2) add_h2c_offer(req, default_h2_settings());
    }
    req.body() = std::move(body);
    req.prepare_payload();
    return req;
  }

  net::awaitable<response_t> call(http::verb verb, std::string_view target, std::string body) {
    auto req = make_request(verb, target, std::move(body));
    co_await http::async_write(stream_, req, net::use_awaitable);
    response_t res;
    co_await http::async_read(stream_, buf_, res, net::use_awaitable);
    if (res.result() == http::status::switching_protocols) log_backend(cfg_.host, "peer switched to h2c");
    co_return res;
  }

 private:
  Stream& stream_;
  backend_config cfg_;
  beast::flat_buffer buf_;
};

template class backend_client<beast::tcp_stream>;
template class backend_client<tls_stream>;

// -----------------------------------------------------------------------------
// Rules engine client; written before backend_client, runtime flag only.
template <class Stream>
class rules_client {
 public:
  rules_client(Stream& s, backend_config cfg) : stream_(s), cfg_(std::move(cfg)) {}

  net::awaitable<void> push_rule_set(std::string json) {
    request_t req{http::verb::put, "/rules/active", 11};
    req.set(http::field::host, cfg_.host);
    if (cfg_.prefer_http2) add_h2c_offer(req, default_h2_settings()); // expect: errorshield-upgrade-header
    req.body() = std::move(json);
    req.prepare_payload();
    co_await http::async_write(stream_, req, net::use_awaitable);
    response_t res;
    beast::flat_buffer buf;
    co_await http::async_read(stream_, buf, res, net::use_awaitable);
    log_backend("rules", std::to_string(res.result_int()));
  }

 private:
  Stream& stream_;
  backend_config cfg_;
};

// The rules engine moved behind TLS in 3.0; this is the only instantiation left.
template class rules_client<tls_stream>;

// -----------------------------------------------------------------------------
// Time-series writer: TLS only.
class tsdb_writer {
 public:
  tsdb_writer(tls_stream& s, backend_config cfg) : stream_(s), cfg_(std::move(cfg)) {}

  request_t make_batch(std::string lines) const {
    request_t req{http::verb::post, "/api/v2/write?precision=ms", 11};
    req.set(http::field::host, cfg_.host);
    req.set(http::field::content_type, "text/plain; charset=utf-8");
    req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    req.set("HTTP2-Settings", default_h2_settings()); // expect: errorshield-upgrade-header
    req.body() = std::move(lines);
    req.prepare_payload();
    return req;
  }

  void write_sync(std::string lines) {
    auto req = make_batch(std::move(lines));
    http::write(stream_, req);
    response_t res;
    beast::flat_buffer buf;
    http::read(stream_, buf, res);
  }

 private:
  tls_stream& stream_;
  backend_config cfg_;
};

// -----------------------------------------------------------------------------
// Alert hub: plain HTTP on the cluster network, h2c is the intended transport.
inline void notify_alert_hub(beast::tcp_stream& stream, backend_config const& cfg, std::string payload) {
  request_t req{http::verb::post, "/v1/alerts", 11};
  req.set(http::field::host, cfg.host);
  add_h2c_offer(req, default_h2_settings());
  req.body() = std::move(payload);
  req.prepare_payload();
  http::write(stream, req);
}

// Alert hub over TLS (multi-site deployments): negotiates h2 via ALPN instead.
inline void configure_alpn(ssl::context& ctx) {
  static const unsigned char protos[] = "\x02h2\x08http/1.1";
  SSL_CTX_set_alpn_protos(ctx.native_handle(), protos, sizeof(protos) - 1);
}

inline void notify_alert_hub_tls(tls_stream& stream, backend_config const& cfg, std::string payload) {
  request_t req{http::verb::post, "/v1/alerts", 11};
  req.set(http::field::host, cfg.host);
  req.set(http::field::connection, "keep-alive");
  req.body() = std::move(payload);
  req.prepare_payload();
  http::write(stream, req);
}

// -----------------------------------------------------------------------------
// Internal relay: re-sends dashboard export requests to the archive service.
// The archive service only listens on TLS.
class export_relay {
 public:
  export_relay(tls_stream& archive, backend_config cfg) : archive_(archive), cfg_(std::move(cfg)) {}

  // Current path: h2c offer and hop-by-hop headers stripped before re-sending.
  void forward(request_t in) {
    in.erase(http::field::upgrade);
    in.erase("HTTP2-Settings");
    in.erase(http::field::connection);
    in.erase(http::field::keep_alive);
    in.set(http::field::host, cfg_.host);
    in.prepare_payload();
    http::write(archive_, in);
  }

  // Old path kept for the CSV exporter: copies the client's headers verbatim.
  void forward_csv(request_t const& in) {
    request_t out{in.method(), in.target(), 11};
    for (auto const& f : in) out.insert(f.name_string(), f.value()); // expect: errorshield-upgrade-header
    out.set(http::field::host, cfg_.host);
    out.body() = in.body();
    out.prepare_payload();
    http::write(archive_, out);
  }

 private:
  tls_stream& archive_;
  backend_config cfg_;
};

// -----------------------------------------------------------------------------
// Gateway's own HTTPS listener: answers clients that offer an HTTP/2 upgrade.
inline void answer_upgrade_offer(tls_stream& stream, request_t const& req) {
  if (req[http::field::upgrade] == "h2c") {
    http::response<http::empty_body> res{http::status::switching_protocols, req.version()};
    res.set(http::field::connection, "Upgrade");
    res.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    http::write(stream, res);
    return;
  }
  response_t res{http::status::ok, req.version()};
  res.set(http::field::connection, "close");
  res.body() = "ok\n";
  res.prepare_payload();
  http::write(stream, res);
}

}  // namespace tgw::backend
