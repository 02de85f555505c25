// checks: errorshield-unchecked-read
// Synchronous clients and helpers: framed TCP, HTTP fetch, websocket pump, TLS.
#include <array>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <istream>
#include <openssl/ssl.h>
#include <string>
#include <sys/socket.h>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using asio::ip::tcp;
using boost::system::error_code;
using Socket = tcp::socket;

#define WARN(...) std::fprintf(stderr, __VA_ARGS__)

template <typename SyncStream>
std::string readFrame(SyncStream& s) {
  std::array<unsigned char, 4> len_bytes{};
  error_code ec;
  asio::read(s, asio::buffer(len_bytes), ec);
  if (ec) return {};
  std::uint32_t len = (std::uint32_t(len_bytes[0]) << 24) | (std::uint32_t(len_bytes[1]) << 16) |
                      (std::uint32_t(len_bytes[2]) << 8) | std::uint32_t(len_bytes[3]);
  std::string body(len, '\0');
  asio::read(s, asio::buffer(body), ec);  // expect: errorshield-unchecked-read
  return body;
}

std::size_t drainSocket(Socket& sock) {
  std::array<char, 2048> chunk;
  std::size_t total = 0;
  error_code ec;
  while (sock.is_open()) {
    std::size_t n = sock.read_some(asio::buffer(chunk), ec);  // expect: errorshield-unchecked-read
    total += n;
  }
  return total;
}

std::size_t drainSocketOk(Socket& sock) {
  std::array<char, 2048> chunk;
  std::size_t total = 0;
  for (;;) {
    error_code ec;
    std::size_t n = sock.read_some(asio::buffer(chunk), ec);
    if (ec == asio::error::eof) break;
    if (ec) throw boost::system::system_error(ec);
    total += n;
  }
  return total;
}

std::size_t pollOnce(Socket& s, std::vector<char>& into) {
  error_code ec;
  std::size_t n = s.read_some(asio::buffer(into), ec);
  if (!ec) return n;
  return 0;
}

std::string readGreeting(Socket& sock) {
  asio::streambuf sb;
  asio::read_until(sock, sb, "\r\n");
  std::istream is(&sb);
  std::string line;
  std::getline(is, line);
  return line;
}

http::response<http::string_body> fetch(Socket& sock, const std::string& target) {
  http::request<http::empty_body> req{http::verb::get, target, 11};
  http::write(sock, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  error_code ec;
  http::read(sock, buf, res, ec);  // expect: errorshield-unchecked-read
  return res;
}

http::response<http::string_body> fetchChecked(Socket& sock, const std::string& target) {
  http::request<http::empty_body> req{http::verb::get, target, 11};
  http::write(sock, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  error_code ec;
  http::read(sock, buf, res, ec);
  if (ec && ec != http::error::end_of_stream) throw boost::system::system_error(ec);
  return res;
}

void wsPump(websocket::stream<Socket>& ws, std::vector<std::string>& out) {
  beast::flat_buffer buffer;
  error_code ec;
  for (int i = 0; i < 100; ++i) {
    ws.read(buffer, ec);  // expect: errorshield-unchecked-read
    out.push_back(beast::buffers_to_string(buffer.data()));
    buffer.clear();
  }
}

void wsPumpOk(websocket::stream<Socket>& ws, std::vector<std::string>& out) {
  beast::flat_buffer buffer;
  for (;;) {
    error_code ec;
    ws.read(buffer, ec);
    if (ec == websocket::error::closed) break;
    if (ec) {
      WARN("ws: %s\n", ec.message().c_str());
      break;
    }
    out.push_back(beast::buffers_to_string(buffer.data()));
    buffer.consume(buffer.size());
  }
}

void wsThrowing(websocket::stream<Socket>& ws) {
  beast::flat_buffer b;
  ws.read(b);
  WARN("%zu\n", b.size());
}

void acceptLoop(tcp::acceptor& acc, asio::io_context& ioc) {
  for (;;) {
    Socket sock(ioc);
    error_code ec;
    acc.accept(sock, ec);  // expect: errorshield-unchecked-read
    std::array<char, 8> hello{};
    asio::read(sock, asio::buffer(hello));
    WARN("%.8s\n", hello.data());
  }
}

bool acceptOnce(tcp::acceptor& acc, Socket& sock) {
  error_code ec;
  acc.accept(sock, ec);
  if (ec) {
    WARN("accept: %s\n", ec.message().c_str());
    return false;
  }
  return readFrame(sock).size() > 0;
}

std::string tlsReadAll(SSL* ssl) {
  std::string out;
  char buf[4096];
  for (;;) {
    int n = SSL_read(ssl, buf, sizeof buf);
    if (n <= 0) {
      int err = SSL_get_error(ssl, n);
      if (err == SSL_ERROR_WANT_READ) continue;
      break;
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

std::string tlsReadOnce(SSL* ssl) {
  char buf[1024];
  int n = SSL_read(ssl, buf, sizeof buf);  // expect: errorshield-unchecked-read
  if (n < 0) return {};
  return std::string(buf, static_cast<std::size_t>(n));
}

void tlsFlushInput(SSL* ssl) {
  char sink[256];
  while (SSL_pending(ssl) > 0) (void)SSL_read(ssl, sink, sizeof sink);  // expect: errorshield-unchecked-read
}

void discardOobByte(Socket& sock) {
  char b;
  ::recv(sock.native_handle(), &b, 1, MSG_OOB);  // expect: errorshield-unchecked-read
}

asio::awaitable<void> echo(Socket sock) {
  std::array<char, 1024> data;
  for (;;) {
    std::size_t n = co_await sock.async_read_some(asio::buffer(data), asio::use_awaitable);
    co_await asio::async_write(sock, asio::buffer(data, n), asio::use_awaitable);
  }
}

class FeedClient {
 public:
  explicit FeedClient(asio::io_context& ioc) : sock_(ioc) {}
  void readNext() {
    asio::async_read(sock_, asio::buffer(hdr_), std::bind(&FeedClient::onHeader, this, std::placeholders::_1, std::placeholders::_2));  // expect: errorshield-unchecked-read
  }
  void readNextSafe() {
    asio::async_read(sock_, asio::buffer(hdr_), std::bind(&FeedClient::onHeaderSafe, this, std::placeholders::_1, std::placeholders::_2));
  }

 private:
  void onHeader(const error_code& ec, std::size_t) {
    if (ec) WARN("feed: %s\n", ec.message().c_str());
    handle(hdr_);
    readNext();
  }
  void onHeaderSafe(const error_code& ec, std::size_t) {
    if (ec) {
      WARN("feed: %s\n", ec.message().c_str());
      return;
    }
    handle(hdr_);
    readNextSafe();
  }
  void handle(const std::array<char, 16>&) {}

  Socket sock_;
  std::array<char, 16> hdr_{};
};

std::string roundTrip(asio::io_context& ioc, const tcp::endpoint& ep) {
  Socket sock(ioc);
  sock.connect(ep);
  asio::write(sock, asio::buffer(std::string("PING\r\n")));
  return readFrame(sock);
}
