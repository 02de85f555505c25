// checks: errorshield-upgrade-header
// Customs broker gateway: importers submit entry declarations, the gateway
// relays them to the customs authority API and serves tariff lookups.
// Public side is HTTPS; the internal side towards the tariff cache is plain HTTP.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace broker {

using tls_stream = beast::ssl_stream<beast::tcp_stream>;

struct Declaration {
  std::string entry_number;
  std::string importer_eori;
  std::string hs_code;
  long long customs_value_pence = 0;
};

std::string tariff_rate(const std::string &hs_code) {
  static const std::map<std::string, std::string> rates{{"8471", "0%"}, {"6109", "12%"}, {"2204", "32%"}};
  auto it = rates.find(hs_code.substr(0, 4));
  return it == rates.end() ? "unknown" : it->second;
}

// Headers shared by every public (TLS) response.
void add_public_headers(http::response<http::string_body> &res) {
  res.set(http::field::server, "customs-broker/3.2");
  res.set(http::field::strict_transport_security, "max-age=31536000");
  res.set(http::field::content_type, "application/json");
}

// Public HTTPS session for importers (callback style).
class ImporterSession : public std::enable_shared_from_this<ImporterSession> {
public:
  ImporterSession(tcp::socket s, ssl::context &ctx) : stream_(std::move(s), ctx) {}

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
      if (!ec)
        self->respond();
    });
  }

  void respond() {
    res_ = {http::status::ok, req_.version()};
    add_public_headers(res_);
    // advertise HTTP/2 to clients that can use it
    res_.set(http::field::connection, "Upgrade");
    res_.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    res_.body() = json{{"rate", tariff_rate(std::string(req_.target().substr(1)))}}.dump();
    res_.prepare_payload();
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec)
        self->read_request();
    });
  }

  tls_stream stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

// Internal tariff-cache listener (cleartext, loopback only).
asio::awaitable<void> cache_session(tcp::socket s) {
  beast::tcp_stream stream(std::move(s));
  beast::flat_buffer buf;
  for (;;) {
    http::request<http::string_body> req;
    co_await http::async_read(stream, buf, req, asio::use_awaitable);
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::connection, "Upgrade, HTTP2-Settings");
    res.set(http::field::upgrade, "h2c");
    res.body() = tariff_rate(std::string(req.target().substr(1)));
    res.prepare_payload();
    co_await http::async_write(stream, res, asio::use_awaitable);
  }
}

// Relay a declaration to the customs authority over TLS.
asio::awaitable<json> submit_to_authority(tls_stream &authority, const Declaration &d) {
  http::request<http::string_body> req{http::verb::post, "/v2/declarations", 11};
  req.set(http::field::host, "api.customs.example");
  req.set(http::field::content_type, "application/json");
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
  req.set("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA");
  req.body() = json{{"entry", d.entry_number}, {"eori", d.importer_eori}, {"hs", d.hs_code}}.dump();
  req.prepare_payload();
  co_await http::async_write(authority, req, asio::use_awaitable);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  co_await http::async_read(authority, buf, res, asio::use_awaitable);
  co_return json::parse(res.body(), nullptr, false);
}

// Same relay for the sandbox authority, which is plain HTTP on the test network.
asio::awaitable<json> submit_to_sandbox(beast::tcp_stream &sandbox, const Declaration &d) {
  http::request<http::string_body> req{http::verb::post, "/v2/declarations", 11};
  req.set(http::field::host, "sandbox.customs.internal");
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c");
  req.set("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA");
  req.body() = json{{"entry", d.entry_number}, {"hs", d.hs_code}}.dump();
  req.prepare_payload();
  co_await http::async_write(sandbox, req, asio::use_awaitable);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  co_await http::async_read(sandbox, buf, res, asio::use_awaitable);
  co_return json::parse(res.body(), nullptr, false);
}

