// checks: errorshield-upgrade-header
// TLS-terminating edge gateway for the market-data API: accepts HTTPS and
// WSS from clients and forwards to upstream services, either over TLS or over
// cleartext inside the data centre.

#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace mdgw::edge {

inline bool is_hop_by_hop(std::string_view name) {
  static constexpr std::string_view kHop[] = {
      "connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
      "te",         "trailer",    "transfer-encoding",  "upgrade"};
  for (auto h : kHop) {
    if (beast::iequals(name, h)) return true;
  }
  return false;
}

inline void log_headers(const http::request<http::string_body>& req) {
  for (auto const& f : req) {
    std::clog << "  " << f.name_string() << ": " << f.value() << '\n';
  }
}

// One client connection, HTTPS in, HTTPS out.
class HttpsProxySession : public std::enable_shared_from_this<HttpsProxySession> {
 public:
  HttpsProxySession(tcp::socket&& sock, ssl::context& server_ctx, ssl::context& client_ctx,
                    std::string upstream_host, std::string upstream_port)
      : client_(std::move(sock), server_ctx),
        upstream_(client_.get_executor(), client_ctx),
        resolver_(client_.get_executor()),
        upstream_host_(std::move(upstream_host)),
        upstream_port_(std::move(upstream_port)) {}

  void run() {
    beast::get_lowest_layer(client_).expires_after(std::chrono::seconds(30));
    client_.async_handshake(ssl::stream_base::server,
                            beast::bind_front_handler(&HttpsProxySession::on_client_handshake,
                                                      shared_from_this()));
  }

 private:
  void on_client_handshake(beast::error_code ec) {
    if (ec) return;
    do_read_client();
  }

  void do_read_client() {
    client_req_ = {};
    http::async_read(client_, client_buf_, client_req_,
                     beast::bind_front_handler(&HttpsProxySession::on_read_client, shared_from_this()));
  }

  void on_read_client(beast::error_code ec, std::size_t) {
    if (ec) return;
    log_headers(client_req_);
    if (websocket::is_upgrade(client_req_)) {
      // handed off to the WSS bridge elsewhere
      return;
    }
    SSL_set_tlsext_host_name(upstream_.native_handle(), upstream_host_.c_str());
    resolver_.async_resolve(upstream_host_, upstream_port_,
                            beast::bind_front_handler(&HttpsProxySession::on_resolve, shared_from_this()));
  }

  void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return;
    beast::get_lowest_layer(upstream_).async_connect(
        results, [self = shared_from_this()](beast::error_code ec, tcp::endpoint) {
          if (ec) return;
          self->upstream_.async_handshake(
              ssl::stream_base::client,
              beast::bind_front_handler(&HttpsProxySession::on_upstream_handshake, self));
        });
  }

  // Correct: helper decides which fields to drop; single headers set outside
  // the loop.
  void on_upstream_handshake(beast::error_code ec) {
    if (ec) return;
    upstream_req_ = {};
    upstream_req_.method(client_req_.method());
    upstream_req_.target(client_req_.target());
    upstream_req_.version(11);
    for (auto const& f : client_req_) {
      if (is_hop_by_hop(f.name_string())) continue;
      upstream_req_.set(f.name_string(), f.value());
    }
    upstream_req_.set(http::field::host, upstream_host_);
    upstream_req_.set("X-Forwarded-Proto", "https");
    upstream_req_.body() = client_req_.body();
    upstream_req_.prepare_payload();
    http::async_write(upstream_, upstream_req_,
                      beast::bind_front_handler(&HttpsProxySession::on_upstream_write, shared_from_this()));
  }

  void on_upstream_write(beast::error_code ec, std::size_t) {
    if (ec) return;
    upstream_res_ = {};
    http::async_read(upstream_, upstream_buf_, upstream_res_,
                     beast::bind_front_handler(&HttpsProxySession::on_upstream_read, shared_from_this()));
  }

  // BUG: response path was written separately and copies every upstream
  // header back, including Connection/Upgrade/Transfer-Encoding, so chunked
  // upstream replies are announced as chunked after prepare_payload() already
  // set Content-Length.
  void on_upstream_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    client_res_ = {};
    client_res_.result(upstream_res_.result());
    client_res_.version(client_req_.version());
    for (auto it = upstream_res_.begin(); it != upstream_res_.end(); ++it) {
      client_res_.insert(it->name(), it->name_string(), it->value()); // expect: errorshield-upgrade-header
    }
    client_res_.set(http::field::server, "mdgw-edge");
    client_res_.keep_alive(client_req_.keep_alive());
    client_res_.body() = upstream_res_.body();
    client_res_.prepare_payload();
    http::async_write(client_, client_res_,
                      beast::bind_front_handler(&HttpsProxySession::on_client_write, shared_from_this()));
  }

  void on_client_write(beast::error_code ec, std::size_t) {
    if (ec) return;
    if (client_req_.keep_alive()) do_read_client();
  }

  beast::ssl_stream<beast::tcp_stream> client_;
  beast::ssl_stream<beast::tcp_stream> upstream_;
  tcp::resolver resolver_;
  std::string upstream_host_;
  std::string upstream_port_;
  beast::flat_buffer client_buf_;
  beast::flat_buffer upstream_buf_;
  http::request<http::string_body> client_req_;
  http::request<http::string_body> upstream_req_;
  http::response<http::string_body> upstream_res_;
  http::response<http::string_body> client_res_;
};

