// checks: errorshield-thread-per-connection
// Pinball arcade high-score service. Each cabinet's score terminal connects
// after a game ends and submits "INITIALS SCORE TABLE\n". The attract-mode
// displays poll the leaderboard on a separate port, and the operator's
// tablet uses a WebSocket feed.
#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace arcade {

struct Entry {
  std::string initials;
  long long score = 0;
};

class Leaderboard {
public:
  void submit(const std::string& table, Entry e) {
    std::lock_guard<std::mutex> lk(mu_);
    auto& v = tables_[table];
    v.push_back(std::move(e));
    std::sort(v.begin(), v.end(), [](const Entry& a, const Entry& b) { return a.score > b.score; });
    if (v.size() > 10)
      v.resize(10);
  }

  std::string render(const std::string& table) {
    std::lock_guard<std::mutex> lk(mu_);
    std::ostringstream os;
    for (const auto& e : tables_[table])
      os << e.initials << ' ' << e.score << '\n';
    return os.str();
  }

private:
  std::mutex mu_;
  std::map<std::string, std::vector<Entry>> tables_;
};

Leaderboard g_board;

void handle_terminal(tcp::socket sock) {
  beast::error_code ec;
  net::streambuf sb;
  net::read_until(sock, sb, '\n', ec);
  if (ec)
    return;
  std::istream is(&sb);
  Entry e;
  std::string table;
  is >> e.initials >> e.score >> table;
  g_board.submit(table, e);
  net::write(sock, net::buffer(std::string("OK\n")), ec);
}

// Score terminals on the main floor.
void terminal_listener(unsigned short port) {
  net::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), port});
  for (;;) {
    tcp::socket s = acc.accept();
    std::thread(handle_terminal, std::move(s)).detach(); // expect: errorshield-thread-per-connection
  }
}

// Attract-mode displays (old firmware, raw POSIX sockets).
void* display_worker(void* arg) {
  int fd = static_cast<int>(reinterpret_cast<intptr_t>(arg));
  char table[32] = {};
  ssize_t n = ::recv(fd, table, sizeof(table) - 1, 0);
  if (n > 0) {
    std::string name(table, static_cast<std::size_t>(n));
    name.erase(name.find_last_not_of("\r\n") + 1);
    std::string body = g_board.render(name);
    ::send(fd, body.data(), body.size(), 0);
  }
  ::close(fd);
  return nullptr;
}

void display_listener(int listen_fd) {
  for (;;) {
    sockaddr_in peer{};
    socklen_t len = sizeof(peer);
    int fd = ::accept(listen_fd, reinterpret_cast<sockaddr*>(&peer), &len);
    if (fd < 0)
      continue;
    pthread_t tid;
    if (pthread_create(&tid, nullptr, display_worker, reinterpret_cast<void*>(static_cast<intptr_t>(fd))) == 0) // expect: errorshield-thread-per-connection
      pthread_detach(tid);
    else
      ::close(fd);
  }
}

// Tournament mode: every cabinet in the bracket connects once per round.
class TournamentServer {
public:
  TournamentServer(net::io_context& ioc, unsigned short port) : acc_(ioc, {tcp::v4(), port}) {}

  void start() { do_accept(); }

  ~TournamentServer() {
    for (auto& t : workers_)
      if (t.joinable())
        t.join();
  }

private:
  void do_accept() {
    acc_.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (!ec)
        workers_.emplace_back(handle_terminal, std::move(s)); // expect: errorshield-thread-per-connection
      do_accept();
    });
  }

  tcp::acceptor acc_;
  std::vector<std::thread> workers_;
};

// Operator tablet feed: WebSocket, coroutine based, runs on the shared pool.
net::awaitable<void> tablet_session(websocket::stream<beast::tcp_stream> ws) {
  co_await ws.async_accept(net::use_awaitable);
  net::steady_timer t(co_await net::this_coro::executor);
  for (;;) {
    std::string snapshot = g_board.render("medieval_madness");
    co_await ws.async_write(net::buffer(snapshot), net::use_awaitable);
    t.expires_after(std::chrono::seconds(2));
    co_await t.async_wait(net::use_awaitable);
  }
}

net::awaitable<void> tablet_listener(tcp::acceptor acc) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(net::use_awaitable);
    net::co_spawn(acc.get_executor(), tablet_session(websocket::stream<beast::tcp_stream>(std::move(s))),
                  net::detached);
  }
}

// Cabinet diagnostics upload (service tech laptop); each upload is handed
// to a bounded worker pool because it parses large logs.
void diagnostics_listener(net::io_context& ioc, net::thread_pool& pool, unsigned short port) {
  auto acc = std::make_shared<tcp::acceptor>(ioc, tcp::endpoint{tcp::v4(), port});
  auto loop = std::make_shared<std::function<void()>>();
  *loop = [acc, &pool, loop] {
    acc->async_accept([acc, &pool, loop](beast::error_code ec, tcp::socket s) {
      if (!ec)
        net::post(pool, [s = std::make_shared<tcp::socket>(std::move(s))]() mutable { handle_terminal(std::move(*s)); });
      (*loop)();
    });
  };
  (*loop)();
}

// Coin-mech audit: the cashbox reader connects, one future per reader.
template <class Handler>
class AuditAcceptor {
public:
  AuditAcceptor(net::io_context& ioc, unsigned short port, Handler h) : acc_(ioc, {tcp::v4(), port}), h_(h) {}

  void serve_forever() {
    for (;;) {
      tcp::socket s = acc_.accept();
      pending_.push_back(std::async(std::launch::async, h_, std::move(s))); // expect: errorshield-thread-per-connection
      pending_.erase(std::remove_if(pending_.begin(), pending_.end(),
                                    [](std::future<void>& f) {
                                      return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
                                    }),
                     pending_.end());
    }
  }

private:
  tcp::acceptor acc_;
  Handler h_;
  std::vector<std::future<void>> pending_;
};

// Marquee light controller: single long-lived connection to the DMX bridge,
// driven from its own thread for the lifetime of the process.
void marquee_loop(net::io_context& ioc) {
  tcp::socket dmx(ioc);
  beast::error_code ec;
  dmx.connect({net::ip::make_address("10.0.7.20"), 5568}, ec);
  while (!ec) {
    net::write(dmx, net::buffer(std::string("PULSE\n")), ec);
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

} // namespace arcade

int main() {
  net::io_context ioc;
  net::thread_pool pool(4);

  arcade::TournamentServer tournament(ioc, 7002);
  tournament.start();
  arcade::diagnostics_listener(ioc, pool, 7004);
  net::co_spawn(ioc, arcade::tablet_listener(tcp::acceptor(ioc, {tcp::v4(), 7003})), net::detached);

  arcade::AuditAcceptor audit(ioc, 7005, [](tcp::socket s) { arcade::handle_terminal(std::move(s)); });

  std::thread floor([] { arcade::terminal_listener(7001); });
  std::thread marquee([&ioc] { arcade::marquee_loop(ioc); });
  std::thread auditor([&audit] { audit.serve_forever(); });

  std::vector<std::thread> io_threads;
  for (unsigned i = 0; i < std::max(2u, std::thread::hardware_concurrency()); ++i)
    io_threads.emplace_back([&ioc] { ioc.run(); });
  for (auto& t : io_threads)
    t.join();
  floor.join();
  marquee.join();
  auditor.join();
  pool.join();
}
