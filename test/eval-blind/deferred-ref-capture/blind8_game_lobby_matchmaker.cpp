// checks: errorshield-deferred-ref-capture
// Multiplayer game lobby service: players connect over WebSocket, join lobbies,
// a ready-check countdown starts when a lobby fills, and matches are handed to
// a persistence thread when they launch.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace lobby {

std::atomic<std::uint64_t> g_lobby_events{0};

template <class F>
class ScopeExit {
 public:
  explicit ScopeExit(F f) : f_(std::move(f)) {}
  ScopeExit(const ScopeExit&) = delete;
  ScopeExit& operator=(const ScopeExit&) = delete;
  ~ScopeExit() { f_(); }

 private:
  F f_;
};

template <class F>
ScopeExit<F> on_scope_exit(F f) { return ScopeExit<F>(std::move(f)); }

struct PlayerInfo {
  std::string id;
  int rating = 1500;
  std::string region;
};

void persist_match(const std::string& match_id, const std::vector<PlayerInfo>& roster);
void log_line(const std::string& s);

class LobbyRegistry {
 public:
  explicit LobbyRegistry(net::any_io_executor ex) : strand_(net::make_strand(ex)) {}

  std::string reserve_slot(const std::string& lobby_id, const std::string& player) {
    std::lock_guard<std::mutex> lk(mu_);
    lobbies_[lobby_id].push_back(PlayerInfo{player, 1500, "eu"});
    return lobby_id + "#" + std::to_string(lobbies_[lobby_id].size());
  }

  std::string reserve_spectator_slot(const std::string& lobby_id) {
    std::lock_guard<std::mutex> lk(mu_);
    return lobby_id + "#spec" + std::to_string(++spectators_);
  }

  void release_slot(const std::string& slot) {
    std::lock_guard<std::mutex> lk(mu_);
    log_line("release " + slot);
  }

  void broadcast(const std::string& lobby_id, const std::string& text) {
    log_line("lobby " + lobby_id + ": " + text);
  }

  std::vector<PlayerInfo> roster(const std::string& lobby_id) {
    std::lock_guard<std::mutex> lk(mu_);
    return lobbies_[lobby_id];
  }

  // Hooks fire later, when the last player leaves a lobby.
  void on_lobby_empty(std::function<void()> hook) {
    std::lock_guard<std::mutex> lk(mu_);
    empty_hooks_.push_back(std::move(hook));
  }

  void register_teardown(const std::string& lobby_id) {
    std::string metrics_key = "lobby." + lobby_id + ".teardown";
    on_lobby_empty([&metrics_key] { log_line("teardown " + metrics_key); }); // expect: errorshield-deferred-ref-capture
  }

  void register_teardown_safe(const std::string& lobby_id) {
    std::string metrics_key = "lobby." + lobby_id + ".teardown";
    on_lobby_empty([metrics_key] { log_line("teardown " + metrics_key); });
  }

  // Shuffle the roster into balanced teams on the registry strand.
  void balance_teams(const std::string& lobby_id) {
    std::vector<PlayerInfo> players = roster(lobby_id);
    std::sort(players.begin(), players.end(),
              [&](const PlayerInfo& a, const PlayerInfo& b) { return a.rating > b.rating; });
    net::post(strand_, [&players, this] { // expect: errorshield-deferred-ref-capture
      for (std::size_t i = 0; i < players.size(); ++i)
        broadcast(players[i].id, i % 2 ? "team blue" : "team red");
    });
  }

  void balance_teams_owned(const std::string& lobby_id) {
    auto players = std::make_shared<std::vector<PlayerInfo>>(roster(lobby_id));
    net::post(strand_, [players, lobby_id, this] {
      for (std::size_t i = 0; i < players->size(); ++i)
        broadcast(lobby_id, (*players)[i].id + (i % 2 ? " blue" : " red"));
    });
  }

