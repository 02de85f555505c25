// checks: errorshield-ws-message-limit
// Collaborative editor backend: WebSocket sessions with different payload policies.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cstddef>
#include <cstdint>
#include <iostream>
#include <limits>
#include <memory>
#include <string>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace editor {

constexpr std::size_t kMaxOpMessage = 256 * 1024;      // one edit op batch
constexpr std::size_t kMaxSnapshot = 8 * 1024 * 1024;  // full document snapshot
constexpr std::size_t kUnlimited = 0;                  // "no limit"

struct Limits {
  std::size_t max_ws_message = 1 << 20;
  std::size_t max_http_body = 1 << 16;
};

void fail(beast::error_code ec, char const* what) {
  std::cerr << what << ": " << ec.message() << "\n";
}

template <class Stream>
void harden(websocket::stream<Stream>& ws, Limits const& lim) {
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(lim.max_ws_message);
  ws.auto_fragment(true);
}

// ---------------------------------------------------------------------------

class ops_session : public std::enable_shared_from_this<ops_session> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;

public:
  explicit ops_session(tcp::socket&& s) : ws_(std::move(s)) {
    ws_.read_message_max(kMaxOpMessage);
  }

  void run() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->do_read();
    });
  }

  void do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec == websocket::error::message_too_big)
        return fail(ec, "op too big");
      if (ec)
        return fail(ec, "read");
      self->buffer_.consume(self->buffer_.size());
      self->do_read();
    });
  }
};

// Presence pings: tiny JSON messages, but nobody set a cap.
class presence_session : public std::enable_shared_from_this<presence_session> {
  websocket::stream<beast::tcp_stream> ws_; // expect: errorshield-ws-message-limit
  beast::flat_buffer buffer_;

public:
  explicit presence_session(tcp::socket&& s) : ws_(std::move(s)) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->do_read();
    });
  }

  void do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) {
        self->buffer_.consume(self->buffer_.size());
        self->do_read();
      }
    });
  }
};

// Snapshot upload: someone "fixed" the too-big errors by removing the limit.
class snapshot_session : public std::enable_shared_from_this<snapshot_session> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;

public:
  explicit snapshot_session(tcp::socket&& s) : ws_(std::move(s)) {}

  void run() {
    ws_.read_message_max(kUnlimited); // expect: errorshield-ws-message-limit
    ws_.async_accept([self = shared_from_this()](beast::error_code) {});
  }
};

class snapshot_session_v2 : public std::enable_shared_from_this<snapshot_session_v2> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;

public:
  explicit snapshot_session_v2(tcp::socket&& s) : ws_(std::move(s)) {}

  void run() {
    ws_.read_message_max(kMaxSnapshot);
    ws_.async_accept([self = shared_from_this()](beast::error_code) {});
  }
};

class export_session : public std::enable_shared_from_this<export_session> {
  websocket::stream<beast::tcp_stream> ws_;

public:
  explicit export_session(tcp::socket&& s) : ws_(std::move(s)) {}

  void run() {
    ws_.read_message_max(std::numeric_limits<std::size_t>::max()); // expect: errorshield-ws-message-limit
    ws_.async_accept([self = shared_from_this()](beast::error_code) {});
  }
};

class import_session : public std::enable_shared_from_this<import_session> {
  websocket::stream<beast::tcp_stream> ws_;

public:
  explicit import_session(tcp::socket&& s) : ws_(std::move(s)) {}

  void run() {
    ws_.read_message_max(4ull * 1024 * 1024 * 1024); // expect: errorshield-ws-message-limit
    ws_.async_accept([self = shared_from_this()](beast::error_code) {});
  }
};

class comments_session : public std::enable_shared_from_this<comments_session> {
  websocket::stream<beast::tcp_stream> ws_;
  Limits limits_;

public:
  comments_session(tcp::socket&& s, Limits lim) : ws_(std::move(s)), limits_(lim) {}

  void run() {
    harden(ws_, limits_);
    ws_.async_accept([self = shared_from_this()](beast::error_code) {});
  }
};

// HTTP-side limits are set carefully, but the WebSocket stream is not.
void sync_upgrade(tcp::socket socket, Limits const& lim) {
  beast::flat_buffer buffer;
  http::request_parser<http::string_body> parser;
  parser.body_limit(lim.max_http_body);
  parser.header_limit(8 * 1024);
  http::read(socket, buffer, parser);
  websocket::stream<tcp::socket> ws{std::move(socket)}; // expect: errorshield-ws-message-limit
  ws.accept(parser.release());
  beast::flat_buffer msg;
  ws.read(msg);
}

void sync_upgrade_limited(tcp::socket socket, Limits const& lim) {
  beast::flat_buffer buffer;
  http::request_parser<http::string_body> parser;
  parser.body_limit(lim.max_http_body);
  http::read(socket, buffer, parser);
  websocket::stream<tcp::socket> ws{std::move(socket)};
  ws.read_message_max(lim.max_ws_message);
  ws.accept(parser.release());
  beast::flat_buffer msg;
  ws.read(msg);
}

// Reads into a fixed-size static buffer, which caps the message size on its own.
void sync_fixed_buffer(tcp::socket socket) {
  websocket::stream<tcp::socket> ws{std::move(socket)};
  ws.accept();
  beast::static_buffer<4096> msg;
  ws.read(msg);
}

} // namespace editor

int main() {
  net::io_context ioc;
  tcp::acceptor acc{ioc, {tcp::v4(), 6000}};
  editor::Limits lim;
  for (;;) {
    tcp::socket s = acc.accept();
    std::make_shared<editor::comments_session>(std::move(s), lim)->run();
  }
}
