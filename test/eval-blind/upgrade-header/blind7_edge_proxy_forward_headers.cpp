// checks: errorshield-upgrade-header
// Edge reverse proxy for the telemetry gateway: forwards HTTP API calls and
// WebSocket upgrades from the public side to the gateway pool.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <algorithm>
#include <array>
#include <cctype>
#include <iostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace edge::proxy {

using request_t = http::request<http::string_body>;
using response_t = http::response<http::string_body>;

struct proxy_config {
  std::string via_token = "1.1 tgw-edge";
  std::string upstream_host = "gateway.internal:9000";
  bool forward_trailers = true;
};

inline std::string to_lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Hop-by-hop headers per RFC 9110 7.6.1 plus anything the sender listed in Connection.
class hop_by_hop_filter {
 public:
  explicit hop_by_hop_filter(http::fields const& src) {
    auto [first, last] = src.equal_range(http::field::connection);
    for (auto it = first; it != last; ++it) {
      std::string_view list = it->value();
      while (!list.empty()) {
        auto comma = list.find(',');
        auto token = list.substr(0, comma);
        while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
        while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
        if (!token.empty()) listed_.insert(to_lower(token));
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
      }
    }
  }

  bool drop(http::fields::value_type const& f) const {
    static constexpr std::array<http::field, 8> fixed{
        http::field::connection,          http::field::keep_alive, http::field::proxy_authenticate,
        http::field::proxy_authorization, http::field::te,         http::field::trailer,
        http::field::transfer_encoding,   http::field::upgrade};
    if (std::find(fixed.begin(), fixed.end(), f.name()) != fixed.end()) return true;
    auto lname = to_lower(f.name_string());
    return lname == "proxy-connection" || listed_.count(lname) != 0;
  }

 private:
  std::set<std::string> listed_;
};

inline void copy_end_to_end(http::fields const& src, http::fields& dst) {
  hop_by_hop_filter filter(src);
  for (auto const& f : src) {
    if (filter.drop(f)) continue;
    dst.insert(f.name_string(), f.value());
  }
}

// -----------------------------------------------------------------------------
class forwarder {
 public:
  explicit forwarder(proxy_config cfg) : cfg_(std::move(cfg)) {}

  // Current API path.
  request_t build_upstream(request_t const& in, std::string_view client_ip) const {
    request_t out{in.method(), in.target(), 11};
    copy_end_to_end(in.base(), out.base());
    out.set(http::field::host, cfg_.upstream_host);
    out.set(http::field::via, cfg_.via_token);
    out.set("X-Forwarded-For", std::string(client_ip));
    out.keep_alive(true);  // pooled upstream connection, our own hop
    out.body() = in.body();
    out.prepare_payload();
    return out;
  }

  // v1 path, still used for /legacy/*; hand-rolled skip list.
  request_t build_upstream_v1(request_t const& in) const {
    request_t out{in.method(), in.target(), 11};
    for (auto const& f : in) {
      switch (f.name()) {
        case http::field::connection:
        case http::field::upgrade:
        case http::field::transfer_encoding:
        case http::field::host:
          continue;
        default:
          break;
      }
      out.insert(f.name_string(), f.value()); // expect: errorshield-upgrade-header
    }
    out.set(http::field::host, cfg_.upstream_host);
    out.body() = in.body();
    out.prepare_payload();
    return out;
  }

  // Streaming ingest path: trailers carry per-batch checksums.
  request_t build_stream_upstream(request_t const& in) const {
    request_t out{in.method(), in.target(), 11};
    copy_end_to_end(in.base(), out.base());
    out.set(http::field::host, cfg_.upstream_host);
    if (cfg_.forward_trailers) out.set(http::field::te, in[http::field::te]); // expect: errorshield-upgrade-header
    out.body() = in.body();
    out.prepare_payload();
    return out;
  }

  // Bulk export path: keeps the client's connection semantics "for compatibility".
  request_t build_export_upstream(request_t const& in) const {
    request_t out{in.method(), in.target(), 11};
    copy_end_to_end(in.base(), out.base());
    out.set(http::field::host, cfg_.upstream_host);
    out.set(http::field::connection, in[http::field::connection]); // expect: errorshield-upgrade-header
    out.prepare_payload();
    return out;
  }

