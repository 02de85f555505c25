// checks: errorshield-ws-concurrent-write
// Fill-level push service: ultrasonic sensors in municipal recycling bins report
// their fill percentage, and route-planning dashboards get live updates over
// WebSocket so collection trucks can be re-routed.
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace bins {

struct FillReading {
  std::string bin_id;
  std::string district;
  int percent = 0;
  std::int64_t ts = 0;
};

inline json to_wire(const FillReading &r) {
  return {{"bin", r.bin_id}, {"district", r.district}, {"fill", r.percent}, {"ts", r.ts}};
}

class DashboardSession : public std::enable_shared_from_this<DashboardSession> {
public:
  // The socket was accepted on its own strand (acceptor uses net::make_strand(ioc)),
  // so every completion handler for this session is serialized.
  explicit DashboardSession(tcp::socket s) : ws_(std::move(s)), keepalive_(ws_.get_executor()) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->ws_.text(true);
      self->schedule_keepalive();
      self->send_welcome();
    });
  }

  // Thread-safe entry point used by the hub.
  void send(std::shared_ptr<const std::string> msg) {
    net::post(ws_.get_executor(), [self = shared_from_this(), msg = std::move(msg)]() mutable {
      self->queue_.push_back(std::move(msg));
      if (self->queue_.size() > 1) return;
      self->write_front();
    });
  }

  websocket::stream<beast::tcp_stream> &ws() { return ws_; }
  const std::string &district() const { return district_; }

private:
  void write_front() {
    ws_.async_write(net::buffer(*queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->queue_.clear();
        return;
      }
      self->queue_.pop_front();
      if (!self->queue_.empty()) self->write_front();
    });
  }

  void schedule_keepalive() {
    keepalive_.expires_after(std::chrono::seconds(20));
    keepalive_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->ws_.async_ping({}, [self](beast::error_code ec2) {
        if (!ec2) self->schedule_keepalive();
      });
    });
  }

  void schedule_fill_digest() {
    digest_timer_ = std::make_unique<net::steady_timer>(ws_.get_executor(), std::chrono::minutes(1));
    digest_timer_->async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->digest_ = json{{"type", "digest"}, {"district", self->district_}, {"pending", self->queue_.size()}}.dump();
      self->ws_.async_write(net::buffer(self->digest_), [self](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
      self->schedule_fill_digest();
    });
  }

  // Greeting and server config go out back to back, then we start listening.
  void send_welcome() {
    ack_ = json{{"type", "hello"}, {"proto", 3}}.dump();
    snapshot_ = json{{"type", "config"}, {"alert_threshold", 85}, {"units", "percent"}}.dump();
    ws_.async_write(net::buffer(ack_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->ws_.async_write(net::buffer(self->snapshot_), [self](beast::error_code ec2, std::size_t) {
        if (!ec2) self->do_read();
      });
    });
  }

  void do_read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->on_message();
    });
  }

  void on_message() {
    json req = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (req.is_discarded()) return do_read();

    const std::string type = req.value("type", "");
    if (!district_.empty() && type == "subscribe") return do_read();
    if (district_.empty() && type != "subscribe") return do_read();

    if (type == "subscribe") {
      district_ = req.value("district", "");
      ack_ = json{{"type", "subscribed"}, {"district", district_}}.dump();
      snapshot_ = build_snapshot(district_).dump();
      ws_.async_write(net::buffer(ack_), [](beast::error_code, std::size_t) {});
      ws_.async_write(net::buffer(snapshot_), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
      schedule_fill_digest();
    } else if (type == "resync") {
      send(std::make_shared<const std::string>(json{{"type", "resyncing"}}.dump()));
      send(std::make_shared<const std::string>(build_snapshot(district_).dump()));
    } else if (type == "ping_app") {
      send(std::make_shared<const std::string>(R"({"type":"pong_app"})"));
    }
    do_read();
  }

  json build_snapshot(const std::string &district) const;

  websocket::stream<beast::tcp_stream> ws_;
  net::steady_timer keepalive_;
  std::unique_ptr<net::steady_timer> digest_timer_;
  beast::flat_buffer buf_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  std::string district_;
  std::string ack_;
  std::string snapshot_;
  std::string digest_;
};

class FillHub {
public:
  void join(const std::shared_ptr<DashboardSession> &s) {
    std::lock_guard lk(mu_);
    sessions_.push_back(s);
  }

  // Normal path: every reading goes through each session's queue.
  void publish(const FillReading &r) {
    auto msg = std::make_shared<const std::string>(to_wire(r).dump());
    std::lock_guard lk(mu_);
    for (auto &w : sessions_)
      if (auto s = w.lock(); s && s->district() == r.district) s->send(msg);
  }

  // Overflow alerts skip the queue so they show up "immediately".
  void overflow_alert(const FillReading &r) {
    auto msg = std::make_shared<const std::string>(json{{"type", "overflow"}, {"bin", r.bin_id}}.dump());
    std::lock_guard lk(mu_);
    for (auto &w : sessions_) {
      if (auto s = w.lock())
        s->ws().async_write(net::buffer(*msg), [msg, s](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
    }
  }

  // Historical replay for the route optimizer: a dedicated connection per request.
  struct ReplayChannel {
    websocket::stream<beast::tcp_stream> ws;
  };

  void replay_batch(ReplayChannel &chan, const std::vector<FillReading> &batch) {
    auto lines = std::make_shared<std::vector<std::string>>();
    for (const auto &r : batch) lines->push_back(to_wire(r).dump());
    for (const auto &line : *lines)
      chan.ws.async_write(net::buffer(line), [lines](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
  }

  static void replay_chained(std::shared_ptr<ReplayChannel> chan, std::shared_ptr<std::vector<std::string>> lines,
                             std::size_t i = 0) {
    if (i >= lines->size()) return;
    chan->ws.async_write(net::buffer((*lines)[i]), [chan, lines, i](beast::error_code ec, std::size_t) {
      if (!ec) replay_chained(chan, lines, i + 1);
    });
  }

  void attach_archive(tcp::socket &sock) { archive_sock_ = &sock; }

  // Audit copy to the archive collector (newline-delimited JSON over plain TCP).
  void archive(const FillReading &r) {
    std::lock_guard lk(archive_mu_);
    archive_pending_.push_back(to_wire(r).dump() + "\n");
    if (archive_busy_ || !archive_sock_) return;
    archive_busy_ = true;
    archive_next_locked();
  }

private:
  void archive_next_locked() {
    auto line = std::make_shared<std::string>(std::move(archive_pending_.front()));
    archive_pending_.pop_front();
    net::async_write(*archive_sock_, net::buffer(*line), [this, line](beast::error_code ec, std::size_t) {
      std::lock_guard lk(archive_mu_);
      if (ec || archive_pending_.empty()) {
        archive_busy_ = false;
        return;
      }
      archive_next_locked();
    });
  }

  std::mutex archive_mu_;
  std::deque<std::string> archive_pending_;
  bool archive_busy_ = false;
  tcp::socket *archive_sock_ = nullptr;
  std::mutex mu_;
  std::vector<std::weak_ptr<DashboardSession>> sessions_;
};

}  // namespace bins
