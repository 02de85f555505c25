// checks: errorshield-thread-per-connection
// Market-data gateway: raw POSIX listener for FIX clients, an Asio listener
// for the JSON feed, and upstream connectors.
#include <boost/asio.hpp>
#include <boost/thread/thread.hpp>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace gw {

std::atomic<bool> g_stop{false};

void serve_fix_client(int fd) {
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0)
      break;
    ::send(fd, buf, static_cast<size_t>(n), 0);
  }
  ::close(fd);
}

int make_listener(unsigned short port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = INADDR_ANY;
  ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
  ::listen(fd, 128);
  return fd;
}

// BUG: POSIX accept loop spawning a detached std::thread per client.
void fix_accept_loop(unsigned short port) {
  int lfd = make_listener(port);
  while (!g_stop) {
    int cfd = ::accept(lfd, nullptr, nullptr);
    if (cfd < 0)
      continue;
    std::thread worker(serve_fix_client, cfd); // expect: errorshield-thread-per-connection
    worker.detach();
  }
  ::close(lfd);
}

// BUG: pthread flavour of the same design.
void *fix_client_entry(void *arg) {
  int fd = static_cast<int>(reinterpret_cast<intptr_t>(arg));
  serve_fix_client(fd);
  return nullptr;
}
void fix_accept_loop_pthread(unsigned short port) {
  int lfd = make_listener(port);
  while (!g_stop) {
    int cfd = ::accept(lfd, nullptr, nullptr);
    if (cfd < 0)
      continue;
    pthread_t tid;
    if (pthread_create(&tid, nullptr, fix_client_entry, reinterpret_cast<void *>(static_cast<intptr_t>(cfd))) == 0) // expect: errorshield-thread-per-connection
      pthread_detach(tid);
  }
  ::close(lfd);
}

// BUG: boost::thread per accepted connection, kept in a thread_group.
void fix_accept_loop_boost(unsigned short port) {
  int lfd = make_listener(port);
  boost::thread_group group;
  while (!g_stop) {
    int cfd = ::accept(lfd, nullptr, nullptr);
    if (cfd >= 0)
      group.create_thread([cfd] { serve_fix_client(cfd); }); // expect: errorshield-thread-per-connection
  }
  group.join_all();
}

// OK: a fixed worker pool pulling accepted fds from a queue.
class FdQueue {
public:
  void push(int fd) {
    std::lock_guard<std::mutex> lk(mu_);
    fds_.push_back(fd);
  }
  bool pop(int &fd) {
    std::lock_guard<std::mutex> lk(mu_);
    if (fds_.empty())
      return false;
    fd = fds_.back();
    fds_.pop_back();
    return true;
  }

private:
  std::mutex mu_;
  std::vector<int> fds_;
};

void fix_accept_loop_pooled(unsigned short port, unsigned workers) {
  FdQueue q;
  std::vector<std::thread> pool;
  for (unsigned i = 0; i < workers; ++i)
    pool.emplace_back([&q] {
      int fd;
      while (!g_stop)
        if (q.pop(fd))
          serve_fix_client(fd);
        else
          std::this_thread::yield();
    });
  int lfd = make_listener(port);
  while (!g_stop) {
    int cfd = ::accept(lfd, nullptr, nullptr);
    if (cfd >= 0)
      q.push(cfd);
  }
  for (auto &t : pool)
    t.join();
  ::close(lfd);
}

// ---------------------------------------------------------------------------
// Asio-based JSON feed
// ---------------------------------------------------------------------------
void stream_json(tcp::socket sock) {
  boost::system::error_code ec;
  for (int seq = 0; !g_stop; ++seq) {
    std::string line = json{{"seq", seq}, {"px", 101.25}}.dump() + "\n";
    net::write(sock, net::buffer(line), ec);
    if (ec)
      break;
  }
}

class FeedListener {
public:
  FeedListener(net::io_context &ioc, unsigned short port) : acceptor_(ioc, {tcp::v4(), port}) {}

  // BUG: async accept, but each client is then served by a fresh thread.
  void start() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket sock) {
      if (!ec)
        std::thread(stream_json, std::move(sock)).detach(); // expect: errorshield-thread-per-connection
      start();
    });
  }

private:
  tcp::acceptor acceptor_;
};

// BUG: the per-connection thread is created in a helper that the accept loop
// calls for every client.
class SessionManager {
public:
  void adopt(tcp::socket sock) {
    std::lock_guard<std::mutex> lk(mu_);
    threads_.emplace_back(&stream_json, std::move(sock)); // expect: errorshield-thread-per-connection
  }
  ~SessionManager() {
    for (auto &t : threads_)
      if (t.joinable())
        t.join();
  }

private:
  std::mutex mu_;
  std::vector<std::thread> threads_;
};

void feed_accept_loop(net::io_context &ioc, unsigned short port, SessionManager &mgr) {
  tcp::acceptor acceptor(ioc, {tcp::v4(), port});
  while (!g_stop)
    mgr.adopt(acceptor.accept());
}

// OK: one connector thread per configured upstream exchange (fixed list),
// these are outbound connections, not accepted ones.
void connect_upstreams(const std::vector<std::string> &hosts) {
  std::vector<std::thread> connectors;
  for (const auto &h : hosts) {
    connectors.emplace_back([h] {
      net::io_context ioc;
      tcp::resolver r(ioc);
      tcp::socket s(ioc);
      boost::system::error_code ec;
      net::connect(s, r.resolve(h, "9000", ec), ec);
      if (!ec)
        stream_json(std::move(s));
    });
  }
  for (auto &t : connectors)
    t.join();
}

// OK: one listener thread per configured port.
void listen_all(const std::vector<unsigned short> &ports) {
  std::vector<std::jthread> listeners;
  for (unsigned short p : ports)
    listeners.emplace_back(fix_accept_loop_pooled, p, 8u);
}

} // namespace gw

int main() {
  net::io_context ioc;
  gw::FeedListener feed(ioc, 9100);
  feed.start();
  std::thread io([&ioc] { ioc.run(); });
  gw::listen_all({9200, 9201});
  gw::SessionManager mgr;
  gw::feed_accept_loop(ioc, 9300, mgr);
  gw::connect_upstreams({"ny4.example", "ld4.example"});
  io.join();
}
