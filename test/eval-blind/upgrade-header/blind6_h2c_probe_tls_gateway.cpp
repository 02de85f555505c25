// checks: errorshield-upgrade-header
// Push-notification gateway: talks to upstream providers over plain TCP (inside
// the cluster) and over TLS (public providers). Some code paths try to
// negotiate HTTP/2 via the h2c upgrade, and a small TLS front relays requests.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <iostream>
#include <memory>
#include <string>
#include <type_traits>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

constexpr char kSettings[] = "AAMAAABkAARAAAAAAAIAAAAA";

// ---- cleartext in-cluster provider ------------------------------------------

// Correct: h2c upgrade over a cleartext connection is exactly what h2c is for.
class ClusterProvider : public std::enable_shared_from_this<ClusterProvider> {
 public:
  explicit ClusterProvider(asio::io_context& ioc) : stream_(ioc) {}

  void probe(tcp::endpoint ep) {
    stream_.async_connect(ep, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->req_ = {http::verb::options, "*", 11};
      self->req_.set(http::field::host, "push.cluster.local");
      self->req_.set(http::field::connection, "Upgrade, HTTP2-Settings");
      self->req_.set(http::field::upgrade, "h2c");
      self->req_.set("HTTP2-Settings", kSettings);
      http::async_write(self->stream_, self->req_,
                        [self](beast::error_code, std::size_t) { self->read_reply(); });
    });
  }

 private:
  void read_reply() {
    http::async_read(stream_, buf_, res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec && self->res_.result() == http::status::switching_protocols) std::cout << "h2c ok\n";
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  http::request<http::empty_body> req_;
  http::response<http::string_body> res_;
};

// ---- public provider over TLS ----------------------------------------------

class PublicProvider : public std::enable_shared_from_this<PublicProvider> {
 public:
  PublicProvider(asio::io_context& ioc, ssl::context& ctx) : stream_(ioc, ctx) {}

  void send(std::string token, std::string payload) {
    req_ = {http::verb::post, "/3/device/" + token, 11};
    req_.set(http::field::host, "api.push.example.com");
    req_.set(http::field::content_type, "application/json");
    req_.set(http::field::connection, "Upgrade, HTTP2-Settings");
    req_.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    req_.set("HTTP2-Settings", kSettings);
    req_.body() = std::move(payload);
    req_.prepare_payload();
    http::async_write(stream_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) std::cerr << "send: " << ec.message() << "\n";
    });
  }

 private:
  beast::ssl_stream<beast::tcp_stream> stream_;
  http::request<http::string_body> req_;
};

// Stackful probe of a TLS endpoint, string-named header.
void probe_tls_provider(asio::io_context& ioc, ssl::context& ctx, tcp::endpoint ep) {
  asio::spawn(ioc, [&ioc, &ctx, ep](asio::yield_context yield) {
    beast::ssl_stream<beast::tcp_stream> s(ioc, ctx);
    beast::get_lowest_layer(s).async_connect(ep, yield);
    s.async_handshake(ssl::stream_base::client, yield);
    http::request<http::empty_body> req{http::verb::head, "/", 11};
    req.set(http::field::host, "fcm.example.org");
    req.set("Upgrade", "h2c"); // expect: errorshield-upgrade-header
    req.set("Connection", "Upgrade");
    http::write(s, req);
  }, asio::detached);
}

// Correct: TLS stream, but the upgrade is to WebSocket, not h2c.
asio::awaitable<void> open_tls_feedback_channel(beast::ssl_stream<beast::tcp_stream>& s) {
  http::request<http::empty_body> req{http::verb::get, "/feedback", 11};
  req.set(http::field::host, "feedback.example.com");
  req.set(http::field::upgrade, "websocket");
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::sec_websocket_version, "13");
  req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  co_await http::async_write(s, req, asio::use_awaitable);
}

// Correct: the template only asks for h2c when the stream is cleartext.
template <class Stream>
asio::awaitable<void> send_options(Stream& s, std::string host) {
  http::request<http::empty_body> req{http::verb::options, "*", 11};
  req.set(http::field::host, host);
  if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
    req.set(http::field::connection, "Upgrade, HTTP2-Settings");
    req.set(http::field::upgrade, "h2c");
    req.set("HTTP2-Settings", kSettings);
  }
  co_await http::async_write(s, req, asio::use_awaitable);
}

template asio::awaitable<void> send_options(beast::tcp_stream&, std::string);
template asio::awaitable<void> send_options(beast::ssl_stream<beast::tcp_stream>&, std::string);

// ---- TLS front: relays device registrations to the registry backend ----------

using Req = http::request<http::string_body>;

// Correct: end-to-end headers copied; the client's Keep-Alive is not.
Req to_registry(Req const& in) {
  Req out{in.method(), in.target(), 11};
  out.set(http::field::host, "registry.internal");
  out.set(http::field::user_agent, in[http::field::user_agent]);
  out.set(http::field::content_type, in[http::field::content_type]);
  out.set(http::field::authorization, in[http::field::authorization]);
  out.keep_alive(true);
  out.body() = in.body();
  out.prepare_payload();
  return out;
}

// Variant for the batch endpoint, written later.
Req to_registry_batch(Req const& in) {
  Req out{http::verb::post, "/batch", 11};
  out.set(http::field::host, "registry.internal");
  out.set("Keep-Alive", in["Keep-Alive"]); // expect: errorshield-upgrade-header
  out.set(http::field::te, in[http::field::te]); // expect: errorshield-upgrade-header
  out.set(http::field::content_type, in[http::field::content_type]);
  out.body() = in.body();
  out.prepare_payload();
  return out;
}

// Correct: Proxy-Authorization is consumed by this hop and validated, never forwarded.
bool proxy_auth_ok(Req const& in) {
  auto pa = in[http::field::proxy_authorization];
  return pa == "Basic Z2F0ZXdheTpzM2NyZXQ=";
}

asio::awaitable<void> serve_front(beast::ssl_stream<beast::tcp_stream> client,
                                  beast::tcp_stream& registry) {
  co_await client.async_handshake(ssl::stream_base::server, asio::use_awaitable);
  beast::flat_buffer buf;
  Req in;
  co_await http::async_read(client, buf, in, asio::use_awaitable);
  http::response<http::string_body> res{http::status::ok, 11};
  if (!proxy_auth_ok(in)) {
    res.result(http::status::proxy_authentication_required);
    res.set(http::field::proxy_authenticate, "Basic realm=\"push\"");  // generated here, not copied
  } else {
    Req out = in.target() == "/batch" ? to_registry_batch(in) : to_registry(in);
    co_await http::async_write(registry, out, asio::use_awaitable);
  }
  res.prepare_payload();
  co_await http::async_write(client, res, asio::use_awaitable);
}

int main() {
  asio::io_context ioc;
  ssl::context ctx(ssl::context::tls_client);
  std::make_shared<ClusterProvider>(ioc)->probe({asio::ip::make_address("10.1.0.9"), 80});
  std::make_shared<PublicProvider>(ioc, ctx)->send("abc", "{}");
  probe_tls_provider(ioc, ctx, {asio::ip::make_address("203.0.113.7"), 443});
  ioc.run();
}
