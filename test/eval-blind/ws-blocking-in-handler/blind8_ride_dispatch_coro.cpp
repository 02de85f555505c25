// checks: errorshield-ws-blocking-in-handler
// Ride-hailing dispatch: riders and drivers hold WebSocket sessions implemented as
// C++20 coroutines on a shared io_context; CPU-heavy geo work runs on a thread_pool.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <future>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using net::awaitable;
using net::use_awaitable;
using namespace std::chrono_literals;

using ws_t = websocket::stream<beast::tcp_stream>;

class SurgeModelClient {
public:
  std::future<int> predict_multiplier_pct(const std::string& zone);
};

class DriverRegistry {
public:
  std::vector<std::string> nearest(double lat, double lon, int k) const;
  std::future<bool> offer(const std::string& driver_id, const std::string& ride_id);
  void update(const std::string& driver_id, double lat, double lon);
};

// Plain blocking helper; only ever invoked on the CPU pool or at startup.
std::string read_zone_file(const std::string& city) {
  std::ifstream in("/var/lib/dispatch/zones/" + city + ".geojson");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class DispatchServer {
public:
  DispatchServer(net::io_context& ioc, net::thread_pool& cpu) : ioc_(ioc), cpu_(cpu) {}

  awaitable<void> listen(tcp::endpoint ep) {
    tcp::acceptor acc(ioc_, ep);
    for (;;) {
      tcp::socket sock = co_await acc.async_accept(use_awaitable);
      net::co_spawn(ioc_, session(std::move(sock)), net::detached);
    }
  }

  awaitable<void> heartbeat_loop(std::shared_ptr<ws_t> ws) {
    for (;;) {
      co_await ws->async_ping({}, use_awaitable);
      std::this_thread::sleep_for(5s); // expect: errorshield-ws-blocking-in-handler
    }
  }

  awaitable<void> stats_loop() {
    net::steady_timer timer(co_await net::this_coro::executor);
    for (;;) {
      timer.expires_after(10s);
      co_await timer.async_wait(use_awaitable);
      std::cout << "active rides: " << active_rides_ << '\n';
    }
  }

  // Used by the admin CLI only (main thread, before the io_context runs).
  bool confirm_offer_blocking(std::future<bool>& ack) { return ack.get(); }

  // Used from the rider coroutine below.
  bool await_driver_ack(std::future<bool>& ack) {
    return ack.get(); // expect: errorshield-ws-blocking-in-handler
  }

private:
  awaitable<void> session(tcp::socket sock) {
    auto ws = std::make_shared<ws_t>(std::move(sock));
    ws->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws->read_message_max(64 * 1024);
    co_await ws->async_accept(use_awaitable);
    beast::flat_buffer buf;
    co_await ws->async_read(buf, use_awaitable);
    json hello = json::parse(beast::buffers_to_string(buf.data()));
    buf.consume(buf.size());
    if (hello.value("role", "") == "driver") {
      net::co_spawn(ioc_, heartbeat_loop(ws), net::detached);
      co_await driver_session(*ws, hello.value("id", ""));
    } else {
      co_await rider_session(*ws, hello);
    }
  }

  awaitable<void> driver_session(ws_t& ws, std::string driver_id) {
    beast::flat_buffer buf;
    for (;;) {
      co_await ws.async_read(buf, use_awaitable);
      json msg = json::parse(beast::buffers_to_string(buf.data()));
      buf.consume(buf.size());
      if (msg["type"] == "location") {
        drivers_.update(driver_id, msg["lat"].get<double>(), msg["lon"].get<double>());
      } else if (msg["type"] == "batch_begin") {
        // The app sends a batch header frame followed by a frame with the points.
        beast::flat_buffer batch;
        ws.read(batch); // expect: errorshield-ws-blocking-in-handler
        for (auto& p : json::parse(beast::buffers_to_string(batch.data())))
          drivers_.update(driver_id, p["lat"].get<double>(), p["lon"].get<double>());
      }
    }
  }

  awaitable<void> rider_session(ws_t& ws, json hello) {
    const std::string zone = hello.value("zone", "default");
    const std::string city = hello.value("city", "sf");

    // Zone polygons are large; parse them on the CPU pool and hop back.
    std::string polygons = co_await net::co_spawn(
        cpu_, [city]() -> awaitable<std::string> { co_return read_zone_file(city); },
        use_awaitable);

    auto surge_future = surge_.predict_multiplier_pct(zone);
    int surge_pct = 100;
    if (surge_future.wait_for(0ms) == std::future_status::ready)
      surge_pct = surge_future.get(); // already resolved, returns immediately

    auto eta_future = surge_.predict_multiplier_pct(zone + ":eta");
    int eta_bias = eta_future.get(); // expect: errorshield-ws-blocking-in-handler

    json quote{{"type", "quote"}, {"surge_pct", surge_pct}, {"eta_bias", eta_bias},
               {"zones_bytes", polygons.size()}};
    ws.text(true);
    co_await ws.async_write(net::buffer(quote.dump()), use_awaitable);

    auto candidates = drivers_.nearest(hello["lat"].get<double>(), hello["lon"].get<double>(), 5);
    for (const auto& driver : candidates) {
      std::string ride_id = hello.value("ride_id", "r-0");
      auto ack = drivers_.offer(driver, ride_id);
      if (await_driver_ack(ack)) {
        ++active_rides_;
        co_await notify_push_gateway(driver, ride_id);
        json assigned{{"type", "assigned"}, {"driver", driver}};
        co_await ws.async_write(net::buffer(assigned.dump()), use_awaitable);
        co_return;
      }
    }
  }

  awaitable<void> notify_push_gateway(std::string driver, std::string ride_id) {
    auto ex = co_await net::this_coro::executor;
    tcp::resolver resolver(ex);
    auto eps = co_await resolver.async_resolve("push.internal", "80", use_awaitable);
    beast::tcp_stream stream(ex);
    stream.connect(eps); // expect: errorshield-ws-blocking-in-handler
    http::request<http::string_body> req{http::verb::post, "/notify", 11};
    req.set(http::field::host, "push.internal");
    req.set(http::field::content_type, "application/json");
    req.body() = json{{"driver", driver}, {"ride", ride_id}}.dump();
    req.prepare_payload();
    stream.expires_after(3s);
    co_await http::async_write(stream, req, use_awaitable);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    co_await http::async_read(stream, buf, res, use_awaitable);
  }

  net::io_context& ioc_;
  net::thread_pool& cpu_;
  SurgeModelClient surge_;
  DriverRegistry drivers_;
  int active_rides_ = 0;
};

// Synchronous smoke test used by the deploy script; runs on its own std::thread.
bool probe_dispatch(net::io_context& ioc) {
  tcp::resolver resolver(ioc);
  ws_t ws(ioc);
  beast::get_lowest_layer(ws).connect(resolver.resolve("127.0.0.1", "7000"));
  ws.handshake("127.0.0.1", "/");
  ws.write(net::buffer(std::string(R"({"role":"probe"})")));
  beast::flat_buffer buf;
  ws.read(buf);
  return buf.size() > 0;
}

int main(int argc, char** argv) {
  net::io_context ioc;
  net::thread_pool cpu(4);
  DispatchServer server(ioc, cpu);

  std::string preload = read_zone_file("sf"); // startup, before any coroutine runs
  std::cout << "loaded " << preload.size() << " bytes of zones\n";

  if (argc > 1 && std::string(argv[1]) == "--confirm") {
    DriverRegistry reg;
    auto ack = reg.offer(argv[2], argv[3]);
    return server.confirm_offer_blocking(ack) ? 0 : 1;
  }

  std::thread metrics([] {
    for (int i = 0; i < 3; ++i) std::this_thread::sleep_for(1s); // dedicated thread
  });

  net::co_spawn(ioc, server.listen({tcp::v4(), 7000}), net::detached);
  net::co_spawn(ioc, server.stats_loop(), net::detached);
  std::thread prober([&ioc] { probe_dispatch(ioc); });
  ioc.run();
  prober.join();
  metrics.join();
}
