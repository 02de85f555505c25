// checks: errorshield-ws-handshake-origin
// Chat gateway: HTTP listener that hands upgrade requests to several WebSocket
// session flavours (rooms, presence push, legacy bots) plus an outbound bridge.
#include <array>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast.hpp>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

using upgrade_request = http::request<http::string_body>;

namespace {

constexpr std::array<std::string_view, 3> kTrustedOrigins = {
    "https://chat.example.com", "https://app.example.com",
    "https://staging.chat.example.com"};

bool origin_allowed(beast::string_view origin) {
  for (auto trusted : kTrustedOrigins)
    if (beast::iequals(origin, beast::string_view(trusted.data(), trusted.size())))
      return true;
  return false;
}

// Splits "a, b ,c" into tokens; used for Sec-WebSocket-Protocol negotiation.
std::vector<std::string> split_tokens(beast::string_view list) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : list) {
    if (c == ',') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else if (c != ' ' && c != '\t') {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

void reply_forbidden(tcp::socket& sock, upgrade_request const& req) {
  http::response<http::string_body> res{http::status::forbidden, req.version()};
  res.set(http::field::content_type, "text/plain");
  res.body() = "origin not allowed";
  res.prepare_payload();
  beast::error_code ec;
  http::write(sock, res, ec);
}

void log_line(char const* what, beast::string_view detail) {
  std::fprintf(stderr, "[gateway] %s %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
}

} // namespace

// ---------------------------------------------------------------------------
// Room session: origin checked, subprotocol negotiated from the client's offer.
class RoomSession : public std::enable_shared_from_this<RoomSession> {
public:
  explicit RoomSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void run(upgrade_request req) {
    req_ = std::move(req);
    auto origin = req_[http::field::origin];
    if (!origin_allowed(origin)) {
      log_line("rejecting origin", origin);
      reply_forbidden(beast::get_lowest_layer(ws_).socket(), req_);
      return;
    }

    std::string chosen;
    for (auto const& p : split_tokens(req_[http::field::sec_websocket_protocol]))
      if (p == "chat.v2" || p == "chat.v1") {
        chosen = p;
        break;
      }

    ws_.set_option(websocket::stream_base::decorator(
        [chosen](websocket::response_type& res) {
          res.set(http::field::server, "chat-gateway");
          if (!chosen.empty())
            res.set(http::field::sec_websocket_protocol, chosen);
        }));
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) {
      self->on_accept(ec);
    });
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec) return log_line("accept failed", ec.message());
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) self->buf_.consume(self->buf_.size());
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  upgrade_request req_;
  beast::flat_buffer buf_;
};

// ---------------------------------------------------------------------------
// Presence push: authenticated by session cookie only, Origin never looked at.
class PresenceSession : public std::enable_shared_from_this<PresenceSession> {
public:
  PresenceSession(tcp::socket sock, upgrade_request req)
      : ws_(std::move(sock)), req_(std::move(req)) {}

  void start() {
    auto cookie = req_[http::field::cookie];
    if (cookie.find("sid=") == beast::string_view::npos) {
      log_line("no session cookie", req_.target());
      return;
    }
    ws_.async_accept(req_, // expect: errorshield-ws-handshake-origin
                     beast::bind_front_handler(&PresenceSession::on_accept,
                                               shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec) log_line("presence accept", ec.message());
  }

  websocket::stream<beast::tcp_stream> ws_;
  upgrade_request req_;
};

// ---------------------------------------------------------------------------
// Notification channel: origin is validated, but the server always claims the
// "notify.v3" subprotocol even when the browser offered nothing or something else.
class NotifySession : public std::enable_shared_from_this<NotifySession> {
public:
  explicit NotifySession(tcp::socket sock) : ws_(std::move(sock)) {}

