// checks: errorshield-upgrade-header
// Edge proxy in front of a newsroom live-blog service.  Readers hit the proxy over
// TLS (or plain HTTP on the internal preview host); the proxy forwards to the
// live-blog app over cleartext HTTP/1.1 inside the VPC and also warms the CDN
// origin shield over TLS when an editor publishes a new post.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>

#include <array>
#include <iostream>
#include <memory>
#include <string>
#include <type_traits>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using asio::ip::tcp;
using beast::error_code;

using request_t = http::request<http::string_body>;
using response_t = http::response<http::string_body>;

// RFC 9110 7.6.1 connection-specific fields plus the legacy ones browsers still send.
inline bool is_hop_by_hop(http::field f) {
  switch (f) {
  case http::field::connection:
  case http::field::keep_alive:
  case http::field::proxy_connection:
  case http::field::te:
  case http::field::trailer:
  case http::field::transfer_encoding:
  case http::field::upgrade:
  case http::field::proxy_authenticate:
  case http::field::proxy_authorization:
    return true;
  default:
    return false;
  }
}

// Copies only end-to-end fields, including any field the sender nominated as
// connection-specific through its Connection header.
template <bool IsReq>
void copy_end_to_end(const http::message<IsReq, http::string_body> &from,
                     http::message<IsReq, http::string_body> &to) {
  http::token_list nominated{from[http::field::connection]};
  for (const auto &f : from) {
    if (is_hop_by_hop(f.name()))
      continue;
    bool skip = false;
    for (auto tok : nominated)
      if (beast::iequals(tok, f.name_string()))
        skip = true;
    if (!skip)
      to.insert(f.name_string(), f.value());
  }
}

// Builds the HTTP/1.1 -> h2c upgrade offer (RFC 7540 3.2).  Only meaningful on a
// cleartext connection; over TLS, HTTP/2 is negotiated with ALPN instead.
inline void offer_h2c(request_t &req, const std::string &settings_b64) {
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c");
  req.set("HTTP2-Settings", settings_b64);
}

response_t make_error(unsigned version, http::status st, const std::string &why) {
  response_t res{st, version};
  res.set(http::field::content_type, "text/plain");
  res.set(http::field::connection, "close");
  res.body() = why;
  res.prepare_payload();
  return res;
}

template <class ClientStream>
class liveblog_proxy : public std::enable_shared_from_this<liveblog_proxy<ClientStream>> {
public:
  liveblog_proxy(ClientStream client, tcp::socket upstream, std::string upstream_host,
                 std::string peer_ip)
      : client_(std::move(client)), upstream_(std::move(upstream)),
        upstream_host_(std::move(upstream_host)), peer_ip_(std::move(peer_ip)) {}

  void start() { read_client(); }

private:
  void read_client() {
    client_req_ = {};
    http::async_read(client_, cbuf_, client_req_,
                     beast::bind_front_handler(&liveblog_proxy::on_client_read,
                                               this->shared_from_this()));
  }

  void on_client_read(error_code ec, std::size_t) {
    if (ec)
      return;
    if (!client_req_[http::field::upgrade].empty())
      std::clog << "upgrade requested: " << client_req_[http::field::upgrade] << "\n";
    auto target = client_req_.target();
    if (target.starts_with("/live/sse/"))
      forward_sse_legacy();
    else if (websocket::is_upgrade(client_req_))
      forward_ws_upgrade();
    else
      forward_regular();
  }

  void build_upstream_request() {
    up_req_ = {};
    up_req_.method(client_req_.method());
    up_req_.target(client_req_.target());
    up_req_.version(11);
    copy_end_to_end(client_req_, up_req_);
    up_req_.set(http::field::host, upstream_host_);
    up_req_.set("X-Forwarded-For", peer_ip_);
    up_req_.set("X-Forwarded-Proto", is_tls() ? "https" : "http");
    // The CMS streams chunked updates with trailers (edit counts, checksums);
    // someone "kept the client's TE so the app knows it may send them".
    if (client_req_.count(http::field::te))
      up_req_.set(http::field::te, client_req_[http::field::te]); // expect: errorshield-upgrade-header
    up_req_.keep_alive(true); // our own pooled hop to the app
    up_req_.body() = client_req_.body();
    up_req_.prepare_payload();
  }

  void forward_regular() {
    build_upstream_request();
    http::async_write(upstream_, up_req_,
                      beast::bind_front_handler(&liveblog_proxy::on_upstream_written,
                                                this->shared_from_this()));
  }

