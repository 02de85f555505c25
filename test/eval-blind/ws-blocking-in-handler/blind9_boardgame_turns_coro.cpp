// checks: errorshield-ws-blocking-in-handler
// Turn-based board game server (two seats per table, optional AI opponent).
// C++20 coroutines on one io_context; per-connection state lives in a map owned
// by the lobby, handlers are free functions taking references.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <chrono>
#include <deque>
#include <fstream>
#include <future>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using asio::use_awaitable;
using namespace std::chrono_literals;

struct conn_state {
  explicit conn_state(tcp::socket s)
      : ws(std::move(s)), outbox_signal(ws.get_executor()) {}
  websocket::stream<beast::tcp_stream> ws;
  std::string player;
  std::string table_id;
  std::deque<std::string> outbox;
  asio::steady_timer outbox_signal;
};

struct board_move { int from = 0, to = 0; };

struct table_state {
  std::vector<std::string> seats;   // player ids
  std::vector<board_move> history;
  bool vs_ai = false;
  int turn = 0;
};

struct lobby {
  std::map<std::string, std::shared_ptr<conn_state>> conns;  // by player id
  std::map<std::string, table_state> tables;
  std::string opening_book;  // loaded once at startup
  sqlite3* ratings_db = nullptr;
  asio::thread_pool ai_pool{2};
};

board_move search_best_move(const std::vector<board_move>& history, int depth);

// ---- outbound path: one writer coroutine per connection -------------------
void enqueue(conn_state& c, std::string msg) {
  c.outbox.push_back(std::move(msg));
  c.outbox_signal.cancel_one();
}

asio::awaitable<void> writer_loop(std::shared_ptr<conn_state> c) {
  for (;;) {
    if (c->outbox.empty()) {
      c->outbox_signal.expires_at(asio::steady_timer::time_point::max());
      beast::error_code ec;
      co_await c->outbox_signal.async_wait(asio::redirect_error(use_awaitable, ec));
      if (!c->ws.is_open()) co_return;
      continue;
    }
    co_await c->ws.async_write(asio::buffer(c->outbox.front()), use_awaitable);
    c->outbox.pop_front();
  }
}

// ---- game logic ------------------------------------------------------------
std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void record_result(lobby& L, const std::string& winner, const std::string& loser) {
  std::string sql = "UPDATE ratings SET elo = elo + 12 WHERE player = '" + winner +
                    "'; UPDATE ratings SET elo = elo - 12 WHERE player = '" + loser + "';";
  sqlite3_exec(L.ratings_db, sql.c_str(), nullptr, nullptr, nullptr);
}

void broadcast_table(lobby& L, const table_state& t, const std::string& payload) {
  for (auto& pid : t.seats)
    if (auto it = L.conns.find(pid); it != L.conns.end()) enqueue(*it->second, payload);
}

asio::awaitable<void> play_ai_turn(lobby& L, table_state& t) {
  // Give the human a moment to see their own piece land before the AI replies.
  asio::steady_timer pause(co_await asio::this_coro::executor);
  pause.expires_after(600ms);
  co_await pause.async_wait(use_awaitable);

  int depth = t.history.size() < 10 ? 4 : 7;
  if (depth <= 4) {
    // shallow search: offload to the AI pool, resume back on our executor
    board_move mv = co_await asio::co_spawn(
        L.ai_pool, [&t, depth]() -> asio::awaitable<board_move> {
          co_return search_best_move(t.history, depth);
        },
        use_awaitable);
    t.history.push_back(mv);
  } else {
    // endgame: the deep search is launched on a std::async thread
    auto fut = std::async(std::launch::async, search_best_move, t.history, depth);
    t.history.push_back(fut.get()); // expect: errorshield-ws-blocking-in-handler
  }
  t.turn ^= 1;
}

