// checks: errorshield-upgrade-header
// Ride-hailing dispatch: outbound HTTP clients for routing, geocoding and
// payments, plus the driver-app API gateway that relays requests inward.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <string>
#include <type_traits>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
using json = nlohmann::json;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

namespace dispatch {

template <class Stream> struct is_tls : std::false_type {};
template <class Next> struct is_tls<beast::ssl_stream<Next>> : std::true_type {};

// base64url(SETTINGS_MAX_CONCURRENT_STREAMS=100, SETTINGS_INITIAL_WINDOW_SIZE=1MiB)
std::string h2_settings_payload() { return "AAMAAABkAAQAEAAA"; }

// Generic "try HTTP/2" hook used by every client; only cleartext connections
// get the h2c offer, TLS ones negotiate through ALPN instead.
template <class Stream> void offer_h2(Request &req) {
  if constexpr (!is_tls<Stream>::value) {
    req.set(http::field::connection, "Upgrade, HTTP2-Settings");
    req.set(http::field::upgrade, "h2c");
    req.set("HTTP2-Settings", h2_settings_payload());
  }
}

template <class Stream> awaitable<Response> call(Stream &stream, Request req) {
  offer_h2<Stream>(req);
  req.prepare_payload();
  co_await http::async_write(stream, req, use_awaitable);
  beast::flat_buffer buf;
  Response res;
  co_await http::async_read(stream, buf, res, use_awaitable);
  co_return res;
}

// Geocoder inside the VPC, plain TCP.
awaitable<json> reverse_geocode(beast::tcp_stream &geo, double lat, double lng) {
  Request req{http::verb::get, "/v1/reverse?lat=" + std::to_string(lat) + "&lng=" + std::to_string(lng), 11};
  req.set(http::field::host, "geocoder.internal");
  auto res = co_await call(geo, std::move(req));
  co_return json::parse(res.body(), nullptr, false);
}

// Routing provider, public internet over TLS, ALPN-negotiated.
awaitable<json> route_eta(TlsStream &routing, const json &legs) {
  static const unsigned char alpn[] = "\x02h2\x08http/1.1";
  SSL_set_alpn_protos(routing.native_handle(), alpn, sizeof(alpn) - 1);
  co_await routing.async_handshake(ssl::stream_base::client, use_awaitable);
  Request req{http::verb::post, "/v3/eta", 11};
  req.set(http::field::host, "api.routing-provider.example");
  req.set(http::field::content_type, "application/json");
  req.body() = legs.dump();
  auto res = co_await call(routing, std::move(req));
  co_return json::parse(res.body(), nullptr, false);
}

// Traffic incidents, also public TLS, hand-rolled request.
awaitable<json> traffic_incidents(TlsStream &traffic, const std::string &city) {
  Request req{http::verb::get, "/incidents?city=" + city, 11};
  req.set(http::field::host, "traffic.example.net");
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
  req.set("HTTP2-Settings", h2_settings_payload()); // expect: errorshield-upgrade-header
  co_await http::async_write(traffic, req, use_awaitable);
  beast::flat_buffer buf;
  Response res;
  co_await http::async_read(traffic, buf, res, use_awaitable);
  co_return json::parse(res.body(), nullptr, false);
}

// Live-location relay: manual WebSocket upgrade over TLS.
awaitable<bool> open_location_relay(TlsStream &relay, const std::string &key) {
  Request req{http::verb::get, "/relay/locations", 11};
  req.set(http::field::host, "relay.dispatch.example");
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::upgrade, "websocket");
  req.set(http::field::sec_websocket_version, "13");
  req.set(http::field::sec_websocket_key, key);
  co_await http::async_write(relay, req, use_awaitable);
  beast::flat_buffer buf;
  http::response<http::empty_body> res;
  co_await http::async_read(relay, buf, res, use_awaitable);
  co_return res.result() == http::status::switching_protocols;
}

// ---------------------------------------------------------------------------
// Driver-app API gateway. The load balancer terminates TLS and speaks plain
// HTTP/1.1 to us; we relay to internal services.

class DriverGateway {
public:
  DriverGateway(beast::tcp_stream &trips, TlsStream &payments) : trips_(trips), payments_(payments) {}

  awaitable<void> serve(beast::tcp_stream client) {
    beast::flat_buffer buf;
    for (;;) {
      Request in;
      co_await http::async_read(client, buf, in, use_awaitable);
      Response res = in.target().starts_with("/trips") ? co_await relay_trip(in)
                                                       : co_await relay_shift(in);
      co_await http::async_write(client, res, use_awaitable);
    }
  }

private:
  static void sanitize(Request &r) {
    for (auto tok : http::token_list{r[http::field::connection]})
      r.erase(tok);
    r.erase(http::field::connection);
    r.erase(http::field::keep_alive);
    r.erase(http::field::upgrade);
    r.erase(http::field::te);
    r.erase(http::field::trailer);
    r.erase(http::field::transfer_encoding);
    r.erase(http::field::proxy_authorization);
    r.erase("HTTP2-Settings");
  }

  awaitable<Response> relay_trip(const Request &in) {
    Request out = in;
    sanitize(out);
    out.set(http::field::host, "trips.internal");
    out.prepare_payload();
    co_await http::async_write(trips_, out, use_awaitable);
    beast::flat_buffer buf;
    Response res;
    co_await http::async_read(trips_, buf, res, use_awaitable);
    co_return res;
  }

  awaitable<Response> relay_shift(const Request &in) {
    Request out{in.method(), in.target(), in.version()};
    out.set(http::field::host, "shifts.internal");
    out.set(http::field::authorization, in[http::field::authorization]);
    out.set(http::field::content_type, in[http::field::content_type]);
    out.set(http::field::upgrade, in[http::field::upgrade]); // expect: errorshield-upgrade-header
    out.set(http::field::keep_alive, in[http::field::keep_alive]); // expect: errorshield-upgrade-header
    out.body() = in.body();
    out.prepare_payload();
    co_await http::async_write(trips_, out, use_awaitable);
    beast::flat_buffer buf;
    Response res;
    co_await http::async_read(trips_, buf, res, use_awaitable);
    co_return res;
  }

  beast::tcp_stream &trips_;
  TlsStream &payments_;
};

// Fare capture relay to the payment processor (TLS), stackful.
void run_fare_capture_relay(asio::io_context &ioc, tcp::acceptor &acc, TlsStream &payments) {
  asio::spawn(
      ioc,
      [&acc, &payments](asio::yield_context yield) {
        for (;;) {
          tcp::socket sock = acc.async_accept(yield);
          beast::flat_buffer buf;
          Request in;
          http::async_read(sock, buf, in, yield);

          Request out = in;
          out.set(http::field::host, "api.payments.example");
          out.set("Idempotency-Key", std::string(in["X-Trip-Id"]));
          http::async_write(payments, out, yield); // expect: errorshield-upgrade-header

          beast::flat_buffer pbuf;
          Response res;
          http::async_read(payments, pbuf, res, yield);
          Response reply{res.result(), in.version()};
          reply.set(http::field::content_type, "application/json");
          reply.body() = res.body();
          reply.prepare_payload();
          http::async_write(sock, reply, yield);
        }
      },
      asio::detached);
}

awaitable<void> warm_up(beast::tcp_stream &geo, TlsStream &routing) {
  co_await reverse_geocode(geo, 52.52, 13.405);
  co_await route_eta(routing, json::array({{{"from", "A"}, {"to", "B"}}}));
}

} // namespace dispatch
