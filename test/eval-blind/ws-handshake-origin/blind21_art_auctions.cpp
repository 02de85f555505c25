// checks: errorshield-ws-handshake-origin
// Online art auction room: bidders' browsers connect over WebSocket to
// receive lot updates and place bids; the gallery back office and the
// phone-bid desk connect to the same server.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <array>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Request = http::request<http::string_body>;

namespace auction {

constexpr std::array<std::string_view, 3> kBidderOrigins = {
    "https://bid.northgallery.example",
    "https://www.northgallery.example",
    "https://m.northgallery.example",
};

bool origin_allowed(const Request &req) {
  auto it = req.find(http::field::origin);
  if (it == req.end())
    return false;
  for (auto o : kBidderOrigins)
    if (it->value() == o)
      return true;
  return false;
}

http::response<http::string_body> forbidden(const Request &req) {
  http::response<http::string_body> res{http::status::forbidden, req.version()};
  res.set(http::field::content_type, "text/plain");
  res.body() = "origin not allowed";
  res.prepare_payload();
  return res;
}

// Public bidder room, plain TCP behind the TLS-terminating proxy.
class BidderSession : public std::enable_shared_from_this<BidderSession> {
public:
  explicit BidderSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    auto self = shared_from_this();
    http::async_read(ws_.next_layer(), buf_, req_, [self](beast::error_code ec, std::size_t) {
      if (ec || !websocket::is_upgrade(self->req_))
        return;
      self->ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
      self->ws_.async_accept(self->req_, [self](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
        if (!ec)
          self->join_room();
      });
    });
  }

private:
  void join_room() { std::cout << "bidder joined lot room\n"; }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  Request req_;
};

// Same room, newer code path that validates the browser origin first.
class CheckedBidderSession : public std::enable_shared_from_this<CheckedBidderSession> {
public:
  explicit CheckedBidderSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    auto self = shared_from_this();
    http::async_read(ws_.next_layer(), buf_, req_, [self](beast::error_code ec, std::size_t) {
      if (ec || !websocket::is_upgrade(self->req_))
        return;
      if (!origin_allowed(self->req_)) {
        auto res = std::make_shared<http::response<http::string_body>>(forbidden(self->req_));
        http::async_write(self->ws_.next_layer(), *res, [self, res](beast::error_code, std::size_t) {});
        return;
      }
      self->ws_.async_accept(self->req_, [self](beast::error_code ec) {
        if (!ec)
          std::cout << "bidder joined (origin ok)\n";
      });
    });
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  Request req_;
};

// Live lot ticker for the gallery's big screen, coroutine style.
asio::awaitable<void> lot_ticker(tcp::socket s) {
  websocket::stream<beast::tcp_stream> ws(std::move(s));
  co_await ws.async_accept(asio::use_awaitable); // expect: errorshield-ws-handshake-origin
  for (int lot = 1;; ++lot) {
    co_await ws.async_write(asio::buffer("lot " + std::to_string(lot)), asio::use_awaitable);
    asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::seconds(5));
    co_await t.async_wait(asio::use_awaitable);
  }
}

asio::awaitable<void> lot_ticker_checked(tcp::socket s) {
  beast::tcp_stream stream(std::move(s));
  beast::flat_buffer buf;
  Request req;
  co_await http::async_read(stream, buf, req, asio::use_awaitable);
  if (!origin_allowed(req)) {
    co_await http::async_write(stream, forbidden(req), asio::use_awaitable);
    co_return;
  }
  websocket::stream<beast::tcp_stream> ws(std::move(stream));
  co_await ws.async_accept(req, asio::use_awaitable);
  co_await ws.async_write(asio::buffer(std::string("lot 1")), asio::use_awaitable);
}

// Phone-bid desk: a handful of operators, one blocking thread each.
void phone_desk(tcp::socket s) {
  try {
    websocket::stream<tcp::socket> ws(std::move(s));
    ws.accept(); // expect: errorshield-ws-handshake-origin
    beast::flat_buffer b;
    for (;;) {
      ws.read(b);
      std::cout << "phone bid: " << beast::buffers_to_string(b.data()) << "\n";
      b.clear();
    }
  } catch (const std::exception &e) {
    std::cerr << "phone desk: " << e.what() << "\n";
  }
}

// Back office (TLS). Shared by the catalogue editor and the settlement app.
template <class NextLayer>
void upgrade_back_office(websocket::stream<NextLayer> &ws, const Request &req) {
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type &res) {
    res.set(http::field::server, "auction-room/2.4");
  }));
  ws.accept(req); // expect: errorshield-ws-handshake-origin
}

template <class NextLayer>
bool upgrade_back_office_checked(websocket::stream<NextLayer> &ws, const Request &req) {
  if (req[http::field::origin] != "https://office.northgallery.example")
    return false;
  ws.accept(req);
  return true;
}

void serve_back_office(ssl::context &ctx, tcp::socket s, bool strict) {
  websocket::stream<ssl::stream<tcp::socket>> ws(std::move(s), ctx);
  ws.next_layer().handshake(ssl::stream_base::server);
  beast::flat_buffer buf;
  Request req;
  http::read(ws.next_layer(), buf, req);
  if (strict)
    upgrade_back_office_checked(ws, req);
  else
    upgrade_back_office(ws, req);
}

// The room also mirrors bids to the partner house as a client.
asio::awaitable<void> mirror_to_partner(tcp::socket s) {
  websocket::stream<beast::tcp_stream> ws(std::move(s));
  co_await ws.async_handshake("partner.example", "/mirror", asio::use_awaitable);
  co_await ws.async_write(asio::buffer(std::string("{\"hello\":1}")), asio::use_awaitable);
}

void accept_loop(tcp::acceptor &acc) {
  acc.async_accept([&acc](beast::error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<CheckedBidderSession>(std::move(s))->start();
    accept_loop(acc);
  });
}

} // namespace auction

int main() {
  asio::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 8443});
  auction::accept_loop(acc);
  std::make_shared<auction::BidderSession>(tcp::socket(ioc))->start();
  asio::co_spawn(ioc, auction::lot_ticker(tcp::socket(ioc)), asio::detached);
  asio::co_spawn(ioc, auction::lot_ticker_checked(tcp::socket(ioc)), asio::detached);
  asio::co_spawn(ioc, auction::mirror_to_partner(tcp::socket(ioc)), asio::detached);

  ssl::context ctx(ssl::context::tls_server);
  std::thread office([&] { auction::serve_back_office(ctx, tcp::socket(ioc), false); });
  std::thread desk([&] { auction::phone_desk(tcp::socket(ioc)); });
  ioc.run();
  office.join();
  desk.join();
}
