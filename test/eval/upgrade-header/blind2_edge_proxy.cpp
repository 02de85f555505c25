// checks: errorshield-upgrade-header
// Edge API gateway: terminates client TLS, relays to upstream services over TLS or
// cleartext, and negotiates websocket / HTTP/2 upgrades with backends.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <memory>
#include <string>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace edge::gateway::relay {

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

bool is_hop_by_hop(http::field f, beast::string_view name);

// BUG: every client header (Connection, Upgrade, TE, ...) is forwarded upstream.
inline void clone_request_headers(const Request& in, Request& out) {
  for (auto const& f : in.base())
    out.set(f.name_string(), f.value());  // expect: errorshield-upgrade-header
}

// BUG: Connection is dropped but Upgrade still leaks through to the client.
inline void relay_response_headers(const Response& upstream, Response& downstream) {
  for (auto const& f : upstream) {
    if (f.name() == http::field::connection)
      continue;
    downstream.insert(f.name_string(), f.value());  // expect: errorshield-upgrade-header
  }
}

// BUG: iterator-style copy of the header block, no hop-by-hop filtering.
template <class Body>
void mirror_headers(http::response<Body> const& from, http::response<Body>& to) {
  for (auto it = from.base().begin(); it != from.base().end(); ++it)
    to.base().insert(it->name(), it->name_string(), it->value());  // expect: errorshield-upgrade-header
}
template void mirror_headers<http::string_body>(Response const&, Response&);

// correct: explicit hop-by-hop filter before copying.
inline void forward_request_headers(const Request& in, Request& out) {
  for (auto const& f : in) {
    auto n = f.name();
    if (n == http::field::connection || n == http::field::upgrade || n == http::field::keep_alive ||
        n == http::field::te || n == http::field::trailer || n == http::field::transfer_encoding ||
        n == http::field::proxy_authorization || n == http::field::proxy_connection)
      continue;
    out.insert(n, f.name_string(), f.value());  // correct: filtered above
  }
}

// correct: the decision is delegated to a helper.
inline void forward_response_headers(const Response& in, Response& out) {
  for (auto const& f : in.base()) {
    if (is_hop_by_hop(f.name(), f.name_string()))
      continue;
    out.set(f.name_string(), f.value());  // correct: helper filters hop-by-hop fields
  }
}

// correct: switch-based filter covering Connection and Upgrade.
inline void forward_trailer_safe(const Response& in, Response& out) {
  for (auto const& f : in) {
    switch (f.name()) {
      case http::field::connection:
      case http::field::upgrade:
      case http::field::keep_alive:
      case http::field::transfer_encoding:
        continue;
      default:
        break;
    }
    out.insert(f.name_string(), f.value());  // correct: filtered by the switch
  }
}

// correct: case-insensitive string filter on the raw field name.
inline void forward_custom_headers(const Request& in, Request& out) {
  for (auto const& f : in) {
    if (beast::iequals(f.name_string(), "connection") || beast::iequals(f.name_string(), "upgrade"))
      continue;
    out.set(f.name_string(), f.value());  // correct: filtered above
  }
}

// correct: headers go into an access-log document, not into another message.
inline nlohmann::json headers_for_access_log(const Request& in) {
  nlohmann::json j = nlohmann::json::object();
  for (auto const& f : in)
    j[std::string(f.name_string())] = std::string(f.value());
  return j;
}

// correct: loop over a fixed allow-list, not over the message's fields.
inline void copy_allow_listed(const Request& in, Request& out) {
  static constexpr std::array<http::field, 4> kForward{http::field::accept, http::field::content_type,
                                                       http::field::authorization, http::field::user_agent};
  for (auto fld : kForward)
    if (auto v = in[fld]; !v.empty())
      out.set(fld, v);
}

// BUG: tries an h2c upgrade on an upstream that is reached over TLS.
inline void probe_h2_over_tls(beast::ssl_stream<beast::tcp_stream>& tls, std::string const& host) {
  http::request<http::empty_body> req{http::verb::options, "*", 11};
  req.set(http::field::host, host);
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c");  // expect: errorshield-upgrade-header
  req.set(http::field::http2_settings, "AAMAAABkAAQAAP__"); // expect: errorshield-upgrade-header
  http::write(tls, req);
}

// correct: h2c over cleartext is exactly what RFC 7540 section 3.2 describes.
inline void probe_h2_cleartext(beast::tcp_stream& plain, std::string const& host) {
  http::request<http::empty_body> req{http::verb::options, "*", 11};
  req.set(http::field::host, host);
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c");  // correct: plain TCP stream
  req.set(http::field::http2_settings, "AAMAAABkAAQAAP__");
  http::write(plain, req);
}

// correct: websocket upgrade over TLS is fine; the h2c probe goes to the cleartext sidecar.
inline void dual_probe(beast::ssl_stream<beast::tcp_stream>& tls, beast::tcp_stream& sidecar) {
  Request ws_req{http::verb::get, "/stream", 11};
  ws_req.set(http::field::upgrade, "websocket");  // correct: not h2c
  ws_req.set(http::field::connection, "Upgrade");
  http::write(tls, ws_req);

  Request h2_req{http::verb::get, "/", 11};
  h2_req.set(http::field::upgrade, "h2c");  // correct: written to the cleartext sidecar
  http::write(sidecar, h2_req);
}

// BUG: the coroutine relays the client's upgrade offer to a TLS upstream, adding h2c.
inline net::awaitable<void> relay_upgrade(net::ssl::stream<tcp::socket>& upstream, Request req) {
  req.set("Upgrade", "websocket, h2c");  // expect: errorshield-upgrade-header
  req.set(http::field::connection, "Upgrade");
  co_await http::async_write(upstream, req, net::use_awaitable);
}

class ClientConnection : public std::enable_shared_from_this<ClientConnection> {
  beast::ssl_stream<beast::tcp_stream> tls_;
  beast::flat_buffer buf_;

 public:
  ClientConnection(tcp::socket s, net::ssl::context& ctx) : tls_(std::move(s), ctx) {}

  // BUG: answers a TLS client with 101 Switching Protocols to h2c.
  void accept_h2c(unsigned version) {
    auto res = std::make_shared<http::response<http::empty_body>>(http::status::switching_protocols, version);
    res->base().set(http::field::connection, "Upgrade");
    res->base().set(http::field::upgrade, "h2c");  // expect: errorshield-upgrade-header
    http::async_write(tls_, *res, [self = shared_from_this(), res](beast::error_code, std::size_t) {});
  }

  // correct: a 101 to websocket on the TLS connection.
  void accept_websocket(unsigned version) {
    auto res = std::make_shared<http::response<http::empty_body>>(http::status::switching_protocols, version);
    res->base().set(http::field::upgrade, "websocket");  // correct: not h2c
    http::async_write(tls_, *res, [self = shared_from_this(), res](beast::error_code, std::size_t) {});
  }
};

}  // namespace edge::gateway::relay
