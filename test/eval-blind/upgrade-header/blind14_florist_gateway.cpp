// checks: errorshield-upgrade-header
// Florist order gateway: accepts storefront orders over HTTPS and fans them out
// to the wholesaler, the courier dispatch service and the in-cluster inventory
// service.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using json = nlohmann::json;

using tls_stream = beast::ssl_stream<beast::tcp_stream>;
using plain_stream = beast::tcp_stream;
using request_t = http::request<http::string_body>;
using response_t = http::response<http::string_body>;

struct GatewayConfig {
  std::string wholesaler_host = "api.bloomwholesale.example";
  std::string courier_host = "dispatch.petalcourier.example";
  std::string inventory_host = "inventory.florist.svc";
  bool experimental_h2 = false;
};

// base64url of an empty SETTINGS payload plus our window size
inline std::string encoded_h2_settings() { return "AAMAAABkAARAAAAAAAIAAAAA"; }

template <class T> struct is_tls : std::false_type {};
template <> struct is_tls<tls_stream> : std::true_type {};

// Adds the HTTP/1.1 -> h2c upgrade offer. Only meaningful on cleartext links.
inline void offer_h2c(request_t &req, std::string const &settings) {
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::upgrade, "h2c");
  req.set("HTTP2-Settings", settings);
}

inline std::string order_body(json const &order) { return order.dump(); }

// ---------------------------------------------------------------------------
// Wholesaler: external partner, always HTTPS.
class WholesalerClient : public std::enable_shared_from_this<WholesalerClient> {
public:
  WholesalerClient(net::any_io_executor ex, ssl::context &ctx, GatewayConfig const &cfg)
      : stream_(ex, ctx), cfg_(cfg) {}

  void submit_order(json const &order) {
    req_ = request_t{http::verb::post, "/v2/orders", 11};
    req_.set(http::field::host, cfg_.wholesaler_host);
    req_.set(http::field::content_type, "application/json");
    req_.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    req_.set("HTTP2-Settings", encoded_h2_settings()); // expect: errorshield-upgrade-header
    req_.body() = order_body(order);
    req_.prepare_payload();
    http::async_write(stream_, req_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec)
                          std::cerr << "wholesaler write: " << ec.message() << "\n";
                      });
  }

private:
  tls_stream stream_;
  GatewayConfig cfg_;
  request_t req_;
};

// ---------------------------------------------------------------------------
// Inventory: in-cluster, cleartext. h2c upgrade is the right way to get HTTP/2 here.
class InventoryClient : public std::enable_shared_from_this<InventoryClient> {
public:
  InventoryClient(net::any_io_executor ex, GatewayConfig const &cfg) : stream_(ex), cfg_(cfg) {}

