// checks: errorshield-ws-frame-type
// Market data fan-out server: publishes protobuf quote snapshots to browser and
// bot clients over WebSocket, accepts JSON subscription requests.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstring>
#include <deque>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// ---- stand-in for generated code from feed.proto -------------------------
namespace feed {
class Quote {
public:
  std::string symbol;
  double bid = 0, ask = 0;
  std::uint64_t ts = 0;
  std::string SerializeAsString() const { return symbol; }
  bool SerializeToString(std::string *out) const { *out = symbol; return true; }
  std::size_t ByteSizeLong() const { return symbol.size(); }
  bool SerializeToArray(void *data, int size) const {
    std::memcpy(data, symbol.data(), static_cast<std::size_t>(size));
    return true;
  }
};
class Subscribe {
public:
  std::vector<std::string> symbols;
  bool ParseFromArray(const void *, int) { return true; }
  bool ParseFromString(const std::string &) { return true; }
};
} // namespace feed

static void fail(beast::error_code ec, const char *what) {
  std::cerr << what << ": " << ec.message() << "\n";
}

// ---------------------------------------------------------------------------
// Session used by the trading bots: binary protobuf both directions.
class BotSession : public std::enable_shared_from_this<BotSession> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::deque<std::shared_ptr<const std::string>> queue_;

public:
  explicit BotSession(tcp::socket &&s) : ws_(std::move(s)) {}

  void run() {
    ws_.async_accept(beast::bind_front_handler(&BotSession::on_accept,
                                               shared_from_this()));
  }

  void on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "accept");
    ws_.binary(true); // everything on this channel is protobuf
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&BotSession::on_read,
                                                      shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "read");
    if (!ws_.got_binary()) {
      ws_.async_close(websocket::close_code::policy_error,
                      [self = shared_from_this()](beast::error_code) {});
      return;
    }
    feed::Subscribe sub;
    auto data = buffer_.data();
    sub.ParseFromArray(data.data(), static_cast<int>(data.size()));
    buffer_.consume(buffer_.size());
    do_read();
  }

  void send(std::shared_ptr<const std::string> frame) {
    net::post(ws_.get_executor(),
              [self = shared_from_this(), frame = std::move(frame)]() mutable {
                self->queue_.push_back(std::move(frame));
                if (self->queue_.size() == 1) self->do_write();
              });
  }

  void do_write() {
    ws_.async_write(net::buffer(*queue_.front()),
                    beast::bind_front_handler(&BotSession::on_write,
                                              shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "write");
    queue_.pop_front();
    if (!queue_.empty()) do_write();
  }
};

// ---------------------------------------------------------------------------
// Legacy session: someone switched the payload to protobuf but kept the
// default frame mode, so browsers get invalid UTF-8 text frames.
class LegacySession : public std::enable_shared_from_this<LegacySession> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::string pending_;

public:
  explicit LegacySession(tcp::socket &&s) : ws_(std::move(s)) {}

  void on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "accept");
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&LegacySession::on_read,
                                                      shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "read");
    feed::Subscribe sub;
    sub.ParseFromString(beast::buffers_to_string(buffer_.data())); // expect: errorshield-ws-frame-type
    buffer_.consume(buffer_.size());
    do_read();
  }

  void push_quote(const feed::Quote &q) {
    pending_ = q.SerializeAsString();
    ws_.async_write(net::buffer(pending_), // expect: errorshield-ws-frame-type
                    [self = shared_from_this()](beast::error_code ec,
                                                std::size_t) {
                      if (ec) fail(ec, "write");
                    });
  }

  void push_quote_sync(const feed::Quote &q) {
    std::vector<std::uint8_t> bytes(q.ByteSizeLong());
    q.SerializeToArray(bytes.data(), static_cast<int>(bytes.size()));
    beast::error_code ec;
    ws_.write(net::buffer(bytes), ec); // expect: errorshield-ws-frame-type
  }
};

// ---------------------------------------------------------------------------
// Browser dashboard: JSON in both directions, default text mode is correct.
class DashboardSession : public std::enable_shared_from_this<DashboardSession> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::string out_;

