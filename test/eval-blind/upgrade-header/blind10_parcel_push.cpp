// checks: errorshield-upgrade-header
// Parcel-tracking push notifier: consumes scan events from sorting hubs
// (internal cleartext links) and pushes "out for delivery" / "delivered"
// notifications to the mobile push provider and merchant webhooks (TLS).
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <type_traits>

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using json = nlohmann::json;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

template <class S> struct is_tls : std::false_type {};
template <class Next> struct is_tls<beast::ssl_stream<Next>> : std::true_type {};

struct ScanEvent {
  std::string tracking_no;
  std::string hub;
  std::string status; // "in_transit", "out_for_delivery", "delivered"
  std::string device_token;
};

const std::string &h2c_settings() {
  static const std::string s = "AAMAAABkAAQAoAAAAAIAAAAA";
  return s;
}

void add_h2c_upgrade(Request &req) {
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c");
  req.set("HTTP2-Settings", h2c_settings());
}

Request make_push_request(const ScanEvent &ev, const std::string &host) {
  Request req{http::verb::post, "/3/device/" + ev.device_token, 11};
  req.set(http::field::host, host);
  req.set(http::field::content_type, "application/json");
  req.body() = json{{"aps", {{"alert", "Parcel " + ev.tracking_no + ": " + ev.status}}},
                    {"tracking_no", ev.tracking_no}}
                   .dump();
  req.prepare_payload();
  return req;
}

// OK: hub subscription runs over the internal cleartext network.
void subscribe_hub(beast::tcp_stream &hub, const std::string &hub_host) {
  Request req{http::verb::get, "/events/stream", 11};
  req.set(http::field::host, hub_host);
  add_h2c_upgrade(req);
  http::write(hub, req);
}

// BUG: the helper is reused for the provider connection, which is TLS.
void push_to_provider(TlsStream &provider, const ScanEvent &ev) {
  Request req = make_push_request(ev, "push.provider.example");
  add_h2c_upgrade(req); // expect: errorshield-upgrade-header
  http::write(provider, req);
}

// OK: the upgrade is only added when the stream is not TLS.
template <class Stream>
void post_scan(Stream &s, const ScanEvent &ev, const std::string &host) {
  Request req = make_push_request(ev, host);
  if constexpr (!is_tls<Stream>::value)
    add_h2c_upgrade(req);
  http::write(s, req);
}

// BUG: the merchant webhook sender always asks for h2c; it is only ever used with TLS.
template <class Stream>
void notify_merchant(Stream &s, const std::string &host, const json &payload) {
  Request req{http::verb::post, "/webhooks/parcel", 11};
  req.set(http::field::host, host);
  req.set(http::field::content_type, "application/json");
  req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
  req.body() = payload.dump();
  req.prepare_payload();
  http::write(s, req);
}

struct ProviderConn {
  TlsStream stream;
  Request pending;
  beast::flat_buffer buf;
  Response res;
  ProviderConn(net::io_context &ioc, ssl::context &ctx) : stream(ioc, ctx) {}
};

// BUG: on the rare 505 from the provider, the fallback retries with an h2c upgrade over the same TLS link.
void on_provider_response(std::shared_ptr<ProviderConn> conn) {
  if (conn->res.result() != http::status::http_version_not_supported)
    return;
  conn->pending.set(http::field::connection, "Upgrade, HTTP2-Settings");
  conn->pending.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
  conn->pending.set("HTTP2-Settings", h2c_settings()); // expect: errorshield-upgrade-header
  http::async_write(conn->stream, conn->pending,
                    [conn](beast::error_code ec, std::size_t) {
                      if (ec)
                        return;
                      conn->res = {};
                      http::async_read(conn->stream, conn->buf, conn->res,
                                       [conn](beast::error_code, std::size_t) {});
                    });
}

// OK: the same request scrubbed before it is replayed over TLS.
void replay_scrubbed(std::shared_ptr<ProviderConn> conn) {
  conn->pending.erase(http::field::upgrade);
  conn->pending.erase("HTTP2-Settings");
  conn->pending.erase(http::field::connection);
  http::async_write(conn->stream, conn->pending,
                    [conn](beast::error_code, std::size_t) {});
}

// BUG: coroutine for the batched "delivered" digest copies the hub's settings header onto TLS.
net::awaitable<void> send_digest(TlsStream &provider, const Request &hub_req,
                                 std::string digest_body) {
  Request req{http::verb::post, "/3/digest", 11};
  req.set(http::field::host, "push.provider.example");
  req.set("HTTP2-Settings", hub_req["HTTP2-Settings"]); // expect: errorshield-upgrade-header
  req.body() = std::move(digest_body);
  req.prepare_payload();
  co_await http::async_write(provider, req, net::use_awaitable);
}

// OK: live-tracking map in the customer app uses a secure WebSocket.
net::awaitable<void> open_live_map(websocket::stream<TlsStream> &ws,
                                   std::string host, std::string tracking_no) {
  ws.set_option(websocket::stream_base::decorator([](websocket::request_type &r) {
    r.set(http::field::user_agent, "parcel-push/2.4");
  }));
  co_await ws.async_handshake(host, "/live/" + tracking_no, net::use_awaitable);
}

// OK: HTTP/2 to the provider is negotiated by ALPN during the TLS handshake.
void enable_h2_alpn(ssl::context &ctx) {
  static const unsigned char protos[] = {2, 'h', '2'};
  SSL_CTX_set_alpn_protos(ctx.native_handle(), protos, sizeof(protos));
}

// OK: cleartext hub and TLS provider each get the right treatment.
void fan_out(beast::tcp_stream &hub_link, TlsStream &provider, const ScanEvent &ev) {
  post_scan(hub_link, ev, "hub-relay.svc.local");
  post_scan(provider, ev, "push.provider.example");
}

void send_merchant_update(TlsStream &merchant, const ScanEvent &ev) {
  notify_merchant(merchant, "shop.example",
                  json{{"tracking_no", ev.tracking_no}, {"status", ev.status}});
}

// OK: "h2c" only in a diagnostic string for the hub link.
std::string describe_link(bool tls) {
  return tls ? std::string{"tls+alpn(h2)"} : std::string{"cleartext, Upgrade: h2c"};
}
