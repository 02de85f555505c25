// checks: errorshield-ws-message-limit
// Market-data / order-entry gateway: TLS sessions, templated replay sessions, coroutine endpoints,
// and venue connections held through unique_ptr / optional.
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
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using namespace std::placeholders;

constexpr std::size_t kMaxOrderBytes = 16 * 1024;
constexpr std::size_t kReplayMax = std::size_t{256} * 1024 * 1024;

struct GatewayConfig {
  std::size_t max_quote_bytes = 512 * 1024;
};

static void log_fail(beast::error_code ec, const char* what) {
  std::fprintf(stderr, "md %s: %s\n", what, ec.message().c_str());
}

// Shared readers: the stream is a reference parameter, so nothing is known about its limit.
template <class Stream>
std::size_t read_subscription(Stream& ws, beast::flat_buffer& buffer) {
  return ws.read(buffer);
}

net::awaitable<void> drain(websocket::stream<beast::ssl_stream<beast::tcp_stream>>& ws) {
  beast::multi_buffer buffer;
  for (;;) {
    co_await ws.async_read(buffer, net::use_awaitable);
    buffer.consume(buffer.size());
  }
}

// Order flow over TLS: reads client orders with no cap on message size.
class OrderFlowSession : public std::enable_shared_from_this<OrderFlowSession> {
 public:
  OrderFlowSession(tcp::socket&& socket, ssl::context& ctx) : ws_(std::move(socket), ctx) {}

  void start() {
    ws_.next_layer().async_handshake(ssl::stream_base::server, std::bind(&OrderFlowSession::on_tls, shared_from_this(), _1));
  }

 private:
  void on_tls(beast::error_code ec) {
    if (ec) return log_fail(ec, "orders tls");
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(std::bind(&OrderFlowSession::on_accept, shared_from_this(), _1));
  }

  void on_accept(beast::error_code ec) {
    if (ec) return log_fail(ec, "orders accept");
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, std::bind(&OrderFlowSession::on_read, shared_from_this(), _1, _2)); // expect: errorshield-ws-message-limit
  }

  void on_read(beast::error_code ec, std::size_t n) {
    if (ec) return log_fail(ec, "orders read");
    buffer_.consume(n);
    do_read();
  }

  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws_;
  beast::flat_buffer buffer_;
};

// Cancel-only session over TLS: the cap is applied in the constructor, reads happen later.
class CancelSession : public std::enable_shared_from_this<CancelSession> {
 public:
  CancelSession(tcp::socket&& socket, ssl::context& ctx) : ws_(std::move(socket), ctx) {
    ws_.read_message_max(kMaxOrderBytes);
  }

  void start() {
    ws_.next_layer().async_handshake(ssl::stream_base::server, std::bind(&CancelSession::on_tls, shared_from_this(), _1));
  }

 private:
  void on_tls(beast::error_code ec) {
    if (ec) return log_fail(ec, "cancel tls");
    ws_.async_accept(std::bind(&CancelSession::on_accept, shared_from_this(), _1));
  }

  void on_accept(beast::error_code ec) {
    if (ec) return log_fail(ec, "cancel accept");
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, std::bind(&CancelSession::on_read, shared_from_this(), _1, _2));
  }

  void on_read(beast::error_code ec, std::size_t n) {
    if (ec) return log_fail(ec, "cancel read");
    buffer_.consume(n);
    do_read();
  }

  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws_;
  beast::flat_buffer buffer_;
};

// Ticker broadcaster over TLS: parses the upgrade request with http::async_read on the TLS layer,
// then only ever writes to the websocket.
class TickerBroadcaster : public std::enable_shared_from_this<TickerBroadcaster> {
 public:
  TickerBroadcaster(tcp::socket&& socket, ssl::context& ctx) : ws_(std::move(socket), ctx) {}

  void start() {
    ws_.next_layer().async_handshake(ssl::stream_base::server, std::bind(&TickerBroadcaster::on_tls, shared_from_this(), _1));
  }

  void publish(std::string tick) {
    queue_.push_back(std::move(tick));
    if (queue_.size() == 1) do_write();
  }

 private:
  void on_tls(beast::error_code ec) {
    if (ec) return log_fail(ec, "ticker tls");
    http::async_read(ws_.next_layer(), http_buffer_, req_, std::bind(&TickerBroadcaster::on_request, shared_from_this(), _1, _2));
  }

  void on_request(beast::error_code ec, std::size_t) {
    if (ec) return log_fail(ec, "ticker request");
    ws_.async_accept(req_, std::bind(&TickerBroadcaster::on_accept, shared_from_this(), _1));
  }

