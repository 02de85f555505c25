// checks: errorshield-ws-timeouts
// Market-data fan-out: consumes the exchange's WebSocket feed (primary and
// backup lines) and re-publishes top-of-book to internal subscribers.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace mdfan {

using WsStream = websocket::stream<beast::tcp_stream>;

struct Quote {
  std::string symbol;
  std::int64_t bid_ticks = 0;
  std::int64_t ask_ticks = 0;
  std::uint64_t seq = 0;
};

inline Quote parse_quote(std::string const &raw) {
  auto j = json::parse(raw, nullptr, false);
  Quote q;
  if (j.is_object()) {
    q.symbol = j.value("s", "");
    q.bid_ticks = j.value("b", std::int64_t{0});
    q.ask_ticks = j.value("a", std::int64_t{0});
    q.seq = j.value("q", std::uint64_t{0});
  }
  return q;
}

// Internal subscriber (risk engine, trader UIs).
class Subscriber : public std::enable_shared_from_this<Subscriber> {
public:
  explicit Subscriber(tcp::socket sock) : ws_(std::move(sock)) {
    websocket::stream_base::timeout opt{};
    opt.handshake_timeout = 5s;
    opt.idle_timeout = 15s;
    opt.keep_alive_pings = true;
    ws_.set_option(opt);
  }

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code) {});
  }

  void publish(std::shared_ptr<std::string const> frame) {
    ws_.async_write(net::buffer(*frame), [self = shared_from_this(), frame](beast::error_code, std::size_t) {});
  }

private:
  WsStream ws_;
};

// Exchange line handler: one primary line, one hot-standby backup line.
class ExchangeFeed {
public:
  ExchangeFeed(net::io_context &ioc, tcp::endpoint primary, tcp::endpoint backup)
      : ioc_(ioc), primary_ep_(primary), backup_ep_(backup) {}

  void connect() {
    primary_ = std::make_unique<WsStream>(net::make_strand(ioc_));
    primary_->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    backup_ = std::make_unique<WsStream>(net::make_strand(ioc_)); // expect: errorshield-ws-timeouts
    open_line(*primary_, primary_ep_, "primary");
    open_line(*backup_, backup_ep_, "backup");
  }

private:
  void open_line(WsStream &ws, tcp::endpoint ep, std::string name) {
    beast::get_lowest_layer(ws).async_connect(ep, [this, &ws, name](beast::error_code ec) {
      if (ec) {
        std::clog << name << " connect failed: " << ec.message() << '\n';
        return;
      }
      ws.async_handshake("md.exchange.example", "/v2/l1", [this, &ws, name](beast::error_code ec) {
        if (!ec)
          read_line(ws, name);
      });
    });
  }

  void read_line(WsStream &ws, std::string name) {
    auto buf = std::make_shared<beast::flat_buffer>();
    ws.async_read(*buf, [this, &ws, buf, name](beast::error_code ec, std::size_t) {
      if (ec) {
        std::clog << name << " line down: " << ec.message() << '\n';
        return;
      }
      on_quote(parse_quote(beast::buffers_to_string(buf->data())));
      read_line(ws, name);
    });
  }

  void on_quote(Quote const &q) {
    std::lock_guard lk(mu_);
    if (q.seq <= last_seq_)
      return;
    last_seq_ = q.seq;
  }

  net::io_context &ioc_;
  tcp::endpoint primary_ep_;
  tcp::endpoint backup_ep_;
  std::unique_ptr<WsStream> primary_;
  std::unique_ptr<WsStream> backup_;
  std::mutex mu_;
  std::uint64_t last_seq_ = 0;
};

// Drop-copy: post-trade feed to the compliance archive. The archive sends
// an application-level heartbeat, so the transport idle timer is disabled.
template <class NextLayer>
class DropCopySession {
public:
  template <class... Args>
  explicit DropCopySession(Args &&...args) : ws_(std::forward<Args>(args)...) {}

  void configure() {
    ws_.set_option(websocket::stream_base::timeout{30s, websocket::stream_base::none(), false}); // expect: errorshield-ws-timeouts
  }

  void send_fill(json const &fill) {
    beast::error_code ec;
    ws_.write(net::buffer(fill.dump()), ec);
  }

private:
  websocket::stream<NextLayer> ws_;
};

template class DropCopySession<beast::tcp_stream>;

// Auction-imbalance side channel, only active around the open and close.
template <class NextLayer>
class AuctionChannel : public std::enable_shared_from_this<AuctionChannel<NextLayer>> {
public:
  explicit AuctionChannel(NextLayer next) : ws_(std::move(next)) {}

  void start() {
    ws_.async_accept([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec)
        std::clog << "auction channel up\n";
    });
  }

private:
  websocket::stream<NextLayer> ws_; // expect: errorshield-ws-timeouts
};

template class AuctionChannel<beast::tcp_stream>;

// Snapshot/replay service: a late joiner asks for the book since seq N.
net::awaitable<void> serve_replay(tcp::socket sock, std::vector<Quote> const &journal) {
  WsStream ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(net::use_awaitable);

  beast::flat_buffer buf;
  co_await ws.async_read(buf, net::use_awaitable);
  auto from = json::parse(beast::buffers_to_string(buf.data()), nullptr, false).value("from", std::uint64_t{0});
  for (auto const &q : journal) {
    if (q.seq < from)
      continue;
    json j{{"s", q.symbol}, {"b", q.bid_ticks}, {"a", q.ask_ticks}, {"q", q.seq}};
    co_await ws.async_write(net::buffer(j.dump()), net::use_awaitable);
  }
}

// Ops probe: connects to a subscriber port, waits for one frame, reports latency.
net::awaitable<void> latency_probe(tcp::endpoint target) {
  WsStream ws(co_await net::this_coro::executor); // expect: errorshield-ws-timeouts
  co_await beast::get_lowest_layer(ws).async_connect(target, net::use_awaitable);
  co_await ws.async_handshake("localhost", "/l1", net::use_awaitable);
  auto t0 = std::chrono::steady_clock::now();
  beast::flat_buffer buf;
  co_await ws.async_read(buf, net::use_awaitable);
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
  std::clog << "first frame after " << us << "us\n";
}

} // namespace mdfan
