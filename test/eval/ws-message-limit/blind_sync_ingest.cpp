// checks: errorshield-ws-message-limit
// Sync and coroutine ingest endpoints of a log shipping service, plus its CLI tail client.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cstddef>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr std::size_t kMaxLogLine = 1024 * 1024;

// Shared pump used by several endpoints; stream arrives by reference.
void pump_messages(websocket::stream<tcp::socket>& ws, std::ostream& sink) {
  beast::flat_buffer buffer;
  beast::error_code ec;
  while (!ec) {
    ws.read(buffer, ec);
    sink << beast::make_printable(buffer.data()) << '\n';
    buffer.consume(buffer.size());
  }
}

// Original endpoint: reads frames of any size into memory.
void serve_ingest(tcp::socket socket) {
  websocket::stream<tcp::socket> ws{std::move(socket)};
  ws.accept();
  beast::flat_buffer buffer;
  std::ofstream out{"ingest.log", std::ios::app};
  for (;;) {
    ws.read(buffer); // expect: errorshield-ws-message-limit
    out << beast::make_printable(buffer.data()) << '\n';
    buffer.consume(buffer.size());
  }
}

// Fixed endpoint: caps each message before the loop.
void serve_ingest_limited(tcp::socket socket) {
  websocket::stream<tcp::socket> ws{std::move(socket)};
  ws.read_message_max(kMaxLogLine);
  ws.accept();
  beast::flat_buffer buffer;
  for (;;) {
    ws.read(buffer);
    buffer.consume(buffer.size());
  }
}

// Bulk import endpoint: somebody raised the cap to 1 GiB for "big archives".
void serve_bulk_import(tcp::socket socket) {
  websocket::stream<tcp::socket> ws{std::move(socket)};
  ws.read_message_max(std::size_t{1} << 30); // expect: errorshield-ws-message-limit
  ws.accept();
  std::ofstream out{"bulk.log", std::ios::app};
  pump_messages(ws, out);
}

// Replay endpoint: limit explicitly switched off.
void serve_replay(tcp::socket socket) {
  websocket::stream<tcp::socket> ws{std::move(socket)};
  ws.read_message_max(0); // expect: errorshield-ws-message-limit
  ws.accept();
  pump_messages(ws, std::cout);
}

// Archive endpoint: a generous but sane 32 MiB cap.
void serve_archive(tcp::socket socket) {
  websocket::stream<tcp::socket> ws{std::move(socket)};
  ws.read_message_max(32 * 1024 * 1024);
  ws.accept();
  pump_messages(ws, std::cout);
}

// Metrics endpoint: reads partial frames with read_some, never capping message size.
void serve_metrics(tcp::socket socket) {
  websocket::stream<tcp::socket> ws{std::move(socket)};
  ws.accept();
  beast::flat_buffer buffer;
  while (!ws.is_message_done() || buffer.size() == 0) {
    ws.read_some(buffer, 4096); // expect: errorshield-ws-message-limit
  }
}

// Coroutine endpoint without a limit.
net::awaitable<void> stream_session(tcp::socket socket) {
  websocket::stream<beast::tcp_stream> ws{std::move(socket)};
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buffer;
  for (;;) {
    co_await ws.async_read(buffer, net::use_awaitable); // expect: errorshield-ws-message-limit
    buffer.consume(buffer.size());
  }
}

// Coroutine endpoint with an 8 MiB cap.
net::awaitable<void> audit_session(tcp::socket socket) {
  websocket::stream<beast::tcp_stream> ws{std::move(socket)};
  ws.read_message_max(8 * 1024 * 1024);
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buffer;
  for (;;) {
    std::size_t n = co_await ws.async_read(buffer, net::use_awaitable);
    buffer.consume(n);
  }
}

// HTTP health endpoint in the same binary: not a websocket read.
void serve_health(tcp::socket socket) {
  beast::flat_buffer buffer;
  http::request<http::empty_body> req;
  http::read(socket, buffer, req);
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.body() = "ok";
  res.prepare_payload();
  http::write(socket, res);
}

// CLI client tailing the live stream: capped at 4 MiB.
int tail(const std::string& host, const std::string& port) {
  net::io_context ioc;
  tcp::resolver resolver{ioc};
  websocket::stream<tcp::socket> ws{ioc};
  net::connect(ws.next_layer(), resolver.resolve(host, port));
  ws.read_message_max(4u << 20);
  ws.handshake(host, "/tail");
  beast::flat_buffer buffer;
  for (;;) {
    beast::error_code ec;
    ws.read(buffer, ec);
    if (ec) return ec == websocket::error::closed ? 0 : 1;
    std::cout << beast::make_printable(buffer.data()) << std::endl;
    buffer.consume(buffer.size());
  }
}

int main(int argc, char** argv) {
  if (argc > 2) return tail(argv[1], argv[2]);
  net::io_context ioc;
  net::co_spawn(ioc, stream_session(tcp::socket{ioc}), net::detached);
  net::co_spawn(ioc, audit_session(tcp::socket{ioc}), net::detached);
  tcp::acceptor acceptor{ioc, {tcp::v4(), 7070}};
  for (;;) {
    tcp::socket s{ioc};
    acceptor.accept(s);
    std::thread([s = std::move(s)]() mutable { serve_ingest_limited(std::move(s)); }).detach();
  }
}
