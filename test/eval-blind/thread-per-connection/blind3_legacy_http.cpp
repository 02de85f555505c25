// checks: errorshield-thread-per-connection
// Legacy synchronous HTTP servers built on Boost.Beast, plus a couple of
// pool-based variants that replaced some of them.
#include <boost/asio.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/version.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <future>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace legacy {

std::atomic<bool> g_running{true};

// Handles a single HTTP session synchronously until the peer closes.
void do_session(tcp::socket socket) {
  beast::error_code ec;
  beast::flat_buffer buffer;
  for (;;) {
    http::request<http::string_body> req;
    http::read(socket, buffer, req, ec);
    if (ec)
      break;
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::server, BOOST_BEAST_VERSION_STRING);
    res.set(http::field::content_type, "application/json");
    res.body() = json{{"path", std::string(req.target())}}.dump();
    res.prepare_payload();
    res.keep_alive(req.keep_alive());
    http::write(socket, res, ec);
    if (ec || !res.keep_alive())
      break;
  }
  socket.shutdown(tcp::socket::shutdown_send, ec);
}

// BUG: classic Beast "sync server" sample: one detached thread per client.
void run_sync_server(net::io_context &ioc, unsigned short port) {
  tcp::acceptor acceptor{ioc, {tcp::v4(), port}};
  while (g_running) {
    tcp::socket socket{ioc};
    acceptor.accept(socket);
    std::thread{&do_session, std::move(socket)}.detach(); // expect: errorshield-thread-per-connection
  }
}

// BUG: same thing with a lambda and a vector of threads that grows forever.
void run_sync_server_tracked(net::io_context &ioc, unsigned short port) {
  tcp::acceptor acceptor{ioc, {tcp::v4(), port}};
  std::vector<std::thread> sessions;
  while (g_running) {
    tcp::socket socket = acceptor.accept();
    sessions.emplace_back([s = std::move(socket)]() mutable { do_session(std::move(s)); }); // expect: errorshield-thread-per-connection
  }
  for (auto &t : sessions)
    t.join();
}

// BUG: std::async per connection is still one OS thread per client.
void run_async_launch_server(net::io_context &ioc, unsigned short port) {
  tcp::acceptor acceptor{ioc, {tcp::v4(), port}};
  std::vector<std::future<void>> pending;
  while (g_running) {
    tcp::socket socket{ioc};
    acceptor.accept(socket);
    pending.push_back(std::async(std::launch::async, do_session, std::move(socket))); // expect: errorshield-thread-per-connection
  }
}

// OK: fixed-size pool; accepted sockets are handed to it as jobs.
void run_pooled_server(net::io_context &ioc, unsigned short port) {
  net::thread_pool pool(std::thread::hardware_concurrency());
  tcp::acceptor acceptor{ioc, {tcp::v4(), port}};
  while (g_running) {
    tcp::socket socket{ioc};
    acceptor.accept(socket);
    net::post(pool, [s = std::move(socket)]() mutable { do_session(std::move(s)); });
  }
  pool.join();
}

// OK: N acceptor threads created once at start-up, each runs its own loop
// on a shared acceptor (the "SO_REUSEPORT-ish" pattern).
void run_prefork_server(net::io_context &ioc, unsigned short port, int n) {
  tcp::acceptor acceptor{ioc, {tcp::v4(), port}};
  std::vector<std::thread> workers;
  workers.reserve(n);
  for (int i = 0; i < n; ++i) {
    workers.emplace_back([&acceptor, &ioc] {
      while (g_running) {
        tcp::socket socket{ioc};
        beast::error_code ec;
        acceptor.accept(socket, ec);
        if (!ec)
          do_session(std::move(socket));
      }
    });
  }
  for (auto &t : workers)
    t.join();
}

// ---------------------------------------------------------------------------
// Async server: io_context run by a fixed number of threads.
// ---------------------------------------------------------------------------
class AsyncSession : public std::enable_shared_from_this<AsyncSession> {
public:
  explicit AsyncSession(tcp::socket s) : stream_(std::move(s)) {}
  void run() { do_read(); }

private:
  void do_read() {
    req_ = {};
    http::async_read(stream_, buffer_, req_,
                     beast::bind_front_handler(&AsyncSession::on_read, shared_from_this()));
  }
  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    auto res = std::make_shared<http::response<http::string_body>>(http::status::ok, req_.version());
    res->body() = "ok";
    res->prepare_payload();
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
      if (!ec)
        self->do_read();
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
};

class AsyncListener : public std::enable_shared_from_this<AsyncListener> {
public:
  AsyncListener(net::io_context &ioc, tcp::endpoint ep) : ioc_(ioc), acceptor_(ioc, ep) {}
  void run() { do_accept(); }

private:
  void do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_),
                           beast::bind_front_handler(&AsyncListener::on_accept, shared_from_this()));
  }
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (!ec)
      std::make_shared<AsyncSession>(std::move(socket))->run();
    do_accept();
  }

  net::io_context &ioc_;
  tcp::acceptor acceptor_;
};

// OK: thread count fixed by configuration, not by connection count.
int run_async_server(unsigned short port, int threads) {
  net::io_context ioc{threads};
  std::make_shared<AsyncListener>(ioc, tcp::endpoint{tcp::v4(), port})->run();
  std::vector<std::thread> v;
  v.reserve(threads - 1);
  for (auto i = threads - 1; i > 0; --i)
    v.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto &t : v)
    t.join();
  return 0;
}

} // namespace legacy

int main(int argc, char **argv) {
  unsigned short port = argc > 1 ? static_cast<unsigned short>(std::atoi(argv[1])) : 8080;
  // OK: one background thread for the admin server, started once.
  std::thread admin([port] {
    net::io_context ioc;
    legacy::run_pooled_server(ioc, static_cast<unsigned short>(port + 1));
  });
  int rc = legacy::run_async_server(port, 4);
  legacy::g_running = false;
  admin.join();
  return rc;
}
