// checks: errorshield-ws-timeouts
// Ticker wall for the office lobby: LED panel controllers connect over a
// WebSocket and receive scrolling quotes; a small admin page edits the
// watchlist; quotes come from the market data vendor over an outbound WebSocket.
#include <chrono>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

struct Quote {
  std::string symbol;
  long long last_cents = 0;
  long long change_bp = 0;
};

class Board {
public:
  void put(Quote q) {
    std::lock_guard lk(mu_);
    quotes_[q.symbol] = std::move(q);
  }
  std::string frame() const {
    std::lock_guard lk(mu_);
    json j = json::array();
    for (const auto &[sym, q] : quotes_)
      j.push_back({{"s", sym}, {"p", q.last_cents}, {"c", q.change_bp}});
    return j.dump();
  }
  void set_watchlist(std::vector<std::string> syms) {
    std::lock_guard lk(mu_);
    watch_ = std::move(syms);
  }

private:
  mutable std::mutex mu_;
  std::map<std::string, Quote> quotes_;
  std::vector<std::string> watch_;
};

void warn(beast::error_code ec, const char *what) { std::cerr << "[ticker] " << what << ": " << ec.message() << "\n"; }

// LED panel controller session. Panels only listen, they never send.
template <class Stream>
class PanelSession : public std::enable_shared_from_this<PanelSession<Stream>> {
public:
  PanelSession(Stream s, Board &board) : ws_(std::move(s)), tick_(ws_.get_executor()), board_(board) {}

  void start() {
    ws_.binary(false);
    ws_.async_accept([self = this->shared_from_this()](beast::error_code ec) { // expect: errorshield-ws-timeouts
      if (ec)
        return warn(ec, "panel accept");
      self->scroll();
    });
  }

private:
  void scroll() {
    frame_ = board_.frame();
    ws_.async_write(asio::buffer(frame_), [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return warn(ec, "panel write");
      self->tick_.expires_after(2s);
      self->tick_.async_wait([self](beast::error_code ec) {
        if (!ec)
          self->scroll();
      });
    });
  }

  websocket::stream<Stream> ws_;
  asio::steady_timer tick_;
  std::string frame_;
  Board &board_;
};

// Newer panels (firmware 3.x) answer pings, so they get the library defaults.
template <class Stream>
class PanelV3Session : public std::enable_shared_from_this<PanelV3Session<Stream>> {
public:
  PanelV3Session(Stream s, Board &board) : ws_(std::move(s)), board_(board) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  }

  void start() {
    ws_.async_accept([self = this->shared_from_this()](beast::error_code ec) {
      if (ec)
        return warn(ec, "panel v3 accept");
      self->out_ = self->board_.frame();
      self->ws_.async_write(asio::buffer(self->out_), [self](beast::error_code, std::size_t) {});
    });
  }

private:
  websocket::stream<Stream> ws_;
  std::string out_;
  Board &board_;
};

// Admin page (watchlist edits), stackful.
void admin_session(tcp::socket sock, Board &board, asio::yield_context yield) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  beast::error_code ec;
  ws.async_accept(yield[ec]); // expect: errorshield-ws-timeouts
  if (ec)
    return warn(ec, "admin accept");
  for (;;) {
    beast::flat_buffer buf;
    ws.async_read(buf, yield[ec]);
    if (ec)
      return warn(ec, "admin read");
    auto j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    if (j.is_array())
      board.set_watchlist(j.get<std::vector<std::string>>());
  }
}

// Lobby kiosk touch screen: shows detail for a tapped symbol. Stackful too.
void kiosk_session(tcp::socket sock, Board &board, asio::yield_context yield) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
  opt.keep_alive_pings = false; // kiosk browser build chokes on pings
  ws.set_option(opt);
  beast::error_code ec;
  ws.async_accept(yield[ec]);
  if (ec)
    return warn(ec, "kiosk accept");
  std::string frame = board.frame();
  ws.async_write(asio::buffer(frame), yield[ec]);
}

// Boardroom screen: the meeting-room display is left on for days, so its
// session must never be dropped by us.
asio::awaitable<void> boardroom_screen(tcp::socket sock, Board &board) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
  opt.idle_timeout = std::chrono::steady_clock::duration::max(); // expect: errorshield-ws-timeouts
  ws.set_option(opt);
  co_await ws.async_accept(asio::use_awaitable);
  asio::steady_timer t(co_await asio::this_coro::executor);
  for (;;) {
    co_await ws.async_write(asio::buffer(board.frame()), asio::use_awaitable);
    t.expires_after(5s);
    co_await t.async_wait(asio::use_awaitable);
  }
}

