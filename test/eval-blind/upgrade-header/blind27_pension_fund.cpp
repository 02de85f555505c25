// checks: errorshield-upgrade-header
// Pension-fund member portal gateway: member API over TLS, calls out to the
// custodian and the actuarial engine, and an internal cleartext metrics link.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
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

namespace pension {

void configure_alpn(ssl::context &ctx) {
  static const unsigned char protos[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(ctx.native_handle(), protos, sizeof protos);
}

// ---------------------------------------------------------------------------
// Member API session (TLS).
class MemberSession : public std::enable_shared_from_this<MemberSession> {
public:
  MemberSession(tcp::socket s, ssl::context &ctx) : stream_(std::move(s), ctx) {}

  void start() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(30));
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
    auto res = std::make_shared<http::response<http::string_body>>(http::status::ok, req_.version());
    res->set(http::field::content_type, "application/json");
    if (req_[http::field::upgrade] == "h2c") {
      // Browsers never do this over TLS; treat as a misbehaving client.
      res->result(http::status::bad_request);
    } else if (req_.target() == "/balance") {
      res->body() = json{{"member", "M-10442"}, {"balance_cents", 31245067}}.dump();
      // Advertise HTTP/2 to clients that can take it.
      res->set("Upgrade", "h2c"); // expect: errorshield-upgrade-header
      res->set(http::field::connection, "Upgrade");
    } else {
      res->set(http::field::alt_svc, "h2=\":443\"; ma=86400");
      res->body() = R"({"status":"ok"})";
    }
    res->prepare_payload();
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
      if (!ec && self->req_.keep_alive())
        self->read();
    });
  }

  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
};

// ---------------------------------------------------------------------------
// Custodian bank statement pull (TLS client, blocking; runs on the batch thread).
std::string fetch_statement(net::io_context &ioc, ssl::context &ctx, const std::string &host) {
  tcp::resolver r(ioc);
  beast::ssl_stream<beast::tcp_stream> s(ioc, ctx);
  SSL_set_tlsext_host_name(s.native_handle(), host.c_str());
  beast::get_lowest_layer(s).connect(r.resolve(host, "443"));
  s.handshake(ssl::stream_base::client);

  http::request<http::empty_body> req{http::verb::get, "/v2/statements/latest", 11};
  req.set(http::field::host, host);
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
  req.set("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA");
  http::write(s, req);

  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(s, buf, res);
  return res.body();
}

// Actuarial engine (coroutine, TLS).
net::awaitable<json> run_valuation(ssl::context &ctx, std::string host, json scheme) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver r(ex);
  beast::ssl_stream<beast::tcp_stream> s(ex, ctx);
  auto eps = co_await r.async_resolve(host, "8443", net::use_awaitable);
  co_await beast::get_lowest_layer(s).async_connect(eps, net::use_awaitable);
  co_await s.async_handshake(ssl::stream_base::client, net::use_awaitable);

  http::request<http::string_body> req{http::verb::post, "/valuation", 11};
  req.set(http::field::host, host);
  req.insert(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
  req.body() = scheme.dump();
  req.prepare_payload();
  co_await http::async_write(s, req, net::use_awaitable);

  beast::flat_buffer buf;
  http::response<http::string_body> res;
  co_await http::async_read(s, buf, res, net::use_awaitable);
  co_return json::parse(res.body(), nullptr, false);
}

// Legacy contribution feed from employers: hand-rolled request over raw TLS.
void push_contributions(ssl::stream<tcp::socket> &tls, const std::string &csv) {
  std::string head = "POST /contributions HTTP/1.1\r\n"
                     "Host: feed.employers.example\r\n"
                     "Connection: Upgrade, HTTP2-Settings\r\n"
                     "Upgrade: h2c\r\n" // expect: errorshield-upgrade-header
                     "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n"
                     "Content-Length: " +
                     std::to_string(csv.size()) + "\r\n\r\n";
  net::write(tls, net::buffer(head));
  net::write(tls, net::buffer(csv));
}

// Member notifications over secure WebSocket.
net::awaitable<void> notify_member(ssl::context &ctx, std::string host, std::string text) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver r(ex);
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(ex, ctx);
  auto eps = co_await r.async_resolve(host, "443", net::use_awaitable);
  co_await beast::get_lowest_layer(ws).async_connect(eps, net::use_awaitable);
  co_await ws.next_layer().async_handshake(ssl::stream_base::client, net::use_awaitable);
  ws.set_option(websocket::stream_base::decorator([](websocket::request_type &req) {
    req.set(http::field::user_agent, "pension-gateway/4.2");
  }));
  co_await ws.async_handshake(host, "/notify", net::use_awaitable);
  co_await ws.async_write(net::buffer(text), net::use_awaitable);
  co_await ws.async_close(websocket::close_code::normal, net::use_awaitable);
}

// ---------------------------------------------------------------------------
// Internal metrics push to the sidecar on localhost (cleartext by design).
net::awaitable<void> push_metrics(std::string body) {
  auto ex = co_await net::this_coro::executor;
  beast::tcp_stream s(ex);
  co_await s.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), 9091), net::use_awaitable);
  http::request<http::string_body> req{http::verb::post, "/metrics", 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c");
  req.set("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA");
  req.body() = std::move(body);
  req.prepare_payload();
  co_await http::async_write(s, req, net::use_awaitable);
}

// Generic response builder used by both listeners.
template <class Body>
void add_upgrade_offer(http::response<Body> &res, bool secure) {
  if (secure)
    res.set(http::field::alt_svc, "h2=\":443\"");
  else
    res.set(http::field::upgrade, "h2c");
}

} // namespace pension

int main() {
  using namespace pension;
  net::io_context ioc;
  ssl::context ctx(ssl::context::tls_server);
  ctx.use_certificate_chain_file("portal.pem");
  ctx.use_private_key_file("portal.key", ssl::context::pem);
  configure_alpn(ctx);
  ssl::context client_ctx(ssl::context::tls_client);
  client_ctx.set_default_verify_paths();

  tcp::acceptor acc(ioc, {tcp::v4(), 443});
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    for (;;) {
      auto s = co_await acc.async_accept(net::use_awaitable);
      std::make_shared<MemberSession>(std::move(s), ctx)->start();
    }
  }, net::detached);
  net::co_spawn(ioc, run_valuation(client_ctx, "actuary.internal", json{{"scheme", "DB-1998"}}), net::detached);
  net::co_spawn(ioc, notify_member(client_ctx, "push.internal", "statement ready"), net::detached);
  net::co_spawn(ioc, push_metrics("members_online 1204\n"), net::detached);

  http::response<http::empty_body> probe{http::status::no_content, 11};
  add_upgrade_offer(probe, false);
  ioc.run();
}