asio::awaitable<void> handle_move(lobby& L, conn_state& c, const json& msg) {
  auto& t = L.tables[c.table_id];
  t.history.push_back({msg.value("from", 0), msg.value("to", 0)});
  t.turn ^= 1;
  json update{{"type", "moved"}, {"by", c.player}, {"from", msg.value("from", 0)},
              {"to", msg.value("to", 0)}};

  if (t.vs_ai) {
    enqueue(c, update.dump());
    co_await play_ai_turn(L, t);
    enqueue(c, json{{"type", "moved"}, {"by", "ai"}}.dump());
    co_return;
  }

  const std::string& opp_id = t.seats[0] == c.player ? t.seats[1] : t.seats[0];
  auto opp = L.conns.find(opp_id);
  if (opp == L.conns.end()) co_return;

  if (msg.value("resign", false)) {
    // resignation is rare; notify the opponent right away
    std::string note = json{{"type", "opponent_resigned"}}.dump();
    opp->second->ws.write(asio::buffer(note)); // expect: errorshield-ws-blocking-in-handler
    record_result(L, opp_id, c.player); // expect: errorshield-ws-blocking-in-handler
    co_return;
  }
  broadcast_table(L, t, update.dump());
}

asio::awaitable<void> start_table(lobby& L, conn_state& c, const json& msg) {
  table_state t;
  t.seats.push_back(c.player);
  t.vs_ai = msg.value("ai", false);
  if (msg.value("variant", "") == "custom") {
    // custom variants ship their own opening book next to the rules file
    auto path = "/srv/boardgame/variants/" + msg.value("name", "default") + ".book";
    std::string book = read_whole_file(path); // expect: errorshield-ws-blocking-in-handler
    enqueue(c, json{{"type", "book"}, {"size", book.size()}}.dump());
  } else {
    enqueue(c, json{{"type", "book"}, {"size", L.opening_book.size()}}.dump());
  }
  c.table_id = msg.value("table", "t-" + c.player);
  L.tables[c.table_id] = std::move(t);
  co_return;
}

asio::awaitable<void> session(lobby& L, tcp::socket sock) {
  auto c = std::make_shared<conn_state>(std::move(sock));
  c->ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  c->ws.read_message_max(64 * 1024);
  co_await c->ws.async_accept(use_awaitable);

  beast::flat_buffer buf;
  co_await c->ws.async_read(buf, use_awaitable);
  auto hello = json::parse(beast::buffers_to_string(buf.data()));
  buf.clear();
  c->player = hello.value("player", "anon");
  L.conns[c->player] = c;
  asio::co_spawn(c->ws.get_executor(), writer_loop(c), asio::detached);

  for (;;) {
    beast::error_code ec;
    co_await c->ws.async_read(buf, asio::redirect_error(use_awaitable, ec));
    if (ec) break;
    auto msg = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.clear();
    if (msg.is_discarded()) continue;
    auto type = msg.value("type", "");
    if (type == "move") co_await handle_move(L, *c, msg);
    else if (type == "new_table") co_await start_table(L, *c, msg);
  }
  L.conns.erase(c->player);
  c->outbox_signal.cancel();
}

asio::awaitable<void> listener(lobby& L, tcp::endpoint ep) {
  tcp::acceptor acc(co_await asio::this_coro::executor, ep);
  for (;;) {
    tcp::socket s = co_await acc.async_accept(use_awaitable);
    asio::co_spawn(acc.get_executor(), session(L, std::move(s)), asio::detached);
  }
}

asio::awaitable<int> warm_up_tables(lobby& L) {
  L.tables["lobby"] = table_state{};
  co_return static_cast<int>(L.tables.size());
}

int main() {
  lobby L;
  sqlite3_open("/var/lib/boardgame/ratings.db", &L.ratings_db);
  L.opening_book = read_whole_file("/srv/boardgame/standard.book");  // startup, before run()

  asio::io_context ioc;
  auto warm = asio::co_spawn(ioc, warm_up_tables(L), asio::use_future);
  asio::co_spawn(ioc, listener(L, {tcp::v4(), 8088}), asio::detached);

  std::thread io_thread([&] { ioc.run(); });
  int tables = warm.get();  // main thread, not an io thread
  (void)tables;
  io_thread.join();
  L.ai_pool.join();
  sqlite3_close(L.ratings_db);
}
