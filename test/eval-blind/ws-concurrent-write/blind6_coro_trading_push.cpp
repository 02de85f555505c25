// checks: errorshield-ws-concurrent-write
// Order-update push server. Mix of C++20 coroutines and stackful spawn.
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using net::awaitable;
using net::use_awaitable;
using namespace net::experimental::awaitable_operators;

using ws_t = websocket::stream<beast::tcp_stream>;
using out_channel = net::experimental::channel<void(beast::error_code, std::string)>;

json handle_order(const json &req);
std::string fill_report(int n);

// ---- Variant A: sole writer fed by a channel (correct) --------------------

awaitable<void> writer_loop(ws_t &ws, out_channel &ch) {
  for (;;) {
    std::string msg = co_await ch.async_receive(use_awaitable);
    co_await ws.async_write(net::buffer(msg), use_awaitable);
  }
}

awaitable<void> reader_via_channel(ws_t &ws, out_channel &ch) {
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    json req = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    co_await ch.async_send(beast::error_code{}, handle_order(req).dump(), use_awaitable);
  }
}

awaitable<void> heartbeat_via_channel(out_channel &ch) {
  net::steady_timer t(co_await net::this_coro::executor);
  for (;;) {
    t.expires_after(std::chrono::seconds(5));
    co_await t.async_wait(use_awaitable);
    co_await ch.async_send(beast::error_code{}, std::string(R"({"hb":1})"), use_awaitable);
  }
}

awaitable<void> session_ok(tcp::socket s) {
  ws_t ws(std::move(s));
  co_await ws.async_accept(use_awaitable);
  out_channel ch(ws.get_executor(), 64);
  co_await (writer_loop(ws, ch) && reader_via_channel(ws, ch) && heartbeat_via_channel(ch));
}

// ---- Variant B: reader and heartbeat both write the stream (bug) ----------

awaitable<void> heartbeat_direct(ws_t &ws) {
  net::steady_timer t(co_await net::this_coro::executor);
  std::string hb = R"({"hb":1})";
  for (;;) {
    t.expires_after(std::chrono::seconds(5));
    co_await t.async_wait(use_awaitable);
    co_await ws.async_write(net::buffer(hb), use_awaitable); // expect: errorshield-ws-concurrent-write
  }
}

awaitable<void> session_racy(tcp::socket s) {
  auto ws = std::make_shared<ws_t>(std::move(s));
  co_await ws->async_accept(use_awaitable);
  net::co_spawn(ws->get_executor(), [ws]() -> awaitable<void> { co_await heartbeat_direct(*ws); },
                net::detached);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws->async_read(buf, use_awaitable);
    json req = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    std::string rsp = handle_order(req).dump();
    co_await ws->async_write(net::buffer(rsp), use_awaitable); // expect: errorshield-ws-concurrent-write
  }
}

// ---- Variant C: burst of fills ---------------------------------------------

// Fire-and-forget writes in a loop: every iteration starts a new write at once.
awaitable<void> push_fills_detached(ws_t &ws, int count) {
  std::vector<std::shared_ptr<std::string>> keep;
  for (int i = 0; i < count; ++i) {
    keep.push_back(std::make_shared<std::string>(fill_report(i)));
    ws.async_write(net::buffer(*keep.back()), net::detached); // expect: errorshield-ws-concurrent-write
  }
  co_return;
}

// Same burst, each write awaited before the next: sequential, correct.
awaitable<void> push_fills_sequential(ws_t &ws, int count) {
  for (int i = 0; i < count; ++i) {
    std::string r = fill_report(i);
    co_await ws.async_write(net::buffer(r), use_awaitable);
  }
}

// Parallel group on one stream: both writes are in flight together.
awaitable<void> push_ack_and_fill(ws_t &ws, const std::string &ack, const std::string &fill) {
  co_await (ws.async_write(net::buffer(ack), use_awaitable) &&
            ws.async_write(net::buffer(fill), use_awaitable)); // expect: errorshield-ws-concurrent-write
}

// Parallel group across two different streams: allowed.
awaitable<void> mirror_to_audit(ws_t &client, ws_t &audit, const std::string &msg) {
  co_await (client.async_write(net::buffer(msg), use_awaitable) &&
            audit.async_write(net::buffer(msg), use_awaitable));
}

// Read raced against a timeout: one read, no write overlap.
awaitable<bool> read_with_timeout(ws_t &ws, beast::flat_buffer &buf) {
  net::steady_timer t(co_await net::this_coro::executor, std::chrono::seconds(30));
  auto r = co_await (ws.async_read(buf, use_awaitable) || t.async_wait(use_awaitable));
  co_return r.index() == 0;
}

// ---- Variant D: stackful spawn ---------------------------------------------

struct Peer {
  explicit Peer(tcp::socket s) : ws(std::move(s)) {}
  ws_t ws;
  std::vector<std::string> symbols;
};

// Every tick spawns a fresh writer per peer. A slow client still has last
// tick's write outstanding when the next one starts.
void market_data_task(net::io_context &ioc, std::vector<std::shared_ptr<Peer>> &peers) {
  net::spawn(
      ioc,
      [&peers, &ioc](net::yield_context yield) {
        net::steady_timer t(ioc);
        for (;;) {
          t.expires_after(std::chrono::milliseconds(100));
          t.async_wait(yield);
          auto px = std::make_shared<std::string>(R"({"px":101.25})");
          for (auto &p : peers) {
            net::spawn(
                ioc,
                [p, px](net::yield_context y) {
                  beast::error_code ec;
                  p->ws.async_write(net::buffer(*px), y[ec]); // expect: errorshield-ws-concurrent-write
                },
                net::detached);
          }
        }
      },
      net::detached);
}

// Read-only subscription loop: never writes, so the market-data writer has
// no competition from here.
void peer_session(std::shared_ptr<Peer> p) {
  net::spawn(
      p->ws.get_executor(),
      [p](net::yield_context yield) {
        beast::error_code ec;
        p->ws.async_accept(yield[ec]);
        if (ec)
          return;
        beast::flat_buffer buf;
        for (;;) {
          p->ws.async_read(buf, yield[ec]);
          if (ec)
            return;
          json sub = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
          buf.consume(buf.size());
          if (sub.contains("symbol"))
            p->symbols.push_back(sub["symbol"].get<std::string>());
        }
      },
      net::detached);
}

// Admin console connection owned by one stackful coroutine: two writes in a
// row with yield are sequential. Correct.
void admin_console(tcp::socket s, net::io_context &ioc) {
  net::spawn(
      ioc,
      [sock = std::move(s)](net::yield_context yield) mutable {
        ws_t ws(std::move(sock));
        ws.async_accept(yield);
        std::string a = R"({"banner":"admin"})", b = R"({"limits":{"rps":50}})";
        ws.async_write(net::buffer(a), yield);
        ws.async_write(net::buffer(b), yield);
      },
      net::detached);
}
