// checks: errorshield-unchecked-read
// Async Beast/Asio sessions: websocket chat, HTTP keep-alive, TCP echo, statsd.
#include <array>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdio>
#include <deque>
#include <functional>
#include <istream>
#include <memory>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

static void fail(beast::error_code ec, const char* what) {
  std::fprintf(stderr, "%s: %s\n", what, ec.message().c_str());
}

class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  explicit WsSession(tcp::socket&& s) : ws_(std::move(s)) {}
  void run();
  void doRead();

 private:
  void onAccept(beast::error_code ec);
  void onRead(beast::error_code ec, std::size_t bytes);
  void onWrite(beast::error_code ec, std::size_t bytes);

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
};

void WsSession::run() {
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws_.async_accept(beast::bind_front_handler(&WsSession::onAccept, shared_from_this()));
}

void WsSession::onAccept(beast::error_code ec) {
  if (ec) return fail(ec, "accept");
  doRead();
}

void WsSession::doRead() {
  ws_.async_read(buffer_, beast::bind_front_handler(&WsSession::onRead, shared_from_this()));  // expect: errorshield-unchecked-read
}

void WsSession::onRead(beast::error_code ec, std::size_t) {
  if (ec) fail(ec, "read");
  queue_.push_back(beast::buffers_to_string(buffer_.data()));
  buffer_.consume(buffer_.size());
  ws_.text(ws_.got_text());
  ws_.async_write(net::buffer(queue_.front()), beast::bind_front_handler(&WsSession::onWrite, shared_from_this()));
}

void WsSession::onWrite(beast::error_code, std::size_t) {
  queue_.pop_front();
  doRead();
}

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  explicit HttpSession(tcp::socket&& s) : stream_(std::move(s)) {}
  void start() { readRequest(); }

 private:
  void readRequest() {
    req_ = {};
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec == http::error::end_of_stream) return self->close();
      if (ec) return fail(ec, "http read");
      self->respond();
    });
  }

  void respond() {
    auto res = std::make_shared<http::response<http::string_body>>(http::status::ok, req_.version());
    res->body() = "ok";
    res->prepare_payload();
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code, std::size_t) { self->readRequest(); });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
};

class EchoConn : public std::enable_shared_from_this<EchoConn> {
 public:
  explicit EchoConn(tcp::socket s) : sock_(std::move(s)) {}
  void start() { readSome(); }
  void readHeaderThenBody();
  void readLine();
  void readGeneric();

 private:
  void readSome() {
    auto self = shared_from_this();
    sock_.async_read_some(net::buffer(data_), [this, self](const boost::system::error_code& ec, std::size_t n) {  // expect: errorshield-unchecked-read
      net::async_write(sock_, net::buffer(data_, n), [this, self](boost::system::error_code ec2, std::size_t) {
        if (!ec2) readSome();
      });
    });
  }

  tcp::socket sock_;
  std::array<char, 1024> data_{};
  net::streambuf line_buf_;
  std::uint32_t body_len_ = 0;
};

void EchoConn::readHeaderThenBody() {
  net::async_read(sock_, net::buffer(&body_len_, sizeof body_len_),  // expect: errorshield-unchecked-read
                  [self = shared_from_this()](boost::system::error_code, std::size_t) {
                    self->data_.fill(0);
                    net::async_read(self->sock_, net::buffer(self->data_.data(), self->body_len_),
                                    [self](boost::system::error_code ec, std::size_t) {
                                      if (ec) throw boost::system::system_error(ec);
                                      self->readSome();
                                    });
                  });
}

void EchoConn::readLine() {
  net::async_read_until(sock_, line_buf_, '\n', [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
    if (ec) {
      fail(ec, "read_until");
      return;
    }
    std::string line(net::buffers_begin(self->line_buf_.data()), net::buffers_begin(self->line_buf_.data()) + n);
    self->line_buf_.consume(n);
    self->readLine();
  });
}

void EchoConn::readGeneric() {
  sock_.async_read_some(net::buffer(data_), [self = shared_from_this()](auto ec, auto n) {
    if (ec) return;
    std::fwrite(self->data_.data(), 1, n, stdout);
    self->readGeneric();
  });
}

void acceptWebsocket(std::shared_ptr<websocket::stream<tcp::socket>> ws) {
  ws->async_accept([ws](beast::error_code) {  // expect: errorshield-unchecked-read
    auto buf = std::make_shared<beast::flat_buffer>();
    ws->async_read(*buf, [ws, buf](beast::error_code ec, std::size_t) {  // expect: errorshield-unchecked-read
      if (ec) std::fprintf(stderr, "ws read: %s\n", ec.message().c_str());
      ws->text(true);
      ws->async_write(buf->data(), [ws, buf](beast::error_code, std::size_t) {});
    });
  });
}

void serveOnce(std::shared_ptr<beast::tcp_stream> stream) {
  auto buf = std::make_shared<beast::flat_buffer>();
  auto req = std::make_shared<http::request<http::string_body>>();
  http::async_read(*stream, *buf, *req, [stream, buf, req](beast::error_code ec, std::size_t) {  // expect: errorshield-unchecked-read
    if (ec) fail(ec, "read");
    std::fprintf(stderr, "%s\n", std::string(req->target()).c_str());
  });
}

void scheduleHeartbeat(net::steady_timer& t, std::function<void()> beat) {
  t.expires_after(std::chrono::seconds(15));
  t.async_wait([&t, beat](const boost::system::error_code&) {
    beat();
    scheduleHeartbeat(t, beat);
  });
}

class LineClient {
 public:
  explicit LineClient(net::io_context& ioc) : sock_(ioc) {}
  void start() {
    net::async_read_until(sock_, sb_, "\r\n", std::bind(&LineClient::onLine, this, std::placeholders::_1, std::placeholders::_2));  // expect: errorshield-unchecked-read
  }

 private:
  void onLine(const boost::system::error_code& ec, std::size_t n) {
    std::istream is(&sb_);
    std::string l;
    std::getline(is, l);
    lines_.push_back(l);
    start();
  }

  tcp::socket sock_;
  net::streambuf sb_;
  std::vector<std::string> lines_;
};

class StatsdListener {
 public:
  explicit StatsdListener(net::io_context& ioc) : sock_(ioc, net::ip::udp::endpoint(net::ip::udp::v4(), 8125)) {}

  void listen() {
    sock_.async_receive(net::buffer(pkt_), std::bind(&StatsdListener::onPacket, this, std::placeholders::_1, std::placeholders::_2));
  }

  void listenSloppy() {
    sock_.async_receive(net::buffer(pkt_), [this](boost::system::error_code ec, std::size_t n) {  // expect: errorshield-unchecked-read
      if (ec) ++errors_;
      ingest(n);
      listenSloppy();
    });
  }

 private:
  void onPacket(const boost::system::error_code& ec, std::size_t n) {
    if (ec == net::error::operation_aborted) return;
    if (ec) {
      ++errors_;
      return listen();
    }
    ingest(n);
    listen();
  }

  void ingest(std::size_t) {}

  net::ip::udp::socket sock_;
  std::array<char, 1500> pkt_{};
  int errors_ = 0;
};
