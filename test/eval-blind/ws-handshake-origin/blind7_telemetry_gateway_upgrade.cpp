// checks: errorshield-ws-handshake-origin
// Telemetry ingestion gateway: HTTP front door that routes upgrade requests from
// field devices and browser dashboards to the matching WebSocket session type.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace tgw {

enum class level { debug, info, warn, error };

inline void log(level lv, std::string_view component, std::string_view msg) {
  static constexpr const char* names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
  std::clog << '[' << names[static_cast<int>(lv)] << "] " << component << ": " << msg << '\n';
}

inline void fail(beast::error_code ec, std::string_view what) {
  if (ec == net::error::operation_aborted || ec == websocket::error::closed) return;
  log(level::warn, what, ec.message());
}

using request_t = http::request<http::string_body>;

struct gateway_config {
  std::vector<std::string> dashboard_origins{"https://console.telemetry.example.com",
                                             "https://ops.telemetry.example.com"};
  std::string device_path = "/v1/ingest";
  std::string live_path = "/v1/live";
  std::string replay_path = "/v1/replay";
  std::string diag_path = "/v1/diag";
  std::string metrics_path = "/v1/metrics/stream";
};

// Normalises Origin values and matches them against the configured allow-list.
class origin_policy {
 public:
  explicit origin_policy(gateway_config const& cfg) {
    for (auto const& o : cfg.dashboard_origins) allowed_.insert(lower(o));
  }

  bool allows(request_t const& req) const {
    auto it = req.find(http::field::origin);
    if (it == req.end()) return false;
    return allowed_.count(lower(std::string(it->value()))) != 0;
  }

 private:
  static std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
  }
  std::unordered_set<std::string> allowed_;
};

template <class Stream>
void write_forbidden(Stream& stream, request_t const& req) {
  auto res = std::make_shared<http::response<http::string_body>>(http::status::forbidden, req.version());
  res->set(http::field::content_type, "text/plain");
  res->body() = "origin not allowed\n";
  res->prepare_payload();
  http::async_write(stream, *res, [res](beast::error_code ec, std::size_t) { fail(ec, "forbidden"); });
}

// ---------------------------------------------------------------------------
// Base for every session: owns the websocket and the read loop.
template <class Derived, class NextLayer>
class ws_session_base {
 protected:
  explicit ws_session_base(NextLayer&& next) : ws_(std::move(next)) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  }
  Derived& self() { return static_cast<Derived&>(*this); }

 public:
  void on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "accept");
    do_read();
  }
  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&ws_session_base::on_read, self().shared_from_this()));
  }
  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "read");
    self().handle_frame(beast::buffers_to_string(buffer_.data()));
    buffer_.consume(buffer_.size());
    do_read();
  }

 protected:
  websocket::stream<NextLayer> ws_;
  beast::flat_buffer buffer_;
};

// Browser dashboards: live telemetry view. Origin is validated in validate().
template <class NextLayer>
class live_session : public ws_session_base<live_session<NextLayer>, NextLayer>,
                     public std::enable_shared_from_this<live_session<NextLayer>> {
  using base = ws_session_base<live_session<NextLayer>, NextLayer>;
  friend base;

 public:
  live_session(NextLayer&& next, origin_policy const& policy) : base(std::move(next)), policy_(policy) {}

  void run(request_t req) {
    req_ = std::move(req);
    if (!validate()) {
      write_forbidden(this->ws_.next_layer(), req_);
      return;
    }
    this->ws_.async_accept(req_, beast::bind_front_handler(&base::on_accept, this->shared_from_this()));
  }

 private:
  bool validate() const {
    if (!policy_.allows(req_)) {
      log(level::warn, "live", "rejected origin '" + std::string(req_[http::field::origin]) + "'");
      return false;
    }
    return true;
  }
  void handle_frame(std::string const& text) { log(level::debug, "live", text); }

  origin_policy const& policy_;
  request_t req_;
};

// Historical replay for dashboards; the HTTP router has already checked Origin.
template <class NextLayer>
class replay_session : public ws_session_base<replay_session<NextLayer>, NextLayer>,
                       public std::enable_shared_from_this<replay_session<NextLayer>> {
  using base = ws_session_base<replay_session<NextLayer>, NextLayer>;
  friend base;

 public:
  explicit replay_session(NextLayer&& next) : base(std::move(next)) {}
  void start(request_t const& req) {
    this->ws_.async_accept(req, beast::bind_front_handler(&base::on_accept, this->shared_from_this()));
  }

 private:
  void handle_frame(std::string const& text) { log(level::debug, "replay", text); }
};

