// checks: errorshield-ws-handshake-origin
// Campus radio listener chat: the player page on radio.campus.example opens a
// WebSocket for the live chat next to the stream, the studio console opens
// another one for moderation, and a relay pulls the now-playing feed.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>
#include <array>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <thread>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using asio::awaitable;
using asio::use_awaitable;

namespace radio {

constexpr std::array<std::string_view, 2> kPlayerOrigins = {
    "https://radio.campus.example", "https://www.campus.example"};

bool player_origin_ok(std::string_view origin) {
  for (auto o : kPlayerOrigins)
    if (origin == o)
      return true;
  return false;
}

template <class Body>
http::response<http::string_body> forbidden(const http::request<Body> &req) {
  http::response<http::string_body> res{http::status::forbidden, req.version()};
  res.set(http::field::content_type, "text/plain");
  res.body() = "origin not allowed";
  res.prepare_payload();
  return res;
}

class ChatRoom {
public:
  void say(const std::string &nick, const std::string &text) {
    std::cout << "[" << nick << "] " << text << "\n";
  }
};

// Listener chat from the public player page.
class ListenerSession : public std::enable_shared_from_this<ListenerSession> {
public:
  ListenerSession(tcp::socket s, ChatRoom &room) : ws_(std::move(s)), room_(room) {}

  void run() {
    http::async_read(ws_.next_layer(), buf_, req_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec)
                         self->on_request();
                     });
  }

private:
  void on_request() {
    if (!websocket::is_upgrade(req_))
      return;
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
      if (!ec)
        self->read_line();
    });
  }

  void read_line() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->room_.say("listener", beast::buffers_to_string(self->buf_.data()));
      self->buf_.consume(self->buf_.size());
      self->read_line();
    });
  }

  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  ChatRoom &room_;
};

// Same session after the security review: origin must match the player.
class CheckedListenerSession : public std::enable_shared_from_this<CheckedListenerSession> {
public:
  explicit CheckedListenerSession(tcp::socket s) : ws_(std::move(s)) {}

  void on_request(http::request<http::string_body> req) {
    req_ = std::move(req);
    if (!player_origin_ok(req_[http::field::origin])) {
      auto res = std::make_shared<http::response<http::string_body>>(forbidden(req_));
      http::async_write(ws_.next_layer(), *res,
                        [self = shared_from_this(), res](beast::error_code, std::size_t) {
                          self->ws_.next_layer().close();
                        });
      return;
    }
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) {
      if (ec)
        std::cerr << "accept: " << ec.message() << "\n";
    });
  }

private:
  websocket::stream<tcp::socket> ws_;
  http::request<http::string_body> req_;
};

// Studio moderation console, coroutine based.
awaitable<void> moderation_session(tcp::socket sock, ChatRoom &room) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  co_await ws.async_accept(use_awaitable); // expect: errorshield-ws-handshake-origin
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    room.say("studio", beast::buffers_to_string(buf.data()));
    buf.consume(buf.size());
  }
}

awaitable<void> checked_moderation_session(tcp::socket sock, ChatRoom &room) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(sock, buf, req, use_awaitable);
  auto it = req.find(http::field::origin);
  if (it == req.end() || it->value() != "https://studio.campus.example") {
    co_await http::async_write(sock, forbidden(req), use_awaitable);
    co_return;
  }
  websocket::stream<tcp::socket> ws(std::move(sock));
  co_await ws.async_accept(req, use_awaitable);
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    room.say("studio", beast::buffers_to_string(buf.data()));
    buf.consume(buf.size());
  }
}

// DJ booth tablets connect over the internal network; a thread per booth.
void booth_thread(tcp::socket sock, ChatRoom &room) {
  try {
    beast::flat_buffer buf;
    http::request<http::string_body> req;
    http::read(sock, buf, req);
    const std::set<std::string> booth_hosts = {"booth1.radio.internal", "booth2.radio.internal"};
    if (!booth_hosts.count(std::string(req[http::field::host])))
      return;
    websocket::stream<tcp::socket> ws(std::move(sock));
    ws.accept(req); // expect: errorshield-ws-handshake-origin
    for (;;) {
      ws.read(buf);
      room.say("booth", beast::buffers_to_string(buf.data()));
      buf.consume(buf.size());
    }
  } catch (const std::exception &e) {
    std::cerr << "booth: " << e.what() << "\n";
  }
}

// Emoji reactions under the player; the layer differs between the plain
// listener port and the one behind the campus proxy.
template <class NextLayer>
class ReactionsChannel {
public:
  explicit ReactionsChannel(NextLayer layer) : ws_(std::move(layer)) {}

  template <class Body>
  void accept(const http::request<Body> &req) {
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type &res) {
      res.set(http::field::server, "campus-radio-chat");
    }));
    ws_.accept(req); // expect: errorshield-ws-handshake-origin
  }

  template <class Body>
  bool accept_checked(const http::request<Body> &req) {
    if (!player_origin_ok(req[http::field::origin]))
      return false;
    ws_.accept(req);
    return true;
  }

private:
  websocket::stream<NextLayer> ws_;
};

// Relay pulling now-playing metadata from the automation system; we are the
// client here, the upstream server does its own checks.
awaitable<void> now_playing_relay(tcp::resolver::results_type upstream) {
  auto ex = co_await asio::this_coro::executor;
  websocket::stream<tcp::socket> ws(ex);
  co_await asio::async_connect(ws.next_layer(), upstream, use_awaitable);
  ws.set_option(websocket::stream_base::decorator([](websocket::request_type &r) {
    r.set(http::field::origin, "https://radio.campus.example");
  }));
  co_await ws.async_handshake("automation.radio.internal", "/nowplaying", use_awaitable);
  beast::flat_buffer buf;
  co_await ws.async_read(buf, use_awaitable);
  json meta = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
  if (!meta.is_discarded())
    std::cout << "now playing: " << meta.value("title", "?") << "\n";
}

} // namespace radio

int main() {
  asio::io_context ioc;
  radio::ChatRoom room;
  tcp::acceptor listeners(ioc, {tcp::v4(), 8000});
  listeners.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<radio::ListenerSession>(std::move(s), room)->run();
  });
  tcp::socket booth(ioc);
  std::thread(radio::booth_thread, std::move(booth), std::ref(room)).detach();
  radio::ReactionsChannel<tcp::socket> reactions{tcp::socket(ioc)};
  http::request<http::string_body> req;
  reactions.accept(req);
  reactions.accept_checked(req);
  asio::co_spawn(ioc, radio::moderation_session(tcp::socket(ioc), room), asio::detached);
  asio::co_spawn(ioc, radio::checked_moderation_session(tcp::socket(ioc), room), asio::detached);
  ioc.run();
}
