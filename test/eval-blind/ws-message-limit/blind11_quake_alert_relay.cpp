// checks: errorshield-ws-message-limit
// Earthquake early-warning relay: station picks in, alerts out to apps and sirens.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>
#include <syslog.h>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace quake {

constexpr std::size_t kPickMax = 16 * 1024;
constexpr std::size_t kControlMax = 2 * 1024;
constexpr std::size_t kBulletinMax = 256 * 1024;

class AlertHub {
 public:
  using Sink = std::function<void(std::shared_ptr<const std::string>)>;

  void subscribe(Sink s) { std::lock_guard lk(mu_); sinks_.push_back(std::move(s)); }

  void publish(const json& alert) {
    auto payload = std::make_shared<const std::string>(alert.dump());
    std::unique_lock lk(mu_);
    std::vector<Sink> snapshot = sinks_;
    lk.unlock();
    for (auto& s : snapshot) s(payload);
  }

  void ingest(const json& pick) {
    if (pick.value("pga", 0.0) < suppress_below_g_) return;
    publish({{"type", "alert"}, {"sta", pick["sta"]}, {"pga", pick["pga"]}, {"t", pick.value("t", 0)}});
  }

  void set_suppression(double g) { suppress_below_g_ = g; }
 private:
  std::mutex mu_;
  std::vector<Sink> sinks_;
  double suppress_below_g_ = 0.02;
};

template <class NextLayer>
void harden(websocket::stream<NextLayer>& ws, std::size_t max_bytes) {
  ws.read_message_max(max_bytes);
  ws.auto_fragment(false);
}

// Seismic stations (plain TCP inside the sensor VPN).
template <class NextLayer>
class StationSession
    : public std::enable_shared_from_this<StationSession<NextLayer>> {
 public:
  StationSession(NextLayer&& layer, AlertHub& hub) : ws_(std::move(layer)), hub_(hub) {}

  void run(http::request<http::string_body> req) {
    req_ = std::move(req);
    ws_.async_accept(req_, [self = this->shared_from_this()](beast::error_code ec) { if (!ec) self->read_next(); });
  }

 private:
  void read_next() {
    ws_.async_read(buf_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-ws-message-limit
      if (!ec) self->on_pick();
    });
  }

  void on_pick() {
    auto j = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (!j.is_discarded() && j.contains("sta") && j.contains("pga")) hub_.ingest(j);
    read_next();
  }

  websocket::stream<NextLayer> ws_;
  http::request<http::string_body> req_;
  beast::flat_buffer buf_;
  AlertHub& hub_;
};

// Anything that receives alerts: owns the stream and the outbound queue.
class AlertReceiver : public std::enable_shared_from_this<AlertReceiver> {
 public:
  AlertReceiver(tcp::socket s, AlertHub& hub) : ws_(std::move(s)), hub_(hub) {}
  virtual ~AlertReceiver() = default;

  void run(http::request<http::string_body> req) {
    req_ = std::move(req);
    on_upgrade();
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      std::weak_ptr<AlertReceiver> weak = self;
      self->hub_.subscribe([weak](std::shared_ptr<const std::string> p) {
        if (auto s = weak.lock()) asio::post(s->ws_.get_executor(), [s, p] { s->push(p); });
      });
      self->on_open();
    });
  }

 protected:
  virtual void on_upgrade() {}
  virtual void on_open() {}
  websocket::stream<beast::tcp_stream> ws_;
  http::request<http::string_body> req_;
  AlertHub& hub_;

 private:
  void push(std::shared_ptr<const std::string> p) {
    pending_.push_back(std::move(p));
    if (pending_.size() == 1) write_front();
  }

  void write_front() {
    ws_.text(true);
    ws_.async_write(asio::buffer(*pending_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec) return;
                      self->pending_.pop_front();
                      if (!self->pending_.empty()) self->write_front();
                    });
  }

  std::deque<std::shared_ptr<const std::string>> pending_;
};

// Municipal siren controllers only listen; they never send application data.
class SirenSession final : public AlertReceiver {
 public:
  using AlertReceiver::AlertReceiver;
};

// Public phone apps: receive alerts, may send a region filter.
class SubscriberSession final : public AlertReceiver {
 public:
  using AlertReceiver::AlertReceiver;

 private:
  void on_upgrade() override {
    syslog(LOG_INFO, "subscriber upgrade (max inbound %zu bytes)", ws_.read_message_max());
  }
  void on_open() override { read_filter(); }

  void read_filter() {
    auto self = std::static_pointer_cast<SubscriberSession>(shared_from_this());
    ws_.async_read(inbox_, [self](beast::error_code ec, std::size_t) { // expect: errorshield-ws-message-limit
      if (ec) return;
      auto j = json::parse(beast::buffers_to_string(self->inbox_.data()), nullptr, false);
      self->inbox_.consume(self->inbox_.size());
      if (!j.is_discarded()) self->region_ = j.value("region", std::string{"*"});
      self->read_filter();
    });
  }

