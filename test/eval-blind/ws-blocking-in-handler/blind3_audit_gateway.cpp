// checks: errorshield-ws-blocking-in-handler
// Audit gateway: C++20 coroutine websocket server + a legacy stackful
// (yield_context) endpoint. Every message is appended to a local sqlite
// journal and forwarded to an upstream HTTP collector.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <sqlite3.h>

#include <chrono>
#include <fstream>
#include <future>
#include <memory>
#include <string>
#include <thread>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;

struct Journal {
  sqlite3 *db = nullptr;
  bool append(const std::string &line) {
    char *err = nullptr;
    std::string sql = "INSERT INTO journal(line) VALUES('" + line + "')";
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    sqlite3_free(err);
    return rc == SQLITE_OK;
  }
};

// Sync HTTP POST helper used by the CLI replay tool (runs on main thread).
http::response<http::string_body> post_sync(net::io_context &ioc,
                                            const std::string &host,
                                            const std::string &body) {
  tcp::resolver r(ioc);
  beast::tcp_stream s(ioc);
  s.connect(r.resolve(host, "80"));
  http::request<http::string_body> req{http::verb::post, "/collect", 11};
  req.set(http::field::host, host);
  req.body() = body;
  req.prepare_payload();
  http::write(s, req);
  beast::flat_buffer b;
  http::response<http::string_body> res;
  http::read(s, b, res);
  return res;
}

// ---------------------------------------------------------------------------
// Coroutine session (bug-ridden version).
awaitable<void> audit_session(websocket::stream<beast::tcp_stream> ws,
                              Journal &journal, net::io_context &ioc) {
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    std::string line = beast::buffers_to_string(buf.data());
    buf.consume(buf.size());

    journal.append(line); // expect: errorshield-ws-blocking-in-handler
    auto res = post_sync(ioc, "collector.internal", line); // expect: errorshield-ws-blocking-in-handler
    if (res.result() != http::status::ok) {
      // back off before acknowledging
      std::this_thread::sleep_for(std::chrono::milliseconds(250)); // expect: errorshield-ws-blocking-in-handler
    }
    co_await ws.async_write(net::buffer(std::string("ok")), use_awaitable);
  }
}

// Coroutine session (fixed version): blocking parts moved off the io thread.
awaitable<void> audit_session_v2(websocket::stream<beast::tcp_stream> ws,
                                 Journal &journal, net::thread_pool &pool) {
  auto ex = co_await net::this_coro::executor;
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf;
  net::steady_timer backoff(ex);
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    std::string line = beast::buffers_to_string(buf.data());
    buf.consume(buf.size());

    // hop to the pool, do the sqlite write there, hop back
    co_await net::post(pool, use_awaitable);
    bool stored = journal.append(line);
    co_await net::post(ex, use_awaitable);

    if (!stored) {
      backoff.expires_after(std::chrono::milliseconds(250));
      co_await backoff.async_wait(use_awaitable);
    }
    co_await ws.async_write(net::buffer(std::string(stored ? "ok" : "retry")),
                            use_awaitable);
  }
}

// Async HTTP forwarder, awaited properly.
awaitable<void> forward(std::string host, std::string body) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver r(ex);
  beast::tcp_stream s(ex);
  auto eps = co_await r.async_resolve(host, "80", use_awaitable);
  co_await s.async_connect(eps, use_awaitable);
  http::request<http::string_body> req{http::verb::post, "/collect", 11};
  req.set(http::field::host, host);
  req.body() = std::move(body);
  req.prepare_payload();
  co_await http::async_write(s, req, use_awaitable);
  beast::flat_buffer b;
  http::response<http::string_body> res;
  co_await http::async_read(s, b, res, use_awaitable);
}

