// checks: errorshield-ws-close-code
// Theme park ride status hub: ride operators' panels and the guest app subscribe
// to queue times and ride state (open / down / weather hold) over WebSocket.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using asio::ip::tcp;
using json = nlohmann::json;

namespace park {

// Application-defined close codes (private range).
constexpr auto kRideRemoved = static_cast<websocket::close_code>(4001);
constexpr auto kParkClosed = static_cast<websocket::close_code>(4002);

// Old constant kept from the first panel firmware.
constexpr std::uint16_t kPanelReplaced = 1004;

struct RideState {
  std::string name;
  int queue_minutes = 0;
  bool running = true;
};

using WsStream = websocket::stream<beast::tcp_stream>;

void close_with(WsStream &ws, websocket::close_reason reason) {
  ws.async_close(reason, [](beast::error_code ec) {
    if (ec)
      std::cerr << "close: " << ec.message() << "\n";
  });
}

class PanelSession : public std::enable_shared_from_this<PanelSession> {
public:
  PanelSession(tcp::socket s, std::map<std::string, RideState> &rides)
      : ws_(std::move(s)), rides_(rides) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read();
    });
  }

  // Another panel logged in for the same ride: kick this one.
  void replaced() {
    ws_.async_close(kPanelReplaced, [self = shared_from_this()](beast::error_code) {}); // expect: errorshield-ws-close-code
  }

private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec == websocket::error::closed)
        return;
      if (ec) {
        // peer vanished without a close frame; report that to the peer as well
        self->ws_.async_close(websocket::close_code::abnormal, [self](beast::error_code) {}); // expect: errorshield-ws-close-code
        return;
      }
      self->on_message();
    });
  }

  void on_message() {
    auto msg = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (msg.is_discarded() || !msg.contains("ride")) {
      close_with(ws_, websocket::close_reason(websocket::close_code::policy_error, "bad message"));
      return;
    }
    auto ride = msg["ride"].get<std::string>();
    if (!rides_.count(ride)) {
      close_with(ws_, websocket::close_reason(kRideRemoved, "unknown ride"));
      return;
    }
    rides_[ride].queue_minutes = msg.value("queue", 0);
    rides_[ride].running = msg.value("running", true);
    read();
  }

  WsStream ws_;
  std::map<std::string, RideState> &rides_;
  beast::flat_buffer buf_;
};

// Guest app feed, coroutine style.
asio::awaitable<void> guest_feed(tcp::socket sock, const std::map<std::string, RideState> &rides) {
  WsStream ws(std::move(sock));
  co_await ws.async_accept(asio::use_awaitable);
  for (int tick = 0;; ++tick) {
    json board = json::array();
    for (const auto &[id, r] : rides)
      board.push_back({{"id", id}, {"queue", r.queue_minutes}, {"running", r.running}});
    auto [ec, n] = co_await ws.async_write(asio::buffer(board.dump()), asio::as_tuple(asio::use_awaitable));
    if (ec)
      co_return;
    if (tick > 720) {
      // app reconnects after the nightly restart
      co_await ws.async_close(websocket::close_code::service_restart, asio::use_awaitable);
      co_return;
    }
    asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::seconds(5));
    co_await t.async_wait(asio::use_awaitable);
  }
}

// Maintenance crew tablets: closing a session reports the HTTP-like reason.
asio::awaitable<void> maintenance_session(tcp::socket sock, bool authorised) {
  WsStream ws(std::move(sock));
  co_await ws.async_accept(asio::use_awaitable);
  if (!authorised) {
    co_await ws.async_close(websocket::close_reason(403), asio::use_awaitable); // expect: errorshield-ws-close-code
    co_return;
  }
  beast::flat_buffer buf;
  co_await ws.async_read(buf, asio::use_awaitable);
  co_await ws.async_close(websocket::close_code::normal, asio::use_awaitable);
}

template <class Stream> class WeatherBroadcaster {
public:
  explicit WeatherBroadcaster(Stream s) : ws_(std::move(s)) {}

  void accept_blocking() { ws_.accept(); }

  void lightning_hold() {
    beast::error_code ec;
    ws_.close(websocket::close_reason(websocket::close_code::no_status, "lightning"), ec); // expect: errorshield-ws-close-code
  }

  void park_closing() {
    beast::error_code ec;
    ws_.close(websocket::close_reason(kParkClosed, "see you tomorrow"), ec);
  }

  void shutting_down() { ws_.close(websocket::close_code::going_away); }

private:
  websocket::stream<Stream> ws_;
};

class RideHub {
public:
  RideHub(asio::io_context &ioc) : ioc_(ioc), acc_(ioc, {tcp::v4(), 8600}) {
    rides_["coaster"] = {"Thunder Loop", 35, true};
    rides_["flume"] = {"Log Flume", 20, true};
    rides_["wheel"] = {"Sky Wheel", 5, true};
  }

  void accept() {
    acc_.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (!ec) {
        auto p = std::make_shared<PanelSession>(std::move(s), rides_);
        panels_.push_back(p);
        p->start();
      }
      accept();
    });
  }

  void evict_extra_panels(std::size_t keep) {
    while (panels_.size() > keep) {
      panels_.back()->replaced();
      panels_.pop_back();
    }
  }

  // TLS terminator failed; tell everyone.
  void tls_failure(WsStream &ws) {
    close_with(ws, websocket::close_reason(static_cast<websocket::close_code>(1015), "tls handshake failed")); // expect: errorshield-ws-close-code
  }

  void overload(WsStream &ws) {
    close_with(ws, websocket::close_reason(websocket::close_code::try_again_later, "busy"));
  }

private:
  asio::io_context &ioc_;
  tcp::acceptor acc_;
  std::map<std::string, RideState> rides_;
  std::vector<std::shared_ptr<PanelSession>> panels_;
};

} // namespace park

int main() {
  asio::io_context ioc;
  park::RideHub hub(ioc);
  hub.accept();
  ioc.run();
}
