// checks: errorshield-ws-timeouts
// Collaborative whiteboard: strokes, cursor positions and board exports are
// streamed to every participant; regional replicas mirror board state.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace whiteboard {

struct Stroke {
  std::string board;
  std::string author;
  std::vector<std::pair<float, float>> points;
  std::string color = "#000000";
};

inline json stroke_to_json(Stroke const &s) {
  json pts = json::array();
  for (auto [x, y] : s.points)
    pts.push_back({x, y});
  return json{{"board", s.board}, {"author", s.author}, {"points", pts}, {"color", s.color}};
}

template <class NextLayer>
void apply_server_timeouts(websocket::stream<NextLayer> &ws) {
  beast::get_lowest_layer(ws).expires_never();
  websocket::stream_base::timeout opt{};
  opt.handshake_timeout = 15s;
  opt.idle_timeout = 90s;
  opt.keep_alive_pings = true;
  ws.set_option(opt);
}

// Main drawing session: strokes in, strokes out.
class BoardSession : public std::enable_shared_from_this<BoardSession> {
public:
  explicit BoardSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void run() {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(beast::bind_front_handler(&BoardSession::on_accept, shared_from_this()));
  }

  void send_stroke(Stroke const &s) {
    queue_.push_back(stroke_to_json(s).dump());
    if (queue_.size() == 1)
      flush();
  }

private:
  void on_accept(beast::error_code ec) {
    if (!ec)
      read_loop();
  }

  void read_loop() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->in_.consume(self->in_.size());
      self->read_loop();
    });
  }

  void flush() {
    ws_.async_write(net::buffer(queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->queue_.pop_front();
      if (!self->queue_.empty())
        self->flush();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  std::deque<std::string> queue_;
};

// Cursor positions are high-rate and lossy, so they get their own socket.
class CursorRelay : public std::enable_shared_from_this<CursorRelay> {
public:
  explicit CursorRelay(tcp::socket sock) : ws_(std::move(sock)) {}

  void run() {
    beast::get_lowest_layer(ws_).expires_after(30s);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      beast::get_lowest_layer(self->ws_).expires_never();
      self->ws_.binary(true);
      self->pump();
    });
  }

private:
  void pump() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->buf_.consume(self->buf_.size());
      self->pump();
    });
  }

  websocket::stream<beast::tcp_stream> ws_; // expect: errorshield-ws-timeouts
  beast::flat_buffer buf_;
};

// Server-side PDF/PNG export channel: the browser asks for a render and
// waits for progress events.
class ExportSession : public std::enable_shared_from_this<ExportSession> {
public:
  explicit ExportSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void run() {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client)); // expect: errorshield-ws-timeouts
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->report(0);
    });
  }

  void report(int percent) {
    progress_ = json{{"type", "export-progress"}, {"pct", percent}}.dump();
    ws_.async_write(net::buffer(progress_), [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
  std::string progress_;
};

// Presenter mode: follows the presenter's viewport. Timeouts via helper.
class PresenterFollow : public std::enable_shared_from_this<PresenterFollow> {
public:
  explicit PresenterFollow(tcp::socket sock) : ws_(std::move(sock)) {}

  void run() {
    apply_server_timeouts(ws_);
    ws_.async_accept([self = shared_from_this()](beast::error_code) {});
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
};

// Pushes a stroke to an already-open stream owned by someone else.
void forward_stroke(websocket::stream<beast::tcp_stream> &peer, Stroke const &s) {
  beast::error_code ec;
  peer.write(net::buffer(stroke_to_json(s).dump()), ec);
}

// Replica sync: this region pulls board snapshots from the primary region.
net::awaitable<void> pull_snapshots(tcp::endpoint primary, std::string board_id) {
  auto ex = co_await net::this_coro::executor;
  websocket::stream<beast::tcp_stream> ws(ex); // expect: errorshield-ws-timeouts
  beast::get_lowest_layer(ws).expires_after(10s);
  co_await beast::get_lowest_layer(ws).async_connect(primary, net::use_awaitable);
  beast::get_lowest_layer(ws).expires_never();
  co_await ws.async_handshake("replica.internal", "/sync/" + board_id, net::use_awaitable);

  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buf, net::as_tuple(net::use_awaitable));
    if (ec)
      break;
    std::clog << "snapshot " << board_id << " " << n << " bytes\n";
    buf.consume(n);
  }
}

// Replica change-feed: same shape, but with explicit client-side limits.
net::awaitable<void> pull_change_feed(tcp::endpoint primary, std::string board_id) {
  auto ex = co_await net::this_coro::executor;
  websocket::stream<beast::tcp_stream> ws(ex);
  co_await beast::get_lowest_layer(ws).async_connect(primary, net::use_awaitable);
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout{20s, 45s, true});
  co_await ws.async_handshake("replica.internal", "/changes/" + board_id, net::use_awaitable);

  beast::flat_buffer buf;
  while (true) {
    auto [ec, n] = co_await ws.async_read(buf, net::as_tuple(net::use_awaitable));
    if (ec)
      co_return;
    buf.consume(n);
  }
}

} // namespace whiteboard
