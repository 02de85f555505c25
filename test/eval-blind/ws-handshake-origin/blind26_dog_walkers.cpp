// checks: errorshield-ws-handshake-origin
// Dog-walker tracking service: walkers' phones push GPS over WebSocket and
// owners watch the walk live from the web app.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <algorithm>
#include <array>
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using asio::ip::tcp;

namespace walkies {

const std::set<std::string, std::less<>> kAllowedOrigins = {
    "https://app.walkies.example",
    "https://walkers.walkies.example",
};

bool origin_allowed(const http::request<http::string_body> &req) {
  auto it = req.find(http::field::origin);
  if (it == req.end()) return false;
  return kAllowedOrigins.count(std::string_view(it->value())) != 0;
}

bool token_valid(std::string_view bearer);
void publish_position(const std::string &walk_id, const std::string &payload);

// Walker phones: the app opens the socket straight away, no HTTP preamble
// is inspected.
class WalkerSession : public std::enable_shared_from_this<WalkerSession> {
public:
  explicit WalkerSession(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
      if (ec) return;
      self->read();
    });
  }

private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      publish_position("walk", beast::buffers_to_string(self->buf_.data()));
      self->buf_.consume(self->buf_.size());
      self->read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
};

// Owner dashboard: reads the upgrade request first so it can check the token.
class OwnerSession : public std::enable_shared_from_this<OwnerSession> {
public:
  explicit OwnerSession(tcp::socket s) : stream_(std::move(s)) {}

  void run() {
    http::async_read(stream_, buf_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->on_request();
    });
  }

private:
  void on_request() {
    if (!websocket::is_upgrade(req_)) return;
    auto auth = req_[http::field::authorization];
    if (auth.size() < 7 || !token_valid(auth.substr(7))) return;
    ws_.emplace(std::move(stream_));
    ws_->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_->async_accept(req_, [self = shared_from_this()](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
      if (!ec) std::cout << "owner connected\n";
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  std::optional<websocket::stream<beast::tcp_stream>> ws_;
};

// Same dashboard behind the new gateway: token plus origin allow-list.
class OwnerSessionV2 : public std::enable_shared_from_this<OwnerSessionV2> {
public:
  explicit OwnerSessionV2(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    http::async_read(ws_.next_layer(), buf_, req_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec || !websocket::is_upgrade(self->req_)) return;
                       if (!origin_allowed(self->req_)) {
                         self->reject(http::status::forbidden);
                         return;
                       }
                       self->ws_.async_accept(self->req_, [self](beast::error_code ec2) {
                         if (!ec2) std::cout << "owner v2 connected\n";
                       });
                     });
  }

private:
  void reject(http::status st) {
    auto res = std::make_shared<http::response<http::string_body>>(st, req_.version());
    res->prepare_payload();
    http::async_write(ws_.next_layer(), *res,
                      [res, self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
};

// Group-walk chat rooms run as coroutines.
asio::awaitable<void> chat_room(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(asio::use_awaitable); // expect: errorshield-ws-handshake-origin
  beast::flat_buffer b;
  for (;;) {
    co_await ws.async_read(b, asio::use_awaitable);
    ws.text(true);
    co_await ws.async_write(b.data(), asio::use_awaitable);
    b.consume(b.size());
  }
}

asio::awaitable<void> chat_room_checked(tcp::socket sock) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer b;
  http::request<http::string_body> req;
  co_await http::async_read(stream, b, req, asio::use_awaitable);
  if (!websocket::is_upgrade(req)) co_return;
  std::string_view origin = req[http::field::origin];
  if (origin != "https://app.walkies.example") co_return;
  websocket::stream<beast::tcp_stream> ws(std::move(stream));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(req, asio::use_awaitable);
  for (;;) {
    co_await ws.async_read(b, asio::use_awaitable);
    co_await ws.async_write(b.data(), asio::use_awaitable);
    b.consume(b.size());
  }
}

// Kennel-staff console: small, synchronous, runs on its own thread.
template <class NextLayer>
void serve_staff_console(NextLayer &&sock) {
  websocket::stream<std::decay_t<NextLayer>> ws(std::move(sock));
  beast::flat_buffer b;
  http::request<http::string_body> req;
  http::read(ws.next_layer(), b, req);
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type &res) {
    res.set(http::field::server, "walkies-staff");
  }));
  ws.accept(req); // expect: errorshield-ws-handshake-origin
  for (;;) {
    ws.read(b);
    b.consume(b.size());
  }
}

// The tracker also pushes positions to the insurer's feed as a client.
void connect_to_insurer(asio::io_context &ioc) {
  tcp::resolver r(ioc);
  websocket::stream<tcp::socket> ws(ioc);
  auto eps = r.resolve("feed.insurer.example", "80");
  asio::connect(ws.next_layer(), eps);
  ws.set_option(websocket::stream_base::decorator([](websocket::request_type &req) {
    req.set(http::field::origin, "https://walkies.example");
  }));
  ws.handshake("feed.insurer.example", "/positions");
}

asio::awaitable<void> listen(tcp::acceptor acc, int kind) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(asio::use_awaitable);
    switch (kind) {
    case 0: std::make_shared<WalkerSession>(std::move(s))->run(); break;
    case 1: std::make_shared<OwnerSession>(std::move(s))->run(); break;
    case 2: std::make_shared<OwnerSessionV2>(std::move(s))->run(); break;
    case 3: asio::co_spawn(acc.get_executor(), chat_room(std::move(s)), asio::detached); break;
    default: asio::co_spawn(acc.get_executor(), chat_room_checked(std::move(s)), asio::detached); break;
    }
  }
}

} // namespace walkies

int main() {
  asio::io_context ioc;
  for (int kind = 0; kind < 5; ++kind)
    asio::co_spawn(ioc, walkies::listen(tcp::acceptor(ioc, {tcp::v4(), static_cast<unsigned short>(9000 + kind)}), kind),
                   asio::detached);
  std::thread staff([] {
    asio::io_context sioc;
    tcp::acceptor a(sioc, {tcp::v4(), 9100});
    walkies::serve_staff_console(a.accept());
  });
  ioc.run();
  staff.join();
}
