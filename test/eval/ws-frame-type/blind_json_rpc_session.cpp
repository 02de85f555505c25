// checks: errorshield-ws-frame-type
// JSON-RPC / quote / event websocket sessions of a trading front-end, with a small HTTP API beside them.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <nlohmann/json.hpp>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

static void fail(beast::error_code ec, const char* what) {
  std::fprintf(stderr, "fe %s: %s\n", what, ec.message().c_str());
}

std::vector<std::uint8_t> decode_protobuf_event(const void* data, std::size_t size);

// JSON-RPC: rejects binary frames before parsing.
class RpcSession : public std::enable_shared_from_this<RpcSession> {
 public:
  explicit RpcSession(tcp::socket&& s) : ws_(std::move(s)) {}

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&RpcSession::on_read, shared_from_this()));
  }

 private:
  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "rpc read");
    if (!ws_.got_text()) {
      ws_.async_close(websocket::close_code::unknown_data, [self = shared_from_this()](beast::error_code) {});
      return;
    }
    json call = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
    buffer_.consume(buffer_.size());
    if (call.is_discarded()) return do_read();
    reply_ = json{{"jsonrpc", "2.0"}, {"id", call.value("id", 0)}, {"result", nullptr}}.dump();
    ws_.text(true);
    ws_.async_write(net::buffer(reply_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) self->do_read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::string reply_;
};

// Quotes: assumes every frame is JSON text.
class QuoteSession : public std::enable_shared_from_this<QuoteSession> {
 public:
  explicit QuoteSession(tcp::socket&& s) : ws_(std::move(s)) {}

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&QuoteSession::on_read, shared_from_this()));
  }

 private:
  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "quote read");
    auto req = json::parse(beast::buffers_to_string(buffer_.data())); // expect: errorshield-ws-frame-type
    buffer_.consume(buffer_.size());
    symbols_.push_back(req.at("symbol").get<std::string>());
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::vector<std::string> symbols_;
};

// Events: binary frames carry protobuf, text frames carry JSON; the frame type is checked in on_read
// and the JSON is parsed in a separate member function.
class EventsSession : public std::enable_shared_from_this<EventsSession> {
 public:
  explicit EventsSession(tcp::socket&& s) : ws_(std::move(s)) {}

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&EventsSession::on_read, shared_from_this()));
  }

 private:
  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "events read");
    if (ws_.got_binary()) {
      auto ev = decode_protobuf_event(buffer_.data().data(), buffer_.size());
      binary_events_.push_back(std::move(ev));
    } else {
      handle_text();
    }
    buffer_.consume(buffer_.size());
    do_read();
  }

  void handle_text() {
    auto ev = json::parse(beast::buffers_to_string(buffer_.data()));
    last_type_ = ev.value("type", "");
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::vector<std::vector<std::uint8_t>> binary_events_;
  std::string last_type_;
};

// Orders: Boost.JSON instead of nlohmann, and still no frame-type check.
class OrderSession : public std::enable_shared_from_this<OrderSession> {
 public:
  explicit OrderSession(tcp::socket&& s) : ws_(std::move(s)) {}

  void do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return fail(ec, "order read");
      boost::json::value order = boost::json::parse(beast::buffers_to_string(self->buffer_.data())); // expect: errorshield-ws-frame-type
      self->buffer_.consume(self->buffer_.size());
      self->pending_.push_back(boost::json::serialize(order));
      self->do_read();
    });
  }

 private:
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::deque<std::string> pending_;
};

// Snapshot push: the snapshot is a packed binary blob, but the stream is left in text mode.
class SnapshotSession : public std::enable_shared_from_this<SnapshotSession> {
 public:
  explicit SnapshotSession(tcp::socket&& s) : ws_(std::move(s)) {}

  void send_snapshot(std::vector<std::uint8_t> packed) {
    snapshot_ = std::move(packed);
    ws_.text(true);
    ws_.async_write(net::buffer(snapshot_), [self = shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-ws-frame-type
      if (ec) fail(ec, "snapshot write");
    });
  }

  void send_heartbeat() {
    heartbeat_ = R"({"type":"heartbeat"})";
    ws_.text(true);
    ws_.async_write(net::buffer(heartbeat_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) fail(ec, "heartbeat write");
    });
  }

  void send_delta(std::vector<std::uint8_t> packed) {
    delta_ = std::move(packed);
    ws_.binary(true);
    ws_.async_write(net::buffer(delta_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) fail(ec, "delta write");
    });
  }

 private:
  websocket::stream<beast::tcp_stream> ws_;
  std::vector<std::uint8_t> snapshot_;
  std::vector<std::uint8_t> delta_;
  std::string heartbeat_;
};

// Telemetry: copies the frame into a std::string by hand before parsing; no frame-type check.
class TelemetrySession : public std::enable_shared_from_this<TelemetrySession> {
 public:
  explicit TelemetrySession(tcp::socket&& s) : ws_(std::move(s)) {}

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&TelemetrySession::on_read, shared_from_this()));
  }

 private:
  void on_read(beast::error_code ec, std::size_t bytes) {
    if (ec) return fail(ec, "telemetry read");
    std::string payload(static_cast<const char*>(buffer_.data().data()), bytes);
    buffer_.consume(bytes);
    auto sample = json::parse(payload); // expect: errorshield-ws-frame-type
    cpu_.push_back(sample.value("cpu", 0.0));
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::vector<double> cpu_;
};

// Replay: forwards recorded frames (raw bytes) but forces text mode.
class ReplaySession : public std::enable_shared_from_this<ReplaySession> {
 public:
  explicit ReplaySession(tcp::socket&& s) : ws_(std::move(s)) {}

  void forward(std::span<const std::byte> frame) {
    ws_.binary(false);
    ws_.async_write(net::buffer(frame.data(), frame.size()), [self = shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-ws-frame-type
      if (ec) fail(ec, "replay write");
    });
  }

  void forward_binary(std::span<const std::byte> frame) {
    ws_.binary(true);
    ws_.async_write(net::buffer(frame.data(), frame.size()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) fail(ec, "replay write");
    });
  }

 private:
  websocket::stream<beast::tcp_stream> ws_;
};

// Echo: mirrors whatever frame type arrived.
class EchoSession : public std::enable_shared_from_this<EchoSession> {
 public:
  explicit EchoSession(tcp::socket&& s) : ws_(std::move(s)) {}

  void do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return fail(ec, "echo read");
      self->ws_.text(self->ws_.got_text());
      self->ws_.async_write(self->buffer_.data(), [self](beast::error_code ec2, std::size_t) {
        if (ec2) return fail(ec2, "echo write");
        self->buffer_.consume(self->buffer_.size());
        self->do_read();
      });
    });
  }

 private:
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

// REST API next to the websockets: the JSON comes from an HTTP body, not a websocket frame.
class ApiSession : public std::enable_shared_from_this<ApiSession> {
 public:
  explicit ApiSession(tcp::socket&& s) : stream_(std::move(s)) {}

  void do_read() {
    http::async_read(stream_, buffer_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return fail(ec, "api read");
      auto body = json::parse(self->req_.body(), nullptr, false);
      self->ok_ = !body.is_discarded();
    });
  }

 private:
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  bool ok_ = false;
};

// Router helper; stream and buffer come in by reference.
json read_command(websocket::stream<beast::tcp_stream>& ws, beast::flat_buffer& buffer) {
  ws.read(buffer);
  json cmd = json::parse(beast::buffers_to_string(buffer.data()));
  buffer.consume(buffer.size());
  return cmd;
}