// Field devices pushing samples; authenticated by bearer token only.
template <class NextLayer>
class device_session : public ws_session_base<device_session<NextLayer>, NextLayer>,
                       public std::enable_shared_from_this<device_session<NextLayer>> {
  using base = ws_session_base<device_session<NextLayer>, NextLayer>;
  friend base;

 public:
  explicit device_session(NextLayer&& next) : base(std::move(next)) {}
  void start(request_t const& req) {
    token_ = std::string(req[http::field::authorization]);
    this->ws_.async_accept(req, beast::bind_front_handler(&base::on_accept, this->shared_from_this())); // expect: errorshield-ws-handshake-origin
  }
  // Firmware < 2.3 connects to "/" and lets the stream read the handshake itself.
  void start_legacy() {
    this->ws_.async_accept(beast::bind_front_handler(&base::on_accept, this->shared_from_this())); // expect: errorshield-ws-handshake-origin
  }

 private:
  void handle_frame(std::string const& text) { log(level::debug, "device", token_.substr(0, 6) + " " + text); }
  std::string token_;
};

// ---------------------------------------------------------------------------
// HTTP front door: reads the first request and hands the stream to a session.
template <class Stream>
class http_session : public std::enable_shared_from_this<http_session<Stream>> {
 public:
  http_session(Stream&& stream, gateway_config const& cfg, origin_policy const& policy)
      : stream_(std::move(stream)), cfg_(cfg), policy_(policy) {}

  void run() {
    http::async_read(stream_, buffer_, req_, beast::bind_front_handler(&http_session::on_read, this->shared_from_this()));
  }

 private:
  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "http read");
    if (!websocket::is_upgrade(req_)) {
      log(level::info, "http", "plain request to " + std::string(req_.target()));
      return;
    }
    auto target = req_.target();
    if (target == cfg_.live_path) {
      std::make_shared<live_session<Stream>>(std::move(stream_), policy_)->run(std::move(req_));
    } else if (target == cfg_.replay_path) {
      if (!policy_.allows(req_)) return write_forbidden(stream_, req_);
      std::make_shared<replay_session<Stream>>(std::move(stream_))->start(req_);
    } else if (target == cfg_.device_path) {
      std::make_shared<device_session<Stream>>(std::move(stream_))->start(req_);
    } else {
      log(level::warn, "http", "no websocket route for " + std::string(target));
    }
  }

  Stream stream_;
  gateway_config const& cfg_;
  origin_policy const& policy_;
  beast::flat_buffer buffer_;
  request_t req_;
};

template class http_session<beast::tcp_stream>;
template class http_session<beast::ssl_stream<beast::tcp_stream>>;

// Legacy listener on :8081 for old firmware; the websocket reads the handshake itself.
inline void on_legacy_connection(tcp::socket sock) {
  std::make_shared<device_session<beast::tcp_stream>>(beast::tcp_stream(std::move(sock)))->start_legacy();
}

// ---------------------------------------------------------------------------
// Synchronous diagnostics port (one operator at a time, bound on the mgmt VLAN).
void serve_diag(tcp::socket sock, gateway_config const& cfg) {
  beast::flat_buffer buf;
  request_t req;
  http::read(sock, buf, req);
  log(level::info, "diag", "upgrade from origin=" + std::string(req[http::field::origin]) + " target=" +
                               std::string(req.target()));
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept(req); // expect: errorshield-ws-handshake-origin
  ws.text(true);
  ws.write(net::buffer(std::string("diag ready: ") + cfg.diag_path));
}

// Metrics stream consumed by the ops dashboard.
void serve_metrics(tcp::socket sock) {
  beast::flat_buffer buf;
  request_t req;
  http::read(sock, buf, req);
  if (!websocket::is_upgrade(req) || req[http::field::origin].empty()) {
    log(level::warn, "metrics", "bad upgrade request");
    return;
  }
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept(req); // expect: errorshield-ws-handshake-origin
  ws.write(net::buffer(std::string("{\"cpu\":0.42}")));
}

// Admin console: explicit allow-list check before accepting.
void serve_admin(tcp::socket sock, origin_policy const& policy) {
  beast::flat_buffer buf;
  request_t req;
  http::read(sock, buf, req);
  if (!policy.allows(req)) {
    http::response<http::empty_body> res{http::status::forbidden, req.version()};
    http::write(sock, res);
    return;
  }
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept(req);
  ws.write(net::buffer(std::string("admin ready")));
}

// Uplink to the cloud aggregator: we are the client here, no Origin to check.
void open_uplink(net::io_context& ioc, ssl::context& ctx, std::string const& host) {
  tcp::resolver resolver(ioc);
  websocket::stream<beast::ssl_stream<tcp::socket>> ws(ioc, ctx);
  net::connect(beast::get_lowest_layer(ws), resolver.resolve(host, "443"));
  ws.next_layer().handshake(ssl::stream_base::client);
  ws.handshake(host, "/aggregate");
}

}  // namespace tgw
