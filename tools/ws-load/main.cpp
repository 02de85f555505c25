// ws-load: a bounded load client for the reference chat protocol (loopback only).
//
//   ws-load --port=P --mode=direct|broadcast|idle --connections=N [--messages=M] [--size=BYTES]
//           [--rate=MSGS_PER_S] [--window=K] [--pipeline=0|1] [--server-pid=PID]
//           [--seconds=LIMIT] [--host=127.0.0.1]
//
// Every connection opens first; the measured phase starts once all are open (and, for broadcast,
// joined), so connection set-up is not counted.
// direct:    every connection sends M messages of BYTES to itself (the server routes them like any
//            direct message) and times each until its copy comes back.
// broadcast: every connection joins room "bench"; connection 0 sends M messages to the room and
//            the time until each member receives each one is recorded (fan-out).
// idle:      N connections open and stay idle; prints "ready" and waits for --seconds.
// --rate=0 (the default) is a closed loop: direct connections keep --window messages (default 1)
// in flight, sending a window and awaiting it whole; the broadcaster sends its M back to back;
// latency then measures queueing at saturation. --pipeline=1 sends each window's messages with
// one TCP write (frames masked by the client itself, as RFC 6455 requires), as a client that
// pipelines its requests does; otherwise each message is a write of its own. --rate=R is an open
// loop: R messages per second in all, each on a fixed schedule, and latency runs from the
// scheduled send time, so a server that falls behind cannot hide it by slowing the client down.
// --server-pid: the server's CPU time (user, system) over the measured phase, from /proc.
// Prints one JSON line. Stops at --seconds whatever happens.
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include "client_frame.h"
#include "process_cpu.h"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using net::awaitable;
using net::use_awaitable;
using namespace net::experimental::awaitable_operators;
using WebSocket = websocket::stream<beast::tcp_stream>;
using wsload::append_client_frame;
using wsload::cpu_of;
using wsload::CpuTime;

namespace {

struct Options {
  std::string host = "127.0.0.1", mode = "direct";
  unsigned short port = 0;
  unsigned connections = 100, messages = 100, size = 32, seconds = 60, window = 1;
  double rate = 0;
  bool pipeline = false;
  int server_pid = 0;
};

// Everything the connections share; only touched from the single io_context thread.
struct Run {
  Run(net::io_context &ioc, Options o)
      : o(std::move(o)), all_ready(ioc, Clock::time_point::max()),
        all_done(ioc, Clock::time_point::max()) {}
  Options o;
  net::steady_timer all_ready; // Cancelled when the measured phase starts.
  net::steady_timer all_done;  // Cancelled when every connection has finished.
  bool started = false;
  unsigned ready = 0, finished = 0, closed = 0, failed = 0;
  std::uint64_t delivered = 0, expected = 0, presence = 0, presence_expected = 0;
  std::vector<double> latencies_ms;
  Clock::time_point start, last_delivery;
  CpuTime cpu_at_start, cpu_at_end;

  // The phase starts once every connection is ready and, for broadcast, every presence event of
  // the joins has arrived: the server has nothing left over from the set-up.
  void mark_ready() {
    ++ready;
    maybe_start();
  }
  void saw_presence() {
    ++presence;
    maybe_start();
  }
  void maybe_start() {
    if (started || ready < o.connections || presence < presence_expected)
      return;
    started = true;
    all_ready.cancel();
    start = Clock::now();
    if (o.server_pid)
      cpu_at_start = cpu_of(o.server_pid);
  }
  // Waits until every connection has all it was waiting for, so that no connection closes (and
  // no presence event of its departure is sent) while others are still being measured.
  awaitable<void> finish() {
    ++finished;
    beast::error_code ec;
    if (finished + failed == o.connections)
      all_done.cancel();
    else
      co_await all_done.async_wait(net::redirect_error(use_awaitable, ec));
  }
  awaitable<void> until_started() {
    beast::error_code ec;
    if (!started)
      co_await all_ready.async_wait(net::redirect_error(use_awaitable, ec));
  }
  void record(std::int64_t stamp_us) {
    last_delivery = Clock::now();
    latencies_ms.push_back((us(last_delivery) - stamp_us) / 1000.0);
    if (++delivered == expected && o.server_pid)
      cpu_at_end = cpu_of(o.server_pid);
  }
  // When message `i` of a sender (one of `senders`, number `index`) is due, on an open loop.
  Clock::time_point due(unsigned i, unsigned index, unsigned senders) const {
    const double per_sender = o.rate / senders;
    return start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                       (i + static_cast<double>(index) / senders) / per_sender));
  }
  static std::int64_t us(Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  }
};

