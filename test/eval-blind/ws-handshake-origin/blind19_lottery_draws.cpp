// checks: errorshield-ws-handshake-origin
// Live lottery draw feed: certified draw results fanned out to the public
// website, the jackpot ticker, retail terminals and the broadcast studio.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using Request = http::request<http::string_body>;

// ------------------------------------------------------------------ ledger
struct DrawResult {
  std::string game;
  std::int64_t draw_no = 0;
  std::vector<int> balls;
  int bonus = 0;
};

class DrawLedger {
 public:
  void publish(DrawResult r) {
    std::lock_guard lock(mu_);
    latest_[r.game] = std::move(r);
  }
  json latest(const std::string& game) const {
    std::lock_guard lock(mu_);
    auto it = latest_.find(game);
    if (it == latest_.end()) return json{{"game", game}, {"status", "pending"}};
    const auto& r = it->second;
    return json{{"game", r.game}, {"draw", r.draw_no}, {"balls", r.balls}, {"bonus", r.bonus}};
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, DrawResult> latest_;
};

class AuditLog {
 public:
  void record(std::string_view endpoint, std::string_view origin, bool trusted) {
    std::lock_guard lock(mu_);
    std::clog << "[audit] " << endpoint << " origin=" << origin << " trusted=" << trusted << '\n';
  }

 private:
  std::mutex mu_;
};

// ------------------------------------------------------------------ origins
constexpr std::array<std::string_view, 3> kBrowserOrigins{
    "https://draws.statelottery.example", "https://www.statelottery.example", "https://tv.statelottery.example"};

bool is_trusted_origin(std::string_view origin) {
  return std::ranges::find(kBrowserOrigins, origin) != kBrowserOrigins.end();
}

template <class Stream>
void reject_forbidden(Stream& stream, const Request& req) {
  http::response<http::string_body> res{http::status::forbidden, req.version()};
  res.body() = "forbidden";
  res.prepare_payload();
  beast::error_code ec;
  http::write(stream, res, ec);
}

// ----------------------------------------------------- session base (CRTP)
template <class Derived>
class DrawSessionBase : public std::enable_shared_from_this<Derived> {
 public:
  explicit DrawSessionBase(DrawLedger& ledger) : ledger_(ledger) {}

  void on_accept(beast::error_code ec) {
    if (ec) return;
    derived().ws().text(true);
    do_read();
  }

 protected:
  Derived& derived() { return static_cast<Derived&>(*this); }

  void do_read() {
    derived().ws().async_read(in_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      auto msg = json::parse(beast::buffers_to_string(self->in_.data()), nullptr, false);
      self->in_.consume(self->in_.size());
      self->out_ = self->ledger_.latest(msg.is_object() ? msg.value("game", "") : "").dump();
      self->ws().async_write(net::buffer(self->out_), [self](beast::error_code wec, std::size_t) {
        if (!wec) self->do_read();
      });
    });
  }

  DrawLedger& ledger_;
  beast::flat_buffer in_;
  std::string out_;
};

class PlainDrawSession : public DrawSessionBase<PlainDrawSession> {
 public:
  PlainDrawSession(beast::tcp_stream&& stream, DrawLedger& ledger)
      : DrawSessionBase(ledger), ws_(std::move(stream)) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(2048);
  }
  websocket::stream<beast::tcp_stream>& ws() { return ws_; }

  void start(const Request& req) {
    if (!is_trusted_origin(req[http::field::origin])) {
      reject_forbidden(ws_.next_layer(), req);
      return;
    }
    ws_.async_accept(req, beast::bind_front_handler(&PlainDrawSession::on_accept, shared_from_this()));
  }

 private:
  websocket::stream<beast::tcp_stream> ws_;
};

// Same feed behind TLS for the public website.
class TlsDrawSession : public DrawSessionBase<TlsDrawSession> {
 public:
  TlsDrawSession(tcp::socket&& socket, ssl::context& tls, DrawLedger& ledger)
      : DrawSessionBase(ledger), ws_(std::move(socket), tls) {}
  websocket::stream<beast::ssl_stream<beast::tcp_stream>>& ws() { return ws_; }

  void run() {
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(30));
    ws_.next_layer().async_handshake(ssl::stream_base::server,
                                     beast::bind_front_handler(&TlsDrawSession::on_tls, shared_from_this()));
  }

 private:
  void on_tls(beast::error_code ec) {
    if (ec) return;
    http::async_read(ws_.next_layer(), buffer_, req_,
                     beast::bind_front_handler(&TlsDrawSession::on_request, shared_from_this()));
  }
  void on_request(beast::error_code ec, std::size_t) {
    if (ec || !websocket::is_upgrade(req_)) return;
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(2048);
    ws_.async_accept(req_, beast::bind_front_handler(&TlsDrawSession::on_accept, shared_from_this()));  // expect: errorshield-ws-handshake-origin
  }

  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws_;
  beast::flat_buffer buffer_;
  Request req_;
};