  // Server-sent events endpoint kept for old embed widgets.  It was "just a
  // passthrough", so the reader's request goes upstream as received, with its
  // Connection / Keep-Alive / Upgrade headers intact.
  void forward_sse_legacy() {
    client_req_.set(http::field::host, upstream_host_);
    http::async_write(upstream_, client_req_, // expect: errorshield-upgrade-header
                      beast::bind_front_handler(&liveblog_proxy::on_upstream_written,
                                                this->shared_from_this()));
  }

  // WebSocket tunnel for live comment threads.  The proxy itself understands
  // the upgrade, so it regenerates Upgrade/Connection for the next hop.
  void forward_ws_upgrade() {
    build_upstream_request();
    up_req_.set(http::field::upgrade, "websocket");
    up_req_.set(http::field::connection, "Upgrade");
    http::async_write(upstream_, up_req_,
                      beast::bind_front_handler(&liveblog_proxy::on_upstream_written,
                                                this->shared_from_this()));
  }

  void on_upstream_written(error_code ec, std::size_t) {
    if (ec)
      return send_client(make_error(client_req_.version(), http::status::bad_gateway, "upstream"));
    up_res_ = {};
    http::async_read(upstream_, ubuf_, up_res_,
                     beast::bind_front_handler(&liveblog_proxy::on_upstream_read,
                                               this->shared_from_this()));
  }

  void on_upstream_read(error_code ec, std::size_t) {
    if (ec)
      return send_client(make_error(client_req_.version(), http::status::bad_gateway, "upstream"));
    response_t out{up_res_.result(), client_req_.version()};
    if (up_res_.result_int() >= 500) {
      // Pass the app's own error page through untouched so editors can see
      // the stack id.  Every upstream header is copied, hop-by-hop included.
      for (const auto &f : up_res_)
        out.insert(f.name_string(), f.value()); // expect: errorshield-upgrade-header
    } else {
      copy_end_to_end(up_res_, out);
      out.set("Cache-Control", "public, max-age=2");
    }
    out.body() = std::move(up_res_.body());
    out.keep_alive(client_req_.keep_alive());
    out.prepare_payload();
    send_client(std::move(out));
  }

  void send_client(response_t res) {
    auto sp = std::make_shared<response_t>(std::move(res));
    http::async_write(client_, *sp,
                      [self = this->shared_from_this(), sp](error_code ec, std::size_t) {
                        if (!ec && sp->keep_alive())
                          self->read_client();
                      });
  }

  static constexpr bool is_tls() {
    return !std::is_same_v<ClientStream, beast::tcp_stream>;
  }

  ClientStream client_;
  beast::tcp_stream upstream_;
  beast::flat_buffer cbuf_, ubuf_;
  request_t client_req_, up_req_;
  response_t up_res_;
  std::string upstream_host_;
  std::string peer_ip_;
};

template class liveblog_proxy<beast::tcp_stream>;
template class liveblog_proxy<beast::ssl_stream<beast::tcp_stream>>;

// ---------------------------------------------------------------------------
// Cache warming after an editor publishes.  Both warmers share offer_h2c().

constexpr const char *k_h2_settings = "AAMAAABkAARAAAAAAAIAAAAA";

// Cleartext hop to the app tier: h2c upgrade is exactly what this is for.
void warm_app_tier(asio::io_context &ioc, const std::string &host, const std::string &path) {
  auto stream = std::make_shared<beast::tcp_stream>(ioc);
  auto req = std::make_shared<request_t>(http::verb::get, path, 11);
  req->set(http::field::host, host);
  offer_h2c(*req, k_h2_settings);
  stream->async_connect(tcp::endpoint(asio::ip::make_address("10.20.0.7"), 8080),
                        [stream, req](error_code ec) {
                          if (!ec)
                            http::async_write(*stream, *req,
                                              [stream, req](error_code, std::size_t) {});
                        });
}

// Origin shield is only reachable over TLS.  The same helper was reused, so the
// cleartext-only upgrade offer now travels inside the TLS session.
void warm_origin_shield(asio::io_context &ioc, ssl::context &ctx, const std::string &host,
                        const std::string &path) {
  auto stream = std::make_shared<beast::ssl_stream<beast::tcp_stream>>(ioc, ctx);
  auto req = std::make_shared<request_t>(http::verb::get, path, 11);
  req->set(http::field::host, host);
  req->set(http::field::user_agent, "liveblog-warmer/2.3");
  offer_h2c(*req, k_h2_settings); // expect: errorshield-upgrade-header
  beast::get_lowest_layer(*stream).async_connect(
      tcp::endpoint(asio::ip::make_address("10.30.0.2"), 443), [stream, req](error_code ec) {
        if (ec)
          return;
        stream->async_handshake(ssl::stream_base::client, [stream, req](error_code ec) {
          if (!ec)
            http::async_write(*stream, *req, [stream, req](error_code, std::size_t) {});
        });
      });
}
