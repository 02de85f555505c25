// checks: errorshield-ws-handshake-origin
// Fleet dashboard backend: farm managers watch live tractor telemetry
// (GPS track, engine load, implement depth) in the browser.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace fleet {

using Request = http::request<http::string_body>;
using WsStream = websocket::stream<beast::tcp_stream>;

struct DashboardConfig {
  std::set<std::string, std::less<>> allowed_origins{
      "https://fleet.agrotrack.example",
      "https://ops.agrotrack.example",
  };
  std::chrono::seconds read_timeout{20};
};

const DashboardConfig &config() {
  static const DashboardConfig cfg;
  return cfg;
}

bool origin_ok(const Request &req) {
  auto origin = req[http::field::origin];
  return !origin.empty() && config().allowed_origins.contains(origin);
}

void warn(std::string_view what) {
  std::fprintf(stderr, "fleet: %.*s\n", static_cast<int>(what.size()),
               what.data());
}

void reply_status(beast::tcp_stream &stream, const Request &req,
                  http::status st) {
  auto res = std::make_shared<http::response<http::empty_body>>(st, req.version());
  res->keep_alive(false);
  http::async_write(stream, *res, [res](beast::error_code, std::size_t) {});
}

// Helper shared by the map view and the engine-load panel.
template <class Body>
void open_panel_socket(WsStream &ws, http::request<Body> const &req,
                       std::function<void(beast::error_code)> done) {
  ws.set_option(
      websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.async_accept(req, std::move(done)); // expect: errorshield-ws-handshake-origin
}

class MapViewSession : public std::enable_shared_from_this<MapViewSession> {
public:
  explicit MapViewSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    http::async_read(ws_.next_layer(), buf_, req_,
                     [self = shared_from_this()](beast::error_code ec,
                                                 std::size_t) {
                       if (ec)
                         return warn(ec.message());
                       self->on_request();
                     });
  }

private:
  void on_request() {
    if (!origin_ok(req_)) {
      warn("map view: origin rejected");
      reply_status(ws_.next_layer(), req_, http::status::forbidden);
    }
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
      if (!ec)
        self->push_track();
    });
  }

  void push_track() {
    json frame = {{"tractor", "JD-8R-07"}, {"lat", 52.1132}, {"lon", 5.2871}};
    out_ = frame.dump();
    ws_.async_write(asio::buffer(out_),
                    [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  WsStream ws_;
  beast::flat_buffer buf_;
  Request req_;
  std::string out_;
};

class EngineLoadSession : public std::enable_shared_from_this<EngineLoadSession> {
public:
  explicit EngineLoadSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    http::async_read(ws_.next_layer(), buf_, req_,
                     [self = shared_from_this()](beast::error_code ec,
                                                 std::size_t) {
                       if (!ec)
                         self->on_request();
                     });
  }

private:
  void on_request() {
    if (!websocket::is_upgrade(req_))
      return reply_status(ws_.next_layer(), req_, http::status::bad_request);
    open_panel_socket(ws_, req_, [self = shared_from_this()](beast::error_code ec) {
      if (ec)
        warn(ec.message());
    });
  }

  WsStream ws_;
  beast::flat_buffer buf_;
  Request req_;
};

// Implement-depth panel: the upgrade waits for a fleet-permission lookup
// against the farm registry before it continues.
class ImplementPanel : public std::enable_shared_from_this<ImplementPanel> {
public:
  ImplementPanel(asio::io_context &ioc, tcp::socket s)
      : ioc_(ioc), ws_(std::move(s)) {}

  void on_request(Request req) {
    std::string farm_id(req["X-Farm-Id"]);
    pending_.push_back([self = shared_from_this(), req = std::move(req)]() {
      self->ws_.async_accept(req, [self](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
        if (ec)
          warn(ec.message());
      });
    });
    asio::post(ioc_, [self = shared_from_this(), farm_id] {
      self->on_registry_reply(!farm_id.empty());
    });
  }

  void on_secured_request(Request req) {
    pending_.push_back([self = shared_from_this(), req = std::move(req)]() {
      if (!origin_ok(req))
        return reply_status(self->ws_.next_layer(), req, http::status::forbidden);
      self->ws_.async_accept(req, [self](beast::error_code) {}); // OK: checked inside
    });
    on_registry_reply(true);
  }

private:
  void on_registry_reply(bool permitted) {
    while (!pending_.empty()) {
      auto step = std::move(pending_.front());
      pending_.pop_front();
      if (permitted)
        step();
    }
  }

  asio::io_context &ioc_;
  WsStream ws_;
  std::deque<std::function<void()>> pending_;
};

// Barn kiosk: sync, one display per shed.
void serve_barn_kiosk(tcp::socket sock, std::string &last_client_origin) {
  beast::flat_buffer buf;
  Request req;
  http::read(sock, buf, req);
  last_client_origin = std::string(req[http::field::origin]);
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept(req); // expect: errorshield-ws-handshake-origin
  ws.text(true);
  ws.write(asio::buffer(std::string(R"({"shed":"north","tractors":4})")));
}

// Geofence alert feed for the farm office screen.
class AlertFeed {
public:
  explicit AlertFeed(tcp::socket s) : ws_(std::move(s)) {}

  void handle_upgrade(const Request &req) {
    if (!websocket::is_upgrade(req) || !origin_ok(req)) {
      http::response<http::empty_body> res{http::status::forbidden, req.version()};
      http::write(ws_.next_layer(), res);
      return;
    }
    complete_upgrade(req);
  }

private:
  void complete_upgrade(const Request &req) {
    ws_.accept(req); // OK: only reached from handle_upgrade after the check
    ws_.text(true);
  }

  websocket::stream<tcp::socket> ws_;
};

asio::awaitable<void> serve_geofence_alerts(tcp::socket sock) {
  beast::flat_buffer buf;
  Request req;
  co_await http::async_read(sock, buf, req, asio::use_awaitable);
  if (!origin_ok(req)) {
    http::response<http::empty_body> res{http::status::forbidden, req.version()};
    co_await http::async_write(sock, res, asio::use_awaitable);
    co_return;
  }
  websocket::stream<tcp::socket> ws(std::move(sock));
  co_await ws.async_accept(req, asio::use_awaitable); // OK
  ws.text(true);
  std::string hello = R"({"type":"geofence_subscribed"})";
  co_await ws.async_write(asio::buffer(hello), asio::use_awaitable);
}

void run_dashboard_listener(asio::io_context &ioc, unsigned short port) {
  tcp::acceptor acceptor(ioc, {tcp::v4(), port});
  for (;;) {
    tcp::socket s = acceptor.accept(); // OK: TCP accept
    std::make_shared<MapViewSession>(std::move(s))->start();
  }
}

} // namespace fleet