  void on_accept(beast::error_code ec) {
    if (ec) log_fail(ec, "ticker accept");
  }

  void do_write() {
    ws_.async_write(net::buffer(queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return log_fail(ec, "ticker write");
      self->queue_.pop_front();
      if (!self->queue_.empty()) self->do_write();
    });
  }

  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws_;
  beast::flat_buffer http_buffer_;
  http::request<http::string_body> req_;
  std::deque<std::string> queue_;
};

// Replay session, generic over the transport: the cap was raised far past the ceiling for "big backfills".
template <class NextLayer>
class ReplaySession : public std::enable_shared_from_this<ReplaySession<NextLayer>> {
 public:
  explicit ReplaySession(NextLayer&& layer) : ws_(std::move(layer)) {}

  void start() {
    ws_.read_message_max(kReplayMax); // expect: errorshield-ws-message-limit
    ws_.accept();
    beast::flat_buffer buffer;
    read_subscription(ws_, buffer);
  }

 private:
  websocket::stream<NextLayer> ws_;
};

// Depth-of-book session, generic too: a cap exactly at 64 MiB.
template <class NextLayer>
class DepthSession : public std::enable_shared_from_this<DepthSession<NextLayer>> {
 public:
  explicit DepthSession(NextLayer&& layer) : ws_(std::move(layer)) {}

  void start() {
    ws_.read_message_max(64 * 1024 * 1024);
    ws_.async_accept([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_read();
    });
  }

 private:
  void do_read() {
    ws_.async_read(buffer_, [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec) return log_fail(ec, "depth read");
      self->buffer_.consume(n);
      self->do_read();
    });
  }

  websocket::stream<NextLayer> ws_;
  beast::flat_buffer buffer_;
};

template class ReplaySession<beast::tcp_stream>;
template class DepthSession<beast::tcp_stream>;

// Quote endpoint: coroutine reading into a multi_buffer, no cap.
net::awaitable<void> quote_session(tcp::socket socket) {
  websocket::stream<beast::tcp_stream> ws{std::move(socket)};
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(net::use_awaitable);
  beast::multi_buffer buffer;
  for (;;) {
    std::size_t n = co_await ws.async_read(buffer, net::use_awaitable); // expect: errorshield-ws-message-limit
    buffer.consume(n);
  }
}

// RFQ endpoint: coroutine, capped from configuration before the accept.
net::awaitable<void> rfq_session(tcp::socket socket, GatewayConfig cfg) {
  beast::tcp_stream stream{std::move(socket)};
  beast::flat_buffer http_buffer;
  http::request<http::string_body> req;
  co_await http::async_read(stream, http_buffer, req, net::use_awaitable);
  websocket::stream<beast::tcp_stream> ws{std::move(stream)};
  ws.read_message_max(cfg.max_quote_bytes);
  co_await ws.async_accept(req, net::use_awaitable);
  beast::multi_buffer buffer;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buffer, net::as_tuple(net::use_awaitable));
    if (ec) co_return;
    buffer.consume(n);
  }
}

// Snapshot client over TLS: "no limit, snapshots can be huge"; the reading is delegated to drain().
net::awaitable<void> snapshot_client(ssl::context& ctx, std::string host) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver{ex};
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws{ex, ctx};
  auto results = co_await resolver.async_resolve(host, "443", net::use_awaitable);
  co_await beast::get_lowest_layer(ws).async_connect(results, net::use_awaitable);
  co_await ws.next_layer().async_handshake(ssl::stream_base::client, net::use_awaitable);
  ws.read_message_max(0); // expect: errorshield-ws-message-limit
  co_await ws.async_handshake(host, "/snapshot", net::use_awaitable);
  co_await drain(ws);
}

// Venue feed handler: stream created on connect behind a unique_ptr, read loop in a lambda capturing this.
class VenueFeed {
 public:
  void on_connected(tcp::socket socket, const std::string& host) {
    ws_ = std::make_unique<websocket::stream<beast::tcp_stream>>(std::move(socket));
    ws_->async_handshake(host, "/feed", [this](beast::error_code ec) {
      if (!ec) read_loop();
    });
  }

 private:
  void read_loop() {
    ws_->async_read(buffer_, [this](beast::error_code ec, std::size_t n) { // expect: errorshield-ws-message-limit
      if (ec) return log_fail(ec, "venue read");
      buffer_.consume(n);
      read_loop();
    });
  }

