// checks: errorshield-thread-per-connection
// Multiplayer game lobby service: players join lobbies over WebSocket, spectators watch
// match feeds, and headless bots connect for load tests. Several acceptors share one binary.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;

using ws_t = websocket::stream<beast::tcp_stream>;

std::string handle_lobby_command(const std::string& player, const std::string& cmd);
std::string next_match_frame(const std::string& match_id);

// Blocking per-socket loops shared by the legacy paths.
void run_player_sync(tcp::socket sock) {
  ws_t ws(std::move(sock));
  ws.accept();
  beast::flat_buffer buf;
  for (;;) {
    beast::error_code ec;
    ws.read(buf, ec);
    if (ec) return;
    std::string reply = handle_lobby_command("anon", beast::buffers_to_string(buf.data()));
    buf.consume(buf.size());
    ws.write(net::buffer(reply), ec);
    if (ec) return;
  }
}

void run_spectator_sync(tcp::socket sock, std::string match_id) {
  ws_t ws(std::move(sock));
  ws.accept();
  beast::error_code ec;
  while (!ec) ws.write(net::buffer(next_match_frame(match_id)), ec);
}

class LobbyServer {
public:
  LobbyServer(net::io_context& ioc, std::size_t matchmakers)
      : ioc_(ioc), player_acc_(ioc, {tcp::v4(), 8100}), replay_acc_(ioc, {tcp::v4(), 8103}),
        bot_pool_(2) {
    // Matchmaking workers: a fixed number, sized from config.
    for (std::size_t i = 0; i < matchmakers; ++i)
      matchmakers_.emplace_back([this, i] { matchmaker_loop(i); });
  }

  ~LobbyServer() {
    stopping_ = true;
    for (auto& t : matchmakers_) t.join();
    for (auto& t : replay_threads_) if (t.joinable()) t.join();
    bot_pool_.join();
  }

  // --- classic callback acceptor for ranked players -----------------------
  void start_player_accept() {
    player_acc_.async_accept(
        [this](beast::error_code ec, tcp::socket sock) { on_player_accept(ec, std::move(sock)); });
  }

  // --- replays: callback acceptor that keeps threads for later join -------
  void start_replay_accept() {
    replay_acc_.async_accept([this](beast::error_code ec, tcp::socket sock) {
      if (!ec) {
        std::lock_guard lk(replay_mu_);
        replay_threads_.emplace_back( // expect: errorshield-thread-per-connection
            [s = std::move(sock)]() mutable { run_spectator_sync(std::move(s), "replay"); });
      }
      if (!stopping_) start_replay_accept();
    });
  }

  // --- casual lobbies: C++20 coroutine acceptor, one coroutine per player --
  awaitable<void> casual_listener(unsigned short port) {
    tcp::acceptor acc(co_await net::this_coro::executor, {tcp::v4(), port});
    for (;;) {
      tcp::socket sock = co_await acc.async_accept(use_awaitable);
      net::co_spawn(acc.get_executor(), casual_session(std::move(sock)), net::detached);
    }
  }

  // --- spectators: coroutine acceptor that falls back to the blocking loop --
  awaitable<void> spectator_listener(unsigned short port) {
    tcp::acceptor acc(co_await net::this_coro::executor, {tcp::v4(), port});
    for (;;) {
      tcp::socket sock = co_await acc.async_accept(use_awaitable);
      std::string match = "m-" + std::to_string(++spectator_seq_);
      std::thread([s = std::move(sock), match]() mutable { // expect: errorshield-thread-per-connection
        run_spectator_sync(std::move(s), match);
      }).detach();
    }
  }

  // --- tournament lobby: stackful coroutine acceptor ---------------------
  void tournament_listener(unsigned short port) {
    net::spawn(
        ioc_,
        [this, port](net::yield_context yield) {
          tcp::acceptor acc(ioc_, {tcp::v4(), port});
          for (;;) {
            beast::error_code ec;
            tcp::socket sock = acc.async_accept(yield[ec]);
            if (ec) continue;
            // Each player gets a stackful coroutine on the same io_context, not a thread.
            net::spawn(
                ioc_,
                [this, s = std::move(sock)](net::yield_context y) mutable {
                  tournament_session(std::move(s), y);
                },
                net::detached);
          }
        },
        net::detached);
  }

