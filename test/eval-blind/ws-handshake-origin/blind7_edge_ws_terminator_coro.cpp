// checks: errorshield-ws-handshake-origin
// Edge reverse proxy in front of the telemetry gateway: terminates browser and
// device WebSockets (plain and TLS) and tunnels frames to the gateway.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <atomic>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace edge {

using request_t = http::request<http::string_body>;
using response_t = http::response<http::string_body>;
using ws_plain = websocket::stream<beast::tcp_stream>;
using ws_tls = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

struct edge_config {
  std::vector<std::string> trusted_origins{"https://console.telemetry.example.com"};
  std::string trusted_suffix = ".telemetry.example.com";
  std::string public_host = "edge.telemetry.example.com";
  std::string upstream_host = "gateway.internal";
  std::string upstream_port = "9000";
};

struct edge_stats {
  std::atomic<std::uint64_t> untrusted_origin{0};
  std::atomic<std::uint64_t> sessions{0};
  void record_origin(bool trusted) {
    if (!trusted) ++untrusted_origin;
  }
};

inline void log_line(std::string_view tag, std::string_view msg) { std::clog << "edge[" << tag << "] " << msg << '\n'; }

// Exact allow-list entries, or an https:// subdomain of the configured suffix.
class origin_matcher {
 public:
  explicit origin_matcher(edge_config const& cfg) : cfg_(cfg) {}

  bool operator()(std::string_view origin) const {
    if (origin.empty()) return false;
    for (auto const& o : cfg_.trusted_origins)
      if (origin == o) return true;
    constexpr std::string_view scheme = "https://";
    if (!origin.starts_with(scheme)) return false;
    auto host = origin.substr(scheme.size());
    if (host.find_first_of(":/@") != std::string_view::npos) return false;
    return host.size() > cfg_.trusted_suffix.size() && host.ends_with(cfg_.trusted_suffix);
  }

 private:
  edge_config const& cfg_;
};

inline response_t make_error(http::status st, request_t const& req, std::string_view why) {
  response_t res{st, req.version()};
  res.set(http::field::content_type, "text/plain");
  res.body() = std::string(why);
  res.prepare_payload();
  return res;
}

// Returns a rejection response if the upgrade must not be accepted.
inline std::optional<response_t> validate_upgrade(request_t const& req, origin_matcher const& match) {
  if (!websocket::is_upgrade(req)) return make_error(http::status::bad_request, req, "not an upgrade");
  if (!match(req[http::field::origin])) return make_error(http::status::forbidden, req, "origin");
  return std::nullopt;
}

// Reads the upgrade request and throws if the Origin is not trusted.
template <class Stream>
net::awaitable<request_t> read_checked_upgrade(Stream& stream, beast::flat_buffer& buf, origin_matcher const& match) {
  request_t req;
  co_await http::async_read(stream, buf, req, net::use_awaitable);
  if (!match(req[http::field::origin])) {
    auto res = make_error(http::status::forbidden, req, "origin");
    co_await http::async_write(stream, res, net::use_awaitable);
    throw beast::system_error(make_error_code(beast::errc::permission_denied));
  }
  co_return req;
}

// Client side of the tunnel: we set our own Origin towards the gateway.
net::awaitable<std::unique_ptr<ws_plain>> connect_upstream(edge_config const& cfg) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver(ex);
  auto up = std::make_unique<ws_plain>(ex);
  auto eps = co_await resolver.async_resolve(cfg.upstream_host, cfg.upstream_port, net::use_awaitable);
  co_await beast::get_lowest_layer(*up).async_connect(eps, net::use_awaitable);
  std::string origin = "https://" + cfg.public_host;
  up->set_option(websocket::stream_base::decorator([origin](websocket::request_type& r) {
    r.set(http::field::origin, origin);
    r.set(http::field::via, "1.1 tgw-edge");
  }));
  co_await up->async_handshake(cfg.upstream_host, "/v1/ingest", net::use_awaitable);
  co_return up;
}

template <class From, class To>
net::awaitable<void> pump(From& from, To& to) {
  beast::flat_buffer buf;
  for (;;) {
    co_await from.async_read(buf, net::use_awaitable);
    to.binary(from.got_binary());
    co_await to.async_write(buf.data(), net::use_awaitable);
    buf.consume(buf.size());
  }
}

// --- coroutine handlers ------------------------------------------------------

// Dashboards over TLS: validate_upgrade() runs before the accept.
net::awaitable<void> serve_dashboard_tls(beast::ssl_stream<beast::tcp_stream> stream, edge_config const& cfg) {
  origin_matcher match(cfg);
  co_await stream.async_handshake(ssl::stream_base::server, net::use_awaitable);
  beast::flat_buffer buf;
  request_t req;
  co_await http::async_read(stream, buf, req, net::use_awaitable);
  if (auto rejection = validate_upgrade(req, match)) {
    co_await http::async_write(stream, *rejection, net::use_awaitable);
    co_return;
  }
  ws_tls ws(std::move(stream));
  co_await ws.async_accept(req, net::use_awaitable);
  auto up = co_await connect_upstream(cfg);
  co_await pump(ws, *up);
}

