// checks: errorshield-upgrade-header
// Edge node of the CDN: terminates client TLS, serves from cache when it can,
// and otherwise fetches from the customer's origin (plain or TLS, per config).
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>

#include <chrono>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

struct OriginConfig {
  std::string host;
  std::string port;
  bool tls = false;
  bool try_h2c = false; // origin team asked us to try HTTP/2 on cleartext hops
};

// Adds the HTTP/1.1 -> HTTP/2 upgrade offer (RFC 7540 section 3.2).
static void offer_h2_upgrade(Request& req) {
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c");
  req.set("HTTP2-Settings", "AAMAAABkAAQCAAAAAAIAAAAA");
}

static Request origin_request(const Request& client_req, const OriginConfig& o) {
  Request up{client_req.method(), client_req.target(), 11};
  up.set(http::field::host, o.host);
  up.set(http::field::user_agent, "edge-fra3/2.14");
  up.set("X-Forwarded-Proto", "https");
  if (auto it = client_req.find(http::field::accept_encoding); it != client_req.end())
    up.set(http::field::accept_encoding, it->value());
  up.body() = client_req.body();
  up.prepare_payload();
  return up;
}

// Cleartext origin fetch (internal origins inside the customer's VPC).
static Response fetch_plain(asio::io_context& ioc, const Request& client_req, const OriginConfig& o) {
  tcp::resolver res(ioc);
  beast::tcp_stream s(ioc);
  s.expires_after(std::chrono::seconds(15));
  s.connect(res.resolve(o.host, o.port));
  Request up = origin_request(client_req, o);
  if (o.try_h2c)
    offer_h2_upgrade(up);
  http::write(s, up);
  beast::flat_buffer buf;
  Response r;
  http::read(s, buf, r);
  beast::error_code ec;
  s.socket().shutdown(tcp::socket::shutdown_both, ec);
  return r;
}

// TLS origin fetch.
static Response fetch_tls(asio::io_context& ioc, ssl::context& ctx, const Request& client_req,
                          const OriginConfig& o) {
  tcp::resolver res(ioc);
  beast::ssl_stream<beast::tcp_stream> s(ioc, ctx);
  SSL_set_tlsext_host_name(s.native_handle(), o.host.c_str());
  beast::get_lowest_layer(s).expires_after(std::chrono::seconds(15));
  beast::get_lowest_layer(s).connect(res.resolve(o.host, o.port));
  s.handshake(ssl::stream_base::client);
  Request up = origin_request(client_req, o);
  if (o.try_h2c)
    offer_h2_upgrade(up); // expect: errorshield-upgrade-header
  http::write(s, up);
  beast::flat_buffer buf;
  Response r;
  http::read(s, buf, r);
  beast::error_code ec;
  s.shutdown(ec);
  return r;
}

// Health probes against TLS origins, templated over the stream so tests can use a fake.
template <class TlsStream>
bool probe_origin(TlsStream& s, const std::string& host) {
  Request req{http::verb::head, "/.well-known/edge-health", 11};
  req.set(http::field::host, host);
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
  http::write(s, req);
  beast::flat_buffer buf;
  http::response_parser<http::empty_body> p;
  p.skip(true);
  http::read(s, buf, p);
  return p.get().result_int() < 400;
}

template bool probe_origin<beast::ssl_stream<beast::tcp_stream>>(beast::ssl_stream<beast::tcp_stream>&,
                                                                 const std::string&);

// Client-facing TLS session.
class EdgeSession : public std::enable_shared_from_this<EdgeSession> {
public:
  EdgeSession(tcp::socket sock, ssl::context& ctx, asio::io_context& ioc, const std::map<std::string, OriginConfig>& origins)
      : stream_(std::move(sock), ctx), ioc_(ioc), ctx_(ctx), origins_(origins) {}

  void run() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(30));
    stream_.async_handshake(ssl::stream_base::server,
                            beast::bind_front_handler(&EdgeSession::on_handshake, shared_from_this()));
  }

