// Demo input for errorshield-ws-frame-type: the seed incident (BUGGY).
//
// A market-data server. Browser clients upgrade to /md on port 8080 and
// subscribe with JSON text messages ({"subscribe":"EURUSD"}); the server
// answers with JSON updates. Release 2.0 added a compressed snapshot of the
// order book, sent as the first message of every session. Every WebSocket
// message is either text (which must be valid UTF-8) or binary, and the two
// got mixed up in both directions:
//
// - MarketDataSession::on_read() hands every message it reads to the JSON
//   parser without asking whether it was a text message. The 2.0 clients
//   acknowledge the snapshot with a small binary frame; nlohmann::json::parse
//   throws on it, the exception escapes the completion handler and
//   io_context::run(), and the whole server goes down with every session.
// - MarketDataSession::send_snapshot() writes the compressed snapshot (a
//   std::vector<std::uint8_t>) on a stream that run() put in text mode for
//   the JSON updates: the snapshot goes out as a text frame that is not
//   UTF-8, and browsers fail the connection (close code 1007) before the
//   first update arrives.
//
// The sessions are otherwise sound: Origin checked, timeouts, message limits,
// error checks.
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

static void fail(beast::error_code ec, const char* what) {
  std::cerr << what << ": " << ec.message() << "\n";
}

static bool allowed_origin(std::string_view origin) { return origin == "https://md.example.com"; }

// The order book, compressed (stands in for the real encoder).
static std::vector<std::uint8_t> compressed_book_snapshot() { return {0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58, 0x61}; }

// The latest update for a symbol, as JSON text (stands in for the book).
static std::string latest_update(const std::string& symbol) {
  return nlohmann::json{{"symbol", symbol}, {"bid_ticks", 108512}, {"ask_ticks", 108514}}.dump();
}

class MarketDataSession : public std::enable_shared_from_this<MarketDataSession> {
 public:
  explicit MarketDataSession(tcp::socket&& socket) : ws_(std::move(socket)) {}

  void run(http::request<http::string_body> req) {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(4 * 1024);
    ws_.text(true);  // the updates are JSON
    ws_.async_accept(req, beast::bind_front_handler(&MarketDataSession::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "md accept");
    send_snapshot();
  }

  void send_snapshot() {
    snapshot_ = compressed_book_snapshot();
    // BUG: the stream is still in text mode: the compressed bytes go out as a text frame.
    ws_.async_write(net::buffer(snapshot_), beast::bind_front_handler(&MarketDataSession::on_written, shared_from_this()));
  }

  void on_written(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "md write");
    ws_.async_read(buffer_, beast::bind_front_handler(&MarketDataSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == websocket::error::closed) return;
    if (ec) return fail(ec, "md read");
    // BUG: a binary message (the 2.0 clients' snapshot acknowledgement) reaches the JSON parser,
    // which throws: the exception escapes the handler and takes the server down.
    const std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    const nlohmann::json request = nlohmann::json::parse(text);
    update_ = latest_update(request.value("subscribe", std::string("EURUSD")));
    ws_.async_write(net::buffer(update_), beast::bind_front_handler(&MarketDataSession::on_written, shared_from_this()));
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::vector<std::uint8_t> snapshot_;
  std::string update_;
};

// ---- Port 8080: HTTP, upgraded after the Origin check ----

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
    if (websocket::is_upgrade(req_) && req_.target() == "/md" && allowed_origin(req_[http::field::origin]))
      return std::make_shared<MarketDataSession>(stream_.release_socket())->run(std::move(req_));
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
  std::make_shared<Listener>(ioc, tcp::endpoint{net::ip::make_address("0.0.0.0"), 8080})->do_accept();
  ioc.run();
}