  // Response to the client on the normal path.
  response_t build_downstream(response_t const& up, request_t const& client_req) const {
    response_t out{up.result(), client_req.version()};
    copy_end_to_end(up.base(), out.base());
    out.set(http::field::via, cfg_.via_token);
    out.keep_alive(client_req.keep_alive());
    out.body() = up.body();
    out.prepare_payload();
    return out;
  }

  // Response path for /legacy/*: straight copy of whatever the gateway sent.
  response_t build_downstream_v1(response_t const& up, request_t const& client_req) const {
    response_t out{up.result(), client_req.version()};
    for (auto const& f : up) out.insert(f.name_string(), f.value()); // expect: errorshield-upgrade-header
    out.body() = up.body();
    return out;
  }

  // WebSocket tunnel: the proxy opens its own upgrade towards the gateway.
  http::request<http::empty_body> build_ws_upgrade(request_t const& in) const {
    http::request<http::empty_body> out{http::verb::get, in.target(), 11};
    out.set(http::field::host, cfg_.upstream_host);
    out.set(http::field::upgrade, "websocket");
    out.set(http::field::connection, "Upgrade");
    out.set(http::field::sec_websocket_key, in[http::field::sec_websocket_key]);
    out.set(http::field::sec_websocket_version, in[http::field::sec_websocket_version]);
    if (in.count(http::field::sec_websocket_protocol))
      out.set(http::field::sec_websocket_protocol, in[http::field::sec_websocket_protocol]);
    out.set(http::field::via, cfg_.via_token);
    return out;
  }

  // Error page generated by the proxy itself.
  response_t make_bad_gateway(request_t const& client_req, std::string_view why) const {
    response_t res{http::status::bad_gateway, client_req.version()};
    res.set(http::field::content_type, "text/plain");
    res.set(http::field::connection, "close");
    res.body() = "upstream error: " + std::string(why) + "\n";
    res.prepare_payload();
    return res;
  }

 private:
  proxy_config cfg_;
};

// In-place scrub for requests that are re-sent after a retryable failure.
inline void scrub_for_retry(request_t& req) {
  hop_by_hop_filter filter(req.base());
  std::vector<std::string> doomed;
  for (auto const& f : req)
    if (filter.drop(f)) doomed.emplace_back(f.name_string());
  for (auto const& name : doomed) req.erase(name);
  req.erase(http::field::te);
  req.erase("Proxy-Connection");
}

// -----------------------------------------------------------------------------
// One request/response exchange on a pooled upstream connection.
net::awaitable<void> proxy_once(beast::tcp_stream& client, beast::tcp_stream& upstream, forwarder const& fw,
                                std::string client_ip) {
  beast::flat_buffer cbuf, ubuf;
  request_t req;
  co_await http::async_read(client, cbuf, req, net::use_awaitable);

  if (beast::websocket::is_upgrade(req)) {
    auto up_req = fw.build_ws_upgrade(req);
    co_await http::async_write(upstream, up_req, net::use_awaitable);
    co_return;  // the byte-splicing tunnel takes over from here
  }

  bool legacy = req.target().starts_with("/legacy/");
  request_t up_req = legacy ? fw.build_upstream_v1(req) : fw.build_upstream(req, client_ip);
  co_await http::async_write(upstream, up_req, net::use_awaitable);

  response_t up_res;
  beast::error_code ec;
  co_await http::async_read(upstream, ubuf, up_res, net::redirect_error(net::use_awaitable, ec));
  if (ec) {
    auto err = fw.make_bad_gateway(req, ec.message());
    co_await http::async_write(client, err, net::use_awaitable);
    co_return;
  }
  response_t out = legacy ? fw.build_downstream_v1(up_res, req) : fw.build_downstream(up_res, req);
  co_await http::async_write(client, out, net::use_awaitable);
}

}  // namespace edge::proxy
