// checks: errorshield-ws-handshake-origin
// Async chat / ticker gateway: several websocket session classes behind one HTTP listener.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <algorithm>
#include <array>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr std::array<std::string_view, 3> kAllowedOrigins = {
    "https://chat.example.com", "https://app.example.com", "https://staging.example.com"};

void log_error(beast::error_code ec, const char* where) {
  std::fprintf(stderr, "[gateway] %s: %s\n", where, ec.message().c_str());
}

bool origin_allowed(const http::request<http::string_body>& req) {
  auto origin = req[http::field::origin];
  return std::find(kAllowedOrigins.begin(), kAllowedOrigins.end(),
                   std::string_view(origin.data(), origin.size())) != kAllowedOrigins.end();
}

std::string pick_subprotocol(beast::string_view offered) {
  // Client offers a comma separated list; we speak chat.v2 and fall back to chat.v1.
  std::string list(offered);
  if (list.find("chat.v2") != std::string::npos) return "chat.v2";
  if (list.find("chat.v1") != std::string::npos) return "chat.v1";
  return {};
}

}  // namespace

// Correct shape: Origin validated through a helper that reads it, subprotocol negotiated.
class ChatSession : public std::enable_shared_from_this<ChatSession> {
 public:
  explicit ChatSession(tcp::socket&& socket) : ws_(std::move(socket)) {}

  void do_accept(http::request<http::string_body> req) {
    if (!origin_allowed(req)) {
      reject(http::status::forbidden);
      return;
    }
    protocol_ = pick_subprotocol(req[http::field::sec_websocket_protocol]);
    ws_.set_option(websocket::stream_base::decorator([proto = protocol_](websocket::response_type& res) {
      res.set(http::field::server, "chat-gateway/2.4");
      if (!proto.empty()) res.set(http::field::sec_websocket_protocol, proto);
    }));
    ws_.async_accept(req, beast::bind_front_handler(&ChatSession::on_accept, shared_from_this()));
  }

 private:
  void reject(http::status) { beast::get_lowest_layer(ws_).close(); }

  void on_accept(beast::error_code ec) {
    if (ec) return log_error(ec, "accept");
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&ChatSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return log_error(ec, "read");
    buffer_.consume(buffer_.size());
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::string protocol_;
};

// Notification fan-out: lets Beast read the upgrade request itself, so Origin is never seen.
class NotifySession : public std::enable_shared_from_this<NotifySession> {
 public:
  explicit NotifySession(tcp::socket&& socket) : ws_(std::move(socket)) {}

  void run() {
    net::dispatch(ws_.get_executor(), beast::bind_front_handler(&NotifySession::on_run, shared_from_this()));
  }

 private:
  void on_run() {
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(http::field::server, "notify/1.0");
    }));
    ws_.async_accept(beast::bind_front_handler(&NotifySession::on_accept, shared_from_this())); // expect: errorshield-ws-handshake-origin
  }

  void on_accept(beast::error_code ec) {
    if (ec) return log_error(ec, "notify accept");
    pending_.push_back("{\"type\":\"hello\"}");
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::vector<std::string> pending_;
};

// Ticker: the HTTP layer hands over the parsed request, but only the target is inspected.
class TickerSession : public std::enable_shared_from_this<TickerSession> {
 public:
  explicit TickerSession(tcp::socket&& socket) : ws_(std::move(socket)) {}

  void do_accept(http::request<http::string_body> req) {
    req_ = std::move(req);
    if (req_.target().starts_with("/ticker/")) symbol_ = std::string(req_.target().substr(8));
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(http::field::sec_websocket_protocol, "ticker.v1"); // expect: errorshield-ws-handshake-origin
    }));
    ws_.async_accept(req_, beast::bind_front_handler(&TickerSession::on_accept, shared_from_this())); // expect: errorshield-ws-handshake-origin
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return log_error(ec, "ticker accept");
  }

  websocket::stream<beast::tcp_stream> ws_;
  http::request<http::string_body> req_;
  std::string symbol_;
};

// Admin console: Origin checked with find(); fixed subprotocol, but only after verifying the offer.
class AdminSession : public std::enable_shared_from_this<AdminSession> {
 public:
  explicit AdminSession(tcp::socket&& socket) : ws_(std::move(socket)) {}

