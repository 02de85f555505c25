// checks: errorshield-thread-per-connection
// ogw: order-routing gateway front end. JSON/FIX over WebSocket (plain and
// TLS), a legacy drop-copy port, session recovery, and an admin HTTP port.
#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using net::use_awaitable;

namespace ogw {

struct GatewayConfig {
  std::vector<tcp::endpoint> fix_listeners{{tcp::v4(), 9443}, {tcp::v4(), 9444}};
  tcp::endpoint tls_listener{tcp::v4(), 9543};
  tcp::endpoint dropcopy_listener{tcp::v4(), 9600};
  tcp::endpoint recovery_listener{tcp::v4(), 9700};
  unsigned short admin_port = 8081;
  std::size_t risk_threads = 4;
};

class Logger {
 public:
  template <class... A> void info(const A&... a) {
    std::lock_guard<std::mutex> lk(mu_);
    ((std::clog << "[ogw] ") << ... << a) << "\n";
  }

 private:
  std::mutex mu_;
};
inline Logger g_log;

// Legacy drop-copy consumers run a blocking request/response loop.
class SessionRegistry {
 public:
  ~SessionRegistry() {
    for (auto& [id, t] : threads_) if (t.joinable()) t.join();
  }
  void adopt(tcp::socket sock, std::string peer) {
    std::lock_guard<std::mutex> lk(mu_);
    const auto id = next_id_++;
    g_log.info("drop-copy ", id, " from ", peer);
    threads_.emplace(id, std::thread([id, s = std::move(sock)]() mutable { run_blocking(id, std::move(s)); })); // expect: errorshield-thread-per-connection
  }

 private:
  static void run_blocking(std::uint64_t id, tcp::socket s) {
    beast::error_code ec;
    char buf[512];
    while (!ec) {
      std::size_t n = s.read_some(net::buffer(buf), ec);
      if (!ec) net::write(s, net::buffer(buf, n), ec);
    }
    g_log.info("drop-copy ", id, " ended: ", ec.message());
  }
  std::mutex mu_;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, std::thread> threads_;
};

class Gateway {
 public:
  explicit Gateway(GatewayConfig cfg)
      : cfg_(std::move(cfg)), risk_pool_(cfg_.risk_threads), tls_ctx_(ssl::context::tls_server),
        heartbeat_([this] { heartbeat_loop(); }) {}
  ~Gateway() {
    stop_ = true;
    heartbeat_.join();
    for (auto& t : listener_threads_) t.join();
    if (admin_thread_.joinable()) admin_thread_.join();
    risk_pool_.join();
  }

  // One io_context + thread per configured FIX listener (sharded by port).
  void start() {
    for (const auto& ep : cfg_.fix_listeners) {
      listener_threads_.emplace_back([this, ep] {
        net::io_context shard(1);
        net::co_spawn(shard, ws_listener(ep), net::detached);
        shard.run();
      });
    }
    admin_thread_ = std::thread([this] { run_admin_server(cfg_.admin_port); });
  }

  net::awaitable<void> ws_listener(tcp::endpoint ep) {
    auto ex = co_await net::this_coro::executor;
    tcp::acceptor acc(ex, ep);
    g_log.info("fix listener on ", ep);
    for (;;) {
      auto [ec, sock] = co_await acc.async_accept(net::as_tuple(use_awaitable));
      if (ec) {
        g_log.info("accept: ", ec.message());
        continue;
      }
      net::co_spawn(ex, ws_session(std::move(sock)), net::detached);
    }
  }

  net::awaitable<void> dropcopy_listener(SessionRegistry& reg) {
    tcp::acceptor acc(co_await net::this_coro::executor, cfg_.dropcopy_listener);
    for (;;) {
      tcp::socket sock = co_await acc.async_accept(use_awaitable);
      beast::error_code ec;
      auto peer = sock.remote_endpoint(ec).address().to_string();
      reg.adopt(std::move(sock), std::move(peer));
    }
  }

