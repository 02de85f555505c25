// checks: errorshield-upgrade-header
// Offshore platform telemetry gateway: collects wellhead / mud-pump readings
// from the rig floor LAN and forwards them to the onshore operations centre.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/ssl.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace rig {

constexpr const char* kH2Settings = "AAMAAABkAARAAAAAAAIAAAAA";

http::request<http::string_body> telemetry_post(const std::string& host,
                                                std::string body) {
  http::request<http::string_body> req{http::verb::post, "/v1/telemetry", 11};
  req.set(http::field::host, host);
  req.set(http::field::content_type, "application/json");
  req.body() = std::move(body);
  req.prepare_payload();
  return req;
}

// Uplink to the onshore operations centre over the satellite link (TLS).
void push_onshore(beast::ssl_stream<beast::tcp_stream>& uplink, const std::string& batch) {
  auto req = telemetry_post("ops.onshore.example", batch);
  // Try to move to HTTP/2 to multiplex the pump and wellhead feeds.
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
  req.set("HTTP2-Settings", kH2Settings);
  http::write(uplink, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(uplink, buf, res);
}

// Rig-floor sensor hub speaks plain HTTP on the isolated control LAN.
void poll_sensor_hub(beast::tcp_stream& hub) {
  http::request<http::empty_body> req{http::verb::get, "/readings", 11};
  req.set(http::field::host, "sensor-hub.rigfloor");
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c");
  req.set("HTTP2-Settings", kH2Settings);
  http::write(hub, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(hub, buf, res);
}

// Incoming TLS connections from the drilling contractor's dashboards.
class ContractorSession : public std::enable_shared_from_this<ContractorSession> {
 public:
  ContractorSession(tcp::socket s, ssl::context& ctx) : stream_(std::move(s), ctx) {}

  void start() {
    stream_.async_handshake(ssl::stream_base::server,
                            [self = shared_from_this()](beast::error_code ec) {
                              if (!ec) self->do_read();
                            });
  }

 private:
  void do_read() {
    req_ = {};
    http::async_read(stream_, buf_, req_,
                     beast::bind_front_handler(&ContractorSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    if (websocket::is_upgrade(req_)) {
      // Live mud-log view runs on a WebSocket over the same TLS connection.
      res_ = {http::status::switching_protocols, req_.version()};
      res_.set(http::field::connection, "Upgrade");
      res_.set(http::field::upgrade, "websocket");
    } else if (req_[http::field::upgrade] == "h2c") {
      res_ = {http::status::switching_protocols, req_.version()};
      res_.set(http::field::connection, "Upgrade");
      res_.set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    } else {
      res_ = {http::status::ok, req_.version()};
      res_.body() = "{\"wells\":3}";
    }
    res_.prepare_payload();
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec,
                                                                 std::size_t) {
      if (!ec) self->do_read();
    });
  }

  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

// Helicopter deck weather station uploads go through the TLS relay.
asio::awaitable<void> helideck_upload(beast::ssl_stream<beast::tcp_stream>& relay,
                                      std::string reading) {
  auto req = telemetry_post("relay.platform", std::move(reading));
  req.set("Connection", "Upgrade, HTTP2-Settings");
  req.set("Upgrade", "h2c"); // expect: errorshield-upgrade-header
  req.set("HTTP2-Settings", kH2Settings);
  co_await http::async_write(relay, req, asio::use_awaitable);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  co_await http::async_read(relay, buf, res, asio::use_awaitable);
}

// Blow-out preventer status: a hand-built request on the encrypted channel.
void report_bop_status(ssl::stream<tcp::socket>& secure, bool sealed) {
  std::string body = sealed ? "{\"bop\":\"sealed\"}" : "{\"bop\":\"open\"}";
  std::string wire =
      "POST /v1/bop HTTP/1.1\r\n"
      "Host: ops.onshore.example\r\n"
      "Connection: Upgrade, HTTP2-Settings\r\n"
      "Upgrade: h2c\r\n" // expect: errorshield-upgrade-header
      "HTTP2-Settings: " + std::string(kH2Settings) + "\r\n"
      "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  asio::write(secure, asio::buffer(wire));
}

// Same status frame to the local control-room panel (plain TCP, no TLS).
void report_bop_local(tcp::socket& panel, bool sealed) {
  std::string body = sealed ? "{\"bop\":\"sealed\"}" : "{\"bop\":\"open\"}";
  std::string wire =
      "POST /v1/bop HTTP/1.1\r\n"
      "Host: control-room.local\r\n"
      "Connection: Upgrade, HTTP2-Settings\r\n"
      "Upgrade: h2c\r\n"
      "HTTP2-Settings: " + std::string(kH2Settings) + "\r\n"
      "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  asio::write(panel, asio::buffer(wire));
}

// Reconnect path for the backup VSAT terminal.
void reconnect_backup(ssl::stream<tcp::socket>& vsat, std::shared_ptr<std::string> batch) {
  vsat.async_handshake(ssl::stream_base::client, [&vsat, batch](beast::error_code ec) {
    if (ec) return;
    auto req = std::make_shared<http::request<http::string_body>>(
        telemetry_post("backup.onshore.example", *batch));
    req->set(http::field::connection, "Upgrade, HTTP2-Settings");
    req->set(http::field::upgrade, "h2c"); // expect: errorshield-upgrade-header
    req->set("HTTP2-Settings", kH2Settings);
    http::async_write(vsat, *req, [req](beast::error_code, std::size_t) {});
  });
}

// HTTP/2 over TLS is negotiated with ALPN during the uplink handshake instead.
void configure_uplink_alpn(ssl::context& ctx) {
  static const unsigned char protos[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(ctx.native_handle(), protos, sizeof protos);
}

// Generic forwarder used for the unencrypted historian on the rig LAN.
template <class Stream>
void forward_to_historian(Stream& s, const std::string& batch) {
  auto req = telemetry_post("historian.rigfloor", batch);
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c");
  req.set("HTTP2-Settings", kH2Settings);
  http::write(s, req);
}

void historian_cycle(asio::io_context& ioc, const std::string& batch) {
  beast::tcp_stream historian(ioc);
  historian.connect(tcp::endpoint(asio::ip::make_address("10.20.0.15"), 8080));
  forward_to_historian(historian, batch);
}

}  // namespace rig

int main() {
  asio::io_context ioc;
  ssl::context ctx(ssl::context::tls_server);
  ssl::context uplink_ctx(ssl::context::tls_client);
  rig::configure_uplink_alpn(uplink_ctx);
  tcp::acceptor acc(ioc, {tcp::v4(), 8443});
  std::function<void()> accept_next = [&] {
    acc.async_accept([&](beast::error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<rig::ContractorSession>(std::move(s), ctx)->start();
      accept_next();
    });
  };
  accept_next();
  rig::historian_cycle(ioc, "{\"pump1\":412}");
  ioc.run();
}
