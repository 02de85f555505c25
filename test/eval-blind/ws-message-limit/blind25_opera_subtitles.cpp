// checks: errorshield-ws-message-limit
// Surtitle distribution service for an opera house.
// The stage manager's console sends cue commands over WebSocket; seat-back
// displays and the lobby screens subscribe to receive the current surtitle line.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <deque>
#include <iostream>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace surtitles {

constexpr std::size_t kCueMessageMax = 64 * 1024;      // cue commands are tiny
constexpr std::size_t kLibrettoUploadMax = 2 * 1024 * 1024; // whole libretto in one go

struct Cue {
  int act = 0;
  int line = 0;
  std::string language;
  std::string text;
};

inline Cue parse_cue(const std::string &payload) {
  auto j = json::parse(payload);
  Cue c;
  c.act = j.at("act").get<int>();
  c.line = j.at("line").get<int>();
  c.language = j.value("lang", "en");
  c.text = j.value("text", "");
  return c;
}

// Console session: the stage manager advances cues from here.
class ConsoleSession : public std::enable_shared_from_this<ConsoleSession> {
public:
  explicit ConsoleSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(kCueMessageMax);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read_next();
    });
  }

private:
  void read_next() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      auto cue = parse_cue(beast::buffers_to_string(self->buffer_.data()));
      self->buffer_.consume(self->buffer_.size());
      std::cout << "cue " << cue.act << "." << cue.line << "\n";
      self->read_next();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

// Seat display session: displays only ever send "ack" / language preference,
// but they share the same read path.
class SeatDisplaySession : public std::enable_shared_from_this<SeatDisplaySession> {
public:
  explicit SeatDisplaySession(tcp::socket sock) : ws_(std::move(sock)) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->on_accepted();
    });
  }

private:
  void on_accepted() {
    ws_.async_read(buffer_, // expect: errorshield-ws-message-limit
                   [self = shared_from_this()](beast::error_code ec, std::size_t) {
                     if (ec)
                       return;
                     auto msg = beast::buffers_to_string(self->buffer_.data());
                     self->buffer_.consume(self->buffer_.size());
                     if (msg.rfind("lang:", 0) == 0)
                       self->language_ = msg.substr(5);
                     self->on_accepted();
                   });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::string language_ = "en";
};

// Libretto upload from the dramaturgy office: large, but bounded.
asio::awaitable<void> libretto_upload(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(kLibrettoUploadMax);
  co_await ws.async_accept(asio::use_awaitable);

  beast::flat_buffer buf;
  co_await ws.async_read(buf, asio::use_awaitable);
  auto libretto = json::parse(beast::buffers_to_string(buf.data()));
  std::cout << "libretto with " << libretto["lines"].size() << " lines\n";
}

// Translation vendors push whole translated acts; someone lifted the cap
// "because act 2 of Parsifal didn't fit".
asio::awaitable<void> translation_feed(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(0); // expect: errorshield-ws-message-limit
  co_await ws.async_accept(asio::use_awaitable);

  for (;;) {
    beast::flat_buffer buf;
    co_await ws.async_read(buf, asio::use_awaitable);
    auto act = json::parse(beast::buffers_to_string(buf.data()));
    std::cout << "translated act " << act.value("act", 0) << "\n";
  }
}

// Lobby screens: read loop in a coroutine, no cap configured at all.
asio::awaitable<void> lobby_screen(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(asio::use_awaitable);

  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable); // expect: errorshield-ws-message-limit
    std::cout << "lobby: " << beast::buffers_to_string(buf.data()) << "\n";
    buf.consume(buf.size());
  }
}

// Generic relay used by the backstage monitors (plain and future TLS variants).
template <class NextLayer>
void relay_once(websocket::stream<NextLayer> &ws, std::string &out) {
  ws.read_message_max(std::numeric_limits<std::uint64_t>::max()); // expect: errorshield-ws-message-limit
  beast::flat_buffer buf;
  ws.read(buf);
  out = beast::buffers_to_string(buf.data());
}

void backstage_monitor(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept();
  std::string last;
  relay_once(ws, last);
  std::cout << "backstage: " << last << "\n";
}

// Archive recorder keeps a per-performance log; tuned "generously".
void archive_recorder(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.read_message_max(std::size_t{8} * 1024 * 1024 * 1024); // expect: errorshield-ws-message-limit
  ws.accept();
  beast::flat_buffer buf;
  beast::error_code ec;
  while (!ec) {
    ws.read(buf, ec);
    if (ec)
      break;
    std::cout << "archived " << buf.size() << " bytes\n";
    buf.consume(buf.size());
  }
}

// Health probe from the house monitoring system: bounded both ways.
void health_probe(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.read_message_max(4096);
  ws.accept();
  beast::flat_buffer buf;
  beast::error_code ec;
  ws.read(buf, ec);
  if (!ec)
    ws.write(asio::buffer(std::string("ok")), ec);
}

// Rehearsal tool sets the limit through a small helper before reading.
template <class Stream> void configure_rehearsal_stream(Stream &ws) {
  ws.read_message_max(kCueMessageMax);
  ws.auto_fragment(false);
}

asio::awaitable<void> rehearsal_console(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(kCueMessageMax);
  configure_rehearsal_stream(ws);
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  co_await ws.async_read(buf, asio::use_awaitable);
  auto cue = parse_cue(beast::buffers_to_string(buf.data()));
  std::cout << "rehearsal cue " << cue.line << "\n";
}

asio::awaitable<void> listener(tcp::acceptor acc) {
  for (;;) {
    tcp::socket sock = co_await acc.async_accept(asio::use_awaitable);
    auto port = acc.local_endpoint().port();
    auto ex = acc.get_executor();
    if (port == 9001)
      std::make_shared<ConsoleSession>(std::move(sock))->start();
    else if (port == 9002)
      std::make_shared<SeatDisplaySession>(std::move(sock))->start();
    else if (port == 9003)
      asio::co_spawn(ex, libretto_upload(std::move(sock)), asio::detached);
    else if (port == 9004)
      asio::co_spawn(ex, translation_feed(std::move(sock)), asio::detached);
    else if (port == 9005)
      asio::co_spawn(ex, rehearsal_console(std::move(sock)), asio::detached);
    else
      asio::co_spawn(ex, lobby_screen(std::move(sock)), asio::detached);
  }
}

} // namespace surtitles

int main() {
  asio::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 9001});
  asio::co_spawn(ioc, surtitles::listener(std::move(acc)), asio::detached);
  ioc.run();
}
