// checks: errorshield-ws-timeouts
// IoT telemetry gateway: TLS sensor sessions, a templated actuator session, coroutine endpoints, and
// uplink clients held through unique_ptr / optional.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;
using namespace std::placeholders;

static void log_fail(beast::error_code ec, const char* what) {
  std::fprintf(stderr, "iot %s: %s\n", what, ec.message().c_str());
}

// Sensor session over TLS: the TCP deadline covers the TLS handshake, but no websocket timeout is ever set.
class SensorSession : public std::enable_shared_from_this<SensorSession> {
 public:
  SensorSession(tcp::socket&& socket, ssl::context& ctx) : ws_(std::move(socket), ctx) {}

  void run() {
    beast::get_lowest_layer(ws_).expires_after(30s);
    ws_.next_layer().async_handshake(ssl::stream_base::server, std::bind(&SensorSession::on_tls, shared_from_this(), _1));
  }

 private:
  void on_tls(beast::error_code ec) {
    if (ec) return log_fail(ec, "sensor tls");
    beast::get_lowest_layer(ws_).expires_never();
    ws_.async_accept(std::bind(&SensorSession::on_accept, shared_from_this(), _1));
  }

  void on_accept(beast::error_code ec) {
    if (ec) log_fail(ec, "sensor accept");
  }

  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws_;  // expect: errorshield-ws-timeouts
};

// Gateway session over TLS: suggested server timeouts applied once the TLS layer is up.
class GatewaySession : public std::enable_shared_from_this<GatewaySession> {
 public:
  GatewaySession(tcp::socket&& socket, ssl::context& ctx) : ws_(std::move(socket), ctx) {}

  void run() {
    beast::get_lowest_layer(ws_).expires_after(30s);
    ws_.next_layer().async_handshake(ssl::stream_base::server, std::bind(&GatewaySession::on_tls, shared_from_this(), _1));
  }

 private:
  void on_tls(beast::error_code ec) {
    if (ec) return log_fail(ec, "gateway tls");
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(std::bind(&GatewaySession::on_accept, shared_from_this(), _1));
  }

  void on_accept(beast::error_code ec) {
    if (ec) log_fail(ec, "gateway accept");
  }

  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws_;
};

// Actuator session, generic over the transport: timeouts set in the constructor, accept issued from start().
template <class NextLayer>
class ActuatorSession : public std::enable_shared_from_this<ActuatorSession<NextLayer>> {
 public:
  explicit ActuatorSession(NextLayer&& layer) : ws_(std::move(layer)) {
    ws_.set_option(websocket::stream_base::timeout{20s, 120s, true});
  }

  void start(http::request<http::string_body> req) {
    ws_.async_accept(req, [self = this->shared_from_this()](beast::error_code ec) {
      if (ec) log_fail(ec, "actuator accept");
    });
  }

 private:
  websocket::stream<NextLayer> ws_;
};

// Meter session, generic too: the idle timeout is disabled on a server stream.
template <class NextLayer>
class MeterSession : public std::enable_shared_from_this<MeterSession<NextLayer>> {
 public:
  explicit MeterSession(NextLayer&& layer) : ws_(std::move(layer)) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout{std::chrono::seconds(30), websocket::stream_base::none(), true}); // expect: errorshield-ws-timeouts
    ws_.async_accept([self = this->shared_from_this()](beast::error_code ec) {
      if (ec) log_fail(ec, "meter accept");
    });
  }

 private:
  websocket::stream<NextLayer> ws_;
};

template class ActuatorSession<beast::tcp_stream>;
template class MeterSession<beast::tcp_stream>;