  void reserve_stems(std::string const &sku, int qty) {
    req_ = request_t{http::verb::post, "/reserve", 11};
    req_.set(http::field::host, cfg_.inventory_host);
    offer_h2c(req_, encoded_h2_settings()); // OK: plain TCP
    req_.body() = json{{"sku", sku}, {"qty", qty}}.dump();
    req_.prepare_payload();
    http::async_write(stream_, req_, [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

private:
  plain_stream stream_;
  GatewayConfig cfg_;
  request_t req_;
};

// ---------------------------------------------------------------------------
// Courier dispatch: third-party HTTPS endpoint.
class CourierClient : public std::enable_shared_from_this<CourierClient> {
public:
  CourierClient(net::any_io_executor ex, ssl::context &ctx, GatewayConfig const &cfg)
      : stream_(ex, ctx), cfg_(cfg) {}

  void book_delivery(std::string const &order_id, std::string const &address) {
    req_ = request_t{http::verb::put, "/deliveries/" + order_id, 11};
    req_.set(http::field::host, cfg_.courier_host);
    req_.set(http::field::content_type, "application/json");
    if (cfg_.experimental_h2)
      offer_h2c(req_, encoded_h2_settings()); // expect: errorshield-upgrade-header
    req_.body() = json{{"address", address}}.dump();
    req_.prepare_payload();
    http::async_write(stream_, req_, [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

private:
  tls_stream stream_;
  GatewayConfig cfg_;
  request_t req_;
};

// Generic health probe used for both kinds of upstream.
template <class Stream>
void send_health_probe(Stream &stream, request_t &req, std::string const &host) {
  req = request_t{http::verb::get, "/healthz", 11};
  req.set(http::field::host, host);
  if constexpr (!is_tls<Stream>::value) {
    req.set(http::field::upgrade, "h2c"); // OK: only compiled for cleartext streams
    req.set("HTTP2-Settings", encoded_h2_settings());
  }
  http::async_write(stream, req, [](beast::error_code, std::size_t) {});
}

// ---------------------------------------------------------------------------
// Storefront session: browsers and the mobile app talk to us over TLS.
class StorefrontSession : public std::enable_shared_from_this<StorefrontSession> {
public:
  StorefrontSession(tcp::socket sock, ssl::context &ctx, GatewayConfig const &cfg,
                    std::shared_ptr<tls_stream> partner)
      : stream_(std::move(sock), ctx), cfg_(cfg), partner_(std::move(partner)) {}

  void start() {
    stream_.async_handshake(ssl::stream_base::server,
                            [self = shared_from_this()](beast::error_code ec) {
                              if (!ec)
                                self->do_read();
                            });
  }

  response_t &response() { return res_; }

private:
  void do_read() {
    req_ = {};
    http::async_read(stream_, buf_, req_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec)
                         return;
                       self->route();
                     });
  }

  void route() {
    auto const upgrade = req_[http::field::upgrade];
    if (websocket::is_upgrade(req_)) {
      // live order-tracking feed; the websocket handshake answers with Upgrade: websocket
      return; // handed to TrackingFeed (not shown)
    }
    if (beast::iequals(upgrade, "h2c")) {
      std::clog << "client offered h2c over TLS, ignoring\n"; // OK: only read and logged
      if (cfg_.experimental_h2) {
        accept_h2c(this);
        return;
      }
    }
    if (req_.version() < 11) {
      reject_legacy_client();
      return;
    }
    if (req_.target().starts_with("/partner/catalog")) {
      relay_catalog_query();
      return;
    }
    if (req_.target().starts_with("/partner/")) {
      relay_to_partner();
      return;
    }
    res_ = response_t{http::status::ok, req_.version()};
    res_.set(http::field::content_type, "application/json");
    res_.body() = R"({"status":"received"})";
    res_.prepare_payload();
    write_response();
  }

  static void accept_h2c(StorefrontSession *self) {
    self->res_ = response_t{http::status::switching_protocols, 11};
    self->response().set(http::field::connection, "Upgrade");
    self->response().set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    self->write_response();
  }

  void relay_to_partner() {
    fwd_ = request_t{req_.method(), req_.target().substr(8), 11};
    fwd_.set(http::field::host, cfg_.wholesaler_host);
    fwd_.set(http::field::content_type, req_[http::field::content_type]);
    if (auto it = req_.find("HTTP2-Settings"); it != req_.end())
      fwd_.set("HTTP2-Settings", it->value()); // expect: errorshield-upgrade-header
    fwd_.body() = req_.body();
    fwd_.prepare_payload();
    http::async_write(*partner_, fwd_, [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  void relay_catalog_query() {
    // copy the whole request but strip hop-by-hop and h2c negotiation headers first
    request_t copy = req_;
    copy.erase(http::field::connection);
    copy.erase(http::field::upgrade);
    copy.erase("HTTP2-Settings");
    copy.set(http::field::host, cfg_.wholesaler_host);
    fwd_ = std::move(copy);
    http::async_write(*partner_, fwd_, [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  void reject_legacy_client() {
    res_ = response_t{http::status::upgrade_required, req_.version()};
    res_.set(http::field::upgrade, "websocket"); // OK: wss tracking feed, not h2c
    res_.set(http::field::connection, "Upgrade");
    res_.prepare_payload();
    write_response();
  }

  void write_response() {
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec && self->res_.keep_alive())
        self->do_read();
    });
  }

  tls_stream stream_;
  beast::flat_buffer buf_;
  GatewayConfig cfg_;
  std::shared_ptr<tls_stream> partner_;
  request_t req_;
  request_t fwd_;
  response_t res_;
  friend class GatewayAdmin;
};

// Admin bits that report on negotiation stats.
class GatewayAdmin {
public:
  static json describe(GatewayConfig const &cfg) {
    std::string const offered = cfg.experimental_h2 ? "h2c" : "http/1.1"; // OK: just a label
    std::string const settings = encoded_h2_settings();
    return json{{"inventory_protocol", offered}, {"settings_len", settings.size()}};
  }
};

void probe_all(net::io_context &ioc, ssl::context &ctx, GatewayConfig const &cfg) {
  plain_stream inv(ioc);
  request_t inv_req;
  send_health_probe(inv, inv_req, cfg.inventory_host);

  tls_stream ws(ioc, ctx);
  request_t ws_req;
  send_health_probe(ws, ws_req, cfg.wholesaler_host);
}
