// ws-floor: the least work a server can do per chat message, as a yardstick for bench/ws_load.py.
//
//   ws-floor [--port=0]      prints "listening on 127.0.0.1:<port>", serves until SIGTERM
//
// It answers ws-load's direct mode (a message to oneself) without doing the chat's work: no JSON,
// no routing, no UTF-8 validation, no strands or completion handlers. The WebSocket handshake is
// Beast's (blocking: it is not measured); after it, one thread and a level-triggered epoll make
// one recv per readable socket and one send per recv, answering every complete client text frame
// with the payload itself (it already reads as {"type":"msg","text":...}) and a fixed ack, both
// unmasked, in that one send. What is left is the kernel's work for a receive and a send on
// loopback plus an unmasking loop: no server doing one send per client write can spend less CPU
// per message, so floor/Node per CPU-second bounds the ratio any real server can reach there.
//
// Not a server: it trusts its one client (ws-load, on loopback) and drops a connection on any
// frame it does not expect.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <csignal>
#include <cstring>
#include <iostream>
#include <string>
#include <unordered_map>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

namespace {

constexpr std::string_view Ack = R"({"type":"ack"})";

// An unmasked server frame (RFC 6455 5.2) of `payload`, appended to `out`.
void append_server_frame(std::string &out, unsigned char opcode, std::string_view payload) {
  out += static_cast<char>(0x80 | opcode);
  const std::size_t n = payload.size();
  if (n < 126) {
    out += static_cast<char>(n);
  } else if (n <= 0xffff) {
    out += static_cast<char>(126);
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(n & 0xff);
  } else {
    out += static_cast<char>(127);
    for (int shift = 56; shift >= 0; shift -= 8)
      out += static_cast<char>((n >> shift) & 0xff);
  }
  out.append(payload);
}

enum class Parsed { Incomplete, Answered, Close, Unexpected };

// Consumes the complete frame at the front of `in`, appending its answer to `out`.
Parsed answer_one(std::string &in, std::string &out) {
  if (in.size() < 2)
    return Parsed::Incomplete;
  const auto *p = reinterpret_cast<const unsigned char *>(in.data());
  const unsigned opcode = p[0] & 0x0f;
  if (!(p[0] & 0x80) || !(p[1] & 0x80)) // fragments and unmasked client frames: not ws-load's
    return Parsed::Unexpected;
  std::size_t n = p[1] & 0x7f, header = 2;
  if (n == 126) {
    if (in.size() < 4)
      return Parsed::Incomplete;
    n = std::size_t{p[2]} << 8 | p[3];
    header = 4;
  } else if (n == 127) {
    if (in.size() < 10)
      return Parsed::Incomplete;
    n = 0;
    for (int i = 2; i < 10; ++i)
      n = n << 8 | p[i];
    header = 10;
  }
  if (in.size() < header + 4 + n)
    return Parsed::Incomplete;
  const unsigned char *key = p + header;
  std::string payload(in, header + 4, n);
  for (std::size_t i = 0; i < n; ++i)
    payload[i] = static_cast<char>(payload[i] ^ key[i % 4]);
  in.erase(0, header + 4 + n);
  switch (opcode) {
  case 0x1:
    append_server_frame(out, 0x1, payload);
    append_server_frame(out, 0x1, Ack);
    return Parsed::Answered;
  case 0x8:
    append_server_frame(out, 0x8, payload.substr(0, 2)); // echo the close code
    return Parsed::Close;
  case 0x9:
    append_server_frame(out, 0xA, payload);
    return Parsed::Answered;
  default:
    return Parsed::Unexpected;
  }
}

// The upgrade, answered by Beast with the subprotocol ws-load offers; the socket is handed back
// non-blocking, or -1 when the handshake failed.
int upgrade(tcp::socket socket) {
  beast::error_code ec;
  beast::flat_buffer buffer;
  http::request<http::string_body> request;
  http::read(socket, buffer, request, ec);
  if (ec || buffer.size() != 0 || !websocket::is_upgrade(request))
    return -1; // a client that sends frames before the answer is not ws-load
  websocket::stream<tcp::socket> ws(std::move(socket));
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type &response) {
    response.set(http::field::sec_websocket_protocol, "chat.v1");
  }));
  ws.accept(request, ec);
  if (ec)
    return -1;
  const int fd = ws.next_layer().release(ec);
  if (ec)
    return -1;
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

struct Connection {
  std::string in, out;
};

// One receive, then the answers to every frame it completed in one send; false: close it.
bool serve(int fd, Connection &c) {
  char buf[65536];
  const ssize_t got = recv(fd, buf, sizeof buf, 0);
  if (got <= 0)
    return got < 0 && errno == EAGAIN;
  c.in.append(buf, static_cast<std::size_t>(got));
  bool open = true;
  for (Parsed r; open && (r = answer_one(c.in, c.out)) != Parsed::Incomplete;)
    open = r == Parsed::Answered;
  std::size_t sent = 0;
  while (sent < c.out.size()) { // answers are small; a full send buffer just waits here
    const ssize_t n = send(fd, c.out.data() + sent, c.out.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN)
      return false;
    sent += n > 0 ? static_cast<std::size_t>(n) : 0;
  }
  c.out.clear();
  return open;
}

} // namespace

int main(int argc, char **argv) {
  unsigned short port = 0;
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--port=", 7) == 0)
      port = static_cast<unsigned short>(std::stoi(argv[i] + 7));
  std::signal(SIGTERM, [](int) { _exit(0); });
  net::io_context ioc; // only for the blocking accept and handshake
  tcp::acceptor acceptor(ioc, {net::ip::make_address("127.0.0.1"), port});
  acceptor.non_blocking(true);
  std::cout << "listening on 127.0.0.1:" << acceptor.local_endpoint().port() << std::endl;

  const int epoll = epoll_create1(0);
  epoll_event listen_event{EPOLLIN, {.fd = acceptor.native_handle()}};
  epoll_ctl(epoll, EPOLL_CTL_ADD, acceptor.native_handle(), &listen_event);
  std::unordered_map<int, Connection> connections;
  epoll_event ready[256];
  for (;;) {
    const int n = epoll_wait(epoll, ready, 256, -1);
    for (int i = 0; i < n; ++i) {
      const int fd = ready[i].data.fd;
      if (fd == acceptor.native_handle()) {
        beast::error_code ec;
        tcp::socket socket = acceptor.accept(ec);
        if (ec)
          continue;
        socket.non_blocking(false, ec);
        if (const int ws = upgrade(std::move(socket)); ws >= 0) {
          epoll_event e{EPOLLIN, {.fd = ws}};
          epoll_ctl(epoll, EPOLL_CTL_ADD, ws, &e);
          connections[ws];
        }
      } else if (!serve(fd, connections[fd])) {
        epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nullptr);
        close(fd);
        connections.erase(fd);
      }
    }
  }
}
