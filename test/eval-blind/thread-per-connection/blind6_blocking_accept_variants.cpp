// checks: errorshield-thread-per-connection
// Several listener front ends of an HTTP/WebSocket push service (legacy and current).
#include <arpa/inet.h>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <netinet/in.h>
#include <pthread.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

void serve_http(tcp::socket sock) {
  beast::flat_buffer buf;
  beast::error_code ec;
  http::request<http::string_body> req;
  http::read(sock, buf, req, ec);
  if (ec)
    return;
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.body() = "pong";
  res.prepare_payload();
  http::write(sock, res, ec);
}

// Legacy health endpoint: blocking accept, one OS thread per client.
[[noreturn]] void run_health_listener(asio::io_context &ioc, unsigned short port) {
  tcp::acceptor acc(ioc, {tcp::v4(), port});
  for (;;) {
    tcp::socket sock = acc.accept();
    std::thread(&serve_http, std::move(sock)).detach(); // expect: errorshield-thread-per-connection
  }
}

// Raw POSIX push gateway.
struct client_ctx {
  int fd;
  sockaddr_in peer;
};

void *client_main(void *arg) {
  std::unique_ptr<client_ctx> ctx(static_cast<client_ctx *>(arg));
  char buf[512];
  while (::read(ctx->fd, buf, sizeof buf) > 0) {
  }
  ::close(ctx->fd);
  return nullptr;
}

void run_posix_gateway(int listen_fd) {
  for (;;) {
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    int fd = ::accept(listen_fd, reinterpret_cast<sockaddr *>(&peer), &len);
    if (fd < 0)
      continue;
    pthread_t tid;
    auto *ctx = new client_ctx{fd, peer};
    if (pthread_create(&tid, nullptr, &client_main, ctx) != 0) { // expect: errorshield-thread-per-connection
      ::close(fd);
      delete ctx;
      continue;
    }
    pthread_detach(tid);
  }
}

// Bounded hand-off queue consumed by a fixed set of workers.
class fd_queue {
public:
  explicit fd_queue(std::size_t cap) : cap_(cap) {}
  void push(int fd) {
    std::unique_lock lk(mu_);
    not_full_.wait(lk, [&] { return q_.size() < cap_; });
    q_.push_back(fd);
    not_empty_.notify_one();
  }
  int pop() {
    std::unique_lock lk(mu_);
    not_empty_.wait(lk, [&] { return !q_.empty(); });
    int fd = q_.front();
    q_.pop_front();
    not_full_.notify_one();
    return fd;
  }

private:
  std::mutex mu_;
  std::condition_variable not_empty_, not_full_;
  std::deque<int> q_;
  std::size_t cap_;
};

void run_pooled_posix_gateway(int listen_fd, unsigned nworkers) {
  fd_queue q(1024);
  std::vector<std::thread> workers;
  for (unsigned i = 0; i < nworkers; ++i)
    workers.emplace_back([&q] {
      for (;;) {
        int fd = q.pop();
        client_main(new client_ctx{fd, {}});
      }
    });
  for (;;) {
    int fd = ::accept(listen_fd, nullptr, nullptr);
    if (fd >= 0)
      q.push(fd);
  }
}

// Admin console: keeps every handler thread so it can join them at shutdown.
void run_admin_console(asio::io_context &ioc, unsigned short port, std::atomic<bool> &stop) {
  tcp::acceptor acc(ioc, {tcp::v4(), port});
  std::vector<std::thread> handlers;
  while (!stop) {
    beast::error_code ec;
    tcp::socket s(ioc);
    acc.accept(s, ec);
    if (ec)
      break;
    handlers.emplace_back([s = std::move(s)]() mutable { serve_http(std::move(s)); }); // expect: errorshield-thread-per-connection
  }
  for (auto &t : handlers)
    t.join();
}

// Current push listener: accepts asynchronously, sessions run on the shared pool.
class push_session : public std::enable_shared_from_this<push_session> {
public:
  explicit push_session(tcp::socket s) : ws_(std::move(s)) {}
  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read();
    });
  }

private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->buf_.consume(self->buf_.size());
      self->read();
    });
  }
  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buf_;
};

class push_listener {
public:
  push_listener(asio::io_context &ioc, unsigned short port, asio::thread_pool &blocking)
      : ioc_(ioc), acc_(ioc, {tcp::v4(), port}), blocking_(blocking) {}

  void accept() {
    acc_.async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket s) {
      if (!ec)
        std::make_shared<push_session>(std::move(s))->start();
      accept();
    });
  }

  // Legacy clients speak plain HTTP; they are served on the bounded blocking pool.
  void accept_legacy() {
    acc_.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (!ec)
        asio::post(blocking_, [s = std::move(s)]() mutable { serve_http(std::move(s)); });
      accept_legacy();
    });
  }

  // Old "compat" mode kept behind a flag.
  void accept_compat() {
    acc_.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (!ec) {
        std::thread t([s = std::move(s)]() mutable { serve_http(std::move(s)); }); // expect: errorshield-thread-per-connection
        t.detach();
      }
      accept_compat();
    });
  }

private:
  asio::io_context &ioc_;
  tcp::acceptor acc_;
  asio::thread_pool &blocking_;
};

int main(int argc, char **) {
  asio::io_context ioc;
  asio::thread_pool blocking(8);
  std::atomic<bool> stop{false};

  push_listener push(ioc, 9000, blocking);
  if (argc > 2)
    push.accept_compat();
  else if (argc > 1)
    push.accept_legacy();
  else
    push.accept();

  // One dedicated thread per *listener*, not per connection.
  std::vector<std::thread> listeners;
  for (unsigned short port : {9100, 9101})
    listeners.emplace_back([&ioc, port] { run_health_listener(ioc, port); });
  std::thread admin([&] { run_admin_console(ioc, 9200, stop); });

  // Fixed-size pool of io threads.
  std::vector<std::thread> io_threads;
  for (unsigned i = 0; i < std::thread::hardware_concurrency(); ++i)
    io_threads.emplace_back([&ioc] { ioc.run(); });
  for (auto &t : io_threads)
    t.join();

  stop = true;
  admin.join();
  for (auto &t : listeners)
    t.detach();
  blocking.join();
}
