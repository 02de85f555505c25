// checks: errorshield-ws-concurrent-write
// Video Assistant Referee review room. The VAR console, the on-field
// referee's monitor and the broadcaster's graphics feed are connected over
// WebSocket. Incidents (offside, penalty, red card) are checked, replay angles
// are pushed to the monitor and the final decision goes to everyone.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace var {

struct Incident {
  int minute = 0;
  std::string kind;  // "offside", "penalty", "red_card"
  std::vector<std::string> angles;
};

inline std::string decision_text(const Incident& i, bool overturned) {
  return json{{"minute", i.minute}, {"kind", i.kind}, {"overturned", overturned}}.dump();
}

// ---------------------------------------------------------------------------
// Referee monitor session: messages are queued so only one write is ever
// outstanding on the stream.
class RefereeMonitor : public std::enable_shared_from_this<RefereeMonitor> {
 public:
  explicit RefereeMonitor(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->ping_loop();
    });
  }

  void send(std::string msg) {
    queue_.push_back(std::move(msg));
    if (queue_.size() > 1) return;
    write_front();
  }

 private:
  void write_front() {
    ws_.async_write(asio::buffer(queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->queue_.pop_front();
      if (!self->queue_.empty()) self->write_front();
    });
  }

  void ping_loop() {
    ws_.async_ping({}, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      auto t = std::make_shared<asio::steady_timer>(self->ws_.get_executor(), 10s);
      t->async_wait([self, t](beast::error_code) { self->ping_loop(); });
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::deque<std::string> queue_;
};

// ---------------------------------------------------------------------------
// VAR operator console. The operator sends "check", "angle N", "decide".
class VarConsole : public std::enable_shared_from_this<VarConsole> {
 public:
  VarConsole(tcp::socket s, std::shared_ptr<RefereeMonitor> ref, asio::io_context& ioc)
      : ws_(std::move(s)), ref_(std::move(ref)), clock_(ioc) {}

  void start() {
    ws_.read_message_max(16 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->read();
      self->clock_tick();
    });
  }

 private:
  // Status line to the console; called from the read path and from the clock.
  void push_status(std::string s) {
    status_ = std::move(s);
    ws_.async_write(asio::buffer(status_), [](beast::error_code, std::size_t) {});  // expect: errorshield-ws-concurrent-write
  }

  void clock_tick() {
    clock_.expires_after(1s);
    clock_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->push_status("{\"review_seconds\":" + std::to_string(++self->elapsed_) + "}");
      self->clock_tick();
    });
  }

  void read() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      std::string cmd = beast::buffers_to_string(self->in_.data());
      self->in_.consume(self->in_.size());
      self->on_command(cmd);
      self->read();
    });
  }

  void on_command(const std::string& cmd) {
    if (cmd == "check") {
      push_status("{\"state\":\"checking\"}");
    } else if (cmd == "decide") {
      current_.kind = "penalty";
      verdict_ = decision_text(current_, true);
      clock_.cancel();
      ref_->send(verdict_);
      ref_->send("{\"action\":\"on_field_review\"}");
    }
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::shared_ptr<RefereeMonitor> ref_;
  asio::steady_timer clock_;
  beast::flat_buffer in_;
  std::string status_, verdict_;
  Incident current_;
  int elapsed_ = 0;
};

// ---------------------------------------------------------------------------
// Assistant VAR (offside lines). Each request gets the calibrated line image
// reference followed by the verdict.
struct OffsideDesk {
  websocket::stream<tcp::socket> ws;
  beast::flat_buffer in;
  std::string line_ref, verdict;
  explicit OffsideDesk(tcp::socket s) : ws(std::move(s)) {}
};

void offside_desk_read(std::shared_ptr<OffsideDesk> d) {
  d->ws.async_read(d->in, [d](beast::error_code ec, std::size_t) {
    if (ec) return;
    std::string frame = beast::buffers_to_string(d->in.data());
    d->in.consume(d->in.size());
    d->line_ref = "{\"lines\":\"" + frame + ".png\"}";
    d->verdict = "{\"offside\":true,\"margin_cm\":3}";
    d->ws.async_write(asio::buffer(d->line_ref), [](beast::error_code, std::size_t) {});
    d->ws.async_write(asio::buffer(d->verdict), [d](beast::error_code ec2, std::size_t) {  // expect: errorshield-ws-concurrent-write
      if (!ec2) offside_desk_read(d);
    });
  });
}

