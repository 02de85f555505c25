// checks: errorshield-ws-handshake-origin
// Live sports scoreboard: fans' browsers, press-box tablets and stadium
// displays subscribe to score/clock updates over WebSocket.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace scoreboard {

using Request = http::request<http::string_body>;

struct ScoreState {
  std::mutex mu;
  json snapshot = json::object();
};

struct ServerConfig {
  std::unordered_set<std::string> allowed_origins{"https://live.example-league.com",
                                                 "https://m.example-league.com"};
  bool allow_stadium_lan = true;
};

inline bool origin_whitelisted(ServerConfig const &cfg, Request const &req) {
  auto it = req.find(http::field::origin);
  if (it == req.end())
    return false;
  return cfg.allowed_origins.count(std::string(it->value())) != 0;
}

inline void send_forbidden(beast::tcp_stream &stream, Request const &req) {
  http::response<http::string_body> res{http::status::forbidden, req.version()};
  res.body() = "forbidden";
  res.prepare_payload();
  res.keep_alive(false);
  beast::error_code ec;
  http::write(stream, res, ec);
}

// Main fan session: browser clients at /live/<match-id>.
class FanSession : public std::enable_shared_from_this<FanSession> {
public:
  FanSession(beast::tcp_stream stream, ServerConfig const &cfg, ScoreState &state)
      : ws_(std::move(stream)), cfg_(cfg), state_(state) {}

  void upgrade(Request req) {
    req_ = std::move(req);
    auto origin = std::string(req_[http::field::origin]);
    if (cfg_.allowed_origins.find(origin) == cfg_.allowed_origins.end()) {
      send_forbidden(ws_.next_layer(), req_);
      return;
    }
    ws_.async_accept(req_, beast::bind_front_handler(&FanSession::on_accept, shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    {
      std::lock_guard lk(state_.mu);
      out_ = state_.snapshot.dump();
    }
    ws_.async_write(net::buffer(out_), [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  websocket::stream<beast::tcp_stream> ws_;
  ServerConfig const &cfg_;
  ScoreState &state_;
  Request req_;
  std::string out_;
};

// Press-box tablets; generic over the transport so the TLS build can reuse it.
template <class NextLayer>
class PressBoxSession : public std::enable_shared_from_this<PressBoxSession<NextLayer>> {
public:
  explicit PressBoxSession(NextLayer next) : ws_(std::move(next)) {}

  void upgrade(Request req) {
    req_ = std::move(req);
    if (req_[http::field::origin].empty()) {
      std::clog << "press box upgrade without Origin header, dropping\n";
      return;
    }
    ws_.async_accept(req_, [self = this->shared_from_this()](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
      if (!ec)
        self->start_feed();
    });
  }

private:
  void start_feed() { std::clog << "press box feed for " << req_.target() << '\n'; }

  websocket::stream<NextLayer> ws_;
  Request req_;
};

// Stadium LED ribbons on the venue LAN.
class StadiumDisplaySession : public std::enable_shared_from_this<StadiumDisplaySession> {
public:
  explicit StadiumDisplaySession(tcp::socket sock) : ws_(std::move(sock)) {}

  void run() {
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type &res) { res.set("X-Scoreboard-Role", "display"); }));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
      if (ec)
        std::clog << "display handshake: " << ec.message() << '\n';
    });
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
};

// HTTP front door: reads the upgrade request and dispatches by path prefix to
// a handler registered at startup.
class UpgradeRouter {
public:
  using Handler = std::function<void(beast::tcp_stream, Request)>;

  void add(std::string prefix, Handler h) { routes_.emplace(std::move(prefix), std::move(h)); }

  bool dispatch(beast::tcp_stream stream, Request req) {
    std::string target(req.target());
    for (auto &[prefix, handler] : routes_) {
      if (target.rfind(prefix, 0) == 0) {
        handler(std::move(stream), std::move(req));
        return true;
      }
    }
    return false;
  }

private:
  std::map<std::string, Handler> routes_;
};

struct ReplayConn {
  websocket::stream<beast::tcp_stream> ws;
  Request req;
  explicit ReplayConn(beast::tcp_stream s) : ws(std::move(s)) {}
};

void install_routes(UpgradeRouter &router, ServerConfig const &cfg, ScoreState &state) {
  router.add("/live/", [&cfg, &state](beast::tcp_stream stream, Request req) {
    std::make_shared<FanSession>(std::move(stream), cfg, state)->upgrade(std::move(req));
  });

  router.add("/press/", [](beast::tcp_stream stream, Request req) {
    if (req[http::field::authorization].empty()) {
      send_forbidden(stream, req);
      return;
    }
    std::make_shared<PressBoxSession<beast::tcp_stream>>(std::move(stream))->upgrade(std::move(req));
  });

  // Highlight replays: the clip player is embedded by broadcast partners.
  router.add("/replay/", [](beast::tcp_stream stream, Request req) {
    auto conn = std::make_shared<ReplayConn>(std::move(stream));
    conn->req = std::move(req);
    conn->ws.async_accept(conn->req, [conn](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
      if (!ec)
        std::clog << "replay viewer on " << conn->req.target() << '\n';
    });
  });

  router.add("/stats/", [&cfg](beast::tcp_stream stream, Request req) {
    auto conn = std::make_shared<ReplayConn>(std::move(stream));
    conn->req = std::move(req);
    if (!origin_whitelisted(cfg, conn->req)) {
      send_forbidden(conn->ws.next_layer(), conn->req);
    } else {
      conn->ws.async_accept(conn->req, [conn](beast::error_code) {});
    }
  });
}

// Sync admin port used by the league office to push corrections.
void serve_admin(net::io_context &ioc, ServerConfig const &cfg, ScoreState &state) {
  tcp::acceptor acceptor(ioc, {net::ip::make_address("127.0.0.1"), 8099});
  for (;;) {
    tcp::socket sock = acceptor.accept();
    beast::tcp_stream stream(std::move(sock));
    beast::flat_buffer buf;
    Request req;
    beast::error_code ec;
    http::read(stream, buf, req, ec);
    if (ec || !origin_whitelisted(cfg, req))
      continue;
    websocket::stream<beast::tcp_stream> ws(std::move(stream));
    ws.accept(req, ec);
    if (ec)
      continue;
    ws.read(buf, ec);
    if (!ec) {
      std::lock_guard lk(state.mu);
      state.snapshot.merge_patch(json::parse(beast::buffers_to_string(buf.data()), nullptr, false));
    }
  }
}

} // namespace scoreboard
