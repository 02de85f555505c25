// checks: errorshield-upgrade-header
// Hospital laboratory results gateway. Analyzers on the lab VLAN post results
// over plain HTTP; the gateway forwards them to the EHR (HTTPS) and serves
// ward clients (HTTPS + WebSocket for live critical-value alerts).
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>
#include <string>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace lab {

struct Result {
  std::string mrn;
  std::string accession;
  std::string loinc;
  std::string value;
  std::string unit;
  bool critical = false;
};

std::string result_body(const Result& r) {
  return json{{"mrn", r.mrn}, {"accession", r.accession}, {"loinc", r.loinc},
              {"value", r.value}, {"unit", r.unit}, {"critical", r.critical}}
      .dump();
}

using tls_stream = beast::ssl_stream<beast::tcp_stream>;

// Forward one result to the EHR interface engine over HTTPS.
net::awaitable<void> push_to_ehr(ssl::context& ctx, std::string host, Result r) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver(ex);
  tls_stream stream(ex, ctx);
  SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());
  auto eps = co_await resolver.async_resolve(host, "443", net::use_awaitable);
  co_await beast::get_lowest_layer(stream).async_connect(eps, net::use_awaitable);
  co_await stream.async_handshake(ssl::stream_base::client, net::use_awaitable);

  http::request<http::string_body> req{http::verb::post, "/fhir/Observation", 11};
  req.set(http::field::host, host);
  req.set(http::field::content_type, "application/fhir+json");
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
  req.set("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA");
  req.body() = result_body(r);
  req.prepare_payload();
  co_await http::async_write(stream, req, net::use_awaitable);

  beast::flat_buffer buf;
  http::response<http::string_body> res;
  co_await http::async_read(stream, buf, res, net::use_awaitable);
  if (res.result() != http::status::created)
    std::clog << "EHR rejected " << r.accession << ": " << res.result_int() << "\n";
}

// Analyzer-side listener on the isolated lab VLAN (cleartext by design).
// Newer analyzers negotiate HTTP/2 via h2c upgrade.
net::awaitable<void> analyzer_session(tcp::socket sock) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(stream, buf, req, net::use_awaitable);
  if (req[http::field::upgrade] == "h2c") {
    http::response<http::empty_body> res{http::status::switching_protocols, 11};
    res.set(http::field::connection, "Upgrade");
    res.set(http::field::upgrade, "h2c");
    co_await http::async_write(stream, res, net::use_awaitable);
    co_return; // handed to the HTTP/2 framer
  }
  http::response<http::string_body> res{http::status::accepted, 11};
  res.body() = "queued";
  res.prepare_payload();
  co_await http::async_write(stream, res, net::use_awaitable);
}

// Status poll to an analyzer's embedded web server (lab VLAN, cleartext).
net::awaitable<void> poll_analyzer_status(std::string host) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver(ex);
  beast::tcp_stream stream(ex);
  auto eps = co_await resolver.async_resolve(host, "80", net::use_awaitable);
  co_await stream.async_connect(eps, net::use_awaitable);
  http::request<http::empty_body> req{http::verb::get, "/status", 11};
  req.set(http::field::host, host);
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c");
  req.set("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA");
  co_await http::async_write(stream, req, net::use_awaitable);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  co_await http::async_read(stream, buf, res, net::use_awaitable);
}

// Ward workstation HTTPS session (callback style).
class WardSession : public std::enable_shared_from_this<WardSession> {
public:
  WardSession(tcp::socket s, ssl::context& ctx) : stream_(std::move(s), ctx) {}

