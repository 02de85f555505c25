// checks: errorshield-ws-handshake-origin
// Hospital bed-management board: ward dashboards (browsers on the intranet) subscribe to
// live bed occupancy, cleaning status and pending admissions over WebSocket.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace bedboard {

using Request = http::request<http::string_body>;
using WsStream = websocket::stream<beast::tcp_stream>;

// Built once at startup from config; read-only afterwards.
class OriginPolicy {
 public:
  explicit OriginPolicy(std::vector<std::string> allowed) : allowed_(allowed.begin(), allowed.end()) {}
  bool permits(std::string_view origin) const { return allowed_.count(std::string(origin)) != 0; }

 private:
  std::unordered_set<std::string> allowed_;
};

inline bool origin_ok(const Request& req, const OriginPolicy& policy) {
  auto it = req.find(http::field::origin);
  return it != req.end() && policy.permits(it->value());
}

struct OriginRejected : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline void require_origin(const Request& req, const OriginPolicy& policy) {
  if (!origin_ok(req, policy)) throw OriginRejected("origin not allowed: " + std::string(req[http::field::origin]));
}

inline void reject(std::shared_ptr<beast::tcp_stream> s, const Request& req) {
  auto res = std::make_shared<http::response<http::string_body>>(http::status::forbidden, req.version());
  res->set(http::field::content_type, "text/plain");
  res->body() = "origin not allowed\n";
  res->prepare_payload();
  http::async_write(*s, *res, [s, res](beast::error_code, std::size_t) {
    beast::error_code ec;
    s->socket().shutdown(tcp::socket::shutdown_send, ec);
  });
}

json snapshot_for_ward(std::string_view ward);

// Main ward board: occupancy per bed.
class WardBoardSession : public std::enable_shared_from_this<WardBoardSession> {
 public:
  WardBoardSession(beast::tcp_stream&& s, const OriginPolicy& p) : ws_(std::move(s)), policy_(p) {}

  void run(Request req) {
    if (!origin_ok(req, policy_)) {
      auto raw = std::make_shared<beast::tcp_stream>(std::move(ws_.next_layer()));
      reject(raw, req);
      return;
    }
    ward_ = std::string(req.target().substr(req.target().rfind('/') + 1));
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(req, beast::bind_front_handler(&WardBoardSession::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    auto snap = std::make_shared<std::string>(snapshot_for_ward(ward_).dump());
    ws_.text(true);
    ws_.async_write(net::buffer(*snap), [self = shared_from_this(), snap](beast::error_code, std::size_t) {});
  }

  WsStream ws_;
  const OriginPolicy& policy_;
  std::string ward_;
};

// Admissions queue for bed managers. Origin is "audited" but the upgrade goes ahead anyway.
class AdmissionsFeed : public std::enable_shared_from_this<AdmissionsFeed> {
 public:
  AdmissionsFeed(beast::tcp_stream&& s, const OriginPolicy& p) : ws_(std::move(s)), policy_(p) {}

  void run(Request req) {
    const bool trusted = origin_ok(req, policy_);
    if (!trusted)
      std::clog << "admissions: unexpected origin '" << req[http::field::origin] << "'\n";
    ws_.async_accept(req, [self = shared_from_this()](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
      if (!ec) self->subscribe();
    });
  }

 private:
  void subscribe() {}
  WsStream ws_;
  const OriginPolicy& policy_;
};

// Discharge planning view; this one lets Beast read the upgrade request itself.
class DischargeFeed : public std::enable_shared_from_this<DischargeFeed> {
 public:
  explicit DischargeFeed(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(beast::bind_front_handler(&DischargeFeed::on_accept, shared_from_this())); // expect: errorshield-ws-handshake-origin
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    auto msg = std::make_shared<std::string>(json{{"type", "discharges"}, {"items", json::array()}}.dump());
    ws_.async_write(net::buffer(*msg), [self = shared_from_this(), msg](beast::error_code, std::size_t) {});
  }

  WsStream ws_;
};

// Bed-request form on the ED tablets (coroutine flavour).
net::awaitable<void> bed_request_session(beast::tcp_stream stream, Request req, const OriginPolicy& policy) {
  std::string_view origin = req[http::field::origin];
  if (origin.empty() || !policy.permits(origin)) {
    http::response<http::string_body> res{http::status::forbidden, req.version()};
    res.body() = "forbidden";
    res.prepare_payload();
    co_await http::async_write(stream, res, net::use_awaitable);
    co_return;
  }
  WsStream ws(std::move(stream));
  co_await ws.async_accept(req, net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    buf.consume(buf.size());
  }
}

// Wall-mounted corridor kiosks. Checks the wrong header.
net::awaitable<void> kiosk_session(beast::tcp_stream stream, Request req,
                                   const std::unordered_set<std::string>& kiosk_hosts) {
  if (!kiosk_hosts.count(std::string(req[http::field::host]))) co_return;
  WsStream ws(std::move(stream));
  co_await ws.async_accept(req, net::use_awaitable); // expect: errorshield-ws-handshake-origin
  ws.text(true);
  co_await ws.async_write(net::buffer(snapshot_for_ward("corridor").dump()), net::use_awaitable);
}

// Nightly CSV/JSON export pulled by the reporting dashboard; runs on a worker thread.
inline void export_session(tcp::socket sock, const Request& req, const OriginPolicy& policy) {
  try {
    require_origin(req, policy);
    WsStream ws(std::move(sock));
    ws.accept(req);
    ws.text(true);
    ws.write(net::buffer(json{{"type", "export"}, {"rows", json::array()}}.dump()));
    ws.close(websocket::close_code::normal);
  } catch (const OriginRejected& e) {
    std::clog << "export: " << e.what() << '\n';
  } catch (const beast::system_error& e) {
    std::clog << "export failed: " << e.code().message() << '\n';
  }
}

using UpgradeRoute = std::function<void(beast::tcp_stream&&, Request)>;

inline std::unordered_map<std::string, UpgradeRoute> make_routes(const OriginPolicy& policy) {
  std::unordered_map<std::string, UpgradeRoute> routes;
  routes["/ws/board"] = [&policy](beast::tcp_stream&& s, Request req) {
    std::make_shared<WardBoardSession>(std::move(s), policy)->run(std::move(req));
  };
  routes["/ws/admissions"] = [&policy](beast::tcp_stream&& s, Request req) {
    std::make_shared<AdmissionsFeed>(std::move(s), policy)->run(std::move(req));
  };
  routes["/ws/housekeeping"] = [](beast::tcp_stream&& s, Request req) {
    auto ws = std::make_shared<WsStream>(std::move(s));
    auto held = std::make_shared<Request>(std::move(req));
    ws->async_accept(*held, [ws, held](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
      if (ec) return;
      ws->text(true);
    });
  };
  return routes;
}

// Plain HTTP front door: reads one request and dispatches upgrades through the route table.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket s, const std::unordered_map<std::string, UpgradeRoute>& routes)
      : stream_(std::move(s)), routes_(routes) {}

  void start() {
    http::async_read(stream_, buf_, req_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
  }

 private:
  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    if (websocket::is_upgrade(req_)) {
      std::string path(req_.target().substr(0, req_.target().find('?')));
      if (auto it = routes_.find(path); it != routes_.end()) {
        it->second(std::move(stream_), std::move(req_));
        return;
      }
    }
    auto res = std::make_shared<http::response<http::string_body>>(http::status::not_found, req_.version());
    res->prepare_payload();
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code, std::size_t) {});
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  Request req_;
  const std::unordered_map<std::string, UpgradeRoute>& routes_;
};

}  // namespace bedboard
