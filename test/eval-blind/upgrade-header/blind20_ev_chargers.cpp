// checks: errorshield-upgrade-header
// Charge-point side of the backend link: OCPP over secure WebSocket to the CSMS,
// plus HTTPS side channels for firmware, diagnostics and meter-value backfill.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr const char* kChargePointId = "CP-DE-MUC-0042";
constexpr const char* kPreferredUpgrade = "h2c";

// Downloads a firmware image from the vendor CDN (async, callback chain).
class FirmwareFetcher : public std::enable_shared_from_this<FirmwareFetcher> {
public:
  FirmwareFetcher(asio::io_context& ioc, ssl::context& ctx, std::string host, std::string path)
      : resolver_(ioc), stream_(ioc, ctx), host_(std::move(host)), path_(std::move(path)) {}

  void start() {
    SSL_set_tlsext_host_name(stream_.native_handle(), host_.c_str());
    resolver_.async_resolve(host_, "443", beast::bind_front_handler(&FirmwareFetcher::on_resolve, shared_from_this()));
  }

private:
  void on_resolve(beast::error_code ec, tcp::resolver::results_type eps) {
    if (ec)
      return fail("resolve", ec);
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(20));
    beast::get_lowest_layer(stream_).async_connect(
        eps, beast::bind_front_handler(&FirmwareFetcher::on_connect, shared_from_this()));
  }

  void on_connect(beast::error_code ec, tcp::endpoint) {
    if (ec)
      return fail("connect", ec);
    stream_.async_handshake(ssl::stream_base::client,
                            beast::bind_front_handler(&FirmwareFetcher::on_handshake, shared_from_this()));
  }

  void on_handshake(beast::error_code ec) {
    if (ec)
      return fail("tls", ec);
    req_ = {http::verb::get, path_, 11};
    req_.set(http::field::host, host_);
    req_.set(http::field::user_agent, std::string("evse-fw/3.2 ") + kChargePointId);
    req_.set(http::field::connection, "Upgrade, HTTP2-Settings");
    req_.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    req_.set("HTTP2-Settings", "AAMAAABkAARAAAAA");
    http::async_write(stream_, req_, beast::bind_front_handler(&FirmwareFetcher::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec)
      return fail("write", ec);
    parser_.body_limit(64 * 1024 * 1024);
    http::async_read(stream_, buf_, parser_, beast::bind_front_handler(&FirmwareFetcher::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return fail("read", ec);
    std::ofstream("/var/lib/evse/fw.bin", std::ios::binary) << parser_.get().body();
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) {});
  }

  static void fail(const char* what, beast::error_code ec) { std::cerr << "firmware " << what << ": " << ec.message() << "\n"; }

  tcp::resolver resolver_;
  TlsStream stream_;
  std::string host_, path_;
  beast::flat_buffer buf_;
  http::request<http::empty_body> req_;
  http::response_parser<http::string_body> parser_;
};

// Diagnostics upload (GetDiagnostics / GetLog) to the URL the CSMS hands us.
asio::awaitable<bool> upload_diagnostics(ssl::context& ctx, std::string host, std::string target, std::string blob) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver res(ex);
  TlsStream s(ex, ctx);
  SSL_set_tlsext_host_name(s.native_handle(), host.c_str());
  co_await beast::get_lowest_layer(s).async_connect(co_await res.async_resolve(host, "443", asio::use_awaitable),
                                                    asio::use_awaitable);
  co_await s.async_handshake(ssl::stream_base::client, asio::use_awaitable);

  http::request<http::string_body> req{http::verb::put, target, 11};
  req.set(http::field::host, host);
  req.set(http::field::content_type, "application/octet-stream");
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::upgrade, kPreferredUpgrade); // expect: errorshield-upgrade-header
  req.body() = std::move(blob);
  req.prepare_payload();
  co_await http::async_write(s, req, asio::use_awaitable);

  beast::flat_buffer buf;
  http::response<http::string_body> r;
  co_await http::async_read(s, buf, r, asio::use_awaitable);
  co_return r.result_int() / 100 == 2;
}

