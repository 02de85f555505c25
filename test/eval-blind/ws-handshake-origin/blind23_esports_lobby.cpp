// checks: errorshield-ws-handshake-origin
// Esports match lobby: players join lobbies from the web client, spectators
// watch the ready-check, and the tournament admin panel can force-start.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using Request = http::request<http::string_body>;

struct Lobby {
  std::string id;
  std::unordered_map<std::string, bool> ready;
  json state() const { return {{"lobby", id}, {"ready", ready}}; }
};

class OriginPolicy {
public:
  explicit OriginPolicy(std::unordered_set<std::string> allowed) : allowed_(std::move(allowed)) {}

  bool permits(const Request &req) const {
    auto it = req.find(http::field::origin);
    if (it == req.end())
      return false;
    return allowed_.count(std::string(it->value())) != 0;
  }

private:
  std::unordered_set<std::string> allowed_;
};

// ---------------------------------------------------------------------------
// Player sessions run over TLS in production and plain TCP on LAN events.
template <class NextLayer>
class PlayerSession : public std::enable_shared_from_this<PlayerSession<NextLayer>> {
public:
  template <class... Args>
  PlayerSession(Lobby &lobby, Args &&...args)
      : ws_(std::forward<Args>(args)...), lobby_(lobby) {}

  void on_upgrade(Request req) {
    req_ = std::move(req);
    player_ = std::string(req_[http::field::authorization]);
    ws_.async_accept(req_, [self = this->shared_from_this()](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
      if (!ec)
        self->read();
    });
  }

private:
  void read() {
    ws_.async_read(buf_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      auto msg = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.consume(self->buf_.size());
      if (msg.is_object() && msg.value("type", "") == "ready")
        self->lobby_.ready[self->player_] = true;
      self->read();
    });
  }

  websocket::stream<NextLayer> ws_;
  beast::flat_buffer buf_;
  Request req_;
  std::string player_;
  Lobby &lobby_;
};

template class PlayerSession<beast::tcp_stream>;
template class PlayerSession<beast::ssl_stream<beast::tcp_stream>>;

// ---------------------------------------------------------------------------
// Spectators: read-only ready-check feed, embedded on partner stream sites.
class SpectatorSession : public std::enable_shared_from_this<SpectatorSession> {
public:
  SpectatorSession(tcp::socket s, Lobby &lobby, const OriginPolicy &policy)
      : ws_(std::move(s)), lobby_(lobby), policy_(policy) {}

  void on_upgrade(Request req) {
    if (!policy_.permits(req)) {
      ws_.next_layer().close();
      return;
    }
    ws_.async_accept(req, [self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      self->out_ = self->lobby_.state().dump();
      self->ws_.async_write(net::buffer(self->out_), [self](beast::error_code, std::size_t) {});
    });
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
  std::string out_;
  Lobby &lobby_;
  const OriginPolicy &policy_;
};

// ---------------------------------------------------------------------------
// Tournament admin panel: stackful coroutine per connection.
void admin_session(tcp::socket sock, Lobby &lobby, net::yield_context yield) {
  beast::error_code ec;
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  Request req;
  http::async_read(stream, buf, req, yield[ec]);
  if (ec)
    return;
  if (req[http::field::host] != "admin.lobby.example.gg")
    return;
  websocket::stream<beast::tcp_stream> ws(std::move(stream));
  ws.async_accept(req, yield[ec]); // expect: errorshield-ws-handshake-origin
  if (ec)
    return;
  ws.async_write(net::buffer(lobby.state().dump()), yield[ec]);
}

void caster_session(tcp::socket sock, Lobby &lobby, net::yield_context yield) {
  beast::error_code ec;
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  Request req;
  http::async_read(stream, buf, req, yield[ec]);
  if (ec)
    return;
  auto it = req.find(http::field::origin);
  if (it == req.end() || it->value() != "https://casters.lobby.example.gg")
    return;
  websocket::stream<beast::tcp_stream> ws(std::move(stream));
  ws.async_accept(req, yield[ec]);
  if (ec)
    return;
  ws.async_write(net::buffer(lobby.state().dump()), yield[ec]);
}

// ---------------------------------------------------------------------------
// Anti-cheat sidecar on the game server host connects here (blocking).
void anticheat_session(tcp::socket sock, Lobby &lobby) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type &res) {
    res.set(http::field::server, "lobby-svc/3.2");
  }));
  ws.accept(); // expect: errorshield-ws-handshake-origin
  beast::flat_buffer buf;
  ws.read(buf);
  auto verdict = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
  if (verdict.is_object() && verdict.value("flag", false))
    lobby.ready.clear();
}

