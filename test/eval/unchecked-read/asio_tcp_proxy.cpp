// checks: errorshield-unchecked-read
// Plaintext TCP proxy for the internal service mesh (no TLS: the sidecars
// terminate it). A client first sends "CONNECT host:port\r\n\r\n"; the proxy
// dials the target and then relays both directions until either side closes.
#include <boost/asio.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <iostream>
#include <istream>
#include <memory>
#include <string>

namespace net = boost::asio;
using tcp = net::ip::tcp;
using boost::system::error_code;

class Bridge : public std::enable_shared_from_this<Bridge> {
 public:
  Bridge(net::io_context& ioc, tcp::socket client) : resolver_(ioc), client_(std::move(client)), upstream_(ioc) {}

  void start() { read_connect_line(); }

 private:
  // The parse runs even when the read failed, and a stale target gets dialled.
  void read_connect_line() {
    net::async_read_until(client_, request_buf_, "\r\n\r\n", [self = shared_from_this()](error_code ec, std::size_t) {  // expect: errorshield-unchecked-read
      if (ec.failed()) std::cerr << "proxy: request line: " << ec.message() << "\n";
      std::istream is(&self->request_buf_);
      std::string verb, target;
      is >> verb >> target;
      self->resolve(target);
    });
  }

  void resolve(const std::string& target) {
    auto colon = target.rfind(':');
    if (colon == std::string::npos) return close();
    resolver_.async_resolve(target.substr(0, colon), target.substr(colon + 1),
                            [self = shared_from_this()](error_code ec, tcp::resolver::results_type results) {
                              if (ec) return self->close();
                              self->connect(results);
                            });
  }

  void connect(const tcp::resolver::results_type& results) {
    // async_connect is not a read: its handler is out of scope here
    net::async_connect(upstream_, results, [self = shared_from_this()](error_code, const tcp::endpoint&) {
      self->send_established();
    });
  }

  void send_established() {
    static const std::string ok = "HTTP/1.1 200 Connection established\r\n\r\n";
    net::async_write(client_, net::buffer(ok), [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec) return self->close();
      self->read_client();
      self->read_upstream();
    });
  }

  // `if (ec) close();` does not leave: the write below still runs on a closed socket.
  void read_client() {
    client_.async_read_some(net::buffer(c2u_), [self = shared_from_this()](error_code ec, std::size_t n) {  // expect: errorshield-unchecked-read
      if (ec) self->close();
      net::async_write(self->upstream_, net::buffer(self->c2u_, n), [self](error_code ec, std::size_t) {
        if (ec) return self->close();
        self->read_client();
      });
    });
  }

  // Correct: every error path returns.
  void read_upstream() {
    upstream_.async_read_some(net::buffer(u2c_), [self = shared_from_this()](error_code ec, std::size_t n) {
      if (ec == net::error::eof) {
        self->half_close_client();
        return;
      }
      if (ec) {
        self->close();
        return;
      }
      net::async_write(self->client_, net::buffer(self->u2c_, n), [self](error_code ec, std::size_t) {
        if (ec) return self->close();
        self->read_upstream();
      });
    });
  }

  void half_close_client() {
    error_code ignored;
    client_.shutdown(tcp::socket::shutdown_send, ignored);
  }

 public:
  void close() {
    error_code ignored;
    client_.close(ignored);
    upstream_.close(ignored);
  }

 private:
  net::streambuf request_buf_;
  tcp::resolver resolver_;
  tcp::socket client_;
  tcp::socket upstream_;
  std::array<char, 16384> c2u_{};
  std::array<char, 16384> u2c_{};
};

// Mesh health probe: the sidecar sends a 4-byte length and a JSON body.
class ProbeConnection : public std::enable_shared_from_this<ProbeConnection> {
 public:
  explicit ProbeConnection(tcp::socket s) : socket_(std::move(s)) {}

  // Correct: the handler returns on failure before reading the body.
  void read_length() {
    net::async_read(socket_, net::buffer(&len_be_, sizeof len_be_), [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec) return self->socket_.close();
      self->body_.resize(ntohl(self->len_be_));
      self->read_body();
    });
  }

  // A generic handler whose error parameter is never looked at.
  void read_body() {
    net::async_read(socket_, net::buffer(body_), [self = shared_from_this()](auto ec, auto n) {  // expect: errorshield-unchecked-read
      self->body_.resize(n);
      self->report();
    });
  }

  // Correct: generic handler, error checked with failed() and the branch returns.
  void read_trailer() {
    socket_.async_read_some(net::buffer(trailer_), [self = shared_from_this()](auto const& ec, std::size_t n) {
      if (ec.failed()) return;
      self->trailer_len_ = n;
    });
  }

  // Correct: the error test is the last statement of the handler.
  void drain_before_close() {
    socket_.async_read_some(net::buffer(trailer_), [self = shared_from_this()](error_code ec, std::size_t n) {
      self->drained_ += n;
      if (ec) self->socket_.close();
    });
  }

 private:
  void report() { std::cout << "probe: " << body_ << "\n"; }

  tcp::socket socket_;
  std::uint32_t len_be_ = 0;
  std::string body_;
  std::array<char, 64> trailer_{};
  std::size_t trailer_len_ = 0;
  std::size_t drained_ = 0;
};

// Correct: coroutine relay; a failed read throws out of co_await.
net::awaitable<void> relay(tcp::socket& from, tcp::socket& to) {
  std::array<char, 16384> data;
  for (;;) {
    std::size_t n = co_await from.async_read_some(net::buffer(data), net::use_awaitable);
    co_await net::async_write(to, net::buffer(data, n), net::use_awaitable);
  }
}

class Proxy {
 public:
  Proxy(net::io_context& ioc, unsigned short port) : ioc_(ioc), acceptor_(ioc, tcp::endpoint(tcp::v4(), port)) {}

  // Correct: the bound handler leaves on error.
  void accept() {
    using std::placeholders::_1;
    using std::placeholders::_2;
    acceptor_.async_accept(std::bind(&Proxy::on_accept, this, _1, _2));
  }

 private:
  void on_accept(const error_code& ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted) return;
    if (ec) {
      std::cerr << "proxy accept: " << ec.message() << "\n";
      return accept();
    }
    std::make_shared<Bridge>(ioc_, std::move(socket))->start();
    accept();
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
};
