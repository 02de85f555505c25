// checks: errorshield-ws-message-limit
// Chat relay: room / lobby / status sessions, a push-only publisher, and an upstream mirror client.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdio>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct RelayLimits {
  std::size_t max_frame_bytes = 256 * 1024;
  std::size_t max_backlog = 512;
};

static void fail(beast::error_code ec, const char* what) {
  std::fprintf(stderr, "relay %s: %s\n", what, ec.message().c_str());
}

// Room session: limit set when the session starts, reads happen later in do_read().
class RoomSession : public std::enable_shared_from_this<RoomSession> {
 public:
  explicit RoomSession(tcp::socket&& s) : ws_(std::move(s)) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(64 * 1024);
    ws_.async_accept(beast::bind_front_handler(&RoomSession::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "room accept");
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&RoomSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == websocket::error::closed) return;
    if (ec) return fail(ec, "room read");
    history_.push_back(beast::buffers_to_string(buffer_.data()));
    buffer_.consume(buffer_.size());
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::deque<std::string> history_;
};

// Lobby session: never limits message size.
class LobbySession : public std::enable_shared_from_this<LobbySession> {
 public:
  explicit LobbySession(tcp::socket&& s) : ws_(std::move(s)) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(beast::bind_front_handler(&LobbySession::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "lobby accept");
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&LobbySession::on_read, shared_from_this())); // expect: errorshield-ws-message-limit
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "lobby read");
    buffer_.consume(buffer_.size());
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

// Status session: an auth frame is read first, then the regular loop; no limit anywhere.
class StatusSession : public std::enable_shared_from_this<StatusSession> {
 public:
  explicit StatusSession(tcp::socket&& s) : ws_(std::move(s)) {}

  void start(http::request<http::string_body> req) {
    ws_.async_accept(req, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return fail(ec, "status accept");
      self->ws_.async_read(self->buffer_, beast::bind_front_handler(&StatusSession::on_auth, self)); // expect: errorshield-ws-message-limit
    });
  }

 private:
  void on_auth(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "status auth");
    token_ = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    loop();
  }

  void loop() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return fail(ec, "status read");
      self->buffer_.consume(self->buffer_.size());
      self->loop();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::string token_;
};

// Publisher: push-only, so somebody "disabled" the limit. Nothing is read in this class.
class FeedPublisher : public std::enable_shared_from_this<FeedPublisher> {
 public:
  explicit FeedPublisher(tcp::socket&& s) : ws_(std::move(s)) {}

  void run() {
    ws_.read_message_max(0); // expect: errorshield-ws-message-limit
    ws_.async_accept(beast::bind_front_handler(&FeedPublisher::on_accept, shared_from_this()));
  }

  void publish(std::string msg) {
    queue_.push_back(std::move(msg));
    if (queue_.size() == 1) do_write();
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) fail(ec, "publisher accept");
  }

  void do_write() {
    ws_.async_write(net::buffer(queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return fail(ec, "publisher write");
      self->queue_.pop_front();
      if (!self->queue_.empty()) self->do_write();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::deque<std::string> queue_;
};

// Mirror client: limit comes from configuration (not a constant).
class MirrorClient : public std::enable_shared_from_this<MirrorClient> {
 public:
  MirrorClient(net::io_context& ioc, RelayLimits limits) : ws_(net::make_strand(ioc)), limits_(limits) {}

  void on_connect(beast::error_code ec, tcp::endpoint) {
    if (ec) return fail(ec, "mirror connect");
    ws_.read_message_max(limits_.max_frame_bytes);
    ws_.async_handshake("upstream.chat.internal", "/mirror", beast::bind_front_handler(&MirrorClient::on_handshake, shared_from_this()));
  }

 private:
  void on_handshake(beast::error_code ec) {
    if (ec) return fail(ec, "mirror handshake");
    ws_.async_read(buffer_, beast::bind_front_handler(&MirrorClient::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "mirror read");
    buffer_.consume(buffer_.size());
    on_handshake({});
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  RelayLimits limits_;
};

// Presence client: a 1 MiB cap applied in setup(), reads issued from read_next().
class PresenceClient : public std::enable_shared_from_this<PresenceClient> {
 public:
  explicit PresenceClient(net::io_context& ioc) : ws_(net::make_strand(ioc)) {}

  void setup() {
    ws_.read_message_max(std::size_t{1} << 20);
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  }

  void read_next() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec) return fail(ec, "presence read");
      self->buffer_.consume(n);
      self->read_next();
    });
  }

 private:
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

// Plain HTTP session in the same server: http::async_read is not a websocket read.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  explicit HttpSession(tcp::socket&& s) : stream_(std::move(s)) {}

  void do_read() {
    req_ = {};
    http::async_read(stream_, buffer_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return fail(ec, "http read");
      if (websocket::is_upgrade(self->req_)) {
        std::make_shared<StatusSession>(self->stream_.release_socket())->start(std::move(self->req_));
      }
    });
  }

 private:
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
};

// Shared read helper; the stream is a reference parameter.
template <class Handler>
void read_frame(websocket::stream<beast::tcp_stream>& ws, beast::flat_buffer& buffer, Handler&& handler) {
  ws.async_read(buffer, std::forward<Handler>(handler));
}
