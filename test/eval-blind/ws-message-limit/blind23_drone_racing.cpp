// checks: errorshield-ws-message-limit
// Live timing feed for a drone racing league: gate transponders push crossings,
// spectators and pit crews subscribe to the leaderboard, race control pushes
// heat schedules and replay files.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace timing {

constexpr std::size_t kGateFrameLimit = 4 * 1024;     // a crossing is ~120 bytes
constexpr std::size_t kControlFrameLimit = 256 * 1024; // heat schedules, penalties

struct Crossing {
  std::string pilot;
  int gate = 0;
  std::int64_t t_us = 0;
};

class Leaderboard {
 public:
  void record(const Crossing& c) {
    std::lock_guard lk(mu_);
    laps_[c.pilot].push_back(c.t_us);
  }
  json snapshot() const {
    std::lock_guard lk(mu_);
    json out = json::array();
    for (const auto& [pilot, stamps] : laps_)
      out.push_back({{"pilot", pilot}, {"crossings", stamps.size()}});
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::vector<std::int64_t>> laps_;
};

template <class Ws>
void apply_limits(Ws& ws, std::size_t max_frame) {
  ws.read_message_max(max_frame);
  ws.auto_fragment(false);
}

// Gate transponders: tiny JSON frames, many per second.
class GateSession : public std::enable_shared_from_this<GateSession> {
 public:
  GateSession(tcp::socket s, Leaderboard& lb) : ws_(std::move(s)), board_(lb) {}

  void start() {
    ws_.read_message_max(kGateFrameLimit);
    ws_.async_accept(beast::bind_front_handler(&GateSession::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    do_read();
  }
  void do_read() {
    ws_.async_read(buf_, beast::bind_front_handler(&GateSession::on_read, shared_from_this()));
  }
  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    auto j = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (!j.is_discarded())
      board_.record({j.value("pilot", ""), j.value("gate", 0), j.value("t_us", std::int64_t{0})});
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  Leaderboard& board_;
};

// Spectators mostly listen; they only send "subscribe" / "ping" frames.
class SpectatorSession : public std::enable_shared_from_this<SpectatorSession> {
 public:
  SpectatorSession(tcp::socket s, Leaderboard& lb) : ws_(std::move(s)), board_(lb) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_read();
    });
  }

 private:
  void do_read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-ws-message-limit
      if (ec) return;
      self->buf_.consume(self->buf_.size());
      self->ws_.text(true);
      auto body = std::make_shared<std::string>(self->board_.snapshot().dump());
      self->ws_.async_write(asio::buffer(*body), [self, body](beast::error_code e, std::size_t) {
        if (!e) self->do_read();
      });
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  Leaderboard& board_;
};

// Race control console: heat schedules can be long, so the director's tool
// got its own channel.
asio::awaitable<void> race_control(tcp::socket sock, Leaderboard& board) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.read_message_max(0); // expect: errorshield-ws-message-limit
  co_await ws.async_accept(asio::use_awaitable);
  for (;;) {
    beast::flat_buffer b;
    auto [ec, n] = co_await ws.async_read(b, asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    auto cmd = json::parse(beast::buffers_to_string(b.data()), nullptr, false);
    if (cmd.is_discarded()) continue;
    if (cmd.value("op", "") == "penalty")
      board.record({cmd.value("pilot", ""), -1, cmd.value("t_us", std::int64_t{0})});
  }
}

// Pit crews get a narrower channel with explicit limits.
asio::awaitable<void> pit_crew(tcp::socket sock, Leaderboard& board) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.read_message_max(kControlFrameLimit);
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer b;
  for (;;) {
    co_await ws.async_read(b, asio::use_awaitable);
    b.consume(b.size());
    ws.text(true);
    co_await ws.async_write(asio::buffer(board.snapshot().dump()), asio::use_awaitable);
  }
}

// Replay files from onboard DVRs are uploaded in one message per lap.
template <class NextLayer>
class ReplayIngest {
 public:
  explicit ReplayIngest(NextLayer&& layer) : ws_(std::move(layer)) {
    ws_.binary(true);
    ws_.read_message_max(std::numeric_limits<std::uint64_t>::max()); // expect: errorshield-ws-message-limit
  }