  // --- load-test bots: accepted sockets handed to a fixed 2-thread pool -----
  awaitable<void> bot_listener(unsigned short port) {
    tcp::acceptor acc(co_await net::this_coro::executor, {tcp::v4(), port});
    for (;;) {
      tcp::socket sock = co_await acc.async_accept(use_awaitable);
      net::post(bot_pool_, [s = std::move(sock)]() mutable { run_player_sync(std::move(s)); });
    }
  }

  // --- voice relay: each party gets its own private event loop ------------
  void start_voice_accept(tcp::acceptor& acc) {
    acc.async_accept([this, &acc](beast::error_code ec, tcp::socket sock) {
      if (!ec) {
        auto own = std::make_shared<net::io_context>(1);
        auto fd = sock.release(ec);
        auto relay = std::make_shared<tcp::socket>(*own, tcp::v4(), fd);
        std::thread([own, relay] { // expect: errorshield-thread-per-connection
          net::co_spawn(*own, voice_relay(std::move(*relay)), net::detached);
          own->run();
        }).detach();
      }
      start_voice_accept(acc);
    });
  }

private:
  static awaitable<void> voice_relay(tcp::socket sock) {
    std::array<char, 1500> pkt{};
    for (;;) {
      std::size_t n = co_await sock.async_read_some(net::buffer(pkt), use_awaitable);
      co_await net::async_write(sock, net::buffer(pkt.data(), n), use_awaitable);
    }
  }

  void on_player_accept(beast::error_code ec, tcp::socket sock) {
    if (!ec) launch_player(std::move(sock));
    start_player_accept();
  }

  void launch_player(tcp::socket sock) {
    ++online_;
    std::thread t(run_player_sync, std::move(sock)); // expect: errorshield-thread-per-connection
    t.detach();
  }

  awaitable<void> casual_session(tcp::socket sock) {
    ws_t ws(std::move(sock));
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    co_await ws.async_accept(use_awaitable);
    beast::flat_buffer buf;
    for (;;) {
      co_await ws.async_read(buf, use_awaitable);
      std::string reply = handle_lobby_command("casual", beast::buffers_to_string(buf.data()));
      buf.consume(buf.size());
      co_await ws.async_write(net::buffer(reply), use_awaitable);
    }
  }

  void tournament_session(tcp::socket sock, net::yield_context yield) {
    ws_t ws(std::move(sock));
    beast::error_code ec;
    ws.async_accept(yield[ec]);
    beast::flat_buffer buf;
    while (!ec) {
      ws.async_read(buf, yield[ec]);
      if (ec) break;
      std::string reply = handle_lobby_command("tourney", beast::buffers_to_string(buf.data()));
      buf.consume(buf.size());
      ws.async_write(net::buffer(reply), yield[ec]);
    }
  }

  void matchmaker_loop(std::size_t shard) {
    while (!stopping_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      (void)shard; // pair queued players in this shard
    }
  }

  net::io_context& ioc_;
  tcp::acceptor player_acc_;
  tcp::acceptor replay_acc_;
  net::thread_pool bot_pool_;
  std::vector<std::thread> matchmakers_;
  std::mutex replay_mu_;
  std::vector<std::thread> replay_threads_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> online_{0};
  std::atomic<int> spectator_seq_{0};
};

int main() {
  net::io_context ioc;
  LobbyServer lobby(ioc, 4);
  lobby.start_player_accept();
  lobby.start_replay_accept();
  lobby.tournament_listener(8104);
  net::co_spawn(ioc, lobby.casual_listener(8101), net::detached);
  net::co_spawn(ioc, lobby.spectator_listener(8102), net::detached);
  net::co_spawn(ioc, lobby.bot_listener(8105), net::detached);
  tcp::acceptor voice_acc(ioc, {tcp::v4(), 8106});
  lobby.start_voice_accept(voice_acc);

  // io_context driven by a fixed set of threads, one per core.
  unsigned n = std::max(2u, std::thread::hardware_concurrency());
  std::vector<std::thread> runners;
  for (unsigned i = 0; i < n; ++i) runners.emplace_back([&ioc] { ioc.run(); });
  for (auto& t : runners) t.join();
}
