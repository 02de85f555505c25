// Demo input for errorshield-unchecked-read: the seed incident (FIXED).
//
// Corrected twin of unchecked_read_bad.cpp. Every reader now acts on the
// outcome of its read:
//
// - Session::on_read() ends the session on a close frame and returns from its
//   error branch, so the last handler lets go of the session.
// - Listener::on_accept() stops on a failed accept (as Beast's own examples
//   do, to avoid an infinite loop) and starts sessions only on success.
// - fetch_rooms() tests the error_code before it touches the response, and
//   tells the caller that there is no room list.
// - relay() checks that the whole banner arrived, and stops at end of stream
//   (n == 0) as well as on an error (n < 0).
//
// The WebSocket session is also correct for the other ErrorShield checks: it
// reads the upgrade request itself to check its Origin, and sets timeouts and a
// message size limit before accepting.
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
#include <optional>
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
  void on_run() {
    http::async_read(ws_.next_layer(), buffer_, req_,
                     beast::bind_front_handler(&Session::on_request, shared_from_this()));
  }

  void on_request(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "upgrade request");
    if (!websocket::is_upgrade(req_) || req_[http::field::origin] != "https://chat.example.com") return;
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(64 * 1024);
    ws_.async_accept(req_, beast::bind_front_handler(&Session::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "accept");
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == websocket::error::closed) return;  // the client said goodbye: the session ends
    if (ec) return fail(ec, "read");             // FIX: no more reads on a failed stream
    std::cout << beast::make_printable(buffer_.data()) << "\n";
    buffer_.consume(buffer_.size());
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& ioc, const tcp::endpoint& endpoint) : ioc_(ioc), acceptor_(ioc, endpoint) {}

  void do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_),
                           beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec) {
      fail(ec, "accept");
      return;  // FIX: to avoid an infinite loop
    }
    std::make_shared<Session>(std::move(socket))->run();
    do_accept();
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
};

// Asks the backend for the room list (GET /rooms: one room name per line).
std::optional<std::string> fetch_rooms(net::io_context& ioc, const tcp::endpoint& backend) {
  beast::tcp_stream stream(ioc);
  stream.connect(backend);
  http::write(stream, http::request<http::empty_body>{http::verb::get, "/rooms", 11});
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  beast::error_code ec;
  http::read(stream, buffer, res, ec);
  if (ec) {  // FIX: tested before the response is used
    fail(ec, "rooms");
    return std::nullopt;
  }
  return res.body();
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
  if (read(in, banner, sizeof banner) != sizeof banner) return 1;  // FIX: no banner, no relay
  char buf[4096];
  for (;;) {
    ssize_t n = read(in, buf, sizeof buf);
    if (n == 0) return 0;  // FIX: the backend closed the pipe
    if (n < 0) {
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
  std::optional<std::string> rooms = fetch_rooms(ioc, tcp::endpoint{address, 9000});
  if (!rooms) return 1;
  std::cout << "rooms:\n" << *rooms;
  std::make_shared<Listener>(ioc, tcp::endpoint{address, 8080})->do_accept();
  ioc.run();
}