// Opens a multiplexed upstream channel for the snapshot service.
class UpstreamChannel {
 public:
  UpstreamChannel(net::io_context& ioc, ssl::context& ctx) : ioc_(ioc), ctx_(ctx) {}

  // Cleartext upstream inside the DC: h2c upgrade is how HTTP/2 is reached.
  void open_cleartext(const std::string& host, const std::string& port) {
    tcp::resolver resolver(ioc_);
    beast::tcp_stream stream(ioc_);
    stream.connect(resolver.resolve(host, port));
    http::request<http::empty_body> req{http::verb::get, "/snapshot/v1/health", 11};
    req.set(http::field::host, host);
    req.set(http::field::connection, "Upgrade, HTTP2-Settings");
    req.set(http::field::upgrade, "h2c");
    req.set("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA");
    http::write(stream, req);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(stream, buf, res);
    upgraded_ = res.result() == http::status::switching_protocols;
  }

  // BUG: cross-region upstream is TLS, but the same h2c upgrade request is
  // used; h2c must never be offered over TLS (negotiate "h2" via ALPN).
  void open_tls(const std::string& host, const std::string& port) {
    tcp::resolver resolver(ioc_);
    beast::ssl_stream<beast::tcp_stream> stream(ioc_, ctx_);
    SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());
    beast::get_lowest_layer(stream).connect(resolver.resolve(host, port));
    stream.handshake(ssl::stream_base::client);
    http::request<http::empty_body> req{http::verb::get, "/snapshot/v1/health", 11};
    req.set(http::field::host, host);
    req.set(http::field::connection, "Upgrade, HTTP2-Settings");
    req.set("Upgrade", "h2c"); // expect: errorshield-upgrade-header
    req.set("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA"); // expect: errorshield-upgrade-header
    http::write(stream, req);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(stream, buf, res);
    upgraded_ = res.result() == http::status::switching_protocols;
  }

  bool upgraded() const { return upgraded_; }

 private:
  net::io_context& ioc_;
  ssl::context& ctx_;
  bool upgraded_ = false;
};

// WSS client to the exchange feed: the websocket handshake sets
// Upgrade: websocket itself; the decorator only adds identification headers.
inline void connect_feed(net::io_context& ioc, ssl::context& ctx, const std::string& host) {
  tcp::resolver resolver(ioc);
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(ioc, ctx);
  SSL_set_tlsext_host_name(ws.next_layer().native_handle(), host.c_str());
  beast::get_lowest_layer(ws).connect(resolver.resolve(host, "443"));
  ws.next_layer().handshake(ssl::stream_base::client);
  ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
    req.set(http::field::user_agent, "mdgw-edge/2.3");
    req.set("X-Api-Client", "mdgw");
  }));
  ws.handshake(host, "/ws/v3/stream");
}

}  // namespace mdgw::edge
