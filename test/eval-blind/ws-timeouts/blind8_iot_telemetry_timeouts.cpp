// checks: errorshield-ws-timeouts
// IoT telemetry ingestion tier: sensors and edge gateways push readings over
// WebSocket, firmware is pushed back down, and batches go up to the cloud.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <iostream>
#include <memory>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace telemetry {

websocket::stream_base::timeout device_timeouts() {
  websocket::stream_base::timeout t{};
  t.handshake_timeout = 10s;
  t.idle_timeout = 90s; // sensors report at least once a minute
  t.keep_alive_pings = true;
  return t;
}

void ingest(const json &reading) { std::cout << reading.dump() << "\n"; }

// Individual sensors.
class DeviceSession : public std::enable_shared_from_this<DeviceSession> {
public:
  explicit DeviceSession(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    asio::dispatch(ws_.get_executor(),
                   beast::bind_front_handler(&DeviceSession::on_run, shared_from_this()));
  }

private:
  void on_run() {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(beast::bind_front_handler(&DeviceSession::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec) {
    if (!ec)
      do_read();
  }

  void do_read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      ingest(json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false));
      self->buf_.consume(self->buf_.size());
      self->do_read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
};

// Edge gateways aggregate a few hundred sensors each. The HTTP upgrade read is
// bounded, then the deadline is lifted for the long-lived socket.
class GatewaySession : public std::enable_shared_from_this<GatewaySession> {
public:
  explicit GatewaySession(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    beast::get_lowest_layer(ws_).expires_after(30s);
    http::async_read(ws_.next_layer(), hbuf_, req_,
                     beast::bind_front_handler(&GatewaySession::on_upgrade, shared_from_this()));
  }

private:
  void on_upgrade(beast::error_code ec, std::size_t) {
    if (ec || !websocket::is_upgrade(req_))
      return;
    beast::get_lowest_layer(ws_).expires_never();
    gateway_id_ = std::string(req_["X-Gateway-Id"]);
    ws_.async_accept(req_, beast::bind_front_handler(&GatewaySession::on_accept, shared_from_this())); // expect: errorshield-ws-timeouts
  }

  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code e, std::size_t) {
      if (!e)
        std::cout << "batch from " << self->gateway_id_ << "\n";
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer hbuf_, buf_;
  http::request<http::string_body> req_;
  std::string gateway_id_;
};

// Firmware push channel: options are applied at construction time.
class FirmwarePushSession : public std::enable_shared_from_this<FirmwarePushSession> {
public:
  explicit FirmwarePushSession(tcp::socket s) : ws_(std::move(s)) { configure(); }

  void run() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->send_manifest();
    });
  }

private:
  void configure() {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(device_timeouts());
    ws_.binary(true);
  }

  void send_manifest() {
    manifest_ = json{{"image", "sensor-fw-4.2.1.bin"}, {"chunks", 212}}.dump();
    ws_.async_write(asio::buffer(manifest_), [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::string manifest_;
};

// Old battery-powered sensors sleep for long stretches, so somebody turned the
// idle check off for them.
class LegacySensorSession : public std::enable_shared_from_this<LegacySensorSession> {
public:
  explicit LegacySensorSession(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
    opt.idle_timeout = websocket::stream_base::none(); // expect: errorshield-ws-timeouts
    ws_.set_option(opt);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->ws_.async_read(self->buf_, [self](beast::error_code, std::size_t) {});
    });
  }

private:
  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buf_;
};

// Smart meters: no stream option, but an application-level watchdog that is
// re-armed on every reading and tears the socket down when it fires.
class MeterSession : public std::enable_shared_from_this<MeterSession> {
public:
  explicit MeterSession(tcp::socket s) : ws_(std::move(s)), watchdog_(ws_.get_executor()) {}

  void run() {
    arm_watchdog();
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read_next();
    });
  }

private:
  void arm_watchdog() {
    watchdog_.expires_after(2min);
    watchdog_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec == asio::error::operation_aborted)
        return;
      beast::error_code ignore;
      self->ws_.next_layer().close(ignore);
    });
  }

  void read_next() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->arm_watchdog();
      self->buf_.clear();
      self->read_next();
    });
  }

  websocket::stream<tcp::socket> ws_;
  asio::steady_timer watchdog_;
  beast::flat_buffer buf_;
};

// Mirrors a gateway's feed to the regional historian: one stream towards the
// gateway (server role) and one towards the historian (client role).
class MirrorBridge : public std::enable_shared_from_this<MirrorBridge> {
public:
  MirrorBridge(tcp::socket gw, asio::io_context &ioc) : downstream_(std::move(gw)), upstream_(ioc) {}

  void run() {
    downstream_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    downstream_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->dial_historian();
    });
  }

private:
  void dial_historian() {
    tcp::endpoint ep(asio::ip::make_address("10.20.0.15"), 8443);
    upstream_.next_layer().async_connect(ep, [self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      self->upstream_.async_handshake("historian.internal", "/ingest", [self](beast::error_code) {}); // expect: errorshield-ws-timeouts
    });
  }

  websocket::stream<tcp::socket> downstream_;
  websocket::stream<tcp::socket> upstream_;
};

// Cloud uplink over TLS, no stream timeouts configured.
void open_cloud_uplink(asio::io_context &ioc, ssl::context &tls,
                       std::shared_ptr<websocket::stream<beast::ssl_stream<beast::tcp_stream>>> &out) {
  auto ws = std::make_shared<websocket::stream<beast::ssl_stream<beast::tcp_stream>>>(ioc, tls);
  out = ws;
  tcp::endpoint ep(asio::ip::make_address("52.18.4.100"), 443);
  beast::get_lowest_layer(*ws).async_connect(ep, [ws](beast::error_code ec) {
    if (ec)
      return;
    ws->next_layer().async_handshake(ssl::stream_base::client, [ws](beast::error_code ec) {
      if (ec)
        return;
      ws->async_handshake("ingest.cloud.example", "/v3/batches", [ws](beast::error_code) {}); // expect: errorshield-ws-timeouts
    });
  });
}

// Cold-storage archiver uplink, configured the recommended way.
void open_cold_storage(asio::io_context &ioc, ssl::context &tls,
                       std::shared_ptr<websocket::stream<beast::ssl_stream<beast::tcp_stream>>> &out) {
  auto ws = std::make_shared<websocket::stream<beast::ssl_stream<beast::tcp_stream>>>(ioc, tls);
  out = ws;
  tcp::endpoint ep(asio::ip::make_address("52.18.4.101"), 443);
  beast::get_lowest_layer(*ws).expires_after(30s);
  beast::get_lowest_layer(*ws).async_connect(ep, [ws](beast::error_code ec) {
    if (ec)
      return;
    ws->next_layer().async_handshake(ssl::stream_base::client, [ws](beast::error_code ec) {
      if (ec)
        return;
      beast::get_lowest_layer(*ws).expires_never();
      ws->set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
      ws->async_handshake("archive.cloud.example", "/v1/cold", [ws](beast::error_code) {});
    });
  });
}

} // namespace telemetry
