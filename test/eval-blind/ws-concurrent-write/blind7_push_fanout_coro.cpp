// checks: errorshield-ws-concurrent-write
// Mobile push relay: device channels (WebSocket long-lived connections from the
// mobile SDK) receive notifications fanned out from app backends. Also talks to
// a provider gateway over a raw TCP framed protocol.
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace pushrelay {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using net::awaitable;
using net::use_awaitable;
using namespace net::experimental::awaitable_operators;

struct FanoutConfig {
  std::size_t max_pending = 1000;
  std::chrono::seconds ack_timeout{10};
};

struct Notification {
  std::string id;
  std::string device_token;
  json payload;
  std::string dump() const { return json{{"id", id}, {"data", payload}}.dump(); }
};

// One device connection. A single writer coroutine owns all writes; producers
// only append to pending_ and poke the signal timer.
class DeviceChannel : public std::enable_shared_from_this<DeviceChannel> {
public:
  DeviceChannel(websocket::stream<beast::tcp_stream> ws, FanoutConfig cfg)
      : ws_(std::move(ws)), signal_(ws_.get_executor()), cfg_(cfg) {
    signal_.expires_at(std::chrono::steady_clock::time_point::max());
  }

  void start() {
    auto self = shared_from_this();
    net::co_spawn(ws_.get_executor(), [self]() { return self->writer(); }, net::detached);
    net::co_spawn(ws_.get_executor(), [self]() { return self->reader(); }, net::detached);
  }

  // Called on the channel's executor by the fan-out dispatcher.
  void push(Notification n) {
    if (pending_.size() >= cfg_.max_pending) {
      std::clog << "device " << n.device_token << " backlog full\n";
      return;
    }
    pending_.push_back(n.dump());
    signal_.cancel_one();
  }

  // "Urgent" path added for VoIP pushes: skip the queue to cut latency.
  void notify_now(Notification n) {
    auto self = shared_from_this();
    net::co_spawn(
        ws_.get_executor(),
        [self, text = n.dump()]() -> awaitable<void> {
          co_await self->ws_.async_write(net::buffer(text), use_awaitable); // expect: errorshield-ws-concurrent-write
        },
        net::detached);
  }

private:
  awaitable<void> writer() {
    for (;;) {
      while (pending_.empty()) {
        beast::error_code ec;
        co_await signal_.async_wait(net::redirect_error(use_awaitable, ec));
        if (!ws_.is_open())
          co_return;
      }
      std::string msg = std::move(pending_.front());
      pending_.pop_front();
      co_await ws_.async_write(net::buffer(msg), use_awaitable);
    }
  }

  // Reads acks from the device; runs alongside writer(), one read + one write.
  awaitable<void> reader() {
    beast::flat_buffer buf;
    for (;;) {
      co_await ws_.async_read(buf, use_awaitable);
      auto ack = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
      buf.consume(buf.size());
      if (!ack.is_discarded())
        std::clog << "ack " << ack.value("id", "") << '\n';
    }
  }

  websocket::stream<beast::tcp_stream> ws_;
  net::steady_timer signal_;
  FanoutConfig cfg_;
  std::deque<std::string> pending_;
};

// Delivers a batch to one device in order, each write awaited before the next.
awaitable<void> deliver_batch(websocket::stream<beast::tcp_stream> &ws,
                              const std::vector<Notification> &batch) {
  for (const auto &n : batch) {
    auto text = n.dump();
    co_await ws.async_write(net::buffer(text), use_awaitable);
  }
}

// Sends the notification and its "collapse key" update together.
awaitable<void> deliver_with_collapse(websocket::stream<beast::tcp_stream> &ws, const Notification &n,
                                      const std::string &collapse_key) {
  auto body = n.dump();
  auto collapse = json{{"collapse", collapse_key}, {"replaces", n.id}}.dump();
  co_await (ws.async_write(net::buffer(body), use_awaitable) && ws.async_write(net::buffer(collapse), use_awaitable)); // expect: errorshield-ws-concurrent-write
}

// Mirrors a notification to the device and to the audit stream in parallel.
awaitable<void> deliver_and_audit(websocket::stream<beast::tcp_stream> &device,
                                  websocket::stream<beast::tcp_stream> &audit, const Notification &n) {
  auto body = n.dump();
  auto record = json{{"audit", n.id}, {"token", n.device_token}}.dump();
  co_await (device.async_write(net::buffer(body), use_awaitable) &&
            audit.async_write(net::buffer(record), use_awaitable));
}

// Waits for the device ack, bounded by a timer.
awaitable<bool> await_ack(websocket::stream<beast::tcp_stream> &ws, FanoutConfig cfg) {
  beast::flat_buffer buf;
  net::steady_timer t(ws.get_executor());
  t.expires_after(cfg.ack_timeout);
  auto r = co_await (ws.async_read(buf, use_awaitable) || t.async_wait(use_awaitable));
  co_return r.index() == 0;
}

// Link to the upstream provider gateway: length-prefixed frames over TCP.
class ProviderLink : public std::enable_shared_from_this<ProviderLink> {
public:
  explicit ProviderLink(tcp::socket s) : sock_(std::move(s)) {}

  // Bulk path used when a backend targets a topic: one frame per token.
  void send_topic(const std::vector<std::string> &frames) {
    auto self = shared_from_this();
    for (const auto &f : frames) {
      auto owned = std::make_shared<std::string>(f);
      net::async_write(sock_, net::buffer(*owned), [self, owned](beast::error_code ec, std::size_t) { // expect: errorshield-ws-concurrent-write
        if (ec)
          std::clog << "provider write failed: " << ec.message() << '\n';
      });
    }
  }

  // Single-frame path, guarded by the in-flight flag.
  void send(std::string frame) {
    if (writing_) {
      backlog_.push_back(std::move(frame));
      return;
    }
    current_ = std::move(frame);
    net::async_write(sock_, net::buffer(current_), // expect: errorshield-ws-concurrent-write
                     beast::bind_front_handler(&ProviderLink::on_sent, shared_from_this()));
  }

  // Same idea, done right: the flag is raised before the write starts.
  void send_v2(std::string frame) {
    backlog_.push_back(std::move(frame));
    if (writing_)
      return;
    writing_ = true;
    pump();
  }

private:
  void pump() {
    current_ = std::move(backlog_.front());
    backlog_.pop_front();
    net::async_write(sock_, net::buffer(current_),
                     beast::bind_front_handler(&ProviderLink::on_sent, shared_from_this()));
  }

  void on_sent(beast::error_code ec, std::size_t) {
    if (ec) {
      std::clog << "provider link broken: " << ec.message() << '\n';
      writing_ = false;
      return;
    }
    if (backlog_.empty()) {
      writing_ = false;
      return;
    }
    pump();
  }

  tcp::socket sock_;
  bool writing_ = false;
  std::string current_;
  std::deque<std::string> backlog_;
};

} // namespace pushrelay

int main() {
  boost::asio::io_context ioc;
  pushrelay::FanoutConfig cfg;
  auto ch = std::make_shared<pushrelay::DeviceChannel>(
      boost::beast::websocket::stream<boost::beast::tcp_stream>(ioc), cfg);
  ch->start();
}
