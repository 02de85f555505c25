// checks: errorshield-ws-frame-type
// GraphQL subscription server (TLS, coroutines) and the device-shadow service that shares its process:
// templated push sessions, upstream clients held through unique_ptr / optional.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json.hpp>
#include <nlohmann/json.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using namespace std::placeholders;

static void log_fail(beast::error_code ec, const char* what) {
  std::fprintf(stderr, "gql %s: %s\n", what, ec.message().c_str());
}

void decode_cbor_shadow(const void* data, std::size_t size);

static std::string to_hex(const std::vector<std::uint8_t>& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::uint8_t b : bytes) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 0x0f]);
  }
  return out;
}

// Subscription session over TLS: every frame is assumed to be a graphql-transport-ws JSON message.
class SubscriptionSession : public std::enable_shared_from_this<SubscriptionSession> {
 public:
  SubscriptionSession(tcp::socket&& socket, ssl::context& ctx) : ws_(std::move(socket), ctx) {}

  void start() {
    ws_.next_layer().async_handshake(ssl::stream_base::server, std::bind(&SubscriptionSession::on_tls, shared_from_this(), _1));
  }

 private:
  void on_tls(beast::error_code ec) {
    if (ec) return log_fail(ec, "sub tls");
    ws_.async_accept(std::bind(&SubscriptionSession::on_accept, shared_from_this(), _1));
  }

  void on_accept(beast::error_code ec) {
    if (ec) return log_fail(ec, "sub accept");
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, std::bind(&SubscriptionSession::on_read, shared_from_this(), _1, _2));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return log_fail(ec, "sub read");
    auto msg = nlohmann::json::parse(beast::buffers_to_string(buffer_.data())); // expect: errorshield-ws-frame-type
    buffer_.consume(buffer_.size());
    if (msg.value("type", "") == "subscribe") active_.push_back(msg.value("id", ""));
    do_read();
  }

  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws_;
  beast::flat_buffer buffer_;
  std::vector<std::string> active_;
};

// Same protocol, done right: binary frames are refused with 1003 before anything is parsed.
class StrictSubscriptionSession : public std::enable_shared_from_this<StrictSubscriptionSession> {
 public:
  StrictSubscriptionSession(tcp::socket&& socket, ssl::context& ctx) : ws_(std::move(socket), ctx) {}

  void start() {
    ws_.next_layer().async_handshake(ssl::stream_base::server, std::bind(&StrictSubscriptionSession::on_tls, shared_from_this(), _1));
  }

 private:
  void on_tls(beast::error_code ec) {
    if (ec) return log_fail(ec, "strict tls");
    ws_.async_accept(std::bind(&StrictSubscriptionSession::on_accept, shared_from_this(), _1));
  }

  void on_accept(beast::error_code ec) {
    if (!ec) do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, std::bind(&StrictSubscriptionSession::on_read, shared_from_this(), _1, _2));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return log_fail(ec, "strict read");
    if (!ws_.got_text()) {
      ws_.async_close(websocket::close_code::unknown_data, std::bind(&StrictSubscriptionSession::on_close, shared_from_this(), _1));
      return;
    }
    auto msg = nlohmann::json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
    buffer_.consume(buffer_.size());
    if (!msg.is_discarded() && msg.value("type", "") == "ping") pong_due_ = true;
    do_read();
  }

  void on_close(beast::error_code ec) {
    if (ec) log_fail(ec, "strict close");
  }

  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws_;
  beast::flat_buffer buffer_;
  bool pong_due_ = false;
};

// Coroutine subscription endpoint using Boost.JSON; the connection_init payload handed in by the HTTP
// layer is parsed too, but only the websocket frames are unchecked.
net::awaitable<void> graphql_ws_session(tcp::socket socket, std::string init_payload) {
  websocket::stream<beast::tcp_stream> ws{std::move(socket)};
  co_await ws.async_accept(net::use_awaitable);
  boost::json::value init = boost::json::parse(init_payload);
  beast::multi_buffer buffer;
  for (;;) {
    co_await ws.async_read(buffer, net::use_awaitable);
    boost::json::value msg = boost::json::parse(beast::buffers_to_string(buffer.data())); // expect: errorshield-ws-frame-type
    buffer.consume(buffer.size());
    if (msg.as_object().contains("id") && init.is_object()) continue;
  }
}

