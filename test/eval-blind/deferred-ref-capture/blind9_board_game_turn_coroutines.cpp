// checks: errorshield-deferred-ref-capture
// Turn-based board game table (think online backgammon / go): one table per
// match, seats with chess-style clocks, undo requests, spectators. Written as a
// single class driven by C++20 coroutines on a strand.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using json = nlohmann::json;
using namespace std::chrono_literals;
using error_code = boost::system::error_code;

struct seat {
  std::string player_id;
  std::string nick;
  std::chrono::milliseconds clock_left{300s};
  int rating = 1500;
  bool pending_undo = false;
  bool connected = true;
};

struct move_record {
  std::size_t seat_index;
  std::string notation;
  std::chrono::milliseconds think_time;
};

void write_pgn(const std::string& match_id, const std::vector<move_record>& moves);
void report_result(const std::string& match_id, const std::string& winner);

template <class F>
struct on_scope_exit {
  F fn;
  ~on_scope_exit() { fn(); }
};
template <class F>
on_scope_exit<F> make_scope_exit(F f) { return on_scope_exit<F>{std::move(f)}; }

class game_table : public std::enable_shared_from_this<game_table> {
public:
  explicit game_table(asio::any_io_executor ex)
      : strand_(asio::make_strand(ex)), turn_timer_(strand_) {}

  void add_seat(seat s) { seats_.push_back(std::move(s)); }

  void start_match(std::string match_id) {
    match_id_ = match_id;
    on_forfeit_ = [this, &match_id](const std::string& loser) {  // expect: errorshield-deferred-ref-capture
      report_result(match_id, opponent_nick(loser));
    };
    asio::co_spawn(strand_, run_turn_loop(), asio::detached);
    schedule_reminders();
  }

  void set_spectator_hook(std::function<void(const std::string&)> hook) {
    spectator_hook_ = std::move(hook);
  }

  void submit_move(std::size_t seat_index, std::string notation) {
    asio::co_spawn(strand_, handle_move(seat_index, std::move(notation)), asio::detached);
  }

  void request_undo(std::size_t requester) {
    asio::co_spawn(strand_, handle_undo_request(requester), asio::detached);
  }

  void end_match() {
    asio::post(strand_, [self = shared_from_this()] {
      self->publish_standings();
      self->archive_match();
    });
  }

private:
  std::string opponent_nick(const std::string& player) const {
    for (const auto& s : seats_)
      if (s.player_id != player) return s.nick;
    return {};
  }

  std::size_t opponent_of(std::size_t idx) const { return (idx + 1) % seats_.size(); }

  awaitable<void> send_to(std::size_t idx, std::string payload) {
    // real code writes to the seat's websocket; here we only log through the hook
    if (spectator_hook_) spectator_hook_(seats_[idx].nick + ": " + payload);
    co_return;
  }

  awaitable<void> broadcast(std::string payload) {
    for (std::size_t i = 0; i < seats_.size(); ++i) co_await send_to(i, payload);
  }

  // Nudge every seated player 30s into the match.
  void schedule_reminders() {
    for (std::size_t i = 0; i < seats_.size(); ++i) {
      const std::string nick = seats_[i].nick;
      auto t = std::make_shared<asio::steady_timer>(strand_, 30s);
      t->async_wait([t, &nick, self = shared_from_this()](error_code ec) {  // expect: errorshield-deferred-ref-capture
        if (!ec && self->spectator_hook_) self->spectator_hook_("reminder for " + nick);
      });
    }
  }

  void arm_turn_clock() {
    const seat& s = seats_[turn_];
    turn_timer_.expires_after(s.clock_left);
    turn_timer_.async_wait(
        [this, self = shared_from_this(), seat_idx = turn_, pid = s.player_id](error_code ec) {
          if (ec) return;  // cancelled: a move arrived in time
          seats_[seat_idx].clock_left = 0ms;
          if (on_forfeit_) on_forfeit_(pid);
        });
  }

  awaitable<void> run_turn_loop() {
    in_turn_loop_ = true;
    // [&] here only pulls in `this`; no local is referenced.
    auto done = make_scope_exit([&] { in_turn_loop_ = false; });
    while (!finished_) {
      arm_turn_clock();
      turn_started_ = std::chrono::steady_clock::now();
      co_await wait_for_move();
    }
  }

