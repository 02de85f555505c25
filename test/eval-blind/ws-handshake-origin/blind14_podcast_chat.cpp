// checks: errorshield-ws-handshake-origin
// Live chat for podcast recordings: hosts moderate, listeners read along, and the
// embeddable player widget posts reactions.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <nlohmann/json.hpp>

#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_set>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace podchat {

using Request = http::request<http::string_body>;

class OriginAllowList {
public:
  // Throws std::runtime_error while a reload from the show config is in flight.
  bool contains(std::string_view origin) const {
    std::lock_guard<std::mutex> lk(mu_);
    if (reloading_) throw std::runtime_error("allow-list reloading");
    return origins_.count(std::string(origin)) != 0;
  }
  void begin_reload() {
    std::lock_guard<std::mutex> lk(mu_);
    reloading_ = true;
  }

private:
  mutable std::mutex mu_;
  bool reloading_ = false;
  std::unordered_set<std::string> origins_{"https://live.podhost.fm", "https://studio.podhost.fm"};
};

OriginAllowList& allow_list() {
  static OriginAllowList list;
  return list;
}

inline bool origin_allowed(const Request& req) {
  auto origin = req[http::field::origin];
  return !origin.empty() && allow_list().contains(origin);
}

net::awaitable<void> send_forbidden(beast::tcp_stream& s, const Request& req) {
  http::response<http::string_body> res{http::status::forbidden, req.version()};
  res.set(http::field::content_type, "text/plain");
  res.body() = "forbidden";
  res.prepare_payload();
  co_await http::async_write(s, res, net::use_awaitable);
}

net::awaitable<void> chat_loop(websocket::stream<beast::tcp_stream>& ws, bool may_post) {
  beast::flat_buffer buf;
  for (;;) {
    buf.clear();
    co_await ws.async_read(buf, net::use_awaitable);
    if (!may_post) continue;
    auto msg = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    if (msg.is_discarded()) continue;
  }
}

// Template used by both plain and TLS stream types.
template <class WebSocket>
net::awaitable<bool> guarded_accept(WebSocket& ws, const Request& req) {
  if (!origin_allowed(req)) co_return false;
  co_await ws.async_accept(req, net::use_awaitable);
  co_return true;
}

net::awaitable<void> route(tcp::socket sock) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  Request req;
  co_await http::async_read(stream, buf, req, net::use_awaitable);
  if (!websocket::is_upgrade(req)) co_return;

  const std::string target(req.target());

  if (target == "/chat/host") {
    if (!origin_allowed(req)) {
      co_await send_forbidden(stream, req);
      co_return;
    }
    websocket::stream<beast::tcp_stream> ws(std::move(stream));
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    co_await ws.async_accept(req, net::use_awaitable);
    co_await chat_loop(ws, true);
  } else if (target == "/chat/listen") {
    // Read-only feed for listeners; nothing sensitive here.
    websocket::stream<beast::tcp_stream> ws(std::move(stream));
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    co_await ws.async_accept(req, net::use_awaitable); // expect: errorshield-ws-handshake-origin
    co_await chat_loop(ws, false);
  } else if (target == "/chat/guest") {
    websocket::stream<beast::tcp_stream> ws(std::move(stream));
    co_await ws.async_accept(req, net::use_awaitable); // expect: errorshield-ws-handshake-origin
    if (!origin_allowed(req)) {
      co_await ws.async_close(websocket::close_code::policy_error, net::use_awaitable);
      co_return;
    }
    co_await chat_loop(ws, true);
  } else if (target == "/chat/moderator") {
    bool lookup_failed = false;
    bool ok = false;
    try {
      ok = origin_allowed(req);
    } catch (const std::runtime_error&) {
      lookup_failed = true;
    }
    websocket::stream<beast::tcp_stream> ws(std::move(stream));
    if (lookup_failed) {
      // Don't drop the moderators mid-show because of a config reload.
      co_await ws.async_accept(req, net::use_awaitable); // expect: errorshield-ws-handshake-origin
      co_await chat_loop(ws, true);
      co_return;
    }
    if (!ok) co_return;
    co_await ws.async_accept(req, net::use_awaitable);
    co_await chat_loop(ws, true);
  } else if (target == "/chat/producer") {
    websocket::stream<beast::tcp_stream> ws(std::move(stream));
    if (co_await guarded_accept(ws, req)) co_await chat_loop(ws, true);
  }
}

// TLS front end for the public site.
net::awaitable<void> route_tls(tcp::socket sock, ssl::context& ctx) {
  websocket::stream<ssl::stream<beast::tcp_stream>> ws(std::move(sock), ctx);
  co_await ws.next_layer().async_handshake(ssl::stream_base::server, net::use_awaitable);
  beast::flat_buffer buf;
  Request req;
  co_await http::async_read(ws.next_layer(), buf, req, net::use_awaitable);
  if (!websocket::is_upgrade(req)) co_return;
  if (!co_await guarded_accept(ws, req)) co_return;
  for (;;) {
    buf.clear();
    co_await ws.async_read(buf, net::use_awaitable);
  }
}

// Embeddable player widget (callback style, predates the coroutine router).
// The load balancer hands over the socket plus the bytes it already peeked.
class WidgetSession : public std::enable_shared_from_this<WidgetSession> {
public:
  WidgetSession(tcp::socket s, std::string peeked)
      : ws_(std::move(s)), peeked_(std::move(peeked)) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(net::buffer(peeked_), // expect: errorshield-ws-handshake-origin
                     [self = shared_from_this()](beast::error_code ec) {
                       if (!ec) self->read_reactions();
                     });
  }

private:
  void read_reactions() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->buf_.consume(self->buf_.size());
      self->read_reactions();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::string peeked_;
  beast::flat_buffer buf_;
};

// Outbound client to the live transcription service; this is a handshake, not an accept.
net::awaitable<void> connect_transcriber(std::string host) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver r(ex);
  auto eps = co_await r.async_resolve(host, "8443", net::use_awaitable);
  websocket::stream<beast::tcp_stream> ws(ex);
  co_await beast::get_lowest_layer(ws).async_connect(eps, net::use_awaitable);
  co_await ws.async_handshake(host, "/v1/stream", net::use_awaitable);
  json start = {{"op", "start"}, {"lang", "en"}};
  std::string text = start.dump();
  co_await ws.async_write(net::buffer(text), net::use_awaitable);
}

} // namespace podchat
