// checks: errorshield-ws-concurrent-write
// Push-notification hub over TLS websockets. io_context runs on several
// threads; each connection owns a strand.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;

using wss = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

// ---------------------------------------------------------------------------
// Device connection with a writing_ flag instead of a queue-size check.
class Device : public std::enable_shared_from_this<Device> {
  wss ws_;
  std::deque<std::string> pending_;
  bool writing_ = false;

public:
  Device(tcp::socket &&s, ssl::context &ctx) : ws_(std::move(s), ctx) {}
  std::string id;

  void notify(std::string payload) {
    net::dispatch(ws_.get_executor(),
                  [self = shared_from_this(), p = std::move(payload)]() mutable {
                    self->pending_.push_back(std::move(p));
                    if (!self->writing_) self->flush();
                  });
  }

  void flush() {
    writing_ = true;
    ws_.async_write(net::buffer(pending_.front()),
                    [self = shared_from_this()](beast::error_code ec,
                                                std::size_t) {
                      self->pending_.pop_front();
                      if (ec || self->pending_.empty()) {
                        self->writing_ = false;
                        return;
                      }
                      self->flush();
                    });
  }

  // Bug: urgent notifications skip the queue.
  void notify_urgent(std::shared_ptr<std::string> payload) {
    net::dispatch(ws_.get_executor(), [self = shared_from_this(), payload] {
      self->ws_.async_write(net::buffer(*payload), // expect: errorshield-ws-concurrent-write
                            [payload](beast::error_code, std::size_t) {});
    });
  }
};

// ---------------------------------------------------------------------------
// Topic subscriber: pops the message *before* writing, then uses
// "queue empty" as "idle". A second publish while the first is in flight
// sees an empty queue and starts another write.
class Subscriber : public std::enable_shared_from_this<Subscriber> {
  wss ws_;
  std::deque<std::string> q_;
  std::string current_;

public:
  Subscriber(tcp::socket &&s, ssl::context &ctx) : ws_(std::move(s), ctx) {}

  void publish(std::string m) {
    net::post(ws_.get_executor(), [self = shared_from_this(), m = std::move(m)]() mutable {
      bool idle = self->q_.empty();
      self->q_.push_back(std::move(m));
      if (idle) self->pump();
    });
  }

  void pump() {
    current_ = std::move(q_.front());
    q_.pop_front();
    ws_.async_write(net::buffer(current_), // expect: errorshield-ws-concurrent-write
                    [self = shared_from_this()](beast::error_code ec,
                                                std::size_t) {
                      if (!ec && !self->q_.empty()) self->pump();
                    });
  }
};

// ---------------------------------------------------------------------------
// Coroutine-based connection registry.
struct Conn {
  wss ws;
  std::string user;
  Conn(tcp::socket &&s, ssl::context &ctx) : ws(std::move(s), ctx) {}
};

class Registry {
  std::mutex m_;
  std::map<std::string, std::shared_ptr<Conn>> conns_;

public:
  void add(std::shared_ptr<Conn> c) {
    std::lock_guard<std::mutex> lk(m_);
    conns_[c->user] = c;
  }
  std::vector<std::shared_ptr<Conn>> all() {
    std::lock_guard<std::mutex> lk(m_);
    std::vector<std::shared_ptr<Conn>> v;
    for (auto &[k, c] : conns_) v.push_back(c);
    return v;
  }
};

// Each connection's reader coroutine fans out to all other connections by
// writing to their streams directly; two readers can hit the same target.
awaitable<void> reader(std::shared_ptr<Conn> c, Registry &reg) {
  beast::flat_buffer buf;
  for (;;) {
    co_await c->ws.async_read(buf, use_awaitable);
    std::string msg = beast::buffers_to_string(buf.data());
    buf.consume(buf.size());
    for (auto &other : reg.all()) {
      if (other == c) continue;
      co_await other->ws.async_write(net::buffer(msg), use_awaitable); // expect: errorshield-ws-concurrent-write
    }
  }
}

// Correct coroutine: a single writer coroutine per connection drains a
// channel-like queue; only it touches ws.async_write.
struct Outbox {
  std::deque<std::string> q;
  net::steady_timer signal;
  explicit Outbox(net::any_io_executor ex) : signal(ex, net::steady_timer::time_point::max()) {}
};

awaitable<void> writer(std::shared_ptr<Conn> c, std::shared_ptr<Outbox> box) {
  for (;;) {
    while (box->q.empty()) {
      beast::error_code ec;
      co_await box->signal.async_wait(net::redirect_error(use_awaitable, ec));
    }
    std::string m = std::move(box->q.front());
    box->q.pop_front();
    co_await c->ws.async_write(net::buffer(m), use_awaitable);
  }
}

// Correct: echo loop, one read and one write alternating on the same stream.
awaitable<void> echo(std::shared_ptr<Conn> c) {
  beast::flat_buffer buf;
  for (;;) {
    co_await c->ws.async_read(buf, use_awaitable);
    c->ws.text(c->ws.got_text());
    co_await c->ws.async_write(buf.data(), use_awaitable);
    buf.consume(buf.size());
  }
}

// Bug: status + payload spawned as two independent coroutines on one stream.
void send_with_status(std::shared_ptr<Conn> c, std::string status, std::string payload) {
  auto ex = c->ws.get_executor();
  net::co_spawn(ex, [c, status]() -> awaitable<void> {
    co_await c->ws.async_write(net::buffer(status), use_awaitable);
  }, net::detached);
  net::co_spawn(ex, [c, payload]() -> awaitable<void> {
    co_await c->ws.async_write(net::buffer(payload), use_awaitable); // expect: errorshield-ws-concurrent-write
  }, net::detached);
}

// Correct: one coroutine, writes awaited in order.
void send_with_status_fixed(std::shared_ptr<Conn> c, std::string status, std::string payload) {
  net::co_spawn(c->ws.get_executor(), [c, status, payload]() -> awaitable<void> {
    co_await c->ws.async_write(net::buffer(status), use_awaitable);
    co_await c->ws.async_write(net::buffer(payload), use_awaitable);
  }, net::detached);
}

int main() {
  net::io_context ioc{4};
  ssl::context ctx{ssl::context::tlsv12_server};
  Registry reg;
  tcp::acceptor acc(ioc, {tcp::v4(), 443});
  net::co_spawn(ioc, [&]() -> awaitable<void> {
    for (;;) {
      auto s = co_await acc.async_accept(net::make_strand(ioc), use_awaitable);
      auto c = std::make_shared<Conn>(std::move(s), ctx);
      co_await c->ws.next_layer().async_handshake(ssl::stream_base::server, use_awaitable);
      co_await c->ws.async_accept(use_awaitable);
      reg.add(c);
      auto box = std::make_shared<Outbox>(c->ws.get_executor());
      net::co_spawn(c->ws.get_executor(), writer(c, box), net::detached);
    }
  }, net::detached);
  std::vector<std::thread> th;
  for (int i = 0; i < 3; ++i) th.emplace_back([&] { ioc.run(); });
  ioc.run();
  for (auto &t : th) t.join();
}