// -------------------------------------------------------- endpoint registry
class Endpoint {
 public:
  explicit Endpoint(DrawLedger& ledger, AuditLog& audit) : ledger_(ledger), audit_(audit) {}
  virtual ~Endpoint() = default;
  virtual std::string_view path() const = 0;
  virtual void upgrade(beast::tcp_stream stream, Request req) = 0;

 protected:
  DrawLedger& ledger_;
  AuditLog& audit_;
};

class ResultsEndpoint final : public Endpoint {
 public:
  using Endpoint::Endpoint;
  std::string_view path() const override { return "/ws/results"; }
  void upgrade(beast::tcp_stream stream, Request req) override {
    auto origin = req[http::field::origin];
    audit_.record(path(), origin, is_trusted_origin(origin));
    if (!is_trusted_origin(origin)) return reject_forbidden(stream, req);
    auto session = std::make_shared<PlainDrawSession>(std::move(stream), ledger_);
    session->ws().async_accept(req, beast::bind_front_handler(&PlainDrawSession::on_accept, session));
  }
};

class JackpotTickerEndpoint final : public Endpoint {
 public:
  using Endpoint::Endpoint;
  std::string_view path() const override { return "/ws/jackpot"; }
  void upgrade(beast::tcp_stream stream, Request req) override {
    const std::string origin(req[http::field::origin]);
    const bool trusted = is_trusted_origin(origin);
    audit_.record(path(), origin, trusted);
    auto session = std::make_shared<PlainDrawSession>(std::move(stream), ledger_);
    session->ws().async_accept(req, beast::bind_front_handler(&PlainDrawSession::on_accept, session));  // expect: errorshield-ws-handshake-origin
  }
};

class WinnerWallEndpoint final : public Endpoint {
 public:
  using Endpoint::Endpoint;
  std::string_view path() const override { return "/ws/winners"; }
  void upgrade(beast::tcp_stream stream, Request req) override {
    if (req.find(http::field::origin) == req.end()) return reject_forbidden(stream, req);
    auto session = std::make_shared<PlainDrawSession>(std::move(stream), ledger_);
    session->ws().async_accept(req, beast::bind_front_handler(&PlainDrawSession::on_accept, session));  // expect: errorshield-ws-handshake-origin
  }
};

// Companion app: no Origin from the native client, browser pages must be ours.
class AppEndpoint final : public Endpoint {
 public:
  using Endpoint::Endpoint;
  std::string_view path() const override { return "/ws/app"; }
  void upgrade(beast::tcp_stream stream, Request req) override {
    auto it = req.find(http::field::origin);
    if (it != req.end() && !is_trusted_origin(it->value())) return reject_forbidden(stream, req);
    auto session = std::make_shared<PlainDrawSession>(std::move(stream), ledger_);
    session->ws().async_accept(req, beast::bind_front_handler(&PlainDrawSession::on_accept, session));
  }
};

// ----------------------------------------------- retail terminals (blocking)
void serve_terminal(tcp::socket socket, DrawLedger& ledger) {
  beast::error_code ec;
  websocket::stream<tcp::socket> ws(std::move(socket));
  ws.read_message_max(1024);
  ws.accept(ec);  // expect: errorshield-ws-handshake-origin
  if (ec) return;
  beast::flat_buffer buf;
  for (;;) {
    ws.read(buf, ec);
    if (ec) return;
    auto game = beast::buffers_to_string(buf.data());
    buf.consume(buf.size());
    ws.write(net::buffer(ledger.latest(game).dump()), ec);
    if (ec) return;
  }
}

void serve_audit_replay(tcp::socket socket, DrawLedger& ledger) {
  beast::error_code ec;
  beast::flat_buffer buf;
  Request req;
  http::read(socket, buf, req, ec);
  if (ec || !websocket::is_upgrade(req)) return;
  if (!is_trusted_origin(req[http::field::origin])) return reject_forbidden(socket, req);
  websocket::stream<tcp::socket> ws(std::move(socket));
  ws.accept(req, ec);
  if (ec) return;
  ws.write(net::buffer(ledger.latest(std::string(req.target().substr(1))).dump()), ec);
}

// ------------------------------------------------------- studio coroutines
template <class NextLayer>
net::awaitable<void> run_studio_feed(websocket::stream<NextLayer>& ws, Request req, DrawLedger& ledger) {
  ws.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, "draw-studio"); }));
  co_await ws.async_accept(req, net::use_awaitable);  // expect: errorshield-ws-handshake-origin
  co_await ws.async_write(net::buffer(ledger.latest("powerball").dump()), net::use_awaitable);
}

