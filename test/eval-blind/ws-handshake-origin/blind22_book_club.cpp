// checks: errorshield-ws-handshake-origin
// Online book club: members join a chapter discussion room from the browser
// over a WebSocket, moderators have their own console, and the mobile app
// uses a coroutine-based endpoint.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <algorithm>
#include <array>
#include <iostream>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace bookclub {

constexpr std::array<std::string_view, 2> kAllowedOrigins = {"https://club.example.org",
                                                             "https://www.club.example.org"};

bool origin_allowed(const http::request<http::string_body> &req) {
  auto it = req.find(http::field::origin);
  if (it == req.end()) return false;
  return std::find(kAllowedOrigins.begin(), kAllowedOrigins.end(), it->value()) != kAllowedOrigins.end();
}

bool has_session_cookie(const http::request<http::string_body> &req) {
  auto c = req[http::field::cookie];
  return c.find("bc_session=") != beast::string_view::npos;
}

void send_forbidden(tcp::socket &sock, const http::request<http::string_body> &req) {
  http::response<http::string_body> res{http::status::forbidden, req.version()};
  res.set(http::field::content_type, "text/plain");
  res.body() = "forbidden";
  res.prepare_payload();
  beast::error_code ec;
  http::write(sock, res, ec);
}

class Room {
public:
  void post(const std::string &msg) {
    std::lock_guard lk(mu_);
    history_.push_back(msg);
  }

private:
  std::mutex mu_;
  std::vector<std::string> history_;
};

// Browser members: reads the upgrade request first so we can route by chapter.
class MemberSession : public std::enable_shared_from_this<MemberSession> {
public:
  MemberSession(tcp::socket s, Room &room) : ws_(std::move(s)), room_(room) {}

  void run() {
    http::async_read(ws_.next_layer(), buf_, req_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_request(ec); });
  }

private:
  void on_request(beast::error_code ec) {
    if (ec || !websocket::is_upgrade(req_)) return;
    if (!has_session_cookie(req_)) return;
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
      if (!ec) self->read_loop();
    });
  }

  void read_loop() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->room_.post(beast::buffers_to_string(self->buf_.data()));
      self->buf_.consume(self->buf_.size());
      self->read_loop();
    });
  }

  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  Room &room_;
};

// Reading-list widget embedded on partner sites: same flow, but checks where
// the page was loaded from before upgrading.
class WidgetSession : public std::enable_shared_from_this<WidgetSession> {
public:
  WidgetSession(tcp::socket s, Room &room) : ws_(std::move(s)), room_(room) {}

  void run() {
    http::async_read(ws_.next_layer(), buf_, req_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_request(ec); });
  }

private:
  void on_request(beast::error_code ec) {
    if (ec || !websocket::is_upgrade(req_)) return;
    if (!origin_allowed(req_)) {
      send_forbidden(ws_.next_layer(), req_);
      return;
    }
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->room_.post("widget joined");
    });
  }

  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  Room &room_;
};

// Moderator console on the admin port (blocking, run from the admin worker).
void moderator_console(tcp::socket sock, Room &room) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept(); // expect: errorshield-ws-handshake-origin
  beast::flat_buffer buf;
  for (;;) {
    beast::error_code ec;
    ws.read(buf, ec);
    if (ec) return;
    room.post("[mod] " + beast::buffers_to_string(buf.data()));
    buf.consume(buf.size());
  }
}

// Author Q&A sessions: the upgrade request is inspected inline.
void author_qa(tcp::socket sock, Room &room) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  http::read(sock, buf, req);
  auto origin = req[http::field::origin];
  if (origin != "https://club.example.org") {
    send_forbidden(sock, req);
    return;
  }
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept(req);
  room.post("author connected");
}

// Mobile app endpoint (coroutines).
asio::awaitable<void> mobile_session(tcp::socket sock, Room &room) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.set_option(websocket::stream_base::decorator(
      [](websocket::response_type &res) { res.set(http::field::server, "bookclub-mobile"); }));
  co_await ws.async_accept(asio::use_awaitable); // expect: errorshield-ws-handshake-origin
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    room.post(beast::buffers_to_string(buf.data()));
    buf.consume(buf.size());
  }
}

// Generic acceptor used for the per-chapter rooms (plain and TLS builds).
template <class NextLayer>
asio::awaitable<void> chapter_session(websocket::stream<NextLayer> ws, http::request<http::string_body> req,
                                      Room &room) {
  if (req.target().substr(0, 9) != "/chapter/") co_return;
  co_await ws.async_accept(req, asio::use_awaitable); // expect: errorshield-ws-handshake-origin
  room.post("joined " + std::string(req.target()));
}

// Event-night lobby: coroutine that validates the origin header first.
asio::awaitable<void> lobby_session(tcp::socket sock, Room &room) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(sock, buf, req, asio::use_awaitable);
  if (!origin_allowed(req)) {
    send_forbidden(sock, req);
    co_return;
  }
  websocket::stream<tcp::socket> ws(std::move(sock));
  co_await ws.async_accept(req, asio::use_awaitable);
  room.post("lobby guest");
}

asio::awaitable<void> route(tcp::socket sock, Room &room) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(sock, buf, req, asio::use_awaitable);
  websocket::stream<tcp::socket> ws(std::move(sock));
  co_await chapter_session(std::move(ws), std::move(req), room);
}

asio::awaitable<void> listen(tcp::acceptor acc, Room &room, int kind) {
  auto ex = co_await asio::this_coro::executor;
  for (;;) {
    auto sock = co_await acc.async_accept(asio::use_awaitable);
    switch (kind) {
    case 0: std::make_shared<MemberSession>(std::move(sock), room)->run(); break;
    case 1: std::make_shared<WidgetSession>(std::move(sock), room)->run(); break;
    case 2: asio::co_spawn(ex, mobile_session(std::move(sock), room), asio::detached); break;
    case 3: asio::co_spawn(ex, lobby_session(std::move(sock), room), asio::detached); break;
    default: asio::co_spawn(ex, route(std::move(sock), room), asio::detached); break;
    }
  }
}

} // namespace bookclub

int main() {
  asio::io_context ioc;
  bookclub::Room room;
  for (int k = 0; k < 5; ++k)
    asio::co_spawn(ioc, bookclub::listen(tcp::acceptor(ioc, {tcp::v4(), static_cast<unsigned short>(8600 + k)}), room, k),
                   asio::detached);
  (void)bookclub::moderator_console;
  (void)bookclub::author_qa;
  ioc.run();
}
