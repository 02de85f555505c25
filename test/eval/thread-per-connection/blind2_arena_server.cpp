// checks: errorshield-thread-per-connection
// Multiplayer arena server: lobby port (Asio, blocking), spectator port, ranked port,
// a legacy POSIX matchmaking port and an operator console.
#include <boost/asio.hpp>
#include <boost/thread.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace arena::server {

void serve_player(tcp::socket sock);
void serve_legacy(int fd);
void operator_session(int fd);
void debugger_session(tcp::socket sock);
void ping_region(std::string const& region);

// A fixed-size worker pool; jobs are queued, threads are created once.
class MatchWorkerPool {
  std::vector<std::thread> workers_;
  std::queue<std::function<void()>> jobs_;
  std::mutex mtx_;
  std::condition_variable cv_;
  bool stopping_ = false;

 public:
  explicit MatchWorkerPool(unsigned n) {
    for (unsigned i = 0; i < n; ++i)
      workers_.push_back(std::thread([this] { work_loop(); }));  // correct: fixed pool, no accept in loop
  }

  ~MatchWorkerPool() {
    {
      std::lock_guard<std::mutex> lk(mtx_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_)
      t.join();
  }

  void submit(std::function<void()> job) {
    {
      std::lock_guard<std::mutex> lk(mtx_);
      jobs_.push(std::move(job));
    }
    cv_.notify_one();
  }

 private:
  void work_loop() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> lk(mtx_);
        cv_.wait(lk, [this] { return stopping_ || !jobs_.empty(); });
        if (stopping_ && jobs_.empty())
          return;
        job = std::move(jobs_.front());
        jobs_.pop();
      }
      job();
    }
  }
};

class LobbyServer {
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  std::atomic<bool> running_{true};
  std::vector<std::thread> spectators_;
  std::uint32_t next_player_id_ = 1;

 public:
  explicit LobbyServer(std::uint16_t port) : acceptor_(ioc_, tcp::endpoint(tcp::v4(), port)) {}

  // BUG: one detached OS thread per lobby connection.
  void run_lobby() {
    while (running_) {
      tcp::socket sock = acceptor_.accept();
      ++next_player_id_;
      std::thread(&LobbyServer::lobby_session, this, std::move(sock)).detach();  // expect: errorshield-thread-per-connection
    }
  }

  // BUG: a reader and a writer thread per spectator, kept in a member vector.
  void run_spectator_port(tcp::acceptor& spect) {
    for (;;) {
      tcp::socket sock(ioc_);
      spect.accept(sock);
      auto shared = std::make_shared<tcp::socket>(std::move(sock));
      spectators_.push_back(std::thread([shared] { drain_client_input(*shared); }));  // expect: errorshield-thread-per-connection
      spectators_.push_back(std::thread(&LobbyServer::stream_replay, this, shared));  // expect: errorshield-thread-per-connection
    }
  }

  // correct: accept loop hands sockets to a fixed pool; no thread is created here.
  void run_ranked_port(tcp::acceptor& ranked, MatchWorkerPool& pool) {
    while (running_) {
      auto sock = std::make_shared<tcp::socket>(ranked.accept());
      pool.submit([sock] { serve_player(std::move(*sock)); });
    }
  }

  // correct: single debugger attach, no loop around it.
  void accept_debugger(tcp::acceptor& dbg_acceptor) {
    tcp::socket s = dbg_acceptor.accept();
    std::thread dbg(debugger_session, std::move(s));
    dbg.join();
  }

  // correct: runner threads for the async side, created once; accepting is asynchronous.
  void run_async_side(unsigned n) {
    std::vector<std::jthread> runners;
    for (unsigned i = 0; i < n; ++i)
      runners.emplace_back([this] { ioc_.run(); });  // correct: fixed runner set
  }

 private:
  void lobby_session(tcp::socket sock) { serve_player(std::move(sock)); }
  static void drain_client_input(tcp::socket& s) {
    char buf[256];
    boost::system::error_code ec;
    while (!ec)
      s.read_some(net::buffer(buf), ec);
  }
  void stream_replay(std::shared_ptr<tcp::socket> s) { (void)s; }
};

// BUG: legacy matchmaking port, one jthread per client kept in a list.
void legacy_listener(int listen_fd, std::atomic<bool>& stop) {
  std::list<std::jthread> clients;
  do {
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    int fd = ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC);
    if (fd < 0)
      continue;
    std::jthread worker(serve_legacy, fd);  // expect: errorshield-thread-per-connection
    clients.push_back(std::move(worker));
  } while (!stop.load());
}

// BUG: operator console spawns a boost::thread per connection.
void operator_console(int listen_fd) {
  while (true) {
    int fd = ::accept(listen_fd, nullptr, nullptr);
    if (fd < 0)
      break;
    boost::thread t(&operator_session, fd);  // expect: errorshield-thread-per-connection
    t.detach();
  }
}

// BUG: generic blocking server helper, templated over the acceptor type.
template <class Acceptor, class Handler>
void serve_blocking(Acceptor& acc, Handler handler) {
  for (;;) {
    auto s = acc.accept();
    std::thread{handler, std::move(s)}.detach();  // expect: errorshield-thread-per-connection
  }
}
template void serve_blocking<tcp::acceptor, void (*)(tcp::socket)>(tcp::acceptor&, void (*)(tcp::socket));

// correct: one health-probe thread per configured region; the loop never accepts.
void start_region_probes(std::vector<std::string> const& regions, std::vector<std::thread>& out) {
  for (auto const& region : regions)
    out.push_back(std::thread(ping_region, region));  // correct: no accept in this loop
}

// correct: reaper thread is created once, before the accept loop.
void run_with_reaper(tcp::acceptor& acc, MatchWorkerPool& pool, std::atomic<bool>& stop) {
  std::thread reaper([&stop] {
    while (!stop)
      std::this_thread::sleep_for(std::chrono::seconds(1));
  });
  while (!stop) {
    auto sock = std::make_shared<tcp::socket>(acc.accept());
    pool.submit([sock] { serve_player(std::move(*sock)); });
  }
  reaper.join();
}

}  // namespace arena::server
