// checks: errorshield-ws-concurrent-write
// Coastal tide gauge hub. Radar gauges on the piers send one UDP datagram per
// six-minute sample ("GAUGE_ID,epoch,level_mm,sigma_mm"); the hub fans the
// readings out to dashboard subscribers and to the LED board in the harbour
// master's office over WebSocket. Everything runs on one io_context thread.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using udp = net::ip::udp;
using json = nlohmann::json;
using namespace std::chrono_literals;

using Frame = std::shared_ptr<const std::string>;

struct TideReading {
  std::string gauge;
  std::int64_t epoch = 0;
  int level_mm = 0;
  int sigma_mm = 0;
};

// Writes one JSON frame on any websocket-like stream.
template <class WsStream, class Handler>
void push_json(WsStream& ws, const Frame& frame, Handler&& on_done) {
  ws.text(true);
  ws.async_write(net::buffer(*frame), std::forward<Handler>(on_done));
}

class Subscriber : public std::enable_shared_from_this<Subscriber> {
public:
  explicit Subscriber(tcp::socket s) : ws_(std::move(s)), summary_(ws_.get_executor()), ping_(ws_.get_executor()) {}

  websocket::stream<beast::tcp_stream>& ws() { return ws_; }

  void start(std::function<void(std::shared_ptr<Subscriber>)> on_ready) {
    ws_.read_message_max(16 * 1024);
    ws_.async_accept([self = shared_from_this(), on_ready](beast::error_code ec) {
      if (ec)
        return;
      on_ready(self);
      self->read_loop();
      self->schedule_summary();
      self->schedule_ping();
    });
  }

  void enqueue(Frame f) {
    pending_.push_back(std::move(f));
    if (!write_in_flight_)
      pump();
  }

  void note_level(const TideReading& r) { latest_[r.gauge] = r.level_mm; }

  void close() {
    if (closing_)
      return;
    closing_ = true;
    summary_.cancel();
    ping_.cancel();
    ws_.async_close(websocket::close_code::going_away, [self = shared_from_this()](beast::error_code) {});
  }

private:
  void pump() {
    write_in_flight_ = true;
    push_json(ws_, pending_.front(), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->write_in_flight_ = false;
      if (ec)
        return;
      self->pending_.pop_front();
      if (!self->pending_.empty())
        self->pump();
    });
  }

  void schedule_summary() {
    summary_.expires_after(1s);
    summary_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      auto summary = std::make_shared<const std::string>(json{{"type", "summary"}, {"levels", self->latest_}}.dump());
      self->ws_.async_write(net::buffer(*summary), [summary](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
      self->schedule_summary();
    });
  }

  void schedule_ping() {
    ping_.expires_after(15s);
    ping_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      if (!self->ping_in_flight_) {
        self->ping_in_flight_ = true;
        self->ws_.async_ping({}, [self](beast::error_code) { self->ping_in_flight_ = false; });
      }
      self->schedule_ping();
    });
  }

  void read_loop() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec)
        return self->close();
      auto cmd = json::parse(beast::buffers_to_string(self->in_.data()), nullptr, false);
      self->in_.consume(n);
      if (!cmd.is_discarded() && cmd.value("type", "") == "unsubscribe")
        return self->close();
      self->read_loop();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  net::steady_timer summary_;
  net::steady_timer ping_;
  std::deque<Frame> pending_;
  std::map<std::string, int> latest_;
  bool write_in_flight_ = false;
  bool ping_in_flight_ = false;
  bool closing_ = false;
};

// LED board: shows the latest level of the harbour entrance gauge. The board
// firmware drops the socket if it sees no frame for 30 s.
class HarbourDisplay : public std::enable_shared_from_this<HarbourDisplay> {
public:
  explicit HarbourDisplay(tcp::socket s)
      : ws_(std::move(s)), tick_(ws_.get_executor()), keepalive_(ws_.get_executor()), watchdog_(ws_.get_executor()) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      self->tick();
      self->keepalive();
      self->watch();
    });
  }

  void set_level(int mm) { level_mm_ = mm; }

  void stop() {
    tick_.cancel();
    keepalive_.cancel();
    watchdog_.cancel();
    ws_.async_close(websocket::close_code::going_away, [self = shared_from_this()](beast::error_code) {}); // expect: errorshield-ws-concurrent-write
  }

