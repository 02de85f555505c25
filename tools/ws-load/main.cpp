// ws-load: a bounded load client for the reference chat protocol (loopback only).
//
//   ws-load --port=P --mode=direct|broadcast|idle --connections=N [--messages=M] [--size=BYTES]
//           [--seconds=LIMIT] [--host=127.0.0.1]
//
// direct:    every connection sends M messages of BYTES to itself, one at a time, and times each
//            until its own copy comes back (the server routes it like any direct message).
// broadcast: every connection joins room "bench"; connection 0 sends M messages to the room and the
//            time until each member receives each message is recorded (fan-out).
// idle:      N connections open and stay idle; prints "ready" and waits for --seconds.
// Prints one JSON line: throughput, p50/p99 latency. Stops at --seconds whatever happens.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
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

namespace {

struct Options {
  std::string host = "127.0.0.1", mode = "direct";
  unsigned short port = 0;
  unsigned connections = 100, messages = 100, size = 32, seconds = 60;
};

struct Stats {
  std::vector<double> latencies_ms; // Only touched from the single io_context thread.
  std::uint64_t delivered = 0;
  unsigned connected = 0, finished = 0, failed = 0;
};

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch()).count();
}

awaitable<websocket::stream<beast::tcp_stream>> open(const Options &o, unsigned user) {
  auto executor = co_await net::this_coro::executor;
  websocket::stream<beast::tcp_stream> ws(executor);
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

// The payload's "text": a send timestamp padded to the wanted size.
std::string stamped(std::size_t size) {
  std::string text = std::to_string(now_us());
  if (text.size() < size)
    text.append(size - text.size(), '.');
  return text;
}

awaitable<void> direct(const Options &o, unsigned user, Stats &stats) {
  auto ws = co_await open(o, user);
  ++stats.connected;
  beast::flat_buffer buffer;
  for (unsigned i = 0; i < o.messages; ++i) {
    nlohmann::json m = {{"type", "msg"}, {"to", user}, {"text", stamped(o.size)}, {"id", std::to_string(i)}};
    co_await ws.async_write(net::buffer(m.dump()), use_awaitable);
    for (bool got = false; !got;) { // The ack and the message come back, in either order.
      buffer.clear();
      co_await ws.async_read(buffer, use_awaitable);
      auto event = nlohmann::json::parse(beast::buffers_to_string(buffer.data()));
      if (event.value("type", "") == "msg") {
        const std::string text = event.value("text", "");
        stats.latencies_ms.push_back((now_us() - std::stoll(text.substr(0, text.find('.')))) / 1000.0);
        ++stats.delivered;
        got = true;
      }
    }
    buffer.clear();
    co_await ws.async_read(buffer, use_awaitable); // The other of the two.
  }
  ++stats.finished;
  co_await ws.async_close(websocket::close_code::normal, use_awaitable);
}

awaitable<void> broadcast_member(const Options &o, unsigned user, Stats &stats,
                                 std::shared_ptr<net::steady_timer> all_joined, bool sender) {
  auto ws = co_await open(o, user);
  co_await ws.async_write(net::buffer(std::string(R"({"type":"join","room":"bench","id":"join"})")),
                          use_awaitable);
  beast::flat_buffer buffer;
  for (bool joined = false; !joined;) { // Presence events of later joiners may come first.
    buffer.clear();
    co_await ws.async_read(buffer, use_awaitable);
    joined = nlohmann::json::parse(beast::buffers_to_string(buffer.data())).value("id", "") == "join";
  }
  beast::error_code ec;
  if (++stats.connected == o.connections)
    all_joined->cancel(); // The last one to join releases the others and does not wait.
  else
    co_await all_joined->async_wait(net::redirect_error(use_awaitable, ec)); // Until all joined.
  // The server may still be processing the last joins: give it a moment before the first message.
  net::steady_timer settle(co_await net::this_coro::executor, std::chrono::milliseconds(200));
  co_await settle.async_wait(use_awaitable);
  unsigned received = 0, acks = 0;
  if (sender)
    for (unsigned i = 0; i < o.messages; ++i) {
      nlohmann::json m = {{"type", "room"}, {"room", "bench"}, {"text", stamped(o.size)}, {"id", std::to_string(i)}};
      co_await ws.async_write(net::buffer(m.dump()), use_awaitable);
    }
  while (received < o.messages || (sender && acks < o.messages)) {
    buffer.clear();
    co_await ws.async_read(buffer, use_awaitable);
    auto event = nlohmann::json::parse(beast::buffers_to_string(buffer.data()));
    const std::string type = event.value("type", "");
    if (type == "room") {
      const std::string text = event.value("text", "");
      stats.latencies_ms.push_back((now_us() - std::stoll(text.substr(0, text.find('.')))) / 1000.0);
      ++stats.delivered;
      ++received;
    } else if (type == "ack") {
      ++acks;
    }
  }
  ++stats.finished;
  co_await ws.async_close(websocket::close_code::normal, use_awaitable);
}

awaitable<void> idle(const Options &o, unsigned user, Stats &stats,
                     std::vector<websocket::stream<beast::tcp_stream>> &held) {
  held.push_back(co_await open(o, user));
  if (++stats.connected == o.connections)
    std::cout << "ready " << stats.connected << std::endl;
}

bool parse(int argc, char **argv, Options &o) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto eq = arg.find('=');
    if (arg.rfind("--", 0) != 0 || eq == std::string::npos)
      return false;
    std::string name = arg.substr(2, eq - 2), value = arg.substr(eq + 1);
    if (name == "host") o.host = value;
    else if (name == "mode") o.mode = value;
    else if (name == "port") o.port = static_cast<unsigned short>(std::stoul(value));
    else if (name == "connections") o.connections = std::stoul(value);
    else if (name == "messages") o.messages = std::stoul(value);
    else if (name == "size") o.size = std::stoul(value);
    else if (name == "seconds") o.seconds = std::stoul(value);
    else return false;
  }
  return o.port != 0 && (o.mode == "direct" || o.mode == "broadcast" || o.mode == "idle");
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
                 "[--messages=M] [--size=BYTES] [--seconds=LIMIT]\n";
    return 2;
  }
  net::io_context ioc(1);
  Stats stats;
  std::vector<websocket::stream<beast::tcp_stream>> held;
  auto all_joined = std::make_shared<net::steady_timer>(ioc, Clock::time_point::max());
  auto on_done = [&stats](std::exception_ptr e) {
    if (e)
      ++stats.failed;
  };
  const auto start = Clock::now();
  for (unsigned i = 0; i < o.connections; ++i) {
    const unsigned user = 100000 + i;
    if (o.mode == "direct")
      net::co_spawn(ioc, direct(o, user, stats), on_done);
    else if (o.mode == "broadcast")
      net::co_spawn(ioc, broadcast_member(o, user, stats, all_joined, i == 0), on_done);
    else
      net::co_spawn(ioc, idle(o, user, stats, held), on_done);
  }
  // A hard bound on the run, whatever the server does.
  net::steady_timer limit(ioc, std::chrono::seconds(o.seconds));
  limit.async_wait([&](beast::error_code) { ioc.stop(); });
  if (o.mode != "idle")
    net::co_spawn(ioc, [&]() -> awaitable<void> {
      net::steady_timer poll(co_await net::this_coro::executor);
      while (stats.finished + stats.failed < o.connections) {
        poll.expires_after(std::chrono::milliseconds(20));
        co_await poll.async_wait(use_awaitable);
      }
      limit.cancel();
      ioc.stop();
    }, net::detached);
  ioc.run();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  nlohmann::json out = {{"mode", o.mode},
                        {"connections", o.connections},
                        {"connected", stats.connected},
                        {"failed", stats.failed},
                        {"size", o.size},
                        {"delivered", stats.delivered},
                        {"seconds", seconds},
                        {"msgs_per_sec", stats.delivered / seconds},
                        {"p50_ms", percentile(stats.latencies_ms, 0.50)},
                        {"p99_ms", percentile(stats.latencies_ms, 0.99)}};
  std::cout << out.dump() << std::endl;
  return stats.failed ? 1 : 0;
}
