// checks: errorshield-ws-blocking-in-handler
// C++20-coroutine WebSocket gateway: each session authenticates against an
// HTTP auth service, then streams price ticks. Some work goes to a pool.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;

struct tick {
  std::string symbol;
  double px;
};

// Slow, synchronous store lookup. Only ever called from the pool.
std::string load_portfolio_blocking(std::string const& user) {
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  return "{\"user\":\"" + user + "\",\"positions\":[]}";
}

tick next_tick();

// Synchronous auth call (used from a coroutine below; that is the bug).
bool check_token_sync(std::string const& token) {
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  auto const results = resolver.resolve("auth.internal", "80");
  stream.connect(results);
  http::request<http::string_body> req{http::verb::get, "/verify", 11};
  req.set(http::field::authorization, "Bearer " + token);
  http::write(stream, req);
  beast::flat_buffer b;
  http::response<http::string_body> res;
  http::read(stream, b, res);
  return res.result() == http::status::ok;
}

awaitable<bool> check_token_async(std::string token) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver(ex);
  beast::tcp_stream stream(ex);
  auto const results = co_await resolver.async_resolve("auth.internal", "80", use_awaitable);
  stream.expires_after(std::chrono::seconds(5));
  co_await stream.async_connect(results, use_awaitable);
  http::request<http::string_body> req{http::verb::get, "/verify", 11};
  req.set(http::field::authorization, "Bearer " + token);
  co_await http::async_write(stream, req, use_awaitable);
  beast::flat_buffer b;
  http::response<http::string_body> res;
  co_await http::async_read(stream, b, res, use_awaitable);
  co_return res.result() == http::status::ok;
}

awaitable<void> stream_ticks(websocket::stream<beast::tcp_stream>& ws, bool legacy) {
  net::steady_timer timer(co_await net::this_coro::executor);
  for (;;) {
    tick t = next_tick();
    std::string frame = t.symbol + ":" + std::to_string(t.px);
    if (legacy) {
      ws.write(net::buffer(frame)); // expect: errorshield-ws-blocking-in-handler
      std::this_thread::sleep_for(std::chrono::milliseconds(100)); // expect: errorshield-ws-blocking-in-handler
    } else {
      co_await ws.async_write(net::buffer(frame), use_awaitable);
      timer.expires_after(std::chrono::milliseconds(100));
      co_await timer.async_wait(use_awaitable);
    }
  }
}

awaitable<void> session(tcp::socket socket, net::thread_pool& pool) {
  websocket::stream<beast::tcp_stream> ws(std::move(socket));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(use_awaitable);

  beast::flat_buffer buffer;
  co_await ws.async_read(buffer, use_awaitable);
  std::string hello = beast::buffers_to_string(buffer.data());
  buffer.consume(buffer.size());

  bool ok = false;
  if (hello.rfind("v1 ", 0) == 0) {
    ok = check_token_sync(hello.substr(3)); // expect: errorshield-ws-blocking-in-handler
  } else {
    ok = co_await check_token_async(hello);
  }
  if (!ok) {
    co_await ws.async_close(websocket::close_code::policy_error, use_awaitable);
    co_return;
  }

  // Correct: portfolio loaded on the pool, awaited without blocking.
  std::string portfolio = co_await net::co_spawn(
      pool,
      [user = hello]() -> awaitable<std::string> { co_return load_portfolio_blocking(user); },
      use_awaitable);
  co_await ws.async_write(net::buffer(portfolio), use_awaitable);

  // Wrong: shells out from the io thread to fetch a snapshot.
  std::system("/usr/local/bin/snapshot --dump /tmp/snap"); // expect: errorshield-ws-blocking-in-handler

  co_await stream_ticks(ws, hello.rfind("legacy", 0) == 0);
}

awaitable<void> listener(tcp::endpoint ep, net::thread_pool& pool) {
  auto ex = co_await net::this_coro::executor;
  tcp::acceptor acceptor(ex, ep);
  for (;;) {
    tcp::socket socket = co_await acceptor.async_accept(use_awaitable);
    net::co_spawn(ex, session(std::move(socket), pool), net::detached);
  }
}

// Admin endpoint served with classic callbacks.
void serve_admin(net::io_context& ioc, tcp::acceptor& acc, net::thread_pool& pool) {
  acc.async_accept([&ioc, &acc, &pool](beast::error_code ec, tcp::socket s) {
    if (!ec) {
      beast::flat_buffer buf;
      http::request<http::string_body> req;
      http::read(s, buf, req); // expect: errorshield-ws-blocking-in-handler
      http::response<http::string_body> res{http::status::ok, req.version()};
      res.body() = "ok";
      res.prepare_payload();
      // Correct: the slow flush runs on the pool, not the io thread.
      net::post(pool, [s = std::make_shared<tcp::socket>(std::move(s)),
                       res = std::make_shared<http::response<http::string_body>>(std::move(res))] {
        beast::error_code wec;
        http::write(*s, *res, wec);
      });
    }
    serve_admin(ioc, acc, pool);
  });
}

int main() {
  net::io_context ioc{1};
  net::thread_pool pool{4};
  // Not in a handler: blocking preflight before the loop starts.
  bool healthy = check_token_sync("preflight");
  (void)healthy;
  net::co_spawn(ioc, listener({tcp::v4(), 9000}, pool), net::detached);
  tcp::acceptor admin(ioc, {tcp::v4(), 9001});
  serve_admin(ioc, admin, pool);

  std::vector<std::thread> workers;
  for (int i = 0; i < 2; ++i) workers.emplace_back([&ioc] { ioc.run(); });
  for (auto& w : workers) w.join();
  pool.join();
}
