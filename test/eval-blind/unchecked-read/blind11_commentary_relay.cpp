// checks: errorshield-unchecked-read
// Live-sports commentary ingest relay.
//
// Upstream data providers push line-delimited JSON over plain TCP, commentators in the
// booth push text over WebSocket, and the relay fans everything out to the edge tier.
// A replay tool can also feed a recorded match from disk.
#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <utility>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

struct CommentaryEvent {
  std::string match_id;
  int minute = 0;
  std::string kind;  // "goal", "card", "sub", "text"
  std::string text;
};

class Fanout {
 public:
  void publish(const CommentaryEvent& ev);
  void publish_raw(std::string_view match_id, std::string payload);
};

static bool parse_event(std::string_view raw, CommentaryEvent& out) {
  json j = json::parse(raw, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.contains("match") || !j.contains("text")) return false;
  out.match_id = j.value("match", "");
  out.minute = j.value("minute", 0);
  out.kind = j.value("kind", "text");
  out.text = j.value("text", "");
  return true;
}

// ---------------------------------------------------------------------------
// Provider feed: newline-delimited JSON over TCP.
class ProviderFeed : public std::enable_shared_from_this<ProviderFeed> {
 public:
  ProviderFeed(tcp::socket sock, Fanout& out) : sock_(std::move(sock)), out_(out) {}

  void start() { read_next(); }

 private:
  void read_next() {
    asio::async_read_until(sock_, buf_, '\n', [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {  // OK
      if (ec) {
        if (ec != asio::error::eof) std::cerr << "provider feed: " << ec.message() << '\n';
        self->sock_.close(ec);
        return;
      }
      std::string line(asio::buffers_begin(self->buf_.data()), asio::buffers_begin(self->buf_.data()) + n);
      self->buf_.consume(n);
      CommentaryEvent ev;
      if (parse_event(line, ev)) self->out_.publish(ev);
      self->read_next();
    });
  }

  tcp::socket sock_;
  asio::streambuf buf_;
  Fanout& out_;
};

// ---------------------------------------------------------------------------
// Booth commentator: free-text lines over WebSocket.
class BoothSession : public std::enable_shared_from_this<BoothSession> {
 public:
  BoothSession(tcp::socket sock, Fanout& out, std::string match)
      : ws_(std::move(sock)), out_(out), match_(std::move(match)) {}

  void run() { do_read(); }

  // Second channel on the same session: the booth's producer desk sends stats blobs.
  void run_stats_channel(std::shared_ptr<websocket::stream<beast::tcp_stream>> stats) {
    stats_ = std::move(stats);
    read_stats();
  }

 private:
  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&BoothSession::on_read, shared_from_this()));  // OK: on_read checks ec
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == websocket::error::closed) return;
    if (ec) {
      std::cerr << "booth " << match_ << ": " << ec.message() << '\n';
      return;
    }
    CommentaryEvent ev{match_, 0, "text", beast::buffers_to_string(buffer_.data())};
    buffer_.consume(buffer_.size());
    out_.publish(ev);
    do_read();
  }

  void read_stats() {
    stats_->async_read(stats_buf_, [self = shared_from_this()](beast::error_code, std::size_t bytes) {  // expect: errorshield-unchecked-read
      self->out_.publish_raw(self->match_, beast::buffers_to_string(self->stats_buf_.data()));
      self->stats_buf_.consume(bytes);
      self->read_stats();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::shared_ptr<websocket::stream<beast::tcp_stream>> stats_;
  beast::flat_buffer buffer_;
  beast::flat_buffer stats_buf_;
  Fanout& out_;
  std::string match_;
};

// ---------------------------------------------------------------------------
// Legacy scoreboard vendor: raw fixed-size frames; the read loop is re-armed through a
// stored std::function so the reconnect logic can swap the socket underneath.
struct VendorLink {
  tcp::socket sock;
  std::array<char, 512> chunk{};
  explicit VendorLink(asio::io_context& ioc) : sock(ioc) {}
};

class ScoreboardRelay {
 public:
  ScoreboardRelay(asio::io_context& ioc, Fanout& out) : link_(std::make_unique<VendorLink>(ioc)), out_(out) {
    pump_ = [this] {
      link_->sock.async_read_some(asio::buffer(link_->chunk), [this](boost::system::error_code ec, std::size_t n) {  // expect: errorshield-unchecked-read
        if (ec == asio::error::operation_aborted) return;  // only the shutdown path is handled
        out_.publish_raw("scoreboard", std::string(link_->chunk.data(), n));
        pump_();
      });
    };
  }

  void start() { pump_(); }

 private:
  std::unique_ptr<VendorLink> link_;
  Fanout& out_;
  std::function<void()> pump_;
};

// ---------------------------------------------------------------------------
// Coroutine sessions for the newer "press box" protocol.
asio::awaitable<void> press_box_session(websocket::stream<beast::tcp_stream> ws, Fanout& out) {
  beast::flat_buffer buf;
  beast::error_code ec;
  co_await ws.async_accept(asio::use_awaitable);
  for (;;) {
    std::size_t n = co_await ws.async_read(buf, asio::redirect_error(asio::use_awaitable, ec));  // expect: errorshield-unchecked-read
    std::string raw = beast::buffers_to_string(buf.data());
    buf.consume(n);
    CommentaryEvent ev;
    if (parse_event(raw, ev)) out.publish(ev);
  }
}

asio::awaitable<void> press_box_session_v2(websocket::stream<beast::tcp_stream> ws, Fanout& out) {
  beast::flat_buffer buf;
  co_await ws.async_accept(asio::use_awaitable);
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buf, asio::as_tuple(asio::use_awaitable));  // OK
    if (ec) co_return;
    CommentaryEvent ev;
    if (parse_event(beast::buffers_to_string(buf.data()), ev)) out.publish(ev);
    buf.consume(n);
  }
}

