// Demo input for errorshield-ws-frame-type: the seed incident (FIXED).
//
// Corrected twin of ws_frame_type_bad.cpp. The session now keeps text and
// binary apart in both directions:
//
// - on_read() asks got_text() before anything goes to the JSON parser: a
//   binary message (the 2.0 clients' snapshot acknowledgement) is counted and
//   skipped, and a text message that is not a valid JSON subscription closes
//   the session with close code 1008 (policy violation) instead of throwing.
// - The stream switches modes per message: binary(true) before the
//   compressed snapshot, text(true) before each JSON update.
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
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
    ws_.async_accept(req, beast::bind_front_handler(&MarketDataSession::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "md accept");
    send_snapshot();
  }

  void send_snapshot() {
    const std::vector<std::uint8_t> bytes = compressed_book_snapshot();
    // FIX: compressed bytes go out in a binary frame
    send({/*binary=*/true, std::string(bytes.begin(), bytes.end())});
    do_read();
  }

  // One write at a time: each outgoing frame waits in outbox_ with its frame type.
  struct Frame {
    bool binary;
    std::string payload;
  };
  void send(Frame frame) {
    outbox_.push_back(std::move(frame));
    if (outbox_.size() > 1) return;  // a write is in progress; on_written sends this one
    write_front();
  }
  void write_front() {
    ws_.binary(outbox_.front().binary);
    ws_.async_write(net::buffer(outbox_.front().payload),
                    beast::bind_front_handler(&MarketDataSession::on_written, shared_from_this()));
  }
  void on_written(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "md write");
    outbox_.pop_front();
    if (!outbox_.empty()) write_front();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&MarketDataSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == websocket::error::closed) return;
    if (ec) return fail(ec, "md read");
    if (!ws_.got_text()) {  // FIX: binary messages never reach the JSON parser
      ++binary_acks_;       // the 2.0 clients' snapshot acknowledgement
      buffer_.consume(buffer_.size());
      return do_read();
    }
    const std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    const nlohmann::json request = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (request.is_discarded() || !request.is_object() || !request.contains("subscribe") ||
        !request["subscribe"].is_string()) {  // text, but not a subscription: close, don't throw
      ws_.async_close(websocket::close_code::policy_error,
                      beast::bind_front_handler(&MarketDataSession::on_closed, shared_from_this()));
      return;
    }
    // FIX: JSON updates go out in a text frame
    send({/*binary=*/false, latest_update(request["subscribe"].get<std::string>())});
    do_read();
  }

  void on_closed(beast::error_code ec) {
    if (ec) fail(ec, "md close");
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::deque<Frame> outbox_;
  std::size_t binary_acks_ = 0;
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
