// checks: errorshield-ws-handshake-origin
// Ride queue-time service: live wait times pushed over WebSocket to the guest
// app, the park website, in-park kiosks, signage walls and the staff console.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using Request = http::request<http::string_body>;
using WsStream = websocket::stream<beast::tcp_stream>;

// ------------------------------------------------------------------ queue board
struct RideWait {
  std::string ride_id;
  int minutes = 0;
  bool open = true;
};

class QueueBoard {
 public:
  void update(const RideWait& w) {
    std::lock_guard lock(mu_);
    waits_[w.ride_id] = w;
  }
  json snapshot() const {
    std::lock_guard lock(mu_);
    json out = json::array();
    for (const auto& [id, w] : waits_)
      out.push_back({{"ride", id}, {"minutes", w.minutes}, {"open", w.open}});
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, RideWait> waits_;
};

// ---------------------------------------------------------------- origin policy
class OriginPolicy {
 public:
  explicit OriginPolicy(std::unordered_set<std::string> allowed) : allowed_(std::move(allowed)) {}
  bool allows(std::string_view origin) const { return allowed_.count(std::string(origin)) != 0; }

 private:
  std::unordered_set<std::string> allowed_;
};

bool origin_allowed(const Request& req, const OriginPolicy& policy) {
  auto it = req.find(http::field::origin);
  if (it == req.end()) return false;
  return policy.allows(it->value());
}

void log_line(std::string_view what, std::string_view detail) {
  std::clog << "[queues] " << what << ": " << detail << '\n';
}

void reject_forbidden(beast::tcp_stream stream, const Request& req) {
  struct Pending {
    Pending(beast::tcp_stream s, unsigned version)
        : stream(std::move(s)), res(http::status::forbidden, version) {}
    beast::tcp_stream stream;
    http::response<http::string_body> res;
  };
  auto p = std::make_shared<Pending>(std::move(stream), req.version());
  p->res.set(http::field::content_type, "text/plain");
  p->res.body() = "origin not allowed";
  p->res.prepare_payload();
  http::async_write(p->stream, p->res, [p](beast::error_code, std::size_t) {
    beast::error_code ignored;
    p->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  });
}

// -------------------------------------------------------------- wait-time feed
class WaitFeed : public std::enable_shared_from_this<WaitFeed> {
 public:
  WaitFeed(beast::tcp_stream&& stream, QueueBoard& board) : ws_(std::move(stream)), board_(board) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(4096);
  }
  WsStream& ws() { return ws_; }

  void on_accept(beast::error_code ec) {
    if (ec) return log_line("handshake", ec.message());
    push_snapshot();
  }

 private:
  void push_snapshot() {
    out_ = board_.snapshot().dump();
    ws_.text(true);
    ws_.async_write(net::buffer(out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return log_line("push", ec.message());
      self->timer_.expires_after(std::chrono::seconds(15));
      self->timer_.async_wait([self](beast::error_code tec) {
        if (!tec) self->push_snapshot();
      });
    });
  }

  WsStream ws_;
  QueueBoard& board_;
  net::steady_timer timer_{ws_.get_executor()};
  std::string out_;
};

// Accepts only when the caller's Origin is on the allow-list.
bool begin_feed(std::shared_ptr<WaitFeed> feed, const Request& req, const OriginPolicy& policy) {
  if (!origin_allowed(req, policy)) return false;
  feed->ws().async_accept(req, beast::bind_front_handler(&WaitFeed::on_accept, feed));
  return true;
}

// Printed park maps from 2019 still point at the v1 path.
void accept_legacy(std::shared_ptr<WaitFeed> feed, const Request& req) {
  feed->ws().set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, "queue-times/1"); }));
  feed->ws().async_accept(req, beast::bind_front_handler(&WaitFeed::on_accept, feed));  // expect: errorshield-ws-handshake-origin
}

// ------------------------------------------------------------------ router
using UpgradeHandler = std::function<void(beast::tcp_stream&&, const Request&)>;

