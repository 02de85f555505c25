// checks: errorshield-upgrade-header
// Lab instrument gateway: collects readings from bench instruments on the
// lab LAN and pushes results to the LIMS over HTTPS. Analysts' browsers
// reach the gateway over HTTPS as well.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

struct InstrumentResult {
  std::string instrument;
  std::string sample_id;
  std::string assay;
  double value = 0;
  std::string unit;
};

static json to_payload(const InstrumentResult &r) {
  return {{"instrument", r.instrument}, {"sample", r.sample_id}, {"assay", r.assay},
          {"value", r.value}, {"unit", r.unit}};
}

// Pushes one result to the LIMS REST endpoint.
class LimsClient : public std::enable_shared_from_this<LimsClient> {
public:
  LimsClient(net::any_io_executor ex, ssl::context &ctx, std::string host)
      : resolver_(ex), stream_(ex, ctx), host_(std::move(host)) {}

  void upload(const InstrumentResult &r) {
    req_ = {http::verb::post, "/api/v3/results", 11};
    req_.set(http::field::host, host_);
    req_.set(http::field::content_type, "application/json");
    req_.set(http::field::connection, "Upgrade");
    req_.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    req_.body() = to_payload(r).dump();
    req_.prepare_payload();
    SSL_set_tlsext_host_name(stream_.native_handle(), host_.c_str());
    resolver_.async_resolve(host_, "https", [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type eps) {
      if (ec)
        return;
      beast::get_lowest_layer(self->stream_).async_connect(eps, [self](beast::error_code ec, const tcp::endpoint &) {
        if (!ec)
          self->handshake();
      });
    });
  }

private:
  void handshake() {
    stream_.async_handshake(ssl::stream_base::client, [self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      http::async_write(self->stream_, self->req_, [self](beast::error_code ec, std::size_t) {
        if (!ec)
          http::async_read(self->stream_, self->buf_, self->res_, [self](beast::error_code, std::size_t) {});
      });
    });
  }

  tcp::resolver resolver_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  std::string host_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
  beast::flat_buffer buf_;
};

// Common headers for every call into the LIMS.
template <class Body>
void stamp_lims_headers(http::request<Body> &req, const std::string &host, const std::string &token) {
  req.set(http::field::host, host);
  req.set(http::field::authorization, "Bearer " + token);
  req.set(http::field::accept, "application/json");
  req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
}

// End-of-run QC summary for a plate.
net::awaitable<void> push_qc_summary(ssl::context &ctx, std::string host, std::string token, json summary) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver(ex);
  beast::ssl_stream<beast::tcp_stream> stream(ex, ctx);
  SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());
  auto eps = co_await resolver.async_resolve(host, "443", net::use_awaitable);
  co_await beast::get_lowest_layer(stream).async_connect(eps, net::use_awaitable);
  co_await stream.async_handshake(ssl::stream_base::client, net::use_awaitable);

  http::request<http::string_body> req{http::verb::post, "/api/v3/qc", 11};
  stamp_lims_headers(req, host, token);
  req.body() = summary.dump();
  req.prepare_payload();
  co_await http::async_write(stream, req, net::use_awaitable);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  co_await http::async_read(stream, buf, res, net::use_awaitable);
}

// Nightly calibration certificates go to the QA archive; stackful because
// the archive wants a session login first.
void archive_calibrations(ssl::context &ctx, std::string host, std::vector<std::string> certs,
                          net::yield_context yield) {
  auto ex = yield.get_executor();
  tcp::resolver resolver(ex);
  beast::ssl_stream<beast::tcp_stream> stream(ex, ctx);
  beast::error_code ec;
  auto eps = resolver.async_resolve(host, "443", yield[ec]);
  if (ec)
    return;
  beast::get_lowest_layer(stream).async_connect(eps, yield[ec]);
  stream.async_handshake(ssl::stream_base::client, yield[ec]);
  if (ec)
    return;

  const std::string preferred = "h2c";
  beast::flat_buffer buf;
  for (const auto &cert : certs) {
    http::request<http::string_body> req{http::verb::put, "/qa/calibration", 11};
    req.set(http::field::host, host);
    req.set("upgrade", preferred); // expect: errorshield-upgrade-header
    req.body() = cert;
    req.prepare_payload();
    http::async_write(stream, req, yield[ec]);
    http::response<http::string_body> res;
    http::async_read(stream, buf, res, yield[ec]);
    if (ec)
      break;
  }
  stream.async_shutdown(yield[ec]);
}

