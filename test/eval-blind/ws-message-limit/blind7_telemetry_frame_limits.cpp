// checks: errorshield-ws-message-limit
// Telemetry ingestion gateway: WebSocket sessions and the per-endpoint frame
// size limits applied to them (plain and TLS transports).
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <algorithm>
#include <cstddef>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace tgw::ingest {

using request_t = http::request<http::string_body>;

constexpr std::size_t KiB = 1024;
constexpr std::size_t MiB = 1024 * KiB;
constexpr std::size_t kHardCap = 4 * MiB;

struct limits_config {
  std::size_t device_frame_max = 64 * KiB;
  std::size_t command_max = 16 * KiB;
  std::size_t bulk_chunk_max = 8 * MiB;  // from gateway.yaml, operators tend to raise it
};

inline void log_err(std::string_view where, beast::error_code ec) {
  if (ec == websocket::error::closed || ec == net::error::operation_aborted) return;
  std::cerr << "[ingest] " << where << ": " << ec.message() << '\n';
}

// Common tuning for device streams: timeouts, frame limit, no auto-fragmenting.
template <class WebSocket>
void prepare_device_stream(WebSocket& ws, limits_config const& cfg) {
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(cfg.device_frame_max);
  ws.auto_fragment(false);
}

// Generic session skeleton; Derived decides how to set up and what to do per frame.
template <class Derived, class NextLayer>
class session_base {
 public:
  explicit session_base(NextLayer&& next) : ws_(std::move(next)) {}

  void start(request_t const& req) {
    ws_.async_accept(req, [self = derived().shared_from_this()](beast::error_code ec) {
      if (ec) return log_err("accept", ec);
      self->after_accept();
      self->read_next();
    });
  }

 protected:
  Derived& derived() { return static_cast<Derived&>(*this); }
  void after_accept() {}
  void read_next() {
    ws_.async_read(buf_, [self = derived().shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec) return log_err("read", ec);
      self->on_frame(n);
      self->buf_.consume(n);
      self->read_next();
    });
  }

  websocket::stream<NextLayer> ws_;
  beast::flat_buffer buf_;
};

// Devices: limit applied by the shared helper.
template <class NextLayer>
class device_session : public session_base<device_session<NextLayer>, NextLayer>,
                       public std::enable_shared_from_this<device_session<NextLayer>> {
  using base = session_base<device_session<NextLayer>, NextLayer>;
  friend base;

 public:
  device_session(NextLayer&& next, limits_config const& cfg) : base(std::move(next)) {
    prepare_device_stream(this->ws_, cfg);
  }

 private:
  void on_frame(std::size_t n) { frames_ += n != 0; }
  std::size_t frames_ = 0;
};

// Bulk uploads: operator-configurable, clamped to the hard cap.
template <class NextLayer>
class bulk_session : public session_base<bulk_session<NextLayer>, NextLayer>,
                     public std::enable_shared_from_this<bulk_session<NextLayer>> {
  using base = session_base<bulk_session<NextLayer>, NextLayer>;
  friend base;

 public:
  bulk_session(NextLayer&& next, limits_config const& cfg) : base(std::move(next)), cfg_(cfg) {}

 private:
  void after_accept() { this->ws_.read_message_max(std::min(cfg_.bulk_chunk_max, kHardCap)); }
  void on_frame(std::size_t n) { bytes_ += n; }
  limits_config const& cfg_;
  std::size_t bytes_ = 0;
};

// Archive import: whole historical archives arrive as a single message.
template <class NextLayer>
class archive_session : public session_base<archive_session<NextLayer>, NextLayer>,
                        public std::enable_shared_from_this<archive_session<NextLayer>> {
  using base = session_base<archive_session<NextLayer>, NextLayer>;
  friend base;

 public:
  explicit archive_session(NextLayer&& next) : base(std::move(next)) {
    this->ws_.read_message_max(std::size_t{4} << 30); // expect: errorshield-ws-message-limit
  }

 private:
  void on_frame(std::size_t n) { std::clog << "[ingest] archive part " << n << " bytes\n"; }
};