  void launch_match(const std::string& lobby_id) {
    std::string match_id = lobby_id + "-m" + std::to_string(++matches_);
    std::vector<PlayerInfo> snapshot = roster(lobby_id);
    std::thread([&] { persist_match(match_id, snapshot); }).detach(); // expect: errorshield-deferred-ref-capture
    broadcast(lobby_id, "match " + match_id + " starting");
  }

  void launch_match_blocking(const std::string& lobby_id) {
    std::string match_id = lobby_id + "-m" + std::to_string(++matches_);
    std::vector<PlayerInfo> snapshot = roster(lobby_id);
    std::thread writer([&] { persist_match(match_id, snapshot); });
    broadcast(lobby_id, "match " + match_id + " starting");
    writer.join();
  }

 private:
  net::strand<net::any_io_executor> strand_;
  std::mutex mu_;
  std::unordered_map<std::string, std::vector<PlayerInfo>> lobbies_;
  std::vector<std::function<void()>> empty_hooks_;
  int spectators_ = 0;
  int matches_ = 0;
};

class LobbySession : public std::enable_shared_from_this<LobbySession> {
 public:
  LobbySession(tcp::socket socket, LobbyRegistry& reg)
      : ws_(std::move(socket)), ready_timer_(ws_.get_executor()), reg_(reg) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(beast::bind_front_handler(&LobbySession::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&LobbySession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) {
      leave_lobby();
      return;
    }
    json msg = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
    buffer_.consume(buffer_.size());
    if (msg.is_object() && msg.value("op", "") == "join") join_lobby(msg);
    do_read();
  }

  // A join can be downgraded to spectating if the lobby turns out to be full;
  // the guard must free whichever slot we end up holding if validation throws.
  void join_lobby(const json& msg) {
    lobby_id_ = msg.value("lobby", "");
    std::string slot = reg_.reserve_slot(lobby_id_, player_id_);
    auto release = on_scope_exit([&] { reg_.release_slot(slot); }); // expect: errorshield-deferred-ref-capture
    if (reg_.roster(lobby_id_).size() > 8) {
      slot = reg_.reserve_spectator_slot(lobby_id_);
    }
    reg_.broadcast(lobby_id_, player_id_ + " joined via " + slot);
    if (reg_.roster(lobby_id_).size() == 8) schedule_ready_check(lobby_id_);
  }

  void leave_lobby() {
    std::string slot = lobby_id_ + "/" + player_id_;
    auto release = on_scope_exit([&] { reg_.release_slot(slot); });
    reg_.broadcast(lobby_id_, player_id_ + " left");
    ++g_lobby_events;
  }

  void schedule_ready_check(const std::string& lobby_id) {
    std::string countdown_tag = "ready-check:" + lobby_id;
    ready_timer_.expires_after(std::chrono::seconds(15));
    auto self = shared_from_this();
    ready_timer_.async_wait([self, &countdown_tag, lobby_id](beast::error_code ec) { // expect: errorshield-deferred-ref-capture
      if (!ec) self->reg_.broadcast(lobby_id, countdown_tag + " expired");
    });
  }

  void schedule_ready_reminder() {
    ready_timer_.expires_after(std::chrono::seconds(5));
    // Only members (through this, kept alive by self) and a global are used.
    ready_timer_.async_wait([&, self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      ++g_lobby_events;
      reg_.broadcast(lobby_id_, "reminder for " + player_id_);
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  net::steady_timer ready_timer_;
  LobbyRegistry& reg_;
  std::string player_id_ = "anon";
  std::string lobby_id_;

  friend int lobby_selftest();
};

// Runs a private io_context to completion before returning, so the
// by-reference captures never outlive the locals they point at.
int lobby_selftest() {
  net::io_context ioc;
  int delivered = 0;
  std::string last;
  net::post(ioc, [&] {
    ++delivered;
    last = "ping";
  });
  net::steady_timer t(ioc, std::chrono::milliseconds(1));
  t.async_wait([&delivered](beast::error_code) { ++delivered; });
  ioc.run();
  return delivered + static_cast<int>(last.size());
}

}  // namespace lobby
