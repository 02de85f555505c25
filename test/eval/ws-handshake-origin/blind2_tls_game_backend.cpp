// checks: errorshield-ws-handshake-origin
// Multiplayer game backend: TLS lobby / ranked sessions, a templated match session, coroutine spectator
// and device endpoints, a controller bridge held through unique_ptr / optional, and the bot client.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using namespace std::placeholders;

using tls_ws = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;
using upgrade_request = http::request<http::string_body>;

static const std::unordered_set<std::string> kGameOrigins = {"https://play.example.gg", "https://beta.example.gg"};

static void log_fail(beast::error_code ec, const char* what) {
  std::fprintf(stderr, "game %s: %s\n", what, ec.message().c_str());
}

// Reads Origin, so passing a request here counts as checking it.
static bool origin_allowed(const upgrade_request& req) {
  return kGameOrigins.count(std::string(req[http::field::origin])) != 0;
}

static bool is_trusted_origin(const upgrade_request& req) {
  auto it = req.find(http::field::origin);
  return it != req.end() && kGameOrigins.count(std::string(it->value())) != 0;
}

// Casual lobby over TLS: after the TLS handshake Beast is left to read the upgrade request itself.
class LobbySession : public std::enable_shared_from_this<LobbySession> {
 public:
  LobbySession(tcp::socket&& socket, ssl::context& ctx) : ws_(std::move(socket), ctx) {}

  void run() {
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(30));
    ws_.next_layer().async_handshake(ssl::stream_base::server, std::bind(&LobbySession::on_tls, shared_from_this(), _1));
  }

 private:
  void on_tls(beast::error_code ec) {
    if (ec) return log_fail(ec, "lobby tls");
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(http::field::server, "lobby/4.1");
    }));
    ws_.async_accept(std::bind(&LobbySession::on_accept, shared_from_this(), _1)); // expect: errorshield-ws-handshake-origin
  }

  void on_accept(beast::error_code ec) {
    if (ec) log_fail(ec, "lobby accept");
  }

  tls_ws ws_;
};

// Ranked queue over TLS: reads the request itself, checks Origin and the offered subprotocol in
// on_request(), then upgrades from do_upgrade() with the single protocol it supports.
class RankedSession : public std::enable_shared_from_this<RankedSession> {
 public:
  RankedSession(tcp::socket&& socket, ssl::context& ctx) : ws_(std::move(socket), ctx) {}

  void run() {
    ws_.next_layer().async_handshake(ssl::stream_base::server, std::bind(&RankedSession::on_tls, shared_from_this(), _1));
  }

 private:
  void on_tls(beast::error_code ec) {
    if (ec) return log_fail(ec, "ranked tls");
    http::async_read(ws_.next_layer(), buffer_, req_, std::bind(&RankedSession::on_request, shared_from_this(), _1, _2));
  }

  void on_request(beast::error_code ec, std::size_t) {
    if (ec) return log_fail(ec, "ranked request");
    auto origin = req_.find(http::field::origin);
    if (origin == req_.end() || kGameOrigins.count(std::string(origin->value())) == 0) return reject();
    const bool offered = req_[http::field::sec_websocket_protocol].find("ranked.v2") != beast::string_view::npos;
    if (!offered) return reject();
    do_upgrade();
  }

  void do_upgrade() {
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(http::field::sec_websocket_protocol, "ranked.v2");
    }));
    ws_.async_accept(req_, std::bind(&RankedSession::on_accept, shared_from_this(), _1));
  }

  void reject() { beast::get_lowest_layer(ws_).close(); }

  void on_accept(beast::error_code ec) {
    if (ec) log_fail(ec, "ranked accept");
  }

  tls_ws ws_;
  beast::flat_buffer buffer_;
  upgrade_request req_;
};

// Match session, generic over the transport: Origin is validated, but the subprotocol is hard-coded.
template <class NextLayer>
class MatchSession : public std::enable_shared_from_this<MatchSession<NextLayer>> {
 public:
  explicit MatchSession(NextLayer&& layer) : ws_(std::move(layer)) {}

