// checks: errorshield-ws-handshake-origin
// Hospital pager web portal: clinicians keep a browser tab open on the portal
// and receive pages (code blue, lab criticals, consult requests) over a
// WebSocket. Nurse-station kiosks use a slimmer legacy endpoint.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <utility>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace pager {

struct PortalConfig {
  std::unordered_set<std::string> allowed_origins;  // e.g. https://pager.stmarys.example
  std::string audit_log_path;
};

void audit(std::string_view event, std::string_view detail);
std::string session_user(const http::request<http::string_body>& req);

inline bool is_trusted_origin(const PortalConfig& cfg, const http::request<http::string_body>& req) {
  auto it = req.find(http::field::origin);
  if (it == req.end()) return false;
  return cfg.allowed_origins.count(std::string(it->value())) != 0;
}

class PagerSession : public std::enable_shared_from_this<PagerSession> {
 public:
  PagerSession(tcp::socket sock, const PortalConfig& cfg) : ws_(std::move(sock)), cfg_(cfg) {}

  void run() {
    http::async_read(ws_.next_layer(), buf_, req_,
                     beast::bind_front_handler(&PagerSession::on_request, shared_from_this()));
  }

 private:
  void on_request(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "read");
    if (!websocket::is_upgrade(req_)) return reject(http::status::bad_request, "websocket only");

    if (req_.target() == "/ws/kiosk") {
      // Kiosks on the ward network predate the portal login.
      ws_.async_accept(req_, beast::bind_front_handler(&PagerSession::on_accept, shared_from_this()));  // expect: errorshield-ws-handshake-origin
      return;
    }

    if (cfg_.allowed_origins.empty()) {
      // Allow-list not loaded yet (config service restarting): fail open so
      // nobody misses a code blue during a deploy.
      audit("origin_list_empty", req_.target());
      ws_.async_accept(req_, beast::bind_front_handler(&PagerSession::on_accept, shared_from_this()));  // expect: errorshield-ws-handshake-origin
      return;
    }

    const std::string origin(req_[http::field::origin]);
    if (cfg_.allowed_origins.count(origin) == 0) {
      audit("origin_rejected", origin);
      return reject(http::status::forbidden, "origin not allowed");
    }

    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(http::field::server, "stmarys-pager/3.2");
    }));
    ws_.async_accept(req_, beast::bind_front_handler(&PagerSession::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "accept");
    json hello{{"type", "hello"}, {"user", session_user(req_)}};
    out_ = hello.dump();
    ws_.async_write(net::buffer(out_), [self = shared_from_this()](beast::error_code e, std::size_t) {
      if (e) self->fail(e, "hello");
    });
  }

  void reject(http::status st, std::string_view why) {
    auto res = std::make_shared<http::response<http::string_body>>(st, req_.version());
    res->set(http::field::content_type, "text/plain");
    res->body() = std::string(why);
    res->prepare_payload();
    http::async_write(ws_.next_layer(), *res, [self = shared_from_this(), res](beast::error_code, std::size_t) {
      beast::error_code ignored;
      self->ws_.next_layer().socket().shutdown(tcp::socket::shutdown_send, ignored);
    });
  }

  void fail(beast::error_code ec, const char* what) { std::fprintf(stderr, "pager %s: %s\n", what, ec.message().c_str()); }

  websocket::stream<beast::tcp_stream> ws_;
  const PortalConfig& cfg_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  std::string out_;
};

// Escalation console for the switchboard operators.
class EscalationSession : public std::enable_shared_from_this<EscalationSession> {
 public:
  EscalationSession(tcp::socket sock, const PortalConfig& cfg) : ws_(std::move(sock)), cfg_(cfg) {}

  void on_request(http::request<http::string_body> req) {
    req_ = std::move(req);
    // OK: trusted-origin helper decides before the handshake.
    if (!is_trusted_origin(cfg_, req_)) {
      audit("escalation_origin_rejected", req_[http::field::origin]);
      return;
    }
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->start_feed();
    });
  }

  void on_request_audited(http::request<http::string_body> req) {
    req_ = std::move(req);
    // Origin recorded for the compliance trail.
    audit("escalation_connect", std::string(req_[http::field::origin]) + " user=" + session_user(req_));
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) {  // expect: errorshield-ws-handshake-origin
      if (!ec) self->start_feed();
    });
  }

 private:
  void start_feed() {}

  websocket::stream<beast::tcp_stream> ws_;
  const PortalConfig& cfg_;
  http::request<http::string_body> req_;
};

// Coroutine endpoint for the mobile web app; subprotocol selects JSON v2.
net::awaitable<void> mobile_endpoint(tcp::socket sock, const PortalConfig& cfg) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await http::async_read(ws.next_layer(), buf, req, net::use_awaitable);

  if (req[http::field::sec_websocket_protocol] != "pager.v2") {
    co_return;
  }
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(http::field::sec_websocket_protocol, "pager.v2");
  }));
  co_await ws.async_accept(req, net::use_awaitable);  // expect: errorshield-ws-handshake-origin
  (void)cfg;
}

// OK: same endpoint, origin checked first.
net::awaitable<void> mobile_endpoint_checked(tcp::socket sock, const PortalConfig& cfg) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await http::async_read(ws.next_layer(), buf, req, net::use_awaitable);

  if (!is_trusted_origin(cfg, req)) co_return;
  co_await ws.async_accept(req, net::use_awaitable);
}

// Nurse-station kiosk bridge: one blocking thread per ward display.
void kiosk_bridge(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept();  // expect: errorshield-ws-handshake-origin
  beast::flat_buffer b;
  beast::error_code ec;
  ws.read(b, ec);
}

// OK: sync variant used by the paging integration tests' fake portal, with
// an explicit allow-list check before accepting.
void kiosk_bridge_checked(tcp::socket sock, const PortalConfig& cfg) {
  beast::flat_buffer b;
  http::request<http::string_body> req;
  http::read(sock, b, req);
  if (!is_trusted_origin(cfg, req)) return;
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept(req);
}

// Listener: these are TCP accepts, not WebSocket handshakes.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& ioc, tcp::endpoint ep, const PortalConfig& cfg) : ioc_(ioc), acceptor_(ioc, ep), cfg_(cfg) {}

  void accept_next() {
    acceptor_.async_accept(net::make_strand(ioc_), [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<PagerSession>(std::move(s), self->cfg_)->run();
      self->accept_next();
    });
  }

  void accept_mobile(tcp::acceptor& mobile) {
    mobile.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket s) {
      if (ec) return;
      net::co_spawn(self->ioc_, mobile_endpoint_checked(std::move(s), self->cfg_), net::detached);
    });
  }

 private:
  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  const PortalConfig& cfg_;
};

}  // namespace pager
