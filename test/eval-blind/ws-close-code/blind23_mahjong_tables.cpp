// checks: errorshield-ws-close-code
// Online mahjong: four seats per table, each seat is a WebSocket. The table
// server ends connections when a game finishes, a player is kicked for
// stalling, or the table is dissolved.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using WsStream = websocket::stream<beast::tcp_stream>;

enum class SeatWind { East, South, West, North };

// ---------------------------------------------------------------------------
class Seat : public std::enable_shared_from_this<Seat> {
public:
  static constexpr std::uint16_t kStalled = 4000;
  static constexpr std::uint16_t kDuplicateLogin = 4409;
  static constexpr std::uint16_t kRoundTimedOut = 1100;

  Seat(tcp::socket s, SeatWind wind) : ws_(std::move(s)), wind_(wind) {}

  void open(std::function<void(std::shared_ptr<Seat>)> on_ready) {
    ws_.async_accept([self = shared_from_this(), on_ready](beast::error_code ec) {
      if (!ec)
        on_ready(self);
    });
  }

  void kick(std::uint16_t code, std::string why) {
    ws_.async_close(websocket::close_reason(code), [self = shared_from_this(), why](beast::error_code) {});
  }

  void finish_game(const json &result) {
    out_ = result.dump();
    ws_.async_write(net::buffer(out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->ws_.async_close(websocket::close_reason("game over"), [self](beast::error_code) {});
    });
  }

  void discard_timeout() {
    ws_.async_close(kRoundTimedOut, [self = shared_from_this()](beast::error_code) {}); // expect: errorshield-ws-close-code
  }

  void reject_login() {
    ws_.async_close(websocket::close_reason{1005}, [self = shared_from_this()](beast::error_code) {}); // expect: errorshield-ws-close-code
  }

  WsStream &stream() { return ws_; }
  SeatWind wind() const { return wind_; }

private:
  WsStream ws_;
  SeatWind wind_;
  std::string out_;
};

// ---------------------------------------------------------------------------
class Table {
public:
  explicit Table(net::any_io_executor ex) : stall_timer_(ex) {}

  void seat(std::shared_ptr<Seat> s) { seats_[static_cast<int>(s->wind())] = std::move(s); }

  void on_player_stalled(SeatWind w) {
    if (auto &s = seats_[static_cast<int>(w)])
      s->kick(Seat::kStalled, "took too long to discard");
  }

  void on_connection_dropped(SeatWind w) {
    // Tell the remaining players the seat vanished the same way the browser would.
    for (auto &s : seats_)
      if (s && s->wind() != w)
        s->kick(1006, "opponent disconnected"); // expect: errorshield-ws-close-code
  }

  void on_duplicate_login(SeatWind w) {
    if (auto &s = seats_[static_cast<int>(w)])
      s->kick(Seat::kDuplicateLogin, "signed in elsewhere");
  }

  void dissolve(bool cheating_detected) {
    for (auto &s : seats_) {
      if (!s)
        continue;
      beast::error_code ec;
      s->stream().close(cheating_detected ? websocket::close_code::policy_error : websocket::close_code::no_status, ec); // expect: errorshield-ws-close-code
    }
  }

private:
  std::array<std::shared_ptr<Seat>, 4> seats_;
  net::steady_timer stall_timer_;
};

// ---------------------------------------------------------------------------
// Spectator feed: coroutine per viewer.
net::awaitable<void> spectate(WsStream ws, std::shared_ptr<std::vector<json>> moves) {
  co_await ws.async_accept(net::use_awaitable);
  for (const auto &m : *moves)
    co_await ws.async_write(net::buffer(m.dump()), net::use_awaitable);
  if (moves->size() > 400) {
    co_await ws.async_close(websocket::close_code::too_big, net::use_awaitable);
    co_return;
  }
  co_await ws.async_close(static_cast<websocket::close_code>(1004), net::use_awaitable); // expect: errorshield-ws-close-code
}

// Replay download for finished games.
net::awaitable<void> replay(WsStream ws, json game) {
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  co_await ws.async_read(buf, net::use_awaitable);
  auto req = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
  if (!req.is_object() || !req.contains("game_id")) {
    co_await ws.async_close(websocket::close_reason(3003), net::use_awaitable);
    co_return;
  }
  co_await ws.async_write(net::buffer(game.dump()), net::use_awaitable);
  co_await ws.async_close({websocket::close_code::normal, "replay sent"}, net::use_awaitable);
}

// Generic lobby cleanup, also used by the test harness with plain sockets.
template <class Stream>
void close_lobby(std::vector<std::unique_ptr<websocket::stream<Stream>>> &conns, bool restarting) {
  for (auto &c : conns) {
    beast::error_code ec;
    c->close(restarting ? websocket::close_code::service_restart
                        : websocket::close_code::going_away,
             ec);
  }
  conns.clear();
}

template void close_lobby(std::vector<std::unique_ptr<websocket::stream<beast::tcp_stream>>> &, bool);

// ---------------------------------------------------------------------------
int main() {
  net::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 7777});
  auto table = std::make_shared<Table>(ioc.get_executor());
  int next = 0;
  std::function<void()> accept_next = [&] {
    acc.async_accept([&, table](beast::error_code ec, tcp::socket s) {
      if (ec)
        return;
      auto seat = std::make_shared<Seat>(std::move(s), static_cast<SeatWind>(next++ % 4));
      seat->open([table](std::shared_ptr<Seat> ready) { table->seat(std::move(ready)); });
      accept_next();
    });
  };
  accept_next();
  ioc.run();
}
