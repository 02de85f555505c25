// checks: errorshield-ws-concurrent-write
// Ski area lift status board. Lift huts report state changes (open, slow,
// wind hold, closed); the server fans them out to the base-area screens,
// the ops console and the mobile app gateway.
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using ws_t = websocket::stream<beast::tcp_stream>;
using namespace net::experimental::awaitable_operators;

enum class LiftState { open, slow, wind_hold, closed };

struct LiftStatus {
  std::string lift;
  LiftState state = LiftState::closed;
  int wait_min = 0;
};

static std::string to_wire(const LiftStatus& s) {
  static const char* names[] = {"open", "slow", "wind_hold", "closed"};
  return json{{"lift", s.lift}, {"state", names[static_cast<int>(s.state)]}, {"wait", s.wait_min}}.dump();
}

// Base-area screen. Updates are funnelled through a strand so the handlers
// never run in parallel.
class ScreenFeed : public std::enable_shared_from_this<ScreenFeed> {
public:
  explicit ScreenFeed(tcp::socket s) : ws_(std::move(s)), strand_(ws_.get_executor()) {}

  void publish(const LiftStatus& st) {
    auto msg = std::make_shared<std::string>(to_wire(st));
    net::post(strand_, [self = shared_from_this(), msg] {
      self->ws_.async_write(net::buffer(*msg), [self, msg](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
    });
  }

  // Ops asked for a manual "flush everything" button; it reuses the backlog.
  void flush_backlog() {
    while (!backlog_.empty()) {
      auto msg = std::make_shared<std::string>(std::move(backlog_.front()));
      backlog_.pop_front();
      ws_.async_write(net::buffer(*msg), [msg](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
    }
  }

  void remember(const LiftStatus& st) { backlog_.push_back(to_wire(st)); }

private:
  ws_t ws_;
  net::strand<ws_t::executor_type> strand_;
  std::deque<std::string> backlog_;
};

// Mobile app gateway link: proper single-writer queue, plus a keepalive ping
// that may overlap a data write (ping is its own slot on the stream).
class GatewayLink : public std::enable_shared_from_this<GatewayLink> {
public:
  explicit GatewayLink(tcp::socket s) : ws_(std::move(s)), ping_timer_(ws_.get_executor()) {}

  void send(std::string msg) {
    queue_.push_back(std::move(msg));
    if (writing_) return;
    writing_ = true;
    pump();
  }

  void keepalive() {
    ping_timer_.expires_after(std::chrono::seconds(15));
    ping_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->ws_.async_ping({}, [self](beast::error_code ec2) {
        if (!ec2) self->keepalive();
      });
    });
  }

private:
  void pump() {
    ws_.async_write(net::buffer(queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->queue_.pop_front();
      if (ec || self->queue_.empty()) {
        self->writing_ = false;
        return;
      }
      self->pump();
    });
  }

  ws_t ws_;
  net::steady_timer ping_timer_;
  std::deque<std::string> queue_;
  bool writing_ = false;
};

// Ops console: coroutine session. On connect it gets the full table and
// the current weather line.
net::awaitable<void> ops_console(tcp::socket s, std::shared_ptr<std::map<std::string, LiftStatus>> lifts,
                                 std::shared_ptr<ws_t> board) {
  ws_t ws(std::move(s));
  co_await ws.async_accept(net::use_awaitable);

  std::string table = "[";
  for (auto& [name, st] : *lifts) table += to_wire(st) + ",";
  if (table.size() > 1) table.pop_back();
  table += "]";
  std::string weather = R"({"wind_kmh":42,"temp_c":-7})";

  co_await (ws.async_write(net::buffer(table), net::use_awaitable) && ws.async_write(net::buffer(weather), net::use_awaitable)); // expect: errorshield-ws-concurrent-write

  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    auto cmd = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (cmd.is_discarded()) continue;

    LiftStatus st{cmd.value("lift", ""), LiftState::wind_hold, 0};
    (*lifts)[st.lift] = st;
    std::string ack = R"({"ok":true})";
    std::string wire = to_wire(st);
    // ack the operator and update the base-area board at the same time
    co_await (ws.async_write(net::buffer(ack), net::use_awaitable) && board->async_write(net::buffer(wire), net::use_awaitable));
  }
}

// Hut terminal: each hut sends one line per state change and gets the
// current queue estimate back. The reply for the previous line goes out
// while the next line is being read.
net::awaitable<void> hut_terminal(tcp::socket s) {
  ws_t ws(std::move(s));
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer in;
  co_await ws.async_read(in, net::use_awaitable);
  for (;;) {
    auto j = json::parse(beast::buffers_to_string(in.data()), nullptr, false);
    in.consume(in.size());
    std::string answer = json{{"ack", 1}, {"wait", j.is_discarded() ? 0 : j.value("riders", 0) / 40}}.dump();
    co_await (ws.async_write(net::buffer(answer), net::use_awaitable) && ws.async_read(in, net::use_awaitable));
  }
}

// End of day: tell the hut the lift is closing and send the final rider count.
void end_of_day(std::shared_ptr<ws_t> ws, int riders) {
  auto ex = ws->get_executor();
  auto notice = std::make_shared<std::string>(R"({"type":"closing"})");
  auto count = std::make_shared<std::string>(json{{"type", "riders"}, {"total", riders}}.dump());
  net::co_spawn(ex, ws->async_write(net::buffer(*notice), net::use_awaitable),
                [ws, notice](std::exception_ptr, std::size_t) {});
  net::co_spawn(ex, ws->async_write(net::buffer(*count), net::use_awaitable), [ws, count](std::exception_ptr, std::size_t) {}); // expect: errorshield-ws-concurrent-write
}

// Legacy patrol radios bridge: stackful coroutine, one per radio gateway.
void patrol_bridge(net::io_context& ioc, tcp::socket s) {
  net::spawn(ioc, [ws = std::make_shared<ws_t>(std::move(s))](net::yield_context yield) {
    ws->async_accept(yield);
    std::string hello = R"({"type":"hello","role":"patrol"})";
    std::string closures = R"({"type":"closures","runs":["Black Ridge","Gully 4"]})";
    ws->async_write(net::buffer(hello), [](beast::error_code, std::size_t) {});
    ws->async_write(net::buffer(closures), yield); // expect: errorshield-ws-concurrent-write

    beast::flat_buffer buf;
    for (;;) {
      beast::error_code ec;
      ws->async_read(buf, yield[ec]);
      if (ec) break;
      std::string reply = R"({"type":"copy"})";
      std::string pos = R"({"type":"sweep","lift":"Summit Quad"})";
      ws->async_write(net::buffer(reply), yield[ec]);
      if (ec) break;
      ws->async_write(net::buffer(pos), yield[ec]);
      if (ec) break;
      buf.consume(buf.size());
    }
  }, net::detached);
}

int main() {
  net::io_context ioc;
  auto lifts = std::make_shared<std::map<std::string, LiftStatus>>();
  (*lifts)["Summit Quad"] = {"Summit Quad", LiftState::open, 4};
  (*lifts)["Nursery T-bar"] = {"Nursery T-bar", LiftState::slow, 0};

  tcp::acceptor acc(ioc, {tcp::v4(), 7700});
  tcp::socket board_sock(ioc);
  acc.accept(board_sock);
  auto board = std::make_shared<ws_t>(std::move(board_sock));
  board->accept();

  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    for (;;) {
      auto s = co_await acc.async_accept(net::use_awaitable);
      // one ops console at a time; a second login waits for the first to drop
      try {
        co_await ops_console(std::move(s), lifts, board);
      } catch (const std::exception&) {
      }
    }
  }, net::detached);

  ioc.run();
}