  void do_accept(http::request<http::string_body> req) {
    auto it = req.find(http::field::origin);
    if (it == req.end() || it->value() != "https://admin.example.com") return deny();
    std::string offered(req[http::field::sec_websocket_protocol]);
    if (offered.find("admin.v2") == std::string::npos) return deny();
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(http::field::sec_websocket_protocol, "admin.v2");
    }));
    ws_.async_accept(req, [self = shared_from_this()](beast::error_code ec) {
      if (ec) log_error(ec, "admin accept");
    });
  }

 private:
  void deny() { beast::get_lowest_layer(ws_).close(); }

  websocket::stream<beast::tcp_stream> ws_;
};

// Origin validated in one member function, the accept issued from another: same class, same owner.
class PresenceSession : public std::enable_shared_from_this<PresenceSession> {
 public:
  explicit PresenceSession(tcp::socket&& socket) : ws_(std::move(socket)) {}

  bool on_upgrade(http::request<http::string_body>&& req) {
    req_ = std::move(req);
    auto origin = req_[http::field::origin];
    if (origin.empty() || !origin.ends_with(".example.com")) return false;
    net::post(ws_.get_executor(), beast::bind_front_handler(&PresenceSession::do_accept, shared_from_this()));
    return true;
  }

 private:
  void do_accept() {
    ws_.async_accept(req_, beast::bind_front_handler(&PresenceSession::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec) {
    if (ec) log_error(ec, "presence accept");
  }

  websocket::stream<beast::tcp_stream> ws_;
  http::request<http::string_body> req_;
};

// Legacy widget endpoint: looks the header up by its string name.
class WidgetSession : public std::enable_shared_from_this<WidgetSession> {
 public:
  explicit WidgetSession(tcp::socket&& socket) : ws_(std::move(socket)) {}

  void do_accept(http::request<http::string_body> req) {
    if (req["Origin"] != "https://widgets.example.net") return;
    ws_.async_accept(req, [self = shared_from_this()](beast::error_code ec) {
      if (ec) log_error(ec, "widget accept");
    });
  }

 private:
  websocket::stream<beast::tcp_stream> ws_;
};

// Market-depth feed that forgot both checks: accepts any upgrade with a parsed request.
class DepthSession : public std::enable_shared_from_this<DepthSession> {
 public:
  explicit DepthSession(tcp::socket&& socket) : ws_(std::move(socket)) {}

  void start(http::request<http::string_body> req) {
    if (req[http::field::authorization].empty()) return;
    token_ = std::string(req[http::field::authorization]);
    ws_.async_accept(req, beast::bind_front_handler(&DepthSession::on_accept, shared_from_this())); // expect: errorshield-ws-handshake-origin
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) log_error(ec, "depth accept");
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::string token_;
};

// Shared helper used by the HTTP router: the stream arrives by reference, so nothing is known here.
template <class Handler>
void finish_upgrade(websocket::stream<beast::tcp_stream>& ws, const http::request<http::string_body>& req, Handler&& handler) {
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(http::field::server, "gateway-router");
  }));
  ws.async_accept(req, std::forward<Handler>(handler));
}

void route_upgrade(tcp::socket socket, http::request<http::string_body> req) {
  if (req.target() == "/chat") {
    std::make_shared<ChatSession>(std::move(socket))->do_accept(std::move(req));
  } else if (req.target().starts_with("/ticker/")) {
    std::make_shared<TickerSession>(std::move(socket))->do_accept(std::move(req));
  } else if (req.target() == "/admin") {
    std::make_shared<AdminSession>(std::move(socket))->do_accept(std::move(req));
  } else if (req.target() == "/widget") {
    std::make_shared<WidgetSession>(std::move(socket))->do_accept(std::move(req));
  } else if (req.target() == "/depth") {
    std::make_shared<DepthSession>(std::move(socket))->start(std::move(req));
  }
}

// The notification listener has its own port and never parses HTTP itself.
void on_notify_socket(tcp::socket socket) {
  std::make_shared<NotifySession>(std::move(socket))->run();
}
