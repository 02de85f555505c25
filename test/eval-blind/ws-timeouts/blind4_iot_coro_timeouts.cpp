// checks: errorshield-ws-timeouts
// IoT telemetry gateway: coroutine sessions (websocket_server_coro shape),
// a callback session (websocket_server_async shape) and an uplink client.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <memory>
#include <string>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;
using namespace std::chrono_literals;

namespace iot {

struct gateway_config {
  std::chrono::seconds device_idle{90};
  std::chrono::seconds handshake{10};
};

using ws_t = websocket::stream<beast::tcp_stream>;

// --- sensors: stream configured by the listener before the session runs ---
awaitable<void> sensor_session(ws_t ws) {
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buffer;
  for (;;) {
    co_await ws.async_read(buffer, use_awaitable);
    buffer.consume(buffer.size());
  }
}

awaitable<void> sensor_listener(tcp::endpoint ep, gateway_config cfg) {
  auto ex = co_await net::this_coro::executor;
  tcp::acceptor acc{ex, ep};
  for (;;) {
    ws_t ws{co_await acc.async_accept(use_awaitable)};
    websocket::stream_base::timeout t{};
    t.handshake_timeout = cfg.handshake;
    t.idle_timeout = cfg.device_idle;
    t.keep_alive_pings = true;
    ws.set_option(t);
    net::co_spawn(ex, sensor_session(std::move(ws)), net::detached);
  }
}

// --- actuators: websocket_server_coro copy without the timeout line -------
awaitable<void> actuator_session(tcp::socket socket) {
  ws_t ws{std::move(socket)};
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type &res) {
    res.set(beast::http::field::server, "iot-gw");
  }));
  co_await ws.async_accept(use_awaitable); // expect: errorshield-ws-timeouts
  beast::flat_buffer buffer;
  for (;;) {
    co_await ws.async_read(buffer, use_awaitable);
    ws.text(ws.got_text());
    co_await ws.async_write(buffer.data(), use_awaitable);
    buffer.consume(buffer.size());
  }
}

// --- cameras: aggregate-initialised timeout with no idle limit -------------
awaitable<void> camera_session(tcp::socket socket) {
  ws_t ws{std::move(socket)};
  ws.set_option(websocket::stream_base::timeout{30s, websocket::stream_base::none(), false}); // expect: errorshield-ws-timeouts
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buffer;
  co_await ws.async_read(buffer, use_awaitable);
}

// --- gateways in the field: suggested server timeouts (correct) ------------
awaitable<void> edge_session(tcp::socket socket) {
  ws_t ws{std::move(socket)};
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buffer;
  co_await ws.async_read(buffer, use_awaitable);
}

// --- alarm panel: callback-style; timeouts set right after accept (still
// in effect for every subsequent read) ------------------------------------
class alarm_session : public std::enable_shared_from_this<alarm_session> {
  ws_t ws_;
  beast::flat_buffer buffer_;
  gateway_config cfg_;

public:
  alarm_session(tcp::socket &&s, gateway_config cfg) : ws_(std::move(s)), cfg_(cfg) {}

  void run() {
    net::dispatch(ws_.get_executor(),
                  beast::bind_front_handler(&alarm_session::on_run, shared_from_this()));
  }

  void on_run() {
    ws_.async_accept(beast::bind_front_handler(&alarm_session::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    websocket::stream_base::timeout t{};
    t.handshake_timeout = cfg_.handshake;
    t.idle_timeout = cfg_.device_idle;
    t.keep_alive_pings = true;
    ws_.set_option(t);
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&alarm_session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    buffer_.consume(buffer_.size());
    do_read();
  }
};

// --- legacy bridge on a raw socket, chat-multi style, no timeout ----------
class legacy_bridge : public std::enable_shared_from_this<legacy_bridge> {
  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buffer_;

public:
  explicit legacy_bridge(tcp::socket &&s) : ws_(std::move(s)) {}

  void run() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) { // expect: errorshield-ws-timeouts
      if (!ec)
        self->ws_.async_read(self->buffer_, [self](beast::error_code, std::size_t) {});
    });
  }
};

// --- uplink to the cloud (client): no idle timeout on purpose --------------
awaitable<void> cloud_uplink(std::string host) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver r{ex};
  ws_t ws{ex};
  auto eps = co_await r.async_resolve(host, "443", use_awaitable);
  co_await beast::get_lowest_layer(ws).async_connect(eps, use_awaitable);
  co_await ws.async_handshake(host, "/ingest", use_awaitable);
  co_await ws.async_write(net::buffer(std::string("{\"hello\":1}")), use_awaitable);
  beast::flat_buffer b;
  co_await ws.async_read(b, use_awaitable);
}

} // namespace iot
