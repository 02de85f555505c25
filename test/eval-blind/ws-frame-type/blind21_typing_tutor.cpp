// checks: errorshield-ws-frame-type
// Typing tutor "live race": students join a lobby, get the same passage and
// stream keystroke progress; the server pushes the leaderboard back.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstring>
#include <deque>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace race {

#pragma pack(push, 1)
struct ProgressTick {
  std::uint32_t racer_id;
  std::uint16_t chars_typed;
  std::uint16_t errors;
  std::uint32_t elapsed_ms;
};
#pragma pack(pop)

struct Standing {
  std::string name;
  int wpm = 0;
  double accuracy = 1.0;
};

json standings_json(const std::vector<Standing>& v) {
  json arr = json::array();
  for (auto& s : v) arr.push_back({{"name", s.name}, {"wpm", s.wpm}, {"acc", s.accuracy}});
  return arr;
}

class RacerSession : public std::enable_shared_from_this<RacerSession> {
public:
  explicit RacerSession(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    ws_.read_message_max(16 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read_loop();
    });
  }

  // Compact replay of the whole race for the client-side "ghost" racer.
  void send_replay(const std::vector<ProgressTick>& ticks) {
    replay_.resize(ticks.size() * sizeof(ProgressTick));
    std::memcpy(replay_.data(), ticks.data(), replay_.size());
    ws_.text(true);
    ws_.async_write(net::buffer(replay_), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-frame-type
  }

  // Leaderboard goes out as JSON text.
  void send_standings(const std::vector<Standing>& v) {
    board_ = standings_json(v).dump();
    ws_.text(true);
    ws_.async_write(net::buffer(board_), [](beast::error_code, std::size_t) {});
  }

private:
  void read_loop() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->on_message();
      self->read_loop();
    });
  }

  void on_message() {
    // Clients send either a JSON control message (ready / quit) or a packed tick.
    if (ws_.got_text()) {
      auto j = json::parse(beast::buffers_to_string(in_.data()), nullptr, false);
      if (!j.is_discarded() && j.value("type", "") == "ready") ready_ = true;
    } else if (in_.size() == sizeof(ProgressTick)) {
      ProgressTick t{};
      net::buffer_copy(net::buffer(&t, sizeof t), in_.data());
      last_chars_ = t.chars_typed;
    }
    in_.consume(in_.size());
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  std::vector<char> replay_;
  std::string board_;
  bool ready_ = false;
  std::uint16_t last_chars_ = 0;
};

// Spectator feed: a teacher's projector view connects and watches.
class SpectatorSession : public std::enable_shared_from_this<SpectatorSession> {
public:
  explicit SpectatorSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->listen();
    });
  }

  // MessagePack snapshot; a lot smaller than JSON for 30 racers.
  void push_snapshot(const std::vector<Standing>& v) {
    snapshot_ = json::to_msgpack(standings_json(v));
    ws_.async_write(net::buffer(snapshot_), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-frame-type
  }

private:
  void listen() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      // teacher can pause the race from the projector view
      auto cmd = json::parse(beast::buffers_to_string(self->in_.data())); // expect: errorshield-ws-frame-type
      if (cmd.value("action", "") == "pause") std::cout << "race paused\n";
      self->in_.consume(self->in_.size());
      self->listen();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  std::vector<std::uint8_t> snapshot_;
};

// Lobby: coroutine-based, handles room join requests.
net::awaitable<void> lobby(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.read_message_max(4096);
  co_await ws.async_accept(net::use_awaitable);
  for (;;) {
    beast::flat_buffer buf;
    co_await ws.async_read(buf, net::use_awaitable);
    json req = json::parse(beast::buffers_to_string(buf.data()), nullptr, false); // expect: errorshield-ws-frame-type
    if (req.is_discarded()) continue;
    json reply = {{"room", req.value("room", "default")}, {"ok", true}};
    std::string out = reply.dump();
    ws.text(true);
    co_await ws.async_write(net::buffer(out), net::use_awaitable);
  }
}

// Practice mode: single student, passage download + results upload.
net::awaitable<void> practice(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.read_message_max(64 * 1024);
  co_await ws.async_accept(net::use_awaitable);
  for (;;) {
    beast::flat_buffer buf;
    co_await ws.async_read(buf, net::use_awaitable);
    if (!ws.got_text()) {
      co_await ws.async_close(websocket::close_code::bad_payload, net::use_awaitable);
      co_return;
    }
    auto result = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    std::cout << "practice result wpm=" << result.value("wpm", 0) << "\n";
  }
}

// Keystroke heat-map export for the teacher (binary, per-key counters).
template <class Stream>
void export_heatmap(websocket::stream<Stream>& ws, const std::vector<std::uint32_t>& counts) {
  std::vector<std::uint8_t> blob(counts.size() * 4);
  std::memcpy(blob.data(), counts.data(), blob.size());
  ws.text(true);
  ws.write(net::buffer(blob)); // expect: errorshield-ws-frame-type
}

template <class Stream>
void export_heatmap_csv(websocket::stream<Stream>& ws, const std::vector<std::uint32_t>& counts) {
  std::string csv;
  for (std::size_t i = 0; i < counts.size(); ++i) csv += std::to_string(i) + "," + std::to_string(counts[i]) + "\n";
  ws.text(true);
  ws.write(net::buffer(csv));
}

// Archive of finished races for the school's LMS importer (CBOR).
net::awaitable<void> archive_race(websocket::stream<beast::tcp_stream>& ws, std::vector<Standing> v) {
  auto cbor = json::to_cbor(standings_json(v));
  ws.binary(true);
  co_await ws.async_write(net::buffer(cbor), net::use_awaitable);
}

// Debug echo used by the QA team to check their client framing.
void echo_debug(websocket::stream<tcp::socket>& ws) {
  beast::flat_buffer buf;
  beast::error_code ec;
  while (!ec) {
    ws.read(buf, ec);
    if (ec) break;
    ws.text(ws.got_text());
    ws.write(buf.data(), ec);
    buf.consume(buf.size());
  }
}

}  // namespace race

int main() {
  net::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 8440});
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    for (;;) {
      auto s = co_await acc.async_accept(net::use_awaitable);
      net::co_spawn(acc.get_executor(), race::lobby(std::move(s)), net::detached);
    }
  }, net::detached);
  ioc.run();
}