// ---------------------------------------------------------------------------
// Legacy stackful endpoint.
void legacy_session(tcp::socket sock, Journal &journal, net::yield_context yield) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.async_accept(yield);
  beast::flat_buffer buf;
  for (;;) {
    beast::error_code ec;
    ws.async_read(buf, yield[ec]);
    if (ec) break;
    std::string line = beast::buffers_to_string(buf.data());
    buf.consume(buf.size());

    // someone "simplified" the reply path
    ws.write(net::buffer(std::string("ack:") + line)); // expect: errorshield-ws-blocking-in-handler

    // export every message to a flat file as well (file grows unbounded)
    std::ofstream out("/var/log/audit/export.log", std::ios::app);
    out << line << '\n'; // expect: errorshield-ws-blocking-in-handler
  }
}

// Legacy stackful endpoint, fixed: offload + async reply.
void legacy_session_fixed(tcp::socket sock, Journal &journal,
                          net::thread_pool &pool, net::yield_context yield) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.async_accept(yield);
  beast::flat_buffer buf;
  for (;;) {
    beast::error_code ec;
    ws.async_read(buf, yield[ec]);
    if (ec) break;
    std::string line = beast::buffers_to_string(buf.data());
    buf.consume(buf.size());
    ws.async_write(net::buffer(std::string("ack:") + line), yield[ec]);
    if (ec) break;
    net::post(pool, [&journal, line] {
      journal.append(line);
      std::ofstream out("/var/log/audit/export.log", std::ios::app);
      out << line << '\n';
    });
  }
}

// ---------------------------------------------------------------------------
// Timer-driven flush: handler waits on a future produced by the pool.
void schedule_flush(net::steady_timer &t, Journal &journal, net::thread_pool &pool) {
  t.expires_after(std::chrono::seconds(5));
  t.async_wait([&t, &journal, &pool](beast::error_code ec) {
    if (ec) return;
    std::future<bool> done = net::post(pool, net::use_future([&journal] {
      return journal.append("--flush--");
    }));
    bool ok = done.get(); // expect: errorshield-ws-blocking-in-handler
    (void)ok;
    schedule_flush(t, journal, pool);
  });
}

// Same thing, but the future is consumed on a pool thread: fine.
void schedule_flush_fixed(net::steady_timer &t, Journal &journal,
                          net::thread_pool &pool) {
  t.expires_after(std::chrono::seconds(5));
  t.async_wait([&t, &journal, &pool](beast::error_code ec) {
    if (ec) return;
    net::post(pool, [&journal] {
      std::packaged_task<bool()> task([&journal] { return journal.append("--flush--"); });
      auto f = task.get_future();
      task();
      (void)f.get();
    });
    schedule_flush_fixed(t, journal, pool);
  });
}

int main(int argc, char **argv) {
  Journal journal;
  sqlite3_open("/var/lib/audit/journal.db", &journal.db);
  net::io_context ioc;
  net::thread_pool pool(2);

  if (argc > 1) {
    // replay mode: plain blocking code on the main thread, no io_context running
    std::ifstream in(argv[1]);
    std::string l;
    while (std::getline(in, l)) post_sync(ioc, "collector.internal", l);
    return 0;
  }

  tcp::acceptor acc(ioc, {tcp::v4(), 9200});
  net::co_spawn(
      ioc,
      [&]() -> awaitable<void> {
        for (;;) {
          auto s = co_await acc.async_accept(use_awaitable);
          net::co_spawn(ioc,
                        audit_session_v2(websocket::stream<beast::tcp_stream>(std::move(s)),
                                         journal, pool),
                        net::detached);
        }
      },
      net::detached);

  tcp::acceptor legacy(ioc, {tcp::v4(), 9201});
  net::spawn(
      ioc,
      [&](net::yield_context y) {
        for (;;) {
          beast::error_code ec;
          tcp::socket s(ioc);
          legacy.async_accept(s, y[ec]);
          if (ec) break;
          net::spawn(ioc, [&, s = std::move(s)](net::yield_context y2) mutable {
            legacy_session_fixed(std::move(s), journal, pool, y2);
          }, net::detached);
        }
      },
      net::detached);

  net::steady_timer flush(ioc);
  schedule_flush_fixed(flush, journal, pool);
  ioc.run();
  pool.join();
  sqlite3_close(journal.db);
}
