// checks: errorshield-thread-per-connection
// Arcade cabinet fleet server: cabinets report coin drops and high scores,
// the operator console polls status, the leaderboard display subscribes.
#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace arcade {

struct CabinetStats {
  std::mutex mu;
  std::map<std::string, long> coins;
  std::atomic<long> sessions{0};
};

CabinetStats g_stats;

void record_coin(const std::string &cabinet) {
  std::lock_guard<std::mutex> lk(g_stats.mu);
  ++g_stats.coins[cabinet];
}

// Line protocol: "COIN <cabinet-id>\n" or "SCORE <cabinet-id> <score>\n"
void serve_cabinet(tcp::socket sock) {
  ++g_stats.sessions;
  asio::streambuf buf;
  beast::error_code ec;
  for (;;) {
    asio::read_until(sock, buf, '\n', ec);
    if (ec)
      break;
    std::istream is(&buf);
    std::string verb, id;
    is >> verb >> id;
    std::string rest;
    std::getline(is, rest);
    if (verb == "COIN")
      record_coin(id);
  }
  --g_stats.sessions;
}

// Cabinet uplink: the old firmware keeps one TCP connection per cabinet.
void cabinet_listener(unsigned short port) {
  asio::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), port});
  for (;;) {
    tcp::socket s(ioc);
    acc.accept(s);
    std::thread(serve_cabinet, std::move(s)).detach(); // expect: errorshield-thread-per-connection
  }
}

// Operator console: async accept, but each console session does blocking
// queries against the stats, so it gets its own thread.
class ConsoleServer {
public:
  ConsoleServer(asio::io_context &ioc, unsigned short port) : acc_(ioc, {tcp::v4(), port}) {}

  void start() { accept_next(); }

  ~ConsoleServer() {
    for (auto &t : workers_)
      if (t.joinable())
        t.join();
  }

private:
  void accept_next() {
    acc_.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (!ec)
        workers_.emplace_back(&ConsoleServer::console_loop, this, std::move(s)); // expect: errorshield-thread-per-connection
      accept_next();
    });
  }

  void console_loop(tcp::socket s) {
    beast::error_code ec;
    std::string report;
    {
      std::lock_guard<std::mutex> lk(g_stats.mu);
      for (auto &[id, n] : g_stats.coins)
        report += id + " " + std::to_string(n) + "\n";
    }
    asio::write(s, asio::buffer(report), ec);
  }

  tcp::acceptor acc_;
  std::vector<std::thread> workers_;
};

// Leaderboard displays subscribe over WebSocket.
void leaderboard_session(tcp::socket s) {
  websocket::stream<tcp::socket> ws(std::move(s));
  beast::error_code ec;
  ws.accept(ec);
  if (ec)
    return;
  ws.text(true);
  ws.write(asio::buffer(std::string("{\"top\":[]}")), ec);
}

asio::awaitable<void> leaderboard_listener(tcp::acceptor acc, std::vector<std::jthread> &displays) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(asio::use_awaitable);
    displays.emplace_back([sock = std::move(s)]() mutable { leaderboard_session(std::move(sock)); }); // expect: errorshield-thread-per-connection
  }
}

// Service-engineer port on the raw socket API (runs on the maintenance VLAN).
struct EngineerConn {
  int fd;
};

void *engineer_session(void *arg) {
  std::unique_ptr<EngineerConn> c(static_cast<EngineerConn *>(arg));
  const char banner[] = "arcade-fleet maint ready\n";
  ::write(c->fd, banner, sizeof(banner) - 1);
  ::close(c->fd);
  return nullptr;
}

void engineer_listener(unsigned short port) {
  int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(lfd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) < 0 || ::listen(lfd, 16) < 0)
    return;
  for (;;) {
    int cfd = ::accept(lfd, nullptr, nullptr);
    if (cfd < 0)
      continue;
    pthread_t tid;
    pthread_create(&tid, nullptr, engineer_session, new EngineerConn{cfd}); // expect: errorshield-thread-per-connection
    pthread_detach(tid);
  }
}

// Prize-redemption kiosks: short transactions.
template <class Handler>
void redemption_listener(asio::io_context &ioc, unsigned short port, Handler h) {
  tcp::acceptor acc(ioc, {tcp::v4(), port});
  std::vector<std::future<void>> pending;
  for (;;) {
    tcp::socket s = acc.accept();
    pending.push_back(std::async(std::launch::async, h, std::move(s))); // expect: errorshield-thread-per-connection
  }
}

// Pooled path used by the new cabinet firmware: sessions run on a fixed pool.
class PooledCabinetServer {
public:
  PooledCabinetServer(asio::io_context &ioc, asio::thread_pool &pool, unsigned short port)
      : acc_(ioc, {tcp::v4(), port}), pool_(pool) {}

  void start() {
    acc_.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (!ec)
        asio::post(pool_, [sock = std::make_shared<tcp::socket>(std::move(s))]() mutable {
          serve_cabinet(std::move(*sock));
        });
      start();
    });
  }

private:
  tcp::acceptor acc_;
  asio::thread_pool &pool_;
};

asio::awaitable<void> cabinet_session_async(tcp::socket s) {
  asio::streambuf buf;
  for (;;) {
    std::size_t n = co_await asio::async_read_until(s, buf, '\n', asio::use_awaitable);
    std::string line(asio::buffers_begin(buf.data()), asio::buffers_begin(buf.data()) + n);
    buf.consume(n);
    if (line.rfind("COIN ", 0) == 0)
      record_coin(line.substr(5, line.size() - 6));
  }
}

asio::awaitable<void> cabinet_listener_async(tcp::acceptor acc) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(asio::use_awaitable);
    asio::co_spawn(acc.get_executor(), cabinet_session_async(std::move(s)), asio::detached);
  }
}

} // namespace arcade

int main() {
  asio::io_context ioc;
  asio::thread_pool pool(4);
  auto guard = asio::make_work_guard(ioc);

  // fixed set of I/O threads, sized once at startup
  std::vector<std::thread> io_threads;
  const unsigned n = std::max(2u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < n; ++i)
    io_threads.emplace_back([&ioc] { ioc.run(); });

  std::thread legacy(arcade::cabinet_listener, 6100);
  std::thread maint(arcade::engineer_listener, 6104);

  arcade::ConsoleServer console(ioc, 6101);
  console.start();
  std::vector<std::jthread> displays;
  asio::co_spawn(ioc, arcade::leaderboard_listener(tcp::acceptor(ioc, {tcp::v4(), 6102}), displays), asio::detached);
  asio::co_spawn(ioc, arcade::cabinet_listener_async(tcp::acceptor(ioc, {tcp::v4(), 6103})), asio::detached);
  arcade::PooledCabinetServer pooled(ioc, pool, 6105);
  pooled.start();

  std::thread kiosks([&ioc] {
    arcade::redemption_listener(ioc, 6106, [](tcp::socket s) { arcade::serve_cabinet(std::move(s)); });
  });

  for (auto &t : io_threads)
    t.join();
  legacy.join();
  maint.join();
  kiosks.join();
  pool.join();
}
