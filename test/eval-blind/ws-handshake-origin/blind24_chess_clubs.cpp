// checks: errorshield-ws-handshake-origin
// Tournament hall for online chess clubs. Browsers load the hall from
// https://play.chessclubs.example and open WebSockets for boards, pairings and
// the arbiter console. Everything is behind TLS.
#include <algorithm>
#include <array>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

using TlsStream = ssl::stream<beast::tcp_stream>;
using Request = http::request<http::string_body>;

constexpr std::array<std::string_view, 2> kHallOrigins = {"https://play.chessclubs.example",
                                                          "https://arbiter.chessclubs.example"};

class OriginPolicy {
public:
  explicit OriginPolicy(std::vector<std::string> extra) : extra_(std::move(extra)) {}

  bool allows(std::string_view origin) const {
    if (std::find(kHallOrigins.begin(), kHallOrigins.end(), origin) != kHallOrigins.end())
      return true;
    return std::find(extra_.begin(), extra_.end(), origin) != extra_.end();
  }

private:
  std::vector<std::string> extra_; // club-hosted mirrors
};

void report(beast::error_code ec, const char *what) { std::cerr << "[hall] " << what << ": " << ec.message() << "\n"; }

template <class Stream>
void reject(Stream &stream, const Request &req, http::status status) {
  http::response<http::string_body> res{status, req.version()};
  res.set(http::field::server, "chess-hall");
  res.body() = "upgrade refused";
  res.prepare_payload();
  beast::error_code ec;
  http::write(stream, res, ec);
}

// Live board for one game: moves in, clock updates out.
class BoardSession : public std::enable_shared_from_this<BoardSession> {
public:
  BoardSession(TlsStream stream, const OriginPolicy &policy) : ws_(std::move(stream)), policy_(policy) {}

  void run(Request req) {
    if (!policy_.allows(req[http::field::origin])) {
      reject(ws_.next_layer(), req, http::status::forbidden);
      return;
    }
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(req, beast::bind_front_handler(&BoardSession::on_accept, shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return report(ec, "board accept");
    ws_.async_read(buf_, beast::bind_front_handler(&BoardSession::on_move, shared_from_this()));
  }

  void on_move(beast::error_code ec, std::size_t) {
    if (ec)
      return report(ec, "board read");
    auto mv = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (!mv.is_discarded())
      std::cout << "[board] " << mv.value("uci", "?") << "\n";
    on_accept({});
  }

  websocket::stream<TlsStream> ws_;
  beast::flat_buffer buf_;
  const OriginPolicy &policy_;
};

// Pairings feed: read-only broadcast of round pairings.
class PairingsSession : public std::enable_shared_from_this<PairingsSession> {
public:
  explicit PairingsSession(TlsStream stream) : ws_(std::move(stream)) {}

  void run(Request req) {
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type &res) {
      res.set(http::field::server, "chess-hall pairings");
    }));
    ws_.async_accept(req, [self = shared_from_this()](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
      if (ec)
        return report(ec, "pairings accept");
      self->push_round(1);
    });
  }

private:
  void push_round(int round) {
    out_ = json{{"round", round}, {"pairings", json::array({{{"white", "Kasparova"}, {"black", "Lind"}}})}}.dump();
    ws_.text(true);
    ws_.async_write(asio::buffer(out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        report(ec, "pairings write");
    });
  }

  websocket::stream<TlsStream> ws_;
  std::string out_;
};

// Club chat lobby: generic over the transport so LAN club nights can skip TLS.
template <class Transport>
class LobbySession : public std::enable_shared_from_this<LobbySession<Transport>> {
public:
  explicit LobbySession(Transport t) : ws_(std::move(t)) {}

  void start(Request req) {
    if (req.target().starts_with("/lobby/") == false) {
      reject(ws_.next_layer(), req, http::status::not_found);
      return;
    }
    ws_.async_accept(req, beast::bind_front_handler(&LobbySession::joined, this->shared_from_this())); // expect: errorshield-ws-handshake-origin
  }

private:
  void joined(beast::error_code ec) {
    if (ec)
      return report(ec, "lobby accept");
    std::cout << "[lobby] member joined\n";
  }

  websocket::stream<Transport> ws_;
};

// Arbiter console: stackful coroutine per connection.
void arbiter_console(TlsStream stream, const OriginPolicy &policy, asio::yield_context yield) {
  beast::error_code ec;
  stream.async_handshake(ssl::stream_base::server, yield[ec]);
  if (ec)
    return report(ec, "arbiter tls");
  beast::flat_buffer buf;
  Request req;
  http::async_read(stream, buf, req, yield[ec]);
  if (ec || !websocket::is_upgrade(req))
    return;
  const bool trusted = policy.allows(req[http::field::origin]);
  if (!trusted) {
    reject(stream, req, http::status::forbidden);
    return;
  }
  websocket::stream<TlsStream> ws(std::move(stream));
  ws.async_accept(req, yield[ec]);
  if (ec)
    return report(ec, "arbiter accept");
  ws.async_write(asio::buffer(std::string(R"({"console":"ready"})")), yield[ec]);
}

// Spectator mode for broadcasts; also stackful.
void spectator(TlsStream stream, asio::yield_context yield) {
  beast::error_code ec;
  stream.async_handshake(ssl::stream_base::server, yield[ec]);
  if (ec)
    return report(ec, "spectator tls");
  websocket::stream<TlsStream> ws(std::move(stream));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.async_accept(yield[ec]); // expect: errorshield-ws-handshake-origin
  if (ec)
    return report(ec, "spectator accept");
  for (;;) {
    beast::flat_buffer buf;
    ws.async_read(buf, yield[ec]);
    if (ec)
      return;
  }
}