// Site load controller on the depot LAN speaks plain HTTP; it supports h2c.
asio::awaitable<int> query_site_limit(std::string controller_host) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver res(ex);
  beast::tcp_stream s(ex);
  co_await s.async_connect(co_await res.async_resolve(controller_host, "80", asio::use_awaitable), asio::use_awaitable);

  http::request<http::empty_body> req{http::verb::get, "/api/limit", 11};
  req.set(http::field::host, controller_host);
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, kPreferredUpgrade);
  req.set("HTTP2-Settings", "AAMAAABkAARAAAAA");
  co_await http::async_write(s, req, asio::use_awaitable);

  beast::flat_buffer buf;
  http::response<http::string_body> r;
  co_await http::async_read(s, buf, r, asio::use_awaitable);
  auto j = json::parse(r.body(), nullptr, false);
  co_return j.is_discarded() ? 32 : j.value("amps", 32);
}

// Meter-value backfill after an outage: hand-rolled request, the stream is already up.
template <class SyncStream>
void send_backfill_raw(SyncStream& s, const std::string& host, const std::string& body) {
  std::string head = "POST /ocpp/backfill HTTP/1.1\r\n"
                     "Host: " + host + "\r\n"
                     "Content-Type: application/json\r\n"
                     "Connection: Upgrade, HTTP2-Settings\r\n"
                     "Upgrade: h2c\r\n" // expect: errorshield-upgrade-header
                     "HTTP2-Settings: AAMAAABkAARAAAAA\r\n"
                     "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  asio::write(s, asio::buffer(head));
  asio::write(s, asio::buffer(body));
}

template void send_backfill_raw<TlsStream>(TlsStream&, const std::string&, const std::string&);

// Same backfill against the local buffer service on loopback, no TLS there.
static void send_backfill_local(tcp::socket& s, const std::string& body) {
  std::string head = "POST /buffer HTTP/1.1\r\n"
                     "Host: 127.0.0.1\r\n"
                     "Connection: Upgrade, HTTP2-Settings\r\n"
                     "Upgrade: h2c\r\n"
                     "HTTP2-Settings: AAMAAABkAARAAAAA\r\n"
                     "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  asio::write(s, asio::buffer(head));
  asio::write(s, asio::buffer(body));
}

// The OCPP link itself: wss:// with the ocpp1.6 subprotocol.
class OcppLink {
public:
  OcppLink(asio::io_context& ioc, ssl::context& ctx) : ws_(ioc, ctx) {}

  void connect(const std::string& host, const tcp::resolver::results_type& eps) {
    beast::get_lowest_layer(ws_).connect(eps);
    SSL_set_tlsext_host_name(ws_.next_layer().native_handle(), host.c_str());
    ws_.next_layer().handshake(ssl::stream_base::client);
    ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
      req.set(http::field::sec_websocket_protocol, "ocpp1.6");
      req.set(http::field::user_agent, "evse-ocpp/3.2");
    }));
    ws_.handshake(host, std::string("/ocpp/") + kChargePointId);
  }

  // Some CSMS deployments also want the boot notification on their REST side
  // channel (separate TLS connection); announce h2 support there as well.
  static void boot_notification_http(TlsStream& rest, const std::string& host) {
    http::request<http::string_body> req{http::verb::post, "/ocpp/boot", 11};
    req.set(http::field::host, host);
    req.set(http::field::content_type, "application/json");
    req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    req.body() = json{{"chargePointVendor", "Voltbridge"}, {"chargePointModel", "VB-22"}}.dump();
    req.prepare_payload();
    http::write(rest, req);
  }

private:
  websocket::stream<TlsStream> ws_;
};

int main(int argc, char** argv) {
  asio::io_context ioc;
  ssl::context ctx{ssl::context::tls_client};
  ctx.set_default_verify_paths();
  ctx.set_verify_mode(ssl::verify_peer);
  static const unsigned char alpn[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(ctx.native_handle(), alpn, sizeof(alpn));

  std::make_shared<FirmwareFetcher>(ioc, ctx, "fw.voltbridge.example", "/vb22/3.2.1.bin")->start();
  asio::co_spawn(ioc, upload_diagnostics(ctx, "diag.csms.example", "/upload/CP-DE-MUC-0042.tgz", "..."), asio::detached);
  asio::co_spawn(ioc, query_site_limit("loadctl.depot.lan"), asio::detached);

  if (argc > 1 && std::string(argv[1]) == "--flush-local") {
    tcp::socket local(ioc);
    local.connect({asio::ip::make_address("127.0.0.1"), 8089});
    send_backfill_local(local, "[]");
  }
  ioc.run();
}