public:
  explicit DashboardSession(tcp::socket &&s) : ws_(std::move(s)) {}

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "read");
    if (!ws_.got_text()) {
      buffer_.consume(buffer_.size());
      return;
    }
    auto req = nlohmann::json::parse(beast::buffers_to_string(buffer_.data()),
                                     nullptr, false);
    buffer_.consume(buffer_.size());
    if (req.is_discarded()) return;
    nlohmann::json ack = {{"type", "ack"}, {"symbols", req["symbols"]}};
    out_ = ack.dump();
    ws_.async_write(net::buffer(out_),
                    [self = shared_from_this()](beast::error_code ec,
                                                std::size_t) {
                      if (ec) fail(ec, "ack");
                    });
  }

  void push_quote(const feed::Quote &q) {
    nlohmann::json j = {{"s", q.symbol}, {"b", q.bid}, {"a", q.ask}, {"t", q.ts}};
    out_ = j.dump();
    ws_.text(true);
    ws_.async_write(net::buffer(out_),
                    [self = shared_from_this()](beast::error_code ec,
                                                std::size_t) {
                      if (ec) fail(ec, "quote");
                    });
  }
};

// ---------------------------------------------------------------------------
// Hybrid session: protobuf snapshots plus JSON status messages on one socket.
struct Outgoing {
  std::string payload;
  bool binary;
};

class HybridSession : public std::enable_shared_from_this<HybridSession> {
  websocket::stream<beast::tcp_stream> ws_;
  std::deque<Outgoing> queue_;

public:
  explicit HybridSession(tcp::socket &&s) : ws_(std::move(s)) {}

  void send_snapshot(const feed::Quote &q) {
    std::string bytes;
    q.SerializeToString(&bytes);
    enqueue({std::move(bytes), true});
  }

  void send_status(const std::string &state) {
    nlohmann::json j = {{"type", "status"}, {"state", state}};
    enqueue({j.dump(), false});
  }

  // Correct: frame type taken from each queued message.
  void enqueue(Outgoing m) {
    queue_.push_back(std::move(m));
    if (queue_.size() > 1) return;
    do_write();
  }

  void do_write() {
    ws_.binary(queue_.front().binary);
    ws_.async_write(net::buffer(queue_.front().payload),
                    [self = shared_from_this()](beast::error_code ec,
                                                std::size_t) {
                      if (ec) return fail(ec, "hybrid");
                      self->queue_.pop_front();
                      if (!self->queue_.empty()) self->do_write();
                    });
  }

  // Bug: status pushed with the sync API right after a binary snapshot left
  // the stream in binary mode.
  void send_status_now(const feed::Quote &q, const std::string &state) {
    std::string snap = q.SerializeAsString();
    ws_.binary(true);
    ws_.write(net::buffer(snap));
    nlohmann::json j = {{"type", "status"}, {"state", state}};
    ws_.write(net::buffer(j.dump())); // expect: errorshield-ws-frame-type
  }

  // Correct: explicitly switched back to text before the JSON frame.
  void send_status_now_fixed(const feed::Quote &q, const std::string &state) {
    std::string snap = q.SerializeAsString();
    ws_.binary(true);
    ws_.write(net::buffer(snap));
    nlohmann::json j = {{"type", "status"}, {"state", state}};
    ws_.text(true);
    ws_.write(net::buffer(j.dump()));
  }
};

// Echo helper used by the diagnostics endpoint: mirrors the incoming type.
void echo_once(websocket::stream<tcp::socket> &ws) {
  beast::flat_buffer b;
  ws.read(b);
  ws.text(ws.got_text());
  ws.write(b.data());
}

int main() {
  net::io_context ioc{1};
  tcp::acceptor acc{ioc, {tcp::v4(), 9001}};
  acc.async_accept([](beast::error_code ec, tcp::socket s) {
    if (!ec) std::make_shared<BotSession>(std::move(s))->run();
  });
  ioc.run();
}