// Status page socket: only the Host header is checked.
net::awaitable<void> serve_status(beast::tcp_stream stream, edge_config const& cfg) {
  beast::flat_buffer buf;
  request_t req;
  co_await http::async_read(stream, buf, req, net::use_awaitable);
  if (req[http::field::host] != cfg.public_host) {
    log_line("status", "unexpected host " + std::string(req[http::field::host]));
    co_return;
  }
  ws_plain ws(std::move(stream));
  co_await ws.async_accept(req, net::use_awaitable); // expect: errorshield-ws-handshake-origin
  ws.text(true);
  co_await ws.async_write(net::buffer(std::string("{\"status\":\"ok\"}")), net::use_awaitable);
}

// Devices over plain TCP inside the plant network: origin is only counted.
net::awaitable<void> serve_device_plain(beast::tcp_stream stream, edge_config const& cfg, edge_stats& stats) {
  origin_matcher match(cfg);
  beast::flat_buffer buf;
  request_t req;
  co_await http::async_read(stream, buf, req, net::use_awaitable);
  bool trusted = match(req[http::field::origin]);
  stats.record_origin(trusted);
  ws_plain ws(std::move(stream));
  co_await ws.async_accept(req, net::use_awaitable); // expect: errorshield-ws-handshake-origin
  ++stats.sessions;
  auto up = co_await connect_upstream(cfg);
  co_await pump(ws, *up);
}

// Ops console: the checked reader throws before we get to the accept.
net::awaitable<void> serve_ops_console(beast::tcp_stream stream, edge_config const& cfg) {
  origin_matcher match(cfg);
  beast::flat_buffer buf;
  auto req = co_await read_checked_upgrade(stream, buf, match);
  ws_plain ws(std::move(stream));
  co_await ws.async_accept(req, net::use_awaitable);
  auto up = co_await connect_upstream(cfg);
  co_await pump(*up, ws);
}

// --- stackful handlers for the legacy listener --------------------------------

void serve_legacy_tls(beast::ssl_stream<beast::tcp_stream> stream, net::yield_context yield) {
  beast::error_code ec;
  stream.async_handshake(ssl::stream_base::server, yield[ec]);
  if (ec) return log_line("legacy", ec.message());
  beast::flat_buffer buf;
  request_t req;
  http::async_read(stream, buf, req, yield[ec]);
  if (ec) return log_line("legacy", ec.message());
  ws_tls ws(std::move(stream));
  ws.async_accept(req, yield[ec]); // expect: errorshield-ws-handshake-origin
  if (ec) return log_line("legacy", ec.message());
  ws.async_write(net::buffer(std::string("hello")), yield[ec]);
}

// Widget embed socket: the decorator only advertises CORS, nothing is enforced.
void serve_widget(beast::tcp_stream stream, net::yield_context yield) {
  beast::error_code ec;
  beast::flat_buffer buf;
  request_t req;
  http::async_read(stream, buf, req, yield[ec]);
  if (ec) return log_line("widget", ec.message());
  ws_plain ws(std::move(stream));
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(http::field::access_control_allow_origin, "https://console.telemetry.example.com");
  }));
  ws.async_accept(req, yield[ec]); // expect: errorshield-ws-handshake-origin
  if (ec) return log_line("widget", ec.message());
}

// Fleet map socket: allow-list checked inline, 403 otherwise.
void serve_fleet_map(beast::tcp_stream stream, edge_config const& cfg, net::yield_context yield) {
  origin_matcher match(cfg);
  beast::error_code ec;
  beast::flat_buffer buf;
  request_t req;
  http::async_read(stream, buf, req, yield[ec]);
  if (ec) return log_line("fleet", ec.message());
  auto origin = req[http::field::origin];
  if (!match(origin)) {
    log_line("fleet", "403 for origin " + std::string(origin));
    auto res = make_error(http::status::forbidden, req, "origin");
    http::async_write(stream, res, yield[ec]);
    return;
  }
  ws_plain ws(std::move(stream));
  ws.async_accept(req, yield[ec]);
  if (ec) return log_line("fleet", ec.message());
}

// --- listener ---------------------------------------------------------------

net::awaitable<void> listen(tcp::acceptor acceptor, ssl::context& tls, edge_config const& cfg, edge_stats& stats) {
  for (;;) {
    tcp::socket sock = co_await acceptor.async_accept(net::use_awaitable);
    auto ex = sock.get_executor();
    auto port = acceptor.local_endpoint().port();
    if (port == 443) {
      net::co_spawn(ex, serve_dashboard_tls(beast::ssl_stream<beast::tcp_stream>(std::move(sock), tls), cfg), net::detached);
    } else if (port == 8443) {
      net::spawn(ex, [s = beast::ssl_stream<beast::tcp_stream>(std::move(sock), tls)](net::yield_context y) mutable {
        serve_legacy_tls(std::move(s), y);
      }, net::detached);
    } else if (port == 8080) {
      net::co_spawn(ex, serve_device_plain(beast::tcp_stream(std::move(sock)), cfg, stats), net::detached);
    } else if (port == 8090) {
      net::co_spawn(ex, serve_ops_console(beast::tcp_stream(std::move(sock)), cfg), net::detached);
    } else if (port == 8091) {
      net::spawn(ex, [s = beast::tcp_stream(std::move(sock)), &cfg](net::yield_context y) mutable {
        serve_fleet_map(std::move(s), cfg, y);
      }, net::detached);
    } else if (port == 8092) {
      net::spawn(ex, [s = beast::tcp_stream(std::move(sock))](net::yield_context y) mutable {
        serve_widget(std::move(s), y);
      }, net::detached);
    } else {
      net::co_spawn(ex, serve_status(beast::tcp_stream(std::move(sock)), cfg), net::detached);
    }
  }
}

}  // namespace edge
