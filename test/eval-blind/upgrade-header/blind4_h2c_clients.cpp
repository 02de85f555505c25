// checks: errorshield-upgrade-header
// Upstream clients of an API gateway. Some backends speak HTTP/2 cleartext
// (h2c) inside the cluster; external ones are reached over TLS.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <memory>
#include <string>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

static char const* kSettings = "AAMAAABkAARAAAAAAAIAAAAA";

// Correct: h2c upgrade on a plain TCP connection inside the cluster.
void probe_h2c_internal(net::io_context& ioc, std::string const& host) {
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  stream.connect(resolver.resolve(host, "8080"));
  http::request<http::empty_body> req{http::verb::options, "*", 11};
  req.set(http::field::host, host);
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c");
  req.set("HTTP2-Settings", kSettings);
  http::write(stream, req);
  beast::flat_buffer b;
  http::response<http::string_body> res;
  http::read(stream, b, res);
}

// Buggy: same probe copy-pasted for the external TLS endpoint.
void probe_h2c_external(net::io_context& ioc, ssl::context& ctx, std::string const& host) {
  tcp::resolver resolver(ioc);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  beast::get_lowest_layer(stream).connect(resolver.resolve(host, "443"));
  stream.handshake(ssl::stream_base::client);
  http::request<http::empty_body> req{http::verb::get, "/", 11};
  req.set(http::field::host, host);
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
  req.set("HTTP2-Settings", kSettings);
  http::write(stream, req);
  beast::flat_buffer b;
  http::response<http::string_body> res;
  http::read(stream, b, res);
}

// Correct: TLS + ALPN negotiates h2 properly; no Upgrade header.
void configure_alpn(ssl::context& ctx) {
  static unsigned char const protos[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(ctx.native_handle(), protos, sizeof(protos));
}

// Correct: WebSocket over TLS (wss) legitimately carries Upgrade.
void open_wss(net::io_context& ioc, ssl::context& ctx, std::string const& host) {
  tcp::resolver resolver(ioc);
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(ioc, ctx);
  beast::get_lowest_layer(ws).connect(resolver.resolve(host, "443"));
  ws.next_layer().handshake(ssl::stream_base::client);
  ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
    req.set(http::field::user_agent, "gateway/1.0");
  }));
  ws.handshake(host, "/events");
}

// Correct: manual wss handshake request also uses Upgrade: websocket.
http::request<http::empty_body> manual_wss_request(std::string const& host) {
  http::request<http::empty_body> req{http::verb::get, "/events", 11};
  req.set(http::field::host, host);
  req.set(http::field::upgrade, "websocket");
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::sec_websocket_version, "13");
  req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  return req;
}

// ------------------------------------------------------------ TLS server side
class tls_http_session : public std::enable_shared_from_this<tls_http_session> {
  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::empty_body> res_;

public:
  tls_http_session(tcp::socket&& s, ssl::context& ctx) : stream_(std::move(s), ctx) {}

  void run() {
    stream_.async_handshake(ssl::stream_base::server,
                            [self = shared_from_this()](beast::error_code ec) {
                              if (!ec) self->do_read();
                            });
  }

  void do_read() {
    http::async_read(stream_, buffer_, req_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec) self->on_request();
                     });
  }

  void on_request() {
    // Buggy: accepts an h2c upgrade on a TLS connection.
    if (req_[http::field::upgrade] == "h2c") {
      res_ = {http::status::switching_protocols, 11};
      res_.set(http::field::connection, "Upgrade");
      res_.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
      http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code, std::size_t) {});
      return;
    }
    res_ = {http::status::no_content, 11};
    res_.keep_alive(req_.keep_alive());
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) self->do_read();
    });
  }
};

// Correct: plaintext server side of the internal h2c listener.
class plain_http_session : public std::enable_shared_from_this<plain_http_session> {
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::empty_body> res_;

public:
  explicit plain_http_session(tcp::socket&& s) : stream_(std::move(s)) {}

  void run() {
    http::async_read(stream_, buffer_, req_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec) self->on_request();
                     });
  }

  void on_request() {
    if (req_[http::field::upgrade] == "h2c") {
      res_ = {http::status::switching_protocols, 11};
      res_.set(http::field::connection, "Upgrade");
      res_.set(http::field::upgrade, "h2c");
      http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code, std::size_t) {});
    }
  }
};

// Buggy: generic helper used for both transports; TLS caller sends h2c.
template <class Stream>
void send_with_upgrade(Stream& s, std::string const& host) {
  http::request<http::empty_body> req{http::verb::get, "/", 11};
  req.set(http::field::host, host);
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c");
  req.set("HTTP2-Settings", kSettings);
  http::write(s, req);
}

void warm_up(net::io_context& ioc, ssl::context& ctx) {
  beast::tcp_stream plain(ioc);
  send_with_upgrade(plain, "svc.internal");
  beast::ssl_stream<beast::tcp_stream> secure(ioc, ctx);
  send_with_upgrade(secure, "api.example.com"); // expect: errorshield-upgrade-header
}

int main() {
  net::io_context ioc;
  ssl::context ctx{ssl::context::tls_client};
  configure_alpn(ctx);
  probe_h2c_internal(ioc, "svc.internal");
  probe_h2c_external(ioc, ctx, "api.example.com");
  open_wss(ioc, ctx, "push.example.com");
  auto r = manual_wss_request("push.example.com");
  (void)r;
  warm_up(ioc, ctx);
}