struct ServiceContext {
  QueueBoard& board;
  const OriginPolicy& web_origins;
  const OriginPolicy& staff_origins;
  std::unordered_map<std::string, UpgradeHandler> extra_routes;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, ServiceContext& ctx) : stream_(std::move(socket)), ctx_(ctx) {}

  void run() {
    stream_.expires_after(std::chrono::seconds(20));
    http::async_read(stream_, buffer_, req_,
                     beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
  }

 private:
  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return log_line("http read", ec.message());
    if (!websocket::is_upgrade(req_)) return serve_snapshot();
    const std::string target(req_.target());
    if (target == "/ws/guest") return upgrade_guest();
    if (target == "/ws/app") return upgrade_app();
    if (target == "/ws/staff") return upgrade_staff();
    if (target == "/ws/embed") return upgrade_embed();
    if (target == "/v1/waits") {
      return accept_legacy(std::make_shared<WaitFeed>(std::move(stream_), ctx_.board), req_);
    }
    if (auto it = ctx_.extra_routes.find(target); it != ctx_.extra_routes.end())
      return it->second(std::move(stream_), req_);
    reject_forbidden(std::move(stream_), req_);
  }

  void upgrade_guest() {
    if (!origin_allowed(req_, ctx_.web_origins)) {
      log_line("guest upgrade refused", req_[http::field::origin]);
      return reject_forbidden(std::move(stream_), req_);
    }
    auto feed = std::make_shared<WaitFeed>(std::move(stream_), ctx_.board);
    feed->ws().async_accept(req_, beast::bind_front_handler(&WaitFeed::on_accept, feed));
  }

  void upgrade_app() {
    // The native app sends no Origin; any browser page does, and must be ours.
    if (req_.count(http::field::origin) != 0 && !ctx_.web_origins.allows(req_[http::field::origin]))
      return reject_forbidden(std::move(stream_), req_);
    auto feed = std::make_shared<WaitFeed>(std::move(stream_), ctx_.board);
    feed->ws().async_accept(req_, beast::bind_front_handler(&WaitFeed::on_accept, feed));
  }

  void upgrade_staff() {
    const auto origin = req_[http::field::origin];
    if (!ctx_.staff_origins.allows(origin)) {
      log_line("staff console from unexpected origin", origin);
    }
    auto feed = std::make_shared<WaitFeed>(std::move(stream_), ctx_.board);
    feed->ws().async_accept(req_, beast::bind_front_handler(&WaitFeed::on_accept, feed));  // expect: errorshield-ws-handshake-origin
  }

  void upgrade_embed() {
    auto feed = std::make_shared<WaitFeed>(std::move(stream_), ctx_.board);
    if (!begin_feed(feed, req_, ctx_.web_origins))
      log_line("embed upgrade refused", req_[http::field::origin]);
  }

  void serve_snapshot() {
    auto res = std::make_shared<http::response<http::string_body>>(http::status::ok, req_.version());
    res->set(http::field::content_type, "application/json");
    res->body() = ctx_.board.snapshot().dump();
    res->prepare_payload();
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code, std::size_t) {});
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  Request req_;
  ServiceContext& ctx_;
};

// ------------------------------------------------------------- listeners
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& ioc, tcp::endpoint ep, ServiceContext& ctx) : acceptor_(ioc, ep), ctx_(ctx) {}
  void run() { do_accept(); }

 private:
  void do_accept() {
    acceptor_.async_accept(net::make_strand(acceptor_.get_executor()),
                           beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (!ec) std::make_shared<HttpSession>(std::move(socket), ctx_)->run();
    do_accept();
  }
  tcp::acceptor acceptor_;
  ServiceContext& ctx_;
};

// In-park kiosks connect on their own port and speak WebSocket straight away.
class KioskListener : public std::enable_shared_from_this<KioskListener> {
 public:
  KioskListener(net::io_context& ioc, tcp::endpoint ep, QueueBoard& board) : acceptor_(ioc, ep), board_(board) {}
  void run() { do_accept(); }

 private:
  void do_accept() {
    acceptor_.async_accept(net::make_strand(acceptor_.get_executor()),
                           beast::bind_front_handler(&KioskListener::on_accept, shared_from_this()));
  }
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (!ec) {
      auto feed = std::make_shared<WaitFeed>(beast::tcp_stream(std::move(socket)), board_);
      feed->ws().async_accept(beast::bind_front_handler(&WaitFeed::on_accept, feed));  // expect: errorshield-ws-handshake-origin
    }
    do_accept();
  }
  tcp::acceptor acceptor_;
  QueueBoard& board_;
};