  void start(upgrade_request req) {
    if (!origin_allowed(req)) return;
    match_id_ = std::string(req.target());
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(http::field::server, "match-server");
      res.set(http::field::sec_websocket_protocol, "match.v3"); // expect: errorshield-ws-handshake-origin
    }));
    ws_.async_accept(req, [self = this->shared_from_this()](beast::error_code ec) {
      if (ec) log_fail(ec, "match accept");
    });
  }

 private:
  websocket::stream<NextLayer> ws_;
  std::string match_id_;
};

// Replay viewer, generic too: checks Origin and negotiates the protocol from the offer.
template <class NextLayer>
class ReplaySession : public std::enable_shared_from_this<ReplaySession<NextLayer>> {
 public:
  explicit ReplaySession(NextLayer&& layer) : ws_(std::move(layer)) {}

  void start(upgrade_request req) {
    if (!is_trusted_origin(req)) return;
    std::string offered(req[http::field::sec_websocket_protocol]);
    std::string chosen = offered.find("replay.v2") != std::string::npos ? "replay.v2" : "replay.v1";
    ws_.set_option(websocket::stream_base::decorator([chosen](websocket::response_type& res) {
      res.set(http::field::sec_websocket_protocol, chosen);
    }));
    ws_.async_accept(req, [self = this->shared_from_this()](beast::error_code ec) {
      if (ec) log_fail(ec, "replay accept");
    });
  }

 private:
  websocket::stream<NextLayer> ws_;
};

template class MatchSession<beast::tcp_stream>;
template class ReplaySession<beast::tcp_stream>;

// Spectator feed: validates the Host header and the target, never the Origin.
net::awaitable<void> spectator_session(tcp::socket socket) {
  beast::tcp_stream stream{std::move(socket)};
  beast::flat_buffer buffer;
  upgrade_request req;
  co_await http::async_read(stream, buffer, req, net::use_awaitable);
  if (!websocket::is_upgrade(req) || req[http::field::host] != "play.example.gg") co_return;
  const std::string match_id(req.target());
  websocket::stream<beast::tcp_stream> ws{std::move(stream)};
  co_await ws.async_accept(req, net::use_awaitable); // expect: errorshield-ws-handshake-origin
  co_await ws.async_write(net::buffer(match_id), net::use_awaitable);
}

// Leaderboard feed: Origin checked through a helper, subprotocol chosen from the client's offer.
net::awaitable<void> leaderboard_session(tcp::socket socket) {
  beast::tcp_stream stream{std::move(socket)};
  beast::flat_buffer buffer;
  upgrade_request req;
  co_await http::async_read(stream, buffer, req, net::use_awaitable);
  if (!is_trusted_origin(req)) co_return;
  const bool compact = req[http::field::sec_websocket_protocol].find("lb.compact") != beast::string_view::npos;
  websocket::stream<beast::tcp_stream> ws{std::move(stream)};
  ws.set_option(websocket::stream_base::decorator([compact](websocket::response_type& res) {
    res.set(http::field::sec_websocket_protocol, compact ? "lb.compact" : "lb.full");
  }));
  co_await ws.async_accept(req, net::use_awaitable);
}

// Controller devices speak MQTT over websockets: Origin is checked, but "mqtt" is echoed unconditionally.
net::awaitable<void> controller_mqtt_session(tcp::socket socket) {
  beast::tcp_stream stream{std::move(socket)};
  beast::flat_buffer buffer;
  upgrade_request req;
  co_await http::async_read(stream, buffer, req, net::use_awaitable);
  if (req[http::field::origin] != "https://devices.example.gg") co_return;
  websocket::stream<beast::tcp_stream> ws{std::move(stream)};
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(http::field::sec_websocket_protocol, "mqtt"); // expect: errorshield-ws-handshake-origin
  }));
  co_await ws.async_accept(req, net::use_awaitable);
}

// Controller bridge: the stream is created lazily behind a unique_ptr; only the User-Agent is looked at.
class ControllerBridge {
 public:
  explicit ControllerBridge(net::io_context& ioc) : ioc_(ioc) {}

  void on_upgrade(tcp::socket socket, upgrade_request req) {
    req_ = std::move(req);
    agent_ = std::string(req_[http::field::user_agent]);
    ws_ = std::make_unique<websocket::stream<beast::tcp_stream>>(std::move(socket));
    ws_->async_accept(req_, [this](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
      if (ec) return log_fail(ec, "bridge accept");
      connected_ = true;
    });
  }