  beast::flat_buffer inbox_;
  std::string region_ = "*";
};

// Operator console: test alerts and suppression threshold.
class ControlSession : public std::enable_shared_from_this<ControlSession> {
 public:
  ControlSession(tcp::socket s, AlertHub& hub) : ws_(std::move(s)), hub_(hub) {
    ws_.read_message_max(kControlMax);
  }

  void run(http::request<http::string_body> req) {
    req_ = std::move(req);
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) { if (!ec) self->read_cmd(); });
  }

 private:
  void read_cmd() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      auto j = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.consume(self->buf_.size());
      auto cmd = j.is_discarded() ? std::string{} : j.value("cmd", "");
      if (cmd == "suppress") self->hub_.set_suppression(j.value("g", 0.02));
      if (cmd == "test") self->hub_.publish({{"type", "test"}});
      self->read_cmd();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  http::request<http::string_body> req_;
  beast::flat_buffer buf_;
  AlertHub& hub_;
};

// National agency bulletins; on a sequence gap we pull the missing range
// from the agency's replay endpoint.
asio::awaitable<void> agency_uplink(std::string host, std::string port, AlertHub& hub) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  auto endpoints = co_await resolver.async_resolve(host, port, asio::use_awaitable);
  websocket::stream<beast::tcp_stream> ws(ex);
  co_await beast::get_lowest_layer(ws).async_connect(endpoints, asio::use_awaitable);
  ws.read_message_max(kBulletinMax);
  co_await ws.async_handshake(host, "/eew/v2/bulletins", asio::use_awaitable);
  beast::flat_buffer buf;
  std::int64_t last_seq = -1;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    auto j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (j.is_discarded()) continue;
    auto seq = j.value("seq", std::int64_t{0});
    if (last_seq >= 0 && seq > last_seq + 1) {
      websocket::stream<beast::tcp_stream> replay(ex);
      co_await beast::get_lowest_layer(replay).async_connect(endpoints, asio::use_awaitable);
      co_await replay.async_handshake(host, "/eew/v2/replay", asio::use_awaitable);
      json ask = {{"from", last_seq + 1}, {"to", seq - 1}};
      co_await replay.async_write(asio::buffer(ask.dump()), asio::use_awaitable);
      beast::flat_buffer rbuf;
      co_await replay.async_read(rbuf, asio::use_awaitable); // expect: errorshield-ws-message-limit
      auto missed = json::parse(beast::buffers_to_string(rbuf.data()), nullptr, false);
      for (auto& b : missed.is_array() ? missed : json::array()) hub.publish(b);
    }
    last_seq = seq;
    hub.publish(j);
  }
}

// Neighbouring network relay (cross-border picks).
asio::awaitable<void> peer_relay(websocket::stream<beast::tcp_stream> ws, AlertHub& hub) {
  harden(ws, kPickMax);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    auto j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (!j.is_discarded()) hub.publish(j);
  }
}

// Station catalogue is fetched once at startup, synchronously.
std::vector<std::string> bootstrap_catalog(asio::io_context& ioc, const std::string& host) {
  tcp::resolver resolver(ioc);
  websocket::stream<tcp::socket> ws(ioc);
  asio::connect(ws.next_layer(), resolver.resolve(host, "8443"));
  ws.handshake(host, "/catalog");
  beast::flat_buffer buf;
  ws.read(buf); // expect: errorshield-ws-message-limit
  std::vector<std::string> ids;
  auto j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
  for (auto& s : j.is_array() ? j : json::array()) ids.push_back(s.value("id", ""));
  ws.close(websocket::close_code::normal);
  return ids;
}

// Reads the HTTP upgrade request and hands the socket to the right session kind.
class Gateway : public std::enable_shared_from_this<Gateway> {
 public:
  Gateway(tcp::socket s, AlertHub& hub) : stream_(std::move(s)), hub_(hub) {}

  void run() {
    stream_.expires_after(std::chrono::seconds(10));
    http::async_read(stream_, buf_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec || !websocket::is_upgrade(self->req_)) return;
      self->stream_.expires_never();
      auto target = std::string(self->req_.target());
      auto& hub = self->hub_;
      if (target == "/station")
        std::make_shared<StationSession<beast::tcp_stream>>(std::move(self->stream_), hub)->run(std::move(self->req_));
      else if (target == "/control")
        std::make_shared<ControlSession>(self->stream_.release_socket(), hub)->run(std::move(self->req_));
      else if (target == "/siren")
        std::make_shared<SirenSession>(self->stream_.release_socket(), hub)->run(std::move(self->req_));
      else
        std::make_shared<SubscriberSession>(self->stream_.release_socket(), hub)->run(std::move(self->req_));
    });
  }

 private:
  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  AlertHub& hub_;
};

}  // namespace quake
