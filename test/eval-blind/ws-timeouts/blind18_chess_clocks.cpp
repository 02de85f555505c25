// checks: errorshield-ws-timeouts
// Tournament clock server. Player tablets press the clock, e-boards relay
// moves, spectators and the arbiter watch, the director's tablet manages
// rounds. Everything runs on one io_context thread.

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

namespace clocks {

using WsStream = websocket::stream<beast::tcp_stream>;

enum class Color { white = 0, black = 1 };

struct TimeControl {
  milliseconds base{90min};
  milliseconds increment{30s};
};

// One board's clock. A flag falls when the side to move runs out of time.
class GameClock {
public:
  GameClock(net::any_io_executor ex, TimeControl tc) : tc_(tc), flag_(ex) {
    remaining_.fill(tc.base);
  }

  void start() {
    turn_started_ = steady_clock::now();
    arm_flag();
  }

  // Returns false if the press comes from the side not on move.
  bool press(Color who) {
    if (who != to_move_ || result_) return false;
    auto& left = remaining_[static_cast<int>(who)];
    left -= std::chrono::duration_cast<milliseconds>(steady_clock::now() - turn_started_);
    left += tc_.increment;
    to_move_ = who == Color::white ? Color::black : Color::white;
    turn_started_ = steady_clock::now();
    arm_flag();
    return true;
  }

  void add_time(Color who, milliseconds extra) {
    remaining_[static_cast<int>(who)] += extra;
    if (who == to_move_ && !result_) arm_flag();
  }

  json state() const {
    return {{"white_ms", remaining_[0].count()}, {"black_ms", remaining_[1].count()},
            {"to_move", to_move_ == Color::white ? "w" : "b"}, {"result", result_ ? *result_ : ""}};
  }

private:
  void arm_flag() {
    auto spent = std::chrono::duration_cast<milliseconds>(steady_clock::now() - turn_started_);
    flag_.expires_after(remaining_[static_cast<int>(to_move_)] - spent);
    flag_.async_wait([this](beast::error_code ec) {
      if (ec) return;
      on_timeout(to_move_);
    });
  }

  void on_timeout(Color loser) {
    remaining_[static_cast<int>(loser)] = milliseconds{0};
    result_ = loser == Color::white ? "0-1" : "1-0";
  }

  TimeControl tc_;
  std::array<milliseconds, 2> remaining_{};
  Color to_move_ = Color::white;
  steady_clock::time_point turn_started_{};
  std::optional<std::string> result_;
  net::steady_timer flag_;
};

struct Tournament {
  std::map<int, std::unique_ptr<GameClock>> boards;
  int round = 1;
  int featured_table = 1;

  GameClock* board(int table) {
    auto it = boards.find(table);
    return it == boards.end() ? nullptr : it->second.get();
  }
};

inline json parse_frame(beast::flat_buffer& buf) {
  auto j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
  buf.consume(buf.size());
  return j;
}

// Player tablets: one per side per board.
net::awaitable<void> player_session(tcp::socket sock, Tournament& t) {
  WsStream ws(std::move(sock)); // expect: errorshield-ws-timeouts
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(http::field::server, "tourney-clock");
  }));
  ws.read_message_max(1024);
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buf, net::as_tuple(net::use_awaitable));
    if (ec) co_return;
    auto msg = parse_frame(buf);
    if (!msg.is_object()) continue;
    auto* clock = t.board(msg.value("table", 0));
    if (!clock) continue;
    Color side = msg.value("side", "w") == "w" ? Color::white : Color::black;
    json reply = clock->state();
    reply["accepted"] = clock->press(side);
    auto frame = reply.dump();
    co_await ws.async_write(net::buffer(frame), net::use_awaitable);
  }
}

// Pairing screens in the hall get their stream from here.
inline std::unique_ptr<WsStream> make_pairing_link(tcp::socket sock) {
  auto ws = std::make_unique<WsStream>(std::move(sock));
  ws->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws->text(true);
  return ws;
}

net::awaitable<void> pairing_screen(tcp::socket sock, Tournament& t) {
  auto ws = make_pairing_link(std::move(sock));
  co_await ws->async_accept(net::use_awaitable);
  json tables = json::array();
  for (auto& [table, clock] : t.boards) tables.push_back({{"table", table}, {"clock", clock->state()}});
  co_await ws->async_write(net::buffer(json{{"round", t.round}, {"tables", tables}}.dump()), net::use_awaitable);
  beast::flat_buffer sink;
  while (true) {
    auto [ec, n] = co_await ws->async_read(sink, net::as_tuple(net::use_awaitable));
    if (ec) co_return;
    sink.consume(n);
  }
}

// DGT-style electronic boards forward moves as small binary records.
template <class Socket>
auto make_board_link(Socket&& sock) {
  auto link = std::make_shared<WsStream>(std::forward<Socket>(sock)); // expect: errorshield-ws-timeouts
  link->binary(true);
  link->read_message_max(512);
  link->auto_fragment(false);
  return link;
}

net::awaitable<void> board_relay(tcp::socket sock, Tournament& t) {
  auto link = make_board_link(std::move(sock));
  co_await link->async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await link->async_read(buf, net::as_tuple(net::use_awaitable));
    if (ec) co_return;
    auto bytes = beast::buffers_to_string(buf.data());
    buf.consume(n);
    if (bytes.size() < 2) continue;
    int table = static_cast<unsigned char>(bytes[0]);
    Color side = bytes[1] == 0 ? Color::white : Color::black;
    if (auto* clock = t.board(table)) clock->press(side);
  }
}

