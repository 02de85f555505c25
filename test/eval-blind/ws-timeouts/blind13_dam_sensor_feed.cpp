// checks: errorshield-ws-timeouts
// Hydro dam telemetry hub: gauges, spillway alarms and operator consoles.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

using ws_stream = websocket::stream<beast::tcp_stream>;

struct GaugeReading {
  std::string station;
  double reservoir_level_m = 0;
  double outflow_m3s = 0;
  std::int64_t ts_ms = 0;
};

inline GaugeReading parse_reading(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  GaugeReading r;
  if (j.is_discarded()) return r;
  r.station = j.value("station", "");
  r.reservoir_level_m = j.value("level_m", 0.0);
  r.outflow_m3s = j.value("outflow", 0.0);
  r.ts_ms = j.value("ts", std::int64_t{0});
  return r;
}

class FeedHub {
 public:
  void publish(const GaugeReading& r) {
    std::lock_guard<std::mutex> lk(mu_);
    last_ = r;
    ++count_;
  }

 private:
  mutable std::mutex mu_;
  GaugeReading last_;
  std::uint64_t count_ = 0;
};

// Site-wide policy for sensor links: short idle window, pings keep quiet links alive.
inline void apply_feed_timeouts(ws_stream& ws) {
  websocket::stream_base::timeout opt{};
  opt.handshake_timeout = 10s;
  opt.idle_timeout = 45s;
  opt.keep_alive_pings = true;
  ws.set_option(opt);
}

// Operator console (control room screens).
class OperatorConsoleSession : public std::enable_shared_from_this<OperatorConsoleSession> {
 public:
  explicit OperatorConsoleSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_read();
    });
  }

 private:
  void do_read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->buf_.consume(self->buf_.size());
      self->do_read();
    });
  }

  ws_stream ws_;
  beast::flat_buffer buf_;
};

// Gauge telemetry pushed by the field RTUs.
class TelemetrySession : public std::enable_shared_from_this<TelemetrySession> {
 public:
  TelemetrySession(tcp::socket sock, FeedHub& hub) : ws_(std::move(sock)), hub_(hub) {}

  void run() {
    apply_feed_timeouts(ws_);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_read();
    });
  }

 private:
  void do_read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->hub_.publish(parse_reading(beast::buffers_to_string(self->buf_.data())));
      self->buf_.consume(self->buf_.size());
      self->do_read();
    });
  }

  ws_stream ws_;
  FeedHub& hub_;
  beast::flat_buffer buf_;
};

// Spillway gate alarm subscribers.
class SpillwayAlarmSession : public std::enable_shared_from_this<SpillwayAlarmSession> {
 public:
  explicit SpillwayAlarmSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void run() {
    beast::get_lowest_layer(ws_).expires_after(30s);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      beast::get_lowest_layer(self->ws_).expires_never();
      self->do_read();
    });
  }

 private:
  void do_read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->buf_.consume(self->buf_.size());
      self->do_read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_; // expect: errorshield-ws-timeouts
  beast::flat_buffer buf_;
};

// Downstream flood-forecast service: it talks to us, we keep the server-side defaults
// but tune them through get_option.
class ForecastSession : public std::enable_shared_from_this<ForecastSession> {
 public:
  explicit ForecastSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void run() {
    websocket::stream_base::timeout opt;
    ws_.get_option(opt);
    opt.handshake_timeout = 15s;
    opt.idle_timeout = 120s;
    opt.keep_alive_pings = false;
    ws_.set_option(opt);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->start();
    });
  }

 private:
  void start() {}
  ws_stream ws_;
};

// Legacy SCADA bridge (the old sessions used the client preset by mistake).
class ScadaBridgeSession : public std::enable_shared_from_this<ScadaBridgeSession> {
 public:
  explicit ScadaBridgeSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client)); // expect: errorshield-ws-timeouts
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->start();
    });
  }

 private:
  void start() {}
  ws_stream ws_;
};

