// checks: errorshield-unchecked-read
// Push-notification service: devices keep a websocket open, backend
// services POST notifications over HTTP.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>
#include <memory>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace push {

void fail(beast::error_code ec, const char *what);
void route_ack(const std::string &device, const json &ack);

// Device connection: reads acks from the phone.
class DeviceSession : public std::enable_shared_from_this<DeviceSession> {
public:
  explicit DeviceSession(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    ws_.async_accept(beast::bind_front_handler(&DeviceSession::on_accept, shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "accept");
    do_read();
  }

  // BUG: on_read never looks at ec; when the phone drops, the read
  // completes with an error immediately and we loop forever.
  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&DeviceSession::on_read, shared_from_this())); // expect: errorshield-unchecked-read
  }

  void on_read(beast::error_code ec, std::size_t) {
    auto ack = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
    buffer_.consume(buffer_.size());
    if (!ack.is_discarded()) route_ack(device_id_, ack);
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::string device_id_;
};

// Same thing for the web client, written correctly.
class WebSession : public std::enable_shared_from_this<WebSession> {
public:
  explicit WebSession(tcp::socket s) : ws_(std::move(s)) {}

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&WebSession::on_read, shared_from_this()));
  }

private:
  void on_read(beast::error_code ec, std::size_t bytes) {
    boost::ignore_unused(bytes);
    if (ec == websocket::error::closed) return;
    if (ec) return fail(ec, "ws read");
    auto ack = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
    buffer_.consume(buffer_.size());
    if (!ack.is_discarded()) route_ack(client_id_, ack);
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::string client_id_;
};

// Backend HTTP ingestion: one synchronous loop per backend connection.
http::response<http::string_body> handle(const http::request<http::string_body> &req);

// BUG: ec from http::read ignored; on end_of_stream we answer a
// default-constructed request forever.
void serve_backend(beast::tcp_stream &stream) {
  beast::flat_buffer buffer;
  beast::error_code ec;
  for (;;) {
    http::request<http::string_body> req;
    http::read(stream, buffer, req, ec); // expect: errorshield-unchecked-read
    auto res = handle(req);
    http::write(stream, res, ec);
    if (ec) break;
  }
}

// OK: end_of_stream closes cleanly, other errors are reported.
void serve_backend_checked(beast::tcp_stream &stream) {
  beast::flat_buffer buffer;
  beast::error_code ec;
  for (;;) {
    http::request<http::string_body> req;
    http::read(stream, buffer, req, ec);
    if (ec == http::error::end_of_stream) break;
    if (ec.failed()) return fail(ec, "http read");
    auto res = handle(req);
    http::write(stream, res, ec);
    if (ec) return fail(ec, "http write");
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

// OK: throwing overloads inside try.
void serve_internal(beast::tcp_stream &stream) {
  try {
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> req;
      http::read(stream, buffer, req);
      http::write(stream, handle(req));
    }
  } catch (const beast::system_error &se) {
    if (se.code() != http::error::end_of_stream) fail(se.code(), "internal");
  }
}

// Async backend connection.
class BackendConn : public std::enable_shared_from_this<BackendConn> {
public:
  explicit BackendConn(tcp::socket s) : stream_(std::move(s)) {}

  // BUG: generic lambda swallows the error code.
  void do_read() {
    req_ = {};
    http::async_read(stream_, buffer_, req_, [self = shared_from_this()](auto ec, auto) { // expect: errorshield-unchecked-read
      self->res_ = handle(self->req_);
      http::async_write(self->stream_, self->res_, [self](beast::error_code wec, std::size_t) {
        if (!wec) self->do_read();
      });
    });
  }

  // OK: the checked sibling used by the metrics port.
  void do_read_checked() {
    req_ = {};
    http::async_read(stream_, buffer_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        if (ec != http::error::end_of_stream) fail(ec, "metrics read");
        return;
      }
      self->res_ = handle(self->req_);
      http::async_write(self->stream_, self->res_, [self](beast::error_code wec, std::size_t) {
        if (!wec) self->do_read_checked();
      });
    });
  }

private:
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

// BUG: synchronous websocket read for the legacy long-poll bridge.
void legacy_bridge(websocket::stream<tcp::socket> &ws) {
  beast::flat_buffer b;
  beast::error_code ec;
  for (;;) {
    ws.read(b, ec); // expect: errorshield-unchecked-read
    route_ack("legacy", json::parse(beast::buffers_to_string(b.data()), nullptr, false));
    b.clear();
  }
}

} // namespace push