  awaitable<void> wait_for_move() {
    move_signal_ = std::make_unique<asio::steady_timer>(strand_, asio::steady_timer::time_point::max());
    error_code ec;
    co_await move_signal_->async_wait(asio::redirect_error(use_awaitable, ec));
  }

  awaitable<void> handle_move(std::size_t seat_index, std::string notation) {
    if (seat_index != turn_) co_return;
    turn_timer_.cancel();
    auto think = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - turn_started_);
    seats_[seat_index].clock_left -= think;
    move_record mv{seat_index, notation, think};

    // Validation is awaited: this frame stays suspended (and `mv` alive)
    // until the child coroutine has completed.
    bool legal = false;
    co_await asio::co_spawn(
        strand_,
        [&]() -> awaitable<void> {
          legal = !mv.notation.empty() && mv.notation.size() < 16;
          co_return;
        },
        use_awaitable);
    if (!legal) co_return;

    history_.push_back(mv);
    // Fire-and-forget fan-out to spectators...
    asio::co_spawn(
        strand_,
        [&]() -> awaitable<void> {  // expect: errorshield-deferred-ref-capture
          co_await broadcast(json{{"type", "move"}, {"seat", mv.seat_index}, {"n", mv.notation}}.dump());
        },
        asio::detached);
    mv.notation.clear();  // reuse buffer for the next parse

    turn_ = opponent_of(turn_);
    publish_clock();
    if (move_signal_) move_signal_->cancel();
  }

  awaitable<void> handle_undo_request(std::size_t requester) {
    std::size_t seat_idx = requester;
    seats_[seat_idx].pending_undo = true;
    auto clear_flag = make_scope_exit([&] { seats_[seat_idx].pending_undo = false; });  // expect: errorshield-deferred-ref-capture
    // ask the opponent to approve
    seat_idx = opponent_of(requester);
    co_await send_to(seat_idx, json{{"type", "undo-request"}, {"from", requester}}.dump());
    asio::steady_timer wait(strand_, 20s);
    error_code ec;
    co_await wait.async_wait(asio::redirect_error(use_awaitable, ec));
  }

  void publish_standings() {
    std::vector<std::size_t> order(seats_.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    // Comparator runs synchronously inside sort.
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return seats_[a].rating > seats_[b].rating; });
    json board = json::array();
    for (auto i : order) board.push_back({{"nick", seats_[i].nick}, {"rating", seats_[i].rating}});
    asio::post(strand_, [&board, self = shared_from_this()] {  // expect: errorshield-deferred-ref-capture
      if (self->spectator_hook_) self->spectator_hook_(board.dump());
    });
  }

  void publish_clock() {
    json clocks = json::array();
    for (const auto& s : seats_) clocks.push_back(s.clock_left.count());
    asio::post(strand_, [clocks = std::move(clocks), self = shared_from_this()] {
      if (self->spectator_hook_) self->spectator_hook_(clocks.dump());
    });
  }

  // Archive at match end. jthread joins in its destructor, and it is declared
  // after `snapshot`, so it is destroyed (joined) first.
  void archive_match() {
    std::vector<move_record> snapshot = history_;
    std::string id = match_id_;
    {
      std::jthread writer([&] { write_pgn(id, snapshot); });
    }
    finished_ = true;
  }

  asio::strand<asio::any_io_executor> strand_;
  asio::steady_timer turn_timer_;
  std::unique_ptr<asio::steady_timer> move_signal_;
  std::vector<seat> seats_;
  std::vector<move_record> history_;
  std::size_t turn_ = 0;
  bool finished_ = false;
  bool in_turn_loop_ = false;
  std::string match_id_;
  std::chrono::steady_clock::time_point turn_started_;
  std::function<void(const std::string&)> on_forfeit_;
  std::function<void(const std::string&)> spectator_hook_;
};

int main() {
  asio::io_context ioc;
  auto table = std::make_shared<game_table>(ioc.get_executor());
  table->add_seat({"p1", "amber", 300s, 1610});
  table->add_seat({"p2", "basil", 300s, 1580});
  table->start_match("m-20931");
  ioc.run_for(1s);
}
