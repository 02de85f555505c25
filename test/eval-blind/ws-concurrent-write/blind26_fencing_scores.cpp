// checks: errorshield-ws-concurrent-write
// Fencing tournament scoreboard: piste scoring boxes push touches, referees'
// tablets and the arena display subscribe to bout updates over WebSocket.
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

namespace fencing {

struct Bout {
  int piste = 0;
  std::string left, right;
  int left_score = 0, right_score = 0;
  std::string to_json() const {
    return json{{"piste", piste}, {"left", left}, {"right", right}, {"score", {left_score, right_score}}}.dump();
  }
};

// Arena display: proper outbound queue, one write at a time.
class DisplaySession : public std::enable_shared_from_this<DisplaySession> {
 public:
  explicit DisplaySession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read();
    });
  }

  void send(std::shared_ptr<const std::string> msg) {
    outbox_.push_back(std::move(msg));
    if (outbox_.size() > 1) return;
    write_front();
  }

 private:
  void write_front() {
    ws_.async_write(net::buffer(*outbox_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->outbox_.pop_front();
      if (!self->outbox_.empty()) self->write_front();
    });
  }

  void read() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->in_.consume(self->in_.size());
      self->read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  std::deque<std::shared_ptr<const std::string>> outbox_;
};

// Referee tablet: receives every touch and the periodic clock.
class RefereeSession : public std::enable_shared_from_this<RefereeSession> {
 public:
  RefereeSession(tcp::socket s, net::io_context& ioc) : ws_(std::move(s)), clock_(ioc) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->tick();
      self->read();
    });
  }

  void push_touch(const Bout& b) {
    auto msg = std::make_shared<std::string>(b.to_json());
    ws_.async_write(net::buffer(*msg), [msg, self = shared_from_this()](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
  }

 private:
  void tick() {
    clock_.expires_after(1s);
    clock_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->clock_msg_ = json{{"clock", --self->remaining_}}.dump();
      self->ws_.async_write(net::buffer(self->clock_msg_), [self](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
      self->tick();
    });
  }

  void read() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      // referee tapped "card" - confirm it back and ping so the tablet knows we're alive
      self->ack_ = beast::buffers_to_string(self->in_.data());
      self->in_.consume(self->in_.size());
      self->ws_.async_ping({}, [](beast::error_code) {});
      self->read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  net::steady_timer clock_;
  beast::flat_buffer in_;
  std::string clock_msg_, ack_;
  int remaining_ = 180;
};

// Scoring box on a piste: sends a touch, then a light-state update.
class ScoringBoxLink {
 public:
  explicit ScoringBoxLink(tcp::socket s) : ws_(std::move(s)) {}

  void report_double_touch(const Bout& b) {
    touch_ = b.to_json();
    lights_ = R"({"lights":["red","green"]})";
    ws_.async_write(net::buffer(touch_), [](beast::error_code, std::size_t) {});
    ws_.async_write(net::buffer(lights_), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
  }

  void report_single_touch(const Bout& b) {
    touch_ = b.to_json();
    lights_ = R"({"lights":["red"]})";
    ws_.async_write(net::buffer(touch_), [this](beast::error_code ec, std::size_t) {
      if (ec) return;
      ws_.async_write(net::buffer(lights_), [](beast::error_code, std::size_t) {});
    });
  }

  void replay(const std::vector<std::string>& history) {
    for (const auto& line : history)
      ws_.async_write(net::buffer(line), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
  }

 private:
  websocket::stream<beast::tcp_stream> ws_;
  std::string touch_, lights_;
};

// Coroutine sessions for the results office.
net::awaitable<void> results_session(tcp::socket sock, std::vector<Bout> pool) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_accept(net::use_awaitable);
  ws.text(true);
  // header first, then each bout in order
  co_await ws.async_write(net::buffer(std::string(R"({"pool":"A"})")), net::use_awaitable);
  for (const auto& b : pool) co_await ws.async_write(net::buffer(b.to_json()), net::use_awaitable);
  beast::flat_buffer buf;
  co_await ws.async_read(buf, net::use_awaitable);
}

template <class Stream>
net::awaitable<void> send_ranking(websocket::stream<Stream>& ws, std::string ranking) {
  co_await ws.async_write(net::buffer(ranking), net::use_awaitable);
}

net::awaitable<void> federation_feed(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_accept(net::use_awaitable);
  auto ex = co_await net::this_coro::executor;
  net::co_spawn(ex, send_ranking(ws, R"({"ranking":"senior-men"})"), net::detached);
  net::co_spawn(ex, send_ranking(ws, R"({"ranking":"senior-women"})"), net::detached); // expect: errorshield-ws-concurrent-write
  net::steady_timer hold(ex, 10s);
  co_await hold.async_wait(net::use_awaitable);
}

// Hub that fans touches out to every subscriber.
class Hub {
 public:
  void join(std::shared_ptr<DisplaySession> d) { displays_.insert(std::move(d)); }
  void join(std::shared_ptr<RefereeSession> r) { referees_.insert(std::move(r)); }

  void publish(const Bout& b) {
    auto msg = std::make_shared<const std::string>(b.to_json());
    for (auto& d : displays_) d->send(msg);
    for (auto& r : referees_) r->push_touch(b);
  }

 private:
  std::set<std::shared_ptr<DisplaySession>> displays_;
  std::set<std::shared_ptr<RefereeSession>> referees_;
};

}  // namespace fencing

int main() {
  net::io_context ioc;
  fencing::Hub hub;
  tcp::acceptor acc(ioc, {tcp::v4(), 8650});
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    for (int n = 0;; ++n) {
      auto s = co_await acc.async_accept(net::use_awaitable);
      if (n % 3 == 0) {
        auto d = std::make_shared<fencing::DisplaySession>(std::move(s));
        d->start();
        hub.join(d);
      } else if (n % 3 == 1) {
        auto r = std::make_shared<fencing::RefereeSession>(std::move(s), ioc);
        r->start();
        hub.join(r);
      } else {
        net::co_spawn(ioc, fencing::federation_feed(std::move(s)), net::detached);
      }
    }
  }, net::detached);
  hub.publish(fencing::Bout{3, "Dupont", "Rossi", 5, 4});
  ioc.run();
}
