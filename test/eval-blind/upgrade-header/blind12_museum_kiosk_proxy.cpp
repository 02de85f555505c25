// checks: errorshield-upgrade-header
// Museum kiosk content proxy: gallery kiosks talk plain HTTP/1.1 on the exhibit LAN,
// the proxy fetches manifests/translations from the hosted CMS over TLS and media
// from the on-site cache appliance over cleartext.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace kiosk {

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using PlainStream = beast::tcp_stream;

template <class S> struct is_tls : std::false_type {};
template <class N> struct is_tls<beast::ssl_stream<N>> : std::true_type {};
template <class S> inline constexpr bool is_tls_v = is_tls<S>::value;

struct UpstreamConfig {
  std::string cms_host = "cms.museum.example";
  std::string cms_port = "443";
  std::string cache_host = "10.20.0.5";
  std::string cache_port = "8080";
  std::string h2_settings_b64 = "AAMAAABkAARAAAAAAAIAAAAA";
  bool offer_h2c_to_cache = true;
};

// RFC 7540 section 3.2 cleartext upgrade offer.
inline void add_h2c_offer(Request& req, std::string const& settings) {
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c");
  req.set("HTTP2-Settings", settings);
}

inline Request make_get(std::string const& host, std::string const& target) {
  Request req{http::verb::get, target, 11};
  req.set(http::field::host, host);
  req.set(http::field::user_agent, "kiosk-proxy/3.2");
  req.set(http::field::accept, "application/json");
  return req;
}

// Media cache appliance is on the LAN, cleartext: h2c offer is legitimate here.
Response fetch_from_media_cache(PlainStream& cache, UpstreamConfig const& cfg,
                                std::string const& target) {
  Request req = make_get(cfg.cache_host, target);
  if (cfg.offer_h2c_to_cache)
    add_h2c_offer(req, cfg.h2_settings_b64);
  http::write(cache, req);
  beast::flat_buffer buf;
  Response res;
  http::read(cache, buf, res);
  return res;
}

// Exhibit manifest from the hosted CMS (TLS).
json fetch_exhibit_manifest(TlsStream& cms, UpstreamConfig const& cfg,
                            std::string const& exhibit_id) {
  Request req = make_get(cfg.cms_host, "/api/v2/exhibits/" + exhibit_id + "/manifest");
  req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
  req.set("HTTP2-Settings", cfg.h2_settings_b64); // expect: errorshield-upgrade-header
  req.prepare_payload();
  http::write(cms, req);

  beast::flat_buffer buf;
  Response res;
  http::read(cms, buf, res);
  if (res.result() != http::status::ok)
    return json::object();
  return json::parse(res.body(), nullptr, false);
}

// Audio-guide translation bundles, also from the CMS (TLS).
std::string refresh_translations(TlsStream& cms, UpstreamConfig const& cfg,
                                 std::string const& lang) {
  Request req = make_get(cfg.cms_host, "/api/v2/i18n/" + lang);
  req.set(http::field::accept_encoding, "gzip");
  if (lang.size() == 2)
    add_h2c_offer(req, cfg.h2_settings_b64); // expect: errorshield-upgrade-header
  http::write(cms, req);
  beast::flat_buffer buf;
  Response res;
  http::read(cms, buf, res);
  return res.body();
}

// Generic probe; only offers h2c when the transport is cleartext.
template <class Stream>
void send_capability_probe(Stream& s, std::string const& host, std::string const& settings) {
  Request req{http::verb::options, "*", 11};
  req.set(http::field::host, host);
  if constexpr (!is_tls_v<Stream>) {
    req.set(http::field::connection, "Upgrade, HTTP2-Settings");
    req.set(http::field::upgrade, "h2c");
    req.set("HTTP2-Settings", settings);
  }
  http::write(s, req);
}

template void send_capability_probe<PlainStream>(PlainStream&, std::string const&,
                                                 std::string const&);
template void send_capability_probe<TlsStream>(TlsStream&, std::string const&,
                                               std::string const&);

// Live exhibit updates: WebSocket upgrade over TLS is fine.
void request_live_feed(TlsStream& cms, UpstreamConfig const& cfg) {
  Request req{http::verb::get, "/live/exhibits", 11};
  req.set(http::field::host, cfg.cms_host);
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::upgrade, "websocket");
  req.set(http::field::sec_websocket_version, "13");
  req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  http::write(cms, req);
}