private:
  void tick() {
    line_ = std::make_shared<const std::string>(json{{"entrance_mm", level_mm_}}.dump());
    ws_.async_write(net::buffer(*line_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return self->stop();
      self->last_ok_ = std::chrono::steady_clock::now();
      self->tick_.expires_after(5s);
      self->tick_.async_wait([self](beast::error_code tec) {
        if (!tec)
          self->tick();
      });
    });
  }

  void keepalive() {
    keepalive_.expires_after(10s);
    keepalive_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      self->ws_.async_ping({}, [](beast::error_code) {}); // expect: errorshield-ws-concurrent-write
      self->keepalive();
    });
  }

  void watch() {
    watchdog_.expires_after(30s);
    watchdog_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      if (std::chrono::steady_clock::now() - self->last_ok_ > 30s)
        return self->stop();
      self->watch();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  net::steady_timer tick_;
  net::steady_timer keepalive_;
  net::steady_timer watchdog_;
  Frame line_;
  int level_mm_ = 0;
  std::chrono::steady_clock::time_point last_ok_ = std::chrono::steady_clock::now();
};

class GaugeHub {
public:
  GaugeHub(net::io_context& ioc, unsigned short udp_port, int surge_mm)
      : udp_(ioc, udp::endpoint(udp::v4(), udp_port)), surge_mm_(surge_mm) {}

  void add(std::shared_ptr<Subscriber> s) {
    for (const auto& f : backlog_)
      s->enqueue(f);
    subs_.push_back(std::move(s));
  }

  void attach_display(std::shared_ptr<HarbourDisplay> d) { display_ = std::move(d); }

  void listen() {
    udp_.async_receive_from(net::buffer(dgram_), from_, [this](beast::error_code ec, std::size_t n) {
      if (!ec)
        on_datagram(std::string(dgram_.data(), n));
      listen();
    });
  }

  void shutdown() {
    for (auto& s : subs_)
      s->close();
    if (display_)
      display_->stop();
  }

private:
  void on_datagram(const std::string& text) {
    TideReading r;
    std::istringstream in(text);
    std::string field;
    std::getline(in, r.gauge, ',');
    if (std::getline(in, field, ','))
      r.epoch = std::stoll(field);
    if (std::getline(in, field, ','))
      r.level_mm = std::stoi(field);
    if (std::getline(in, field, ','))
      r.sigma_mm = std::stoi(field);

    auto ack = std::make_shared<std::string>("ACK " + r.gauge + "\n");
    udp_.async_send_to(net::buffer(*ack), from_, [ack](beast::error_code, std::size_t) {});

    auto frame = std::make_shared<const std::string>(
        json{{"type", "level"}, {"gauge", r.gauge}, {"t", r.epoch}, {"mm", r.level_mm}, {"sigma", r.sigma_mm}}
            .dump());
    backlog_.push_back(frame);
    if (backlog_.size() > 240)
      backlog_.pop_front();

    for (auto& s : subs_) {
      s->note_level(r);
      s->enqueue(frame);
    }
    if (display_ && r.gauge == "ENTRANCE")
      display_->set_level(r.level_mm);

    if (r.level_mm >= surge_mm_)
      raise_surge_alarm(r);
  }

  void raise_surge_alarm(const TideReading& r) {
    auto alarm = std::make_shared<const std::string>(
        json{{"type", "surge"}, {"gauge", r.gauge}, {"mm", r.level_mm}, {"threshold", surge_mm_}}.dump());
    for (auto& s : subs_)
      push_json(s->ws(), alarm, [alarm](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
  }

  udp::socket udp_;
  udp::endpoint from_;
  std::array<char, 512> dgram_{};
  int surge_mm_;
  std::deque<Frame> backlog_;
  std::vector<std::shared_ptr<Subscriber>> subs_;
  std::shared_ptr<HarbourDisplay> display_;
};

void accept_dashboards(tcp::acceptor& acc, GaugeHub& hub) {
  acc.async_accept([&acc, &hub](beast::error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<Subscriber>(std::move(s))->start([&hub](std::shared_ptr<Subscriber> sub) { hub.add(std::move(sub)); });
    accept_dashboards(acc, hub);
  });
}
