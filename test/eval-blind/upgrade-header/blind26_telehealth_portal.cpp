// checks: errorshield-upgrade-header
// Telehealth portal front end: patients and clinicians reach it over HTTPS, an
// internal plaintext port serves the hospital LAN kiosks, and the portal calls out
// to the lab-results service over TLS.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <openssl/ssl.h>

#include <iostream>
#include <memory>
#include <string>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

namespace portal {

using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

response appointment_list(const request &req) {
  response res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  res.body() = json{{"appointments", json::array({{{"id", 41}, {"clinician", "Dr. Osei"}}})}}.dump();
  return res;
}

// Negotiate h2 properly on the TLS listener: ALPN, not Upgrade.
int select_alpn(SSL *, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
                unsigned int inlen, void *) {
  static const unsigned char protos[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  if (SSL_select_next_proto(const_cast<unsigned char **>(out), outlen, protos, sizeof protos, in, inlen) !=
      OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;
  return SSL_TLSEXT_ERR_OK;
}

void configure_tls(ssl::context &ctx) {
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_tlsv1);
  SSL_CTX_set_alpn_select_cb(ctx.native_handle(), select_alpn, nullptr);
}

// Patient-facing HTTPS session.
class patient_session : public std::enable_shared_from_this<patient_session> {
  tls_stream stream_;
  beast::flat_buffer buf_;
  request req_;
  response res_;

public:
  patient_session(tcp::socket s, ssl::context &ctx) : stream_(std::move(s), ctx) {}

  void start() {
    stream_.async_handshake(ssl::stream_base::server, [self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read();
    });
  }

private:
  void read() {
    req_ = {};
    http::async_read(stream_, buf_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec)
        self->respond();
    });
  }

  void respond() {
    res_ = appointment_list(req_);
    // let capable browsers move to HTTP/2 on the same connection
    res_.set(http::field::connection, "Upgrade");
    res_.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    res_.prepare_payload();
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec && self->req_.keep_alive())
        self->read();
    });
  }
};

// Clinician dashboard (coroutine) on the same TLS port.
net::awaitable<void> clinician_session(tls_stream stream) {
  co_await stream.async_handshake(ssl::stream_base::server, net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    request req;
    co_await http::async_read(stream, buf, req, net::use_awaitable);
    response res = appointment_list(req);
    if (req[http::field::upgrade] == "h2c") {
      // h2c is meaningless over TLS; tell the client to use ALPN instead
      res.result(http::status::bad_request);
      res.body() = R"({"error":"use ALPN h2 on this port"})";
    } else {
      res.insert("Upgrade", "h2c"); // expect: errorshield-upgrade-header
      res.insert("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA");
    }
    res.set(http::field::alt_svc, "h2=\":443\"; ma=86400");
    res.prepare_payload();
    co_await http::async_write(stream, res, net::use_awaitable);
    if (!req.keep_alive())
      break;
  }
}

// Video visit: browsers that hit the REST path get told to switch to WebSocket.
void video_visit_hint(tls_stream &stream, const request &req) {
  response res{http::status::upgrade_required, req.version()};
  res.set(http::field::upgrade, "websocket");
  res.set(http::field::connection, "Upgrade");
  res.prepare_payload();
  beast::error_code ec;
  http::write(stream, res, ec);
}

// Shared helper used by the prescription refill endpoint over TLS.
void send_refill_status(tls_stream &stream, const request &req, bool approved) {
  response res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  res.set("Upgrade", "h2c"); // expect: errorshield-upgrade-header
  res.body() = json{{"approved", approved}}.dump();
  res.prepare_payload();
  beast::error_code ec;
  http::write(stream, res, ec);
}

