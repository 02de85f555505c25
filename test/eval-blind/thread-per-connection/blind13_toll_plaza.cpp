// checks: errorshield-thread-per-connection
// Plaza server: each lane controller (tag reader, treadle, barrier, camera
// trigger) keeps a TCP session to the plaza host, which forwards transactions
// to the back office and pushes lane status to the supervisor console.

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace plaza {

struct LaneEvent {
  int lane = 0;
  std::string tag_id;
  std::string plate;
  int vehicle_class = 0;
  std::int64_t ts_ms = 0;
};

bool decode_lane_frame(const std::uint8_t* p, std::size_t n, LaneEvent& out);
void forward_to_back_office(const LaneEvent& ev);
void refresh_tag_blacklist();

// --- Legacy lane protocol: binary frames over raw sockets ---------------------

struct LaneCtx {
  int fd;
  int lane_hint;
};

extern "C" void* lane_worker(void* arg) {
  auto* ctx = static_cast<LaneCtx*>(arg);
  std::uint8_t buf[512];
  for (;;) {
    ssize_t n = ::recv(ctx->fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    LaneEvent ev;
    if (decode_lane_frame(buf, static_cast<std::size_t>(n), ev)) forward_to_back_office(ev);
  }
  ::close(ctx->fd);
  delete ctx;
  return nullptr;
}

void legacy_accept_loop(int listen_fd) {
  for (;;) {
    int fd = ::accept(listen_fd, nullptr, nullptr);
    if (fd < 0) {
      if (errno == EINTR) continue;
      break;
    }
    pthread_t tid;
    if (pthread_create(&tid, nullptr, lane_worker, new LaneCtx{fd, -1}) == 0)  // expect: errorshield-thread-per-connection
      pthread_detach(tid);
    else
      ::close(fd);
  }
}

// Blacklist refresher: a single background thread for the whole plaza.
pthread_t start_blacklist_refresher() {
  pthread_t tid{};
  pthread_create(&tid, nullptr, [](void*) -> void* {  // OK: one thread, not per connection
    for (;;) {
      refresh_tag_blacklist();
      ::sleep(300);
    }
    return nullptr;
  }, nullptr);
  return tid;
}

// --- Asio lane server ----------------------------------------------------------

net::awaitable<void> handle_lane(tcp::socket sock) {
  std::uint8_t buf[512];
  for (;;) {
    auto [ec, n] = co_await sock.async_read_some(net::buffer(buf), net::as_tuple(net::use_awaitable));
    if (ec) co_return;
    LaneEvent ev;
    if (decode_lane_frame(buf, n, ev)) forward_to_back_office(ev);
  }
}

void handle_lane_blocking(tcp::socket sock) {
  std::uint8_t buf[512];
  beast::error_code ec;
  for (;;) {
    std::size_t n = sock.read_some(net::buffer(buf), ec);
    if (ec) return;
    LaneEvent ev;
    if (decode_lane_frame(buf, n, ev)) forward_to_back_office(ev);
  }
}

// Current production acceptor: one coroutine per lane on a shared io_context.
net::awaitable<void> lane_listener(tcp::acceptor& acc) {
  for (;;) {
    tcp::socket sock = co_await acc.async_accept(net::use_awaitable);
    sock.set_option(tcp::no_delay(true));
    net::co_spawn(acc.get_executor(), handle_lane(std::move(sock)), net::detached);  // OK: coroutine, not thread
  }
}

// Maintenance-mode acceptor used when a lane is re-flashed: lane firmware
// uploads are slow, so they were moved off the io_context.
net::awaitable<void> maintenance_listener(tcp::acceptor& acc) {
  for (;;) {
    tcp::socket sock = co_await acc.async_accept(net::use_awaitable);
    std::thread(handle_lane_blocking, std::move(sock)).detach();  // expect: errorshield-thread-per-connection
  }
}

// Audit replay: lanes connect and re-send their local journal after an outage.
class JournalReplayServer {
 public:
  explicit JournalReplayServer(net::io_context& ioc, unsigned short port)
      : acceptor_(ioc, tcp::endpoint(tcp::v4(), port)), pool_(std::thread::hardware_concurrency()) {}

  void run_unbounded() {
    for (;;) {
      tcp::socket sock = acceptor_.accept();
      std::lock_guard lk(mu_);
      pending_.push_back(std::async(std::launch::async, handle_lane_blocking, std::move(sock)));  // expect: errorshield-thread-per-connection
      reap_finished();
    }
  }

  void run_bounded() {
    for (;;) {
      tcp::socket sock = acceptor_.accept();
      net::post(pool_, [s = std::move(sock)]() mutable {  // OK: fixed thread_pool
        handle_lane_blocking(std::move(s));
      });
    }
  }

  // Deferred tasks run on the caller's thread when .get() is called.
  void run_deferred_batch(std::size_t batch) {
    std::vector<std::future<void>> tasks;
    for (std::size_t i = 0; i < batch; ++i) {
      tcp::socket sock = acceptor_.accept();
      tasks.push_back(std::async(std::launch::deferred, handle_lane_blocking, std::move(sock)));  // OK: no thread
    }
    for (auto& t : tasks) t.get();
  }

  ~JournalReplayServer() { pool_.join(); }

 private:
  void reap_finished() {
    std::erase_if(pending_, [](std::future<void>& f) {
      return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    });
  }

  tcp::acceptor acceptor_;
  net::thread_pool pool_;
  std::mutex mu_;
  std::vector<std::future<void>> pending_;
};

// --- Supervisor console (WebSocket) -----------------------------------------

template <class SessionFn>
void serve_console(tcp::acceptor& acc, SessionFn fn) {
  for (;;) {
    tcp::socket sock = acc.accept();
    std::thread t{fn, std::move(sock)};  // expect: errorshield-thread-per-connection
    t.detach();
  }
}

inline void console_session(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  beast::error_code ec;
  ws.accept(ec);
  if (ec) return;
  beast::flat_buffer buf;
  while (!ec) {
    ws.read(buf, ec);
    buf.consume(buf.size());
  }
}

class PlazaHost {
 public:
  explicit PlazaHost(unsigned workers) : work_(net::make_work_guard(ioc_)) {
    for (unsigned i = 0; i < workers; ++i)
      threads_.emplace_back([this] { ioc_.run(); });  // OK: fixed pool
  }

  void start_console(unsigned short port) {
    console_acc_ = std::make_unique<tcp::acceptor>(ioc_, tcp::endpoint(tcp::v4(), port));
    console_thread_ = std::thread([this] { serve_console(*console_acc_, console_session); });  // OK: the one acceptor thread
  }

  ~PlazaHost() {
    work_.reset();
    ioc_.stop();
    for (auto& t : threads_) t.join();
    if (console_thread_.joinable()) console_thread_.detach();
  }

 private:
  net::io_context ioc_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  std::vector<std::thread> threads_;
  std::unique_ptr<tcp::acceptor> console_acc_;
  std::thread console_thread_;
};

}  // namespace plaza