// Upstream: pull gauges from the river-basin gateway (coroutine client).
net::awaitable<void> pull_basin_gateway(std::string host, std::string port, FeedHub& hub) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver{ex};
  websocket::stream<beast::tcp_stream> ws{ex}; // expect: errorshield-ws-timeouts
  auto results = co_await resolver.async_resolve(host, port, net::use_awaitable);
  co_await beast::get_lowest_layer(ws).async_connect(results, net::use_awaitable);
  beast::get_lowest_layer(ws).expires_never();
  co_await ws.async_handshake(host, "/v1/gauges", net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    hub.publish(parse_reading(beast::buffers_to_string(buf.data())));
    buf.consume(buf.size());
  }
}

// Upstream: the tailrace gauges (fixed version of the loop above).
net::awaitable<void> pull_tailrace_gateway(std::string host, std::string port, FeedHub& hub) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver{ex};
  websocket::stream<beast::tcp_stream> ws{ex};
  auto results = co_await resolver.async_resolve(host, port, net::use_awaitable);
  co_await beast::get_lowest_layer(ws).async_connect(results, net::use_awaitable);
  beast::get_lowest_layer(ws).expires_never();
  websocket::stream_base::timeout opt = websocket::stream_base::timeout::suggested(beast::role_type::client);
  opt.idle_timeout = 20s;
  opt.keep_alive_pings = true;
  ws.set_option(opt);
  co_await ws.async_handshake(host, "/v1/tailrace", net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    hub.publish(parse_reading(beast::buffers_to_string(buf.data())));
    buf.consume(buf.size());
  }
}

// Generic mirror used to fan gauge data to the regional authority.
template <class NextLayer>
class RegionalMirror {
 public:
  explicit RegionalMirror(net::any_io_executor ex) : ws_(ex) {}
  websocket::stream<NextLayer>& stream() { return ws_; }

  void start(const std::string& host) {
    ws_.async_handshake(host, "/mirror/gauges", [this](beast::error_code ec) {
      if (!ec) read_acks();
    });
  }
  void send(const std::string& payload) {
    ws_.text(true);
    ws_.async_write(net::buffer(payload), [](beast::error_code, std::size_t) {});
  }

 private:
  void read_acks() {
    ws_.async_read(acks_, [this](beast::error_code ec, std::size_t) {
      if (ec) return;
      acks_.consume(acks_.size());
      read_acks();
    });
  }

  beast::flat_buffer acks_;
  websocket::stream<NextLayer> ws_; // expect: errorshield-ws-timeouts
};

// Maintenance laptops connect through a pooled connection object held by pointer.
struct MaintenanceLink {
  std::unique_ptr<ws_stream> ws;
};

inline void open_maintenance_link(MaintenanceLink* link, tcp::socket sock) {
  link->ws = std::make_unique<ws_stream>(std::move(sock));
  link->ws->set_option(websocket::stream_base::timeout{5s, 60s, true});
  link->ws->async_accept([](beast::error_code ec) {
    if (ec) std::cerr << "maintenance accept: " << ec.message() << "\n";
  });
}

enum class Channel { telemetry, spillway, console, forecast, scada };

class DamListener : public std::enable_shared_from_this<DamListener> {
 public:
  DamListener(net::io_context& ioc, tcp::endpoint ep, Channel ch, FeedHub& hub)
      : ioc_(ioc), acceptor_(ioc, ep), channel_(ch), hub_(hub), mirror_(ioc.get_executor()) {}

  void run() {
    mirror_.start("authority.local");
    do_accept();
  }

 private:
  void do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
      if (!ec) {
        switch (self->channel_) {
          case Channel::telemetry: std::make_shared<TelemetrySession>(std::move(s), self->hub_)->run(); break;
          case Channel::spillway: std::make_shared<SpillwayAlarmSession>(std::move(s))->run(); break;
          case Channel::console: std::make_shared<OperatorConsoleSession>(std::move(s))->run(); break;
          case Channel::forecast: std::make_shared<ForecastSession>(std::move(s))->run(); break;
          case Channel::scada: std::make_shared<ScadaBridgeSession>(std::move(s))->run(); break;
        }
      }
      self->do_accept();
    });
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  Channel channel_;
  FeedHub& hub_;
  RegionalMirror<beast::tcp_stream> mirror_;
};
