// checks: errorshield-thread-per-connection
// TLS WebSocket feed server: coroutine and stackful listeners, plus a load-test client.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <list>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using asio::use_awaitable;

using tls_ws = websocket::stream<ssl::stream<tcp::socket>>;

// Blocking TLS session used by the legacy listeners.
void run_blocking_session(tcp::socket sock, ssl::context &ctx) {
  tls_ws ws(std::move(sock), ctx);
  beast::error_code ec;
  ws.next_layer().handshake(ssl::stream_base::server, ec);
  if (ec)
    return;
  ws.accept(ec);
  beast::flat_buffer buf;
  while (!ec) {
    ws.read(buf, ec);
    buf.consume(buf.size());
  }
}

asio::awaitable<void> feed_session(tcp::socket sock, ssl::context &ctx) {
  tls_ws ws(std::move(sock), ctx);
  co_await ws.next_layer().async_handshake(ssl::stream_base::server, use_awaitable);
  co_await ws.async_accept(use_awaitable);
  asio::steady_timer tick(co_await asio::this_coro::executor);
  for (std::uint64_t seq = 0;; ++seq) {
    std::string msg = json{{"seq", seq}, {"px", "101.25"}}.dump();
    co_await ws.async_write(asio::buffer(msg), use_awaitable);
    tick.expires_after(std::chrono::milliseconds(250));
    co_await tick.async_wait(use_awaitable);
  }
}

// Preferred: every connection is a coroutine on the shared io_context.
asio::awaitable<void> coro_listener(tcp::endpoint ep, ssl::context &ctx) {
  auto ex = co_await asio::this_coro::executor;
  tcp::acceptor acc(ex, ep);
  for (;;) {
    tcp::socket s = co_await acc.async_accept(use_awaitable);
    asio::co_spawn(ex, feed_session(std::move(s), ctx), asio::detached);
  }
}

// A "quick fix" for a blocking TLS library call ended up here.
asio::awaitable<void> coro_listener_blocking(tcp::endpoint ep, ssl::context &ctx) {
  auto ex = co_await asio::this_coro::executor;
  tcp::acceptor acc(ex, ep);
  for (;;) {
    tcp::socket s = co_await acc.async_accept(use_awaitable);
    std::thread([s = std::move(s), &ctx]() mutable { run_blocking_session(std::move(s), ctx); }).detach(); // expect: errorshield-thread-per-connection
  }
}

// Stackful listener that owns its session threads so shutdown can join them.
class replay_server {
public:
  replay_server(asio::io_context &ioc, ssl::context &ctx) : ioc_(ioc), ctx_(ctx) {}

  void start(unsigned short port) {
    asio::spawn(
        ioc_,
        [this, port](asio::yield_context yield) {
          tcp::acceptor acc(ioc_, {tcp::v4(), port});
          for (;;) {
            beast::error_code ec;
            tcp::socket s = acc.async_accept(yield[ec]);
            if (ec)
              return;
            sessions_.emplace_back([this, s = std::move(s)]() mutable { run_blocking_session(std::move(s), ctx_); }); // expect: errorshield-thread-per-connection
          }
        },
        asio::detached);
  }

  // Stackful per-connection coroutines: no OS thread per client.
  void start_async(unsigned short port) {
    asio::spawn(
        ioc_,
        [this, port](asio::yield_context yield) {
          tcp::acceptor acc(ioc_, {tcp::v4(), port});
          for (;;) {
            beast::error_code ec;
            tcp::socket s = acc.async_accept(yield[ec]);
            if (ec)
              return;
            asio::spawn(
                acc.get_executor(),
                [this, s = std::move(s)](asio::yield_context y) mutable {
                  tls_ws ws(std::move(s), ctx_);
                  beast::error_code e;
                  ws.next_layer().async_handshake(ssl::stream_base::server, y[e]);
                  if (!e)
                    ws.async_accept(y[e]);
                },
                asio::detached);
          }
        },
        asio::detached);
  }

private:
  asio::io_context &ioc_;
  ssl::context &ctx_;
  std::list<std::jthread> sessions_;
};

// Snapshot endpoint: each request is computed on its own std::async task.
void snapshot_listener(asio::io_context &ioc, ssl::context &ctx, unsigned short port) {
  tcp::acceptor acc(ioc, {tcp::v4(), port});
  std::vector<std::future<void>> inflight;
  for (int served = 0; served < 10000; ++served) {
    tcp::socket s = acc.accept();
    inflight.push_back(std::async(std::launch::async, run_blocking_session, std::move(s), std::ref(ctx))); // expect: errorshield-thread-per-connection
    std::erase_if(inflight, [](std::future<void> &f) {
      return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    });
  }
}

// Serialises accepted sockets onto a strand-backed handler, no thread creation.
void strand_listener(asio::io_context &ioc, ssl::context &ctx, unsigned short port) {
  auto acc = std::make_shared<tcp::acceptor>(ioc, tcp::endpoint{tcp::v4(), port});
  auto loop = std::make_shared<std::function<void()>>();
  *loop = [acc, &ctx, &ioc, loop] {
    acc->async_accept(asio::make_strand(ioc), [acc, &ctx, loop](beast::error_code ec, tcp::socket s) {
      if (!ec)
        asio::co_spawn(s.get_executor(), feed_session(std::move(s), ctx), asio::detached);
      (*loop)();
    });
  };
  (*loop)();
}

// Load generator: one thread per *outgoing* simulated client.
void load_test(std::string const &host, std::string const &port, int clients) {
  std::vector<std::thread> sims;
  for (int i = 0; i < clients; ++i) {
    sims.emplace_back([host, port] {
      asio::io_context ioc;
      ssl::context cctx(ssl::context::tlsv12_client);
      tls_ws ws(ioc, cctx);
      tcp::resolver r(ioc);
      beast::error_code ec;
      asio::connect(beast::get_lowest_layer(ws), r.resolve(host, port), ec);
      if (!ec)
        ws.next_layer().handshake(ssl::stream_base::client, ec);
      if (!ec)
        ws.handshake(host, "/feed", ec);
    });
  }
  for (auto &t : sims)
    t.join();
}

int main(int argc, char **argv) {
  asio::io_context ioc;
  ssl::context ctx(ssl::context::tlsv12_server);
  ctx.use_certificate_chain_file("server.pem");
  ctx.use_private_key_file("server.key", ssl::context::pem);

  if (argc > 1 && std::string(argv[1]) == "--load") {
    load_test("127.0.0.1", "8443", 200);
    return 0;
  }

  asio::co_spawn(ioc, coro_listener({tcp::v4(), 8443}, ctx), asio::detached);
  asio::co_spawn(ioc, coro_listener_blocking({tcp::v4(), 8444}, ctx), asio::detached);
  replay_server replay(ioc, ctx);
  replay.start(8445);
  replay.start_async(8446);
  strand_listener(ioc, ctx, 8447);
  std::thread snap([&] { snapshot_listener(ioc, ctx, 8448); });

  std::vector<std::thread> io;
  for (unsigned i = 0; i < 4; ++i)
    io.emplace_back([&ioc] { ioc.run(); });
  for (auto &t : io)
    t.join();
  snap.join();
}
