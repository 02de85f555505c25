// checks: errorshield-ws-timeouts
// Vineyard irrigation controller: valve boxes in each block, soil-moisture
// probes and the grower's dashboard all connect over WebSocket. The controller
// also dials out to the regional weather service for evapotranspiration data.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

struct ValveCommand {
  std::string block;
  int minutes = 0;
  double litres_per_vine = 0;
};

class IrrigationSchedule {
public:
  void set(const ValveCommand &c) {
    std::lock_guard<std::mutex> lk(mu_);
    blocks_[c.block] = c;
  }
  json dump() const {
    std::lock_guard<std::mutex> lk(mu_);
    json out = json::object();
    for (const auto &[b, c] : blocks_) out[b] = {{"minutes", c.minutes}, {"lpv", c.litres_per_vine}};
    return out;
  }

private:
  mutable std::mutex mu_;
  std::map<std::string, ValveCommand> blocks_;
};

template <class Ws>
void apply_server_timeouts(Ws &ws) {
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
}

// Valve boxes in the field: cellular links, frequently drop without a FIN.
class ValveBoxSession : public std::enable_shared_from_this<ValveBoxSession> {
public:
  ValveBoxSession(tcp::socket sock, IrrigationSchedule &sched) : ws_(std::move(sock)), sched_(sched) {}

  void run() {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout{30s, websocket::stream_base::none(), false}); // expect: errorshield-ws-timeouts
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read();
    });
  }

private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->buf_.consume(self->buf_.size());
      self->read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  IrrigationSchedule &sched_;
  beast::flat_buffer buf_;
};

// Soil-moisture probes: LoRa gateway forwards readings; same shape, bounded idle time.
class ProbeGatewaySession : public std::enable_shared_from_this<ProbeGatewaySession> {
public:
  explicit ProbeGatewaySession(tcp::socket sock) : ws_(std::move(sock)) {}

  void run() {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout{20s, 90s, true});
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read();
    });
  }

private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->buf_.consume(self->buf_.size());
      self->read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
};

// Grower dashboard (coroutine). Settings copied from the weather client config.
net::awaitable<void> grower_dashboard(tcp::socket sock, IrrigationSchedule &sched) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client)); // expect: errorshield-ws-timeouts
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    buf.consume(buf.size());
    co_await ws.async_write(net::buffer(sched.dump().dump()), net::use_awaitable);
  }
}

// Vineyard manager's phone app (coroutine), uses the shared helper.
net::awaitable<void> manager_app(tcp::socket sock, IrrigationSchedule &sched) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  apply_server_timeouts(ws);
  co_await ws.async_accept(net::use_awaitable);
  co_await ws.async_write(net::buffer(sched.dump().dump()), net::use_awaitable);
}

// Pump house PLC bridge: blocking, runs on its own thread next to the Modbus poller.
void pump_house_bridge(tcp::socket sock, IrrigationSchedule &sched) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept(); // expect: errorshield-ws-timeouts
  beast::flat_buffer buf;
  for (;;) {
    ws.read(buf);
    auto j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (j.is_discarded()) continue;
    sched.set({j.value("block", ""), j.value("minutes", 0), j.value("lpv", 0.0)});
  }
}

// Frost-protection sprinkler controller: these sessions stay open all night.
template <class NextLayer>
class FrostControlSession {
public:
  explicit FrostControlSession(NextLayer next) : ws_(std::move(next)) {}

  void configure() {
    auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
    opt.idle_timeout = websocket::stream_base::none(); // expect: errorshield-ws-timeouts
    ws_.set_option(opt);
  }

  void configure_fast_handshake() {
    auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
    opt.handshake_timeout = 5s;
    ws_.set_option(opt);
  }

  template <class Handler>
  void accept(Handler &&h) { ws_.async_accept(std::forward<Handler>(h)); }

private:
  websocket::stream<NextLayer> ws_;
};

// Evapotranspiration feed from the regional weather service; we are the client.
net::awaitable<void> weather_feed(IrrigationSchedule &sched) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver(ex);
  websocket::stream<beast::tcp_stream> ws(ex);
  auto results = co_await resolver.async_resolve("et.weather.example", "80", net::use_awaitable);
  co_await beast::get_lowest_layer(ws).async_connect(results, net::use_awaitable);
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  co_await ws.async_handshake("et.weather.example", "/v1/et0", net::use_awaitable);
  beast::flat_buffer buf;
  co_await ws.async_read(buf, net::use_awaitable);
}

int main() {
  net::io_context ioc;
  IrrigationSchedule sched;
  std::make_shared<ValveBoxSession>(tcp::socket(ioc), sched)->run();
  std::make_shared<ProbeGatewaySession>(tcp::socket(ioc))->run();
  net::co_spawn(ioc, grower_dashboard(tcp::socket(ioc), sched), net::detached);
  net::co_spawn(ioc, manager_app(tcp::socket(ioc), sched), net::detached);
  net::co_spawn(ioc, weather_feed(sched), net::detached);
  FrostControlSession<beast::tcp_stream> frost{beast::tcp_stream(ioc)};
  const bool frost_night = std::getenv("FROST_NIGHT") != nullptr;
  if (frost_night)
    frost.configure();
  else
    frost.configure_fast_handshake();
  frost.accept([](beast::error_code) {});
  ioc.run();
}