// Bench instruments (balances, pH meters) on the isolated lab LAN speak
// plain HTTP and accept an h2c upgrade for their streaming endpoint.
net::awaitable<InstrumentResult> read_bench(std::string ip, std::string assay) {
  auto ex = co_await net::this_coro::executor;
  beast::tcp_stream stream(ex);
  co_await stream.async_connect(tcp::endpoint(net::ip::make_address(ip), 80), net::use_awaitable);
  http::request<http::empty_body> req{http::verb::get, "/measure?assay=" + assay, 11};
  req.set(http::field::host, ip);
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::upgrade, "h2c");
  co_await http::async_write(stream, req, net::use_awaitable);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  co_await http::async_read(stream, buf, res, net::use_awaitable);
  json j = json::parse(res.body(), nullptr, false);
  co_return InstrumentResult{ip, j.value("sample", ""), assay, j.value("value", 0.0), j.value("unit", "")};
}

// Analyst dashboard, HTTPS. Older dashboard builds ask to switch protocols.
net::awaitable<void> serve_analyst(beast::ssl_stream<beast::tcp_stream> stream) {
  co_await stream.async_handshake(ssl::stream_base::server, net::use_awaitable);
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(stream, buf, req, net::use_awaitable);

  if (websocket::is_upgrade(req)) {
    websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(std::move(stream));
    ws.set_option(websocket::stream_base::decorator([](websocket::response_type &r) {
      r.set(http::field::sec_websocket_protocol, "lab.v2");
    }));
    co_await ws.async_accept(req, net::use_awaitable);
    co_return;
  }

  if (req[http::field::upgrade] == "h2c") {
    http::response<http::empty_body> sw{http::status::switching_protocols, req.version()};
    sw.set(http::field::connection, "Upgrade");
    sw.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    co_await http::async_write(stream, sw, net::use_awaitable);
    co_return;
  }

  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  res.body() = json{{"gateway", "ok"}}.dump();
  res.prepare_payload();
  co_await http::async_write(stream, res, net::use_awaitable);
}

// Instrument LAN listener (cleartext): firmware updaters negotiate h2c here.
net::awaitable<void> serve_lan(tcp::socket sock) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(stream, buf, req, net::use_awaitable);
  http::response<http::empty_body> sw{http::status::switching_protocols, req.version()};
  sw.set(http::field::connection, "Upgrade");
  sw.set(http::field::upgrade, "h2c");
  co_await http::async_write(stream, sw, net::use_awaitable);
}

static int select_alpn(SSL *, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
                       unsigned int inlen, void *) {
  // prefer h2 when the browser offers it, otherwise http/1.1
  static const unsigned char ours[] = "\x02h2\x08http/1.1";
  unsigned char *sel = nullptr;
  if (SSL_select_next_proto(&sel, outlen, ours, sizeof(ours) - 1, in, inlen) != OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;
  *out = sel;
  return SSL_TLSEXT_ERR_OK;
}

int main() {
  net::io_context ioc;
  ssl::context client_ctx(ssl::context::tls_client);
  client_ctx.set_default_verify_paths();
  client_ctx.set_verify_mode(ssl::verify_peer);

  ssl::context server_ctx(ssl::context::tls_server);
  server_ctx.use_certificate_chain_file("/etc/labgw/cert.pem");
  server_ctx.use_private_key_file("/etc/labgw/key.pem", ssl::context::pem);
  SSL_CTX_set_alpn_select_cb(server_ctx.native_handle(), select_alpn, nullptr);

  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    auto r = co_await read_bench("10.8.1.21", "ph");
    std::make_shared<LimsClient>(ioc.get_executor(), client_ctx, "lims.lab.example")->upload(r);
  }, net::detached);

  net::co_spawn(ioc, push_qc_summary(client_ctx, "lims.lab.example", "svc-labgw",
                                    json{{"plate", "P-2291"}, {"passed", 94}, {"failed", 2}}),
                net::detached);

  net::spawn(ioc, [&](net::yield_context yield) {
    archive_calibrations(client_ctx, "qa-archive.lab.example", {"cert-ph-0311", "cert-bal-0311"}, yield);
  }, net::detached);

  tcp::acceptor https(ioc, {tcp::v4(), 443});
  tcp::acceptor lan(ioc, {net::ip::make_address("10.8.0.1"), 8080});
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    for (;;) {
      tcp::socket s = co_await https.async_accept(net::use_awaitable);
      net::co_spawn(ioc, serve_analyst(beast::ssl_stream<beast::tcp_stream>(std::move(s), server_ctx)),
                    net::detached);
    }
  }, net::detached);
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    for (;;)
      net::co_spawn(ioc, serve_lan(co_await lan.async_accept(net::use_awaitable)), net::detached);
  }, net::detached);

  ioc.run();
}
