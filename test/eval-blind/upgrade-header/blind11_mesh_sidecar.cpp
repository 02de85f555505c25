// checks: errorshield-upgrade-header
// Mesh sidecar: accepts HTTP/1.1 from the local workload and forwards it to the
// upstream cluster (gRPC / HTTP/2 backends). Upstreams are either plaintext
// (in-cluster, h2c allowed) or mTLS (cross-zone, must negotiate h2 via ALPN).
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

namespace sidecar {

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// base64url of an empty SETTINGS payload with INITIAL_WINDOW_SIZE=1MiB
constexpr std::string_view kSettingsPayload = "AAQAEAAA";

struct Cluster {
  std::string name;
  std::string host;
  std::string port;
  bool mtls = false;
  bool grpc = false;
  // per-cluster hook applied just before the request leaves the sidecar
  std::function<void(Request &)> decorate;
};

struct Stats {
  std::uint64_t forwarded = 0;
  std::uint64_t h2c_attempts = 0;
  std::uint64_t upgrade_requested_by_app = 0;
};

inline Stats g_stats;

// Remove connection-scoped headers before a request crosses a hop.
inline void strip_hop_by_hop(Request &req) {
  req.erase(http::field::connection);
  req.erase(http::field::upgrade);
  req.erase(http::field::http2_settings);
  req.erase(http::field::keep_alive);
  req.erase(http::field::te);
  req.erase(http::field::transfer_encoding);
}

inline void add_h2c_upgrade(Request &req) {
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c");
  req.set(http::field::http2_settings, std::string(kSettingsPayload));
}

// Plaintext in-cluster upstream: the RFC 7540 §3.2 upgrade dance is legitimate here.
inline Response forward_plain(net::io_context &ioc, const Cluster &c, Request req) {
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  stream.expires_after(std::chrono::seconds(5));
  stream.connect(resolver.resolve(c.host, c.port));

  req.set(http::field::host, c.host);
  if (c.grpc) {
    add_h2c_upgrade(req); // OK: cleartext hop
    ++g_stats.h2c_attempts;
  }
  http::write(stream, req);

  beast::flat_buffer buf;
  Response res;
  http::read(stream, buf, res);
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  return res;
}

// mTLS cross-zone upstream.
inline Response forward_mtls(net::io_context &ioc, ssl::context &ctx, const Cluster &c,
                             Request req) {
  tcp::resolver resolver(ioc);
  TlsStream stream(ioc, ctx);
  if (!SSL_set_tlsext_host_name(stream.native_handle(), c.host.c_str()))
    throw beast::system_error(beast::error_code(static_cast<int>(::ERR_get_error()),
                                                net::error::get_ssl_category()));
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
  beast::get_lowest_layer(stream).connect(resolver.resolve(c.host, c.port));
  stream.handshake(ssl::stream_base::client);

  req.set(http::field::host, c.host);
  if (c.grpc) {
    // try to get an h2 connection to the gRPC backend
    req.set(http::field::connection, "Upgrade, HTTP2-Settings");
    req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    req.set(http::field::http2_settings, std::string(kSettingsPayload)); // expect: errorshield-upgrade-header
  }
  http::write(stream, req);

  beast::flat_buffer buf;
  Response res;
  http::read(stream, buf, res);
  beast::error_code ec;
  stream.shutdown(ec);
  return res;
}

// Same as forward_mtls but sanitised: this is what the egress listener uses.
inline Response forward_mtls_sanitised(net::io_context &ioc, ssl::context &ctx,
                                       const Cluster &c, Request req) {
  tcp::resolver resolver(ioc);
  TlsStream stream(ioc, ctx);
  SSL_set_tlsext_host_name(stream.native_handle(), c.host.c_str());
  beast::get_lowest_layer(stream).connect(resolver.resolve(c.host, c.port));
  stream.handshake(ssl::stream_base::client);

  if (req[http::field::upgrade] == "h2c")
    ++g_stats.upgrade_requested_by_app; // OK: only counted
  strip_hop_by_hop(req);
  req.set(http::field::host, c.host);
  http::write(stream, req);

  beast::flat_buffer buf;
  Response res;
  http::read(stream, buf, res);
  return res;
}

// Async relay used by the ingress listener for mTLS clusters. The app's request
// is forwarded verbatim, including whatever Upgrade headers the app put on it.
class TlsRelay : public std::enable_shared_from_this<TlsRelay> {
public:
  TlsRelay(net::io_context &ioc, ssl::context &ctx, Request app_req)
      : stream_(net::make_strand(ioc), ctx), app_req_(std::move(app_req)) {}