  std::size_t receive_lap(std::vector<char>& out) {
    beast::flat_buffer b;
    std::size_t n = ws_.read(b);
    auto data = b.data();
    out.assign(static_cast<const char*>(data.data()),
               static_cast<const char*>(data.data()) + data.size());
    return n;
  }

  websocket::stream<NextLayer>& socket() { return ws_; }

 private:
  websocket::stream<NextLayer> ws_;
};

// The old timing bridge still runs on a blocking thread per track.
void run_legacy_bridge(tcp::socket sock, Leaderboard& board) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept();
  beast::error_code ec;
  for (;;) {
    beast::flat_buffer b;
    ws.read(b, ec); // expect: errorshield-ws-message-limit
    if (ec) break;
    auto j = json::parse(beast::buffers_to_string(b.data()), nullptr, false);
    if (j.is_object())
      board.record({j.value("pilot", ""), j.value("gate", 0), j.value("t_us", std::int64_t{0})});
  }
}

// Second-generation bridge: the dynamic buffer caps how much one frame can grow.
void run_bridge_v2(tcp::socket sock, Leaderboard& board) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept();
  beast::error_code ec;
  for (;;) {
    beast::flat_buffer b(kGateFrameLimit);
    ws.read(b, ec);
    if (ec) break;
    auto j = json::parse(beast::buffers_to_string(b.data()), nullptr, false);
    if (j.is_object())
      board.record({j.value("pilot", ""), j.value("gate", 0), j.value("t_us", std::int64_t{0})});
  }
}

// Timing screens in the stands: plain HTTP request first, then upgrade.
class ScreenSession : public std::enable_shared_from_this<ScreenSession> {
 public:
  ScreenSession(tcp::socket s, Leaderboard& lb) : stream_(std::move(s)), board_(lb) {}

  void start() {
    parser_.body_limit(8 * 1024);
    http::async_read(stream_, buf_, parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec) self->upgrade();
                     });
  }

 private:
  void upgrade() {
    if (!websocket::is_upgrade(parser_.get())) return;
    ws_ = std::make_unique<websocket::stream<beast::tcp_stream>>(std::move(stream_));
    apply_limits(*ws_, kGateFrameLimit);
    ws_->async_accept(parser_.release(), [self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->listen();
    });
  }
  void listen() {
    ws_->async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->buf_.consume(self->buf_.size());
      self->listen();
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  http::request_parser<http::empty_body> parser_;
  std::unique_ptr<websocket::stream<beast::tcp_stream>> ws_;
  Leaderboard& board_;
};

}  // namespace timing

int main() {
  asio::io_context ioc;
  timing::Leaderboard board;
  tcp::acceptor gates(ioc, {tcp::v4(), 9100});
  tcp::acceptor fans(ioc, {tcp::v4(), 9101});
  tcp::acceptor control(ioc, {tcp::v4(), 9102});

  gates.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec) std::make_shared<timing::GateSession>(std::move(s), board)->start();
  });
  fans.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec) std::make_shared<timing::SpectatorSession>(std::move(s), board)->start();
  });
  asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
    for (;;) {
      auto s = co_await control.async_accept(asio::use_awaitable);
      asio::co_spawn(ioc, timing::race_control(std::move(s), board), asio::detached);
    }
  }, asio::detached);

  tcp::acceptor pits(ioc, {tcp::v4(), 9103});
  asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
    for (;;) {
      auto s = co_await pits.async_accept(asio::use_awaitable);
      asio::co_spawn(ioc, timing::pit_crew(std::move(s), board), asio::detached);
    }
  }, asio::detached);

  tcp::acceptor screens(ioc, {tcp::v4(), 9104});
  screens.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec) std::make_shared<timing::ScreenSession>(std::move(s), board)->start();
  });

  tcp::acceptor dvr(ioc, {tcp::v4(), 9105});
  timing::ReplayIngest<tcp::socket> replay{dvr.accept()};
  replay.socket().accept();
  std::vector<char> lap;
  replay.receive_lap(lap);
  ioc.run();
}
