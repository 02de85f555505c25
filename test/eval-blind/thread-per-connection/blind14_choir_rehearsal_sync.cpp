// checks: errorshield-thread-per-connection
// Choir rehearsal sync: singers' tablets connect over WebSocket and receive the
// conductor's tempo, bar position and page turns.
#include <boost/asio.hpp>
#include <algorithm>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace choir {

struct BeatState {
  std::atomic<int> bpm{72};
  std::atomic<int> bar{1};
  std::atomic<int> page{1};
};

class Rehearsal {
public:
  void join(websocket::stream<tcp::socket>* ws) {
    std::lock_guard lk(mu_);
    singers_.insert(ws);
  }
  void leave(websocket::stream<tcp::socket>* ws) {
    std::lock_guard lk(mu_);
    singers_.erase(ws);
  }
  std::size_t headcount() const {
    std::lock_guard lk(mu_);
    return singers_.size();
  }
  BeatState beat;

private:
  mutable std::mutex mu_;
  std::set<websocket::stream<tcp::socket>*> singers_;
};

json beat_message(const BeatState& b) {
  return json{{"type", "beat"}, {"bpm", b.bpm.load()}, {"bar", b.bar.load()}, {"page", b.page.load()}};
}

// Blocking session: one tablet, read acks / write beats until it hangs up.
void run_singer(tcp::socket sock, Rehearsal& room) {
  beast::error_code ec;
  websocket::stream<tcp::socket> ws{std::move(sock)};
  ws.read_message_max(4096);
  ws.accept(ec);
  if (ec)
    return;
  room.join(&ws);
  beast::flat_buffer buf;
  for (;;) {
    ws.read(buf, ec);
    if (ec)
      break;
    auto msg = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (!msg.is_discarded() && msg.value("type", "") == "sync")
      ws.write(net::buffer(beat_message(room.beat).dump()), ec);
    if (ec)
      break;
  }
  room.leave(&ws);
}

// Legacy LAN server used at the church hall: blocking accept loop.
void serve_hall(net::io_context& ioc, unsigned short port, Rehearsal& room) {
  tcp::acceptor acc{ioc, {tcp::v4(), port}};
  for (;;) {
    beast::error_code ec;
    tcp::socket sock{ioc};
    acc.accept(sock, ec);
    if (ec)
      continue;
    std::thread(&run_singer, std::move(sock), std::ref(room)).detach(); // expect: errorshield-thread-per-connection
  }
}

// Conductor console: async accept, but each conductor gets its own thread.
class ConductorListener {
public:
  ConductorListener(net::io_context& ioc, unsigned short port, Rehearsal& room)
      : acc_(ioc, {tcp::v4(), port}), room_(room) {}

  void start() { do_accept(); }

private:
  void do_accept() {
    acc_.async_accept([this](beast::error_code ec, tcp::socket sock) {
      if (ec == net::error::operation_aborted)
        return;
      if (!ec) {
        std::thread([this, s = std::move(sock)]() mutable { // expect: errorshield-thread-per-connection
          handle_conductor(std::move(s));
        }).detach();
      }
      do_accept();
    });
  }

  void handle_conductor(tcp::socket s) {
    websocket::stream<tcp::socket> ws{std::move(s)};
    beast::error_code ec;
    ws.accept(ec);
    beast::flat_buffer buf;
    while (!ec) {
      ws.read(buf, ec);
      if (ec)
        break;
      auto cmd = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
      buf.consume(buf.size());
      if (cmd.is_discarded())
        continue;
      if (cmd.contains("bpm"))
        room_.beat.bpm = cmd["bpm"].get<int>();
      if (cmd.contains("page"))
        room_.beat.page = cmd["page"].get<int>();
    }
  }

  tcp::acceptor acc_;
  Rehearsal& room_;
};

// Section-leader monitors: coroutine accept loop, threads kept in a vector.
class MonitorServer {
public:
  explicit MonitorServer(Rehearsal& room) : room_(room) {}

  net::awaitable<void> listen(unsigned short port) {
    auto ex = co_await net::this_coro::executor;
    tcp::acceptor acc{ex, {tcp::v4(), port}};
    for (;;) {
      auto [ec, sock] = co_await acc.async_accept(net::as_tuple(net::use_awaitable));
      if (ec)
        break;
      monitors_.emplace_back([this, s = std::move(sock)]() mutable { // expect: errorshield-thread-per-connection
        run_singer(std::move(s), room_);
      });
    }
  }

  ~MonitorServer() = default; // jthreads join on destruction

private:
  Rehearsal& room_;
  std::vector<std::jthread> monitors_;
};

// OK: tablets on the main stage are served by coroutines on a fixed pool.
net::awaitable<void> tablet_session(websocket::stream<beast::tcp_stream> ws, Rehearsal& room) {
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buf, net::as_tuple(net::use_awaitable));
    if (ec)
      co_return;
    buf.consume(n);
    co_await ws.async_write(net::buffer(beat_message(room.beat).dump()), net::use_awaitable);
  }
}

net::awaitable<void> stage_listener(unsigned short port, Rehearsal& room) {
  auto ex = co_await net::this_coro::executor;
  tcp::acceptor acc{ex, {tcp::v4(), port}};
  for (;;) {
    auto sock = co_await acc.async_accept(net::use_awaitable);
    net::co_spawn(ex, tablet_session(websocket::stream<beast::tcp_stream>{std::move(sock)}, room),
                  net::detached);
  }
}

// OK: blocking sessions handed to a bounded thread_pool, no thread per socket.
void serve_practice_room(net::io_context& ioc, net::thread_pool& pool, unsigned short port,
                         Rehearsal& room) {
  tcp::acceptor acc{ioc, {tcp::v4(), port}};
  for (;;) {
    tcp::socket sock{ioc};
    beast::error_code ec;
    acc.accept(sock, ec);
    if (ec)
      break;
    net::post(pool, [s = std::move(sock), &room]() mutable { run_singer(std::move(s), room); });
  }
}

int run_server(unsigned short port) {
  net::io_context ioc;
  Rehearsal room;

  // OK: one metronome ticker, started once.
  std::jthread ticker([&room](std::stop_token st) {
    while (!st.stop_requested()) {
      auto bpm = room.beat.bpm.load();
      std::this_thread::sleep_for(std::chrono::milliseconds(60000 / (bpm > 0 ? bpm : 60)));
      room.beat.bar.fetch_add(1);
    }
  });

  net::co_spawn(ioc, stage_listener(port, room), net::detached);
  ConductorListener conductor{ioc, static_cast<unsigned short>(port + 1), room};
  conductor.start();

  // OK: fixed pool sized to the hardware, created once before serving.
  const unsigned n = std::max(2u, std::thread::hardware_concurrency());
  std::vector<std::thread> workers;
  workers.reserve(n);
  for (unsigned i = 0; i < n; ++i)
    workers.emplace_back([&ioc] { ioc.run(); });

  for (auto& t : workers)
    t.join();
  return 0;
}

} // namespace choir
