// checks: errorshield-ws-concurrent-write
// Dialysis clinic chair monitor: each treatment chair's machine streams vitals
// (blood flow, venous pressure, UF rate) to nurse-station dashboards over WebSocket.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace clinic {

struct Vitals {
  int chair = 0;
  int blood_flow_ml_min = 0;
  int venous_mmHg = 0;
  double uf_rate_l_h = 0.0;
};

std::string to_text(const Vitals& v) {
  return json{{"chair", v.chair}, {"qb", v.blood_flow_ml_min}, {"vp", v.venous_mmHg}, {"uf", v.uf_rate_l_h}}.dump();
}

// Dashboard at the nurse station. Outgoing messages are queued so that only
// one write is ever outstanding on the stream.
class NurseDashboard : public std::enable_shared_from_this<NurseDashboard> {
public:
  explicit NurseDashboard(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->ws_.text(true);
    });
  }

  void deliver(std::string msg) {
    net::post(ws_.get_executor(), [self = shared_from_this(), msg = std::move(msg)]() mutable {
      self->outbox_.push_back(std::move(msg));
      if (self->outbox_.size() > 1) return;  // a write is already running
      self->write_front();
    });
  }

private:
  void write_front() {
    ws_.async_write(net::buffer(outbox_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->outbox_.pop_front();
      if (!self->outbox_.empty()) self->write_front();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::deque<std::string> outbox_;
};

// Chair-side tablet: shows the live session, lets the nurse adjust blood flow.
class ChairTablet : public std::enable_shared_from_this<ChairTablet> {
public:
  ChairTablet(tcp::socket s, int chair) : ws_(std::move(s)), tick_(ws_.get_executor()), chair_(chair) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->read_buttons();
      self->schedule_tick();
    });
  }

  // Called from the alarm engine whenever venous pressure goes out of range.
  void raise_alarm(const std::string& what) {
    alarm_ = json{{"alarm", what}, {"chair", chair_}}.dump();
    ws_.async_write(net::buffer(alarm_), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
  }

private:
  void schedule_tick() {
    tick_.expires_after(1s);
    tick_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->frame_ = to_text(self->latest_);
      self->ws_.async_write(net::buffer(self->frame_), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
      self->schedule_tick();
    });
  }

  void read_buttons() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      auto j = json::parse(beast::buffers_to_string(self->in_.data()), nullptr, false);
      self->in_.consume(self->in_.size());
      if (!j.is_discarded() && j.contains("qb")) self->latest_.blood_flow_ml_min = j["qb"].get<int>();
      self->read_buttons();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  net::steady_timer tick_;
  beast::flat_buffer in_;
  int chair_;
  Vitals latest_;
  std::string alarm_, frame_;
};

// Pre/post-treatment weight scale: the nurse weighs the patient, the scale
// posts the reading and gets back an ack plus the target UF volume.
class ScaleStation : public std::enable_shared_from_this<ScaleStation> {
public:
  explicit ScaleStation(websocket::stream<beast::tcp_stream> ws) : ws_(std::move(ws)) {}

  void run() { read_weight(); }

private:
  void read_weight() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->in_.consume(self->in_.size());
      self->ack_ = R"({"ack":true})";
      self->ws_.async_write(net::buffer(self->ack_), [](beast::error_code, std::size_t) {});
      self->target_ = R"({"uf_target_l":2.4})";
      self->ws_.async_write(net::buffer(self->target_), [self](beast::error_code ec, std::size_t) { // expect: errorshield-ws-concurrent-write
        if (!ec) self->read_weight();
      });
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  std::string ack_, target_;
};

// End-of-treatment summary for the charge nurse: sent in order, one after the other.
net::awaitable<void> send_summary(websocket::stream<beast::tcp_stream>& ws, std::vector<Vitals> samples) {
  std::string header = R"({"summary":"begin"})";
  co_await ws.async_write(net::buffer(header), net::use_awaitable);
  for (auto& v : samples) {
    std::string line = to_text(v);
    co_await ws.async_write(net::buffer(line), net::use_awaitable);
  }
  std::string trailer = R"({"summary":"end"})";
  co_await ws.async_write(net::buffer(trailer), net::use_awaitable);
}

// Backlog replay after a dashboard reconnects.
template <class Stream>
void replay_backlog(websocket::stream<Stream>& ws, const std::vector<std::string>& backlog) {
  for (const auto& m : backlog)
    ws.async_write(net::buffer(m), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
}

// Biomed technician link: firmware status plus a heartbeat.
net::awaitable<void> biomed_link(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_accept(net::use_awaitable);
  std::string status = R"({"fw":"4.2.1","pump":"ok"})";
  std::string beat = R"({"hb":1})";
  ws.async_write(net::buffer(status), net::detached);
  co_await ws.async_write(net::buffer(beat), net::use_awaitable); // expect: errorshield-ws-concurrent-write
  beast::flat_buffer buf;
  co_await ws.async_read(buf, net::use_awaitable);
}

// Shift handover: write the patient list, then the open alarms in the completion.
class HandoverSession : public std::enable_shared_from_this<HandoverSession> {
public:
  explicit HandoverSession(websocket::stream<beast::tcp_stream> ws) : ws_(std::move(ws)) {}

  void send(std::string patients, std::string alarms) {
    patients_ = std::move(patients);
    alarms_ = std::move(alarms);
    ws_.async_write(net::buffer(patients_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->ws_.async_write(net::buffer(self->alarms_), [self](beast::error_code, std::size_t) {});
    });
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
  std::string patients_, alarms_;
};

// Fan-out hub: each dashboard has its own stream and its own queue.
class Hub {
public:
  void join(std::shared_ptr<NurseDashboard> d) { dashboards_.insert(std::move(d)); }
  void leave(const std::shared_ptr<NurseDashboard>& d) { dashboards_.erase(d); }

  void publish(const Vitals& v) {
    auto text = to_text(v);
    for (auto& d : dashboards_) d->deliver(text);
  }

private:
  std::set<std::shared_ptr<NurseDashboard>> dashboards_;
};

}  // namespace clinic

int main() {
  net::io_context ioc;
  clinic::Hub hub;
  tcp::acceptor dash_acc(ioc, {tcp::v4(), 9300});
  tcp::acceptor chair_acc(ioc, {tcp::v4(), 9301});

  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    for (;;) {
      auto s = co_await dash_acc.async_accept(net::use_awaitable);
      auto d = std::make_shared<clinic::NurseDashboard>(std::move(s));
      d->start();
      hub.join(d);
    }
  }, net::detached);

  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    int next_chair = 1;
    for (;;) {
      auto s = co_await chair_acc.async_accept(net::use_awaitable);
      std::make_shared<clinic::ChairTablet>(std::move(s), next_chair++)->start();
    }
  }, net::detached);

  ioc.run();
}
