// checks: errorshield-ws-blocking-in-handler
// Push-notification hub: C++20 coroutine sessions on the main io_context,
// a stackful admin channel, a thread pool for disk and crypto work, and a
// legacy thread-per-connection debug port.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using net::awaitable;
using net::use_awaitable;

using ws_t = websocket::stream<beast::tcp_stream>;

struct Outbox {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<json> items;
};

std::string sign_payload(const std::string &body); // slow HMAC over HSM
std::future<std::string> lookup_device_token(const std::string &user);

// Blocking helper meant to run on the pool only.
std::string load_template(const std::string &name) {
  std::ifstream in("/var/lib/hub/templates/" + name);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Retry backoff inside a coroutine with a thread sleep: the io thread stalls.
awaitable<void> deliver_with_retry(ws_t &ws, const std::string &msg) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    beast::error_code ec;
    co_await ws.async_write(net::buffer(msg), net::redirect_error(use_awaitable, ec));
    if (!ec)
      co_return;
    std::this_thread::sleep_for(std::chrono::milliseconds(200 << attempt)); // expect: errorshield-ws-blocking-in-handler
  }
}

// Same retry loop, backoff done with a timer: correct.
awaitable<void> deliver_with_retry_ok(ws_t &ws, const std::string &msg) {
  net::steady_timer t(co_await net::this_coro::executor);
  for (int attempt = 0; attempt < 3; ++attempt) {
    beast::error_code ec;
    co_await ws.async_write(net::buffer(msg), net::redirect_error(use_awaitable, ec));
    if (!ec)
      co_return;
    t.expires_after(std::chrono::milliseconds(200 << attempt));
    co_await t.async_wait(use_awaitable);
  }
}

// Drains the outbox by waiting on a condition variable from the coroutine.
awaitable<void> outbox_pump(ws_t &ws, Outbox &box) {
  for (;;) {
    json next;
    {
      std::unique_lock<std::mutex> lk(box.mu);
      box.cv.wait(lk, [&] { return !box.items.empty(); }); // expect: errorshield-ws-blocking-in-handler
      next = std::move(box.items.front());
      box.items.pop_front();
    }
    std::string s = next.dump();
    co_await ws.async_write(net::buffer(s), use_awaitable);
  }
}

// Session coroutine: mixes correct offloading with a couple of blocking calls.
awaitable<void> session(tcp::socket sock, net::thread_pool &pool, Outbox &box) {
  ws_t ws(std::move(sock));
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    json req = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    const std::string op = req.value("op", "");

    if (op == "register") {
      // Waits on a future produced by another thread, inside the coroutine.
      std::string token = lookup_device_token(req.value("user", "")).get(); // expect: errorshield-ws-blocking-in-handler
      std::string rsp = json{{"token", token}}.dump();
      co_await ws.async_write(net::buffer(rsp), use_awaitable);
    } else if (op == "render") {
      // Template file read and HMAC run as a coroutine on the pool: blocking there is fine.
      std::string signed_body = co_await net::co_spawn(
          pool,
          [name = req.value("tpl", "")]() -> awaitable<std::string> {
            co_return sign_payload(load_template(name));
          },
          use_awaitable);
      co_await ws.async_write(net::buffer(signed_body), use_awaitable);
    } else if (op == "confirm") {
      // Synchronous read of the client's confirmation from within the coroutine.
      beast::flat_buffer confirm;
      ws.read(confirm); // expect: errorshield-ws-blocking-in-handler
    } else if (op == "queue") {
      // Brief critical section and a notify: no waiting on the io thread.
      {
        std::lock_guard<std::mutex> lk(box.mu);
        box.items.push_back(req.value("payload", json::object()));
      }
      box.cv.notify_one();
    }
  }
}

// Stackful admin channel: joins a worker thread from inside the spawned coroutine.
void admin_channel(net::io_context &ioc, tcp::socket sock) {
  net::spawn(
      ioc,
      [s = std::move(sock)](net::yield_context yield) mutable {
        ws_t ws(std::move(s));
        ws.async_accept(yield);
        beast::flat_buffer buf;
        ws.async_read(buf, yield);
        std::vector<std::string> lines;
        std::thread compactor([&lines] {
          for (int i = 0; i < 1000; ++i)
            lines.push_back(std::to_string(i));
        });
        compactor.join(); // expect: errorshield-ws-blocking-in-handler
        std::string done = json{{"compacted", lines.size()}}.dump();
        ws.async_write(net::buffer(done), yield);
      },
      net::detached);
}

// Stackful variant that waits asynchronously for the worker via a timer poll: correct.
void admin_channel_ok(net::io_context &ioc, tcp::socket sock, net::thread_pool &pool) {
  net::spawn(
      ioc,
      [s = std::move(sock), &pool](net::yield_context yield) mutable {
        ws_t ws(std::move(s));
        ws.async_accept(yield);
        std::vector<std::string> lines;
        std::future<void> job = net::post(pool, net::use_future([&lines] {
                                            for (int i = 0; i < 1000; ++i)
                                              lines.push_back(std::to_string(i));
                                          }));
        net::steady_timer t(ws.get_executor());
        while (job.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
          t.expires_after(std::chrono::milliseconds(10));
          t.async_wait(yield);
        }
        std::string done = json{{"compacted", lines.size()}}.dump();
        ws.async_write(net::buffer(done), yield);
      },
      net::detached);
}

// Thread-per-connection debug port: synchronous reads are the design, not a stall.
void debug_port_thread(tcp::socket sock) {
  ws_t ws(std::move(sock));
  ws.accept();
  beast::flat_buffer buf;
  for (;;) {
    beast::error_code ec;
    ws.read(buf, ec);
    if (ec)
      break;
    ws.text(ws.got_text());
    ws.write(buf.data(), ec);
    buf.consume(buf.size());
  }
}

awaitable<void> listener(tcp::acceptor acc, net::thread_pool &pool, Outbox &box) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(use_awaitable);
    net::co_spawn(acc.get_executor(), session(std::move(s), pool, box), net::detached);
  }
}

int main() {
  net::io_context ioc;
  net::thread_pool pool(4);
  Outbox box;
  net::co_spawn(ioc, listener(tcp::acceptor(ioc, {tcp::v4(), 9000}), pool, box), net::detached);

  tcp::acceptor dbg(ioc, {tcp::v4(), 9001});
  std::thread dbg_thread([&dbg] { debug_port_thread(dbg.accept()); });

  std::thread io([&ioc] { ioc.run(); });
  // Waiting on threads from main: not inside any handler.
  io.join();
  dbg_thread.join();
  pool.join();
}
