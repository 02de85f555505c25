// checks: errorshield-upgrade-header
// Tram network status proxy: pulls line status and vehicle positions from
// the operator's HTTPS API and serves a cached view to stop displays.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using json = nlohmann::json;

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

struct StatusCache {
  std::map<std::string, json> lines;
  json positions = json::array();
};

static const char *kUserAgent = "tram-status-proxy/2.3";

static void configure_tls(ssl::context &ctx) {
  ctx.set_default_verify_paths();
  ctx.set_verify_mode(ssl::verify_peer);
  // negotiate HTTP/2 (or fall back to 1.1) during the TLS handshake
  static const unsigned char alpn[] = "\x02h2\x08http/1.1";
  SSL_CTX_set_alpn_protos(ctx.native_handle(), alpn, sizeof(alpn) - 1);
}

// Builds the GET for one line's status document.
static http::request<http::empty_body> line_status_request(const std::string &host,
                                                           const std::string &line) {
  http::request<http::empty_body> req{http::verb::get, "/v1/lines/" + line + "/status", 11};
  req.set(http::field::host, host);
  req.set(http::field::user_agent, kUserAgent);
  req.set(http::field::accept, "application/json");
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
  return req;
}

net::awaitable<void> poll_line(ssl::context &ctx, std::string host, std::string line, StatusCache &cache) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver(ex);
  auto eps = co_await resolver.async_resolve(host, "443", net::use_awaitable);

  TlsStream stream(ex, ctx);
  SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());
  co_await beast::get_lowest_layer(stream).async_connect(eps, net::use_awaitable);
  co_await stream.async_handshake(ssl::stream_base::client, net::use_awaitable);

  auto req = line_status_request(host, line);
  co_await http::async_write(stream, req, net::use_awaitable);

  beast::flat_buffer buf;
  http::response<http::string_body> res;
  co_await http::async_read(stream, buf, res, net::use_awaitable);
  if (res.result() == http::status::ok)
    cache.lines[line] = json::parse(res.body(), nullptr, false);

  beast::error_code ec;
  co_await stream.async_shutdown(net::redirect_error(net::use_awaitable, ec));
}

// Vehicle positions come from the same operator API, fetched with callbacks.
class PositionsFetcher : public std::enable_shared_from_this<PositionsFetcher> {
public:
  PositionsFetcher(net::any_io_executor ex, ssl::context &ctx, StatusCache &cache)
      : resolver_(ex), stream_(ex, ctx), cache_(cache) {}

  void run(const std::string &host) {
    host_ = host;
    req_ = {http::verb::get, "/v1/vehicles/positions", 11};
    req_.set(http::field::host, host_);
    req_.set(http::field::user_agent, kUserAgent);
    req_.set("Upgrade", "h2c"); // expect: errorshield-upgrade-header
    req_.set(http::field::connection, "Upgrade");
    SSL_set_tlsext_host_name(stream_.native_handle(), host_.c_str());
    resolver_.async_resolve(host_, "443", [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type r) {
      if (ec)
        return;
      beast::get_lowest_layer(self->stream_).async_connect(r, [self](beast::error_code ec, const tcp::endpoint &) {
        if (ec)
          return;
        self->stream_.async_handshake(ssl::stream_base::client, [self](beast::error_code ec) {
          if (!ec)
            self->send();
        });
      });
    });
  }

private:
  void send() {
    http::async_write(stream_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      http::async_read(self->stream_, self->buf_, self->res_, [self](beast::error_code ec, std::size_t) {
        if (!ec)
          self->cache_.positions = json::parse(self->res_.body(), nullptr, false);
      });
    });
  }

  tcp::resolver resolver_;
  TlsStream stream_;
  StatusCache &cache_;
  std::string host_;
  http::request<http::empty_body> req_;
  http::response<http::string_body> res_;
  beast::flat_buffer buf_;
};

// Depot yard controllers sit on the isolated depot LAN and only speak
// cleartext; they understand the h2c upgrade.
net::awaitable<void> poll_depot_controller(std::string addr, StatusCache &cache) {
  auto ex = co_await net::this_coro::executor;
  beast::tcp_stream stream(ex);
  co_await stream.async_connect(tcp::endpoint(net::ip::make_address(addr), 8080), net::use_awaitable);
  http::request<http::empty_body> req{http::verb::get, "/yard/status", 11};
  req.set(http::field::host, addr);
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::upgrade, "h2c");
  co_await http::async_write(stream, req, net::use_awaitable);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  co_await http::async_read(stream, buf, res, net::use_awaitable);
  cache.lines["depot:" + addr] = json::parse(res.body(), nullptr, false);
}