// Firmware status endpoint: coroutine, only a TCP deadline on the upgrade.
net::awaitable<void> firmware_status_session(tcp::socket socket) {
  beast::tcp_stream stream{std::move(socket)};
  beast::flat_buffer buffer;
  http::request<http::string_body> req;
  stream.expires_after(10s);
  co_await http::async_read(stream, buffer, req, net::use_awaitable);
  stream.expires_never();
  websocket::stream<beast::tcp_stream> ws{std::move(stream)};  // expect: errorshield-ws-timeouts
  co_await ws.async_accept(req, net::use_awaitable);
  co_await ws.async_write(net::buffer(std::string("{\"fw\":\"2.3.1\"}")), net::use_awaitable);
}

// Telemetry endpoint: suggested values, then the idle window widened to five minutes for sleepy devices.
net::awaitable<void> telemetry_session(tcp::socket socket) {
  beast::tcp_stream stream{std::move(socket)};
  beast::flat_buffer buffer;
  http::request<http::string_body> req;
  co_await http::async_read(stream, buffer, req, net::use_awaitable);
  websocket::stream<beast::tcp_stream> ws{std::move(stream)};
  auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
  opt.idle_timeout = 5min;
  ws.set_option(opt);
  co_await ws.async_accept(req, net::use_awaitable);
  for (;;) {
    co_await ws.async_read(buffer, net::use_awaitable);
    buffer.consume(buffer.size());
  }
}

// Battery-saver endpoint: starts from the suggested values, then switches idle detection off.
net::awaitable<void> battery_saver_session(tcp::socket socket) {
  websocket::stream<beast::tcp_stream> ws{std::move(socket)};
  auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
  opt.idle_timeout = websocket::stream_base::none(); // expect: errorshield-ws-timeouts
  ws.set_option(opt);
  co_await ws.async_accept(net::use_awaitable);
}

// Provisioning endpoint: removes the handshake deadline so slow modems can finish the upgrade.
net::awaitable<void> provisioning_session(tcp::socket socket) {
  websocket::stream<beast::tcp_stream> ws{std::move(socket)};
  ws.set_option(websocket::stream_base::timeout{websocket::stream_base::none(), std::chrono::seconds(90), true}); // expect: errorshield-ws-timeouts
  co_await ws.async_accept(net::use_awaitable);
}

// Diagnostics endpoint: pings switched off, but a finite idle timeout still reaps dead peers.
net::awaitable<void> diagnostics_session(tcp::socket socket) {
  websocket::stream<beast::tcp_stream> ws{std::move(socket)};
  ws.set_option(websocket::stream_base::timeout{15s, 60s, false});
  co_await ws.async_accept(net::use_awaitable);
}

// Uplink to the cloud broker, held behind a unique_ptr and never given websocket timeouts.
class CloudUplink {
 public:
  CloudUplink(net::io_context& ioc, ssl::context& ctx, std::string host) : ioc_(ioc), ctx_(ctx), host_(std::move(host)) {}

  void on_connected(tcp::socket socket) {
    ws_ = std::make_unique<websocket::stream<beast::ssl_stream<beast::tcp_stream>>>(std::move(socket), ctx_);  // expect: errorshield-ws-timeouts
    ws_->next_layer().async_handshake(ssl::stream_base::client, [this](beast::error_code ec) {
      if (ec) return log_fail(ec, "uplink tls");
      ws_->async_handshake(host_, "/ingest", [this](beast::error_code ec2) {
        if (ec2) return log_fail(ec2, "uplink handshake");
        online_ = true;
      });
    });
  }

 private:
  net::io_context& ioc_;
  ssl::context& ctx_;
  std::string host_;
  std::unique_ptr<websocket::stream<beast::ssl_stream<beast::tcp_stream>>> ws_;
  bool online_ = false;
};

// Backup uplink: same shape, with the suggested client timeouts applied before the handshake.
class BackupUplink {
 public:
  BackupUplink(ssl::context& ctx, std::string host) : ctx_(ctx), host_(std::move(host)) {}

