// checks: errorshield-ws-blocking-in-handler
// ogw: order-routing gateway. Clients send FIX-like JSON over WebSocket
// (tag "35" = MsgType), orders are risk-checked and routed to a venue line
// session. A small admin HTTP endpoint exposes drain/stats/flush.
#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <future>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using net::use_awaitable;

namespace ogw {

struct GatewayConfig {
  std::string venue_host = "10.20.0.15";
  unsigned short venue_port = 9878;
  std::string risk_host = "127.0.0.1";
  unsigned short risk_port = 7100;
  std::chrono::milliseconds retry_backoff{250};
  int max_retries = 3;
  std::string audit_path = "/var/log/ogw/audit.jsonl";
};

struct Order {
  std::string cl_ord_id;
  std::string symbol;
  char side = '1';
  std::int64_t qty = 0;
  std::int64_t px_ticks = 0;
  std::uint64_t seq = 0;
};

// Synchronous line-protocol client for the pre-trade risk daemon. It owns a
// private io_context and is only meant to be driven from blocking threads.
class RiskClient {
 public:
  explicit RiskClient(const GatewayConfig& cfg) : cfg_(cfg), sock_(ioc_) {}
  void connect() {
    sock_.connect(tcp::endpoint(net::ip::make_address(cfg_.risk_host), cfg_.risk_port));
  }
  bool check(const Order& o) {
    std::lock_guard<std::mutex> lk(mu_);
    std::string req = o.cl_ord_id + "|" + o.symbol + "|" + std::to_string(o.qty) + "\n";
    net::write(sock_, net::buffer(req));
    std::string reply;
    net::read_until(sock_, net::dynamic_buffer(reply), '\n');
    return reply.rfind("OK", 0) == 0;
  }

 private:
  const GatewayConfig& cfg_;
  net::io_context ioc_;
  tcp::socket sock_;
  std::mutex mu_;
};

// Sequence numbers are persisted to disk by a background writer.
class SeqAllocator {
 public:
  std::future<std::uint64_t> reserve_async(const std::string& account) {
    return std::async(std::launch::async, [this, account] {
      std::ofstream("/var/lib/ogw/seq-" + account) << next_;
      return next_++;
    });
  }

 private:
  std::atomic<std::uint64_t> next_{1};
};

class Gateway {
 public:
  explicit Gateway(const GatewayConfig& cfg) : cfg_(cfg), risk_(cfg), blocking_pool_(4) {}
  const GatewayConfig& cfg() const { return cfg_; }
  RiskClient& risk() { return risk_; }
  SeqAllocator& seq() { return seq_; }
  net::thread_pool& blocking_pool() { return blocking_pool_; }
  std::thread& drain_thread() { return drain_thread_; }

  void begin_drain() {
    draining_ = true;
    drain_thread_ = std::thread([this] { while (open_orders_ > 0) std::this_thread::yield(); });
  }
  void flush_audit_log() { std::ofstream(cfg_.audit_path, std::ios::app).flush(); }
  json stats_json() const { return {{"open_orders", open_orders_.load()}, {"draining", draining_.load()}}; }
  std::atomic<int> open_orders_{0};

 private:
  GatewayConfig cfg_;
  RiskClient risk_;
  SeqAllocator seq_;
  net::thread_pool blocking_pool_;
  std::thread drain_thread_;
  std::atomic<bool> draining_{false};
};

class OrderSession {
 public:
  OrderSession(tcp::socket s, Gateway& gw) : ws_(std::move(s)), venue_(ws_.get_executor()), gw_(gw) {}

  net::awaitable<void> run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(16 * 1024);
    co_await ws_.async_accept(use_awaitable);
    co_await logon();
    for (;;) {
      beast::flat_buffer buf;
      auto [ec, n] = co_await ws_.async_read(buf, net::as_tuple(use_awaitable));
      if (ec) {
        std::clog << "[ogw] session " << account_ << " closed: " << ec.message() << "\n";
        co_return;
      }
      auto msg = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
      if (msg.is_discarded()) continue;
      const auto type = msg.value("35", std::string{});
      if (type == "D") co_await on_new_order(msg);
      else if (type == "G") co_await on_replace(msg);
      else if (type == "0") co_await send({{"35", "0"}});
    }
  }

 private:
  net::awaitable<void> logon() {
    beast::flat_buffer buf;
    ws_.read(buf); // expect: errorshield-ws-blocking-in-handler
    auto j = json::parse(beast::buffers_to_string(buf.data()));
    account_ = j.at("49").get<std::string>();
    co_await send({{"35", "A"}, {"98", 0}, {"108", 30}});
  }

  static Order parse_order(const json& m) {
    return Order{m.at("11").get<std::string>(), m.at("55").get<std::string>(),
                 m.value("54", std::string("1"))[0], m.at("38").get<std::int64_t>(),
                 m.value("44", std::int64_t{0})};
  }

