// checks: errorshield-unlocked-shared-map
// Choir rehearsal sync service. Singers' tablets connect over TCP; the
// conductor's tablet broadcasts bar positions and the service keeps the roster,
// the per-section part assignments and the mute list. Sessions are coroutines
// on a multi-threaded io_context; a metronome thread drives the click track.
#include <boost/asio.hpp>
#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
using namespace std::chrono_literals;

struct Singer {
  std::string name;
  std::string section; // soprano, alto, tenor, bass
  std::chrono::steady_clock::time_point last_seen;
};

// Current tempo per rehearsal room, updated by the metronome thread.
std::unordered_map<int, int> g_bpm_by_room;
std::mutex g_bpm_mu;

class RehearsalHub {
public:
  explicit RehearsalHub(asio::io_context &ioc) : strand_(asio::make_strand(ioc)) {}

  awaitable<void> session(tcp::socket sock) {
    const int id = next_id_++;
    std::string line;
    std::size_t n = co_await asio::async_read_until(sock, asio::dynamic_buffer(line), '\n', use_awaitable);
    std::string name = line.substr(0, n - 1);
    line.erase(0, n);
    roster_.emplace(id, Singer{name, "unassigned", std::chrono::steady_clock::now()}); // expect: errorshield-unlocked-shared-map

    // Acks this session still owes the conductor; only this coroutine touches it.
    std::map<int, std::string> pending_acks;
    for (;;) {
      boost::system::error_code ec;
      n = co_await asio::async_read_until(sock, asio::dynamic_buffer(line), '\n',
                                          asio::redirect_error(use_awaitable, ec));
      if (ec)
        break;
      std::string cmd = line.substr(0, n - 1);
      line.erase(0, n);
      if (cmd.rfind("ack:", 0) == 0)
        pending_acks.erase(std::stoi(cmd.substr(4)));
      else if (cmd.rfind("part:", 0) == 0)
        assign_part(id, cmd.substr(5));
      else if (cmd == "mute")
        mute(id);
      else
        pending_acks.emplace(id, cmd);
    }
    std::lock_guard<std::mutex> lk(roster_mu_);
    roster_.erase(id);
  }

  void assign_part(int singer, const std::string &part) {
    std::unique_lock<std::mutex> lk(roster_mu_);
    auto it = roster_.find(singer);
    if (it == roster_.end())
      return;
    std::string section = it->second.section;
    lk.unlock();
    parts_[section] = part; // expect: errorshield-unlocked-shared-map
  }

  // Mute state is only ever touched on the hub's strand.
  void mute(int singer) {
    asio::post(strand_, [this, singer] { muted_.insert(singer); });
  }

  void unmute_later(asio::steady_timer &t, int singer) {
    t.expires_after(30s);
    t.async_wait([this, singer](boost::system::error_code ec) {
      if (!ec)
        muted_.erase(singer); // expect: errorshield-unlocked-shared-map
    });
  }

  // Housekeeping thread: drops tablets that stopped sending heartbeats.
  void sweep_stale() {
    auto cutoff = std::chrono::steady_clock::now() - 2min;
    for (auto it = roster_.begin(); it != roster_.end();) {
      if (it->second.last_seen < cutoff)
        it = roster_.erase(it); // expect: errorshield-unlocked-shared-map
      else
        ++it;
    }
  }

  // Printable roster for the conductor; edits a private snapshot.
  std::vector<std::string> roster_lines() {
    std::map<int, Singer> snapshot;
    {
      std::lock_guard<std::mutex> lk(roster_mu_);
      snapshot.insert(roster_.begin(), roster_.end());
    }
    snapshot.erase(0);
    std::vector<std::string> out;
    for (auto &[id, s] : snapshot)
      out.push_back(std::to_string(id) + " " + s.name + " (" + s.section + ")");
    return out;
  }

  void set_section(int singer, std::string section) {
    std::scoped_lock lk(roster_mu_);
    roster_[singer].section = std::move(section);
  }

private:
  std::atomic<int> next_id_{1};
  asio::strand<asio::io_context::executor_type> strand_;
  std::mutex roster_mu_;
  std::map<int, Singer> roster_;
  std::unordered_map<std::string, std::string> parts_;
  std::set<int> muted_;
};

void metronome(std::stop_token stop, int room) {
  int bpm = 72;
  while (!stop.stop_requested()) {
    g_bpm_by_room[room] = bpm; // expect: errorshield-unlocked-shared-map
    std::this_thread::sleep_for(std::chrono::milliseconds(60000 / bpm));
  }
}

void set_tempo(int room, int bpm) {
  std::lock_guard<std::mutex> lk(g_bpm_mu);
  g_bpm_by_room.insert_or_assign(room, bpm);
}

awaitable<void> listen(RehearsalHub &hub, tcp::acceptor acc) {
  for (;;) {
    tcp::socket sock = co_await acc.async_accept(use_awaitable);
    asio::co_spawn(acc.get_executor(), hub.session(std::move(sock)), asio::detached);
  }
}

int main() {
  asio::io_context ioc;
  RehearsalHub hub(ioc);
  asio::co_spawn(ioc, listen(hub, tcp::acceptor(ioc, {tcp::v4(), 7310})), asio::detached);

  std::jthread click(metronome, 1);
  std::jthread sweeper([&hub](std::stop_token st) {
    while (!st.stop_requested()) {
      hub.sweep_stale();
      std::this_thread::sleep_for(10s);
    }
  });
  set_tempo(1, 80);

  std::vector<std::jthread> pool;
  for (int i = 0; i < 3; ++i)
    pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
}
