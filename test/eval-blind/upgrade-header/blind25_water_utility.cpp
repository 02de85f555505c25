// checks: errorshield-upgrade-header
// Water utility head-end: smart meters and pumping-station RTUs report over
// HTTPS; the customer portal and the SCADA historian talk to the same gateway.
// Some internal links still run plain HTTP on the plant network.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>
#include <string>

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace waterco {

constexpr const char *kCleartextH2 = "h2c";

struct MeterReading {
  std::string meter_id;
  long litres = 0;
  double pressure_bar = 0;
};

// HTTPS endpoint for AMI meters.
class MeterSession : public std::enable_shared_from_this<MeterSession> {
public:
  MeterSession(tcp::socket s, ssl::context &ctx) : stream_(std::move(s), ctx) {}

  void start() {
    stream_.async_handshake(ssl::stream_base::server, [self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read_request();
    });
  }

private:
  void read_request() {
    req_ = {};
    http::async_read(stream_, buf_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->respond();
    });
  }

  void respond() {
    auto j = json::parse(req_.body(), nullptr, false);
    res_ = {http::status::accepted, req_.version()};
    res_.set(http::field::server, "waterco-headend");
    res_.set(http::field::content_type, "application/json");
    // let newer meter firmware know it can switch to HTTP/2
    res_.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    res_.body() = json{{"ok", !j.is_discarded()}}.dump();
    res_.prepare_payload();
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec)
        self->read_request();
    });
  }

  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

// Plant-network listener (cleartext, behind the firewall): h2c is fine here.
asio::awaitable<void> plant_session(tcp::socket s) {
  beast::tcp_stream stream(std::move(s));
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(stream, buf, req, asio::use_awaitable);
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::upgrade, "h2c");
  res.set(http::field::connection, "Upgrade");
  res.body() = "{}";
  res.prepare_payload();
  co_await http::async_write(stream, res, asio::use_awaitable);
}

// Customer self-service portal (HTTPS): bills and usage history.
asio::awaitable<void> portal_session(tcp::socket s, ssl::context &ctx) {
  beast::ssl_stream<beast::tcp_stream> tls(std::move(s), ctx);
  co_await tls.async_handshake(ssl::stream_base::server, asio::use_awaitable);
  auto common_headers = [](auto &msg) {
    msg.set(http::field::server, "waterco-portal");
    msg.set(http::field::strict_transport_security, "max-age=31536000");
    msg.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
  };
  beast::flat_buffer buf;
  for (;;) {
    http::request<http::string_body> req;
    auto [ec, n] = co_await http::async_read(tls, buf, req, asio::as_tuple(asio::use_awaitable));
    if (ec)
      co_return;
    http::response<http::string_body> res{http::status::ok, req.version()};
    common_headers(res);
    res.set(http::field::content_type, "application/json");
    res.body() = json{{"account", std::string(req.target())}, {"balance_cents", 4210}}.dump();
    res.prepare_payload();
    co_await http::async_write(tls, res, asio::use_awaitable);
  }
}

// Upload of hourly aggregates to the regulator's portal (HTTPS client).
asio::awaitable<void> upload_to_regulator(ssl::context &ctx, std::string host, json report) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  beast::ssl_stream<beast::tcp_stream> tls(ex, ctx);
  SSL_set_tlsext_host_name(tls.native_handle(), host.c_str());
  auto eps = co_await resolver.async_resolve(host, "443", asio::use_awaitable);
  co_await beast::get_lowest_layer(tls).async_connect(eps, asio::use_awaitable);
  co_await tls.async_handshake(ssl::stream_base::client, asio::use_awaitable);

  http::request<http::string_body> req{http::verb::post, "/v1/abstraction/hourly", 11};
  req.set(http::field::host, host);
  req.set(http::field::content_type, "application/json");
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.insert("Upgrade", "h2c"); // expect: errorshield-upgrade-header
  req.insert("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA");
  req.body() = report.dump();
  req.prepare_payload();
  co_await http::async_write(tls, req, asio::use_awaitable);

  beast::flat_buffer buf;
  http::response<http::string_body> res;
  co_await http::async_read(tls, buf, res, asio::use_awaitable);
  std::cout << "regulator: " << res.result_int() << "\n";
}

