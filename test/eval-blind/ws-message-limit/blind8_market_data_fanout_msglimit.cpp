// checks: errorshield-ws-message-limit
// Market-data fan-out node: downstream subscribers, an order-entry gateway,
// tick replay, drop-copy, a risk console and the upstream exchange feed.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <iostream>
#include <limits>
#include <memory>
#include <set>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace mdfan {

constexpr std::size_t kControlMsgMax = 64 * 1024;

struct BookLevel {
  std::int64_t px_ticks;
  std::int64_t qty;
  std::uint32_t orders;
};
constexpr std::size_t kSnapshotDepth = 50;

// Subscribers send {"op":"sub","symbols":[...]} and then receive ticks.
class SubscriberSession : public std::enable_shared_from_this<SubscriberSession> {
public:
  explicit SubscriberSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.async_accept(beast::bind_front_handler(&SubscriberSession::on_accept, shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    ws_.text(true);
    do_read();
  }

  void do_read() {
    ws_.async_read(buf_, beast::bind_front_handler(&SubscriberSession::on_read, shared_from_this())); // expect: errorshield-ws-message-limit
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    auto msg = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (msg.is_object() && msg.contains("symbols"))
      for (auto &s : msg["symbols"])
        symbols_.insert(s.get<std::string>());
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  std::set<std::string> symbols_;
};

// Order-entry gateway: limits applied once, in the constructor helper.
class OrderEntrySession : public std::enable_shared_from_this<OrderEntrySession> {
public:
  explicit OrderEntrySession(tcp::socket s) : ws_(std::move(s)) { configure(); }

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->do_read();
    });
  }

private:
  void configure() {
    ws_.read_message_max(kControlMsgMax);
    ws_.auto_fragment(false);
  }

  void do_read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec)
        return;
      std::cout << "order msg " << n << " bytes\n";
      self->buf_.consume(n);
      self->do_read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
};

// Tick replay: clients may send very long symbol/date-range lists.
class ReplaySession : public std::enable_shared_from_this<ReplaySession> {
public:
  explicit ReplaySession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.read_message_max(std::numeric_limits<std::size_t>::max()); // expect: errorshield-ws-message-limit
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      self->ws_.async_read(self->buf_, [self](beast::error_code, std::size_t) {
        std::cout << "replay request queued\n";
      });
    });
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
};

// Level-2 subscribers must authenticate with their first message; the limit
// is only tightened once the API key checks out.
class LevelTwoSession : public std::enable_shared_from_this<LevelTwoSession> {
public:
  explicit LevelTwoSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read_auth();
    });
  }

private:
  void read_auth() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-ws-message-limit
      if (ec)
        return;
      auto auth = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.consume(self->buf_.size());
      if (!auth.is_object() || !auth.contains("api_key"))
        return;
      self->on_authenticated();
    });
  }

  void on_authenticated() {
    ws_.read_message_max(16 * 1024);
    read_requests();
  }

  void read_requests() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->buf_.consume(self->buf_.size());
      self->read_requests();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
};

// Drop-copy for compliance.
class DropCopySession : public std::enable_shared_from_this<DropCopySession> {
public:
  explicit DropCopySession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.read_message_max(0); // expect: errorshield-ws-message-limit
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->ws_.async_read(self->buf_, [self](beast::error_code, std::size_t) {});
    });
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
  beast::multi_buffer buf_;
};

// Risk console: commands are tiny and read into a fixed-capacity buffer, so
// an oversized frame fails with buffer_overflow instead of growing memory.
class RiskConsoleSession : public std::enable_shared_from_this<RiskConsoleSession> {
public:
  explicit RiskConsoleSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->next();
    });
  }

private:
  void next() {
    ws_.async_read(cmd_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      std::cout << "risk cmd: " << beast::buffers_to_string(self->cmd_.data()) << "\n";
      self->cmd_.clear();
      self->next();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_static_buffer<2048> cmd_;
};

// Upstream exchange feed (we are the client). Snapshot frames are bounded by
// the book depth we subscribe to.
class ExchangeFeed {
public:
  explicit ExchangeFeed(asio::io_context &ioc) : ws_(ioc) {}

  void connect(const tcp::endpoint &ep) {
    ws_.next_layer().connect(ep);
    ws_.read_message_max(kSnapshotDepth * sizeof(BookLevel) * 2 * 4 + 4096);
    ws_.handshake("feed.exchange.internal", "/md/v5");
  }

  void pump_once() {
    ws_.read(buf_);
    std::cout << "feed frame " << buf_.size() << " bytes\n";
    buf_.consume(buf_.size());
  }

private:
  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buf_;
};

} // namespace mdfan
