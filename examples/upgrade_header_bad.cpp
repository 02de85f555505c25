// Demo input for errorshield-upgrade-header: the seed incident (BUGGY).
//
// An API gateway: clients send plain HTTP/1.1 to port 8080 (TLS ends at the
// load balancer in front of it), and the gateway forwards each request
// over TLS to the backend api.internal:443, then relays the response.
// Connection, Upgrade, Keep-Alive, TE, Trailer, Transfer-Encoding and the
// Proxy-* headers are hop-by-hop (RFC 9110, section 7.6.1): they describe
// one connection and must not be forwarded. And "Upgrade: h2c" asks for
// HTTP/2 over cleartext TCP only; over TLS, HTTP/2 is negotiated with ALPN.
// The gateway gets both wrong:
//
// - ProxySession::on_upstream_handshake() sets "Upgrade: h2c" on the
//   request it writes to the TLS stream, "to try HTTP/2 with the backend".
//   The backend's TLS-terminating load balancer upgraded some of these
//   requests and ignored others; the upgraded ones hung.
// - The same function copies every header of the client's request into the
//   upstream request, Connection and Upgrade included: a client's WebSocket
//   handshake reached the backend, which switched protocols for a
//   connection the gateway treats as plain HTTP, and WebSocket handshakes
//   failed intermittently.
// - ProxySession::on_upstream_response() copies the backend's headers back
//   to the client, skipping Connection but not Upgrade.
//
// Errors are checked and every operation is asynchronous; only the headers
// are wrong.
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <chrono>
#include <cstddef>
#include <iostream>
#include <memory>
#include <string>
#include <utility>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

static constexpr const char* kUpstreamHost = "api.internal";

static void fail(beast::error_code ec, const char* what) {
  std::cerr << what << ": " << ec.message() << "\n";
}

// One client connection: read a request, forward it to the backend over TLS, relay the response.
class ProxySession : public std::enable_shared_from_this<ProxySession> {
 public:
  ProxySession(tcp::socket&& socket, ssl::context& tls, tcp::resolver::results_type upstream)
      : client_(std::move(socket)), upstream_(client_.get_executor(), tls),
        upstream_endpoints_(std::move(upstream)) {}

  void run() {
    client_.expires_after(std::chrono::seconds(30));
    http::async_read(client_, client_buffer_, client_req_,
                     beast::bind_front_handler(&ProxySession::on_client_request, shared_from_this()));
  }

 private:
  void on_client_request(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) return;
    if (ec) return fail(ec, "client read");
    if (!SSL_set_tlsext_host_name(upstream_.native_handle(), kUpstreamHost))
      return fail(beast::error_code(static_cast<int>(::ERR_get_error()), net::error::get_ssl_category()), "sni");
    upstream_.set_verify_callback(ssl::host_name_verification(kUpstreamHost));
    beast::get_lowest_layer(upstream_).expires_after(std::chrono::seconds(10));
    beast::get_lowest_layer(upstream_).async_connect(
        upstream_endpoints_, beast::bind_front_handler(&ProxySession::on_upstream_connect, shared_from_this()));
  }

  void on_upstream_connect(beast::error_code ec, tcp::endpoint) {
    if (ec) return fail(ec, "upstream connect");
    upstream_.async_handshake(ssl::stream_base::client,
                              beast::bind_front_handler(&ProxySession::on_upstream_handshake, shared_from_this()));
  }

  void on_upstream_handshake(beast::error_code ec) {
    if (ec) return fail(ec, "upstream handshake");
    upstream_req_.method(client_req_.method());
    upstream_req_.target(client_req_.target());
    upstream_req_.version(11);
    for (auto const& field : client_req_)  // BUG: Connection and Upgrade are copied too
      upstream_req_.set(field.name_string(), field.value());
    upstream_req_.set(http::field::host, kUpstreamHost);
    // "Try HTTP/2 with the backend." BUG: h2c over TLS.
    upstream_req_.set(http::field::connection, "Upgrade, HTTP2-Settings");
    upstream_req_.set(http::field::upgrade, "h2c");
    upstream_req_.set("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA");
    upstream_req_.body() = client_req_.body();
    upstream_req_.prepare_payload();
    http::async_write(upstream_, upstream_req_,
                      beast::bind_front_handler(&ProxySession::on_upstream_write, shared_from_this()));
  }

  void on_upstream_write(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "upstream write");
    http::async_read(upstream_, upstream_buffer_, upstream_res_,
                     beast::bind_front_handler(&ProxySession::on_upstream_response, shared_from_this()));
  }

  void on_upstream_response(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "upstream read");
    client_res_.result(upstream_res_.result());
    client_res_.version(client_req_.version());
    for (auto const& field : upstream_res_) {
      if (field.name() == http::field::connection) continue;
      client_res_.set(field.name_string(), field.value());  // BUG: Upgrade goes back to the client
    }
    client_res_.body() = upstream_res_.body();
    client_res_.prepare_payload();
    client_res_.keep_alive(false);
    http::async_write(client_, client_res_,
                      beast::bind_front_handler(&ProxySession::on_client_write, shared_from_this()));
  }

  void on_client_write(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "client write");
    client_.socket().shutdown(tcp::socket::shutdown_send, ec);
    beast::get_lowest_layer(upstream_).close();
  }

  beast::tcp_stream client_;
  beast::ssl_stream<beast::tcp_stream> upstream_;
  tcp::resolver::results_type upstream_endpoints_;
  beast::flat_buffer client_buffer_;
  beast::flat_buffer upstream_buffer_;
  http::request<http::string_body> client_req_;
  http::request<http::string_body> upstream_req_;
  http::response<http::string_body> upstream_res_;
  http::response<http::string_body> client_res_;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& ioc, const tcp::endpoint& endpoint, ssl::context& tls, tcp::resolver::results_type upstream)
      : ioc_(ioc), acceptor_(ioc, endpoint), tls_(tls), upstream_(std::move(upstream)) {}

  void do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_), beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec) return fail(ec, "accept");
    std::make_shared<ProxySession>(std::move(socket), tls_, upstream_)->run();
    do_accept();
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  ssl::context& tls_;
  tcp::resolver::results_type upstream_;
};

int main() {
  net::io_context ioc;
  ssl::context tls(ssl::context::tls_client);
  tls.set_default_verify_paths();
  tls.set_verify_mode(ssl::verify_peer);
  tcp::resolver resolver(ioc);
  tcp::resolver::results_type upstream = resolver.resolve(kUpstreamHost, "443");  // once, at startup
  std::make_shared<Listener>(ioc, tcp::endpoint{net::ip::make_address("0.0.0.0"), 8080}, tls, upstream)->do_accept();
  ioc.run();
}
