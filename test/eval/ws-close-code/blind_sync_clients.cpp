// checks: errorshield-ws-close-code
// Sync and coroutine endpoints of an exchange-rate streamer, plus the CLI client that consumes it.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdint>
#include <iostream>
#include <string>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

bool is_known_pair(const std::string& pair);
bool is_valid_utf8(const std::string& s);

// Per-connection worker of the rate streamer.
void serve_rates(tcp::socket socket) {
  websocket::stream<tcp::socket> ws{std::move(socket)};
  ws.accept();
  beast::flat_buffer buffer;
  beast::error_code ec;
  ws.read(buffer, ec);
  if (ec) {
    // Reader died without a close frame: echo that back as-is.
    ws.close(websocket::close_code::abnormal, ec); // expect: errorshield-ws-close-code
    return;
  }
  std::string pair = beast::buffers_to_string(buffer.data());
  if (!ws.got_text()) {
    ws.close(websocket::close_code::unknown_data);
    return;
  }
  if (!is_valid_utf8(pair)) {
    ws.close(websocket::close_code::bad_payload);
    return;
  }
  if (!is_known_pair(pair)) {
    ws.close(websocket::close_reason(static_cast<websocket::close_code>(4404), "unknown pair"));
    return;
  }
  ws.write(net::buffer(std::string("1.0842")));
  ws.close(websocket::close_code::normal);
}

// Maintenance worker: tells clients to come back later, then drops them with a reserved code.
void drain_for_maintenance(tcp::socket socket, bool hard) {
  websocket::stream<tcp::socket> ws{std::move(socket)};
  ws.accept();
  if (hard) {
    ws.close(websocket::close_reason(websocket::close_code::no_status, "maintenance")); // expect: errorshield-ws-close-code
  } else {
    ws.close(websocket::close_code::service_restart);
  }
}

// Legacy endpoint that used to send numeric codes directly.
void serve_legacy(tcp::socket socket, int variant) {
  websocket::stream<tcp::socket> ws{std::move(socket)};
  ws.accept();
  switch (variant) {
    case 0:
      ws.close(1000);
      break;
    case 1:
      ws.close(1014);
      break;
    case 2:
      ws.close(3000);
      break;
    case 3:
      ws.close(4999);
      break;
    case 4:
      ws.close(1016); // expect: errorshield-ws-close-code
      break;
    case 5:
      ws.close(5000); // expect: errorshield-ws-close-code
      break;
    case 6:
      ws.close(999); // expect: errorshield-ws-close-code
      break;
    default:
      ws.close(websocket::close_code::protocol_error);
      break;
  }
}

// Coroutine streamer: the upstream feed failure is forwarded with the "abnormal" pseudo-code.
net::awaitable<void> stream_rates(tcp::socket socket) {
  websocket::stream<beast::tcp_stream> ws{std::move(socket)};
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buffer;
  auto [ec, n] = co_await ws.async_read(buffer, net::as_tuple(net::use_awaitable));
  if (ec) {
    co_await ws.async_close(websocket::close_code::abnormal, net::use_awaitable); // expect: errorshield-ws-close-code
    co_return;
  }
  buffer.consume(n);
  co_await ws.async_close(websocket::close_code::normal, net::use_awaitable);
}

// Coroutine streamer under load: asks clients to retry.
net::awaitable<void> reject_overloaded(tcp::socket socket) {
  websocket::stream<beast::tcp_stream> ws{std::move(socket)};
  co_await ws.async_accept(net::use_awaitable);
  co_await ws.async_close(websocket::close_code::try_again_later, net::use_awaitable);
}

// Helper shared by endpoints; stream by reference, valid code.
void close_policy_violation(websocket::stream<tcp::socket>& ws, const std::string& why) {
  ws.close(websocket::close_reason(websocket::close_code::policy_error, why));
}

// CLI client: closes with a code chosen by the user on the command line.
int consume(const std::string& host, const std::string& port, std::uint16_t exit_code) {
  net::io_context ioc;
  tcp::resolver resolver{ioc};
  websocket::stream<tcp::socket> ws{ioc};
  net::connect(ws.next_layer(), resolver.resolve(host, port));
  ws.handshake(host, "/rates");
  ws.write(net::buffer(std::string("EURUSD")));
  beast::flat_buffer buffer;
  ws.read(buffer);
  std::cout << beast::make_printable(buffer.data()) << "\n";
  ws.close(websocket::close_reason(exit_code));
  return 0;
}

// CLI client shutdown on Ctrl-C.
void on_interrupt(websocket::stream<tcp::socket>& ws) {
  beast::error_code ec;
  ws.close(websocket::close_code::going_away, ec);
}

int main(int argc, char** argv) {
  if (argc > 3) return consume(argv[1], argv[2], static_cast<std::uint16_t>(std::stoi(argv[3])));
  net::io_context ioc;
  net::co_spawn(ioc, stream_rates(tcp::socket{ioc}), net::detached);
  net::co_spawn(ioc, reject_overloaded(tcp::socket{ioc}), net::detached);
  ioc.run();
}
