// checks: errorshield-ws-timeouts
// Telemetry ingestion gateway: per-connection WebSocket sessions for devices,
// dashboards, bulk uploads and replay, over plain TCP or TLS.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

namespace ingest {

using request_t = http::request<http::string_body>;

struct session_config {
  std::chrono::seconds handshake_timeout{15};
  std::chrono::seconds idle_timeout{90};
  std::chrono::seconds replay_idle{120};
  std::string server_name = "tgw-ingest/3.1";
};

inline void report(beast::error_code ec, std::string_view where) {
  if (ec == net::error::operation_aborted || ec == websocket::error::closed) return;
  std::cerr << "ingest: " << where << ": " << ec.message() << '\n';
}

// Shared by every server-side session that goes through the standard path.
template <class WebSocket>
void configure_stream(WebSocket& ws, session_config const& cfg) {
  websocket::stream_base::timeout opt{};
  opt.handshake_timeout = cfg.handshake_timeout;
  opt.idle_timeout = cfg.idle_timeout;
  opt.keep_alive_pings = true;
  ws.set_option(opt);
  ws.set_option(websocket::stream_base::decorator(
      [name = cfg.server_name](websocket::response_type& res) { res.set(http::field::server, name); }));
}

// -----------------------------------------------------------------------------
// Device session: configured by the shared helper in the constructor.
template <class NextLayer>
class device_session : public std::enable_shared_from_this<device_session<NextLayer>> {
 public:
  device_session(NextLayer&& next, session_config const& cfg) : ws_(std::move(next)) {
    configure_stream(ws_, cfg);
  }

  void start(request_t req) {
    req_ = std::move(req);
    ws_.async_accept(req_, beast::bind_front_handler(&device_session::on_accept, this->shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return report(ec, "device accept");
    read_next();
  }
  void read_next() {
    ws_.async_read(buf_, beast::bind_front_handler(&device_session::on_read, this->shared_from_this()));
  }
  void on_read(beast::error_code ec, std::size_t n) {
    if (ec) return report(ec, "device read");
    samples_ += n;
    buf_.consume(n);
    read_next();
  }

  websocket::stream<NextLayer> ws_;
  beast::flat_buffer buf_;
  request_t req_;
  std::size_t samples_ = 0;
};

// -----------------------------------------------------------------------------
// Dashboard session: the TCP deadline is dropped before the handshake and
// nothing replaces it.
template <class NextLayer>
class dashboard_session : public std::enable_shared_from_this<dashboard_session<NextLayer>> {
 public:
  explicit dashboard_session(NextLayer&& next) : ws_(std::move(next)) {}

  void start(request_t req) {
    req_ = std::move(req);
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "tgw-dash"); }));
    ws_.async_accept(req_, beast::bind_front_handler(&dashboard_session::on_accept, this->shared_from_this())); // expect: errorshield-ws-timeouts
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return report(ec, "dashboard accept");
    ws_.async_read(buf_, beast::bind_front_handler(&dashboard_session::on_read, this->shared_from_this()));
  }
  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return report(ec, "dashboard read");
    buf_.clear();
    on_accept({});
  }

  websocket::stream<NextLayer> ws_;
  beast::flat_buffer buf_;
  request_t req_;
};

// -----------------------------------------------------------------------------
// Bulk upload: long transfers, so someone switched the idle timeout off.
template <class NextLayer>
class bulk_upload_session : public std::enable_shared_from_this<bulk_upload_session<NextLayer>> {
 public:
  explicit bulk_upload_session(NextLayer&& next) : ws_(std::move(next)) { tune(); }

  void start(request_t const& req) {
    ws_.async_accept(req, beast::bind_front_handler(&bulk_upload_session::on_accept, this->shared_from_this()));
  }

 private:
  void tune() {
    auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
    opt.handshake_timeout = 30s;
    opt.idle_timeout = websocket::stream_base::none(); // expect: errorshield-ws-timeouts
    opt.keep_alive_pings = false;
    ws_.set_option(opt);
  }
  void on_accept(beast::error_code ec) {
    if (ec) return report(ec, "bulk accept");
    ws_.async_read(buf_, beast::bind_front_handler(&bulk_upload_session::on_chunk, this->shared_from_this()));
  }
  void on_chunk(beast::error_code ec, std::size_t n) {
    if (ec) return report(ec, "bulk read");
    received_ += n;
    buf_.consume(n);
    on_accept({});
  }

