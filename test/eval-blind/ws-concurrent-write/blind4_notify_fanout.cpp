// checks: errorshield-ws-concurrent-write
// Notification fan-out: subscribers keep a WebSocket open; the service pushes
// JSON events and a periodic heartbeat frame.
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <string>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;

using ws_t = websocket::stream<beast::tcp_stream>;

// ---------------------------------------------------------------- correct
class subscriber : public std::enable_shared_from_this<subscriber> {
  ws_t ws_;
  std::deque<std::string> outbox_;
  bool writing_ = false;
  net::steady_timer heartbeat_;

public:
  explicit subscriber(tcp::socket&& s) : ws_(std::move(s)), heartbeat_(ws_.get_executor()) {}

  void push(std::string event) {
    net::post(ws_.get_executor(), [self = shared_from_this(), e = std::move(event)]() mutable {
      self->outbox_.push_back(std::move(e));
      self->flush();
    });
  }

  void start_heartbeat() {
    heartbeat_.expires_after(std::chrono::seconds(15));
    heartbeat_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      // heartbeat goes through the same outbox
      self->outbox_.push_back("{\"type\":\"hb\"}");
      self->flush();
      self->start_heartbeat();
    });
  }

private:
  void flush() {
    if (writing_ || outbox_.empty()) return;
    writing_ = true;
    ws_.async_write(net::buffer(outbox_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->writing_ = false;
                      if (ec) return;
                      self->outbox_.pop_front();
                      self->flush();
                    });
  }
};

// ---------------------------------------------------------------- buggy
class legacy_subscriber : public std::enable_shared_from_this<legacy_subscriber> {
  ws_t ws_;
  std::deque<std::string> outbox_;
  bool writing_ = false;
  net::steady_timer heartbeat_;
  std::string hb_ = "{\"type\":\"hb\"}";

public:
  explicit legacy_subscriber(tcp::socket&& s) : ws_(std::move(s)), heartbeat_(ws_.get_executor()) {}

  void push(std::string event) {
    outbox_.push_back(std::move(event));
    if (writing_) return;
    writing_ = true;
    write_front();
  }

  void write_front() {
    ws_.async_write(net::buffer(outbox_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec) return;
                      self->outbox_.pop_front();
                      if (self->outbox_.empty()) {
                        self->writing_ = false;
                        return;
                      }
                      self->write_front();
                    });
  }

  // Heartbeat bypasses the outbox and writes while an event may be in flight.
  void start_heartbeat() {
    heartbeat_.expires_after(std::chrono::seconds(15));
    heartbeat_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->ws_.async_write(net::buffer(self->hb_), // expect: errorshield-ws-concurrent-write
                            [self](beast::error_code, std::size_t) { self->start_heartbeat(); });
    });
  }

  // Urgent path "skips the queue".
  void push_urgent(std::string const& event) {
    auto sp = std::make_shared<std::string>(event);
    ws_.async_write(net::buffer(*sp), // expect: errorshield-ws-concurrent-write
                    [self = shared_from_this(), sp](beast::error_code, std::size_t) {});
  }

  // Binary and text pushes at once: Beast stream is only one writer.
  void push_pair(std::string const& meta, std::string const& blob) {
    auto a = std::make_shared<std::string>(meta);
    auto b = std::make_shared<std::string>(blob);
    ws_.text(true);
    ws_.async_write(net::buffer(*a), [a](beast::error_code, std::size_t) {});
    ws_.binary(true);
    ws_.async_write(net::buffer(*b), [b](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
  }
};

// ---------------------------------------------------------------- coroutines
awaitable<void> send_snapshot(ws_t& ws, std::string header, std::string body) {
  // Correct: sequential awaits, never two in flight.
  co_await ws.async_write(net::buffer(header), use_awaitable);
  co_await ws.async_write(net::buffer(body), use_awaitable);
}

awaitable<void> send_snapshot_parallel(ws_t& ws, std::string header, std::string body) {
  using namespace net::experimental::awaitable_operators;
  co_await (ws.async_write(net::buffer(header), use_awaitable) && ws.async_write(net::buffer(body), use_awaitable)); // expect: errorshield-ws-concurrent-write
}

// Correct: one write per distinct stream.
awaitable<void> mirror(ws_t& primary, ws_t& replica, std::string msg) {
  using namespace net::experimental::awaitable_operators;
  co_await (primary.async_write(net::buffer(msg), use_awaitable) &&
            replica.async_write(net::buffer(msg), use_awaitable));
}

awaitable<void> session(tcp::socket s) {
  ws_t ws(std::move(s));
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    std::string topic = beast::buffers_to_string(buf.data());
    buf.consume(buf.size());
    co_await send_snapshot(ws, "snapshot:" + topic, "{}");
  }
}

// Fire-and-forget pushes from a detached coroutine per event.
void broadcast_detached(ws_t& ws, std::string a, std::string b) {
  auto ex = ws.get_executor();
  net::co_spawn(ex, [&ws, a]() -> awaitable<void> {
    co_await ws.async_write(net::buffer(a), use_awaitable);
  }, net::detached);
  net::co_spawn(ex, [&ws, b]() -> awaitable<void> {
    co_await ws.async_write(net::buffer(b), use_awaitable); // expect: errorshield-ws-concurrent-write
  }, net::detached);
}

int main() {
  net::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 8088});
  net::co_spawn(ioc, [&]() -> awaitable<void> {
    for (;;) {
      auto s = co_await acc.async_accept(use_awaitable);
      net::co_spawn(ioc, session(std::move(s)), net::detached);
    }
  }, net::detached);
  ioc.run();
}