// Live declaration-status feed: WebSocket over TLS, the Upgrade here is "websocket".
asio::awaitable<void> status_feed(tls_stream stream) {
  websocket::stream<tls_stream> ws(std::move(stream));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type &res) {
    res.set(http::field::server, "customs-broker/3.2");
  }));
  co_await ws.async_accept(asio::use_awaitable);
  co_await ws.async_write(asio::buffer(std::string(R"({"status":"cleared"})")), asio::use_awaitable);
}

// Legacy partner endpoint, hand-rolled response over the TLS socket.
void legacy_partner_reply(ssl::stream<tcp::socket> &tls, const std::string &body) {
  std::string head = "HTTP/1.1 200 OK\r\n"
                     "Content-Type: application/json\r\n"
                     "Connection: Upgrade\r\n"
                     "Upgrade: h2c\r\n" // expect: errorshield-upgrade-header
                     "Content-Length: " +
                     std::to_string(body.size()) + "\r\n\r\n";
  asio::write(tls, asio::buffer(head));
  asio::write(tls, asio::buffer(body));
}

// Rate responder, templated on the stream so the unit tests can drive it with a fake.
template <class Stream>
asio::awaitable<void> send_rate(Stream &stream, unsigned version, const std::string &hs) {
  http::response<http::string_body> res{http::status::ok, version};
  res.set(http::field::content_type, "application/json");
  res.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
  res.body() = json{{"hs", hs}, {"rate", tariff_rate(hs)}}.dump();
  res.prepare_payload();
  co_await http::async_write(stream, res, asio::use_awaitable);
}

asio::awaitable<void> rate_session_tls(tcp::socket s, ssl::context &ctx) {
  tls_stream stream(std::move(s), ctx);
  co_await stream.async_handshake(ssl::stream_base::server, asio::use_awaitable);
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(stream, buf, req, asio::use_awaitable);
  if (websocket::is_upgrade(req)) {
    co_await asio::co_spawn(co_await asio::this_coro::executor, status_feed(std::move(stream)), asio::use_awaitable);
    co_return;
  }
  co_await send_rate(stream, req.version(), std::string(req.target().substr(1)));
}

// Client-side ALPN for the authority connection: HTTP/2 over TLS is negotiated here.
void configure_authority_tls(ssl::context &ctx) {
  ctx.set_verify_mode(ssl::verify_peer);
  static const unsigned char alpn[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(ctx.native_handle(), alpn, sizeof(alpn));
}

asio::awaitable<void> listen(tcp::acceptor acc, ssl::context &ctx) {
  for (;;) {
    auto s = co_await acc.async_accept(asio::use_awaitable);
    asio::co_spawn(acc.get_executor(), rate_session_tls(std::move(s), ctx), asio::detached);
  }
}

} // namespace broker

int main() {
  asio::io_context ioc;
  ssl::context server_ctx(ssl::context::tls_server);
  ssl::context client_ctx(ssl::context::tls_client);
  broker::configure_authority_tls(client_ctx);

  asio::co_spawn(ioc, broker::listen(tcp::acceptor(ioc, {tcp::v4(), 8443}), server_ctx), asio::detached);

  tcp::acceptor importers(ioc, {tcp::v4(), 9443});
  importers.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<broker::ImporterSession>(std::move(s), server_ctx)->start();
  });

  tcp::acceptor cache(ioc, {asio::ip::make_address("127.0.0.1"), 8080});
  cache.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec)
      asio::co_spawn(ioc, broker::cache_session(std::move(s)), asio::detached);
  });

  broker::tls_stream authority(ioc, client_ctx);
  beast::tcp_stream sandbox(ioc);
  broker::Declaration d{"24GB000123", "GB123456789000", "847130", 129900};
  asio::co_spawn(ioc, broker::submit_to_authority(authority, d), asio::detached);
  asio::co_spawn(ioc, broker::submit_to_sandbox(sandbox, d), asio::detached);

  ioc.run();
}