// Floor plan tiles fetched from a coroutine.
net::awaitable<json> fetch_floorplan(TlsStream& cms, UpstreamConfig const& cfg, int floor) {
  Request req = make_get(cfg.cms_host, "/api/v2/floorplan/" + std::to_string(floor));
  if (floor > 0) {
    req.set(http::field::connection, "keep-alive");
    req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
  }
  co_await http::async_write(cms, req, net::use_awaitable);
  beast::flat_buffer buf;
  Response res;
  co_await http::async_read(cms, buf, res, net::use_awaitable);
  co_return json::parse(res.body(), nullptr, false);
}

// One kiosk connection. Kiosk -> proxy is LAN cleartext, proxy -> CMS is TLS.
class KioskSession : public std::enable_shared_from_this<KioskSession> {
public:
  KioskSession(tcp::socket sock, TlsStream& upstream, UpstreamConfig const& cfg)
      : kiosk_(std::move(sock)), upstream_(upstream), cfg_(cfg) {}

  void start() { read_request(); }

private:
  void read_request() {
    in_ = {};
    http::async_read(kiosk_, buf_, in_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec)
                         return;
                       self->relay();
                     });
  }

  // The kiosk's own h2c offer is answered locally, never forwarded.
  bool kiosk_wants_h2c() const {
    return beast::iequals(in_[http::field::upgrade], "h2c");
  }

  void relay() {
    out_ = Request{in_.method(), in_.target(), 11};
    out_.set(http::field::host, cfg_.cms_host);
    if (auto it = in_.find(http::field::accept_language); it != in_.end())
      out_.set(http::field::accept_language, it->value());
    if (auto it = in_.find("X-Kiosk-Id"); it != in_.end())
      out_.set("X-Kiosk-Id", it->value());
    if (auto it = in_.find("HTTP2-Settings"); it != in_.end())
      out_.set("HTTP2-Settings", it->value()); // expect: errorshield-upgrade-header
    out_.body() = in_.body();
    out_.prepare_payload();

    http::async_write(upstream_, out_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec)
                          return;
                        self->read_upstream();
                      });
  }

  // Fixed variant used for the admin console route: strips h2c headers first.
  void relay_admin() {
    out_ = in_;
    out_.erase(http::field::connection);
    out_.erase(http::field::upgrade);
    out_.erase("HTTP2-Settings");
    out_.set(http::field::host, cfg_.cms_host);
    out_.prepare_payload();
    http::async_write(upstream_, out_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (!ec)
                          self->read_upstream();
                      });
  }

  void read_upstream() {
    res_ = {};
    http::async_read(upstream_, up_buf_, res_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec)
                         return;
                       self->answer_kiosk();
                     });
  }

  void answer_kiosk() {
    json diag = {{"kiosk", std::string(in_["X-Kiosk-Id"])},
                 {"status", res_.result_int()},
                 {"h2c_offered_by_kiosk", kiosk_wants_h2c()},
                 {"upgrade_token", "h2c"}};
    std::fprintf(stderr, "%s\n", diag.dump().c_str());
    res_.erase(http::field::upgrade);
    http::async_write(kiosk_, res_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (!ec)
                          self->read_request();
                      });
  }

  PlainStream kiosk_;
  TlsStream& upstream_;
  UpstreamConfig const& cfg_;
  beast::flat_buffer buf_;
  beast::flat_buffer up_buf_;
  Request in_;
  Request out_;
  Response res_;
};

// Kiosk LAN listener may accept the kiosk's own h2c upgrade (cleartext).
void answer_h2c_switch(PlainStream& kiosk, unsigned version) {
  Response res{http::status::switching_protocols, version};
  res.set(http::field::connection, "Upgrade");
  res.set(http::field::upgrade, "h2c");
  http::write(kiosk, res);
}

ssl::context make_cms_tls_context() {
  ssl::context ctx{ssl::context::tls_client};
  ctx.set_default_verify_paths();
  ctx.set_verify_mode(ssl::verify_peer);
  static const unsigned char alpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(ctx.native_handle(), alpn, sizeof(alpn));
  return ctx;
}

} // namespace kiosk