// Post-game analysis board. Unknown origins are only counted for now, the
// mirrors list is still being collected from the clubs.
asio::awaitable<void> analysis_board(TlsStream stream, Request req, const OriginPolicy &policy) {
  static int unknown_origins = 0;
  if (!policy.allows(req[http::field::origin])) {
    ++unknown_origins;
    std::clog << "[analysis] origin not on list (" << unknown_origins << " so far)\n";
  }
  websocket::stream<TlsStream> ws(std::move(stream));
  co_await ws.async_accept(req, asio::use_awaitable); // expect: errorshield-ws-handshake-origin
  beast::flat_buffer buf;
  co_await ws.async_read(buf, asio::use_awaitable);
}

// Club admin panel (roster edits), only for the hall's own pages.
asio::awaitable<void> club_admin(TlsStream stream, Request req) {
  auto same_site = [](const Request &r) {
    auto it = r.find(http::field::origin);
    return it != r.end() && it->value() == kHallOrigins[0];
  };
  if (!same_site(req)) {
    reject(stream, req, http::status::forbidden);
    co_return;
  }
  websocket::stream<TlsStream> ws(std::move(stream));
  co_await ws.async_accept(req, asio::use_awaitable);
  ws.text(true);
  co_await ws.async_write(asio::buffer(std::string(R"({"roster":[]})")), asio::use_awaitable);
}

// Rating service mirror: the hall is the client here.
asio::awaitable<void> subscribe_ratings(ssl::context &ctx, std::string host) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  auto eps = co_await resolver.async_resolve(host, "443", asio::use_awaitable);
  websocket::stream<TlsStream> ws(ex, ctx);
  co_await beast::get_lowest_layer(ws).async_connect(eps, asio::use_awaitable);
  co_await ws.next_layer().async_handshake(ssl::stream_base::client, asio::use_awaitable);
  ws.set_option(websocket::stream_base::decorator([](websocket::request_type &r) {
    r.set(http::field::origin, "https://play.chessclubs.example");
  }));
  co_await ws.async_handshake(host, "/ratings/stream", asio::use_awaitable);
}

// HTTPS front door: TLS handshake, read the request, dispatch by path.
asio::awaitable<void> front_door(tcp::socket sock, ssl::context &ctx, const OriginPolicy &policy) {
  TlsStream stream(beast::tcp_stream(std::move(sock)), ctx);
  co_await stream.async_handshake(ssl::stream_base::server, asio::use_awaitable);
  beast::flat_buffer buf;
  Request req;
  co_await http::async_read(stream, buf, req, asio::use_awaitable);
  if (!websocket::is_upgrade(req)) {
    reject(stream, req, http::status::upgrade_required);
    co_return;
  }
  auto ex = co_await asio::this_coro::executor;
  std::string_view target = req.target();
  if (target.starts_with("/analysis/"))
    asio::co_spawn(ex, analysis_board(std::move(stream), std::move(req), policy), asio::detached);
  else if (target == "/admin")
    asio::co_spawn(ex, club_admin(std::move(stream), std::move(req)), asio::detached);
  else if (target.starts_with("/board/"))
    std::make_shared<BoardSession>(std::move(stream), policy)->run(std::move(req));
  else if (target == "/pairings")
    std::make_shared<PairingsSession>(std::move(stream))->run(std::move(req));
  else
    std::make_shared<LobbySession<TlsStream>>(std::move(stream))->start(std::move(req));
}

int main() {
  asio::io_context ioc;
  ssl::context ctx{ssl::context::tlsv12_server};
  ctx.use_certificate_chain_file("/etc/chess-hall/cert.pem");
  ctx.use_private_key_file("/etc/chess-hall/key.pem", ssl::context::pem);
  OriginPolicy policy({"https://club-mirror.example"});

  asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
    tcp::acceptor acc(ioc, {tcp::v4(), 443});
    for (;;)
      asio::co_spawn(ioc, front_door(co_await acc.async_accept(asio::use_awaitable), ctx, policy), asio::detached);
  }, asio::detached);

  asio::spawn(ioc, [&](asio::yield_context yield) {
    tcp::acceptor acc(ioc, {tcp::v4(), 8443});
    for (;;) {
      beast::error_code ec;
      tcp::socket sock = acc.async_accept(yield[ec]);
      if (ec)
        continue;
      asio::spawn(ioc, [&ctx, &policy, s = std::move(sock)](asio::yield_context y) mutable {
        arbiter_console(TlsStream(beast::tcp_stream(std::move(s)), ctx), policy, y);
      }, asio::detached);
    }
  }, asio::detached);

  asio::spawn(ioc, [&](asio::yield_context yield) {
    tcp::acceptor acc(ioc, {tcp::v4(), 9443});
    for (;;) {
      beast::error_code ec;
      tcp::socket sock = acc.async_accept(yield[ec]);
      if (!ec)
        asio::spawn(ioc, [&ctx, s = std::move(sock)](asio::yield_context y) mutable {
          spectator(TlsStream(beast::tcp_stream(std::move(s)), ctx), y);
        }, asio::detached);
    }
  }, asio::detached);

  ioc.run();
}
