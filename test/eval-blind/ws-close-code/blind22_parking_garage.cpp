// checks: errorshield-ws-close-code
// Parking garage space counter: entry/exit gates and level sensors push
// events, display boards subscribe over WebSocket to get free-space counts.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>
#include <atomic>
#include <cstdint>
#include <iostream>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace garage {

// Application close codes shared with the board firmware.
constexpr std::uint16_t kBoardReplaced = 4001;
constexpr std::uint16_t kGarageClosed = 4002;
// Legacy code the old gate controllers look for when the lot is full.
constexpr std::uint16_t kLotFull = 2001;

// Builds a close frame payload with one of our numeric codes.
inline websocket::close_reason app_reason(std::uint16_t code, beast::string_view why) {
  websocket::close_reason cr(code);
  cr.reason.assign(why.data(), why.size());
  return cr;
}

class Counter {
public:
  explicit Counter(int capacity) : capacity_(capacity) {}
  int enter() { return ++occupied_; }
  int leave() { return occupied_ > 0 ? --occupied_ : 0; }
  int free() const { return capacity_ - occupied_.load(); }
  bool full() const { return free() <= 0; }

private:
  int capacity_;
  std::atomic<int> occupied_{0};
};

// Display board subscription (callback style).
class BoardSession : public std::enable_shared_from_this<BoardSession> {
public:
  BoardSession(tcp::socket s, Counter &c) : ws_(std::move(s)), counter_(c) {}

  void run() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read_loop();
    });
  }

  // Another board registered with the same id.
  void replaced() {
    ws_.async_close(app_reason(kBoardReplaced, "replaced"), [self = shared_from_this()](beast::error_code) {});
  }

  // Sensor bus lost: tell the board we went away abnormally.
  void sensor_bus_down() {
    ws_.async_close(websocket::close_code::abnormal, [self = shared_from_this()](beast::error_code) {}); // expect: errorshield-ws-close-code
  }

private:
  void read_loop() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      auto text = beast::buffers_to_string(self->buf_.data());
      self->buf_.consume(self->buf_.size());
      if (text == "bye") {
        self->ws_.async_close(websocket::close_code::normal, [self](beast::error_code) {});
        return;
      }
      if (text.size() > 256) {
        self->ws_.async_close(websocket::close_code::policy_error, [self](beast::error_code) {});
        return;
      }
      self->read_loop();
    });
  }

  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buf_;
  Counter &counter_;
};

// Gate controllers, one blocking session per gate on the gate network.
void gate_session(tcp::socket sock, Counter &counter) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept();
  beast::flat_buffer buf;
  for (;;) {
    beast::error_code ec;
    ws.read(buf, ec);
    if (ec) return;
    auto ev = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (ev.is_discarded()) {
      ws.close(websocket::close_code::bad_payload, ec);
      return;
    }
    auto kind = ev.value("event", "");
    if (kind == "enter") {
      if (counter.full()) {
        ws.close(app_reason(kLotFull, "lot full"), ec); // expect: errorshield-ws-close-code
        return;
      }
      counter.enter();
    } else if (kind == "exit") {
      counter.leave();
    } else if (kind == "reset") {
      ws.close(websocket::close_reason(1005), ec); // expect: errorshield-ws-close-code
      return;
    }
  }
}

// Common helper used by the maintenance endpoints.
template <class Stream>
void shut(websocket::stream<Stream> &ws, std::uint16_t code, const char *why) {
  beast::error_code ec;
  ws.close(app_reason(code, why), ec);
  if (ec) std::cerr << "close: " << ec.message() << "\n";
}

// Level sensors (coroutine-based).
asio::awaitable<void> level_sensor(tcp::socket sock, Counter &counter) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buf, asio::as_tuple(asio::use_awaitable));
    if (ec == websocket::error::closed) co_return;
    if (ec) {
      websocket::close_reason cr;
      cr.code = 1015; // expect: errorshield-ws-close-code
      cr.reason = "sensor link failure";
      co_await ws.async_close(cr, asio::as_tuple(asio::use_awaitable));
      co_return;
    }
    auto reading = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (reading.is_discarded()) {
      co_await ws.async_close(websocket::close_code::unknown_data, asio::as_tuple(asio::use_awaitable));
      co_return;
    }
    if (reading.value("overload", false)) {
      co_await ws.async_close(websocket::close_code::try_again_later, asio::as_tuple(asio::use_awaitable));
      co_return;
    }
  }
}

// Nightly shutdown and firmware update of the pay stations.
asio::awaitable<void> pay_station(tcp::socket sock, Counter &counter) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  co_await ws.async_read(buf, asio::use_awaitable);
  auto cmd = beast::buffers_to_string(buf.data());
  if (cmd == "night") {
    shut(ws, kGarageClosed, "closed for the night");
  } else if (cmd == "update") {
    co_await ws.async_close(websocket::close_code::service_restart, asio::use_awaitable);
  } else if (cmd == "legacy") {
    shut(ws, 1004, "legacy station"); // expect: errorshield-ws-close-code
  } else {
    co_await ws.async_close(websocket::close_code::going_away, asio::use_awaitable);
  }
  (void)counter;
}

// Old-style board firmware treats anything below 1000 as "reboot".
struct RebootRequest {
  static constexpr websocket::close_code code = static_cast<websocket::close_code>(999);
};

void reboot_board(websocket::stream<tcp::socket> &ws) {
  beast::error_code ec;
  ws.close(RebootRequest::code, ec); // expect: errorshield-ws-close-code
}

asio::awaitable<void> listen(tcp::acceptor acc, Counter &counter, int kind) {
  auto ex = co_await asio::this_coro::executor;
  for (;;) {
    auto sock = co_await acc.async_accept(asio::use_awaitable);
    if (kind == 0) std::make_shared<BoardSession>(std::move(sock), counter)->run();
    else if (kind == 1) asio::co_spawn(ex, level_sensor(std::move(sock), counter), asio::detached);
    else asio::co_spawn(ex, pay_station(std::move(sock), counter), asio::detached);
  }
}

} // namespace garage

int main() {
  asio::io_context ioc;
  garage::Counter counter(420);
  for (int k = 0; k < 3; ++k)
    asio::co_spawn(ioc, garage::listen(tcp::acceptor(ioc, {tcp::v4(), static_cast<unsigned short>(9300 + k)}), counter, k),
                   asio::detached);
  (void)garage::gate_session;
  (void)garage::reboot_board;
  ioc.run();
}