// LAN-event quick join: kiosks on the venue network open a socket and go.
void serve_quick_join(tcp::acceptor &acc, Lobby &lobby) {
  acc.async_accept([&acc, &lobby](beast::error_code ec, tcp::socket s) {
    if (ec)
      return;
    auto ws = std::make_shared<websocket::stream<beast::tcp_stream>>(std::move(s));
    ws->async_accept([ws, &lobby](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
      if (ec)
        return;
      auto body = std::make_shared<std::string>(lobby.state().dump());
      ws->async_write(net::buffer(*body), [ws, body](beast::error_code, std::size_t) {});
    });
    serve_quick_join(acc, lobby);
  });
}

// Matchmaker hands us lobbies over a C++20 coroutine connection.
net::awaitable<void> matchmaker_session(tcp::socket sock, Lobby &lobby, const OriginPolicy &policy) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  Request req;
  co_await http::async_read(stream, buf, req, net::use_awaitable);
  if (!websocket::is_upgrade(req) || !policy.permits(req))
    co_return;
  websocket::stream<beast::tcp_stream> ws(std::move(stream));
  co_await ws.async_accept(req, net::use_awaitable);
  co_await ws.async_write(net::buffer(lobby.state().dump()), net::use_awaitable);
}

// Outbound: report results to the league API.
net::awaitable<void> report_result(net::io_context &ioc, json result) {
  tcp::resolver resolver(ioc);
  websocket::stream<beast::tcp_stream> ws(ioc);
  auto eps = co_await resolver.async_resolve("league.example.gg", "443", net::use_awaitable);
  co_await beast::get_lowest_layer(ws).async_connect(eps, net::use_awaitable);
  co_await ws.async_handshake("league.example.gg", "/results", net::use_awaitable);
  co_await ws.async_write(net::buffer(result.dump()), net::use_awaitable);
}

// ---------------------------------------------------------------------------
int main() {
  net::io_context ioc;
  Lobby lobby{"eu-west-17", {}};
  OriginPolicy policy({"https://play.lobby.example.gg", "https://partner.example.tv"});
  tcp::acceptor admin_acc(ioc, {tcp::v4(), 8443});
  net::spawn(
      ioc,
      [&](net::yield_context yield) {
        for (;;) {
          beast::error_code ec;
          tcp::socket s = admin_acc.async_accept(yield[ec]);
          if (ec)
            break;
          net::spawn(admin_acc.get_executor(),
                     [&lobby, s = std::move(s)](net::yield_context y) mutable {
                       admin_session(std::move(s), lobby, y);
                     },
                     net::detached);
        }
      },
      net::detached);
  tcp::acceptor lan_acc(ioc, {tcp::v4(), 8081});
  serve_quick_join(lan_acc, lobby);
  tcp::acceptor mm_acc(ioc, {tcp::v4(), 8082});
  net::co_spawn(
      ioc,
      [&]() -> net::awaitable<void> {
        for (;;) {
          tcp::socket s = co_await mm_acc.async_accept(net::use_awaitable);
          net::co_spawn(ioc, matchmaker_session(std::move(s), lobby, policy), net::detached);
        }
      },
      net::detached);
  ioc.run();
}
