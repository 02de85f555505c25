// checks: errorshield-ws-concurrent-write
// Bingo hall caller: draws balls on a timer and pushes them to player
// tablets, the big screen board and the caller's console over WebSocket.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using ws_t = websocket::stream<beast::tcp_stream>;

static std::string ball_msg(int n) { return json{{"type", "ball"}, {"n", n}}.dump(); }

// Player tablet: everything outbound goes through a queue so only one
// write is ever outstanding on the stream.
class PlayerSession : public std::enable_shared_from_this<PlayerSession> {
public:
  explicit PlayerSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.async_accept(beast::bind_front_handler(&PlayerSession::on_accept, shared_from_this()));
  }

  void deliver(std::string msg) {
    outbox_.push_back(std::move(msg));
    if (outbox_.size() > 1) return;
    write_front();
  }

  ws_t& stream() { return ws_; }

private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    read_claim();
  }

  void read_claim() {
    ws_.async_read(in_, beast::bind_front_handler(&PlayerSession::on_claim, shared_from_this()));
  }

  void on_claim(beast::error_code ec, std::size_t) {
    if (ec) return;
    auto j = json::parse(beast::buffers_to_string(in_.data()), nullptr, false);
    in_.consume(in_.size());
    bool ok = !j.is_discarded() && j.value("claim", "") == "line";
    deliver(json{{"type", "claim"}, {"accepted", ok}}.dump());
    read_claim();
  }

  void write_front() {
    ws_.text(true);
    ws_.async_write(net::buffer(outbox_.front()),
                    beast::bind_front_handler(&PlayerSession::on_written, shared_from_this()));
  }

  void on_written(beast::error_code ec, std::size_t) {
    if (ec) return;
    outbox_.pop_front();
    if (!outbox_.empty()) write_front();
  }

  ws_t ws_;
  beast::flat_buffer in_;
  std::deque<std::string> outbox_;
};

// Big screen above the stage. It reconnects rarely, so it gets a simple
// busy flag + one pending slot (only the newest ball matters).
class BoardSession : public std::enable_shared_from_this<BoardSession> {
public:
  BoardSession(tcp::socket s, std::vector<int> called)
      : ws_(std::move(s)), called_(std::move(called)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
  }

