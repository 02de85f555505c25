// checks: errorshield-upgrade-header
// Insurance claims gateway: public HTTPS API for policy holders, internal
// cleartext API for the fraud-scoring cluster, outbound calls to adjusters.
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
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace claims {

using tls_stream = beast::ssl_stream<beast::tcp_stream>;

inline json claim_status(const std::string &id) {
  return json{{"claim", id}, {"status", "under_review"}, {"adjuster", "K. Osei"}};
}

// Adds the "we also speak HTTP/2" hint on the public listener.
template <class Body>
void write_with_h2_hint(tls_stream &stream, http::response<Body> &res, beast::error_code &ec) {
  res.set(http::field::connection, "Upgrade, HTTP2-Settings");
  res.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
  http::write(stream, res, ec);
}

// Public HTTPS session for policy holders (callback style).
class PolicyHolderSession : public std::enable_shared_from_this<PolicyHolderSession> {
public:
  PolicyHolderSession(tcp::socket sock, ssl::context &ctx) : stream_(std::move(sock), ctx) {}

  void start() {
    stream_.async_handshake(ssl::stream_base::server,
                            [self = shared_from_this()](beast::error_code ec) {
                              if (!ec)
                                self->do_read();
                            });
  }

private:
  void do_read() {
    req_ = {};
    http::async_read(stream_, buf_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec)
        self->on_request();
    });
  }

  void on_request() {
    res_ = {http::status::ok, req_.version()};
    res_.set(http::field::content_type, "application/json");
    res_.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    res_.set(http::field::alt_svc, "h2=\":443\"; ma=86400");
    res_.body() = claim_status(std::string(req_.target().substr(8))).dump();
    res_.prepare_payload();
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec)
        self->do_read();
    });
  }

  tls_stream stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

// Document upload endpoint on the public listener (coroutine).
asio::awaitable<void> upload_session(tls_stream stream) {
  co_await stream.async_handshake(ssl::stream_base::server, asio::use_awaitable);
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(stream, buf, req, asio::use_awaitable);

  http::response<http::string_body> res{http::status::created, req.version()};
  res.set(http::field::content_type, "application/json");
  res.set("Upgrade", "h2c"); // expect: errorshield-upgrade-header
  res.set("Connection", "Upgrade");
  res.body() = json{{"uploaded", req.body().size()}}.dump();
  res.prepare_payload();
  co_await http::async_write(stream, res, asio::use_awaitable);
}

// Photo-estimate endpoint, also TLS.
void serve_photo_estimate(tls_stream &stream, const http::request<http::string_body> &req) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.body() = json{{"estimate_cents", 184250}}.dump();
  res.prepare_payload();
  beast::error_code ec;
  write_with_h2_hint(stream, res, ec);
}

// Live claim-status push over secure WebSocket.
asio::awaitable<void> status_feed(websocket::stream<tls_stream> &ws, std::string host) {
  co_await beast::get_lowest_layer(ws).async_connect(
      tcp::endpoint(asio::ip::make_address("10.0.0.5"), 443), asio::use_awaitable);
  co_await ws.next_layer().async_handshake(ssl::stream_base::client, asio::use_awaitable);
  ws.set_option(websocket::stream_base::decorator([](websocket::request_type &req) {
    req.set(http::field::user_agent, "claims-gateway/2.3");
  }));
  co_await ws.async_handshake(host, "/claims/feed", asio::use_awaitable);
}

// Outbound call to the external adjuster network (HTTPS).
json notify_adjuster(asio::io_context &ioc, ssl::context &ctx, const json &claim) {
  tcp::resolver resolver(ioc);
  tls_stream stream(ioc, ctx);
  SSL_set_tlsext_host_name(stream.native_handle(), "adjusters.example.net");
  static const unsigned char alpn[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_set_alpn_protos(stream.native_handle(), alpn, sizeof(alpn));
  beast::get_lowest_layer(stream).connect(resolver.resolve("adjusters.example.net", "443"));
  stream.handshake(ssl::stream_base::client);

  http::request<http::string_body> req{http::verb::post, "/v1/assignments", 11};
  req.set(http::field::host, "adjusters.example.net");
  req.set(http::field::content_type, "application/json");
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
  req.set("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA");
  req.body() = claim.dump();
  req.prepare_payload();
  http::write(stream, req);

  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(stream, buf, res);
  return json::parse(res.body(), nullptr, false);
}

// Internal fraud-scoring API: cleartext inside the cluster, h2c is fine here.
class FraudScoringSession : public std::enable_shared_from_this<FraudScoringSession> {
public:
  explicit FraudScoringSession(tcp::socket sock) : stream_(std::move(sock)) {}

  void start() {
    http::async_read(stream_, buf_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec)
        self->reply();
    });
  }

private:
  void reply() {
    res_ = {http::status::ok, req_.version()};
    res_.set(http::field::connection, "Upgrade, HTTP2-Settings");
    res_.set(http::field::upgrade, "h2c");
    res_.body() = json{{"risk", 0.12}}.dump();
    res_.prepare_payload();
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

// Internal call to the rules engine, cleartext prior-knowledge upgrade.
void ping_rules_engine(asio::io_context &ioc) {
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  stream.connect(resolver.resolve("rules.internal", "8080"));
  http::request<http::empty_body> req{http::verb::options, "*", 11};
  req.set(http::field::host, "rules.internal");
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c");
  http::write(stream, req);
}

// Agent portal: secure WebSocket upgrade on the TLS listener.
void accept_agent_portal(tls_stream &stream, const http::request<http::string_body> &req) {
  if (websocket::is_upgrade(req)) {
    http::response<http::empty_body> res{http::status::switching_protocols, req.version()};
    res.set(http::field::upgrade, "websocket");
    res.set(http::field::connection, "Upgrade");
    res.set(http::field::sec_websocket_accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    http::write(stream, res);
  }
}

// Claims batch export, streamed to partners over TLS.
void export_batch(tls_stream &stream, const std::string &csv) {
  http::response<http::string_body> res{http::status::ok, 11};
  res.set(http::field::content_type, "text/csv");
  auto add_hints = [&res] {
    res.insert(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    res.insert(http::field::connection, "Upgrade");
  };
  add_hints();
  res.body() = csv;
  res.prepare_payload();
  http::write(stream, res);
}

} // namespace claims

int main() {
  asio::io_context ioc;
  ssl::context ctx{ssl::context::tls_server};
  ctx.use_certificate_chain_file("/etc/claims/tls/fullchain.pem");
  ctx.use_private_key_file("/etc/claims/tls/privkey.pem", ssl::context::pem);

  tcp::acceptor pub(ioc, {tcp::v4(), 443});
  tcp::acceptor internal(ioc, {asio::ip::make_address("10.0.0.2"), 8080});

  pub.async_accept([&](beast::error_code ec, tcp::socket sock) {
    if (!ec)
      std::make_shared<claims::PolicyHolderSession>(std::move(sock), ctx)->start();
  });
  internal.async_accept([&](beast::error_code ec, tcp::socket sock) {
    if (!ec)
      std::make_shared<claims::FraudScoringSession>(std::move(sock))->start();
  });
  ioc.run();
}
