// checks: errorshield-ws-close-code
// Online chess clock service: each player's browser holds a WebSocket to the
// clock server, which ticks both clocks, detects flag fall and ends games.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <unordered_map>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

// Application-level close codes sent to the browser when a game ends.
enum class GameEnd : std::uint16_t {
  checkmate = 4000,
  resignation = 4001,
  draw_agreed = 4002,
  flag_fall = 2001,
  aborted = 4010,
};

struct ClockState {
  std::chrono::milliseconds white{300000};
  std::chrono::milliseconds black{300000};
  std::chrono::milliseconds increment{2000};
  bool white_to_move = true;
};

static void on_closed(beast::error_code ec) {
  if (ec) std::cerr << "[clock] close failed: " << ec.message() << "\n";
}

template <class WsStream>
void end_game(WsStream &ws, GameEnd why, const char *text) {
  websocket::close_reason r(static_cast<std::uint16_t>(why));
  r.reason = text;
  ws.async_close(r, on_closed);
}

class ClockSession : public std::enable_shared_from_this<ClockSession> {
public:
  ClockSession(tcp::socket sock, ClockState clocks)
      : ws_(std::move(sock)), tick_(ws_.get_executor()), clocks_(clocks) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->schedule_tick();
      self->read_move();
    });
  }

private:
  void schedule_tick() {
    tick_.expires_after(100ms);
    tick_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      auto &side = self->clocks_.white_to_move ? self->clocks_.white : self->clocks_.black;
      side -= 100ms;
      if (side <= 0ms) {
        self->ws_.async_close(websocket::close_reason(static_cast<std::uint16_t>(GameEnd::flag_fall)), on_closed); // expect: errorshield-ws-close-code
        return;
      }
      self->schedule_tick();
    });
  }

  void read_move() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->tick_.cancel();
        return;
      }
      auto j = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.consume(self->buf_.size());
      self->on_message(j);
    });
  }

  void on_message(const json &j) {
    if (j.is_discarded()) {
      ws_.async_close(websocket::close_code::policy_error, on_closed);
      return;
    }
    const auto type = j.value("type", "");
    if (type == "resign") {
      end_game(ws_, GameEnd::resignation, "resigned");
      return;
    }
    if (type == "claim_timeout") {
      end_game(ws_, GameEnd::flag_fall, "opponent flagged"); // expect: errorshield-ws-close-code
      return;
    }
    if (type == "mate") {
      end_game(ws_, GameEnd::checkmate, "checkmate");
      return;
    }
    auto &side = clocks_.white_to_move ? clocks_.white : clocks_.black;
    side += clocks_.increment;
    clocks_.white_to_move = !clocks_.white_to_move;
    read_move();
  }

  websocket::stream<beast::tcp_stream> ws_;
  net::steady_timer tick_;
  ClockState clocks_;
  beast::flat_buffer buf_;
};

// Arbiter tools: the arbiter can stop a game; disconnects are handled per reason.
void arbiter_stop(websocket::stream<tcp::socket> &ws, bool player_vanished) {
  beast::error_code ec;
  ws.close(player_vanished ? websocket::close_code::abnormal : websocket::close_code::normal, ec); // expect: errorshield-ws-close-code
}

void arbiter_pause(websocket::stream<tcp::socket> &ws, bool server_update) {
  beast::error_code ec;
  ws.close(server_update ? websocket::close_code::service_restart : websocket::close_code::going_away, ec);
}

// Correspondence (daily) games run as coroutines; the clock is checked once per move.
net::awaitable<void> daily_game(tcp::socket sock, ClockState clocks) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buf, net::as_tuple(net::use_awaitable));
    if (ec == websocket::error::closed) {
      if (ws.reason().code == websocket::close_code::no_status)
        std::cerr << "[daily] peer closed without a status code\n";
      co_return;
    }
    if (ec) co_return;
    buf.consume(n);
    if (clocks.white <= 0ms || clocks.black <= 0ms) {
      co_await ws.async_close(websocket::close_code::no_status, net::use_awaitable); // expect: errorshield-ws-close-code
      co_return;
    }
    if (n > 8192) {
      co_await ws.async_close(websocket::close_code::too_big, net::use_awaitable);
      co_return;
    }
  }
}

// Lobby: rejects a second tab for the same account.
class Lobby {
public:
  void join(const std::string &account, std::shared_ptr<websocket::stream<beast::tcp_stream>> ws) {
    auto it = seats_.find(account);
    if (it != seats_.end()) {
      websocket::close_reason dup(3000);
      dup.reason = "duplicate session";
      it->second->async_close(dup, on_closed);
    }
    seats_[account] = std::move(ws);
  }

  void drop_all_for_upgrade() {
    for (auto &[account, ws] : seats_)
      ws->async_close({websocket::close_code::reserved1, "lobby restarting"}, on_closed); // expect: errorshield-ws-close-code
    seats_.clear();
  }

  void drop_all_for_shutdown() {
    for (auto &[account, ws] : seats_)
      ws->async_close({websocket::close_code::going_away, "server shutting down"}, on_closed);
    seats_.clear();
  }

private:
  std::unordered_map<std::string, std::shared_ptr<websocket::stream<beast::tcp_stream>>> seats_;
};

int main() {
  net::io_context ioc;
  std::make_shared<ClockSession>(tcp::socket(ioc), ClockState{})->start();
  net::co_spawn(ioc, daily_game(tcp::socket(ioc), ClockState{}), net::detached);
  Lobby lobby;
  lobby.drop_all_for_shutdown();
  ioc.run();
}
