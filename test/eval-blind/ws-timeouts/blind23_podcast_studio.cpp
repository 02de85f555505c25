// checks: errorshield-ws-timeouts
// Podcast studio live chat: listeners of a live recording chat with each
// other, hosts moderate and pin questions, and the producer's desk gets a
// mirrored feed. Messages are fanned out through a simple in-memory room.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <string>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

struct ChatRoom {
  std::deque<json> recent;
  std::set<std::function<void(const std::string &)> *> listeners;

  void post(json msg) {
    recent.push_back(msg);
    if (recent.size() > 200)
      recent.pop_front();
    auto text = msg.dump();
    for (auto *l : listeners)
      (*l)(text);
  }
};

namespace timeouts {
websocket::stream_base::timeout for_hosts() {
  return websocket::stream_base::timeout{10s, 45s, true};
}

// Listeners on mobile data drop in and out constantly; pings just waste
// their battery, so we let the OS decide when the socket is dead.
websocket::stream_base::timeout for_listeners() {
  auto t = websocket::stream_base::timeout::suggested(beast::role_type::server);
  t.keep_alive_pings = false;
  t.idle_timeout = websocket::stream_base::none(); // expect: errorshield-ws-timeouts
  return t;
}
} // namespace timeouts

// ---------------------------------------------------------------------------
// Listener chat (callback style, templated so the load tester can plug in a
// recording stream).
template <class Stream>
class ListenerSession : public std::enable_shared_from_this<ListenerSession<Stream>> {
public:
  ListenerSession(Stream s, ChatRoom &room) : ws_(std::move(s)), room_(room) {}

  void start() {
    ws_.set_option(timeouts::for_listeners());
    ws_.async_accept([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read();
    });
  }

private:
  void read() {
    ws_.async_read(buf_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      auto msg = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.consume(self->buf_.size());
      if (msg.is_object() && msg.contains("text"))
        self->room_.post({{"from", "listener"}, {"text", msg["text"]}});
      self->read();
    });
  }

  websocket::stream<Stream> ws_;
  beast::flat_buffer buf_;
  ChatRoom &room_;
};

template class ListenerSession<beast::tcp_stream>;

// Guests calling in from the green room: the chat panel is next to the mic.
template <class Stream>
class GuestSession : public std::enable_shared_from_this<GuestSession<Stream>> {
public:
  GuestSession(Stream s, ChatRoom &room) : ws_(std::move(s)), room_(room) {}

  void start() {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.async_accept([self = this->shared_from_this()](beast::error_code ec) { // expect: errorshield-ws-timeouts
      if (!ec)
        self->read();
    });
  }

private:
  void read() {
    ws_.async_read(buf_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->room_.post({{"from", "guest"}, {"text", beast::buffers_to_string(self->buf_.data())}});
      self->buf_.consume(self->buf_.size());
      self->read();
    });
  }

  websocket::stream<Stream> ws_;
  beast::flat_buffer buf_;
  ChatRoom &room_;
};

template class GuestSession<beast::tcp_stream>;

// ---------------------------------------------------------------------------
// Hosts (C++20 coroutines): moderation commands and pinned questions.
net::awaitable<void> host_session(tcp::socket sock, ChatRoom &room) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.set_option(timeouts::for_hosts());
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    auto cmd = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (cmd.is_object() && cmd.value("op", "") == "pin")
      room.post({{"pinned", cmd.value("text", "")}});
  }
}

// Producer's desk mirror: long recording sessions, the desk may sit idle.
net::awaitable<void> producer_session(tcp::socket sock, ChatRoom &room) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout{websocket::stream_base::none(), websocket::stream_base::none(), false}); // expect: errorshield-ws-timeouts
  co_await ws.async_accept(net::use_awaitable);
  for (const auto &m : room.recent)
    co_await ws.async_write(net::buffer(m.dump()), net::use_awaitable);
}

// Sound engineer's cue panel: short idle window, auto-ping keeps it warm.
net::awaitable<void> engineer_session(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
  opt.idle_timeout = 2min;
  ws.set_option(opt);
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  co_await ws.async_read(buf, net::use_awaitable);
}

// ---------------------------------------------------------------------------
// Social-media relay: stackful coroutine accepting the bot that reposts
// highlighted questions to the show's channels.
void social_relay(net::io_context &ioc, unsigned short port, ChatRoom &room) {
  net::spawn(
      ioc,
      [&ioc, port, &room](net::yield_context yield) {
        tcp::acceptor acc(ioc, {tcp::v4(), port});
        for (;;) {
          beast::error_code ec;
          tcp::socket s = acc.async_accept(yield[ec]);
          if (ec)
            return;
          websocket::stream<beast::tcp_stream> ws(std::move(s));
          ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client)); // expect: errorshield-ws-timeouts
          ws.async_accept(yield[ec]);
          if (ec)
            continue;
          for (const auto &m : room.recent)
            ws.async_write(net::buffer(m.dump()), yield[ec]);
        }
      },
      net::detached);
}

// Outbound: push transcript chunks to the captioning service.
net::awaitable<void> send_captions(net::io_context &ioc, std::string chunk) {
  tcp::resolver resolver(ioc);
  websocket::stream<beast::tcp_stream> ws(ioc);
  auto eps = co_await resolver.async_resolve("captions.studio.local", "9443", net::use_awaitable);
  co_await beast::get_lowest_layer(ws).async_connect(eps, net::use_awaitable);
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  co_await ws.async_handshake("captions.studio.local", "/ingest", net::use_awaitable);
  co_await ws.async_write(net::buffer(chunk), net::use_awaitable);
  co_await ws.async_close(websocket::close_code::normal, net::use_awaitable);
}

// ---------------------------------------------------------------------------
int main() {
  net::io_context ioc;
  ChatRoom room;
  tcp::acceptor listeners(ioc, {tcp::v4(), 8500});
  std::function<void()> accept_listener = [&] {
    listeners.async_accept([&](beast::error_code ec, tcp::socket s) {
      if (ec)
        return;
      std::make_shared<ListenerSession<beast::tcp_stream>>(beast::tcp_stream(std::move(s)), room)->start();
      accept_listener();
    });
  };
  accept_listener();
  net::co_spawn(
      ioc,
      [&]() -> net::awaitable<void> {
        tcp::acceptor hosts(ioc, {tcp::v4(), 8501});
        for (;;) {
          tcp::socket s = co_await hosts.async_accept(net::use_awaitable);
          net::co_spawn(ioc, host_session(std::move(s), room), net::detached);
        }
      },
      net::detached);
  social_relay(ioc, 8502, room);
  ioc.run();
}