  void run(upgrade_request const& req) {
    auto it = req.find(http::field::origin);
    if (it == req.end() || !origin_allowed(it->value())) {
      reply_forbidden(beast::get_lowest_layer(ws_).socket(), req);
      return;
    }
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(http::field::server, "chat-gateway");
      res.set(http::field::sec_websocket_protocol, "notify.v3"); // expect: errorshield-ws-handshake-origin
    }));
    ws_.async_accept(req, [self = shared_from_this()](beast::error_code ec) {
      if (ec) log_line("notify accept", ec.message());
    });
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
};

// ---------------------------------------------------------------------------
// Legacy bot port: lets Beast read the upgrade itself, so nothing is inspected.
void serve_bot_port(tcp::socket sock) {
  websocket::stream<tcp::socket> ws{std::move(sock)};
  beast::error_code ec;
  ws.accept(ec); // expect: errorshield-ws-handshake-origin
  if (ec) return log_line("bot accept", ec.message());
  beast::flat_buffer buf;
  ws.read(buf, ec);
}

// Debug endpoint: Origin is read, but only to write it to the log.
void serve_debug(tcp::socket sock, upgrade_request const& req) {
  log_line("debug upgrade from", req[http::field::origin]);
  websocket::stream<tcp::socket> ws{std::move(sock)};
  beast::error_code ec;
  ws.accept(req, ec); // expect: errorshield-ws-handshake-origin
  if (!ec) ws.text(true);
}

// Metrics endpoint: allowlist check, echoes the protocol only if offered.
void serve_metrics(tcp::socket sock, upgrade_request const& req) {
  if (!origin_allowed(req[http::field::origin])) {
    reply_forbidden(sock, req);
    return;
  }
  bool wants_prom = false;
  for (auto const& p : split_tokens(req[http::field::sec_websocket_protocol]))
    wants_prom = wants_prom || p == "prom.stream";

  websocket::stream<tcp::socket> ws{std::move(sock)};
  ws.set_option(websocket::stream_base::decorator([wants_prom](websocket::response_type& res) {
    if (wants_prom)
      res.set(http::field::sec_websocket_protocol, "prom.stream");
  }));
  beast::error_code ec;
  ws.accept(req, ec);
}

// Outbound bridge to the moderation service: we are the client here, so we
// *offer* a subprotocol and send our own Origin; no inbound check applies.
void connect_moderation(net::io_context& ioc, std::string const& host) {
  tcp::resolver resolver{ioc};
  websocket::stream<tcp::socket> ws{ioc};
  net::connect(ws.next_layer(), resolver.resolve(host, "9100"));
  ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
    req.set(http::field::origin, "https://chat.example.com");
    req.set(http::field::sec_websocket_protocol, "moderation.v1");
  }));
  ws.handshake(host, "/moderation");
}

// ---------------------------------------------------------------------------
// Plain HTTP front: routes upgrades to the right session type.
void route(tcp::socket sock) {
  beast::flat_buffer buf;
  upgrade_request req;
  beast::error_code ec;
  http::read(sock, buf, req, ec);
  if (ec || !websocket::is_upgrade(req)) return;

  auto target = req.target();
  if (target == "/rooms")
    std::make_shared<RoomSession>(std::move(sock))->run(std::move(req));
  else if (target == "/presence")
    std::make_shared<PresenceSession>(std::move(sock), std::move(req))->start();
  else if (target == "/notify")
    std::make_shared<NotifySession>(std::move(sock))->run(req);
  else if (target == "/metrics")
    serve_metrics(std::move(sock), req);
  else if (target == "/debug")
    serve_debug(std::move(sock), req);
}

int main() {
  net::io_context ioc;
  tcp::acceptor acc{ioc, {tcp::v4(), 8080}};
  tcp::acceptor bots{ioc, {tcp::v4(), 8081}};
  for (int i = 0; i < 4; ++i) {
    route(acc.accept());
    serve_bot_port(bots.accept());
  }
  connect_moderation(ioc, "moderation.internal");
  ioc.run();
}