  void run() {
    stream_.async_handshake(ssl::stream_base::server,
                            beast::bind_front_handler(&WardSession::on_handshake, shared_from_this()));
  }

private:
  void on_handshake(beast::error_code ec) {
    if (ec)
      return;
    http::async_read(stream_, buf_, req_, beast::bind_front_handler(&WardSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    if (websocket::is_upgrade(req_)) {
      auto ws = std::make_shared<websocket::stream<tls_stream>>(std::move(stream_));
      ws->async_accept(req_, [ws](beast::error_code) {});
      return;
    }
    res_ = {};
    res_.version(req_.version());
    res_.result(http::status::ok);
    res_.set(http::field::content_type, "application/json");
    // Advertise HTTP/2 so the new ward browsers can switch.
    res_.set(http::field::connection, "Upgrade");
    res_.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    res_.body() = R"({"pending":3})";
    res_.prepare_payload();
    http::async_write(stream_, res_, beast::bind_front_handler(&WardSession::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (!ec)
      stream_.async_shutdown([self = shared_from_this()](beast::error_code) {});
  }

  tls_stream stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

// Critical-value alerts to the ward WebSocket, over TLS.
net::awaitable<void> alert_client(ssl::context& ctx, std::string host) {
  auto ex = co_await net::this_coro::executor;
  websocket::stream<tls_stream> ws(ex, ctx);
  tcp::resolver resolver(ex);
  auto eps = co_await resolver.async_resolve(host, "443", net::use_awaitable);
  co_await beast::get_lowest_layer(ws).async_connect(eps, net::use_awaitable);
  co_await ws.next_layer().async_handshake(ssl::stream_base::client, net::use_awaitable);
  ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
    req.set(http::field::user_agent, "lab-gateway/4.2");
    req.set(http::field::sec_websocket_protocol, "lab-alerts.v1");
  }));
  co_await ws.async_handshake(host, "/alerts", net::use_awaitable);
}

// Reference-lab (send-out tests) client, blocking, runs on the batch thread.
void send_out_batch(net::io_context& ioc, ssl::context& ctx, const std::string& host, const std::string& hl7) {
  ssl::stream<tcp::socket> stream(ioc, ctx);
  tcp::resolver resolver(ioc);
  net::connect(stream.lowest_layer(), resolver.resolve(host, "443"));
  stream.handshake(ssl::stream_base::client);

  http::request<http::string_body> req{http::verb::post, "/hl7/batch", 11};
  req.set(http::field::host, host);
  req.set(http::field::content_type, "x-application/hl7-v2+er7");
  req.insert(http::field::connection, "Upgrade, HTTP2-Settings");
  req.insert("Upgrade", "h2c"); // expect: errorshield-upgrade-header
  req.body() = hl7;
  req.prepare_payload();
  http::write(stream, req);

  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(stream, buf, res);
}

// Pathology image archive over TLS: the h2 preference goes through ALPN.
void configure_archive_tls(ssl::context& ctx) {
  static const unsigned char protos[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(ctx.native_handle(), protos, sizeof(protos));
}

// Shared request builder for the TLS clients.
template <class Body>
void add_http2_hint(http::request<Body>& req) {
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
}

net::awaitable<void> blood_bank_query(ssl::context& ctx, std::string host, std::string unit_id) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver(ex);
  tls_stream stream(ex, ctx);
  auto eps = co_await resolver.async_resolve(host, "443", net::use_awaitable);
  co_await beast::get_lowest_layer(stream).async_connect(eps, net::use_awaitable);
  co_await stream.async_handshake(ssl::stream_base::client, net::use_awaitable);
  http::request<http::empty_body> req{http::verb::get, "/units/" + unit_id, 11};
  req.set(http::field::host, host);
  add_http2_hint(req);
  co_await http::async_write(stream, req, net::use_awaitable);
}

} // namespace lab

int main() {
  net::io_context ioc;
  ssl::context client_ctx(ssl::context::tls_client);
  ssl::context server_ctx(ssl::context::tls_server);
  lab::configure_archive_tls(client_ctx);
  net::co_spawn(ioc, lab::push_to_ehr(client_ctx, "ehr.hospital.local", {}), net::detached);
  net::co_spawn(ioc, lab::alert_client(client_ctx, "wards.hospital.local"), net::detached);
  net::co_spawn(ioc, lab::poll_analyzer_status("10.20.0.31"), net::detached);
  net::co_spawn(ioc, lab::blood_bank_query(client_ctx, "bloodbank.hospital.local", "U123"), net::detached);
  tcp::acceptor analyzers(ioc, {tcp::v4(), 8080});
  net::co_spawn(
      ioc,
      [&]() -> net::awaitable<void> {
        for (;;)
          net::co_spawn(ioc, lab::analyzer_session(co_await analyzers.async_accept(net::use_awaitable)),
                        net::detached);
      },
      net::detached);
  tcp::acceptor wards(ioc, {tcp::v4(), 8443});
  wards.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<lab::WardSession>(std::move(s), server_ctx)->run();
  });
  ioc.run();
}