// ---------------------------------------------------------------------------
// Replay-angle push to the review area screen.
void push_angles(websocket::stream<tcp::socket>& screen, const Incident& inc) {
  for (const auto& angle : inc.angles) {
    screen.async_write(asio::buffer(angle), [](beast::error_code ec, std::size_t) {  // expect: errorshield-ws-concurrent-write
      if (ec) std::cerr << "angle push failed: " << ec.message() << "\n";
    });
  }
}

// Same screen, angles sent one after another.
void push_angles_chained(std::shared_ptr<websocket::stream<tcp::socket>> screen,
                         std::shared_ptr<Incident> inc, std::size_t idx = 0) {
  if (idx >= inc->angles.size()) return;
  screen->async_write(asio::buffer(inc->angles[idx]), [screen, inc, idx](beast::error_code ec, std::size_t) {
    if (!ec) push_angles_chained(screen, inc, idx + 1);
  });
}

// ---------------------------------------------------------------------------
// Broadcaster graphics feed (coroutines).
asio::awaitable<void> broadcaster_feed(websocket::stream<tcp::socket>& feed, Incident inc) {
  std::string banner = "{\"graphic\":\"VAR CHECK\",\"kind\":\"" + inc.kind + "\"}";
  std::string clock = "{\"minute\":" + std::to_string(inc.minute) + "}";
  feed.async_write(asio::buffer(banner), asio::detached);
  co_await feed.async_write(asio::buffer(clock), asio::use_awaitable);  // expect: errorshield-ws-concurrent-write
}

asio::awaitable<void> broadcaster_decision(websocket::stream<tcp::socket>& feed, Incident inc, bool overturned) {
  std::string banner = "{\"graphic\":\"DECISION\"}";
  std::string detail = decision_text(inc, overturned);
  co_await feed.async_write(asio::buffer(banner), asio::use_awaitable);
  co_await feed.async_write(asio::buffer(detail), asio::use_awaitable);
}

// Stadium big screen and broadcaster each get the decision at once.
void announce_everywhere(websocket::stream<tcp::socket>& big_screen,
                         websocket::stream<tcp::socket>& broadcaster, const std::string& text) {
  big_screen.async_write(asio::buffer(text), [](beast::error_code, std::size_t) {});
  broadcaster.async_write(asio::buffer(text), [](beast::error_code, std::size_t) {});
}

// Match-official radio bridge: header frame, then audio clip reference.
template <class Stream>
void radio_note(websocket::stream<Stream>& ws, const std::string& header, const std::string& clip) {
  ws.async_write(asio::buffer(header), [](beast::error_code, std::size_t) {});
  ws.async_write(asio::buffer(clip), [](beast::error_code, std::size_t) {});  // expect: errorshield-ws-concurrent-write
}

// Fourth official's tablet: reads substitutions while a write is pending.
void fourth_official(std::shared_ptr<websocket::stream<tcp::socket>> ws,
                     std::shared_ptr<beast::flat_buffer> buf, std::shared_ptr<std::string> out) {
  *out = "{\"added_time\":4}";
  ws->async_write(asio::buffer(*out), [ws, out](beast::error_code, std::size_t) {});
  ws->async_read(*buf, [ws, buf](beast::error_code ec, std::size_t) {
    if (!ec) std::clog << "sub: " << beast::buffers_to_string(buf->data()) << "\n";
  });
}

}  // namespace var

int main() {
  asio::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 9300});
  auto ref_sock = acc.accept();
  auto ref = std::make_shared<var::RefereeMonitor>(std::move(ref_sock));
  ref->start();
  auto console_sock = acc.accept();
  std::make_shared<var::VarConsole>(std::move(console_sock), ref, ioc)->start();

  websocket::stream<tcp::socket> feed(acc.accept());
  feed.accept();
  var::Incident inc{67, "offside", {"cam12", "cam14", "spidercam"}};
  asio::co_spawn(ioc, var::broadcaster_decision(feed, inc, false), asio::detached);
  ioc.run();
}