  net::awaitable<void> on_new_order(const json& msg) {
    Order o = parse_order(msg);
    o.seq = gw_.seq().reserve_async(account_).get(); // expect: errorshield-ws-blocking-in-handler
    // Risk check is synchronous: run it on the blocking pool and await it.
    bool ok = co_await net::co_spawn(
        gw_.blocking_pool(),
        [this, o]() -> net::awaitable<bool> { co_return gw_.risk().check(o); },
        use_awaitable);
    if (!ok) {
      co_await send({{"35", "8"}, {"11", o.cl_ord_id}, {"39", "8"}, {"58", "risk reject"}});
      co_return;
    }
    ++gw_.open_orders_;
    co_await route_to_venue(o);
  }

  net::awaitable<void> on_replace(const json& msg) {
    Order o = parse_order(msg);
    if (!gw_.risk().check(o)) { // expect: errorshield-ws-blocking-in-handler
      co_await send({{"35", "9"}, {"11", o.cl_ord_id}, {"102", 0}});
      co_return;
    }
    co_await route_to_venue(o);
  }

  net::awaitable<void> route_to_venue(const Order& o) {
    if (!venue_.is_open()) {
      tcp::endpoint ep(net::ip::make_address(gw_.cfg().venue_host), gw_.cfg().venue_port);
      venue_.connect(ep); // expect: errorshield-ws-blocking-in-handler
    }
    const std::string line = json{{"11", o.cl_ord_id}, {"55", o.symbol}, {"38", o.qty}, {"44", o.px_ticks}}.dump() + "\n";
    for (int attempt = 0; attempt < gw_.cfg().max_retries; ++attempt) {
      auto [ec, n] = co_await net::async_write(venue_, net::buffer(line), net::as_tuple(use_awaitable));
      if (!ec) co_return;
      std::clog << "[ogw] venue write failed (" << ec.message() << "), retry " << attempt << "\n";
      std::this_thread::sleep_for(gw_.cfg().retry_backoff * (attempt + 1)); // expect: errorshield-ws-blocking-in-handler
    }
    co_await reconnect_venue();
  }

  net::awaitable<void> reconnect_venue() {
    beast::error_code ignored;
    venue_.close(ignored);
    net::steady_timer backoff(co_await net::this_coro::executor);
    backoff.expires_after(gw_.cfg().retry_backoff);
    co_await backoff.async_wait(use_awaitable);
    tcp::resolver resolver(co_await net::this_coro::executor);
    auto eps = co_await resolver.async_resolve(gw_.cfg().venue_host, std::to_string(gw_.cfg().venue_port), use_awaitable);
    co_await net::async_connect(venue_, eps, use_awaitable);
  }

  net::awaitable<void> send(json j) {
    ws_.text(true);
    co_await ws_.async_write(net::buffer(j.dump()), use_awaitable);
  }

  websocket::stream<beast::tcp_stream> ws_;
  tcp::socket venue_;
  Gateway& gw_;
  std::string account_;
};

net::awaitable<void> admin_session(tcp::socket sock, Gateway& gw) {
  beast::tcp_stream stream(std::move(sock));
  stream.expires_after(std::chrono::seconds(10));
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(stream, buf, req, use_awaitable);

  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  if (req.target() == "/admin/drain") {
    gw.begin_drain();
    gw.drain_thread().join(); // expect: errorshield-ws-blocking-in-handler
    res.body() = R"({"drained":true})";
  } else if (req.target() == "/admin/flush-audit") {
    co_await net::co_spawn(gw.blocking_pool(), [&gw]() -> net::awaitable<void> {
      gw.flush_audit_log();
      co_return;
    }, use_awaitable);
    res.body() = R"({"flushed":true})";
  } else {
    res.body() = gw.stats_json().dump();
  }
  res.prepare_payload();
  co_await http::async_write(stream, res, use_awaitable);
}

net::awaitable<void> listen(tcp::endpoint ep, Gateway& gw, bool admin) {
  auto ex = co_await net::this_coro::executor;
  tcp::acceptor acc(ex, ep);
  for (;;) {
    tcp::socket s = co_await acc.async_accept(use_awaitable);
    if (admin) {
      net::co_spawn(ex, admin_session(std::move(s), gw), net::detached);
    } else {
      auto sess = std::make_shared<OrderSession>(std::move(s), gw);
      net::co_spawn(ex, [sess]() { return sess->run(); }, net::detached);
    }
  }
}

}  // namespace ogw

int main() {
  ogw::GatewayConfig cfg;
  ogw::Gateway gw(cfg);
  gw.risk().connect();  // startup, before the reactor runs

  net::io_context ioc(1);
  net::co_spawn(ioc, ogw::listen({tcp::v4(), 9443}, gw, false), net::detached);
  net::co_spawn(ioc, ogw::listen({net::ip::make_address("127.0.0.1"), 8081}, gw, true), net::detached);
  net::signal_set sigs(ioc, SIGINT, SIGTERM);
  sigs.async_wait([&](beast::error_code, int) { ioc.stop(); });
  ioc.run();
  gw.blocking_pool().join();
  if (gw.drain_thread().joinable()) gw.drain_thread().join();
}
