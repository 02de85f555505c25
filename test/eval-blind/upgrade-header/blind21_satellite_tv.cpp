// checks: errorshield-upgrade-header
// Satellite TV programme-guide gateway. Pulls EPG schedules from the
// uplink centre and the metadata vendor, and serves the guide to set-top
// boxes (STBs) and the mobile app. Upstream links run over TLS except the
// in-rack transcoder control port.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>
#include <string>
#include <utility>

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace epg {

constexpr const char* kVendorHost = "epg.metadata-vendor.example";
constexpr const char* kUplinkHost = "uplink.sat-ops.example";
constexpr const char* kPreferredProtocol = "h2c";

using tls_stream = beast::ssl_stream<beast::tcp_stream>;

// ---------------------------------------------------------------------------
// Nightly schedule pull from the metadata vendor (synchronous, runs at 03:00).
std::string fetch_vendor_schedule(asio::io_context& ioc, ssl::context& ctx, const std::string& date) {
  tcp::resolver resolver(ioc);
  tls_stream stream(ioc, ctx);
  SSL_set_tlsext_host_name(stream.native_handle(), kVendorHost);
  beast::get_lowest_layer(stream).connect(resolver.resolve(kVendorHost, "443"));
  stream.handshake(ssl::stream_base::client);

  http::request<http::empty_body> req{http::verb::get, "/v2/schedule?date=" + date, 11};
  req.set(http::field::host, kVendorHost);
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c");  // expect: errorshield-upgrade-header
  req.set("HTTP2-Settings", "AAMAAABkAAQAAP__");
  http::write(stream, req);

  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(stream, buf, res);
  beast::error_code ec;
  stream.shutdown(ec);
  return res.body();
}

// Uplink centre: channel line-up changes (coroutine, TLS).
asio::awaitable<json> fetch_lineup(ssl::context& ctx) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  tls_stream stream(ex, ctx);
  SSL_set_tlsext_host_name(stream.native_handle(), kUplinkHost);
  auto eps = co_await resolver.async_resolve(kUplinkHost, "443", asio::use_awaitable);
  co_await beast::get_lowest_layer(stream).async_connect(eps, asio::use_awaitable);
  co_await stream.async_handshake(ssl::stream_base::client, asio::use_awaitable);

  http::request<http::empty_body> req{http::verb::get, "/lineup/current", 11};
  req.set(http::field::host, kUplinkHost);
  req.insert("Connection", "Upgrade");
  req.insert("Upgrade", "h2c");  // expect: errorshield-upgrade-header
  co_await http::async_write(stream, req, asio::use_awaitable);

  beast::flat_buffer buf;
  http::response<http::string_body> res;
  co_await http::async_read(stream, buf, res, asio::use_awaitable);
  co_return json::parse(res.body(), nullptr, false);
}

// Conditional-access (CA) entitlement sync, TLS, protocol token from config.
asio::awaitable<void> sync_entitlements(tls_stream& stream, std::string body) {
  http::request<http::string_body> req{http::verb::post, "/ca/entitlements", 11};
  req.set(http::field::host, kUplinkHost);
  req.set(http::field::content_type, "application/json");
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::upgrade, kPreferredProtocol);  // expect: errorshield-upgrade-header
  req.body() = std::move(body);
  req.prepare_payload();
  co_await http::async_write(stream, req, asio::use_awaitable);
}

// ---------------------------------------------------------------------------
// In-rack transcoder control port: plain TCP on the management VLAN, where the
// cleartext HTTP/2 upgrade is the supported way in.
void poke_transcoder(asio::io_context& ioc, const std::string& channel) {
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  stream.connect(resolver.resolve("10.0.8.21", "8080"));
  http::request<http::empty_body> req{http::verb::post, "/transcode/" + channel + "/restart", 11};
  req.set(http::field::host, "10.0.8.21");
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c");
  req.set("HTTP2-Settings", "AAMAAABkAAQAAP__");
  http::write(stream, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(stream, buf, res);
}

// ---------------------------------------------------------------------------
// STB-facing guide server (TLS). Boxes either fetch the guide JSON or open a
// WebSocket for live "now/next" updates.
class StbSession : public std::enable_shared_from_this<StbSession> {
 public:
  StbSession(tcp::socket s, ssl::context& ctx) : stream_(std::move(s), ctx) {}

  void start() {
    stream_.async_handshake(ssl::stream_base::server, [self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read();
    });
  }

 private:
  void read() {
    req_ = {};
    http::async_read(stream_, buf_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) self->dispatch();
    });
  }

  void dispatch() {
    if (websocket::is_upgrade(req_)) {
      auto ws = std::make_shared<websocket::stream<tls_stream>>(std::move(stream_));
      ws->async_accept(req_, [ws](beast::error_code) {});
      return;
    }
    if (req_.target() == "/guide/legacy") {
      reply_upgrade_required();
      return;
    }
    reply_guide();
  }

  // Old firmware asks for /guide/legacy; steer it to the faster protocol.
  void reply_upgrade_required() {
    res_ = {http::status::upgrade_required, req_.version()};
    res_.set(http::field::connection, "Upgrade");
    res_.set("upgrade", "h2c");  // expect: errorshield-upgrade-header
    res_.prepare_payload();
    write_response();
  }

  void reply_guide() {
    res_ = {http::status::ok, req_.version()};
    res_.set(http::field::content_type, "application/json");
    res_.set(http::field::cache_control, "max-age=300");
    res_.body() = json{{"channels", json::array({"News 24", "Sport HD", "Kids"})}}.dump();
    res_.prepare_payload();
    write_response();
  }

  void write_response() {
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) self->read();
    });
  }

  tls_stream stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

// Mobile app endpoint (TLS): tells the app which upgrade it may use for
// the live guide feed.
template <class Body>
void write_mobile_hint(tls_stream& stream, http::response<Body>& res) {
  res.set(http::field::connection, "Upgrade");
  res.set(http::field::upgrade, "websocket");
  http::write(stream, res);
}

// ALPN-based HTTP/2 for TLS clients: advertised during the handshake.
void configure_server_tls(ssl::context& ctx) {
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_tlsv1);
  SSL_CTX_set_alpn_select_cb(
      ctx.native_handle(),
      [](SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned int inlen,
         void*) -> int {
        static const unsigned char protos[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
        if (SSL_select_next_proto(const_cast<unsigned char**>(out), outlen, protos, sizeof protos, in, inlen) !=
            OPENSSL_NPN_NEGOTIATED)
          return SSL_TLSEXT_ERR_NOACK;
        return SSL_TLSEXT_ERR_OK;
      },
      nullptr);
}

void accept_loop(tcp::acceptor& acc, ssl::context& ctx) {
  acc.async_accept([&acc, &ctx](beast::error_code ec, tcp::socket s) {
    if (!ec) std::make_shared<StbSession>(std::move(s), ctx)->start();
    accept_loop(acc, ctx);
  });
}

}  // namespace epg

int main() {
  asio::io_context ioc;
  ssl::context server_ctx(ssl::context::tls_server);
  epg::configure_server_tls(server_ctx);
  ssl::context client_ctx(ssl::context::tls_client);
  client_ctx.set_default_verify_paths();

  tcp::acceptor acc(ioc, {tcp::v4(), 8443});
  epg::accept_loop(acc, server_ctx);
  asio::co_spawn(ioc, epg::fetch_lineup(client_ctx), asio::detached);
  ioc.run();
}
