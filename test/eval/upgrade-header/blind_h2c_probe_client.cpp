// checks: errorshield-upgrade-header
// Upstream health/capability prober used by the edge proxy: checks whether a
// backend speaks HTTP/2 (prior knowledge or h2c upgrade) and WebSocket.

#include <chrono>
#include <memory>
#include <string>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

namespace edge::probe {

struct ProbeResult {
  unsigned status = 0;
  bool switched_protocols = false;
  std::string server;
};

// Cleartext backend: the h2c upgrade dance is legitimate here.
ProbeResult probe_h2c_plain(net::io_context& ioc, const std::string& host, const std::string& port) {
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  stream.expires_after(std::chrono::seconds(5));
  stream.connect(resolver.resolve(host, port));

  http::request<http::empty_body> req{http::verb::options, "*", 11};
  req.set(http::field::host, host);
  req.set(http::field::user_agent, "edge-probe/1.4");
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c");
  req.set("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA");
  http::write(stream, req);

  beast::flat_buffer buffer;
  http::response<http::empty_body> res;
  http::read(stream, buffer, res);

  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  return {res.result_int(), res.result() == http::status::switching_protocols,
          std::string(res[http::field::server])};
}

// BUG: copy-pasted from the plain prober when TLS backends were added. h2c
// over TLS is forbidden (RFC 7540 3.3: use ALPN "h2"), and some backends
// answer 400 or reset the connection, marking healthy nodes as down.
ProbeResult probe_h2c_tls(net::io_context& ioc, ssl::context& ctx, const std::string& host,
                          const std::string& port) {
  tcp::resolver resolver(ioc);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  if (!SSL_set_tlsext_host_name(stream.native_handle(), host.c_str())) {
    throw beast::system_error(beast::error_code(static_cast<int>(::ERR_get_error()),
                                                net::error::get_ssl_category()));
  }
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
  beast::get_lowest_layer(stream).connect(resolver.resolve(host, port));
  stream.handshake(ssl::stream_base::client);

  http::request<http::empty_body> req{http::verb::options, "*", 11};
  req.set(http::field::host, host);
  req.set(http::field::user_agent, "edge-probe/1.4");
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
  req.set("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA"); // expect: errorshield-upgrade-header
  http::write(stream, req);

  beast::flat_buffer buffer;
  http::response<http::empty_body> res;
  http::read(stream, buffer, res);

  beast::error_code ec;
  stream.shutdown(ec);
  return {res.result_int(), res.result() == http::status::switching_protocols,
          std::string(res[http::field::server])};
}

// WebSocket upgrade over TLS is fine: the value is "websocket", not h2c.
ProbeResult probe_websocket_tls(net::io_context& ioc, ssl::context& ctx, const std::string& host,
                                const std::string& port, const std::string& path) {
  tcp::resolver resolver(ioc);
  ssl::stream<tcp::socket> stream(ioc, ctx);
  SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());
  net::connect(stream.next_layer(), resolver.resolve(host, port));
  stream.handshake(ssl::stream_base::client);

  http::request<http::empty_body> req{http::verb::get, path, 11};
  req.set(http::field::host, host);
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::upgrade, "websocket");
  req.set(http::field::sec_websocket_version, "13");
  req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  http::write(stream, req);

  beast::flat_buffer buffer;
  http::response<http::empty_body> res;
  http::read(stream, buffer, res);
  return {res.result_int(), res.result() == http::status::switching_protocols,
          std::string(res[http::field::server])};
}

// Async TLS prober used by the periodic health checker.
class TlsUpgradeProbe : public std::enable_shared_from_this<TlsUpgradeProbe> {
 public:
  TlsUpgradeProbe(net::any_io_executor ex, ssl::context& ctx) : resolver_(ex), stream_(ex, ctx) {}

  void run(std::string host, std::string port) {
    host_ = std::move(host);
    SSL_set_tlsext_host_name(stream_.native_handle(), host_.c_str());
    resolver_.async_resolve(host_, port,
                            beast::bind_front_handler(&TlsUpgradeProbe::on_resolve, shared_from_this()));
  }

 private:
  void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return;
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
    beast::get_lowest_layer(stream_).async_connect(
        results, [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
          if (!ec) self->on_connect();
        });
  }

  void on_connect() {
    stream_.async_handshake(ssl::stream_base::client,
                            beast::bind_front_handler(&TlsUpgradeProbe::on_handshake, shared_from_this()));
  }

  // BUG: string-named header, inserted rather than set, and the message is
  // sent over the TLS stream in the same function.
  void on_handshake(beast::error_code ec) {
    if (ec) return;
    req_ = {};
    req_.version(11);
    req_.method(http::verb::get);
    req_.target("/");
    req_.set(http::field::host, host_);
    req_.insert("Connection", "Upgrade, HTTP2-Settings");
    req_.insert("Upgrade", "h2c"); // expect: errorshield-upgrade-header
    req_.insert("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA"); // expect: errorshield-upgrade-header
    http::async_write(stream_, req_,
                      beast::bind_front_handler(&TlsUpgradeProbe::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return;
    http::async_read(stream_, buffer_, res_,
                     [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  tcp::resolver resolver_;
  ssl::stream<beast::tcp_stream> stream_;
  std::string host_;
  beast::flat_buffer buffer_;
  http::request<http::empty_body> req_;
  http::response<http::string_body> res_;
};

}  // namespace edge::probe
