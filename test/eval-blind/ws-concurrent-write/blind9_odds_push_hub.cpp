// checks: errorshield-ws-concurrent-write
// Sports-betting odds push: the trading desk publishes price changes for live
// markets, every subscribed punter session gets them over WebSocket. Sessions
// also accept bet slips and reply with acknowledgements.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

using shared_msg = std::shared_ptr<const std::string>;

class punter_session;

class odds_hub {
public:
  void join(const std::shared_ptr<punter_session>& s) { sessions_.insert(s); }
  void leave(const std::shared_ptr<punter_session>& s) { sessions_.erase(s); }
  void publish_price(const std::string& market, int price_num, int price_den);
  void suspend_market(const std::string& market);

private:
  std::set<std::shared_ptr<punter_session>> sessions_;
};

class punter_session : public std::enable_shared_from_this<punter_session> {
public:
  punter_session(tcp::socket s, odds_hub& hub)
      : ws_(std::move(s)), hub_(hub), keepalive_(ws_.get_executor()) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(8 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->send_snapshot();
    });
  }

  // Regular price updates go through the per-session queue.
  void deliver(shared_msg m) {
    const bool idle = queue_.empty();
    queue_.push_back(std::move(m));
    if (idle) write_front();
  }

  // Market-level events jump the queue so punters stop betting immediately.
  void deliver_urgent(shared_msg m) {
    queue_.push_front(m);
    if (queue_.size() >= 1)
      ws_.async_write(asio::buffer(*queue_.front()), beast::bind_front_handler(&punter_session::on_write, shared_from_this())); // expect: errorshield-ws-concurrent-write
  }

  websocket::stream<beast::tcp_stream>& stream() { return ws_; }

private:
  // Snapshot first, then start reading and pinging once it is on the wire:
  // the second write is started from the completion of the first, and the
  // session only joins the hub (and gets price pushes) after both are done.
  void send_snapshot() {
    auto snap = std::make_shared<std::string>(R"({"type":"snapshot","markets":[]})");
    ws_.async_write(asio::buffer(*snap), [self = shared_from_this(), snap](beast::error_code ec, std::size_t) {
      if (ec) return;
      auto hello = std::make_shared<std::string>(R"({"type":"ready"})");
      self->ws_.async_write(asio::buffer(*hello), [self, hello](beast::error_code ec2, std::size_t) {
        if (ec2) return;
        self->hub_.join(self);
        self->read_slip();
        self->arm_keepalive();
      });
    });
  }

  void write_front() {
    ws_.async_write(asio::buffer(*queue_.front()),
                    beast::bind_front_handler(&punter_session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return hub_.leave(shared_from_this());
    queue_.pop_front();
    if (!queue_.empty()) write_front();
  }

  void read_slip() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->hub_.leave(self);
      self->on_slip(json::parse(beast::buffers_to_string(self->in_.data()), nullptr, false));
      self->in_.consume(self->in_.size());
      self->read_slip();
    });
  }

  void on_slip(const json& slip) {
    if (slip.is_discarded()) return;
    json ack{{"type", "slip_ack"}, {"slip", slip.value("id", "")}, {"accepted", true}};
    if (slip.value("in_play", false)) {
      // in-play bets need the ack before the 5 s acceptance delay runs out
      ack_buf_ = ack.dump();
      ws_.async_write(asio::buffer(ack_buf_), [self = shared_from_this()](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
      return;
    }
    deliver(std::make_shared<const std::string>(ack.dump()));
  }

  // Keep-alive: pings are control frames, Beast lets one ping run alongside a
  // pending message write; ping_pending_ keeps pings from overlapping each other.
  void arm_keepalive() {
    keepalive_.expires_after(15s);
    keepalive_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      if (!self->ping_pending_) {
        self->ping_pending_ = true;
        self->ws_.async_ping({}, [self](beast::error_code) { self->ping_pending_ = false; });
      }
      if (self->queue_.empty() && ++self->idle_ticks_ % 4 == 0) {
        // app-level heartbeat for browser clients that hide pings from JS
        self->hb_buf_ = R"({"type":"hb"})";
        self->ws_.async_write(asio::buffer(self->hb_buf_), [self](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
      }
      self->arm_keepalive();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  odds_hub& hub_;
  asio::steady_timer keepalive_;
  beast::flat_buffer in_;
  std::deque<shared_msg> queue_;
  std::string ack_buf_, hb_buf_;
  bool ping_pending_ = false;
  unsigned idle_ticks_ = 0;
};

void odds_hub::publish_price(const std::string& market, int num, int den) {
  auto m = std::make_shared<const std::string>(
      json{{"type", "price"}, {"market", market}, {"num", num}, {"den", den}}.dump());
  for (auto& s : sessions_) s->deliver(m);  // each session queues its own copy
}

void odds_hub::suspend_market(const std::string& market) {
  auto m = std::make_shared<const std::string>(
      json{{"type", "suspended"}, {"market", market}}.dump());
  for (auto& s : sessions_) {
    if (market.rfind("live:", 0) == 0) {
      s->deliver_urgent(m);
    } else {
      // pre-match suspensions are less time-critical; write straight out
      s->stream().async_write(asio::buffer(*m), [m, s](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
    }
  }
}

// Trading desk feed: a plain TCP line protocol; each line triggers a publish.
class desk_feed : public std::enable_shared_from_this<desk_feed> {
public:
  desk_feed(tcp::socket s, odds_hub& hub) : sock_(std::move(s)), hub_(hub) {}

  void start() { read_line(); }

private:
  void read_line() {
    asio::async_read_until(sock_, line_, '\n', [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec) return;
      std::string l(asio::buffers_begin(self->line_.data()), asio::buffers_begin(self->line_.data()) + n);
      self->line_.consume(n);
      if (l.rfind("SUSP ", 0) == 0) self->hub_.suspend_market(l.substr(5, l.size() - 6));
      else self->hub_.publish_price(l.substr(0, l.find(' ')), 11, 4);
      // confirm receipt; the next read only starts after the confirmation is written
      self->confirm_ = "OK\n";
      asio::async_write(self->sock_, asio::buffer(self->confirm_), [self](beast::error_code ec2, std::size_t) {
        if (!ec2) self->read_line();
      });
    });
  }

  tcp::socket sock_;
  odds_hub& hub_;
  asio::streambuf line_;
  std::string confirm_;
};

int main() {
  asio::io_context ioc;
  odds_hub hub;
  tcp::acceptor punters(ioc, {tcp::v4(), 9001});
  tcp::acceptor desk(ioc, {asio::ip::make_address("127.0.0.1"), 9100});

  std::function<void()> accept_punter = [&] {
    punters.async_accept([&](beast::error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<punter_session>(std::move(s), hub)->start();
      accept_punter();
    });
  };
  desk.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec) std::make_shared<desk_feed>(std::move(s), hub)->start();
  });
  accept_punter();
  ioc.run();  // single io thread: the hub's set needs no lock
}
