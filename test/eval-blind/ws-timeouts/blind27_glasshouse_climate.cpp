// checks: errorshield-ws-timeouts
// Glasshouse climate controller: greenhouse sensor nodes and the grower dashboard
// connect over WebSocket; the controller also pulls forecasts from an upstream feed.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace glasshouse {

struct Climate {
  double temp_c = 22.0;
  double humidity = 0.7;
  int co2_ppm = 600;
  bool vents_open = false;
};

class ZoneTable {
public:
  void update(const std::string &zone, const json &j) {
    std::lock_guard<std::mutex> lk(mu_);
    auto &c = zones_[zone];
    c.temp_c = j.value("temp", c.temp_c);
    c.humidity = j.value("rh", c.humidity);
    c.co2_ppm = j.value("co2", c.co2_ppm);
  }
  json snapshot() const {
    std::lock_guard<std::mutex> lk(mu_);
    json out = json::object();
    for (const auto &[z, c] : zones_)
      out[z] = {{"temp", c.temp_c}, {"rh", c.humidity}, {"co2", c.co2_ppm}, {"vents", c.vents_open}};
    return out;
  }

private:
  mutable std::mutex mu_;
  std::map<std::string, Climate> zones_;
};

// Sensor nodes on the greenhouse Wi-Fi. They go silent when the access point
// reboots, so dead links need to be noticed.
class SensorSession : public std::enable_shared_from_this<SensorSession> {
public:
  SensorSession(tcp::socket s, ZoneTable &zones) : ws_(std::move(s)), zones_(zones) {}

  void start() {
    beast::get_lowest_layer(ws_).expires_after(10s);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      beast::get_lowest_layer(self->ws_).expires_never();
      self->ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
      self->read();
    });
  }

private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      auto j = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.consume(self->buf_.size());
      if (j.is_object())
        self->zones_.update(j.value("zone", "?"), j);
      self->read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  ZoneTable &zones_;
  beast::flat_buffer buf_;
};

// Irrigation valves: battery powered, they sleep between readings, so the
// vendor asked not to ping them.
class ValveSession : public std::enable_shared_from_this<ValveSession> {
public:
  ValveSession(tcp::socket s, ZoneTable &zones) : ws_(std::move(s)), zones_(zones) {}

  void start() {
    websocket::stream_base::timeout opt{30s, websocket::stream_base::none(), false}; // expect: errorshield-ws-timeouts
    ws_.set_option(opt);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read();
    });
  }

private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->buf_.consume(self->buf_.size());
      self->read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  ZoneTable &zones_;
  beast::flat_buffer buf_;
};

// Grower dashboard, coroutine style.
asio::awaitable<void> dashboard(tcp::socket sock, ZoneTable &zones) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
  opt.idle_timeout = websocket::stream_base::none(); // expect: errorshield-ws-timeouts
  ws.set_option(opt);
  co_await ws.async_accept(asio::use_awaitable);
  for (;;) {
    co_await ws.async_write(asio::buffer(zones.snapshot().dump()), asio::use_awaitable);
    asio::steady_timer t(co_await asio::this_coro::executor, 2s);
    co_await t.async_wait(asio::use_awaitable);
  }
}

// Service laptop used by the installer; keep the link short-lived.
asio::awaitable<void> service_console(tcp::socket sock, ZoneTable &zones) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  websocket::stream_base::timeout opt{};
  opt.handshake_timeout = 15s;
  opt.idle_timeout = 120s;
  opt.keep_alive_pings = true;
  ws.set_option(opt);
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    buf.consume(buf.size());
    co_await ws.async_write(asio::buffer(zones.snapshot().dump()), asio::use_awaitable);
  }
}

// Weather station on the roof, reusing the sensor code path from the client library.
template <class NextLayer> class RoofStationSession {
public:
  explicit RoofStationSession(NextLayer s) : ws_(std::move(s)) {}

  asio::awaitable<void> run(ZoneTable &zones) {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client)); // expect: errorshield-ws-timeouts
    co_await ws_.async_accept(asio::use_awaitable);
    beast::flat_buffer buf;
    for (;;) {
      co_await ws_.async_read(buf, asio::use_awaitable);
      auto j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
      buf.consume(buf.size());
      if (j.is_object())
        zones.update("roof", j);
    }
  }

private:
  websocket::stream<NextLayer> ws_;
};

// Alarm siren controller on the LAN: plain socket, blocking, own thread.
void siren_link(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  beast::error_code ec;
  ws.accept(ec); // expect: errorshield-ws-timeouts
  if (ec)
    return;
  beast::flat_buffer buf;
  while (!ws.read(buf, ec))
    buf.consume(buf.size());
}

// Outbound: pulls the regional forecast from the met service.
asio::awaitable<void> forecast_client(std::string host, ZoneTable &zones) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  websocket::stream<beast::tcp_stream> ws(ex);
  auto results = co_await resolver.async_resolve(host, "80", asio::use_awaitable);
  co_await beast::get_lowest_layer(ws).async_connect(results, asio::use_awaitable);
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  co_await ws.async_handshake(host, "/forecast", asio::use_awaitable);
  beast::flat_buffer buf;
  co_await ws.async_read(buf, asio::use_awaitable);
  zones.update("forecast", json::parse(beast::buffers_to_string(buf.data()), nullptr, false));
}

class Controller {
public:
  explicit Controller(asio::io_context &ioc) : ioc_(ioc), acc_(ioc, {tcp::v4(), 8700}) {}

  asio::awaitable<void> listen() {
    for (;;) {
      auto s = co_await acc_.async_accept(asio::use_awaitable);
      auto port = s.remote_endpoint().port();
      if (port % 4 == 0)
        std::make_shared<SensorSession>(std::move(s), zones_)->start();
      else if (port % 4 == 1)
        std::make_shared<ValveSession>(std::move(s), zones_)->start();
      else if (port % 4 == 2)
        asio::co_spawn(ioc_, dashboard(std::move(s), zones_), asio::detached);
      else
        asio::co_spawn(ioc_, service_console(std::move(s), zones_), asio::detached);
    }
  }

  ZoneTable zones_;

private:
  asio::io_context &ioc_;
  tcp::acceptor acc_;
};

} // namespace glasshouse

int main() {
  asio::io_context ioc;
  glasshouse::Controller ctl(ioc);
  asio::co_spawn(ioc, ctl.listen(), asio::detached);
  asio::co_spawn(ioc, glasshouse::forecast_client("met.example", ctl.zones_), asio::detached);
  auto roof = std::make_shared<glasshouse::RoofStationSession<beast::tcp_stream>>(
      beast::tcp_stream(tcp::socket(ioc)));
  asio::co_spawn(ioc, [roof, &ctl] { return roof->run(ctl.zones_); }, asio::detached);
  ioc.run();
}