void install_extra_routes(ServiceContext& ctx) {
  ctx.extra_routes["/ws/partner"] = [&ctx](beast::tcp_stream&& stream, const Request& req) {
    if (!origin_allowed(req, ctx.web_origins)) return reject_forbidden(std::move(stream), req);
    auto feed = std::make_shared<WaitFeed>(std::move(stream), ctx.board);
    feed->ws().async_accept(req, beast::bind_front_handler(&WaitFeed::on_accept, feed));
  };
  ctx.extra_routes["/ws/ops"] = [&ctx](beast::tcp_stream&& stream, const Request& req) {
    log_line("ops wall connected", req[http::field::user_agent]);
    auto feed = std::make_shared<WaitFeed>(std::move(stream), ctx.board);
    feed->ws().async_accept(req, beast::bind_front_handler(&WaitFeed::on_accept, feed));  // expect: errorshield-ws-handshake-origin
  };
}

// ------------------------------------------------------- coroutine endpoints
net::awaitable<void> stream_board(WsStream& ws, QueueBoard& board) {
  net::steady_timer timer(ws.get_executor());
  for (;;) {
    co_await ws.async_write(net::buffer(board.snapshot().dump()), net::use_awaitable);
    timer.expires_after(std::chrono::seconds(10));
    co_await timer.async_wait(net::use_awaitable);
  }
}

net::awaitable<void> serve_signage(tcp::socket socket, QueueBoard& board, const OriginPolicy& policy) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  Request req;
  co_await http::async_read(stream, buffer, req, net::use_awaitable);
  if (!websocket::is_upgrade(req) || !origin_allowed(req, policy)) {
    reject_forbidden(std::move(stream), req);
    co_return;
  }
  WsStream ws(std::move(stream));
  co_await ws.async_accept(req, net::use_awaitable);
  co_await stream_board(ws, board);
}

net::awaitable<void> serve_queue_wall(tcp::socket socket, QueueBoard& board) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  Request req;
  co_await http::async_read(stream, buffer, req, net::use_awaitable);
  log_line("queue wall", req[http::field::origin]);
  WsStream ws(std::move(stream));
  co_await ws.async_accept(req, net::use_awaitable);  // expect: errorshield-ws-handshake-origin
  co_await stream_board(ws, board);
}

// Pulls ride status from the ride-control vendor (we are the client here).
net::awaitable<void> pull_ride_status(std::string host, std::string port, QueueBoard& board) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver(ex);
  WsStream ws(ex);
  auto results = co_await resolver.async_resolve(host, port, net::use_awaitable);
  co_await beast::get_lowest_layer(ws).async_connect(results, net::use_awaitable);
  co_await ws.async_handshake(host, "/v2/rides/status", net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    auto msg = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (msg.is_object() && msg.contains("ride"))
      board.update({msg["ride"].get<std::string>(), msg.value("minutes", 0), msg.value("open", true)});
  }
}

net::awaitable<void> signage_listener(tcp::acceptor acceptor, QueueBoard& board, const OriginPolicy& policy,
                                      bool internal_wall) {
  for (;;) {
    tcp::socket socket = co_await acceptor.async_accept(net::use_awaitable);
    if (internal_wall)
      net::co_spawn(acceptor.get_executor(), serve_queue_wall(std::move(socket), board), net::detached);
    else
      net::co_spawn(acceptor.get_executor(), serve_signage(std::move(socket), board, policy), net::detached);
  }
}

int main() {
  net::io_context ioc;
  QueueBoard board;
  OriginPolicy web({"https://waits.parkco.example", "https://www.parkco.example"});
  OriginPolicy staff({"https://ops.parkco.example"});
  ServiceContext ctx{board, web, staff, {}};
  install_extra_routes(ctx);

  std::make_shared<Listener>(ioc, tcp::endpoint{tcp::v4(), 8080}, ctx)->run();
  std::make_shared<KioskListener>(ioc, tcp::endpoint{tcp::v4(), 8081}, board)->run();
  net::co_spawn(ioc, signage_listener(tcp::acceptor(ioc, {tcp::v4(), 8082}), board, web, false), net::detached);
  net::co_spawn(ioc, signage_listener(tcp::acceptor(ioc, {tcp::v4(), 8083}), board, web, true), net::detached);
  net::co_spawn(ioc, pull_ride_status("ridectl.vendor.example", "443", board), net::detached);
  ioc.run();
}