  net::awaitable<void> tls_listener() {
    tcp::acceptor acc(co_await net::this_coro::executor, cfg_.tls_listener);
    for (;;) {
      tcp::socket sock = co_await acc.async_accept(use_awaitable);
      auto ws = std::make_shared<websocket::stream<ssl::stream<tcp::socket>>>(std::move(sock), tls_ctx_);
      std::thread([ws, this] { // expect: errorshield-thread-per-connection
        beast::error_code ec;
        beast::get_lowest_layer(*ws).set_option(tcp::no_delay(true));
        ws->next_layer().handshake(ssl::stream_base::server, ec);
        if (!ec) ws->accept(ec);
        beast::flat_buffer buf;
        while (!ec) {
          ws->read(buf, ec);
          if (!ec) on_fix_message(beast::buffers_to_string(buf.data()));
          buf.clear();
        }
      }).detach();
    }
  }

  // Stackful listener used by the session-recovery service.
  void recovery_listener(net::yield_context yield) {
    tcp::acceptor acc(yield.get_executor(), cfg_.recovery_listener);
    for (;;) {
      beast::error_code ec;
      tcp::socket sock(yield.get_executor());
      acc.async_accept(sock, yield[ec]);
      if (ec) continue;
      std::thread t(&Gateway::replay_gap, this, std::move(sock)); // expect: errorshield-thread-per-connection
      t.detach();
    }
  }

 private:
  net::awaitable<void> ws_session(tcp::socket sock) {
    websocket::stream<beast::tcp_stream> ws(std::move(sock));
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    co_await ws.async_accept(use_awaitable);
    for (;;) {
      beast::flat_buffer buf;
      auto [ec, n] = co_await ws.async_read(buf, net::as_tuple(use_awaitable));
      if (ec) co_return;
      // Risk evaluation is CPU-heavy: hand it to the fixed risk pool.
      net::post(risk_pool_, [this, m = beast::buffers_to_string(buf.data())] { on_fix_message(m); });
    }
  }

  void on_fix_message(const std::string& m) { processed_ += m.empty() ? 0 : 1; }

  void replay_gap(tcp::socket s) {
    beast::error_code ec;
    net::write(s, net::buffer(std::string("{\"35\":\"4\",\"123\":\"Y\"}\n")), ec);
  }

  void run_admin_server(unsigned short port) {
    net::io_context ioc;
    tcp::acceptor acc(ioc, {net::ip::make_address("127.0.0.1"), port});
    while (!stop_) {
      tcp::socket sock(ioc);
      acc.accept(sock);
      std::thread{[this, s = std::move(sock)]() mutable { handle_admin(std::move(s)); }}.detach(); // expect: errorshield-thread-per-connection
    }
  }

  void handle_admin(tcp::socket s) {
    beast::error_code ec;
    beast::flat_buffer buf;
    http::request<http::string_body> req;
    http::read(s, buf, req, ec);
    if (ec) return;
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/json");
    res.body() = "{\"processed\":" + std::to_string(processed_.load()) + "}";
    res.prepare_payload();
    http::write(s, res, ec);
  }

  void heartbeat_loop() {
    while (!stop_) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      g_log.info("hb processed=", processed_.load());
    }
  }

  GatewayConfig cfg_;
  net::thread_pool risk_pool_;
  ssl::context tls_ctx_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> processed_{0};
  std::vector<std::thread> listener_threads_;
  std::thread admin_thread_;
  std::thread heartbeat_;
};

}  // namespace ogw

int main() {
  ogw::Gateway gw(ogw::GatewayConfig{});
  ogw::SessionRegistry registry;
  gw.start();

  net::io_context ioc;
  net::co_spawn(ioc, gw.tls_listener(), net::detached);
  net::co_spawn(ioc, gw.dropcopy_listener(registry), net::detached);
  net::spawn(ioc, [&gw](net::yield_context y) { gw.recovery_listener(y); }, net::detached);

  const auto n = std::max(2u, std::thread::hardware_concurrency());
  std::vector<std::thread> io_threads;
  for (unsigned i = 0; i + 1 < n; ++i) io_threads.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : io_threads) t.join();
}