awaitable<WebSocket> open(const Options &o, unsigned user) {
  WebSocket ws(co_await net::this_coro::executor);
  beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(30));
  co_await beast::get_lowest_layer(ws).async_connect(
      tcp::endpoint(net::ip::make_address(o.host), o.port), use_awaitable);
  beast::get_lowest_layer(ws).expires_never();
  beast::get_lowest_layer(ws).socket().set_option(tcp::no_delay(true));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  ws.set_option(websocket::stream_base::decorator([](websocket::request_type &req) {
    req.set(beast::http::field::sec_websocket_protocol, "chat.v1");
  }));
  co_await ws.async_handshake(o.host, "/ws?user=" + std::to_string(user), use_awaitable);
  ws.text(true);
  co_return ws;
}

// A chat message whose text is its send (or due) time, padded to the wanted size.
std::string message(const char *type, unsigned user, std::int64_t stamp_us, unsigned i,
                    std::size_t size) {
  std::string text = std::to_string(stamp_us);
  text.resize(std::max<std::size_t>(size, text.size()), '.');
  nlohmann::json m = {{"type", type}, {"text", text}, {"id", std::to_string(i)}};
  if (type == std::string_view("msg"))
    m["to"] = user;
  else
    m["room"] = "bench";
  return m.dump();
}

// Reads until `messages` events of `type` (each recorded) and `acks` acks have arrived.
awaitable<void> receive(Run &run, WebSocket &ws, const char *type, unsigned messages,
                        unsigned acks) {
  beast::flat_buffer buffer;
  for (unsigned got = 0, acked = 0; got < messages || acked < acks;) {
    buffer.clear();
    co_await ws.async_read(buffer, use_awaitable);
    if (!ws.got_text())
      continue; // the server sends text frames only; anything else is not an event
    auto event = nlohmann::json::parse(beast::buffers_to_string(buffer.data()));
    const std::string kind = event.value("type", "");
    if (kind == type) {
      const std::string text = event.value("text", "");
      run.record(std::stoll(text.substr(0, text.find('.'))));
      ++got;
    } else if (kind == "ack") {
      ++acked;
    } else if (kind == "presence") {
      run.saw_presence();
    }
  }
}

// Sends `type` messages once the phase has started: back to back, or on the open-loop schedule of
// sender `index` of `senders`.
awaitable<void> send(Run &run, WebSocket &ws, const char *type, unsigned user, unsigned index,
                     unsigned senders) {
  co_await run.until_started();
  net::steady_timer timer(co_await net::this_coro::executor);
  for (unsigned i = 0; i < run.o.messages; ++i) {
    Clock::time_point stamp = Clock::now();
    if (run.o.rate > 0) {
      stamp = run.due(i, index, senders);
      timer.expires_at(stamp);
      co_await timer.async_wait(use_awaitable);
    }
    co_await ws.async_write(net::buffer(message(type, user, Run::us(stamp), i, run.o.size)),
                            use_awaitable);
  }
}

awaitable<void> direct(Run &run, unsigned user, unsigned index) {
  auto ws = co_await open(run.o, user);
  run.mark_ready();
  co_await run.until_started();
  if (run.o.rate > 0) {
    co_await (send(run, ws, "msg", user, index, run.o.connections) &&
              receive(run, ws, "msg", run.o.messages, run.o.messages));
  } else {
    // --window messages in flight: sent together, then all of them and their acks awaited.
    for (unsigned i = 0; i < run.o.messages; i += run.o.window) {
      const unsigned batch = std::min(run.o.window, run.o.messages - i);
      if (run.o.pipeline) {
        std::string frames;
        for (unsigned k = 0; k < batch; ++k)
          append_client_frame(frames,
                              message("msg", user, Run::us(Clock::now()), i + k, run.o.size));
        co_await net::async_write(ws.next_layer(), net::buffer(frames), use_awaitable);
      } else {
        for (unsigned k = 0; k < batch; ++k)
          co_await ws.async_write(
              net::buffer(message("msg", user, Run::us(Clock::now()), i + k, run.o.size)),
              use_awaitable);
      }
      co_await receive(run, ws, "msg", batch, batch);
    }
  }
  co_await run.finish();
  co_await ws.async_close(websocket::close_code::normal, use_awaitable);
  ++run.closed;
}

awaitable<void> broadcast_member(Run &run, unsigned user, bool sender) {
  auto ws = co_await open(run.o, user);
  co_await ws.async_write(net::buffer(std::string(R"({"type":"join","room":"bench","id":"join"})")),
                          use_awaitable);
  co_await receive(run, ws, "room", 0, 1); // The join's ack (presence events may come first).
  run.mark_ready();
  // Reading goes on from here (presence events still arriving count towards the start); the
  // sender sends once the phase has started.
  if (sender)
    co_await (send(run, ws, "room", user, 0, 1) &&
              receive(run, ws, "room", run.o.messages, run.o.messages));
  else
    co_await receive(run, ws, "room", run.o.messages, 0);
  co_await run.finish();
  co_await ws.async_close(websocket::close_code::normal, use_awaitable);
  ++run.closed;
}

