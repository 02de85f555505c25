// checks: errorshield-unchecked-read
// Live court transcript relay: the stenographer's machine writes raw lines to a
// pipe, the relay fans them out to WebSocket subscribers (press room, remote
// counsel) and exposes a small clerk control endpoint.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <deque>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

struct TranscriptLine {
  std::uint64_t seq = 0;
  std::string speaker;
  std::string text;
};

class TranscriptLog {
public:
  void append(TranscriptLine line) {
    std::lock_guard<std::mutex> lk(mu_);
    lines_.push_back(std::move(line));
    if (lines_.size() > 5000) lines_.pop_front();
  }
  std::size_t size() const {
    std::lock_guard<std::mutex> lk(mu_);
    return lines_.size();
  }

private:
  mutable std::mutex mu_;
  std::deque<TranscriptLine> lines_;
};

static bool report(beast::error_code ec, const char *what) {
  if (!ec) return false;
  std::cerr << "[transcript] " << what << ": " << ec.message() << "\n";
  return true;
}

static TranscriptLine parse_steno(const std::string &raw, std::uint64_t seq) {
  TranscriptLine l;
  l.seq = seq;
  auto colon = raw.find(':');
  l.speaker = colon == std::string::npos ? "UNKNOWN" : raw.substr(0, colon);
  l.text = colon == std::string::npos ? raw : raw.substr(colon + 1);
  return l;
}

// Stenographer feed: reads the pipe in the background and splits on newlines.
void pump_steno_pipe(int fd, TranscriptLog &log) {
  char chunk[512];
  std::string pending;
  std::uint64_t seq = 0;
  for (;;) {
    ssize_t n = ::read(fd, chunk, sizeof chunk); // expect: errorshield-unchecked-read
    pending.append(chunk, static_cast<std::size_t>(n));
    std::size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos) {
      log.append(parse_steno(pending.substr(0, nl), ++seq));
      pending.erase(0, nl + 1);
    }
  }
}

// Backup feed from the court reporter's laptop; same format, guarded properly.
void pump_backup_pipe(int fd, TranscriptLog &log) {
  char chunk[512];
  std::string pending;
  std::uint64_t seq = 1000000;
  for (;;) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) break;
    pending.append(chunk, static_cast<std::size_t>(n));
    std::size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos) {
      log.append(parse_steno(pending.substr(0, nl), ++seq));
      pending.erase(0, nl + 1);
    }
  }
  ::close(fd);
}

// Press-room subscriber: only sends "ack"/"resync" control messages upstream.
class PressSubscriber : public std::enable_shared_from_this<PressSubscriber> {
public:
  PressSubscriber(websocket::stream<beast::tcp_stream> ws, TranscriptLog &log)
      : ws_(std::move(ws)), log_(log) {}

  void start() { read_control(); }

private:
  void read_control() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code, std::size_t) { // expect: errorshield-unchecked-read
      auto msg = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      if (msg == "resync") self->resyncs_++;
      self->read_control();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  TranscriptLog &log_;
  int resyncs_ = 0;
};

// Remote counsel subscriber: same protocol, errors end the session.
class CounselSubscriber : public std::enable_shared_from_this<CounselSubscriber> {
public:
  explicit CounselSubscriber(websocket::stream<beast::tcp_stream> ws) : ws_(std::move(ws)) {}

  void start() { read_control(); }

private:
  void read_control() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec == websocket::error::closed) return;
      if (report(ec, "counsel read")) return;
      self->acks_++;
      self->buffer_.consume(self->buffer_.size());
      self->read_control();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  int acks_ = 0;
};

// Judge's chambers monitor, coroutine style.
net::awaitable<void> chambers_session(websocket::stream<beast::tcp_stream> ws, TranscriptLog &log) {
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buf, net::as_tuple(net::use_awaitable)); // expect: errorshield-unchecked-read
    json req = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(n);
    json reply = {{"lines", log.size()}, {"ok", !req.is_discarded()}};
    co_await ws.async_write(net::buffer(reply.dump()), net::use_awaitable);
  }
}

// Court clerk dashboard, also coroutine; exceptions end the session.
net::awaitable<void> clerk_dashboard(websocket::stream<beast::tcp_stream> ws, TranscriptLog &log) {
  try {
    co_await ws.async_accept(net::use_awaitable);
    beast::flat_buffer buf;
    for (;;) {
      std::size_t n = co_await ws.async_read(buf, net::use_awaitable);
      buf.consume(n);
      json reply = {{"lines", log.size()}};
      co_await ws.async_write(net::buffer(reply.dump()), net::use_awaitable);
    }
  } catch (const boost::system::system_error &e) {
    std::cerr << "[clerk] " << e.code().message() << "\n";
  }
}

// Legacy archive uploader runs on a stackful coroutine.
void archive_session(tcp::socket sock, TranscriptLog &log, net::yield_context yield) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  beast::error_code ec;
  ws.async_accept(yield[ec]);
  if (ec) return;
  beast::flat_buffer buf;
  for (;;) {
    ws.async_read(buf, yield[ec]); // expect: errorshield-unchecked-read
    std::string batch = beast::buffers_to_string(buf.data());
    buf.consume(buf.size());
    ws.async_write(net::buffer("stored:" + std::to_string(batch.size())), yield[ec]);
  }
}

// Sealed-session replicator, same shape but it stops on failure.
void replica_session(tcp::socket sock, net::yield_context yield) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  beast::error_code ec;
  ws.async_accept(yield[ec]);
  if (ec) return;
  beast::flat_buffer buf;
  for (;;) {
    ws.async_read(buf, yield[ec]);
    if (ec == websocket::error::closed) break;
    if (report(ec, "replica read")) return;
    buf.consume(buf.size());
  }
}

// Clerk control endpoint: one request per connection ("seal", "unseal").
void handle_clerk_request(tcp::socket &sock, bool &sealed) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  beast::error_code ec;
  http::read(sock, buf, req, ec); // expect: errorshield-unchecked-read
  sealed = req.target() == "/seal";
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.body() = sealed ? "sealed" : "open";
  res.prepare_payload();
  http::write(sock, res, ec);
}

void handle_admin_request(tcp::socket &sock, bool &sealed) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  beast::error_code ec;
  http::read(sock, buf, req, ec);
  if (report(ec, "admin read")) return;
  sealed = req.target() == "/seal";
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.prepare_payload();
  http::write(sock, res, ec);
}

// Generic drain helper used by the stenographer bridge sockets.
template <class SyncStream>
std::size_t drain_bridge(SyncStream &s, std::string &out) {
  std::size_t total = 0;
  char tmp[256];
  beast::error_code ec;
  while (out.size() < 4096) {
    std::size_t n = s.read_some(net::buffer(tmp), ec); // expect: errorshield-unchecked-read
    out.append(tmp, n);
    total += n;
  }
  return total;
}

// Synchronous integrity check: throws on error, caught by the caller.
std::string read_one_verification(websocket::stream<tcp::socket> &ws) {
  beast::flat_buffer buf;
  ws.read(buf);
  return beast::buffers_to_string(buf.data());
}

int main() {
  net::io_context ioc;
  TranscriptLog log;
  tcp::acceptor acc(ioc, {tcp::v4(), 9400});
  net::co_spawn(ioc, chambers_session(websocket::stream<beast::tcp_stream>(ioc), log), net::detached);
  net::co_spawn(ioc, clerk_dashboard(websocket::stream<beast::tcp_stream>(ioc), log), net::detached);
  tcp::socket s(ioc);
  std::string tmp;
  drain_bridge(s, tmp);
  ioc.run();
}
