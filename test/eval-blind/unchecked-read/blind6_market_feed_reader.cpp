// checks: errorshield-unchecked-read
// Market-data gateway: pulls a line-based quote feed over TCP, a REST snapshot
// over TLS, and serves a push WebSocket to downstream trading desks.
#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <functional>
#include <iostream>
#include <istream>
#include <memory>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

struct Quote {
  std::string symbol;
  double bid = 0, ask = 0;
};

Quote parse_quote(std::string const& line);
void publish(Quote const& q);

// ---- stackful line feed --------------------------------------------------

void run_quote_feed(asio::io_context& ioc, tcp::endpoint ep) {
  asio::spawn(ioc, [&ioc, ep](asio::yield_context yield) {
    tcp::socket sock(ioc);
    sock.async_connect(ep, yield);
    asio::streambuf sb;
    for (;;) {
      beast::error_code ec;
      asio::async_read_until(sock, sb, '\n', yield[ec]); // expect: errorshield-unchecked-read
      std::istream is(&sb);
      std::string line;
      std::getline(is, line);
      publish(parse_quote(line));
    }
  }, asio::detached);
}

// Correct: eof ends the feed, other errors are logged, then we stop.
void run_backup_feed(asio::io_context& ioc, tcp::endpoint ep) {
  asio::spawn(ioc, [&ioc, ep](asio::yield_context yield) {
    tcp::socket sock(ioc);
    sock.async_connect(ep, yield);
    asio::streambuf sb;
    for (;;) {
      beast::error_code ec;
      std::size_t n = asio::async_read_until(sock, sb, '\n', yield[ec]);
      if (ec == asio::error::eof) break;
      if (ec) {
        std::cerr << "backup feed: " << ec.message() << "\n";
        break;
      }
      std::string line(asio::buffers_begin(sb.data()), asio::buffers_begin(sb.data()) + n);
      sb.consume(n);
      publish(parse_quote(line));
    }
  }, asio::detached);
}

// ---- coroutine snapshot over TLS -----------------------------------------

asio::awaitable<std::string> fetch_snapshot(beast::ssl_stream<beast::tcp_stream>& stream,
                                            std::string target) {
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "md.example.net");
  co_await http::async_write(stream, req, asio::use_awaitable);

  beast::flat_buffer buf;
  http::response<http::string_body> res;
  auto [ec, n] = co_await http::async_read(stream, buf, res, asio::as_tuple(asio::use_awaitable)); // expect: errorshield-unchecked-read
  std::cout << "snapshot " << n << " bytes\n";
  co_return res.body();
}

// Correct: the tuple's error is tested; end_of_stream maps to an empty result.
asio::awaitable<std::string> fetch_reference_data(beast::ssl_stream<beast::tcp_stream>& stream) {
  http::request<http::empty_body> req{http::verb::get, "/refdata", 11};
  req.set(http::field::host, "md.example.net");
  co_await http::async_write(stream, req, asio::use_awaitable);

  beast::flat_buffer buf;
  http::response<http::string_body> res;
  auto [ec, n] = co_await http::async_read(stream, buf, res, asio::as_tuple(asio::use_awaitable));
  if (ec == http::error::end_of_stream) co_return std::string{};
  if (ec) throw beast::system_error(ec);
  co_return res.body();
}

// ---- synchronous helpers --------------------------------------------------

// Reads the 8-byte sequence-number header of a recovery packet.
std::uint64_t read_recovery_seq(tcp::socket& sock) {
  std::uint64_t seq = 0;
  beast::error_code ec;
  asio::read(sock, asio::buffer(&seq, sizeof seq), ec); // expect: errorshield-unchecked-read
  return seq;
}

// Correct: the ec overload, but the caller acts on it by returning it.
beast::error_code read_recovery_body(tcp::socket& sock, std::string& out, std::size_t len) {
  out.resize(len);
  beast::error_code ec;
  asio::read(sock, asio::buffer(out), ec);
  return ec;
}

// Correct: the throwing overload; failure propagates as an exception.
std::size_t read_heartbeat(tcp::socket& sock, char (&hb)[16]) {
  return asio::read(sock, asio::buffer(hb));
}

// ---- downstream push session (callbacks) ----------------------------------

template <class Stream>
class DeskSession : public std::enable_shared_from_this<DeskSession<Stream>> {
 public:
  explicit DeskSession(Stream s) : ws_(std::move(s)) {}

  void start() { read_subscription(); }

 private:
  void read_subscription() {
    auto self = this->shared_from_this();
    ws_.async_read(buf_, [self](beast::error_code ec, std::size_t) {
      // Correct: errors funnel into a single place and the loop stops.
      if (ec) return self->fail(ec, "subscribe");
      self->subscribe(beast::buffers_to_string(self->buf_.data()));
      self->buf_.consume(self->buf_.size());
      self->read_subscription();
    });
  }

  void read_control() {
    auto self = this->shared_from_this();
    ws_.async_read(ctrl_buf_, [self](beast::error_code, std::size_t n) { // expect: errorshield-unchecked-read
      self->apply_control(beast::buffers_to_string(self->ctrl_buf_.data()));
      self->ctrl_buf_.consume(n);
      self->read_control();
    });
  }

  void fail(beast::error_code ec, char const* what) {
    std::cerr << "desk " << what << ": " << ec.message() << "\n";
  }
  void subscribe(std::string sym) { symbols_ += sym + ","; read_control(); }
  void apply_control(std::string const& cmd) { std::cout << "ctrl " << cmd << "\n"; }

  beast::websocket::stream<Stream> ws_;
  beast::flat_buffer buf_;
  beast::flat_buffer ctrl_buf_;
  std::string symbols_;
};

template class DeskSession<beast::tcp_stream>;

// Correct: a read whose handler stores the ec for the owner to check later.
struct PendingRead {
  beast::error_code result;
  std::size_t bytes = 0;
  bool done = false;
};

void start_probe_read(tcp::socket& sock, beast::flat_buffer& buf, std::shared_ptr<PendingRead> p) {
  sock.async_read_some(buf.prepare(512), [p](beast::error_code ec, std::size_t n) {
    p->result = ec;
    p->bytes = n;
    p->done = true;
  });
}

bool probe_ok(PendingRead const& p) { return p.done && !p.result && p.bytes > 0; }

Quote parse_quote(std::string const& line) {
  Quote q;
  auto sp = line.find(' ');
  q.symbol = line.substr(0, sp);
  return q;
}

void publish(Quote const& q) { std::cout << q.symbol << "\n"; }
