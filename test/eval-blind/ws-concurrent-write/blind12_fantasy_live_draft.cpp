// checks: errorshield-ws-concurrent-write
// Live draft room for a fantasy football league. League managers and spectators
// connect over WebSocket; the server announces picks and runs the pick clock.
// The whole room runs on a single io_context thread.
#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using net::use_awaitable;
using json = nlohmann::json;
using ws_t = websocket::stream<beast::tcp_stream>;

namespace draft {

struct Pick {
  std::string team;
  std::string player;
  std::string position;
  int round = 0;
  int overall = 0;
};

inline void to_json(json &j, const Pick &p) {
  j = {{"team", p.team}, {"player", p.player}, {"pos", p.position}, {"round", p.round}, {"overall", p.overall}};
}

class Manager : public std::enable_shared_from_this<Manager> {
public:
  Manager(ws_t ws, std::string team) : ws_(std::move(ws)), wake_(ws_.get_executor()), team_(std::move(team)) {
    wake_.expires_at(std::chrono::steady_clock::time_point::max());
  }

  void deliver(std::string msg) {
    outbox_.push_back(std::move(msg));
    wake_.cancel_one();
  }

  // Single writer: the only place that writes to ws_ during the draft.
  net::awaitable<void> writer() {
    auto self = shared_from_this();
    while (ws_.is_open()) {
      if (outbox_.empty()) {
        beast::error_code ec;
        co_await wake_.async_wait(net::redirect_error(use_awaitable, ec));
        continue;
      }
      std::string msg = std::move(outbox_.front());
      outbox_.pop_front();
      co_await ws_.async_write(net::buffer(msg), use_awaitable);
    }
  }

  // Before writer() is spawned: roster and draft order, one after another.
  net::awaitable<void> handshake(const json &roster, const json &order) {
    std::string a = roster.dump();
    std::string b = order.dump();
    co_await ws_.async_write(net::buffer(a), use_awaitable);
    co_await ws_.async_write(net::buffer(b), use_awaitable);
  }

  // Reconnect after a dropped connection: catch the manager up on missed picks.
  void replay_missed(const std::vector<std::string> &missed) {
    auto copy = std::make_shared<std::vector<std::string>>(missed);
    for (const auto &m : *copy)
      ws_.async_write(net::buffer(m), [copy](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
  }

  ws_t &ws() { return ws_; }
  const std::string &team() const { return team_; }

private:
  ws_t ws_;
  net::steady_timer wake_;
  std::deque<std::string> outbox_;
  std::string team_;
};

struct Spectator {
  ws_t ws;
  std::deque<std::string> pending;
  bool writing = false;
};

template <class Stream>
void push_now(websocket::stream<Stream> &ws, std::shared_ptr<const std::string> m) {
  ws.async_write(net::buffer(*m), [m](beast::error_code, std::size_t) {});
}

void spectator_flush(std::shared_ptr<Spectator> s) {
  if (s->writing || s->pending.empty()) return;
  s->writing = true;
  s->ws.async_write(net::buffer(s->pending.front()), [s](beast::error_code ec, std::size_t) {
    s->writing = false;
    if (ec) return;
    s->pending.pop_front();
    spectator_flush(s);
  });
}

class DraftRoom {
public:
  explicit DraftRoom(net::io_context &ioc) : ioc_(ioc), clock_(ioc) {}

  void add_manager(std::shared_ptr<Manager> m, const json &roster) {
    managers_.push_back(m);
    net::co_spawn(
        ioc_,
        [m, roster, order = draft_order()]() -> net::awaitable<void> {
          co_await m->handshake(roster, order);
          co_await m->writer();
        },
        net::detached);
  }

  void add_spectator(std::shared_ptr<Spectator> s) {
    spectators_.push_back(s);
    auto welcome = std::make_shared<const std::string>(json{{"type", "welcome"}, {"league", league_}}.dump());
    auto board = std::make_shared<const std::string>(json{{"type", "board"}, {"picks", picks_}}.dump());
    push_now(s->ws, welcome);
    push_now(s->ws, board); // expect: errorshield-ws-concurrent-write
  }

  void on_pick(const Pick &p) {
    picks_.push_back(p);
    const std::string msg = json{{"type", "pick"}, {"pick", p}}.dump();
    for (auto &m : managers_) m->deliver(msg);
    for (auto &s : spectators_) {
      s->pending.push_back(msg);
      spectator_flush(s);
    }
    start_clock(90);
  }

  void start_clock(int seconds) {
    remaining_ = seconds;
    clock_.expires_after(std::chrono::seconds(1));
    clock_.async_wait([this](beast::error_code ec) {
      if (ec) return;
      --remaining_;
      tick_ = json{{"type", "clock"}, {"remaining", remaining_}}.dump();
      for (auto &m : managers_)
        m->ws().async_write(net::buffer(tick_), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
      if (remaining_ > 0) start_clock(remaining_);
    });
  }

  void on_autopick_warning(int seconds_left) {
    const std::string msg = json{{"type", "autopick_warning"}, {"in", seconds_left}}.dump();
    for (auto &m : managers_) m->deliver(msg);
  }

  // Commissioner export: recap to the league site, stats to the odds partner.
  net::awaitable<void> export_recap(ws_t &league_site, ws_t &stats_partner) {
    using namespace net::experimental::awaitable_operators;
    std::string recap = json{{"type", "recap"}, {"picks", picks_}}.dump();
    std::string stats = json{{"type", "adp"}, {"count", picks_.size()}}.dump();
    co_await (league_site.async_write(net::buffer(recap), use_awaitable) &&
              stats_partner.async_write(net::buffer(stats), use_awaitable));
  }

  // Archive feed: header frame and body frame pushed together to save a round trip.
  net::awaitable<void> archive_draft(ws_t &archive) {
    using namespace net::experimental::awaitable_operators;
    std::string header = json{{"type", "archive_header"}, {"league", league_}}.dump();
    std::string body = json{{"picks", picks_}}.dump();
    co_await (archive.async_write(net::buffer(header), use_awaitable) &&
              archive.async_write(net::buffer(body), use_awaitable)); // expect: errorshield-ws-concurrent-write
  }

  // Trade desk mirror gets a summary then the raw board; a slow partner shouldn't block the draft.
  net::awaitable<void> mirror_to_trade_desk(ws_t &desk) {
    std::string summary = json{{"type", "summary"}, {"made", picks_.size()}}.dump();
    std::string raw = json{{"type", "raw"}, {"picks", picks_}}.dump();
    desk.async_write(net::buffer(summary), net::detached);
    co_await desk.async_write(net::buffer(raw), use_awaitable); // expect: errorshield-ws-concurrent-write
  }

  net::awaitable<void> mirror_to_trade_desk_sequential(ws_t &desk) {
    std::string summary = json{{"type", "summary"}, {"made", picks_.size()}}.dump();
    std::string raw = json{{"type", "raw"}, {"picks", picks_}}.dump();
    co_await desk.async_write(net::buffer(summary), use_awaitable);
    co_await desk.async_write(net::buffer(raw), use_awaitable);
  }

private:
  json draft_order() const {
    json order = json::array();
    for (auto &m : managers_) order.push_back(m->team());
    return order;
  }

  net::io_context &ioc_;
  net::steady_timer clock_;
  std::vector<std::shared_ptr<Manager>> managers_;
  std::vector<std::shared_ptr<Spectator>> spectators_;
  std::vector<Pick> picks_;
  std::string league_ = "dynasty-12";
  std::string tick_;
  int remaining_ = 0;
};

}  // namespace draft
