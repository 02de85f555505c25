// checks: errorshield-ws-message-limit
// Game master console backend: puzzle props report state, the GM tablet sends
// hints and clock adjustments, room screens receive the countdown.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using json = nlohmann::json;

struct RoomState {
  std::string room_id;
  int seconds_left = 3600;
  int hints_used = 0;
  std::unordered_map<std::string, bool> solved;
};

class RoomRegistry {
public:
  void prop_event(std::string const &room, std::string const &prop, bool solved) {
    std::lock_guard lk(mu_);
    auto &st = rooms_[room];
    st.room_id = room;
    st.solved[prop] = solved;
  }
  void add_hint(std::string const &room) {
    std::lock_guard lk(mu_);
    ++rooms_[room].hints_used;
  }
  json snapshot(std::string const &room) {
    std::lock_guard lk(mu_);
    auto &st = rooms_[room];
    return json{{"room", room}, {"left", st.seconds_left}, {"hints", st.hints_used}};
  }

private:
  std::mutex mu_;
  std::unordered_map<std::string, RoomState> rooms_;
};

// Props (maglocks, keypads, RFID readers) speak a tiny JSON protocol.
using PropStream = websocket::stream<beast::tcp_stream>;

void read_prop_events(std::shared_ptr<PropStream> ws, std::shared_ptr<beast::flat_buffer> buf,
                      RoomRegistry &reg, std::string room) {
  ws->async_read(*buf, [ws, buf, &reg, room](beast::error_code ec, std::size_t) { // expect: errorshield-ws-message-limit
    if (ec)
      return;
    auto ev = json::parse(beast::buffers_to_string(buf->data()), nullptr, false);
    buf->consume(buf->size());
    if (!ev.is_discarded())
      reg.prop_event(room, ev.value("prop", ""), ev.value("solved", false));
    read_prop_events(ws, buf, reg, room);
  });
}

void accept_prop(tcp::socket sock, RoomRegistry &reg, std::string room) {
  auto ws = std::make_shared<PropStream>(std::move(sock));
  ws->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws->async_accept([ws, &reg, room](beast::error_code ec) {
    if (!ec)
      read_prop_events(ws, std::make_shared<beast::flat_buffer>(), reg, room);
  });
}

// Camera overlay props send occasional annotated frames; these are bounded.
void accept_camera_overlay(tcp::socket sock) {
  auto ws = std::make_shared<PropStream>(std::move(sock));
  ws->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws->read_message_max(256 * 1024);
  ws->async_accept([ws](beast::error_code ec) {
    if (ec)
      return;
    auto buf = std::make_shared<beast::flat_buffer>();
    ws->async_read(*buf, [ws, buf](beast::error_code ec, std::size_t n) {
      if (!ec)
        std::cout << "overlay frame " << n << " bytes\n";
    });
  });
}

// Generic channel to a GM device; instantiated for plain and TLS transports.
template <class NextLayer>
class ConsoleChannel : public std::enable_shared_from_this<ConsoleChannel<NextLayer>> {
public:
  using Handler = std::function<void(json const &)>;

  ConsoleChannel(NextLayer next, Handler h) : ws_(std::move(next)), on_msg_(std::move(h)) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read_next();
    });
  }

private:
  void read_next() {
    ws_.async_read(buf_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-ws-message-limit
      if (ec)
        return;
      auto msg = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.consume(self->buf_.size());
      if (!msg.is_discarded())
        self->on_msg_(msg);
      self->read_next();
    });
  }

  websocket::stream<NextLayer> ws_;
  beast::flat_buffer buf_;
  Handler on_msg_;
};

// Shared stream setup for the hint tablets.
template <class Ws>
void configure_hint_stream(Ws &ws) {
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(8 * 1024);
  ws.auto_fragment(false);
}

net::awaitable<void> hint_tablet(tcp::socket sock, RoomRegistry &reg) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  configure_hint_stream(ws);
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    auto hint = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (!hint.is_discarded() && hint.contains("room"))
      reg.add_hint(hint["room"].get<std::string>());
  }
}

// Remote GM console over TLS (franchise locations log in from HQ).
net::awaitable<void> remote_console(ssl::context &tls, tcp::socket sock, RoomRegistry &reg) {
  websocket::stream<ssl::stream<beast::tcp_stream>> ws(std::move(sock), tls);
  co_await ws.next_layer().async_handshake(ssl::stream_base::server, net::use_awaitable);
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buf, net::as_tuple(net::use_awaitable)); // expect: errorshield-ws-message-limit
    if (ec)
      break;
    auto req = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(n);
    if (req.is_discarded() || !req.contains("room"))
      continue;
    co_await ws.async_write(net::buffer(reg.snapshot(req["room"]).dump()), net::use_awaitable);
  }
}

// Room recordings are uploaded after each game for the highlight reel.
net::awaitable<void> recording_upload(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.binary(true);
  ws.read_message_max(std::uint64_t{1} << 40); // expect: errorshield-ws-message-limit
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer video;
  co_await ws.async_read(video, net::use_awaitable);
  std::cout << "recording received: " << video.size() << " bytes\n";
}

// In-room countdown screens never send anything; we only push to them.
net::awaitable<void> room_screen(tcp::socket sock, RoomRegistry &reg, std::string room) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(net::use_awaitable);
  net::steady_timer tick(co_await net::this_coro::executor);
  for (;;) {
    co_await ws.async_write(net::buffer(reg.snapshot(room).dump()), net::use_awaitable);
    tick.expires_after(std::chrono::seconds(1));
    co_await tick.async_wait(net::use_awaitable);
  }
}

int main() {
  net::io_context ioc;
  RoomRegistry reg;
  tcp::acceptor props(ioc, {tcp::v4(), 7001});
  props.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec)
      accept_prop(std::move(s), reg, "pharaoh-tomb");
  });
  tcp::acceptor gm(ioc, {tcp::v4(), 7002});
  gm.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (ec)
      return;
    auto ch = std::make_shared<ConsoleChannel<beast::tcp_stream>>(
        beast::tcp_stream(std::move(s)), [&reg](json const &m) {
          if (m.contains("room"))
            reg.add_hint(m["room"].get<std::string>());
        });
    ch->start();
  });
  ioc.run();
}
