// checks: errorshield-ws-handshake-origin
// Print shop job queue: front-desk browsers, the customer status page and the
// RIP workstations subscribe to queue updates over WebSocket.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace printshop {

using Request = http::request<http::string_body>;

struct OriginPolicy {
  std::set<std::string, std::less<>> allowed;

  bool permits(std::string_view origin) const { return allowed.find(origin) != allowed.end(); }
};

OriginPolicy load_origin_policy(const std::string& path);
void log_warn(std::string_view msg);
void lookup_operator(std::string_view badge, std::function<void(bool ok)> done);

template <class Stream>
void reject(Stream& stream, const Request& req, http::status st) {
  http::response<http::string_body> res{st, req.version()};
  res.set(http::field::content_type, "text/plain");
  res.body() = "origin not allowed";
  res.prepare_payload();
  beast::error_code ec;
  http::write(stream, res, ec);
}

class QueueSession : public std::enable_shared_from_this<QueueSession> {
public:
  QueueSession(tcp::socket s, const OriginPolicy& policy)
      : ws_(std::move(s)), policy_(policy) {}

  void start() {
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(15));
    http::async_read(ws_.next_layer(), buf_, req_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec) self->on_request();
                     });
  }

private:
  bool origin_ok() const {
    auto it = req_.find(http::field::origin);
    if (it == req_.end()) return false;
    return policy_.permits(it->value());
  }

  void on_request() {
    if (!websocket::is_upgrade(req_)) {
      reject(ws_.next_layer(), req_, http::status::upgrade_required);
      return;
    }
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));

    if (policy_.allowed.empty()) {
      // Config failed to load at startup; keep the shop running.
      ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
        if (!ec) self->on_open();
      });
      return;
    }

    const auto target = req_.target();
    if (target == "/queue/desk") {
      if (!origin_ok()) {
        reject(ws_.next_layer(), req_, http::status::forbidden);
        return;
      }
      ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) {
        if (!ec) self->on_open();
      });
    } else if (target == "/queue/customer") {
      bool allowed = origin_ok();
      if (!allowed) log_warn("customer page connected from an unknown origin");
      ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
        if (!ec) self->on_open();
      });
    } else if (target == "/queue/operator") {
      // Badge lookup hits the staff directory; finish the handshake afterwards.
      std::string badge(req_["X-Badge"]);
      auto finish = [self = shared_from_this()] {
        self->ws_.async_accept(self->req_, [self](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
          if (!ec) self->on_open();
        });
      };
      lookup_operator(badge, [self = shared_from_this(), finish](bool ok) {
        if (ok) finish();
      });
    } else {
      reject(ws_.next_layer(), req_, http::status::not_found);
    }
  }

  void on_open() {
    json hello = {{"type", "hello"}, {"queue_depth", 0}};
    out_ = hello.dump();
    ws_.text(true);
    ws_.async_write(net::buffer(out_), [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  websocket::stream<beast::tcp_stream> ws_;
  const OriginPolicy& policy_;
  beast::flat_buffer buf_;
  Request req_;
  std::string out_;
};

// RIP workstations on the shop LAN use the older, simpler endpoint that lets
// Beast read the upgrade request itself.
class RipLink : public std::enable_shared_from_this<RipLink> {
public:
  explicit RipLink(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(http::field::server, "printshop-queue/2.3");
    }));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
      if (!ec) self->read_loop();
    });
  }

private:
  void read_loop() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->buf_.consume(self->buf_.size());
      self->read_loop();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
};

// Admin console: handled on a small worker pool with blocking calls.
inline void serve_admin(tcp::socket sock, const OriginPolicy& policy) {
  beast::flat_buffer buf;
  Request req;
  beast::error_code ec;
  http::read(sock, buf, req, ec);
  if (ec || !websocket::is_upgrade(req)) return;

  auto origin = req[http::field::origin];
  if (origin.empty() || !policy.permits(origin)) {
    reject(sock, req, http::status::forbidden);
    return;
  }
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept(req, ec);
  if (ec) return;
  ws.text(true);
  ws.write(net::buffer(std::string(R"({"type":"admin_ready"})")), ec);
}

// Coroutine front door used by the new kiosk UI.
net::awaitable<void> kiosk_door(tcp::socket sock, const OriginPolicy& policy) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  Request req;
  co_await http::async_read(stream, buf, req, net::use_awaitable);
  if (!websocket::is_upgrade(req)) co_return;

  websocket::stream<beast::tcp_stream> ws(std::move(stream));
  const bool trusted = policy.permits(req[http::field::origin]);
  if (!trusted) {
    http::response<http::string_body> res{http::status::forbidden, req.version()};
    res.prepare_payload();
    co_await http::async_write(ws.next_layer(), res, net::use_awaitable);
    co_return;
  }
  co_await ws.async_accept(req, net::use_awaitable);

  for (;;) {
    buf.clear();
    co_await ws.async_read(buf, net::use_awaitable);
  }
}

// Outbound: the queue service subscribes to the shop's payment terminal feed.
net::awaitable<void> follow_payment_terminal(std::string host, std::string port) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver(ex);
  auto results = co_await resolver.async_resolve(host, port, net::use_awaitable);
  websocket::stream<beast::tcp_stream> ws(ex);
  co_await beast::get_lowest_layer(ws).async_connect(results, net::use_awaitable);
  ws.set_option(websocket::stream_base::decorator([](websocket::request_type& r) {
    r.set(http::field::origin, "https://queue.printshop.local");
  }));
  co_await ws.async_handshake(host, "/terminal/events", net::use_awaitable);
  beast::flat_buffer buf;
  co_await ws.async_read(buf, net::use_awaitable);
}

} // namespace printshop
