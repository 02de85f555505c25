// checks: errorshield-thread-per-connection
// Log-tailing dashboard: browsers open a WebSocket and receive new lines of the
// selected log files; legacy hosts push syslog over plain TCP.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <fstream>
#include <memory>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using asio::awaitable;
using asio::use_awaitable;

namespace logdash {

void ingest_syslog_line(const std::string& line);

struct TailConfig {
  std::vector<std::string> files;
  unsigned io_threads = 4;
  unsigned filter_threads = 2;
};

// Each viewer session follows one file and pushes new lines to the browser.
class ViewerSession : public std::enable_shared_from_this<ViewerSession> {
 public:
  ViewerSession(tcp::socket s, asio::thread_pool& filters)
      : ws_(std::move(s)), filters_(filters) {}

  ~ViewerSession() {
    stop_ = true;
    if (tail_thread_.joinable()) tail_thread_.join();
  }

  void start(std::string path, std::string pattern) {
    path_ = std::move(path);
    pattern_ = std::move(pattern);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->tail_thread_ = std::thread(&ViewerSession::tail_loop, self.get()); // expect: errorshield-thread-per-connection
    });
  }

  // Filtering an old chunk of the file is CPU-heavy: do it on the shared pool.
  void request_backfill(std::size_t lines) {
    asio::post(filters_, [self = shared_from_this(), lines] {
      std::ifstream in(self->path_);
      std::regex re(self->pattern_);
      std::string line;
      std::vector<std::string> hits;
      while (hits.size() < lines && std::getline(in, line))
        if (std::regex_search(line, re)) hits.push_back(line);
      self->push(json{{"type", "backfill"}, {"lines", hits}}.dump());
    });
  }

  void push(std::string text) {
    std::lock_guard lk(write_mu_);
    beast::error_code ec;
    ws_.text(true);
    ws_.write(asio::buffer(text), ec);
  }

 private:
  void tail_loop() {
    std::ifstream in(path_);
    in.seekg(0, std::ios::end);
    std::string line;
    while (!stop_) {
      if (std::getline(in, line)) {
        push(json{{"type", "line"}, {"text", line}}.dump());
      } else {
        in.clear();
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
    }
  }

  websocket::stream<beast::tcp_stream> ws_;
  asio::thread_pool& filters_;
  std::thread tail_thread_;
  std::atomic<bool> stop_{false};
  std::mutex write_mu_;
  std::string path_, pattern_;
};

// Helper shared by the plain-TCP "raw tail" endpoint.
template <class Session>
void spawn_session_thread(tcp::socket sock) {
  std::thread([s = std::move(sock)]() mutable { // expect: errorshield-thread-per-connection
    Session sess(std::move(s));
    sess.run();
  }).detach();
}

struct RawTailSession {
  explicit RawTailSession(tcp::socket s) : sock(std::move(s)) {}
  void run() {
    std::string hello = "raw-tail v1\n";
    beast::error_code ec;
    asio::write(sock, asio::buffer(hello), ec);
  }
  tcp::socket sock;
};

class Dashboard {
 public:
  explicit Dashboard(TailConfig cfg)
      : cfg_(std::move(cfg)), filters_(cfg_.filter_threads) {
    // One rotation watcher for every file, started once.
    rotation_watcher_ = std::thread([this] { watch_rotations(); });
    // One reader thread per configured log file (set at startup, not per client).
    for (const auto& f : cfg_.files)
      file_readers_.emplace_back([this, f] { prime_index(f); });
  }

  ~Dashboard() {
    running_ = false;
    ioc_.stop();
    for (auto& t : runners_) t.join();
    for (auto& t : file_readers_) t.join();
    rotation_watcher_.join();
  }

  void run(unsigned short ws_port, unsigned short raw_port) {
    asio::co_spawn(ioc_, ws_listener(ws_port), asio::detached);
    asio::co_spawn(ioc_, raw_listener(raw_port), asio::detached);
    runners_.reserve(cfg_.io_threads);
    for (unsigned i = 0; i < cfg_.io_threads; ++i)
      runners_.emplace_back([this] { ioc_.run(); });
  }

 private:
  awaitable<void> ws_listener(unsigned short port) {
    tcp::acceptor acc(ioc_, {tcp::v4(), port});
    for (;;) {
      auto sock = co_await acc.async_accept(use_awaitable);
      auto sess = std::make_shared<ViewerSession>(std::move(sock), filters_);
      sess->start(cfg_.files.empty() ? "/var/log/syslog" : cfg_.files.front(), ".*");
      sessions_.push_back(std::move(sess));
    }
  }

  awaitable<void> raw_listener(unsigned short port) {
    tcp::acceptor acc(ioc_, {tcp::v4(), port});
    for (;;) {
      auto sock = co_await acc.async_accept(use_awaitable);
      spawn_session_thread<RawTailSession>(std::move(sock));
    }
  }

  void watch_rotations() {
    while (running_) std::this_thread::sleep_for(std::chrono::seconds(5));
  }
  void prime_index(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    while (running_ && std::getline(in, line)) ++indexed_lines_;
  }

  TailConfig cfg_;
  asio::io_context ioc_;
  asio::thread_pool filters_;
  std::vector<std::thread> runners_;
  std::vector<std::shared_ptr<ViewerSession>> sessions_;
  std::vector<std::thread> file_readers_;
  std::thread rotation_watcher_;
  std::atomic<bool> running_{true};
  std::atomic<std::size_t> indexed_lines_{0};
};

// ---- legacy syslog-over-TCP intake (POSIX, predates the Asio rewrite) ----

static void* syslog_client_main(void* arg) {
  int fd = static_cast<int>(reinterpret_cast<intptr_t>(arg));
  char buf[4096];
  std::string pending;
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    pending.append(buf, static_cast<std::size_t>(n));
    std::size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos) {
      ingest_syslog_line(pending.substr(0, nl));
      pending.erase(0, nl + 1);
    }
  }
  ::close(fd);
  return nullptr;
}

static void* syslog_accept_main(void* arg) {
  int listen_fd = static_cast<int>(reinterpret_cast<intptr_t>(arg));
  for (;;) {
    int fd = ::accept(listen_fd, nullptr, nullptr);
    if (fd < 0) continue;
    pthread_t tid;
    if (pthread_create(&tid, nullptr, syslog_client_main, reinterpret_cast<void*>(static_cast<intptr_t>(fd))) != 0) { // expect: errorshield-thread-per-connection
      ::close(fd);
      continue;
    }
    pthread_detach(tid);
  }
  return nullptr;
}

// Started once from main(): a single acceptor thread for the legacy port.
bool start_syslog_intake(int listen_fd) {
  pthread_t acceptor;
  if (pthread_create(&acceptor, nullptr, syslog_accept_main,
                     reinterpret_cast<void*>(static_cast<intptr_t>(listen_fd))) != 0)
    return false;
  pthread_detach(acceptor);
  return true;
}

}  // namespace logdash