  std::unique_ptr<websocket::stream<beast::tcp_stream>> ws_;
  beast::flat_buffer buffer_;
};

// Drop-copy feed handler: same shape, capped right after creating the stream.
class DropCopyFeed {
 public:
  void on_connected(tcp::socket socket, const std::string& host) {
    ws_ = std::make_unique<websocket::stream<beast::tcp_stream>>(std::move(socket));
    ws_->read_message_max(kMaxOrderBytes * 4);
    ws_->async_handshake(host, "/dropcopy", [this](beast::error_code ec) {
      if (!ec) read_loop();
    });
  }

 private:
  void read_loop() {
    ws_->async_read(buffer_, [this](beast::error_code ec, std::size_t n) {
      if (ec) return log_fail(ec, "dropcopy read");
      buffer_.consume(n);
      read_loop();
    });
  }

  std::unique_ptr<websocket::stream<beast::tcp_stream>> ws_;
  beast::flat_buffer buffer_;
};

// Sync reference-data poller held in an optional, no cap.
class RefDataPoller {
 public:
  explicit RefDataPoller(net::io_context& ioc) : ioc_(ioc) {}

  bool poll(const std::string& host) {
    tcp::resolver resolver{ioc_};
    ws_.emplace(ioc_);
    net::connect(ws_->next_layer(), resolver.resolve(host, "80"));
    ws_->handshake(host, "/refdata");
    beast::error_code ec;
    ws_->read(buffer_, ec); // expect: errorshield-ws-message-limit
    return !ec;
  }

 private:
  net::io_context& ioc_;
  std::optional<websocket::stream<tcp::socket>> ws_;
  beast::flat_buffer buffer_;
};

// Sync settlement poller held in an optional: cap in open(), reads in poll().
class SettlementPoller {
 public:
  explicit SettlementPoller(net::io_context& ioc) : ioc_(ioc) {}

  void open(const std::string& host) {
    tcp::resolver resolver{ioc_};
    ws_.emplace(ioc_);
    ws_->read_message_max(std::size_t{2} << 20);
    net::connect(ws_->next_layer(), resolver.resolve(host, "80"));
    ws_->handshake(host, "/settlement");
  }

  bool poll() {
    beast::error_code ec;
    ws_->read(buffer_, ec);
    buffer_.consume(buffer_.size());
    return !ec;
  }

 private:
  net::io_context& ioc_;
  std::optional<websocket::stream<tcp::socket>> ws_;
  beast::flat_buffer buffer_;
};

// Binary ITCH-style feed: pulls raw chunks into a fixed byte array, with no message cap.
std::size_t pull_itch_chunks(tcp::socket socket, std::vector<std::uint8_t>& out) {
  websocket::stream<tcp::socket> ws{std::move(socket)};
  ws.accept();
  std::array<std::uint8_t, 4096> chunk{};
  beast::error_code ec;
  std::size_t total = 0;
  while (!ec) {
    std::size_t n = ws.read_some(net::buffer(chunk), ec); // expect: errorshield-ws-message-limit
    out.insert(out.end(), chunk.begin(), chunk.begin() + n);
    total += n;
  }
  return total;
}

// Same feed with a cap: chunks are bounded and so is the whole message.
std::size_t pull_itch_chunks_capped(tcp::socket socket, std::vector<std::uint8_t>& out) {
  websocket::stream<tcp::socket> ws{std::move(socket)};
  ws.read_message_max(std::size_t{1} << 20);
  ws.accept();
  std::array<std::uint8_t, 4096> chunk{};
  beast::error_code ec;
  std::size_t total = 0;
  while (!ec && !ws.is_message_done()) {
    std::size_t n = ws.read_some(net::buffer(chunk), ec);
    out.insert(out.end(), chunk.begin(), chunk.begin() + n);
    total += n;
  }
  return total;
}

int main() {
  net::io_context ioc;
  ssl::context ctx{ssl::context::tlsv12};
  std::make_shared<OrderFlowSession>(tcp::socket{ioc}, ctx)->start();
  std::make_shared<CancelSession>(tcp::socket{ioc}, ctx)->start();
  std::make_shared<TickerBroadcaster>(tcp::socket{ioc}, ctx)->start();
  net::co_spawn(ioc, quote_session(tcp::socket{ioc}), net::detached);
  net::co_spawn(ioc, rfq_session(tcp::socket{ioc}, GatewayConfig{}), net::detached);
  net::co_spawn(ioc, snapshot_client(ctx, "snap.example.com"), net::detached);
  ioc.run();
}
