// checks: errorshield-ws-timeouts
// Trading gateway: market-data / order-entry websocket sessions and upstream venue clients.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstdio>
#include <deque>
#include <memory>
#include <string>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

static void report(beast::error_code ec, const char* what) {
  std::fprintf(stderr, "gw %s: %s\n", what, ec.message().c_str());
}

// Market data: suggested server timeouts applied before the accept.
class MarketDataSession : public std::enable_shared_from_this<MarketDataSession> {
 public:
  explicit MarketDataSession(tcp::socket&& s) : ws_(std::move(s)) {}

  void run() {
    net::dispatch(ws_.get_executor(), beast::bind_front_handler(&MarketDataSession::on_run, shared_from_this()));
  }

 private:
  void on_run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(http::field::server, "md-gateway");
    }));
    ws_.async_accept(beast::bind_front_handler(&MarketDataSession::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec) {
    if (ec) return report(ec, "md accept");
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&MarketDataSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return report(ec, "md read");
    buffer_.consume(buffer_.size());
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

// Order entry: relies on a TCP deadline only; no websocket timeout option is ever applied.
class OrderEntrySession : public std::enable_shared_from_this<OrderEntrySession> {
 public:
  explicit OrderEntrySession(tcp::socket&& s) : ws_(std::move(s)) {}

  void run() {
    net::dispatch(ws_.get_executor(), beast::bind_front_handler(&OrderEntrySession::on_run, shared_from_this()));
  }

 private:
  void on_run() {
    beast::get_lowest_layer(ws_).expires_after(30s);
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(http::field::server, "oe-gateway");
    }));
    ws_.async_accept(beast::bind_front_handler(&OrderEntrySession::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec) {
    if (ec) return report(ec, "oe accept");
    beast::get_lowest_layer(ws_).expires_never();
  }

  websocket::stream<beast::tcp_stream> ws_;  // expect: errorshield-ws-timeouts
};

// Drop copy: someone disabled the idle timeout "because clients are quiet at night".
class DropCopySession : public std::enable_shared_from_this<DropCopySession> {
 public:
  explicit DropCopySession(tcp::socket&& s) : ws_(std::move(s)) {}

  void do_accept(http::request<http::string_body> req) {
    ws_.set_option(websocket::stream_base::timeout{30s, websocket::stream_base::none(), true}); // expect: errorshield-ws-timeouts
    ws_.async_accept(req, beast::bind_front_handler(&DropCopySession::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) report(ec, "dropcopy accept");
  }

  websocket::stream<beast::tcp_stream> ws_;
};

// Risk feed: timeouts configured in one member function, accept issued from another.
class RiskFeedSession : public std::enable_shared_from_this<RiskFeedSession> {
 public:
  explicit RiskFeedSession(tcp::socket&& s) : ws_(std::move(s)) {}

  void configure(std::chrono::seconds idle) {
    auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
    opt.idle_timeout = idle;
    ws_.set_option(opt);
  }

  void start(http::request<http::string_body> req) {
    ws_.async_accept(req, beast::bind_front_handler(&RiskFeedSession::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) report(ec, "risk accept");
  }

  websocket::stream<beast::tcp_stream> ws_;
};

// Reference-data service: handshake deadline removed so slow clients "can finish TLS".
class RefDataSession : public std::enable_shared_from_this<RefDataSession> {
 public:
  explicit RefDataSession(tcp::socket&& s) : ws_(std::move(s)) {}

  void run() {
    websocket::stream_base::timeout opt{};
    opt.handshake_timeout = websocket::stream_base::none(); // expect: errorshield-ws-timeouts
    opt.idle_timeout = 120s;
    opt.keep_alive_pings = true;
    ws_.set_option(opt);
    ws_.async_accept(beast::bind_front_handler(&RefDataSession::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) report(ec, "refdata accept");
  }

  websocket::stream<beast::tcp_stream> ws_;
};

// Upstream venue client with the suggested client settings.
class VenueClient : public std::enable_shared_from_this<VenueClient> {
 public:
  VenueClient(net::io_context& ioc, std::string host) : resolver_(net::make_strand(ioc)), ws_(net::make_strand(ioc)), host_(std::move(host)) {}

  void connect(const std::string& port) {
    resolver_.async_resolve(host_, port, beast::bind_front_handler(&VenueClient::on_resolve, shared_from_this()));
  }

 private:
  void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return report(ec, "venue resolve");
    beast::get_lowest_layer(ws_).expires_after(15s);
    beast::get_lowest_layer(ws_).async_connect(results, beast::bind_front_handler(&VenueClient::on_connect, shared_from_this()));
  }

  void on_connect(beast::error_code ec, tcp::resolver::results_type::endpoint_type ep) {
    if (ec) return report(ec, "venue connect");
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    ws_.async_handshake(host_ + ':' + std::to_string(ep.port()), "/fix-ws", beast::bind_front_handler(&VenueClient::on_handshake, shared_from_this()));
  }

  void on_handshake(beast::error_code ec) {
    if (ec) report(ec, "venue handshake");
  }

  tcp::resolver resolver_;
  websocket::stream<beast::tcp_stream> ws_;
  std::string host_;
};

// Price feed client: handshake with no websocket timeout configured anywhere in the class.
class PriceFeedClient : public std::enable_shared_from_this<PriceFeedClient> {
 public:
  PriceFeedClient(net::io_context& ioc, std::string host) : ws_(net::make_strand(ioc)), host_(std::move(host)) {}

  void on_connect(beast::error_code ec, tcp::resolver::results_type::endpoint_type) {
    if (ec) return report(ec, "feed connect");
    ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
      req.set(http::field::user_agent, "pricefeed-client/3");
    }));
    ws_.async_handshake(host_, "/prices", beast::bind_front_handler(&PriceFeedClient::on_handshake, shared_from_this()));
  }

 private:
  void on_handshake(beast::error_code ec) {
    if (ec) return report(ec, "feed handshake");
    queue_.push_back("{\"op\":\"subscribe\",\"channel\":\"BTC-USD\"}");
  }

  websocket::stream<beast::tcp_stream> ws_;  // expect: errorshield-ws-timeouts
  std::string host_;
  std::deque<std::string> queue_;
};

// Helper used by the HTTP router; the stream is a reference parameter.
template <class Handler>
void upgrade_connection(websocket::stream<beast::tcp_stream>& ws, const http::request<http::string_body>& req, Handler&& h) {
  beast::get_lowest_layer(ws).expires_never();
  ws.async_accept(req, std::forward<Handler>(h));
}

// Explicit but sane settings spelled out by hand.
class AuditSession : public std::enable_shared_from_this<AuditSession> {
 public:
  explicit AuditSession(tcp::socket&& s) : ws_(std::move(s)) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout{20s, 60s, true});
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) report(ec, "audit accept");
    });
  }

 private:
  websocket::stream<beast::tcp_stream> ws_;
};
