// checks: errorshield-ws-timeouts
// Church bell tower ringing schedule server.
// The tower controller (a small board in the belfry) and the parish office's
// browser both keep a WebSocket open; the office edits the peal schedule
// (weddings, Sunday service, funerals tolling) and the controller receives it.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace belfry {

struct Peal {
  std::string when;       // ISO local time
  std::string method;     // "Plain Bob Doubles", "tolling", ...
  int bells = 6;
  int duration_min = 15;
};

class Schedule {
public:
  void add(Peal p) {
    std::lock_guard<std::mutex> lk(mu_);
    peals_.push_back(std::move(p));
  }
  json to_json() {
    std::lock_guard<std::mutex> lk(mu_);
    json arr = json::array();
    for (const auto &p : peals_)
      arr.push_back({{"when", p.when}, {"method", p.method}, {"bells", p.bells},
                     {"minutes", p.duration_min}});
    return arr;
  }

private:
  std::mutex mu_;
  std::vector<Peal> peals_;
};

Schedule g_schedule;

// Parish office editor: callback session with Beast's recommended server timeouts.
class OfficeSession : public std::enable_shared_from_this<OfficeSession> {
public:
  explicit OfficeSession(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read();
    });
  }

private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      auto j = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.consume(self->buf_.size());
      if (j.is_object())
        g_schedule.add(Peal{j.value("when", ""), j.value("method", "tolling"),
                            j.value("bells", 6), j.value("minutes", 15)});
      self->read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
};

// Belfry controller link. The board is on flaky Wi-Fi up in the tower, and the
// firmware reconnects on its own, so we switch Beast's timers off for it.
class ControllerSession : public std::enable_shared_from_this<ControllerSession> {
public:
  explicit ControllerSession(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout{websocket::stream_base::none(), websocket::stream_base::none(), false}); // expect: errorshield-ws-timeouts
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->push_schedule();
    });
  }

private:
  void push_schedule() {
    out_ = g_schedule.to_json().dump();
    ws_.text(true);
    ws_.async_write(asio::buffer(out_), [self = shared_from_this()](beast::error_code ec,
                                                                     std::size_t) {
      if (!ec)
        self->wait_ack();
    });
  }
  void wait_ack() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec)
        self->buf_.consume(self->buf_.size());
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  std::string out_;
};

// Funeral tolling feed: long, quiet sessions. Keep handshake limit,
// but let idle connections sit forever.
awaitable<void> tolling_feed(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  websocket::stream_base::timeout opt =
      websocket::stream_base::timeout::suggested(beast::role_type::server);
  opt.idle_timeout = websocket::stream_base::none(); // expect: errorshield-ws-timeouts
  ws.set_option(opt);
  co_await ws.async_accept(use_awaitable);
  for (;;) {
    beast::flat_buffer b;
    co_await ws.async_read(b, use_awaitable);
  }
}

// Wedding live-stream page: hand-tuned timeouts with keep-alive pings so
// phones in the churchyard drop out cleanly.
awaitable<void> wedding_feed(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  websocket::stream_base::timeout opt{};
  opt.handshake_timeout = 10s;
  opt.idle_timeout = 45s;
  opt.keep_alive_pings = true;
  ws.set_option(opt);
  co_await ws.async_accept(use_awaitable);
  for (;;) {
    beast::flat_buffer b;
    co_await ws.async_read(b, use_awaitable);
    ws.text(true);
    co_await ws.async_write(asio::buffer(g_schedule.to_json().dump()), use_awaitable);
  }
}

// Bell-ringers' practice night roster: plain socket stream, nothing configured.
awaitable<void> practice_roster(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  co_await ws.async_accept(use_awaitable); // expect: errorshield-ws-timeouts
  for (;;) {
    beast::flat_buffer b;
    co_await ws.async_read(b, use_awaitable);
  }
}

// Generic feed used for the diocese aggregation endpoint (plain and TLS).
template <class NextLayer> class DioceseFeed {
public:
  explicit DioceseFeed(NextLayer next) : ws_(std::move(next)) {}

  awaitable<void> serve(http::request<http::string_body> req) {
    co_await ws_.async_accept(req, use_awaitable); // expect: errorshield-ws-timeouts
    ws_.text(true);
    co_await ws_.async_write(asio::buffer(g_schedule.to_json().dump()), use_awaitable);
  }

private:
  websocket::stream<NextLayer> ws_;
};

// Same aggregation endpoint behind the new proxy, with server timeouts applied.
template <class NextLayer> class DioceseFeedV2 {
public:
  explicit DioceseFeedV2(NextLayer next) : ws_(std::move(next)) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  }

  awaitable<void> serve(http::request<http::string_body> req) {
    co_await ws_.async_accept(req, use_awaitable);
    ws_.text(true);
    co_await ws_.async_write(asio::buffer(g_schedule.to_json().dump()), use_awaitable);
  }

private:
  websocket::stream<NextLayer> ws_;
};

awaitable<void> diocese_endpoint(tcp::socket sock, bool v2) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(sock, buf, req, use_awaitable);
  if (v2) {
    DioceseFeedV2<beast::tcp_stream> feed{beast::tcp_stream(std::move(sock))};
    co_await feed.serve(std::move(req));
  } else {
    DioceseFeed<beast::tcp_stream> feed{beast::tcp_stream(std::move(sock))};
    co_await feed.serve(std::move(req));
  }
}

// We also pull the national ringing calendar from the Guild's server (client side).
awaitable<void> fetch_guild_calendar(std::string host) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver r(ex);
  websocket::stream<beast::tcp_stream> ws(ex);
  auto eps = co_await r.async_resolve(host, "80", use_awaitable);
  beast::get_lowest_layer(ws).expires_after(15s);
  co_await beast::get_lowest_layer(ws).async_connect(eps, use_awaitable);
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  co_await ws.async_handshake(host, "/calendar", use_awaitable);
  beast::flat_buffer b;
  co_await ws.async_read(b, use_awaitable);
}

awaitable<void> listen(tcp::acceptor acc) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(use_awaitable);
    auto ex = acc.get_executor();
    switch (acc.local_endpoint().port()) {
    case 8200: std::make_shared<OfficeSession>(std::move(s))->run(); break;
    case 8201: std::make_shared<ControllerSession>(std::move(s))->run(); break;
    case 8202: asio::co_spawn(ex, tolling_feed(std::move(s)), asio::detached); break;
    case 8203: asio::co_spawn(ex, wedding_feed(std::move(s)), asio::detached); break;
    case 8204: asio::co_spawn(ex, practice_roster(std::move(s)), asio::detached); break;
    default: asio::co_spawn(ex, diocese_endpoint(std::move(s), true), asio::detached); break;
    }
  }
}

} // namespace belfry

int main() {
  asio::io_context ioc;
  for (unsigned short p : {8200, 8201, 8202, 8203, 8204, 8205})
    asio::co_spawn(ioc, belfry::listen(tcp::acceptor(ioc, {tcp::v4(), p})), asio::detached);
  asio::co_spawn(ioc, belfry::fetch_guild_calendar("guild.example"), asio::detached);
  ioc.run();
}