// Shadow endpoint: binary frames carry CBOR, text frames carry JSON.
net::awaitable<void> shadow_session(tcp::socket socket) {
  websocket::stream<beast::tcp_stream> ws{std::move(socket)};
  co_await ws.async_accept(net::use_awaitable);
  beast::multi_buffer buffer;
  for (;;) {
    co_await ws.async_read(buffer, net::use_awaitable);
    if (ws.got_binary()) {
      auto flat = beast::buffers_to_string(buffer.data());
      decode_cbor_shadow(flat.data(), flat.size());
    } else {
      boost::json::value doc = boost::json::parse(beast::buffers_to_string(buffer.data()));
      if (!doc.is_object()) co_return;
    }
    buffer.consume(buffer.size());
  }
}

// Firmware push coroutine: the chunk is raw bytes, but binary mode is switched off before sending.
net::awaitable<void> push_firmware_chunk(tcp::socket socket, std::span<const std::byte> chunk) {
  websocket::stream<beast::tcp_stream> ws{std::move(socket)};
  co_await ws.async_accept(net::use_awaitable);
  ws.binary(false);
  co_await ws.async_write(net::buffer(chunk.data(), chunk.size()), net::use_awaitable); // expect: errorshield-ws-frame-type
}

// Diagnostics push coroutine: the bytes are hex-encoded into a string first, so text mode is right.
net::awaitable<void> push_diagnostics(tcp::socket socket, std::vector<std::uint8_t> dump) {
  websocket::stream<beast::tcp_stream> ws{std::move(socket)};
  co_await ws.async_accept(net::use_awaitable);
  std::string hex = to_hex(dump);
  ws.text(true);
  co_await ws.async_write(net::buffer(hex), net::use_awaitable);
  ws.binary(true);
  co_await ws.async_write(net::buffer(dump), net::use_awaitable);
}

// Shadow delta pusher, generic over the transport: packed deltas are sent as text frames.
template <class NextLayer>
class DeltaPusher : public std::enable_shared_from_this<DeltaPusher<NextLayer>> {
 public:
  explicit DeltaPusher(NextLayer&& layer) : ws_(std::move(layer)) {}

  void push_delta(std::vector<std::uint8_t> packed) {
    frame_ = std::move(packed);
    ws_.text(true);
    ws_.async_write(net::buffer(frame_), [self = this->shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-ws-frame-type
      if (ec) log_fail(ec, "delta write");
    });
  }

 private:
  websocket::stream<NextLayer> ws_;
  std::vector<std::uint8_t> frame_;
};

// Full-state pusher, generic too: binary for the packed state, text for the JSON summary.
template <class NextLayer>
class StatePusher : public std::enable_shared_from_this<StatePusher<NextLayer>> {
 public:
  explicit StatePusher(NextLayer&& layer) : ws_(std::move(layer)) {}

  void push_state(std::vector<std::uint8_t> packed) {
    state_ = std::move(packed);
    ws_.binary(true);
    ws_.async_write(net::buffer(state_), [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) log_fail(ec, "state write");
    });
  }

  void push_summary(std::size_t version) {
    summary_ = nlohmann::json{{"version", version}, {"size", state_.size()}}.dump();
    ws_.text(true);
    ws_.async_write(net::buffer(summary_), [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) log_fail(ec, "summary write");
    });
  }

 private:
  websocket::stream<NextLayer> ws_;
  std::vector<std::uint8_t> state_;
  std::string summary_;
};

template class DeltaPusher<beast::tcp_stream>;
template class StatePusher<beast::tcp_stream>;

// Upstream schema registry client held behind a unique_ptr: parses every frame, no frame-type check.
class SchemaRegistryClient {
 public:
  void on_connected(tcp::socket socket, const std::string& host) {
    ws_ = std::make_unique<websocket::stream<beast::tcp_stream>>(std::move(socket));
    ws_->async_handshake(host, "/schemas", [this](beast::error_code ec) {
      if (!ec) read_next();
    });
  }

 private:
  void read_next() {
    ws_->async_read(buffer_, [this](beast::error_code ec, std::size_t) {
      if (ec) return log_fail(ec, "registry read");
      auto update = nlohmann::json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false); // expect: errorshield-ws-frame-type
      buffer_.consume(buffer_.size());
      if (!update.is_discarded()) version_ = update.value("version", version_);
      read_next();
    });
  }

  std::unique_ptr<websocket::stream<beast::tcp_stream>> ws_;
  beast::flat_buffer buffer_;
  int version_ = 0;
};

