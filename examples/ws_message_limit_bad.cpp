// Demo input for errorshield-ws-message-limit: the seed incident (BUGGY).
//
// A trading gateway. Traders' browser front ends upgrade to /orders on port
// 8443 and send orders, a few hundred bytes of JSON each; quants upload
// strategy parameter sets to /strategies; the gateway itself subscribes to
// the exchange's market-data feed. A WebSocket message may be split into any
// number of frames, and Beast assembles the whole message in the read buffer
// before the read completes, so the only bound on the memory one peer can
// make the gateway allocate is the stream's read_message_max:
//
// - OrderSession never sets a limit, so Beast's default applies: 16 MiB per
//   message, per connection, for a protocol whose messages fit in 4 KiB. A
//   few thousand connections that each trickle in a fragmented 16 MiB
//   message make the gateway buffer tens of gigabytes: its memory grows until
//   the kernel kills it, disconnecting every trader.
// - StrategySession raised the limit to 512 MiB "because parameter sets can
//   be large": a handful of uploads at once exhaust the gateway's memory.
// - MarketDataFeed turns the limit off (read_message_max(0)) "because book
//   snapshots are big": one runaway message from the feed (a bug at the
//   exchange, a misconfigured proxy: a never-ending fragmented message) is
//   buffered until the process dies.
//
// The sessions are otherwise sound: Origin checked, timeouts, error checks.
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <cstddef>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

static void fail(beast::error_code ec, const char* what) {
  std::cerr << what << ": " << ec.message() << "\n";
}

static bool allowed_origin(std::string_view origin) { return origin == "https://trade.example.com"; }

// The order book, the strategy store and the market-data fan-out, reduced to logging.
static void handle_order(std::string_view order) { std::cout << "order: " << order << "\n"; }
static void store_strategy(std::size_t bytes) { std::cout << "strategy: " << bytes << " bytes\n"; }
static void publish_market_data(std::size_t bytes) { std::cout << "market data: " << bytes << " bytes\n"; }

// ---- /orders: one session per trader ----

class OrderSession : public std::enable_shared_from_this<OrderSession> {
 public:
  explicit OrderSession(tcp::socket&& socket) : ws_(std::move(socket)) {}

  void run(http::request<http::string_body> req) {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(req, beast::bind_front_handler(&OrderSession::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "orders accept");
    do_read();
  }

  // BUG: no read_message_max() anywhere: each message may be as large as Beast's default allows.
  void do_read() { ws_.async_read(buffer_, beast::bind_front_handler(&OrderSession::on_read, shared_from_this())); }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == websocket::error::closed) return;
    if (ec) return fail(ec, "orders read");
    handle_order(beast::buffers_to_string(buffer_.data()));
    buffer_.consume(buffer_.size());
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

// ---- /strategies: parameter sets uploaded by the quants ----

class StrategySession : public std::enable_shared_from_this<StrategySession> {
 public:
  explicit StrategySession(tcp::socket&& socket) : ws_(std::move(socket)) {}

  void run(http::request<http::string_body> req) {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.binary(true);
    ws_.read_message_max(std::size_t{512} * 1024 * 1024);  // BUG: "parameter sets can be large"
    ws_.async_accept(req, beast::bind_front_handler(&StrategySession::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "strategies accept");
    ws_.async_read(buffer_, beast::bind_front_handler(&StrategySession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t bytes) {
    if (ec == websocket::error::closed) return;
    if (ec) return fail(ec, "strategies read");
    store_strategy(bytes);
    buffer_.consume(buffer_.size());
    ws_.async_read(buffer_, beast::bind_front_handler(&StrategySession::on_read, shared_from_this()));
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

// ---- The exchange's market-data feed (a WebSocket client) ----

class MarketDataFeed : public std::enable_shared_from_this<MarketDataFeed> {
 public:
  explicit MarketDataFeed(net::io_context& ioc) : resolver_(net::make_strand(ioc)), ws_(net::make_strand(ioc)) {}

  void run() {
    resolver_.async_resolve("md.exchange.internal", "9100",
                            beast::bind_front_handler(&MarketDataFeed::on_resolve, shared_from_this()));
  }

 private:
  void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return fail(ec, "feed resolve");
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(10));
    beast::get_lowest_layer(ws_).async_connect(results,
                                               beast::bind_front_handler(&MarketDataFeed::on_connect, shared_from_this()));
  }

  void on_connect(beast::error_code ec, tcp::resolver::results_type::endpoint_type) {
    if (ec) return fail(ec, "feed connect");
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout opt = websocket::stream_base::timeout::suggested(beast::role_type::client);
    opt.idle_timeout = std::chrono::seconds(30);
    opt.keep_alive_pings = true;
    ws_.set_option(opt);
    ws_.read_message_max(0);  // BUG: "book snapshots are big": no limit at all
    ws_.async_handshake("md.exchange.internal:9100", "/v2/book",
                        beast::bind_front_handler(&MarketDataFeed::on_handshake, shared_from_this()));
  }

  void on_handshake(beast::error_code ec) {
    if (ec) return fail(ec, "feed handshake");
    do_read();
  }

  void do_read() { ws_.async_read(buffer_, beast::bind_front_handler(&MarketDataFeed::on_read, shared_from_this())); }

  void on_read(beast::error_code ec, std::size_t bytes) {
    if (ec) return fail(ec, "feed read");
    publish_market_data(bytes);
    buffer_.consume(buffer_.size());
    do_read();
  }

  tcp::resolver resolver_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

// ---- Port 8443: HTTP, upgraded after the Origin check ----

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  explicit HttpSession(tcp::socket&& socket) : stream_(std::move(socket)) {}

  void run() {
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, req_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
  }

 private:
  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "http read");
    if (websocket::is_upgrade(req_) && allowed_origin(req_[http::field::origin])) {
      if (req_.target() == "/orders")
        return std::make_shared<OrderSession>(stream_.release_socket())->run(std::move(req_));
      if (req_.target() == "/strategies")
        return std::make_shared<StrategySession>(stream_.release_socket())->run(std::move(req_));
    }
    auto res = std::make_shared<http::response<http::string_body>>(http::status::forbidden, req_.version());
    res->body() = "forbidden\n";
    res->prepare_payload();
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
      if (ec) return fail(ec, "http write");
      self->stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& ioc, const tcp::endpoint& endpoint) : ioc_(ioc), acceptor_(ioc, endpoint) {}

  void do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_), beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec) return fail(ec, "accept");
    std::make_shared<HttpSession>(std::move(socket))->run();
    do_accept();
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
};

int main() {
  net::io_context ioc;
  std::make_shared<Listener>(ioc, tcp::endpoint{net::ip::make_address("0.0.0.0"), 8443})->do_accept();
  std::make_shared<MarketDataFeed>(ioc)->run();
  ioc.run();
}
