// checks: errorshield-ws-handshake-origin
// Marina berth booking service: skippers watch live berth availability and
// hold a berth from the booking page; the harbourmaster dashboard and the
// partner-marina widget get their own WebSocket feeds.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace marina {

using Request = http::request<http::string_body>;
using WsStream = websocket::stream<beast::tcp_stream>;

struct SiteConfig {
  std::vector<std::string> booking_origins{"https://book.harbourview.example", "https://m.harbourview.example"};
  std::vector<std::string> partner_origins;
};

bool valid_skipper_cookie(const Request& req);
json berth_snapshot(int pontoon);

inline bool origin_ok(const Request& req, const std::vector<std::string>& allowed) {
  const auto origin = req[http::field::origin];
  return std::any_of(allowed.begin(), allowed.end(), [&](const std::string& a) { return origin == a; });
}

class BookingSession : public std::enable_shared_from_this<BookingSession> {
 public:
  BookingSession(tcp::socket sock, const SiteConfig& cfg) : ws_(std::move(sock)), cfg_(cfg) {}

  WsStream ws_;

  void read_request() {
    http::async_read(ws_.next_layer(), buf_, req_,
                     beast::bind_front_handler(&BookingSession::on_request, shared_from_this()));
  }

  // OK: allow-list checked, then the handshake.
  void on_request(beast::error_code ec, std::size_t) {
    if (ec || !websocket::is_upgrade(req_)) return;
    if (!origin_ok(req_, cfg_.booking_origins)) return deny();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(req_, beast::bind_front_handler(&BookingSession::on_accept, shared_from_this()));
  }

  // Hold-a-berth flow: the handshake waits until the skipper's login cookie
  // has been validated against the auth service.
  void on_request_with_login(beast::error_code ec, std::size_t) {
    if (ec || !websocket::is_upgrade(req_)) return;
    pending_upgrade_ = [this] {
      ws_.async_accept(req_, beast::bind_front_handler(&BookingSession::on_accept, shared_from_this()));  // expect: errorshield-ws-handshake-origin
    };
    net::post(ws_.get_executor(), [self = shared_from_this()] {
      if (valid_skipper_cookie(self->req_) && self->pending_upgrade_) self->pending_upgrade_();
      else self->deny();
    });
  }

  // OK: deferred handshake, but the origin is vetted before it is armed.
  void on_request_with_login_v2(beast::error_code ec, std::size_t) {
    if (ec || !websocket::is_upgrade(req_)) return;
    if (!origin_ok(req_, cfg_.booking_origins)) return deny();
    pending_upgrade_ = [this] {
      ws_.async_accept(req_, beast::bind_front_handler(&BookingSession::on_accept, shared_from_this()));
    };
    net::post(ws_.get_executor(), [self = shared_from_this()] {
      if (valid_skipper_cookie(self->req_)) self->pending_upgrade_();
      else self->deny();
    });
  }

  void deny() {
    auto res = std::make_shared<http::response<http::string_body>>(http::status::forbidden, req_.version());
    res->body() = "forbidden";
    res->prepare_payload();
    http::async_write(ws_.next_layer(), *res, [res, self = shared_from_this()](beast::error_code, std::size_t) {
      self->ws_.next_layer().close();
    });
  }

  const Request& request() const { return req_; }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    out_ = berth_snapshot(0).dump();
    ws_.async_write(net::buffer(out_), [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  const SiteConfig& cfg_;
  beast::flat_buffer buf_;
  Request req_;
  std::string out_;
  std::function<void()> pending_upgrade_;
};

// Pontoon display boards on the dock: plain socket, handshake read by Beast.
class DockBoardSession : public std::enable_shared_from_this<DockBoardSession> {
 public:
  explicit DockBoardSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(beast::bind_front_handler(&DockBoardSession::on_accept, shared_from_this()));  // expect: errorshield-ws-handshake-origin
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) std::fprintf(stderr, "dock board: %s\n", ec.message().c_str());
  }
  WsStream ws_;
};

// Shared upgrade used by the partner-widget and the public availability feed.
template <class Body>
void upgrade_feed(WsStream& ws, const http::request<Body>& req, std::function<void(beast::error_code)> done) {
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(http::field::server, "harbourview-berths");
  }));
  ws.async_accept(req, std::move(done));  // expect: errorshield-ws-handshake-origin
}

// OK: sends the handshake only after the partner allow-list passes.
template <class Body>
void upgrade_partner(WsStream& ws, const http::request<Body>& req, const SiteConfig& cfg,
                     std::function<void(beast::error_code)> done) {
  if (!origin_ok(req, cfg.partner_origins)) {
    done(websocket::error::closed);
    return;
  }
  ws.async_accept(req, std::move(done));
}

// Harbourmaster dashboard: only reachable from the office LAN browser.
void harbourmaster_upgrade(const std::shared_ptr<BookingSession>& sess) {
  const Request& req = sess->request();
  if (req.find(http::field::origin) == req.end()) {
    sess->deny();
    return;
  }
  sess->ws_.async_accept(req, [sess](beast::error_code ec) {  // expect: errorshield-ws-handshake-origin
    if (ec) std::fprintf(stderr, "harbourmaster: %s\n", ec.message().c_str());
  });
}

// Coroutine for the tide/weather overlay on the booking map.
net::awaitable<void> overlay_feed(tcp::socket sock, const SiteConfig& cfg) {
  WsStream ws(std::move(sock));
  beast::flat_buffer buf;
  Request req;
  co_await http::async_read(ws.next_layer(), buf, req, net::use_awaitable);
  // OK: exact-match allow-list.
  if (!origin_ok(req, cfg.booking_origins)) co_return;
  co_await ws.async_accept(req, net::use_awaitable);
  for (int pontoon = 1; pontoon <= 6; ++pontoon) {
    std::string msg = berth_snapshot(pontoon).dump();
    co_await ws.async_write(net::buffer(msg), net::use_awaitable);
  }
}

// Public availability feed routed through the shared template helper.
void public_feed(tcp::socket sock, const SiteConfig& cfg, const Request& req) {
  auto ws = std::make_shared<WsStream>(std::move(sock));
  if (req.target() == "/ws/partner") {
    upgrade_partner(*ws, req, cfg, [ws](beast::error_code) {});
  } else {
    upgrade_feed(*ws, req, [ws](beast::error_code) {});
  }
}

// TCP side: these accepts hand out sockets; no WebSocket handshake here.
void accept_loop(net::io_context& ioc, tcp::acceptor& acc, const SiteConfig& cfg) {
  acc.async_accept(net::make_strand(ioc), [&ioc, &acc, &cfg](beast::error_code ec, tcp::socket s) {
    if (!ec) std::make_shared<BookingSession>(std::move(s), cfg)->read_request();
    accept_loop(ioc, acc, cfg);
  });
}

void accept_overlay(net::io_context& ioc, tcp::acceptor& acc, const SiteConfig& cfg) {
  tcp::socket s(ioc);
  acc.accept(s);
  net::co_spawn(ioc, overlay_feed(std::move(s), cfg), net::detached);
}

}  // namespace marina
