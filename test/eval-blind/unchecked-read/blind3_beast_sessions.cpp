// checks: errorshield-unchecked-read
// Several connection handlers of a chat backend: a raw TCP echo, an HTTP
// session, a websocket session and coroutine-based workers.
#include <cstddef>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;
using net::experimental::as_tuple;

static void fail(beast::error_code ec, const char *what) {
  std::cerr << what << ": " << ec.message() << "\n";
}

static bool failed(const beast::error_code &ec, const char *what) {
  if (!ec)
    return false;
  if (ec != net::error::eof && ec != websocket::error::closed)
    fail(ec, what);
  return true;
}

// ---------------------------------------------------------------------------
// Synchronous helpers
// ---------------------------------------------------------------------------

std::string read_banner_bad(tcp::socket &s) {
  char buf[256];
  beast::error_code ec;
  std::size_t n = s.read_some(net::buffer(buf), ec); // expect: errorshield-unchecked-read
  return std::string(buf, n);
}

std::string read_banner_ok(tcp::socket &s) {
  char buf[256];
  beast::error_code ec;
  std::size_t n = s.read_some(net::buffer(buf), ec);
  if (ec)
    return {};
  return std::string(buf, n);
}

// OK: throwing overload, nothing to check.
std::string read_fixed(tcp::socket &s, std::size_t len) {
  std::string out(len, '\0');
  net::read(s, net::buffer(out));
  return out;
}

void http_once_bad(beast::tcp_stream &stream) {
  beast::flat_buffer buffer;
  http::request<http::string_body> req;
  beast::error_code ec;
  http::read(stream, buffer, req, ec); // expect: errorshield-unchecked-read
  std::cout << req.target() << "\n";
}

void http_once_ok(beast::tcp_stream &stream) {
  beast::flat_buffer buffer;
  http::request<http::string_body> req;
  beast::error_code ec;
  http::read(stream, buffer, req, ec);
  if (failed(ec, "read"))
    return;
  std::cout << req.target() << "\n";
}

// ---------------------------------------------------------------------------
// Callback-style echo
// ---------------------------------------------------------------------------

class Echo : public std::enable_shared_from_this<Echo> {
public:
  explicit Echo(tcp::socket s) : sock_(std::move(s)) {}
  void start() { do_read(); }

private:
  void do_read() {
    auto self = shared_from_this();
    sock_.async_read_some(net::buffer(data_), [this, self](beast::error_code ec, std::size_t n) { // expect: errorshield-unchecked-read
      net::async_write(sock_, net::buffer(data_, n),
                       [this, self](beast::error_code wec, std::size_t) {
                         if (!wec)
                           do_read();
                       });
    });
  }

  tcp::socket sock_;
  char data_[1024];
};

class EchoLogged : public std::enable_shared_from_this<EchoLogged> {
public:
  explicit EchoLogged(tcp::socket s) : sock_(std::move(s)) {}
  void start() { do_read(); }

private:
  // Logs the error but still re-arms the read: spins on EOF.
  void do_read() {
    sock_.async_read_some(net::buffer(data_), [self = shared_from_this()](beast::error_code ec, std::size_t n) { // expect: errorshield-unchecked-read
      std::cerr << "read " << n << " bytes: " << ec.message() << "\n";
      self->do_read();
    });
  }

  tcp::socket sock_;
  char data_[1024];
};

class EchoOk : public std::enable_shared_from_this<EchoOk> {
public:
  explicit EchoOk(tcp::socket s) : sock_(std::move(s)) {}
  void start() { do_read(); }

private:
  void do_read() {
    sock_.async_read_some(net::buffer(data_), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->on_read(ec, n);
    });
  }
  void on_read(beast::error_code ec, std::size_t n) {
    if (ec == net::error::eof)
      return;
    if (ec)
      return fail(ec, "echo read");
    net::async_write(sock_, net::buffer(data_, n),
                     [self = shared_from_this()](beast::error_code wec, std::size_t) {
                       if (!wec)
                         self->do_read();
                     });
  }

  tcp::socket sock_;
  char data_[1024];
};