// Replay control: someone "reset to default" with zero.
template <class NextLayer>
class replay_control_session : public session_base<replay_control_session<NextLayer>, NextLayer>,
                               public std::enable_shared_from_this<replay_control_session<NextLayer>> {
  using base = session_base<replay_control_session<NextLayer>, NextLayer>;
  friend base;

 public:
  explicit replay_control_session(NextLayer&& next) : base(std::move(next)) {
    this->ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    this->ws_.read_message_max(0); // expect: errorshield-ws-message-limit
  }

 private:
  void on_frame(std::size_t) { std::clog << "[ingest] replay cmd\n"; }
};

// -----------------------------------------------------------------------------
// Dashboard command channel: hand-written, not on the session_base skeleton.
template <class NextLayer>
class dashboard_session : public std::enable_shared_from_this<dashboard_session<NextLayer>> {
 public:
  explicit dashboard_session(NextLayer&& next) : ws_(std::move(next)) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  }

  void start(request_t const& req) {
    ws_.async_accept(req, beast::bind_front_handler(&dashboard_session::on_accept, this->shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return log_err("dashboard accept", ec);
    do_read();
  }
  void do_read() {
    ws_.async_read(buf_, beast::bind_front_handler(&dashboard_session::on_read, this->shared_from_this())); // expect: errorshield-ws-message-limit
  }
  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return log_err("dashboard read", ec);
    std::clog << "[ingest] cmd: " << beast::buffers_to_string(buf_.data()) << '\n';
    buf_.clear();
    do_read();
  }

  websocket::stream<NextLayer> ws_;
  beast::flat_buffer buf_;
};

// Calibration uploads: no read_message_max, but the dynamic buffer itself is
// bounded, so an oversized message fails with buffer_overflow.
template <class NextLayer>
class calibration_session : public std::enable_shared_from_this<calibration_session<NextLayer>> {
 public:
  explicit calibration_session(NextLayer&& next) : ws_(std::move(next)), buf_(32 * KiB) {}

  void start(request_t const& req) {
    ws_.async_accept(req, [self = this->shared_from_this()](beast::error_code ec) {
      if (ec) return log_err("calibration accept", ec);
      self->ws_.async_read(self->buf_, [self](beast::error_code ec2, std::size_t n) {
        if (ec2) return log_err("calibration read", ec2);
        std::clog << "[ingest] calibration table " << n << " bytes\n";
      });
    });
  }

 private:
  websocket::stream<NextLayer> ws_;
  beast::flat_buffer buf_;
};

// -----------------------------------------------------------------------------
// Synchronous manifest fetch used by the provisioning tool on the local port.
inline std::string read_manifest(tcp::socket sock, request_t const& req) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept(req);
  beast::flat_buffer buf;
  ws.read(buf); // expect: errorshield-ws-message-limit
  return beast::buffers_to_string(buf.data());
}

// Same tool, probe variant: small explicit limit set after the accept.
inline std::string read_probe(tcp::socket sock, request_t const& req) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept(req);
  ws.read_message_max(4 * KiB);
  beast::flat_buffer buf;
  ws.read(buf);
  return beast::buffers_to_string(buf.data());
}

template <class NextLayer>
void route(NextLayer&& next, request_t const& req, limits_config const& cfg) {
  auto t = req.target();
  if (t == "/v1/ingest") std::make_shared<device_session<NextLayer>>(std::move(next), cfg)->start(req);
  else if (t == "/v1/bulk") std::make_shared<bulk_session<NextLayer>>(std::move(next), cfg)->start(req);
  else if (t == "/v1/archive") std::make_shared<archive_session<NextLayer>>(std::move(next))->start(req);
  else if (t == "/v1/replay") std::make_shared<replay_control_session<NextLayer>>(std::move(next))->start(req);
  else if (t == "/v1/live") std::make_shared<dashboard_session<NextLayer>>(std::move(next))->start(req);
  else if (t == "/v1/calibration") std::make_shared<calibration_session<NextLayer>>(std::move(next))->start(req);
}

template void route<beast::tcp_stream>(beast::tcp_stream&&, request_t const&, limits_config const&);
template void route<beast::ssl_stream<beast::tcp_stream>>(beast::ssl_stream<beast::tcp_stream>&&, request_t const&,
                                                          limits_config const&);

}  // namespace tgw::ingest
