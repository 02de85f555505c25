// checks: errorshield-ws-concurrent-write
// Bike courier dispatch board. Dispatchers' screens and riders' phones keep a
// WebSocket open; the board pushes new jobs, job claims and rider positions.
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

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace dispatch {

struct Job {
  std::string id;
  std::string pickup;
  std::string dropoff;
  int zone = 0;
  bool rush = false;
};

json job_json(const Job& j) {
  return json{{"type", "job"}, {"id", j.id}, {"pickup", j.pickup}, {"dropoff", j.dropoff},
              {"zone", j.zone}, {"rush", j.rush}};
}

// Dispatcher screen: queued writes, one in flight at a time.
class DispatcherScreen : public std::enable_shared_from_this<DispatcherScreen> {
public:
  explicit DispatcherScreen(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read_loop();
    });
  }

  void send(std::string msg) {
    net::post(ws_.get_executor(), [self = shared_from_this(), msg = std::move(msg)]() mutable {
      self->queue_.push_back(std::move(msg));
      if (self->queue_.size() == 1)
        self->write_next();
    });
  }

private:
  void write_next() {
    ws_.async_write(net::buffer(queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->queue_.pop_front();
      if (!self->queue_.empty())
        self->write_next();
    });
  }

  void read_loop() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->in_.consume(self->in_.size());
      self->read_loop();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  std::deque<std::string> queue_;
};

// Rider phone session.
class RiderSession : public std::enable_shared_from_this<RiderSession> {
public:
  explicit RiderSession(tcp::socket s) : ws_(std::move(s)), ping_(ws_.get_executor()) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) {
        self->read_loop();
        self->arm_keepalive();
      }
    });
  }

private:
  void read_loop() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      auto msg = json::parse(beast::buffers_to_string(self->in_.data()), nullptr, false);
      self->in_.consume(self->in_.size());
      if (msg.is_discarded() || msg.value("type", "") != "claim")
        return self->read_loop();
      // Confirm the claim to the rider, then echo the updated board.
      auto ack = std::make_shared<std::string>(json{{"type", "claimed"}, {"id", msg["id"]}}.dump());
      auto board = std::make_shared<std::string>(json{{"type", "board"}, {"open", 7}}.dump());
      self->ws_.async_write(net::buffer(*ack), [self, ack](beast::error_code, std::size_t) {});
      self->ws_.async_write(net::buffer(*board), [self, board](beast::error_code ec2, std::size_t) { // expect: errorshield-ws-concurrent-write
        if (!ec2)
          self->read_loop();
      });
    });
  }

  // Keep NAT mappings on mobile networks alive; pings may overlap a data write.
  void arm_keepalive() {
    ping_.expires_after(15s);
    ping_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      self->ws_.async_ping({}, [self](beast::error_code ec2) {
        if (!ec2)
          self->arm_keepalive();
      });
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  net::steady_timer ping_;
  beast::flat_buffer in_;
};

// Batch flush for reconnecting riders: replays everything they missed.
template <class NextLayer>
void replay_missed(websocket::stream<NextLayer>& ws, const std::vector<std::string>& missed) {
  for (const auto& m : missed) {
    ws.async_write(net::buffer(m), [](beast::error_code ec, std::size_t) { // expect: errorshield-ws-concurrent-write
      if (ec)
        std::clog << "replay failed: " << ec.message() << "\n";
    });
  }
}

// Same replay, written as a coroutine: each write completes before the next.
net::awaitable<void> replay_missed_co(websocket::stream<beast::tcp_stream>& ws, std::vector<std::string> missed) {
  for (const auto& m : missed)
    co_await ws.async_write(net::buffer(m), net::use_awaitable);
}

// Rush-job alert: header frame then the job itself, chained.
void rush_alert(websocket::stream<beast::tcp_stream>& ws, std::shared_ptr<std::string> hdr,
                std::shared_ptr<std::string> body) {
  ws.async_write(net::buffer(*hdr), [&ws, hdr, body](beast::error_code ec, std::size_t) {
    if (ec)
      return;
    ws.async_write(net::buffer(*body), [hdr, body](beast::error_code, std::size_t) {});
  });
}

// Zone change: tell the rider, and immediately push the new zone's jobs.
void zone_change(websocket::stream<beast::tcp_stream>& ws, std::shared_ptr<std::string> notice,
                 std::shared_ptr<std::string> jobs) {
  ws.async_write(net::buffer(*notice), [notice](beast::error_code, std::size_t) {});
  ws.async_write(net::buffer(*jobs), [jobs](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
}

// Big-screen board in the depot: positions and new jobs on one socket,
// written from a single loop.
net::awaitable<void> depot_board(tcp::socket s, std::shared_ptr<std::deque<Job>> jobs) {
  websocket::stream<beast::tcp_stream> ws(std::move(s));
  co_await ws.async_accept(net::use_awaitable);
  net::steady_timer t(co_await net::this_coro::executor);
  for (;;) {
    while (!jobs->empty()) {
      std::string body = job_json(jobs->front()).dump();
      jobs->pop_front();
      co_await ws.async_write(net::buffer(body), net::use_awaitable);
    }
    std::string pos = json{{"type", "positions"}, {"riders", json::array()}}.dump();
    co_await ws.async_write(net::buffer(pos), net::use_awaitable);
    t.expires_after(1s);
    co_await t.async_wait(net::use_awaitable);
  }
}

// Start of shift: greet the rider, then send today's zone map.
net::awaitable<void> shift_start(websocket::stream<beast::tcp_stream>& ws, std::string rider) {
  static const std::string greeting = R"({"type":"hello"})";
  ws.async_write(net::buffer(greeting), net::detached);
  std::string zones = json{{"type", "zones"}, {"rider", rider}, {"zones", {1, 2, 5}}}.dump();
  co_await ws.async_write(net::buffer(zones), net::use_awaitable); // expect: errorshield-ws-concurrent-write
}

// Fan-out to every dispatcher screen (each screen queues its own writes).
void broadcast(const std::set<std::shared_ptr<DispatcherScreen>>& screens, const Job& j) {
  const std::string msg = job_json(j).dump();
  for (const auto& s : screens)
    s->send(msg);
}

} // namespace dispatch

int main() {
  net::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 8090});
  acc.async_accept([](beast::error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<dispatch::RiderSession>(std::move(s))->start();
  });
  websocket::stream<beast::tcp_stream> depot(ioc);
  std::vector<std::string> missed{"a", "b"};
  dispatch::replay_missed(depot, missed);
  ioc.run();
}
