// checks: errorshield-upgrade-header
// Edge reverse proxy: accepts HTTP/1.1 from clients, forwards to a pool of
// backends and relays the responses. Several route handlers grew over time.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <iostream>
#include <string>
#include <string_view>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

static bool is_hop_by_hop(http::field f) {
  switch (f) {
    case http::field::connection:
    case http::field::keep_alive:
    case http::field::proxy_authenticate:
    case http::field::proxy_authorization:
    case http::field::te:
    case http::field::trailer:
    case http::field::transfer_encoding:
    case http::field::upgrade:
      return true;
    default:
      return false;
  }
}

// Correct: the generic path filters hop-by-hop fields before copying.
Request make_backend_request(Request const& in, std::string const& backend_host) {
  Request out{in.method(), in.target(), 11};
  for (auto const& f : in) {
    if (is_hop_by_hop(f.name())) continue;
    out.set(f.name_string(), f.value());
  }
  out.set(http::field::host, backend_host);
  out.set(http::field::connection, "keep-alive");  // our own value, not the client's
  out.body() = in.body();
  out.prepare_payload();
  return out;
}

// Legacy route for the /static tree: copies every header verbatim.
Request make_static_request(Request const& in) {
  Request out{in.method(), in.target(), 11};
  for (auto const& f : in)
    out.set(f.name_string(), f.value()); // expect: errorshield-upgrade-header
  out.set(http::field::host, "static-origin.internal");
  return out;
}

// Correct: whole-message copy, then every hop-by-hop field is stripped.
Request make_api_request(Request const& in) {
  Request out = in;
  out.erase(http::field::connection);
  out.erase(http::field::keep_alive);
  out.erase(http::field::te);
  out.erase(http::field::trailer);
  out.erase(http::field::transfer_encoding);
  out.erase(http::field::upgrade);
  out.erase(http::field::proxy_authorization);
  out.set(http::field::host, "api.internal");
  out.prepare_payload();
  return out;
}

// Auth-forwarding route for the legacy SSO backend.
Request make_sso_request(Request const& in) {
  Request out{in.method(), in.target(), 11};
  out.set(http::field::authorization, in[http::field::authorization]);  // end-to-end, fine
  out.set(http::field::proxy_authorization, in[http::field::proxy_authorization]); // expect: errorshield-upgrade-header
  out.set(http::field::cookie, in[http::field::cookie]);
  out.set(http::field::host, "sso.internal");
  return out;
}

// Long-poll route: tries to keep the backend connection "the same as the client's".
Request make_longpoll_request(Request const& in) {
  Request out{http::verb::get, in.target(), 11};
  out.set(http::field::host, "push.internal");
  out.set(http::field::user_agent, in[http::field::user_agent]);
  if (in.count(http::field::upgrade))
    out.set(http::field::upgrade, in[http::field::upgrade]); // expect: errorshield-upgrade-header
  return out;
}

// Correct: reads the client's Connection header to make a decision, copies nothing.
bool client_wants_close(Request const& in) {
  auto c = in[http::field::connection];
  return beast::iequals(c, "close") || !in.keep_alive();
}

// Correct: X-Forwarded-For is end-to-end; it is extended, not blindly relayed.
void add_forwarded_for(Request& out, Request const& in, tcp::endpoint peer) {
  std::string xff(in["X-Forwarded-For"]);
  if (!xff.empty()) xff += ", ";
  xff += peer.address().to_string();
  out.set("X-Forwarded-For", xff);
}

// ---- response relay ---------------------------------------------------------

// Correct: only end-to-end headers are copied back, one by one.
Response relay_response(Response const& up, bool keep_alive) {
  Response res{up.result(), up.version()};
  for (auto f : {http::field::content_type, http::field::cache_control, http::field::etag,
                 http::field::last_modified, http::field::vary}) {
    if (up.count(f)) res.set(f, up[f]);
  }
  res.keep_alive(keep_alive);
  res.body() = up.body();
  res.prepare_payload();
  return res;
}

// Chunked download relay for the /export route.
Response relay_export(Response const& up) {
  Response res{up.result(), 11};
  res.set(http::field::content_type, up[http::field::content_type]);
  res.set(http::field::transfer_encoding, up[http::field::transfer_encoding]); // expect: errorshield-upgrade-header
  res.body() = up.body();
  return res;
}

// Debug route: mirrors every backend header to help diagnose caching issues.
Response relay_debug(Response const& up) {
  Response res{up.result(), 11};
  for (auto const& h : up) {
    res.insert(h.name_string(), h.value()); // expect: errorshield-upgrade-header
  }
  res.set("X-Debug-Proxy", "edge-1");
  res.body() = up.body();
  res.prepare_payload();
  return res;
}

// ---- coroutine driver ---------------------------------------------------------

asio::awaitable<void> proxy_one(tcp::socket client, tcp::endpoint backend_ep) {
  beast::flat_buffer cbuf, bbuf;
  Request req;
  co_await http::async_read(client, cbuf, req, asio::use_awaitable);

  tcp::socket backend(client.get_executor());
  co_await backend.async_connect(backend_ep, asio::use_awaitable);

  std::string_view t = req.target();
  Request fwd = t.starts_with("/static")   ? make_static_request(req)
                : t.starts_with("/api")    ? make_api_request(req)
                : t.starts_with("/sso")    ? make_sso_request(req)
                : t.starts_with("/poll")   ? make_longpoll_request(req)
                                           : make_backend_request(req, "app.internal");
  add_forwarded_for(fwd, req, client.remote_endpoint());
  co_await http::async_write(backend, fwd, asio::use_awaitable);

  Response up;
  co_await http::async_read(backend, bbuf, up, asio::use_awaitable);

  bool ka = !client_wants_close(req);
  Response res = t.starts_with("/export") ? relay_export(up)
                 : t.starts_with("/debug") ? relay_debug(up)
                                           : relay_response(up, ka);
  co_await http::async_write(client, res, asio::use_awaitable);
}

int main() {
  asio::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 8080});
  tcp::endpoint backend(asio::ip::make_address("10.0.0.5"), 8000);
  asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
    for (;;) {
      tcp::socket s = co_await acc.async_accept(asio::use_awaitable);
      asio::co_spawn(ioc, proxy_one(std::move(s), backend), asio::detached);
    }
  }, asio::detached);
  ioc.run();
}
