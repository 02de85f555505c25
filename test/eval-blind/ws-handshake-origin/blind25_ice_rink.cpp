// checks: errorshield-ws-handshake-origin
// Ice rink live service: public-skate occupancy, hockey scoreboard feed for the
// arena displays, and a Zamboni status channel for staff tablets.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <algorithm>
#include <array>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

namespace rink {

constexpr std::array<std::string_view, 3> kTrustedOrigins = {
    "https://rink.example.org", "https://tickets.rink.example.org", "https://staff.rink.example.org"};

bool origin_allowed(const http::request<http::string_body>& req) {
  auto it = req.find(http::field::origin);
  if (it == req.end()) return false;
  return std::find(kTrustedOrigins.begin(), kTrustedOrigins.end(), it->value()) != kTrustedOrigins.end();
}

std::string occupancy_json() { return R"({"skaters":143,"capacity":250})"; }

// Public occupancy widget embedded on the rink website.
class OccupancySession : public std::enable_shared_from_this<OccupancySession> {
 public:
  explicit OccupancySession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    http::async_read(ws_.next_layer(), buf_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec || !websocket::is_upgrade(self->req_)) return;
      self->upgrade();
    });
  }

 private:
  void upgrade() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
      if (!ec) self->push();
    });
  }

  void push() {
    ws_.text(true);
    ws_.async_write(asio::buffer(occupancy_json()), [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
};

// Same widget, newer deployment behind the CDN.
class CheckedOccupancySession : public std::enable_shared_from_this<CheckedOccupancySession> {
 public:
  explicit CheckedOccupancySession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    http::async_read(ws_.next_layer(), buf_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec || !websocket::is_upgrade(self->req_)) return;
      self->upgrade();
    });
  }

 private:
  void upgrade() {
    auto origin = req_[http::field::origin];
    if (origin != "https://rink.example.org" && origin != "https://tickets.rink.example.org") {
      reject();
      return;
    }
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) {
      if (!ec) std::cout << "occupancy subscriber\n";
    });
  }

  void reject() {
    res_ = http::response<http::string_body>(http::status::forbidden, req_.version());
    res_.body() = "origin not allowed";
    res_.prepare_payload();
    http::async_write(ws_.next_layer(), res_, [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

// Scoreboard feed for arena displays; the display boxes connect over the venue LAN.
void scoreboard_display_thread(tcp::socket sock) {
  try {
    websocket::stream<tcp::socket> ws(std::move(sock));
    ws.accept(); // expect: errorshield-ws-handshake-origin
    for (int period = 1; period <= 3; ++period) {
      ws.write(asio::buffer("period " + std::to_string(period)));
      std::this_thread::sleep_for(std::chrono::minutes(20));
    }
  } catch (const std::exception& e) {
    std::cerr << "display: " << e.what() << '\n';
  }
}

awaitable<void> penalty_feed(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(use_awaitable); // expect: errorshield-ws-handshake-origin
  co_await ws.async_write(asio::buffer(std::string("#17 two minutes, hooking")), use_awaitable);
}

awaitable<void> lesson_signup_feed(tcp::socket sock) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(stream, buf, req, use_awaitable);
  if (!websocket::is_upgrade(req) || !origin_allowed(req)) {
    http::response<http::string_body> res(http::status::forbidden, req.version());
    res.prepare_payload();
    co_await http::async_write(stream, res, use_awaitable);
    co_return;
  }
  websocket::stream<beast::tcp_stream> ws(std::move(stream));
  co_await ws.async_accept(req, use_awaitable);
  co_await ws.async_write(asio::buffer(std::string("learn-to-skate: 4 spots left")), use_awaitable);
}

// Staff tablets: Zamboni status over TLS.
awaitable<void> zamboni_channel(ssl::stream<beast::tcp_stream> tls) {
  co_await tls.async_handshake(ssl::stream_base::server, use_awaitable);
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(tls, buf, req, use_awaitable);
  if (req.target() != "/staff/zamboni") co_return;
  websocket::stream<ssl::stream<beast::tcp_stream>> ws(std::move(tls));
  co_await ws.async_accept(req, use_awaitable); // expect: errorshield-ws-handshake-origin
  co_await ws.async_write(asio::buffer(std::string("resurfacing, 12 min")), use_awaitable);
}

// Generic session used by the league stats kiosks.
template <class NextLayer>
class KioskSession : public std::enable_shared_from_this<KioskSession<NextLayer>> {
 public:
  explicit KioskSession(NextLayer s) : ws_(std::move(s)) {}

  void on_request(http::request<http::string_body> req) {
    req_ = std::move(req);
    if (!websocket::is_upgrade(req_)) return;
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(http::field::server, "rink-kiosk/2.1");
    }));
    ws_.async_accept(req_, [self = this->shared_from_this()](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
      if (!ec) std::cout << "kiosk connected\n";
    });
  }

 private:
  websocket::stream<NextLayer> ws_;
  http::request<http::string_body> req_;
};

// Outbound: the rink pushes results to the league server as a client.
awaitable<void> report_to_league(tcp::socket sock, std::string result) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_handshake("league.example.org", "/results", use_awaitable);
  co_await ws.async_write(asio::buffer(result), use_awaitable);
  co_await ws.async_close(websocket::close_code::normal, use_awaitable);
}

}  // namespace rink

int main() {
  asio::io_context ioc;
  ssl::context tls_ctx(ssl::context::tls_server);
  tcp::acceptor acc(ioc, {tcp::v4(), 9443});

  std::make_shared<rink::OccupancySession>(tcp::socket(ioc))->start();
  std::make_shared<rink::CheckedOccupancySession>(tcp::socket(ioc))->start();
  std::make_shared<rink::KioskSession<beast::tcp_stream>>(beast::tcp_stream(ioc))
      ->on_request(http::request<http::string_body>{});
  asio::co_spawn(ioc, rink::penalty_feed(tcp::socket(ioc)), asio::detached);
  asio::co_spawn(ioc, rink::lesson_signup_feed(tcp::socket(ioc)), asio::detached);
  asio::co_spawn(ioc, rink::zamboni_channel(ssl::stream<beast::tcp_stream>(ioc, tls_ctx)), asio::detached);
  asio::co_spawn(ioc, rink::report_to_league(tcp::socket(ioc), "3-2 OT"), asio::detached);
  std::thread(rink::scoreboard_display_thread, tcp::socket(ioc)).detach();
  ioc.run();
}