// Live disruption alerts: WebSocket over TLS to the operator.
net::awaitable<void> follow_alerts(ssl::context &ctx, std::string host, StatusCache &cache) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver(ex);
  auto eps = co_await resolver.async_resolve(host, "443", net::use_awaitable);
  beast::websocket::stream<TlsStream> ws(ex, ctx);
  co_await beast::get_lowest_layer(ws).async_connect(eps, net::use_awaitable);
  co_await ws.next_layer().async_handshake(ssl::stream_base::client, net::use_awaitable);
  ws.set_option(beast::websocket::stream_base::decorator([](beast::websocket::request_type &r) {
    r.set(http::field::user_agent, kUserAgent);
  }));
  co_await ws.async_handshake(host, "/v1/alerts", net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    json alert = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (alert.contains("line"))
      cache.lines[alert["line"].get<std::string>()]["alert"] = alert;
  }
}

// Fault reports from displays are relayed to the operator's maintenance API.
// Hop-by-hop headers from the display must not leak upstream.
static http::request<http::string_body> relay_fault(const http::request<http::string_body> &in,
                                                    const std::string &host) {
  http::request<http::string_body> fwd{http::verb::post, "/v1/maintenance/faults", 11};
  for (const auto &f : in)
    fwd.set(f.name_string(), f.value());
  fwd.erase(http::field::connection);
  fwd.erase(http::field::upgrade);
  fwd.erase(http::field::keep_alive);
  fwd.set(http::field::host, host);
  fwd.body() = in.body();
  fwd.prepare_payload();
  return fwd;
}

static constexpr const char *kPreferredUpgrade = "h2c";

net::awaitable<void> send_upstream(ssl::context &ctx, std::string host, http::request<http::string_body> req) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver(ex);
  TlsStream stream(ex, ctx);
  SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());
  co_await beast::get_lowest_layer(stream).async_connect(
      co_await resolver.async_resolve(host, "443", net::use_awaitable), net::use_awaitable);
  co_await stream.async_handshake(ssl::stream_base::client, net::use_awaitable);
  req.insert(http::field::upgrade, kPreferredUpgrade); // expect: errorshield-upgrade-header
  co_await http::async_write(stream, req, net::use_awaitable);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  co_await http::async_read(stream, buf, res, net::use_awaitable);
}

// Stop displays fetch the cached view from us over HTTPS.
template <class Stream>
net::awaitable<void> serve_display(Stream stream, StatusCache &cache, ssl::context &client_ctx) {
  co_await stream.async_handshake(ssl::stream_base::server, net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    http::request<http::string_body> req;
    co_await http::async_read(stream, buf, req, net::use_awaitable);
    if (req.method() == http::verb::post && req.target() == "/fault") {
      auto ex = co_await net::this_coro::executor;
      net::co_spawn(ex, send_upstream(client_ctx, "api.metrotram.example", relay_fault(req, "api.metrotram.example")),
                    net::detached);
    }
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/json");
    res.set(http::field::cache_control, "max-age=15");
    if (req[http::field::upgrade] == "h2c") {
      // displays on old firmware ask for h2c; tell them what we speak
      res.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
      res.set(http::field::connection, "Upgrade");
      res.result(http::status::upgrade_required);
    }
    json view = {{"lines", cache.lines}, {"positions", cache.positions}};
    res.body() = view.dump();
    res.prepare_payload();
    co_await http::async_write(stream, res, net::use_awaitable);
    if (!req.keep_alive())
      break;
  }
}

int main() {
  net::io_context ioc;
  ssl::context client_ctx(ssl::context::tls_client);
  configure_tls(client_ctx);
  ssl::context server_ctx(ssl::context::tls_server);
  server_ctx.use_certificate_chain_file("/etc/tram-proxy/cert.pem");
  server_ctx.use_private_key_file("/etc/tram-proxy/key.pem", ssl::context::pem);

  StatusCache cache;
  const std::string api = "api.metrotram.example";
  for (const char *line : {"1", "2", "4", "7"})
    net::co_spawn(ioc, poll_line(client_ctx, api, line, cache), net::detached);
  std::make_shared<PositionsFetcher>(ioc.get_executor(), client_ctx, cache)->run(api);
  net::co_spawn(ioc, poll_depot_controller("10.20.0.5", cache), net::detached);
  net::co_spawn(ioc, follow_alerts(client_ctx, api, cache), net::detached);

  tcp::acceptor acc(ioc, {tcp::v4(), 8443});
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    for (;;) {
      tcp::socket s = co_await acc.async_accept(net::use_awaitable);
      net::co_spawn(ioc, serve_display(TlsStream(std::move(s), server_ctx), cache, client_ctx), net::detached);
    }
  }, net::detached);

  ioc.run();
}