template <class NextLayer>
net::awaitable<bool> accept_if_trusted(websocket::stream<NextLayer>& ws, const Request& req) {
  if (!is_trusted_origin(req[http::field::origin])) co_return false;
  co_await ws.async_accept(req, net::use_awaitable);
  co_return true;
}

net::awaitable<void> studio_session(tcp::socket socket, DrawLedger& ledger, bool press_room) {
  beast::flat_buffer buf;
  Request req;
  co_await http::async_read(socket, buf, req, net::use_awaitable);
  websocket::stream<tcp::socket> ws(std::move(socket));
  if (press_room) {
    co_await run_studio_feed(ws, std::move(req), ledger);
    co_return;
  }
  if (!co_await accept_if_trusted(ws, req)) co_return;
  co_await ws.async_write(net::buffer(ledger.latest("megamillions").dump()), net::use_awaitable);
}

net::awaitable<void> studio_listener(tcp::acceptor acceptor, DrawLedger& ledger, bool press_room) {
  for (;;) {
    auto socket = co_await acceptor.async_accept(net::use_awaitable);
    net::co_spawn(acceptor.get_executor(), studio_session(std::move(socket), ledger, press_room), net::detached);
  }
}

// ---------------------------------------------- draw machine uplink (client)
net::awaitable<void> follow_draw_machine(std::string host, DrawLedger& ledger) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver(ex);
  websocket::stream<beast::tcp_stream> ws(ex);
  co_await beast::get_lowest_layer(ws).async_connect(co_await resolver.async_resolve(host, "9443", net::use_awaitable),
                                                     net::use_awaitable);
  co_await ws.async_handshake(host, "/rng/draws", net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    auto j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (!j.is_object()) continue;
    ledger.publish({j.value("game", ""), j.value("draw", std::int64_t{0}), j.value("balls", std::vector<int>{}),
                    j.value("bonus", 0)});
  }
}

// ------------------------------------------------------------------ main
class Router : public std::enable_shared_from_this<Router> {
 public:
  Router(net::io_context& ioc, DrawLedger& ledger, AuditLog& audit) : acceptor_(ioc, {tcp::v4(), 8443}) {
    endpoints_.push_back(std::make_unique<ResultsEndpoint>(ledger, audit));
    endpoints_.push_back(std::make_unique<JackpotTickerEndpoint>(ledger, audit));
    endpoints_.push_back(std::make_unique<WinnerWallEndpoint>(ledger, audit));
    endpoints_.push_back(std::make_unique<AppEndpoint>(ledger, audit));
  }
  net::awaitable<void> run() {
    for (;;) {
      beast::tcp_stream stream(co_await acceptor_.async_accept(net::use_awaitable));
      beast::flat_buffer buf;
      Request req;
      co_await http::async_read(stream, buf, req, net::use_awaitable);
      for (auto& ep : endpoints_)
        if (req.target() == ep->path()) {
          ep->upgrade(std::move(stream), std::move(req));
          break;
        }
    }
  }

 private:
  tcp::acceptor acceptor_;
  std::vector<std::unique_ptr<Endpoint>> endpoints_;
};

int main() {
  net::io_context ioc;
  net::thread_pool terminal_pool(4);
  DrawLedger ledger;
  AuditLog audit;
  ssl::context tls(ssl::context::tls_server);

  auto router = std::make_shared<Router>(ioc, ledger, audit);
  net::co_spawn(ioc, router->run(), net::detached);
  net::co_spawn(ioc, follow_draw_machine("rng.drawhall.example", ledger), net::detached);

  tcp::acceptor terminals(ioc, {tcp::v4(), 9000});
  std::function<void()> accept_terminal = [&] {
    terminals.async_accept([&](beast::error_code ec, tcp::socket s) {
      if (!ec)
        net::post(terminal_pool, [s = std::move(s), &ledger]() mutable { serve_terminal(std::move(s), ledger); });
      accept_terminal();
    });
  };
  accept_terminal();

  tcp::acceptor tls_acceptor(ioc, {tcp::v4(), 443});
  std::function<void()> accept_tls = [&] {
    tls_acceptor.async_accept([&](beast::error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<TlsDrawSession>(std::move(s), tls, ledger)->run();
      accept_tls();
    });
  };
  accept_tls();

  net::co_spawn(ioc, studio_listener(tcp::acceptor(ioc, {tcp::v4(), 9100}), ledger, false), net::detached);
  net::co_spawn(ioc, studio_listener(tcp::acceptor(ioc, {tcp::v4(), 9101}), ledger, true), net::detached);

  tcp::acceptor replay(ioc, {tcp::v4(), 9200});
  replay.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec) net::post(terminal_pool, [s = std::move(s), &ledger]() mutable { serve_audit_replay(std::move(s), ledger); });
  });

  ioc.run();
  terminal_pool.join();
}