  void on_connected(tcp::socket socket) {
    ws_ = std::make_unique<websocket::stream<beast::ssl_stream<beast::tcp_stream>>>(std::move(socket), ctx_);
    ws_->next_layer().async_handshake(ssl::stream_base::client, [this](beast::error_code ec) {
      if (ec) return log_fail(ec, "backup tls");
      ws_->set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
      ws_->async_handshake(host_, "/ingest", [this](beast::error_code ec2) {
        if (!ec2) online_ = true;
      });
    });
  }

 private:
  ssl::context& ctx_;
  std::string host_;
  std::unique_ptr<websocket::stream<beast::ssl_stream<beast::tcp_stream>>> ws_;
  bool online_ = false;
};

// Sync config puller held in an optional: connects and handshakes with nothing configured.
class ConfigPuller {
 public:
  explicit ConfigPuller(net::io_context& ioc) : ioc_(ioc) {}

  bool connect(const std::string& host, const std::string& port) {
    tcp::resolver resolver{ioc_};
    ws_.emplace(ioc_);  // expect: errorshield-ws-timeouts
    net::connect(ws_->next_layer(), resolver.resolve(host, port));
    beast::error_code ec;
    ws_->handshake(host, "/config", ec);
    return !ec;
  }

 private:
  net::io_context& ioc_;
  std::optional<websocket::stream<tcp::socket>> ws_;
};

// Sync firmware fetcher held in an optional, timeouts configured in a separate member function.
class FirmwareFetcher {
 public:
  explicit FirmwareFetcher(net::io_context& ioc) : ioc_(ioc) {}

  void prepare() {
    ws_.emplace(ioc_);
    ws_->set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  }

  bool connect(const std::string& host, const std::string& port) {
    tcp::resolver resolver{ioc_};
    net::connect(ws_->next_layer(), resolver.resolve(host, port));
    beast::error_code ec;
    ws_->handshake(host, "/firmware", ec);
    return !ec;
  }

 private:
  net::io_context& ioc_;
  std::optional<websocket::stream<tcp::socket>> ws_;
};

// Router helper for TLS upgrades: the stream arrives by reference, nothing is known here.
void finish_tls_upgrade(websocket::stream<beast::ssl_stream<beast::tcp_stream>>& ws, const http::request<http::string_body>& req) {
  ws.async_accept(req, [](beast::error_code ec) {
    if (ec) log_fail(ec, "router accept");
  });
}

// Coroutine TLS client for the fleet dashboard with the suggested client settings.
net::awaitable<void> dashboard_client(ssl::context& ctx, std::string host, std::string port) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver{ex};
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws{ex, ctx};
  auto results = co_await resolver.async_resolve(host, port, net::use_awaitable);
  beast::get_lowest_layer(ws).expires_after(30s);
  co_await beast::get_lowest_layer(ws).async_connect(results, net::use_awaitable);
  co_await ws.next_layer().async_handshake(ssl::stream_base::client, net::use_awaitable);
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  co_await ws.async_handshake(host, "/fleet", net::use_awaitable);
}

int main() {
  net::io_context ioc;
  ssl::context ctx{ssl::context::tlsv12};
  std::make_shared<SensorSession>(tcp::socket{ioc}, ctx)->run();
  std::make_shared<GatewaySession>(tcp::socket{ioc}, ctx)->run();
  std::make_shared<ActuatorSession<beast::tcp_stream>>(beast::tcp_stream{ioc})->start({});
  std::make_shared<MeterSession<beast::tcp_stream>>(beast::tcp_stream{ioc})->start();
  net::co_spawn(ioc, firmware_status_session(tcp::socket{ioc}), net::detached);
  net::co_spawn(ioc, telemetry_session(tcp::socket{ioc}), net::detached);
  net::co_spawn(ioc, battery_saver_session(tcp::socket{ioc}), net::detached);
  net::co_spawn(ioc, provisioning_session(tcp::socket{ioc}), net::detached);
  net::co_spawn(ioc, diagnostics_session(tcp::socket{ioc}), net::detached);
  net::co_spawn(ioc, dashboard_client(ctx, "fleet.example.io", "443"), net::detached);
  ioc.run();
}
