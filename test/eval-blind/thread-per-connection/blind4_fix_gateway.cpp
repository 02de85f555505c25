// checks: errorshield-thread-per-connection
// Trading gateway: FIX session acceptor (raw BSD sockets) and exchange
// upstream connectors.
#include <boost/asio.hpp>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;

namespace gw {

void run_fix_session(int fd);
void run_drop_copy(int fd);
void connect_and_stream(const std::string &venue);
void log_line(const std::string &s);

int listen_on(unsigned short port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = INADDR_ANY;
  ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
  ::listen(fd, 128);
  return fd;
}

// BUG: each FIX client gets a dedicated thread.
void fix_acceptor(unsigned short port, std::atomic<bool> &running) {
  int lfd = listen_on(port);
  while (running.load()) {
    int cfd = ::accept(lfd, nullptr, nullptr);
    if (cfd < 0) continue;
    log_line("fix client connected");
    std::thread([cfd] { // expect: errorshield-thread-per-connection
      run_fix_session(cfd);
      ::close(cfd);
    }).detach();
  }
  ::close(lfd);
}

// BUG: drop-copy clients via jthread kept in a list.
void drop_copy_acceptor(unsigned short port, std::stop_token st) {
  int lfd = listen_on(port);
  std::vector<std::jthread> sessions;
  while (!st.stop_requested()) {
    int cfd = ::accept(lfd, nullptr, nullptr);
    if (cfd < 0) continue;
    sessions.emplace_back(run_drop_copy, cfd); // expect: errorshield-thread-per-connection
  }
}

// Bounded worker queue used by the fixed FIX acceptor below.
class WorkQueue {
public:
  explicit WorkQueue(std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) workers_.emplace_back([this] { loop(); });
  }
  ~WorkQueue() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto &t : workers_) t.join();
  }
  void push(std::function<void()> job) {
    {
      std::lock_guard<std::mutex> lk(mu_);
      jobs_.push_back(std::move(job));
    }
    cv_.notify_one();
  }

private:
  void loop() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> lk(mu_);
        cv_.wait(lk, [this] { return stop_ || !jobs_.empty(); });
        if (stop_ && jobs_.empty()) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> workers_;
  bool stop_ = false;
};

// OK: accepted sockets go to a bounded pool.
void fix_acceptor_pooled(unsigned short port, std::atomic<bool> &running) {
  WorkQueue pool(16);
  int lfd = listen_on(port);
  while (running.load()) {
    int cfd = ::accept(lfd, nullptr, nullptr);
    if (cfd < 0) continue;
    pool.push([cfd] {
      run_fix_session(cfd);
      ::close(cfd);
    });
  }
  ::close(lfd);
}

// OK: one thread per configured exchange venue (outbound, fixed count,
// set by config; not driven by inbound accepts).
void start_upstreams(const std::vector<std::string> &venues) {
  std::vector<std::thread> feeds;
  for (const auto &v : venues) feeds.emplace_back(connect_and_stream, v);
  for (auto &t : feeds) t.join();
}

// BUG: asio acceptor with a per-connection thread wrapping the socket.
void risk_admin_acceptor(asio::io_context &ioc, unsigned short port) {
  asio::ip::tcp::acceptor acc(ioc, {asio::ip::tcp::v4(), port});
  for (;;) {
    asio::ip::tcp::socket sock(ioc);
    boost::system::error_code ec;
    acc.accept(sock, ec);
    if (ec) {
      log_line("accept: " + ec.message());
      continue;
    }
    int fd = sock.release();
    auto t = std::thread(run_fix_session, fd); // expect: errorshield-thread-per-connection
    t.detach();
  }
}

// OK: a single watchdog thread started once, before the accept loop.
void fix_acceptor_with_watchdog(unsigned short port, std::atomic<bool> &running) {
  std::thread watchdog([&running] {
    while (running) std::this_thread::sleep_for(std::chrono::seconds(1));
  });
  WorkQueue pool(8);
  int lfd = listen_on(port);
  while (running) {
    int cfd = ::accept(lfd, nullptr, nullptr);
    if (cfd >= 0) pool.push([cfd] { run_fix_session(cfd); ::close(cfd); });
  }
  watchdog.join();
  ::close(lfd);
}

} // namespace gw
