// checks: errorshield-ws-concurrent-write
// Live charity auction: bidders hold a virtual paddle in the browser, the
// auctioneer's console drives lots and the countdown.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

class PaddleSession;

struct Lot {
  int number;
  std::string title;
};

class AuctionRoom {
public:
  void join(std::shared_ptr<PaddleSession> s) { sessions_.insert(std::move(s)); }
  void leave(const std::shared_ptr<PaddleSession> &s) { sessions_.erase(s); }
  void broadcast(const std::string &text);
  void going_going(int seconds);
  const std::vector<Lot> &catalogue() const { return lots_; }
  std::vector<Lot> lots_ = {{1, "Signed guitar"}, {2, "Weekend cabin"}};
  long high_bid_cents = 0;
  int high_paddle = 0;

private:
  std::set<std::shared_ptr<PaddleSession>> sessions_;
};

class PaddleSession : public std::enable_shared_from_this<PaddleSession> {
public:
  PaddleSession(tcp::socket s, AuctionRoom &room)
      : ws_(std::move(s)), room_(room), countdown_(ws_.get_executor()) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      self->room_.join(self);
      self->send_catalogue();
      self->do_read();
    });
  }

  // Queued delivery used by the room for fan-out.
  void deliver(std::shared_ptr<const std::string> msg) {
    outbox_.push_back(std::move(msg));
    if (outbox_.size() > 1)
      return; // a write is already running, on_write will pick it up
    do_write();
  }

  void start_countdown(int seconds_left) {
    countdown_.expires_after(std::chrono::seconds(1));
    countdown_.async_wait([self = shared_from_this(), seconds_left](beast::error_code ec) {
      if (ec)
        return;
      self->tick_ = json{{"type", "countdown"}, {"left", seconds_left}}.dump();
      self->ws_.async_write(net::buffer(self->tick_), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
      if (seconds_left > 0)
        self->start_countdown(seconds_left - 1);
    });
  }

private:
  void do_write() {
    ws_.async_write(net::buffer(*outbox_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->on_write(ec);
                    });
  }

  void on_write(beast::error_code ec) {
    if (ec) {
      room_.leave(shared_from_this());
      return;
    }
    outbox_.pop_front();
    if (!outbox_.empty())
      do_write();
  }

  void send_catalogue() {
    lot_text_.clear();
    for (const auto &lot : room_.catalogue())
      lot_text_.push_back(json{{"lot", lot.number}, {"title", lot.title}}.dump());
    for (const auto &text : lot_text_)
      ws_.async_write(net::buffer(text), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
  }

  void do_read() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->room_.leave(self);
        return;
      }
      json msg = json::parse(beast::buffers_to_string(self->in_.data()), nullptr, false);
      self->in_.consume(self->in_.size());
      self->on_bid(msg);
    });
  }

  void on_bid(const json &msg) {
    if (!msg.is_object() || !msg.contains("paddle") || !msg.contains("cents")) {
      do_read();
      return;
    }
    long cents = msg["cents"].get<long>();
    int paddle = msg["paddle"].get<int>();
    if (cents <= room_.high_bid_cents) {
      deliver(std::make_shared<const std::string>(
          json{{"type", "outbid"}, {"high", room_.high_bid_cents}}.dump()));
      do_read();
      return;
    }
    room_.high_bid_cents = cents;
    room_.high_paddle = paddle;
    deliver(std::make_shared<const std::string>(json{{"type", "accepted"}, {"cents", cents}}.dump()));
    standing_ = json{{"type", "standing"}, {"paddle", paddle}}.dump();
    ws_.async_write(net::buffer(standing_), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
    room_.broadcast(json{{"type", "high"}, {"paddle", paddle}, {"cents", cents}}.dump());
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  AuctionRoom &room_;
  net::steady_timer countdown_;
  beast::flat_buffer in_;
  std::deque<std::shared_ptr<const std::string>> outbox_;
  std::vector<std::string> lot_text_;
  std::string standing_, tick_;
};

void AuctionRoom::broadcast(const std::string &text) {
  auto shared = std::make_shared<const std::string>(text);
  for (const auto &s : sessions_)
    s->deliver(shared);
}

void AuctionRoom::going_going(int seconds) {
  for (const auto &s : sessions_)
    s->start_countdown(seconds);
}

// Auctioneer console: one coroutine reads commands, another pushes the
// running totals every few seconds.
net::awaitable<void> console_totals(std::shared_ptr<websocket::stream<beast::tcp_stream>> ws,
                                    AuctionRoom &room) {
  net::steady_timer t(co_await net::this_coro::executor);
  for (;;) {
    t.expires_after(std::chrono::seconds(3));
    co_await t.async_wait(net::use_awaitable);
    std::string totals = json{{"high", room.high_bid_cents}, {"paddle", room.high_paddle}}.dump();
    co_await ws->async_write(net::buffer(totals), net::use_awaitable); // expect: errorshield-ws-concurrent-write
  }
}

net::awaitable<void> console_commands(std::shared_ptr<websocket::stream<beast::tcp_stream>> ws,
                                      AuctionRoom &room) {
  beast::flat_buffer buf;
  for (;;) {
    co_await ws->async_read(buf, net::use_awaitable);
    json cmd = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (cmd.value("op", "") == "going")
      room.going_going(cmd.value("seconds", 10));
    if (cmd.value("op", "") == "hammer") {
      room.broadcast(json{{"type", "sold"}, {"paddle", room.high_paddle}}.dump());
      room.high_bid_cents = 0;
    }
    std::string ack = json{{"ok", true}, {"op", cmd.value("op", "")}}.dump();
    co_await ws->async_write(net::buffer(ack), net::use_awaitable);
  }
}

net::awaitable<void> serve_console(tcp::socket sock, AuctionRoom &room) {
  auto ws = std::make_shared<websocket::stream<beast::tcp_stream>>(std::move(sock));
  co_await ws->async_accept(net::use_awaitable);
  auto ex = co_await net::this_coro::executor;
  net::co_spawn(ex, console_totals(ws, room), net::detached);
  co_await console_commands(ws, room);
}

// Receipt channel: the donor receipt is two frames, the second one only
// after the first is on the wire.
template <class NextLayer>
void send_receipt(std::shared_ptr<websocket::stream<NextLayer>> ws,
                  std::shared_ptr<std::pair<std::string, std::string>> parts) {
  ws->async_write(net::buffer(parts->first), [ws, parts](beast::error_code ec, std::size_t) {
    if (ec)
      return;
    ws->async_write(net::buffer(parts->second), [ws, parts](beast::error_code, std::size_t) {});
  });
  // keep the connection alive through proxies while the receipt is going out
  ws->async_ping({}, [](beast::error_code) {});
}

// Tax receipt desk: header frame then the itemised body, one after the other.
net::awaitable<void> serve_receipt_desk(tcp::socket sock, AuctionRoom &room) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_accept(net::use_awaitable);
  std::string header = json{{"type", "receipt"}, {"charity", "Harbour Food Bank"}}.dump();
  co_await ws.async_write(net::buffer(header), net::use_awaitable);
  std::string body = json{{"paddle", room.high_paddle}, {"cents", room.high_bid_cents}}.dump();
  co_await ws.async_write(net::buffer(body), net::use_awaitable);
  co_await ws.async_close(websocket::close_code::normal, net::use_awaitable);
}