// ---------------------------------------------------------------------------
// Beast HTTP session (classic bind_front_handler pattern)
// ---------------------------------------------------------------------------

class HttpSession : public std::enable_shared_from_this<HttpSession> {
public:
  explicit HttpSession(tcp::socket s) : stream_(std::move(s)) {}
  void run() { do_read(); }

private:
  void do_read() {
    req_ = {};
    http::async_read(stream_, buffer_, req_,
                     beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream)
      return do_close();
    if (ec)
      return fail(ec, "http read");
    std::cout << req_.target() << "\n";
    do_read();
  }

  void do_close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
};

class WsSession : public std::enable_shared_from_this<WsSession> {
public:
  explicit WsSession(tcp::socket s) : ws_(std::move(s)) {}
  void run() { do_read(); }

private:
  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&WsSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code, std::size_t) { // expect: errorshield-unchecked-read
    std::cout << beast::buffers_to_string(buffer_.data()) << "\n";
    buffer_.consume(buffer_.size());
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

// ---------------------------------------------------------------------------
// Coroutines
// ---------------------------------------------------------------------------

awaitable<void> worker_tuple_bad(tcp::socket sock) {
  char buf[512];
  for (;;) {
    auto [ec, n] = co_await sock.async_read_some(net::buffer(buf), as_tuple(use_awaitable)); // expect: errorshield-unchecked-read
    co_await net::async_write(sock, net::buffer(buf, n), use_awaitable);
  }
}

awaitable<void> worker_tuple_ok(tcp::socket sock) {
  char buf[512];
  for (;;) {
    auto [ec, n] = co_await sock.async_read_some(net::buffer(buf), as_tuple(use_awaitable));
    if (ec)
      co_return;
    co_await net::async_write(sock, net::buffer(buf, n), use_awaitable);
  }
}

awaitable<void> worker_redirect_bad(tcp::socket sock) {
  std::string line;
  beast::error_code ec;
  for (;;) {
    std::size_t n = co_await net::async_read_until(sock, net::dynamic_buffer(line), '\n', // expect: errorshield-unchecked-read
                                                   net::redirect_error(use_awaitable, ec));
    std::cout << line.substr(0, n);
    line.erase(0, n);
  }
}

awaitable<void> worker_redirect_ok(tcp::socket sock) {
  std::string line;
  beast::error_code ec;
  for (;;) {
    std::size_t n = co_await net::async_read_until(sock, net::dynamic_buffer(line), '\n',
                                                   net::redirect_error(use_awaitable, ec));
    if (ec == net::error::eof)
      break;
    if (ec)
      co_return;
    std::cout << line.substr(0, n);
    line.erase(0, n);
  }
}

// OK: use_awaitable throws on error and on EOF.
awaitable<void> worker_throwing(tcp::socket sock) {
  char buf[512];
  for (;;) {
    std::size_t n = co_await sock.async_read_some(net::buffer(buf), use_awaitable);
    co_await net::async_write(sock, net::buffer(buf, n), use_awaitable);
  }
}

int main() {
  net::io_context ioc;
  tcp::socket s(ioc);
  std::make_shared<Echo>(tcp::socket(ioc))->start();
  std::make_shared<EchoLogged>(tcp::socket(ioc))->start();
  std::make_shared<EchoOk>(tcp::socket(ioc))->start();
  std::make_shared<HttpSession>(tcp::socket(ioc))->run();
  std::make_shared<WsSession>(tcp::socket(ioc))->run();
  net::co_spawn(ioc, worker_tuple_bad(tcp::socket(ioc)), net::detached);
  net::co_spawn(ioc, worker_tuple_ok(tcp::socket(ioc)), net::detached);
  net::co_spawn(ioc, worker_redirect_bad(tcp::socket(ioc)), net::detached);
  net::co_spawn(ioc, worker_redirect_ok(tcp::socket(ioc)), net::detached);
  net::co_spawn(ioc, worker_throwing(tcp::socket(ioc)), net::detached);
  ioc.run();
}