  void start(tcp::resolver::results_type endpoints) {
    beast::get_lowest_layer(stream_).async_connect(
        endpoints, [self = shared_from_this()](beast::error_code ec, const tcp::endpoint &) {
          if (ec) return self->fail(ec, "connect");
          self->stream_.async_handshake(
              ssl::stream_base::client,
              [self](beast::error_code ec2) { self->on_handshake(ec2); });
        });
  }

private:
  void on_handshake(beast::error_code ec) {
    if (ec) return fail(ec, "handshake");
    http::async_write(stream_, app_req_, // expect: errorshield-upgrade-header
                      [self = shared_from_this()](beast::error_code ec2, std::size_t) {
                        if (ec2) return self->fail(ec2, "write");
                        self->read_response();
                      });
  }

  void read_response() {
    http::async_read(stream_, buf_, res_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return self->fail(ec, "read");
                       ++g_stats.forwarded;
                     });
  }

  void fail(beast::error_code ec, const char *what) {
    std::cerr << "relay " << what << ": " << ec.message() << '\n';
  }

  TlsStream stream_;
  Request app_req_;
  beast::flat_buffer buf_;
  Response res_;
};

// Config loading: the decorate hook is chosen per cluster from the mesh config.
inline Cluster cluster_from_json(const nlohmann::json &j) {
  Cluster c;
  c.name = j.at("name").get<std::string>();
  c.host = j.at("host").get<std::string>();
  c.port = j.value("port", std::string("443"));
  c.mtls = j.value("mtls", true);
  c.grpc = j.value("grpc", false);

  if (j.value("websocket", false)) {
    c.decorate = [](Request &r) {
      r.set(http::field::connection, "Upgrade");
      r.set(http::field::upgrade, "websocket"); // OK: not h2c
    };
  } else if (c.grpc && c.mtls) {
    c.decorate = [](Request &r) {
      r.set(http::field::te, "trailers");
      r.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    };
  } else if (c.grpc) {
    c.decorate = [](Request &r) { add_h2c_upgrade(r); }; // OK: plaintext cluster
  }
  return c;
}

inline void send_via_cluster(net::io_context &ioc, ssl::context &ctx, const Cluster &c,
                             Request req) {
  if (c.decorate) c.decorate(req);
  if (c.mtls) {
    beast::error_code ec;
    TlsStream stream(ioc, ctx);
    tcp::resolver resolver(ioc);
    beast::get_lowest_layer(stream).connect(resolver.resolve(c.host, c.port), ec);
    if (ec) return;
    stream.handshake(ssl::stream_base::client, ec);
    if (ec) return;
    http::write(stream, req, ec);
  } else {
    beast::tcp_stream stream(ioc);
    tcp::resolver resolver(ioc);
    stream.connect(resolver.resolve(c.host, c.port));
    http::write(stream, req);
  }
}

// Retry path taken only when the mTLS upstream answers 426 Upgrade Required.
inline void retry_after_426(TlsStream &stream, Request &req, const Response &res) {
  if (res.result() != http::status::upgrade_required) return;
  auto wanted = res[http::field::upgrade];
  if (wanted.find("h2c") != beast::string_view::npos) {
    add_h2c_upgrade(req); // expect: errorshield-upgrade-header
  }
  beast::error_code ec;
  http::write(stream, req, ec);
}

// Guarded helper: only ever upgrades on cleartext.
inline void maybe_upgrade(Request &req, bool over_tls) {
  if (over_tls) {
    strip_hop_by_hop(req);
    return;
  }
  req.set(http::field::upgrade, "h2c"); // OK: guarded by !over_tls
  req.set(http::field::http2_settings, std::string(kSettingsPayload));
}

inline nlohmann::json stats_json() {
  return {{"forwarded", g_stats.forwarded},
          {"h2c_attempts", g_stats.h2c_attempts},
          {"app_upgrade_requests", g_stats.upgrade_requested_by_app},
          {"h2c_settings", std::string(kSettingsPayload)}};
}

} // namespace sidecar
