// checks: errorshield-ws-handshake-origin
// Esports bracket service: pushes live bracket updates to the public bracket
// page, the caster desk, team captains and tournament admins.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <string_view>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

using Request = http::request<http::string_body>;

static const std::set<std::string, std::less<>> kBracketOrigins = {
    "https://brackets.example.gg",
    "https://www.brackets.example.gg",
};

static bool origin_allowed(const Request &req) {
  auto origin = req[http::field::origin];
  return kBracketOrigins.find(std::string_view(origin.data(), origin.size())) != kBracketOrigins.end();
}

static void fail(beast::error_code ec, const char *what) {
  std::cerr << "[brackets] " << what << ": " << ec.message() << "\n";
}

static json bracket_snapshot(int tournament_id) {
  return {{"tournament", tournament_id},
          {"round", 3},
          {"matches", json::array({{{"a", "Team Nova"}, {"b", "Kraken"}, {"score", "2-1"}}})}};
}

// Public bracket page: callback-driven session.
class BracketViewer : public std::enable_shared_from_this<BracketViewer> {
public:
  explicit BracketViewer(tcp::socket sock) : ws_(std::move(sock)) {}

  void run() {
    http::async_read(ws_.next_layer(), buf_, req_,
                     beast::bind_front_handler(&BracketViewer::on_request, shared_from_this()));
  }

private:
  void on_request(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "read request");
    if (!websocket::is_upgrade(req_)) return;
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(req_, beast::bind_front_handler(&BracketViewer::on_accept, shared_from_this())); // expect: errorshield-ws-handshake-origin
  }

  void on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "accept");
    out_ = bracket_snapshot(42).dump();
    ws_.async_write(net::buffer(out_), [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  Request req_;
  std::string out_;
};

// Team captain check-in: same flow, but browsers from other sites are refused.
class CaptainCheckin : public std::enable_shared_from_this<CaptainCheckin> {
public:
  explicit CaptainCheckin(tcp::socket sock) : ws_(std::move(sock)) {}

  void run() {
    http::async_read(ws_.next_layer(), buf_, req_,
                     beast::bind_front_handler(&CaptainCheckin::on_request, shared_from_this()));
  }

private:
  void on_request(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "read request");
    if (!websocket::is_upgrade(req_) || !origin_allowed(req_)) {
      http::response<http::string_body> res{http::status::forbidden, req_.version()};
      res.body() = "origin not allowed";
      res.prepare_payload();
      beast::error_code wec;
      http::write(ws_.next_layer(), res, wec);
      return;
    }
    ws_.async_accept(req_, beast::bind_front_handler(&CaptainCheckin::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "accept");
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  Request req_;
};

// Spectator overlay used by streaming software; coroutine style.
net::awaitable<void> spectator_overlay(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_accept(net::use_awaitable); // expect: errorshield-ws-handshake-origin
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    buf.consume(buf.size());
    co_await ws.async_write(net::buffer(bracket_snapshot(42).dump()), net::use_awaitable);
  }
}

// Caster desk overlay: reads the upgrade request first and filters on Origin.
net::awaitable<void> caster_overlay(tcp::socket sock) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  Request req;
  co_await http::async_read(stream, buf, req, net::use_awaitable);
  auto origin = req[http::field::origin];
  if (origin != "https://casters.example.gg") {
    stream.socket().shutdown(tcp::socket::shutdown_both);
    co_return;
  }
  websocket::stream<beast::tcp_stream> ws(std::move(stream));
  co_await ws.async_accept(req, net::use_awaitable);
  co_await ws.async_write(net::buffer(bracket_snapshot(7).dump()), net::use_awaitable);
}

// Referee tablets on the venue LAN (synchronous, one thread per tablet bank).
void referee_tablet(tcp::socket sock) {
  beast::flat_buffer buf;
  Request req;
  http::read(sock, buf, req);
  std::cout << "[ref] tablet connecting from origin " << req[http::field::origin] << "\n";
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept(req); // expect: errorshield-ws-handshake-origin
  ws.text(true);
  ws.write(net::buffer(std::string(R"({"hello":"ref"})")));
}

// Tournament admin panel: explicit lookup of the Origin header.
void admin_panel(tcp::socket sock) {
  beast::flat_buffer buf;
  Request req;
  http::read(sock, buf, req);
  auto it = req.find(http::field::origin);
  if (it == req.end() || it->value() != "https://admin.example.gg") {
    http::response<http::empty_body> res{http::status::forbidden, req.version()};
    http::write(sock, res);
    return;
  }
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept(req);
  ws.write(net::buffer(std::string(R"({"hello":"admin"})")));
}

// Shared bracket push channel, instantiated for plain TCP and for TLS.
template <class NextLayer>
class BracketPush {
public:
  explicit BracketPush(NextLayer next) : ws_(std::move(next)) {}

  template <class Handler>
  void accept(const Request &req, Handler &&done) {
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type &res) {
      res.set(http::field::server, "bracket-push/2.4");
    }));
    ws_.async_accept(req, std::forward<Handler>(done)); // expect: errorshield-ws-handshake-origin
  }

  websocket::stream<NextLayer> &stream() { return ws_; }

private:
  websocket::stream<NextLayer> ws_;
};

// Legacy results importer on a stackful coroutine.
void results_importer(tcp::socket sock, net::yield_context yield) {
  beast::error_code ec;
  beast::flat_buffer buf;
  Request req;
  http::async_read(sock, buf, req, yield[ec]);
  if (ec) return fail(ec, "importer read");
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.async_accept(req, yield[ec]); // expect: errorshield-ws-handshake-origin
  if (ec) return fail(ec, "importer accept");
  ws.async_read(buf, yield[ec]);
}

// Sponsor ticker: stackful too, but checks the browser origin first.
void sponsor_ticker(tcp::socket sock, net::yield_context yield) {
  beast::error_code ec;
  beast::flat_buffer buf;
  Request req;
  http::async_read(sock, buf, req, yield[ec]);
  if (ec) return fail(ec, "ticker read");
  if (!origin_allowed(req)) return;
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.async_accept(req, yield[ec]);
  if (ec) return fail(ec, "ticker accept");
}

// Outbound link to the league's central results hub (we are the client here).
void connect_league_hub(net::io_context &ioc) {
  tcp::resolver resolver(ioc);
  websocket::stream<tcp::socket> ws(ioc);
  net::connect(ws.next_layer(), resolver.resolve("hub.league.example", "443"));
  ws.handshake("hub.league.example", "/v1/results");
  ws.write(net::buffer(bracket_snapshot(42).dump()));
}

int main() {
  net::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 8088});
  tcp::socket sock = acc.accept();
  BracketPush<tcp::socket> push(std::move(sock));
  Request req;
  push.accept(req, [](beast::error_code ec) { if (ec) fail(ec, "push accept"); });
  net::co_spawn(ioc, spectator_overlay(tcp::socket(ioc)), net::detached);
  net::co_spawn(ioc, caster_overlay(tcp::socket(ioc)), net::detached);
  std::make_shared<BracketViewer>(tcp::socket(ioc))->run();
  std::make_shared<CaptainCheckin>(tcp::socket(ioc))->run();
  ioc.run();
}
