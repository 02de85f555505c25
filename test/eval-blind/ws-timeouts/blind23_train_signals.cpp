// checks: errorshield-ws-timeouts
// Railway signal box dashboard: panel screens in the signal box and the
// regional control centre subscribe to signal aspects and points positions.
// The interlocking gateway feeds state in; we also pull timetable deltas
// from the traffic management system as a WebSocket client.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

enum class Aspect { Red, Yellow, DoubleYellow, Green };

struct TrackState {
  std::mutex mu;
  std::map<std::string, Aspect> signals;
  std::map<std::string, bool> points_normal;

  json to_json() {
    std::lock_guard<std::mutex> lk(mu);
    json j;
    for (auto &[id, a] : signals)
      j["signals"][id] = static_cast<int>(a);
    for (auto &[id, n] : points_normal)
      j["points"][id] = n ? "N" : "R";
    return j;
  }
};

// ---------------------------------------------------------------------------
// Panel screens inside the signal box (callback style).
class PanelSession : public std::enable_shared_from_this<PanelSession> {
public:
  PanelSession(tcp::socket s, TrackState &state) : ws_(std::move(s)), state_(state) {}

  void run() {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(beast::bind_front_handler(&PanelSession::on_accept, shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    push();
  }

  void push() {
    out_ = state_.to_json().dump();
    ws_.async_write(net::buffer(out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec)
        self->wait_read();
    });
  }

  void wait_read() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->in_.consume(self->in_.size());
      self->push();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  std::string out_;
  TrackState &state_;
};

// Regional control centre wallboards: same feed, different network segment.
class WallboardSession : public std::enable_shared_from_this<WallboardSession> {
public:
  WallboardSession(tcp::socket s, TrackState &state) : ws_(std::move(s)), state_(state) {}

  void run() {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client)); // expect: errorshield-ws-timeouts
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      self->out_ = self->state_.to_json().dump();
      self->ws_.async_write(net::buffer(self->out_), [self](beast::error_code, std::size_t) {});
    });
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
  std::string out_;
  TrackState &state_;
};

// ---------------------------------------------------------------------------
// Interlocking gateway: a single long-lived producer connection (coroutines).
net::awaitable<void> interlocking_feed(websocket::stream<beast::tcp_stream> ws, TrackState &state) {
  // The gateway only sends on change; quiet nights are normal, so we never
  // want the link to be dropped for inactivity.
  ws.set_option(websocket::stream_base::timeout{30s, websocket::stream_base::none(), false}); // expect: errorshield-ws-timeouts
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    auto msg = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (!msg.is_object())
      continue;
    std::lock_guard<std::mutex> lk(state.mu);
    if (msg.contains("signal"))
      state.signals[msg["signal"].get<std::string>()] = static_cast<Aspect>(msg.value("aspect", 0));
    if (msg.contains("points"))
      state.points_normal[msg["points"].get<std::string>()] = msg.value("normal", true);
  }
}

// Maintenance laptops plugged into the relay room switch.
net::awaitable<void> maintainer_session(websocket::stream<beast::tcp_stream> ws, TrackState &state) {
  websocket::stream_base::timeout opt{};
  opt.handshake_timeout = 15s;
  opt.idle_timeout = 90s;
  opt.keep_alive_pings = false;
  ws.set_option(opt);
  co_await ws.async_accept(net::use_awaitable);
  co_await ws.async_write(net::buffer(state.to_json().dump()), net::use_awaitable);
}

// Signal engineers' test harness, reused for plain and instrumented streams.
template <class Stream>
net::awaitable<void> engineer_session(websocket::stream<Stream> ws, TrackState &state) {
  auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
  opt.idle_timeout = websocket::stream_base::none(); // expect: errorshield-ws-timeouts
  ws.set_option(opt);
  co_await ws.async_accept(net::use_awaitable);
  co_await ws.async_write(net::buffer(state.to_json().dump()), net::use_awaitable);
}

template net::awaitable<void> engineer_session(websocket::stream<beast::tcp_stream>, TrackState &);

// Level-crossing keepers' tablets.
net::awaitable<void> crossing_keeper_session(tcp::socket sock, TrackState &state) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_accept(net::use_awaitable); // expect: errorshield-ws-timeouts
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    buf.consume(buf.size());
    co_await ws.async_write(net::buffer(state.to_json().dump()), net::use_awaitable);
  }
}

// ---------------------------------------------------------------------------
// Outbound client: timetable deltas from the traffic management system.
net::awaitable<void> pull_timetable(net::io_context &ioc) {
  tcp::resolver resolver(ioc);
  websocket::stream<beast::tcp_stream> ws(ioc);
  auto eps = co_await resolver.async_resolve("tms.rail.internal", "8800", net::use_awaitable);
  beast::get_lowest_layer(ws).expires_after(10s);
  co_await beast::get_lowest_layer(ws).async_connect(eps, net::use_awaitable);
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  co_await ws.async_handshake("tms.rail.internal", "/deltas", net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    std::clog << "timetable delta: " << beast::buffers_to_string(buf.data()) << "\n";
    buf.consume(buf.size());
  }
}

// ---------------------------------------------------------------------------
net::awaitable<void> listen(tcp::acceptor acc, TrackState &state, int kind) {
  auto ex = co_await net::this_coro::executor;
  for (;;) {
    tcp::socket s = co_await acc.async_accept(net::use_awaitable);
    switch (kind) {
    case 0: std::make_shared<PanelSession>(std::move(s), state)->run(); break;
    case 1: std::make_shared<WallboardSession>(std::move(s), state)->run(); break;
    case 2:
      net::co_spawn(ex, interlocking_feed(websocket::stream<beast::tcp_stream>(std::move(s)), state),
                    net::detached);
      break;
    case 3:
      net::co_spawn(ex, maintainer_session(websocket::stream<beast::tcp_stream>(std::move(s)), state),
                    net::detached);
      break;
    default:
      net::co_spawn(ex, crossing_keeper_session(std::move(s), state), net::detached);
    }
  }
}

int main() {
  net::io_context ioc;
  TrackState state;
  for (int kind = 0; kind < 5; ++kind)
    net::co_spawn(ioc, listen(tcp::acceptor(ioc, {tcp::v4(), static_cast<unsigned short>(8100 + kind)}), state, kind),
                  net::detached);
  net::co_spawn(ioc, pull_timetable(ioc), net::detached);
  ioc.run();
}
