// checks: errorshield-ws-timeouts
// Push notification service: device endpoints (sync threads and coroutines) and the upstream relay client.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

struct PushConfig {
  std::chrono::seconds idle{180};
  std::string relay_host = "relay.push.internal";
  std::string relay_port = "443";
};

// Legacy thread-per-device endpoint: no websocket timeout configured.
void serve_device(tcp::socket socket) {
  try {
    websocket::stream<tcp::socket> ws{std::move(socket)};  // expect: errorshield-ws-timeouts
    ws.accept();
    beast::flat_buffer buffer;
    for (;;) {
      ws.read(buffer);
      buffer.consume(buffer.size());
    }
  } catch (const std::exception& e) {
    std::cerr << "device: " << e.what() << "\n";
  }
}

// Coroutine device endpoint with suggested server settings.
net::awaitable<void> device_session(tcp::socket socket) {
  websocket::stream<beast::tcp_stream> ws{std::move(socket)};
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buffer;
  for (;;) {
    co_await ws.async_read(buffer, net::use_awaitable);
    buffer.consume(buffer.size());
  }
}

// Web push endpoint with hand-picked values.
net::awaitable<void> web_push_session(tcp::socket socket, PushConfig cfg) {
  websocket::stream<beast::tcp_stream> ws{std::move(socket)};
  ws.set_option(websocket::stream_base::timeout{std::chrono::seconds(20), cfg.idle, true});
  co_await ws.async_accept(net::use_awaitable);
  co_await ws.async_write(net::buffer(std::string("{\"hello\":1}")), net::use_awaitable);
}

// Silent-push endpoint: idle detection switched off with pings also off.
net::awaitable<void> silent_push_session(tcp::socket socket) {
  websocket::stream<beast::tcp_stream> ws{std::move(socket)};
  ws.set_option(websocket::stream_base::timeout{.handshake_timeout = 30s, .idle_timeout = websocket::stream_base::none(), .keep_alive_pings = false}); // expect: errorshield-ws-timeouts
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buffer;
  co_await ws.async_read(buffer, net::use_awaitable);
}

// Batch endpoint: keeps idle pings but drops the handshake deadline.
net::awaitable<void> batch_session(tcp::socket socket) {
  websocket::stream<beast::tcp_stream> ws{std::move(socket)};
  ws.set_option(websocket::stream_base::timeout{websocket::stream_base::none(), 300s, true}); // expect: errorshield-ws-timeouts
  beast::flat_buffer buffer;
  http::request<http::string_body> req;
  co_await http::async_read(ws.next_layer(), buffer, req, net::use_awaitable);
  co_await ws.async_accept(req, net::use_awaitable);
}

// Tuned endpoint: starts from the suggested values and only shortens idle time.
net::awaitable<void> mobile_session(tcp::socket socket) {
  websocket::stream<beast::tcp_stream> ws{std::move(socket)};
  auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
  opt.idle_timeout = 90s;
  ws.set_option(opt);
  co_await ws.async_accept(net::use_awaitable);
}

// Helper the admin endpoint uses: stream arrives by reference.
void accept_admin(websocket::stream<tcp::socket>& ws, const http::request<http::string_body>& req) {
  ws.accept(req);
}

// Relay client with suggested client settings.
void relay_to_upstream(net::io_context& ioc, const PushConfig& cfg, const std::vector<std::string>& batch) {
  tcp::resolver resolver{ioc};
  websocket::stream<beast::tcp_stream> ws{ioc};
  beast::get_lowest_layer(ws).connect(resolver.resolve(cfg.relay_host, cfg.relay_port));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  ws.handshake(cfg.relay_host, "/relay");
  for (const auto& msg : batch) ws.write(net::buffer(msg));
  ws.close(websocket::close_code::normal);
}

// Health probe client: connects and handshakes with nothing configured.
bool probe_relay(net::io_context& ioc, const PushConfig& cfg) {
  tcp::resolver resolver{ioc};
  websocket::stream<beast::tcp_stream> ws{ioc};  // expect: errorshield-ws-timeouts
  beast::get_lowest_layer(ws).expires_after(5s);
  beast::get_lowest_layer(ws).connect(resolver.resolve(cfg.relay_host, cfg.relay_port));
  beast::error_code ec;
  ws.handshake(cfg.relay_host, "/healthz", ec);
  return !ec;
}

int main() {
  net::io_context ioc;
  PushConfig cfg;
  tcp::acceptor acceptor{ioc, {tcp::v4(), 8443}};
  net::co_spawn(ioc, device_session(tcp::socket{ioc}), net::detached);
  net::co_spawn(ioc, web_push_session(tcp::socket{ioc}, cfg), net::detached);
  net::co_spawn(ioc, silent_push_session(tcp::socket{ioc}), net::detached);
  net::co_spawn(ioc, batch_session(tcp::socket{ioc}), net::detached);
  net::co_spawn(ioc, mobile_session(tcp::socket{ioc}), net::detached);
  std::thread([&ioc] { ioc.run(); }).detach();
  for (;;) {
    tcp::socket s{ioc};
    acceptor.accept(s);
    std::thread([s = std::move(s)]() mutable { serve_device(std::move(s)); }).detach();
  }
}