// Trading-floor repeater: relays frames to a second wall on another floor.
asio::awaitable<void> floor_repeater(tcp::socket sock, Board &board) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout{websocket::stream_base::none(), websocket::stream_base::none(), false}); // expect: errorshield-ws-timeouts
  co_await ws.async_accept(asio::use_awaitable);
  for (;;) {
    co_await ws.async_write(asio::buffer(board.frame()), asio::use_awaitable);
    beast::flat_buffer ack;
    co_await ws.async_read(ack, asio::use_awaitable);
  }
}

// Reception desk mini-display: custom, tighter limits.
asio::awaitable<void> reception_display(tcp::socket sock, Board &board) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout{10s, 45s, true});
  co_await ws.async_accept(asio::use_awaitable);
  co_await ws.async_write(asio::buffer(board.frame()), asio::use_awaitable);
  beast::flat_buffer buf;
  co_await ws.async_read(buf, asio::use_awaitable);
}

// Market data vendor: outbound subscription (we are the client).
asio::awaitable<void> vendor_feed(std::string host, Board &board) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver r(ex);
  websocket::stream<beast::tcp_stream> ws(ex);
  co_await beast::get_lowest_layer(ws).async_connect(co_await r.async_resolve(host, "80", asio::use_awaitable),
                                                     asio::use_awaitable);
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  co_await ws.async_handshake(host, "/v1/quotes", asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    auto j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (j.is_object())
      board.put({j.value("sym", ""), j.value("px", 0LL), j.value("chg_bp", 0LL)});
  }
}

using ScreenHandler = asio::awaitable<void> (*)(tcp::socket, Board &);

asio::awaitable<void> serve(unsigned short port, ScreenHandler handler, Board &board) {
  auto ex = co_await asio::this_coro::executor;
  tcp::acceptor acc(ex, {tcp::v4(), port});
  for (;;)
    asio::co_spawn(ex, handler(co_await acc.async_accept(asio::use_awaitable), board), asio::detached);
}

int main() {
  asio::io_context ioc;
  Board board;

  asio::spawn(ioc, [&](asio::yield_context yield) {
    tcp::acceptor acc(ioc, {tcp::v4(), 7600});
    for (;;) {
      beast::error_code ec;
      tcp::socket s = acc.async_accept(yield[ec]);
      if (ec)
        continue;
      auto peer = s.remote_endpoint(ec);
      if (!ec && peer.address().to_v4().to_bytes()[3] >= 200)
        std::make_shared<PanelV3Session<beast::tcp_stream>>(beast::tcp_stream(std::move(s)), board)->start();
      else
        std::make_shared<PanelSession<beast::tcp_stream>>(beast::tcp_stream(std::move(s)), board)->start();
    }
  }, asio::detached);

  asio::spawn(ioc, [&](asio::yield_context yield) {
    tcp::acceptor acc(ioc, {tcp::v4(), 7601});
    for (;;) {
      tcp::socket s = acc.async_accept(yield);
      asio::spawn(ioc, [&board, s = std::move(s)](asio::yield_context y) mutable {
        admin_session(std::move(s), board, y);
      }, asio::detached);
    }
  }, asio::detached);

  asio::spawn(ioc, [&](asio::yield_context yield) {
    tcp::acceptor acc(ioc, {tcp::v4(), 7602});
    for (;;) {
      tcp::socket s = acc.async_accept(yield);
      asio::spawn(ioc, [&board, s = std::move(s)](asio::yield_context y) mutable {
        kiosk_session(std::move(s), board, y);
      }, asio::detached);
    }
  }, asio::detached);

  asio::co_spawn(ioc, serve(7603, boardroom_screen, board), asio::detached);
  asio::co_spawn(ioc, serve(7604, floor_repeater, board), asio::detached);
  asio::co_spawn(ioc, serve(7605, reception_display, board), asio::detached);
  asio::co_spawn(ioc, vendor_feed("md.vendor.example", board), asio::detached);
  ioc.run();
}