// Legacy kiosk echo: acknowledges each paddle tap.
class KioskSession : public std::enable_shared_from_this<KioskSession> {
public:
  explicit KioskSession(tcp::socket s) : ws_(std::move(s)) {}
  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read_tap();
    });
  }

private:
  void read_tap() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->reply_ = "tap:" + beast::buffers_to_string(self->buf_.data());
      self->buf_.consume(self->buf_.size());
      self->ws_.async_write(net::buffer(self->reply_), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
      self->read_tap();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  std::string reply_;
};

template <class Session, class... Args>
void accept_loop(tcp::acceptor &acc, Args &...args) {
  acc.async_accept([&acc, &args...](beast::error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<Session>(std::move(s), args...)->start();
    accept_loop<Session>(acc, args...);
  });
}

int main() {
  net::io_context ioc;
  AuctionRoom room;
  tcp::acceptor bidders(ioc, {tcp::v4(), 9100});
  tcp::acceptor console(ioc, {tcp::v4(), 9101});

  accept_loop<PaddleSession>(bidders, room);

  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    for (;;) {
      tcp::socket s = co_await console.async_accept(net::use_awaitable);
      net::co_spawn(ioc, serve_console(std::move(s), room), net::detached);
    }
  }, net::detached);

  tcp::acceptor kiosks(ioc, {tcp::v4(), 9104});
  accept_loop<KioskSession>(kiosks);

  tcp::acceptor receipts(ioc, {tcp::v4(), 9102});
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    for (;;) {
      tcp::socket s = co_await receipts.async_accept(net::use_awaitable);
      net::co_spawn(ioc, serve_receipt_desk(std::move(s), room), net::detached);
    }
  }, net::detached);

  // e-mailed receipts are mirrored to the donor's open browser tab
  tcp::acceptor mirror(ioc, {tcp::v4(), 9103});
  mirror.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (ec) return;
    auto ws = std::make_shared<websocket::stream<beast::tcp_stream>>(std::move(s));
    ws->async_accept([ws, &room](beast::error_code ec) {
      if (ec)
        return;
      auto parts = std::make_shared<std::pair<std::string, std::string>>(
          "receipt", std::to_string(room.high_bid_cents));
      send_receipt(ws, parts);
    });
  });

  ioc.run();
}