  websocket::stream<NextLayer> ws_;
  beast::flat_buffer buf_;
  std::size_t received_ = 0;
};

// -----------------------------------------------------------------------------
// Replay session: no stream timeout option, but an explicit idle watchdog that
// is re-armed on every frame and closes the socket when it fires.
template <class NextLayer>
class replay_session : public std::enable_shared_from_this<replay_session<NextLayer>> {
 public:
  replay_session(NextLayer&& next, session_config const& cfg)
      : ws_(std::move(next)), idle_(ws_.get_executor()), idle_after_(cfg.replay_idle) {}

  void start(request_t const& req) {
    arm_watchdog();
    ws_.async_accept(req, beast::bind_front_handler(&replay_session::on_accept, this->shared_from_this()));
  }

 private:
  void arm_watchdog() {
    idle_.expires_after(idle_after_);
    idle_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (ec == net::error::operation_aborted) return;
      std::cerr << "ingest: replay idle, closing\n";
      beast::get_lowest_layer(self->ws_).close();
    });
  }
  void on_accept(beast::error_code ec) {
    if (ec) return report(ec, "replay accept");
    ws_.async_read(buf_, beast::bind_front_handler(&replay_session::on_read, this->shared_from_this()));
  }
  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return report(ec, "replay read");
    arm_watchdog();
    buf_.clear();
    on_accept({});
  }

  websocket::stream<NextLayer> ws_;
  net::steady_timer idle_;
  std::chrono::seconds idle_after_;
  beast::flat_buffer buf_;
};

// -----------------------------------------------------------------------------
// Alarm feed: the TCP deadline covers the handshake, the websocket timeout is
// installed right after it completes (same as the Beast examples, just later).
class alarm_session : public std::enable_shared_from_this<alarm_session> {
 public:
  explicit alarm_session(tcp::socket sock) : ws_(std::move(sock)) {}

  void start(request_t const& req) {
    beast::get_lowest_layer(ws_).expires_after(10s);
    ws_.async_accept(req, beast::bind_front_handler(&alarm_session::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return report(ec, "alarm accept");
    beast::get_lowest_layer(ws_).expires_never();
    auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
    opt.idle_timeout = 2min;
    ws_.set_option(opt);
    ws_.async_read(buf_, beast::bind_front_handler(&alarm_session::on_read, shared_from_this()));
  }
  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return report(ec, "alarm read");
    buf_.clear();
    ws_.async_read(buf_, beast::bind_front_handler(&alarm_session::on_read, shared_from_this()));
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
};

// -----------------------------------------------------------------------------
// Firmware channel: free-function style, stream created and accepted inline.
inline void open_firmware_channel(tcp::socket sock, request_t req) {
  auto ws = std::make_shared<websocket::stream<beast::tcp_stream>>(std::move(sock));
  auto buf = std::make_shared<beast::flat_buffer>();
  ws->async_accept(req, [ws, buf](beast::error_code ec) { // expect: errorshield-ws-timeouts
    if (ec) return report(ec, "firmware accept");
    ws->async_read(*buf, [ws, buf](beast::error_code ec2, std::size_t) {
      if (ec2) return report(ec2, "firmware read");
      std::cout << "firmware manifest: " << beast::buffers_to_string(buf->data()) << '\n';
    });
  });
}

// Router: one instantiation per transport.
template <class NextLayer>
void dispatch(NextLayer&& next, request_t req, session_config const& cfg) {
  auto target = req.target();
  if (target == "/v1/ingest")
    std::make_shared<device_session<NextLayer>>(std::move(next), cfg)->start(std::move(req));
  else if (target == "/v1/live")
    std::make_shared<dashboard_session<NextLayer>>(std::move(next))->start(std::move(req));
  else if (target == "/v1/bulk")
    std::make_shared<bulk_upload_session<NextLayer>>(std::move(next))->start(req);
  else if (target == "/v1/replay")
    std::make_shared<replay_session<NextLayer>>(std::move(next), cfg)->start(req);
}

template void dispatch<beast::tcp_stream>(beast::tcp_stream&&, request_t, session_config const&);
template void dispatch<beast::ssl_stream<beast::tcp_stream>>(beast::ssl_stream<beast::tcp_stream>&&, request_t,
                                                             session_config const&);

}  // namespace ingest