// Customer portal: live usage pushes go over a secure WebSocket.
asio::awaitable<void> portal_ws_client(ssl::context &ctx, std::string host) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  beast::websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(ex, ctx);
  auto eps = co_await resolver.async_resolve(host, "443", asio::use_awaitable);
  co_await beast::get_lowest_layer(ws).async_connect(eps, asio::use_awaitable);
  co_await ws.next_layer().async_handshake(ssl::stream_base::client, asio::use_awaitable);
  ws.set_option(beast::websocket::stream_base::decorator(
      [](beast::websocket::request_type &r) { r.set(http::field::user_agent, "waterco-portal"); }));
  co_await ws.async_handshake(host, "/usage", asio::use_awaitable);
  co_await ws.async_write(asio::buffer(std::string(R"({"subscribe":"usage"})")), asio::use_awaitable);
}

// Pumping-station RTUs: tiny firmware, we write the request line by hand.
void poll_pump_station(asio::io_context &ioc, ssl::context &ctx, const std::string &rtu_host) {
  tcp::resolver r(ioc);
  ssl::stream<tcp::socket> tls(ioc, ctx);
  asio::connect(tls.lowest_layer(), r.resolve(rtu_host, "443"));
  tls.handshake(ssl::stream_base::client);
  std::string request = "GET /status HTTP/1.1\r\nHost: " + rtu_host + "\r\n";
  request += "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n\r\n"; // expect: errorshield-upgrade-header
  asio::write(tls, asio::buffer(request));
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(tls, buf, res);
  std::cout << rtu_host << ": " << res.body() << "\n";
}

// SCADA historian export over HTTPS, headers filled in by a shared template.
template <class Body> void stamp_historian_headers(http::request<Body> &req, const std::string &host) {
  req.set(http::field::host, host);
  req.set(http::field::accept, "application/json");
  req.set(http::field::cache_control, "no-store");
}

void export_to_historian(asio::io_context &ioc, ssl::context &ctx, const std::string &host, const json &rows) {
  tcp::resolver r(ioc);
  beast::ssl_stream<beast::tcp_stream> tls(ioc, ctx);
  beast::get_lowest_layer(tls).connect(r.resolve(host, "8443"));
  tls.handshake(ssl::stream_base::client);

  http::request<http::string_body> req{http::verb::put, "/historian/flows", 11};
  stamp_historian_headers(req, host);
  req.set(http::field::upgrade, kCleartextH2); // expect: errorshield-upgrade-header
  req.body() = rows.dump();
  req.prepare_payload();
  http::write(tls, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(tls, buf, res);
}

// Lab instruments on the isolated plant LAN speak plain HTTP; upgrade offered.
void poll_lab_analyser(asio::io_context &ioc, const std::string &host) {
  tcp::resolver r(ioc);
  beast::tcp_stream stream(ioc);
  stream.connect(r.resolve(host, "80"));
  http::request<http::empty_body> req{http::verb::get, "/chlorine", 11};
  req.set(http::field::host, host);
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, kCleartextH2);
  http::write(stream, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(stream, buf, res);
}

ssl::context make_server_ctx() {
  ssl::context ctx(ssl::context::tls_server);
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_tlsv1);
  // HTTP/2 over TLS is negotiated with ALPN; we only speak http/1.1 for now
  SSL_CTX_set_alpn_select_cb(
      ctx.native_handle(),
      [](SSL *, const unsigned char **out, unsigned char *outlen, const unsigned char *in, unsigned int inlen,
         void *) -> int {
        static const unsigned char ours[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
        if (SSL_select_next_proto(const_cast<unsigned char **>(out), outlen, ours, sizeof ours, in, inlen) !=
            OPENSSL_NPN_NEGOTIATED)
          return SSL_TLSEXT_ERR_NOACK;
        return SSL_TLSEXT_ERR_OK;
      },
      nullptr);
  return ctx;
}

} // namespace waterco

int main() {
  asio::io_context ioc;
  auto server_ctx = waterco::make_server_ctx();
  tcp::acceptor tls_acc(ioc, {tcp::v4(), 8443});
  tcp::acceptor plant_acc(ioc, {tcp::v4(), 8080});

  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        for (;;) {
          auto s = co_await tls_acc.async_accept(asio::use_awaitable);
          std::make_shared<waterco::MeterSession>(std::move(s), server_ctx)->start();
        }
      },
      asio::detached);
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        for (;;)
          asio::co_spawn(ioc, waterco::plant_session(co_await plant_acc.async_accept(asio::use_awaitable)),
                         asio::detached);
      },
      asio::detached);
  ioc.run();
}
