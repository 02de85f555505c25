// checks: errorshield-ws-concurrent-write
// Market-data fan-out: one upstream feed handler publishes quotes, depth and trades to thousands
// of WebSocket subscribers. Every session lives on its own strand; the hub posts into it.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace mdfeed {

using Payload = std::shared_ptr<const std::string>;

// ---------------------------------------------------------------------------------------------
// Quote subscribers: classic write queue, heartbeats from an idle timer.
class QuoteSession : public std::enable_shared_from_this<QuoteSession> {
 public:
  explicit QuoteSession(tcp::socket s)
      : ws_(std::move(s)), heartbeat_(ws_.get_executor()) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->send_snapshot();
    });
  }

  // Called from the hub thread; hop onto the session's strand before touching the queue.
  void send(Payload msg) {
    net::post(ws_.get_executor(), [self = shared_from_this(), msg = std::move(msg)]() mutable {
      self->on_send(std::move(msg));
    });
  }

 private:
  void send_snapshot() {
    snapshot_ = json{{"type", "snapshot"}, {"symbols", json::array()}}.dump();
    // Only write in flight at this point; the regular feed is enabled in its completion handler.
    ws_.async_write(net::buffer(snapshot_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->live_ = true;
      if (!self->queue_.empty()) self->do_write();
      self->arm_heartbeat();
    });
  }

  void on_send(Payload msg) {
    queue_.push_back(std::move(msg));
    if (!live_ || queue_.size() > 1) return;
    do_write();
  }

  void do_write() {
    ws_.async_write(net::buffer(*queue_.front()),
                    beast::bind_front_handler(&QuoteSession::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return;
    queue_.pop_front();
    if (!queue_.empty()) do_write();
  }

  void arm_heartbeat() {
    heartbeat_.expires_after(std::chrono::seconds(5));
    heartbeat_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->send_heartbeat();
      self->arm_heartbeat();
    });
  }

  void send_heartbeat() {
    // Quiet symbols still need a heartbeat, but during a burst the quote queue is mid-write.
    hb_ = R"({"type":"hb"})";
    ws_.async_write(net::buffer(hb_), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
  }

  websocket::stream<beast::tcp_stream> ws_;
  net::steady_timer heartbeat_;
  std::deque<Payload> queue_;
  std::string snapshot_;
  std::string hb_;
  bool live_ = false;
};

// ---------------------------------------------------------------------------------------------
// Depth-of-book subscribers: a single in-flight flag plus a conflating backlog.
class DepthSession : public std::enable_shared_from_this<DepthSession> {
 public:
  explicit DepthSession(tcp::socket s) : ws_(std::move(s)) {}

  void push(Payload book) {
    if (writing_) {
      backlog_ = std::move(book);  // conflate: only the newest book matters
      return;
    }
    start_write(std::move(book));
  }

  void push_halt(const std::string& symbol) {
    // Trading halts must go out immediately, so this skips the conflation logic entirely.
    halt_msg_ = json{{"type", "halt"}, {"symbol", symbol}}.dump();
    ws_.async_write(net::buffer(halt_msg_), // expect: errorshield-ws-concurrent-write
                    [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  void push_halt_queued(const std::string& symbol) {
    push(std::make_shared<const std::string>(json{{"type", "halt"}, {"symbol", symbol}}.dump()));
  }

 private:
  void start_write(Payload book) {
    writing_ = true;
    current_ = std::move(book);
    ws_.async_write(net::buffer(*current_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->writing_ = false;
      if (ec) return;
      if (self->backlog_) {
        auto next = std::move(self->backlog_);
        self->backlog_.reset();
        self->start_write(std::move(next));
      }
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  Payload current_;
  Payload backlog_;
  std::string halt_msg_;
  bool writing_ = false;
};

// ---------------------------------------------------------------------------------------------
// Trade tape: a queue that checks emptiness at the wrong moment.
class TapeSession : public std::enable_shared_from_this<TapeSession> {
 public:
  explicit TapeSession(tcp::socket s) : ws_(std::move(s)) {}

  void append(Payload trade) {
    tape_.push_back(std::move(trade));
    if (!tape_.empty()) {
      flush(); // expect: errorshield-ws-concurrent-write
    }
  }

  void append_correct(Payload trade) {
    const bool idle = tape_.empty();
    tape_.push_back(std::move(trade));
    if (idle) flush();
  }

 private:
  void flush() {
    ws_.async_write(net::buffer(*tape_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->tape_.pop_front();
      if (!self->tape_.empty()) self->flush();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::deque<Payload> tape_;
};

// ---------------------------------------------------------------------------------------------
// Raw subscribers used by the latency-test harness: the hub writes to them directly.
struct RawSubscriber {
  explicit RawSubscriber(tcp::socket s) : ws(std::move(s)) {}
  websocket::stream<beast::tcp_stream> ws;
};

class FanoutHub {
 public:
  void add(std::shared_ptr<QuoteSession> s) {
    std::lock_guard lk(mu_);
    quotes_.push_back(std::move(s));
  }
  void add_raw(std::shared_ptr<RawSubscriber> s) {
    std::lock_guard lk(mu_);
    raw_.push_back(std::move(s));
  }

  // Called for every upstream tick.
  void on_tick(const json& tick) {
    auto msg = std::make_shared<const std::string>(tick.dump());
    std::lock_guard lk(mu_);
    for (auto& q : quotes_) q->send(msg);
    for (auto& r : raw_) {
      // Ticks arrive every few microseconds; the previous tick's write to r->ws is often pending.
      r->ws.async_write(net::buffer(*msg), [msg, r](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
    }
  }

  // Session open: send the welcome banner once, then the subscriber only receives via the queue.
  void greet_raw(std::shared_ptr<RawSubscriber> r) {
    auto banner = std::make_shared<const std::string>(R"({"type":"welcome"})");
    r->ws.async_write(net::buffer(*banner), [this, banner, r](beast::error_code ec, std::size_t) {
      if (!ec) add_raw(r);
    });
  }

 private:
  std::mutex mu_;
  std::vector<std::shared_ptr<QuoteSession>> quotes_;
  std::vector<std::shared_ptr<RawSubscriber>> raw_;
};

// Replay tool: writes a recorded session to one subscriber, strictly one frame after another.
void replay_recording(std::shared_ptr<RawSubscriber> r, std::shared_ptr<std::vector<std::string>> frames,
                      std::size_t i = 0) {
  if (i >= frames->size()) return;
  r->ws.async_write(net::buffer((*frames)[i]), [r, frames, i](beast::error_code ec, std::size_t) {
    if (!ec) replay_recording(r, frames, i + 1);
  });
}

}  // namespace mdfeed