asio::awaitable<void> press_box_session_throwing(websocket::stream<beast::tcp_stream> ws, Fanout& out) {
  beast::flat_buffer buf;
  try {
    co_await ws.async_accept(asio::use_awaitable);
    for (;;) {
      co_await ws.async_read(buf, asio::use_awaitable);  // OK: errors surface as exceptions
      out.publish_raw("press", beast::buffers_to_string(buf.data()));
      buf.consume(buf.size());
    }
  } catch (const boost::system::system_error& e) {
    if (e.code() != websocket::error::closed) std::cerr << "press box: " << e.what() << '\n';
  }
}

// ---------------------------------------------------------------------------
// Synchronous helpers used by the backfill worker (runs on its own thread, off the io_context).
template <class SyncReadStream>
std::string read_line(SyncReadStream& s, asio::streambuf& buf) {
  boost::system::error_code ec;
  std::size_t n = asio::read_until(s, buf, '\n', ec);  // expect: errorshield-unchecked-read
  std::string line(asio::buffers_begin(buf.data()), asio::buffers_begin(buf.data()) + n);
  buf.consume(n);
  return line;
}

void backfill_from_archive(tcp::socket& archive, Fanout& out) {
  asio::streambuf buf;
  for (;;) {
    std::string line = read_line(archive, buf);
    if (line.empty()) continue;
    CommentaryEvent ev;
    if (parse_event(line, ev)) out.publish(ev);
  }
}

void backfill_checked(tcp::socket& archive, Fanout& out) {
  asio::streambuf buf;
  for (;;) {
    boost::system::error_code ec;
    std::size_t n = asio::read_until(archive, buf, '\n', ec);  // OK
    if (ec == asio::error::eof) break;
    if (ec) throw boost::system::system_error(ec, "archive backfill");
    std::string line(asio::buffers_begin(buf.data()), asio::buffers_begin(buf.data()) + n);
    buf.consume(n);
    CommentaryEvent ev;
    if (parse_event(line, ev)) out.publish(ev);
  }
}

// Replay a recorded match from a .ndjson file.
void replay_match(const std::string& path, Fanout& out) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {  // OK: loop stops at EOF
    CommentaryEvent ev;
    if (parse_event(line, ev)) out.publish(ev);
  }
}

// Keep-alive ping to providers; the timer result is deliberately not inspected.
void schedule_ping(asio::steady_timer& t, tcp::socket& sock) {
  t.expires_after(std::chrono::seconds(15));
  t.async_wait([&t, &sock](boost::system::error_code) {  // OK: timer wait, not a read
    static const char ping[] = "{\"type\":\"ping\"}\n";
    asio::async_write(sock, asio::buffer(ping, sizeof(ping) - 1), [](boost::system::error_code, std::size_t) {});
    schedule_ping(t, sock);
  });
}