  void show_ball(int n) {
    if (busy_) {
      pending_ = ball_msg(n);
      return;
    }
    busy_ = true;
    current_ = ball_msg(n);
    ws_.async_write(net::buffer(current_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->busy_ = false;
      if (!ec && !self->pending_.empty()) {
        self->current_ = std::move(self->pending_);
        self->pending_.clear();
        self->busy_ = true;
        self->ws_.async_write(net::buffer(self->current_),
                              [self](beast::error_code, std::size_t) { self->busy_ = false; });
      }
    });
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    board_ = json{{"type", "board"}, {"called", called_}}.dump();
    last_ = called_.empty() ? std::string("{}") : ball_msg(called_.back());
    ws_.async_write(net::buffer(board_), [](beast::error_code, std::size_t) {});
    ws_.async_write(net::buffer(last_), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
  }

  ws_t ws_;
  std::vector<int> called_;
  std::string board_, last_, current_, pending_;
  bool busy_ = false;
};

// Late joiners get every ball called so far.
void replay_called(const std::shared_ptr<ws_t>& ws, const std::shared_ptr<std::vector<std::string>>& msgs) {
  for (const auto& m : *msgs) {
    ws->async_write(net::buffer(m), [ws, msgs](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
  }
}

// Same replay, but each ball goes out after the previous one has finished.
void replay_called_chained(std::shared_ptr<ws_t> ws, std::shared_ptr<std::vector<std::string>> msgs,
                           std::size_t i = 0) {
  if (i >= msgs->size()) return;
  ws->async_write(net::buffer((*msgs)[i]), [ws, msgs, i](beast::error_code ec, std::size_t) {
    if (!ec) replay_called_chained(ws, msgs, i + 1);
  });
}

template <class WebSocket>
void announce_winner(WebSocket& ws, std::shared_ptr<std::string> who, std::shared_ptr<std::string> prize) {
  ws.async_write(net::buffer(*who), [who](beast::error_code, std::size_t) {});
  ws.async_write(net::buffer(*prize), [prize](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
}

// Spectator screens in the bar: replay history, then the winner banner.
void greet_spectator(std::shared_ptr<ws_t> ws, const std::vector<int>& called, bool game_over) {
  auto msgs = std::make_shared<std::vector<std::string>>();
  for (int n : called) msgs->push_back(ball_msg(n));
  if (!game_over) {
    replay_called_chained(ws, msgs);
    return;
  }
  announce_winner(*ws, std::make_shared<std::string>(R"({"winner":"table 12"})"),
                  std::make_shared<std::string>(R"({"prize":"meat raffle"})"));
}

// Caller's console (the person on the microphone). Coroutine per connection.
net::awaitable<void> caller_console(tcp::socket s, std::shared_ptr<std::vector<int>> called) {
  ws_t ws(std::move(s));
  co_await ws.async_accept(net::use_awaitable);

  std::string banner = R"({"type":"hello","role":"caller"})";
  std::string rules = R"({"type":"rules","game":"90-ball","lines":[1,2,"full"]})";
  ws.async_write(net::buffer(banner), net::detached);
  co_await ws.async_write(net::buffer(rules), net::use_awaitable); // expect: errorshield-ws-concurrent-write

  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    auto cmd = beast::buffers_to_string(buf.data());
    buf.consume(buf.size());
    if (cmd == "status") {
      std::string s1 = json{{"called", called->size()}}.dump();
      std::string s2 = json{{"remaining", 90 - called->size()}}.dump();
      co_await ws.async_write(net::buffer(s1), net::use_awaitable);
      co_await ws.async_write(net::buffer(s2), net::use_awaitable);
    }
  }
}

class Hall {
public:
  explicit Hall(net::io_context& ioc) : ioc_(ioc), draw_timer_(ioc), rng_(std::random_device{}()) {
    for (int i = 1; i <= 90; ++i) bag_.push_back(i);
    std::shuffle(bag_.begin(), bag_.end(), rng_);
  }

  void join(std::shared_ptr<PlayerSession> p) { players_.insert(std::move(p)); }
  void set_board(std::shared_ptr<BoardSession> b) { board_ = std::move(b); }

  void start_game() { schedule_draw(); }

private:
  void schedule_draw() {
    draw_timer_.expires_after(std::chrono::seconds(6));
    draw_timer_.async_wait([this](beast::error_code ec) {
      if (ec || bag_.empty()) return;
      int n = bag_.back();
      bag_.pop_back();
      called_.push_back(n);
      draw(n);
      schedule_draw();
    });
  }

  void draw(int n) {
    auto msg = std::make_shared<std::string>(ball_msg(n));
    for (auto& p : players_) {
      // tablets that fell behind still get the ball straight away
      p->stream().async_write(net::buffer(*msg), [msg](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
    }
    if (board_) board_->show_ball(n);
  }

  void draw_queued(int n) {
    for (auto& p : players_) p->deliver(ball_msg(n));
  }

  net::io_context& ioc_;
  net::steady_timer draw_timer_;
  std::mt19937 rng_;
  std::vector<int> bag_;
  std::vector<int> called_;
  std::set<std::shared_ptr<PlayerSession>> players_;
  std::shared_ptr<BoardSession> board_;
};

int main() {
  net::io_context ioc;
  Hall hall(ioc);
  tcp::acceptor players(ioc, {tcp::v4(), 8090});
  tcp::acceptor console(ioc, {tcp::v4(), 8091});
  auto called = std::make_shared<std::vector<int>>();

  std::function<void()> accept_player = [&] {
    players.async_accept([&](beast::error_code ec, tcp::socket s) {
      if (!ec) {
        auto p = std::make_shared<PlayerSession>(std::move(s));
        hall.join(p);
        p->start();
      }
      accept_player();
    });
  };
  accept_player();

  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    for (;;) {
      auto s = co_await console.async_accept(net::use_awaitable);
      net::co_spawn(ioc, caller_console(std::move(s), called), net::detached);
    }
  }, net::detached);

  hall.start_game();
  ioc.run();
}