// Spectators: a snapshot every second, reads only to notice the close.
net::awaitable<void> spectator_ticker(std::shared_ptr<WsStream> ws, Tournament& t, int table) {
  net::steady_timer tick(co_await net::this_coro::executor);
  while (ws->is_open()) {
    if (auto* clock = t.board(table)) {
      auto frame = clock->state().dump();
      auto [ec, n] = co_await ws->async_write(net::buffer(frame), net::as_tuple(net::use_awaitable));
      if (ec) co_return;
    }
    tick.expires_after(1s);
    co_await tick.async_wait(net::use_awaitable);
  }
}

net::awaitable<void> spectator_session(tcp::socket sock, Tournament& t) {
  const int table = t.featured_table;
  auto ws = std::make_shared<WsStream>(std::move(sock));
  ws->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws->async_accept(net::use_awaitable);
  net::co_spawn(co_await net::this_coro::executor, spectator_ticker(ws, t, table), net::detached);
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await ws->async_read(buf, net::as_tuple(net::use_awaitable));
    if (ec) co_return;
    buf.consume(n);
  }
}

// Arbiter's laptop can adjust clocks after an illegal move claim.
net::awaitable<void> arbiter_console(tcp::socket sock, Tournament& t) {
  WsStream ws(std::move(sock)); // expect: errorshield-ws-timeouts
  websocket::stream_base::timeout opt{};
  opt.handshake_timeout = 20s;
  opt.idle_timeout = websocket::stream_base::none();
  opt.keep_alive_pings = true;
  ws.set_option(opt);
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buf, net::as_tuple(net::use_awaitable));
    if (ec) co_return;
    auto cmd = parse_frame(buf);
    if (!cmd.is_object()) continue;
    auto* clock = t.board(cmd.value("table", 0));
    if (clock && cmd.value("op", "") == "add_time") {
      Color side = cmd.value("side", "w") == "w" ? Color::white : Color::black;
      clock->add_time(side, milliseconds{cmd.value("ms", 0)});
    }
  }
}

// The director's tablet sometimes sits in a pocket on a flaky hall Wi-Fi;
// drop it after a quiet spell so it can reconnect cleanly.
struct Liveness {
  steady_clock::time_point last_rx = steady_clock::now();
  bool done = false;
};

net::awaitable<void> quiet_watch(std::shared_ptr<WsStream> ws, std::shared_ptr<Liveness> live, std::chrono::seconds limit) {
  net::steady_timer t(co_await net::this_coro::executor);
  while (!live->done) {
    t.expires_after(5s);
    co_await t.async_wait(net::use_awaitable);
    if (!live->done && steady_clock::now() - live->last_rx > limit) {
      beast::get_lowest_layer(*ws).close();
      co_return;
    }
  }
}

net::awaitable<void> director_session(tcp::socket sock, Tournament& t) {
  auto ws = std::make_shared<WsStream>(std::move(sock));
  auto live = std::make_shared<Liveness>();
  net::co_spawn(co_await net::this_coro::executor, quiet_watch(ws, live, 120s), net::detached);
  auto [aec] = co_await ws->async_accept(net::as_tuple(net::use_awaitable));
  beast::flat_buffer buf;
  while (!aec) {
    auto [ec, n] = co_await ws->async_read(buf, net::as_tuple(net::use_awaitable));
    if (ec) break;
    live->last_rx = steady_clock::now();
    auto cmd = parse_frame(buf);
    if (cmd.is_object() && cmd.value("op", "") == "start_round") {
      t.round = cmd.value("round", t.round + 1);
      for (auto& [table, clock] : t.boards) clock->start();
    }
  }
  live->done = true;
}

// Each device class has its own listener port.
net::awaitable<void> listen(tcp::acceptor acc, Tournament& t,
                            net::awaitable<void> (*session)(tcp::socket, Tournament&)) {
  for (;;) {
    auto sock = co_await acc.async_accept(net::use_awaitable);
    net::co_spawn(acc.get_executor(), session(std::move(sock), t), net::detached);
  }
}

void start(net::io_context& ioc, Tournament& t) {
  net::any_io_executor ex = ioc.get_executor();
  net::co_spawn(ioc, listen(tcp::acceptor(ioc, {tcp::v4(), 7001}), t, &player_session), net::detached);
  net::co_spawn(ioc, listen(tcp::acceptor(ioc, {tcp::v4(), 7002}), t, &board_relay), net::detached);
  net::co_spawn(ioc, listen(tcp::acceptor(ioc, {tcp::v4(), 7003}), t, &arbiter_console), net::detached);
  net::co_spawn(ioc, listen(tcp::acceptor(ioc, {tcp::v4(), 7004}), t, &director_session), net::detached);
  net::co_spawn(ioc, listen(tcp::acceptor(ioc, {tcp::v4(), 7005}), t, &pairing_screen), net::detached);
  net::co_spawn(ioc, listen(tcp::acceptor(ioc, {tcp::v4(), 7006}), t, &spectator_session), net::detached);
  for (int table = 1; table <= 40; ++table)
    t.boards.emplace(table, std::make_unique<GameClock>(ex, TimeControl{}));
}

} // namespace clocks
