// Demo input for errorshield-upgrade-header: the seed incident (FIXED).
//
// Corrected twin of upgrade_header_bad.cpp:
//
// - The upstream request carries no "Upgrade: h2c": the gateway speaks
//   HTTP/1.1 to the backend, and the TLS context says so with ALPN
//   ("http/1.1"). Were HTTP/2 wanted over TLS, ALPN ("h2") would negotiate
//   it during the handshake, never an Upgrade header.
// - Both header copy loops ask is_hop_by_hop() about every field and skip
//   Connection, Keep-Alive, Proxy-Authenticate, Proxy-Authorization,
//   Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade and every
//   header the message's own Connection header names. A client's WebSocket
//   handshake now reaches the backend as a plain GET: the backend no longer
//   switches protocols on a connection the gateway treats as plain HTTP.
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/http/rfc7230.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <array>
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

// FIX: the hop-by-hop headers of RFC 9110 section 7.6.1, and every header the message's own
// Connection header names ("Connection: close, X-Trace" makes X-Trace hop-by-hop too).
static bool is_hop_by_hop(beast::string_view name, beast::string_view connection) {
  static constexpr std::array<beast::string_view, 9> kHopByHop = {
      "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Connection",
      "TE",         "Trailer",    "Transfer-Encoding",  "Upgrade"};
  for (beast::string_view hop : kHopByHop)
    if (beast::iequals(name, hop)) return true;
  for (beast::string_view token : http::token_list(connection))
    if (beast::iequals(name, token)) return true;
  return false;
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
    for (auto const& field : client_req_) {
      if (is_hop_by_hop(field.name_string(), client_req_[http::field::connection])) continue;  // FIX
      upstream_req_.set(field.name_string(), field.value());
    }
    upstream_req_.set(http::field::host, kUpstreamHost);
    // FIX: no Upgrade header; the protocol was agreed by ALPN during the TLS handshake.
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
      if (is_hop_by_hop(field.name_string(), upstream_res_[http::field::connection])) continue;  // FIX
      client_res_.set(field.name_string(), field.value());
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
  static constexpr unsigned char kAlpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(tls.native_handle(), kAlpn, sizeof kAlpn);  // FIX: HTTP/1.1, agreed by ALPN
  tcp::resolver resolver(ioc);
  tcp::resolver::results_type upstream = resolver.resolve(kUpstreamHost, "443");  // once, at startup
  std::make_shared<Listener>(ioc, tcp::endpoint{net::ip::make_address("0.0.0.0"), 8080}, tls, upstream)->do_accept();
  ioc.run();
}
