// Demo input for errorshield-unchecked-read: the seed incident (BUGGY).
//
// A chat gateway. WebSocket clients connect on port 8080 and their messages
// are logged to stdout; at start-up the gateway downloads the room list from
// its backend; `gateway --relay` copies the backend's event feed from stdin to
// stdout. None of its readers acts on a failed read or the end of the stream:
//
// - Session::on_read() logs a failed read and carries on: it re-arms the read
//   on a closed stream, which fails at once, so a disconnected client leaves a
//   session spinning forever (and never released) instead of ending it.
// - Listener::on_accept() never looks at its error_code: when accept fails
//   (EMFILE: out of file descriptors), it starts a session on a socket that
//   was never opened and accepts again at once, in a busy loop.
// - fetch_rooms() takes the response body before testing the error_code of
//   the read: when the backend is down, the gateway serves an empty room list
//   as if it were real.
// - relay() drops the result of the banner read, and then only checks n < 0:
//   when the backend closes the pipe, read() returns 0 forever and the loop
//   spins at 100% CPU.
#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

static void fail(beast::error_code ec, const char* what) {
  std::cerr << what << ": " << ec.message() << "\n";
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket&& socket) : ws_(std::move(socket)) {}

  void run() {
    net::dispatch(ws_.get_executor(), beast::bind_front_handler(&Session::on_run, shared_from_this()));
  }

 private:
  void on_run() { ws_.async_accept(beast::bind_front_handler(&Session::on_accept, shared_from_this())); }

  void on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "accept");
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) fail(ec, "read");  // BUG: logs, then reads again from the dead stream
    std::cout << beast::make_printable(buffer_.data()) << "\n";
    buffer_.consume(buffer_.size());
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& ioc, const tcp::endpoint& endpoint) : ioc_(ioc), acceptor_(ioc, endpoint) {}

  void do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_),
                           beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }

 private:
  // BUG: a failed accept still starts a session, and accepts again at once.
  void on_accept(beast::error_code ec, tcp::socket socket) {
    std::make_shared<Session>(std::move(socket))->run();
    do_accept();
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
};

// Asks the backend for the room list (GET /rooms: one room name per line).
std::string fetch_rooms(net::io_context& ioc, const tcp::endpoint& backend) {
  beast::tcp_stream stream(ioc);
  stream.connect(backend);
  http::write(stream, http::request<http::empty_body>{http::verb::get, "/rooms", 11});
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  beast::error_code ec;
  http::read(stream, buffer, res, ec);
  std::string rooms = res.body();  // BUG: a failed read gives an empty list, served as if real
  if (ec) fail(ec, "rooms");
  return rooms;
}

static bool write_all(int fd, const char* p, std::size_t len) {
  while (len > 0) {
    ssize_t w = write(fd, p, len);
    if (w < 0) return false;
    p += w;
    len -= static_cast<std::size_t>(w);
  }
  return true;
}

int relay(int in, int out) {
  char banner[8];
  read(in, banner, sizeof banner);  // BUG: skips the banner, whether it came or not
  char buf[4096];
  for (;;) {
    ssize_t n = read(in, buf, sizeof buf);
    if (n < 0) {  // BUG: 0 (the backend closed the pipe) goes on as data
      std::perror("relay: read");
      return 1;
    }
    if (!write_all(out, buf, static_cast<std::size_t>(n))) return 1;
  }
}

int main(int argc, char* argv[]) {
  if (argc > 1 && std::strcmp(argv[1], "--relay") == 0) return relay(STDIN_FILENO, STDOUT_FILENO);
  net::io_context ioc;
  auto const address = net::ip::make_address("127.0.0.1");
  std::cout << "rooms:\n" << fetch_rooms(ioc, tcp::endpoint{address, 9000});
  std::make_shared<Listener>(ioc, tcp::endpoint{address, 8080})->do_accept();
  ioc.run();
}