// Outbound: fetch lab results from the lab partner over HTTPS.
net::awaitable<json> fetch_lab_results(ssl::context &ctx, std::string host, std::string patient_id) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver(ex);
  tls_stream stream(ex, ctx);
  if (!SSL_set_tlsext_host_name(stream.native_handle(), host.c_str()))
    co_return json{};
  auto results = co_await resolver.async_resolve(host, "443", net::use_awaitable);
  co_await beast::get_lowest_layer(stream).async_connect(results, net::use_awaitable);
  co_await stream.async_handshake(ssl::stream_base::client, net::use_awaitable);

  request req{http::verb::get, "/v2/results/" + patient_id, 11};
  req.set(http::field::host, host);
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
  req.set("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA");
  co_await http::async_write(stream, req, net::use_awaitable);

  beast::flat_buffer buf;
  response res;
  co_await http::async_read(stream, buf, res, net::use_awaitable);
  co_return json::parse(res.body(), nullptr, false);
}

// Billing export over TLS, generic over the body type.
template <class Body> class billing_export {
  tls_stream &stream_;

public:
  explicit billing_export(tls_stream &s) : stream_(s) {}

  void send(http::response<Body> &res) {
    res.set(http::field::upgrade, std::string("h2c")); // expect: errorshield-upgrade-header
    res.prepare_payload();
    beast::error_code ec;
    http::write(stream_, res, ec);
  }
};

// Hospital LAN kiosks: plaintext HTTP/1.1 on the internal network, h2c allowed here.
net::awaitable<void> kiosk_session(beast::tcp_stream stream) {
  beast::flat_buffer buf;
  request req;
  co_await http::async_read(stream, buf, req, net::use_awaitable);
  response res = appointment_list(req);
  res.set(http::field::connection, "Upgrade");
  res.set(http::field::upgrade, "h2c");
  res.prepare_payload();
  co_await http::async_write(stream, res, net::use_awaitable);
}

// Port 80: redirect everything to HTTPS.
void redirect_to_https(tcp::socket &sock, const request &req) {
  response res{http::status::moved_permanently, req.version()};
  res.set(http::field::location, "https://portal.example-health.org" + std::string(req.target()));
  res.prepare_payload();
  beast::error_code ec;
  http::write(sock, res, ec);
}

net::awaitable<void> tls_listener(tcp::acceptor acc, ssl::context &ctx) {
  bool clinician_port = acc.local_endpoint().port() == 8443;
  for (;;) {
    tcp::socket s = co_await acc.async_accept(net::use_awaitable);
    if (clinician_port)
      net::co_spawn(acc.get_executor(), clinician_session(tls_stream(std::move(s), ctx)), net::detached);
    else
      std::make_shared<patient_session>(std::move(s), ctx)->start();
  }
}

net::awaitable<void> kiosk_listener(tcp::acceptor acc) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(net::use_awaitable);
    net::co_spawn(acc.get_executor(), kiosk_session(beast::tcp_stream(std::move(s))), net::detached);
  }
}

} // namespace portal

int main() {
  net::io_context ioc;
  ssl::context server_ctx(ssl::context::tls_server);
  ssl::context client_ctx(ssl::context::tls_client);
  portal::configure_tls(server_ctx);

  net::co_spawn(ioc, portal::tls_listener(tcp::acceptor(ioc, {tcp::v4(), 443}), server_ctx), net::detached);
  net::co_spawn(ioc, portal::tls_listener(tcp::acceptor(ioc, {tcp::v4(), 8443}), server_ctx), net::detached);
  net::co_spawn(ioc, portal::kiosk_listener(tcp::acceptor(ioc, {tcp::v4(), 8080})), net::detached);
  net::co_spawn(ioc, portal::fetch_lab_results(client_ctx, "labs.partner.example", "p-1001"),
                [](std::exception_ptr, json j) { std::cout << j.dump() << "\n"; });

  tls_stream billing_stream(ioc, server_ctx);
  portal::billing_export<http::string_body> exporter(billing_stream);
  portal::response invoice{http::status::ok, 11};
  exporter.send(invoice);

  tcp::socket plain(ioc);
  portal::redirect_to_https(plain, portal::request{http::verb::get, "/", 11});
  ioc.run();
}
