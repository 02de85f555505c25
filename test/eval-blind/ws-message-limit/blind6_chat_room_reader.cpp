// checks: errorshield-ws-message-limit
// Group-chat backend: room sessions, a relay to the archive service, an
// attachment upload endpoint and a broadcast-only announcer.
#include <chrono>
#include <cstdio>
#include <deque>
#include <limits>
#include <memory>
#include <string>
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace limits {
constexpr std::size_t kChatMessage = 64 * 1024;
constexpr std::size_t kArchiveFrame = 1 << 20; // 1 MiB
} // namespace limits

static void report(beast::error_code ec, char const* where) {
  std::fprintf(stderr, "%s: %s\n", where, ec.message().c_str());
}

// ---------------------------------------------------------------------------
// Room session: limit set once in the constructor, reads happen much later.
class RoomSession : public std::enable_shared_from_this<RoomSession> {
public:
  explicit RoomSession(tcp::socket&& s) : ws_(std::move(s)) {
    ws_.read_message_max(limits::kChatMessage);
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  }

  void start() {
    ws_.async_accept(beast::bind_front_handler(&RoomSession::on_accept, shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec) return report(ec, "room accept");
    do_read();
  }

  void do_read() {
    ws_.async_read(buf_, beast::bind_front_handler(&RoomSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return report(ec, "room read");
    auto msg = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (!msg.is_discarded() && msg.contains("text")) history_.push_back(msg["text"]);
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  std::deque<std::string> history_;
};

// ---------------------------------------------------------------------------
// Direct-message session: same shape as RoomSession but the limit was never
// added, so a single frame can claim the default 16 MB (or more, in pieces).
class DirectSession : public std::enable_shared_from_this<DirectSession> {
public:
  explicit DirectSession(tcp::socket&& s) : ws_(std::move(s)) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  }

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_read();
    });
  }

private:
  void do_read() {
    ws_.async_read(buf_, // expect: errorshield-ws-message-limit
                   [self = shared_from_this()](beast::error_code ec, std::size_t) {
                     if (ec) return report(ec, "dm read");
                     self->buf_.consume(self->buf_.size());
                     self->do_read();
                   });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
};

// ---------------------------------------------------------------------------
// Archive relay: two streams. The upstream (archive service) one is capped;
// the downstream client stream, which is the one we actually read, is not.
class ArchiveRelay : public std::enable_shared_from_this<ArchiveRelay> {
public:
  ArchiveRelay(tcp::socket&& client, net::io_context& ioc)
      : downstream_(std::move(client)), upstream_(ioc) {
    upstream_.read_message_max(limits::kArchiveFrame);
  }

  void pump() {
    downstream_.async_read(in_, // expect: errorshield-ws-message-limit
                           [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                             if (ec) return;
                             self->upstream_.binary(true);
                             self->upstream_.async_write(
                                 self->in_.data(),
                                 [self](beast::error_code, std::size_t) {
                                   self->in_.clear();
                                   self->pump();
                                 });
                             (void)n;
                           });
  }

  void drain_acks() {
    upstream_.async_read(acks_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) {
        self->acks_.clear();
        self->drain_acks();
      }
    });
  }

private:
  websocket::stream<beast::tcp_stream> downstream_;
  websocket::stream<beast::tcp_stream> upstream_;
  beast::flat_buffer in_;
  beast::multi_buffer acks_;
};

// ---------------------------------------------------------------------------
// Attachment upload: "attachments can be big", so the cap was switched off.
// In Beast a value of zero means *no* limit.
void serve_upload(tcp::socket sock) {
  websocket::stream<tcp::socket> ws{std::move(sock)};
  ws.read_message_max(0); // expect: errorshield-ws-message-limit
  beast::error_code ec;
  ws.accept(ec);
  beast::flat_buffer buf;
  ws.read(buf, ec);
}

// Avatar upload: bounded at 512 KiB.
void serve_avatar(tcp::socket sock) {
  websocket::stream<tcp::socket> ws{std::move(sock)};
  ws.read_message_max(512 * 1024);
  beast::error_code ec;
  ws.accept(ec);
  beast::flat_buffer buf;
  ws.read(buf, ec);
}

// Export import: limit set to "infinity".
void serve_import(tcp::socket sock) {
  websocket::stream<tcp::socket> ws{std::move(sock)};
  ws.read_message_max(std::numeric_limits<std::size_t>::max()); // expect: errorshield-ws-message-limit
  beast::error_code ec;
  ws.accept(ec);
  beast::flat_buffer buf;
  while (!ec) ws.read(buf, ec);
}

// Announcer: server-push only. It never reads application messages, it only
// writes, so there is nothing for a read limit to protect.
class Announcer : public std::enable_shared_from_this<Announcer> {
public:
  explicit Announcer(tcp::socket&& s) : ws_(std::move(s)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->flush();
    });
  }

  void announce(std::string text) {
    queue_.push_back(std::move(text));
    if (queue_.size() == 1) flush();
  }

private:
  void flush() {
    if (queue_.empty()) return;
    ws_.text(true);
    ws_.async_write(net::buffer(queue_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec) return;
                      self->queue_.pop_front();
                      self->flush();
                    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::deque<std::string> queue_;
};

// Typing indicator endpoint: tiny frames; cap expressed via a local constant.
void serve_typing(tcp::socket sock) {
  constexpr std::size_t kTypingMax = 256;
  websocket::stream<tcp::socket> ws{std::move(sock)};
  ws.read_message_max(kTypingMax);
  beast::error_code ec;
  ws.accept(ec);
  beast::flat_buffer buf;
  for (;;) {
    ws.read(buf, ec);
    if (ec) break;
    buf.consume(buf.size());
  }
}

int main() {
  net::io_context ioc;
  tcp::acceptor acc{ioc, {tcp::v4(), 8088}};
  std::make_shared<RoomSession>(acc.accept())->start();
  std::make_shared<DirectSession>(acc.accept())->start();
  auto relay = std::make_shared<ArchiveRelay>(acc.accept(), ioc);
  relay->pump();
  relay->drain_acks();
  std::make_shared<Announcer>(acc.accept())->announce("maintenance at 02:00 UTC");
  serve_upload(acc.accept());
  serve_avatar(acc.accept());
  serve_import(acc.accept());
  serve_typing(acc.accept());
  ioc.run();
}
