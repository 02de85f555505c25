// checks: errorshield-unchecked-read
// Listeners of the inventory service: the public HTTP API (Beast), an admin
// port, a metrics scrape port and a blocking debug shell. Each listener owns its
// acceptor and spawns a session per connection.
#include <boost/asio.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

static void fail(beast::error_code ec, const char* what) { std::cerr << what << ": " << ec.message() << "\n"; }

class ApiSession : public std::enable_shared_from_this<ApiSession> {
 public:
  explicit ApiSession(tcp::socket&& socket) : stream_(std::move(socket)) {}

  void run() { do_read(); }

 private:
  void do_read() {
    req_ = {};
    stream_.expires_after(std::chrono::seconds(30));
    // Correct: on_read handles end_of_stream and returns on any other error.
    http::async_read(stream_, buffer_, req_, beast::bind_front_handler(&ApiSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) return do_close();
    if (ec) return fail(ec, "api read");
    send_response(handle(req_));
  }

  http::response<http::string_body> handle(const http::request<http::string_body>& req) {
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/json");
    res.body() = json{{"path", std::string(req.target())}}.dump();
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    return res;
  }

  void send_response(http::response<http::string_body>&& res) {
    res_ = std::move(res);
    bool keep_alive = res_.keep_alive();
    http::async_write(stream_, res_, [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
      if (ec) return fail(ec, "api write");
      if (!keep_alive) return self->do_close();
      self->do_read();
    });
  }

  void do_close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

// Admin requests are small; this session reads one and answers it.
class AdminSession : public std::enable_shared_from_this<AdminSession> {
 public:
  explicit AdminSession(tcp::socket&& socket) : stream_(std::move(socket)) {}

  // The read error is logged and the half-parsed request is still dispatched.
  void run() {
    http::async_read(stream_, buffer_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {  // expect: errorshield-unchecked-read
      if (ec) self->log_error(ec);
      self->dispatch_admin_command();
    });
  }

 private:
  void log_error(beast::error_code ec) { std::cerr << "admin: " << ec.message() << "\n"; }
  void dispatch_admin_command() { std::cout << "admin " << req_.method_string() << " " << req_.target() << "\n"; }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
};

// Public API listener, Beast-example style.
class ApiListener : public std::enable_shared_from_this<ApiListener> {
 public:
  ApiListener(net::io_context& ioc, tcp::endpoint ep) : ioc_(ioc), acceptor_(net::make_strand(ioc)) {
    acceptor_.open(ep.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen(net::socket_base::max_listen_connections);
  }

  void run() { do_accept(); }

 private:
  void do_accept() {
    // Correct: on_accept returns on error (which also avoids an accept spin).
    acceptor_.async_accept(net::make_strand(ioc_), beast::bind_front_handler(&ApiListener::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec) {
      fail(ec, "api accept");
      return;
    } else {
      std::make_shared<ApiSession>(std::move(socket))->run();
    }
    do_accept();
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
};

// Admin port: only reachable from the management VLAN.
class AdminListener {
 public:
  AdminListener(net::io_context& ioc, unsigned short port) : ioc_(ioc), acceptor_(ioc, tcp::endpoint(net::ip::address_v4::loopback(), port)) {}

  // Correct: the error branch has an else; the failed socket is never used.
  void start() {
    acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
      if (ec)
        fail(ec, "admin accept");
      else
        std::make_shared<AdminSession>(std::move(socket))->run();
      start();
    });
  }

  // Correct: the session is only created on success; accepting again either way is intended.
  void start_readonly() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (!ec) std::make_shared<AdminSession>(std::move(socket))->run();
      start_readonly();
    });
  }

 private:
  net::io_context& ioc_;
  tcp::acceptor acceptor_;
};

class ScrapeConnection : public std::enable_shared_from_this<ScrapeConnection> {
 public:
  explicit ScrapeConnection(tcp::socket s) : socket_(std::move(s)) {}
  void start() {
    auto body = std::make_shared<std::string>("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nup 1\n");
    net::async_write(socket_, net::buffer(*body), [self = shared_from_this(), body](boost::system::error_code, std::size_t) {});
  }

 private:
  tcp::socket socket_;
};

// Metrics scrape port.
class ScrapeListener {
 public:
  ScrapeListener(net::io_context& ioc, unsigned short port) : acceptor_(ioc, tcp::endpoint(tcp::v4(), port)) {}

  // On EMFILE the handler runs again immediately with the same error: a hot loop.
  void do_accept() {
    acceptor_.async_accept([this](boost::system::error_code, tcp::socket socket) {  // expect: errorshield-unchecked-read
      std::make_shared<ScrapeConnection>(std::move(socket))->start();
      do_accept();
    });
  }

  // The error code is named but never consulted.
  void do_accept_v2(net::io_context& ioc) {
    acceptor_.async_accept(net::make_strand(ioc), [this, &ioc](boost::system::error_code ec, tcp::socket socket) {  // expect: errorshield-unchecked-read
      std::make_shared<ScrapeConnection>(std::move(socket))->start();
      do_accept_v2(ioc);
    });
  }

 private:
  tcp::acceptor acceptor_;
};

static void debug_shell(tcp::socket sock) {
  net::write(sock, net::buffer(std::string("inventory debug shell\r\n> ")));
}

// Blocking debug shell, one thread per connection.
void run_debug_shell_naive(net::io_context& ioc, unsigned short port) {
  tcp::acceptor acceptor(ioc, tcp::endpoint(net::ip::address_v4::loopback(), port));
  for (;;) {
    tcp::socket sock(ioc);
    boost::system::error_code ec;
    acceptor.accept(sock, ec);  // expect: errorshield-unchecked-read
    std::thread(debug_shell, std::move(sock)).detach();
  }
}

// Correct: errors are handled before the socket is handed off.
void run_debug_shell(net::io_context& ioc, unsigned short port) {
  tcp::acceptor acceptor(ioc, tcp::endpoint(net::ip::address_v4::loopback(), port));
  for (;;) {
    tcp::socket sock(ioc);
    boost::system::error_code ec;
    acceptor.accept(sock, ec);
    if (ec) {
      if (ec == net::error::operation_aborted) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    std::thread(debug_shell, std::move(sock)).detach();
  }
}

// Correct: the throwing overload.
void accept_one_debug_client(tcp::acceptor& acceptor) {
  tcp::socket sock = acceptor.accept();
  debug_shell(std::move(sock));
}

// Correct: coroutine listener, errors arrive as exceptions from co_await.
net::awaitable<void> health_listener(unsigned short port) {
  auto executor = co_await net::this_coro::executor;
  tcp::acceptor acceptor(executor, tcp::endpoint(tcp::v4(), port));
  for (;;) {
    tcp::socket sock = co_await acceptor.async_accept(net::use_awaitable);
    char line[256];
    std::size_t n = co_await sock.async_read_some(net::buffer(line), net::use_awaitable);
    std::string reply = n > 0 ? "ok\n" : "empty\n";
    co_await net::async_write(sock, net::buffer(reply), net::use_awaitable);
  }
}

int main() {
  net::io_context ioc;
  std::make_shared<ApiListener>(ioc, tcp::endpoint(tcp::v4(), 8080))->run();
  AdminListener admin(ioc, 9090);
  admin.start();
  ScrapeListener scrape(ioc, 9100);
  scrape.do_accept();
  net::co_spawn(ioc, health_listener(8081), net::detached);
  ioc.run();
}