 private:
  net::io_context& ioc_;
  std::unique_ptr<websocket::stream<beast::tcp_stream>> ws_;
  upgrade_request req_;
  std::string agent_;
  bool connected_ = false;
};

// Pad bridge: same unique_ptr shape, with Origin checked in a lambda inside the owner.
class PadBridge {
 public:
  void on_upgrade(tcp::socket socket, upgrade_request req) {
    const bool trusted = [&req] {
      auto origin = req[http::field::origin];
      return origin == "https://play.example.gg";
    }();
    if (!trusted) return;
    ws_ = std::make_unique<websocket::stream<beast::tcp_stream>>(std::move(socket));
    ws_->async_accept(req, [this](beast::error_code ec) {
      if (!ec) ready_ = true;
    });
  }

 private:
  std::unique_ptr<websocket::stream<beast::tcp_stream>> ws_;
  bool ready_ = false;
};

// Sync admin probe held in an optional: accepts with only an error_code, so Beast reads the request.
class AdminProbe {
 public:
  bool open(tcp::socket socket) {
    ws_.emplace(std::move(socket));
    beast::error_code ec;
    ws_->accept(ec); // expect: errorshield-ws-handshake-origin
    return !ec;
  }

 private:
  std::optional<websocket::stream<tcp::socket>> ws_;
};

// Sync kiosk endpoint held in an optional: Origin looked up by its header name before accept(req, ec).
class KioskEndpoint {
 public:
  bool open(tcp::socket socket, const upgrade_request& req) {
    auto origin = req.find("Origin");
    if (origin == req.end() || origin->value() != "https://kiosk.example.gg") return false;
    ws_.emplace(std::move(socket));
    beast::error_code ec;
    ws_->accept(req, ec);
    return !ec;
  }

 private:
  std::optional<websocket::stream<tcp::socket>> ws_;
};

// Shared TLS helper used by the router: stream by reference, nothing is known here.
void accept_over_tls(tls_ws& ws, const upgrade_request& req) {
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(http::field::sec_websocket_protocol, "lobby.v1");
  }));
  ws.async_accept(req, [](beast::error_code ec) {
    if (ec) log_fail(ec, "router accept");
  });
}

// Bot client: TLS handshake then websocket handshake; offers a subprotocol in the request decorator.
net::awaitable<void> run_bot(ssl::context& ctx, std::string host, std::string port) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver{ex};
  tls_ws ws{ex, ctx};
  auto results = co_await resolver.async_resolve(host, port, net::use_awaitable);
  co_await beast::get_lowest_layer(ws).async_connect(results, net::use_awaitable);
  co_await ws.next_layer().async_handshake(ssl::stream_base::client, net::use_awaitable);
  ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
    req.set(http::field::origin, "https://play.example.gg");
    req.set(http::field::sec_websocket_protocol, "ranked.v2");
  }));
  co_await ws.async_handshake(host, "/ranked", net::use_awaitable);
  co_await ws.async_close(websocket::close_code::normal, net::use_awaitable);
}

int main() {
  net::io_context ioc;
  ssl::context ctx{ssl::context::tlsv12};
  net::co_spawn(ioc, spectator_session(tcp::socket{ioc}), net::detached);
  net::co_spawn(ioc, leaderboard_session(tcp::socket{ioc}), net::detached);
  net::co_spawn(ioc, controller_mqtt_session(tcp::socket{ioc}), net::detached);
  net::co_spawn(ioc, run_bot(ctx, "play.example.gg", "443"), net::detached);
  std::make_shared<LobbySession>(tcp::socket{ioc}, ctx)->run();
  std::make_shared<RankedSession>(tcp::socket{ioc}, ctx)->run();
  std::make_shared<MatchSession<beast::tcp_stream>>(beast::tcp_stream{ioc})->start(upgrade_request{});
  std::make_shared<ReplaySession<beast::tcp_stream>>(beast::tcp_stream{ioc})->start(upgrade_request{});
  ioc.run();
}