// Upstream event bus client held behind a unique_ptr: the lambda checks the frame type first.
class EventBusClient {
 public:
  void on_connected(tcp::socket socket, const std::string& host) {
    ws_ = std::make_unique<websocket::stream<beast::tcp_stream>>(std::move(socket));
    ws_->async_handshake(host, "/events", [this](beast::error_code ec) {
      if (!ec) read_next();
    });
  }

 private:
  void read_next() {
    ws_->async_read(buffer_, [this](beast::error_code ec, std::size_t) {
      if (ec) return log_fail(ec, "bus read");
      if (ws_->got_text()) {
        auto ev = nlohmann::json::parse(beast::buffers_to_string(buffer_.data()));
        last_event_ = ev.value("event", "");
      }
      buffer_.consume(buffer_.size());
      read_next();
    });
  }

  std::unique_ptr<websocket::stream<beast::tcp_stream>> ws_;
  beast::flat_buffer buffer_;
  std::string last_event_;
};

// Sync introspection poller held in an optional: copies the frame into a std::string by iterators.
class IntrospectionPoller {
 public:
  explicit IntrospectionPoller(net::io_context& ioc) : ioc_(ioc) {}

  bool poll(const std::string& host) {
    tcp::resolver resolver{ioc_};
    ws_.emplace(ioc_);
    net::connect(ws_->next_layer(), resolver.resolve(host, "80"));
    ws_->handshake(host, "/introspect");
    beast::error_code ec;
    ws_->read(buffer_, ec);
    if (ec) return false;
    std::string payload(net::buffers_begin(buffer_.data()), net::buffers_end(buffer_.data()));
    buffer_.consume(buffer_.size());
    boost::system::error_code jec;
    boost::json::value schema = boost::json::parse(payload, jec); // expect: errorshield-ws-frame-type
    return !jec && schema.is_object();
  }

 private:
  net::io_context& ioc_;
  std::optional<websocket::stream<tcp::socket>> ws_;
  beast::flat_buffer buffer_;
};

// Sync firmware uploader held in an optional: raw image bytes sent with binary mode switched off.
class FirmwareUploader {
 public:
  explicit FirmwareUploader(net::io_context& ioc) : ioc_(ioc) {}

  bool upload(const std::string& host, std::span<const std::byte> image) {
    tcp::resolver resolver{ioc_};
    ws_.emplace(ioc_);
    net::connect(ws_->next_layer(), resolver.resolve(host, "80"));
    ws_->handshake(host, "/firmware");
    beast::error_code ec;
    ws_->binary(false);
    ws_->write(net::buffer(image.data(), image.size()), ec); // expect: errorshield-ws-frame-type
    return !ec;
  }

 private:
  net::io_context& ioc_;
  std::optional<websocket::stream<tcp::socket>> ws_;
};

// Echo relay held in an optional: mirrors the incoming frame type, no parsing.
class EchoRelay {
 public:
  void serve(tcp::socket socket) {
    ws_.emplace(std::move(socket));
    ws_->accept();
    beast::error_code ec;
    while (!ec) {
      ws_->read(buffer_, ec);
      if (ec) break;
      ws_->text(ws_->got_text());
      ws_->write(buffer_.data(), ec);
      buffer_.consume(buffer_.size());
    }
  }

 private:
  std::optional<websocket::stream<tcp::socket>> ws_;
  beast::flat_buffer buffer_;
};

// Shared TLS helper: the stream arrives by reference, nothing is known about its frame checks.
nlohmann::json read_operation(websocket::stream<beast::ssl_stream<beast::tcp_stream>>& ws, beast::flat_buffer& buffer) {
  ws.read(buffer);
  auto op = nlohmann::json::parse(beast::buffers_to_string(buffer.data()));
  buffer.consume(buffer.size());
  return op;
}

int main() {
  net::io_context ioc;
  ssl::context ctx{ssl::context::tlsv12};
  std::make_shared<SubscriptionSession>(tcp::socket{ioc}, ctx)->start();
  std::make_shared<StrictSubscriptionSession>(tcp::socket{ioc}, ctx)->start();
  net::co_spawn(ioc, graphql_ws_session(tcp::socket{ioc}, "{}"), net::detached);
  net::co_spawn(ioc, shadow_session(tcp::socket{ioc}), net::detached);
  net::co_spawn(ioc, push_diagnostics(tcp::socket{ioc}, {0x01, 0x02}), net::detached);
  ioc.run();
}