awaitable<void> idle(Run &run, unsigned user, std::vector<WebSocket> &held) {
  held.push_back(co_await open(run.o, user));
  if (++run.ready == run.o.connections)
    std::cout << "ready " << run.ready << std::endl; // bench/ws_load.py waits for this line.
}

bool parse(int argc, char **argv, Options &o) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto eq = arg.find('=');
    if (arg.rfind("--", 0) != 0 || eq == std::string::npos)
      return false;
    std::string name = arg.substr(2, eq - 2), value = arg.substr(eq + 1);
    try {
      if (name == "host") o.host = value;
      else if (name == "mode") o.mode = value;
      else if (name == "port") o.port = static_cast<unsigned short>(std::stoul(value));
      else if (name == "connections") o.connections = std::stoul(value);
      else if (name == "messages") o.messages = std::stoul(value);
      else if (name == "size") o.size = std::stoul(value);
      else if (name == "seconds") o.seconds = std::stoul(value);
      else if (name == "rate") o.rate = std::stod(value);
      else if (name == "window") o.window = std::stoul(value);
      else if (name == "pipeline" && (value == "0" || value == "1")) o.pipeline = value == "1";
      else if (name == "server-pid") o.server_pid = std::stoi(value);
      else return false;
    } catch (const std::exception &) {
      return false;
    }
  }
  return o.port != 0 && o.connections > 0 && o.rate >= 0 && o.window > 0 &&
         (o.mode == "direct" || o.mode == "broadcast" || o.mode == "idle");
}

double percentile(std::vector<double> &v, double p) {
  if (v.empty())
    return 0;
  std::size_t k = static_cast<std::size_t>(p * (v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

} // namespace

int main(int argc, char **argv) {
  Options o;
  if (!parse(argc, argv, o)) {
    std::cerr << "usage: ws-load --port=P --mode=direct|broadcast|idle --connections=N "
                 "[--messages=M] [--size=BYTES] [--rate=MSGS_PER_S] [--window=K] [--pipeline=0|1] "
                 "[--server-pid=PID] [--seconds=LIMIT]\n";
    return 2;
  }
  net::io_context ioc(1);
  Run run(ioc, o);
  run.expected = o.mode == "idle" ? 0 : std::uint64_t{o.connections} * o.messages;
  if (o.mode == "broadcast") // Each pair of members: the later joiner's presence reaches the other.
    run.presence_expected = std::uint64_t{o.connections} * (o.connections - 1) / 2;
  std::vector<WebSocket> held;
  // A connection that fails before the measured phase starts leaves nothing to measure.
  auto on_done = [&run, &ioc](std::exception_ptr e) {
    if (!e)
      return;
    ++run.failed;
    if (!run.started && run.o.mode != "idle")
      ioc.stop();
    else if (run.finished + run.failed == run.o.connections)
      run.all_done.cancel();
  };
  for (unsigned i = 0; i < o.connections; ++i) {
    const unsigned user = 100000 + i;
    if (o.mode == "direct")
      net::co_spawn(ioc, direct(run, user, i), on_done);
    else if (o.mode == "broadcast")
      net::co_spawn(ioc, broadcast_member(run, user, i == 0), on_done);
    else
      net::co_spawn(ioc, idle(run, user, held), on_done);
  }
  // A hard bound on the run, whatever the server does.
  net::steady_timer limit(ioc, std::chrono::seconds(o.seconds));
  limit.async_wait([&](beast::error_code) { ioc.stop(); });
  if (o.mode != "idle")
    net::co_spawn(ioc, [&]() -> awaitable<void> {
      net::steady_timer poll(co_await net::this_coro::executor);
      while (run.closed + run.failed < o.connections) {
        poll.expires_after(std::chrono::milliseconds(20));
        co_await poll.async_wait(use_awaitable);
      }
      limit.cancel();
      ioc.stop();
    }, net::detached);
  ioc.run();
  const double seconds = std::chrono::duration<double>(run.last_delivery - run.start).count();
  nlohmann::json out = {{"mode", o.mode},
                        {"connections", o.connections},
                        {"ready", run.ready},
                        {"failed", run.failed},
                        {"size", o.size},
                        {"rate", o.rate},
                        {"delivered", run.delivered},
                        {"seconds", seconds},
                        {"msgs_per_sec", seconds > 0 ? run.delivered / seconds : 0.0},
                        {"p50_ms", percentile(run.latencies_ms, 0.50)},
                        {"p99_ms", percentile(run.latencies_ms, 0.99)},
                        {"max_ms", percentile(run.latencies_ms, 1.0)}};
  if (o.server_pid && run.delivered == run.expected) {
    out["server_user_s"] = run.cpu_at_end.user - run.cpu_at_start.user;
    out["server_system_s"] = run.cpu_at_end.system - run.cpu_at_start.system;
  }
  std::cout << out.dump() << std::endl;
  return run.failed || run.delivered != run.expected ? 1 : 0;
}
