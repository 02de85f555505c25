// checks: errorshield-ws-handshake-origin
// Thread-per-connection and coroutine websocket endpoints of a small sync service, plus its client.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <iostream>
#include <set>
#include <string>
#include <thread>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

static const std::set<std::string> g_trusted_origins = {"https://dashboard.internal", "http://localhost:3000"};

// Echo endpoint used by the ops team: Beast reads the upgrade request on its own.
void serve_echo(tcp::socket socket) {
  try {
    websocket::stream<tcp::socket> ws{std::move(socket)};
    ws.accept(); // expect: errorshield-ws-handshake-origin
    beast::flat_buffer buffer;
    for (;;) {
      ws.read(buffer);
      ws.text(ws.got_text());
      ws.write(buffer.data());
      buffer.consume(buffer.size());
    }
  } catch (const beast::system_error& se) {
    if (se.code() != websocket::error::closed) std::cerr << "echo: " << se.code().message() << "\n";
  }
}

// Dashboard endpoint: reads the request first and checks Origin before upgrading.
void serve_dashboard(tcp::socket socket) {
  beast::flat_buffer buffer;
  http::request<http::string_body> req;
  http::read(socket, buffer, req);
  if (!websocket::is_upgrade(req)) return;
  if (!g_trusted_origins.contains(std::string(req[http::field::origin]))) {
    http::response<http::string_body> res{http::status::forbidden, req.version()};
    res.body() = "origin not allowed";
    res.prepare_payload();
    http::write(socket, res);
    return;
  }
  websocket::stream<tcp::socket> ws{std::move(socket)};
  ws.accept(req);
  ws.text(true);
  ws.write(net::buffer(std::string("{\"status\":\"connected\"}")));
}

// Metrics stream: authenticates with a bearer token but never looks at Origin.
void serve_metrics(tcp::socket socket) {
  beast::flat_buffer buffer;
  http::request<http::string_body> req;
  http::read(socket, buffer, req);
  if (!websocket::is_upgrade(req) || req[http::field::authorization] != "Bearer s3cr3t") return;
  websocket::stream<tcp::socket> ws{std::move(socket)};
  ws.accept(req); // expect: errorshield-ws-handshake-origin
  ws.write(net::buffer(std::string("cpu=0.42")));
}

// GraphQL subscriptions: Origin is validated, but the subprotocol is hard-coded without looking at the offer.
void serve_graphql(tcp::socket socket) {
  beast::flat_buffer buffer;
  http::request<http::string_body> req;
  http::read(socket, buffer, req);
  if (req.at(http::field::origin) != "https://app.internal") return;
  websocket::stream<tcp::socket> ws{std::move(socket)};
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(http::field::sec_websocket_protocol, "graphql-transport-ws"); // expect: errorshield-ws-handshake-origin
  }));
  ws.accept(req);
}

// Same endpoint done right: the fixed subprotocol is only echoed when the client offered it.
void serve_graphql_negotiated(tcp::socket socket) {
  beast::flat_buffer buffer;
  http::request<http::string_body> req;
  http::read(socket, buffer, req);
  if (req.at(http::field::origin) != "https://app.internal") return;
  const bool offered = req[http::field::sec_websocket_protocol].find("graphql-transport-ws") != beast::string_view::npos;
  websocket::stream<tcp::socket> ws{std::move(socket)};
  ws.set_option(websocket::stream_base::decorator([offered](websocket::response_type& res) {
    if (offered) res.set(http::field::sec_websocket_protocol, "graphql-transport-ws");
  }));
  ws.accept(req);
}

// Coroutine variant of the alerts endpoint: accept without a request.
net::awaitable<void> alerts_session(tcp::socket socket) {
  websocket::stream<beast::tcp_stream> ws{std::move(socket)};
  co_await ws.async_accept(net::use_awaitable); // expect: errorshield-ws-handshake-origin
  beast::flat_buffer buffer;
  for (;;) {
    co_await ws.async_read(buffer, net::use_awaitable);
    buffer.consume(buffer.size());
  }
}

// Coroutine variant with an explicit HTTP read and an Origin check via find().
net::awaitable<void> orders_session(tcp::socket socket) {
  beast::tcp_stream stream{std::move(socket)};
  beast::flat_buffer buffer;
  http::request<http::string_body> req;
  co_await http::async_read(stream, buffer, req, net::use_awaitable);
  auto origin = req.find(http::field::origin);
  if (origin == req.end() || !g_trusted_origins.contains(std::string(origin->value()))) co_return;
  websocket::stream<beast::tcp_stream> ws{std::move(stream)};
  co_await ws.async_accept(req, net::use_awaitable);
  co_await ws.async_write(net::buffer(std::string("ready")), net::use_awaitable);
}

// Helper shared by several endpoints; the stream comes in by reference.
void complete_handshake(websocket::stream<tcp::socket>& ws, const http::request<http::string_body>& req) {
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(http::field::server, "sync-svc");
  }));
  ws.accept(req);
}

// Client side: the request decorator offers a subprotocol; nothing is accepted here.
std::string fetch_snapshot(net::io_context& ioc, const std::string& host, const std::string& port) {
  tcp::resolver resolver{ioc};
  websocket::stream<tcp::socket> ws{ioc};
  net::connect(ws.next_layer(), resolver.resolve(host, port));
  ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
    req.set(http::field::sec_websocket_protocol, "snapshot.v3");
    req.set(http::field::origin, "https://dashboard.internal");
  }));
  ws.handshake(host + ":" + port, "/snapshot");
  beast::flat_buffer buffer;
  ws.read(buffer);
  ws.close(websocket::close_code::normal);
  return beast::buffers_to_string(buffer.data());
}

int main() {
  net::io_context ioc{1};
  tcp::acceptor acceptor{ioc, {tcp::v4(), 9001}};
  net::co_spawn(ioc, alerts_session(tcp::socket{ioc}), net::detached);
  net::co_spawn(ioc, orders_session(tcp::socket{ioc}), net::detached);
  for (;;) {
    tcp::socket socket{ioc};
    acceptor.accept(socket);
    std::thread{[s = std::move(socket)]() mutable { serve_dashboard(std::move(s)); }}.detach();
  }
}