private:
  void on_handshake(beast::error_code ec) {
    if (ec)
      return;
    do_read();
  }

  void do_read() {
    req_ = {};
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buf_, req_, beast::bind_front_handler(&EdgeSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;

    // Some old clients still send the h2c offer even on https; we just drop it.
    if (req_[http::field::upgrade] == "h2c") {
      req_.erase(http::field::upgrade);
      req_.erase("HTTP2-Settings");
    }

    auto host = std::string(req_[http::field::host]);
    auto it = origins_.find(host);
    if (it == origins_.end()) {
      res_ = Response{http::status::misdirected_request, req_.version()};
      res_.set(http::field::content_type, "text/plain");
      res_.body() = "unknown host\n";
    } else {
      try {
        res_ = it->second.tls ? fetch_tls(ioc_, ctx_, req_, it->second) : fetch_plain(ioc_, req_, it->second);
      } catch (const std::exception& e) {
        res_ = Response{http::status::bad_gateway, req_.version()};
        res_.body() = std::string("origin error: ") + e.what();
      }
    }
    res_.set(http::field::server, "edge-fra3");
    res_.set(http::field::alt_svc, "h2=\":443\"; ma=86400");
    if (res_.result() == http::status::ok && req_.method() == http::verb::get)
      res_.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    res_.prepare_payload();
    http::async_write(stream_, res_, beast::bind_front_handler(&EdgeSession::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec || !res_.keep_alive())
      return;
    do_read();
  }

  beast::ssl_stream<beast::tcp_stream> stream_;
  asio::io_context& ioc_;
  ssl::context& ctx_;
  const std::map<std::string, OriginConfig>& origins_;
  beast::flat_buffer buf_;
  Request req_;
  Response res_;
};

// Cache purge notifications go to the regional shield over TLS.
asio::awaitable<void> notify_shield(ssl::context& ctx, std::string shield_host, std::string path) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver res(ex);
  beast::ssl_stream<beast::tcp_stream> s(ex, ctx);
  auto eps = co_await res.async_resolve(shield_host, "443", asio::use_awaitable);
  co_await beast::get_lowest_layer(s).async_connect(eps, asio::use_awaitable);
  co_await s.async_handshake(ssl::stream_base::client, asio::use_awaitable);

  Request req{http::verb::post, "/purge", 11};
  req.set(http::field::host, shield_host);
  req.insert("Upgrade", "h2c"); // expect: errorshield-upgrade-header
  req.insert(http::field::connection, "Upgrade");
  req.body() = path;
  req.prepare_payload();
  co_await http::async_write(s, req, asio::use_awaitable);

  beast::flat_buffer buf;
  Response r;
  co_await http::async_read(s, buf, r, asio::use_awaitable);
}

// Live-stream origins push segments to us over a WebSocket on TLS.
static Request ingest_handshake_request(const std::string& host) {
  Request req{http::verb::get, "/ingest", 11};
  req.set(http::field::host, host);
  req.set(http::field::upgrade, "websocket");
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::sec_websocket_version, "13");
  return req;
}

int main() {
  asio::io_context ioc;
  ssl::context ctx{ssl::context::tls_server};
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_tlsv1);
  static const unsigned char alpn[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(ctx.native_handle(), alpn, sizeof(alpn));

  std::map<std::string, OriginConfig> origins{
      {"img.customer-a.example", {"10.20.0.5", "8080", false, true}},
      {"www.customer-b.example", {"origin.customer-b.example", "443", true, true}},
  };

  (void)ingest_handshake_request("live.customer-a.example");
  asio::co_spawn(ioc, notify_shield(ctx, "shield-eu.cdn.internal", "/img/*"), asio::detached);

  tcp::acceptor acc(ioc, {tcp::v4(), 443});
  std::function<void()> accept_loop = [&] {
    acc.async_accept([&](beast::error_code ec, tcp::socket s) {
      if (!ec)
        std::make_shared<EdgeSession>(std::move(s), ctx, ioc, origins)->run();
      accept_loop();
    });
  };
  accept_loop();
  ioc.run();
}
