// checks: errorshield-ws-message-limit
// Observatory control plane: operators steer the dish and stream back spectra.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <iostream>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace telescope {

constexpr std::size_t kMaxCommandBytes = 64 * 1024;        // pointing commands are tiny
constexpr std::uint64_t kMaxCalibrationBytes = 4 << 20;    // 4 MiB calibration tables

struct Pointing {
  double azimuth = 0;
  double elevation = 0;
};

class Mount {
public:
  void slew(const Pointing &p) { target_ = p; }
  Pointing target() const { return target_; }

private:
  Pointing target_;
};

using ws_t = websocket::stream<beast::tcp_stream>;

inline void apply_server_defaults(ws_t &ws) {
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(kMaxCommandBytes);
}

// ---------------------------------------------------------------------------
// Operator console: one session per connected operator.
class OperatorSession : public std::enable_shared_from_this<OperatorSession> {
public:
  OperatorSession(tcp::socket sock, Mount &mount) : ws_(std::move(sock)), mount_(mount) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(kMaxCommandBytes);
    ws_.async_accept(beast::bind_front_handler(&OperatorSession::on_accept, shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    read_next();
  }

  void read_next() {
    ws_.async_read(buffer_, beast::bind_front_handler(&OperatorSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    auto cmd = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
    buffer_.consume(buffer_.size());
    if (!cmd.is_discarded() && cmd.contains("az") && cmd.contains("el"))
      mount_.slew({cmd["az"].get<double>(), cmd["el"].get<double>()});
    read_next();
  }

  ws_t ws_;
  beast::flat_buffer buffer_;
  Mount &mount_;
};

// ---------------------------------------------------------------------------
// Spectrum ingest from the backend correlator. The correlator dumps whole
// integrations in a single message, so the operator asked for "no cap".
class CorrelatorLink : public std::enable_shared_from_this<CorrelatorLink> {
public:
  explicit CorrelatorLink(tcp::socket sock) : ws_(std::move(sock)) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(0); // expect: errorshield-ws-message-limit
    ws_.binary(true);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->pump();
    });
  }

private:
  void pump() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec)
        return;
      self->integrations_.push_back(n);
      self->buffer_.clear();
      self->pump();
    });
  }

  ws_t ws_;
  beast::flat_buffer buffer_;
  std::deque<std::size_t> integrations_;
};

// ---------------------------------------------------------------------------
// Calibration uploads (coroutine based).
net::awaitable<void> calibration_upload(tcp::socket sock) {
  ws_t ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(kMaxCalibrationBytes);
  co_await ws.async_accept(net::use_awaitable);

  beast::flat_buffer buf;
  co_await ws.async_read(buf, net::use_awaitable);
  std::cout << "calibration table: " << buf.size() << " bytes\n";
  co_await ws.async_close(websocket::close_code::normal, net::use_awaitable);
}

// Weather station feed: tiny JSON blobs, but nobody configured it.
net::awaitable<void> weather_feed(tcp::socket sock) {
  ws_t ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(net::use_awaitable);

  for (;;) {
    beast::flat_buffer buf;
    co_await ws.async_read(buf, net::use_awaitable); // expect: errorshield-ws-message-limit
    auto w = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    if (!w.is_discarded() && w.value("wind_kmh", 0.0) > 60.0)
      std::cout << "wind stow requested\n";
  }
}

// Configured through the shared helper.
net::awaitable<void> schedule_feed(tcp::socket sock) {
  ws_t ws(std::move(sock));
  apply_server_defaults(ws);
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  co_await ws.async_read(buf, net::use_awaitable);
  std::cout << "schedule: " << beast::buffers_to_string(buf.data()) << "\n";
}

// Status broadcaster: push-only, never reads from the client.
net::awaitable<void> status_push(tcp::socket sock, const Mount &mount) {
  ws_t ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(net::use_awaitable);
  net::steady_timer t(co_await net::this_coro::executor);
  for (;;) {
    auto p = mount.target();
    json j{{"az", p.azimuth}, {"el", p.elevation}};
    co_await ws.async_write(net::buffer(j.dump()), net::use_awaitable);
    t.expires_after(std::chrono::seconds(1));
    co_await t.async_wait(net::use_awaitable);
  }
}

// ---------------------------------------------------------------------------
// Archive replication: generic over the transport so it can run over TLS too.
template <class NextLayer>
std::size_t replicate_archive(websocket::stream<NextLayer> &ws, std::vector<std::string> &out) {
  ws.read_message_max(std::numeric_limits<std::uint64_t>::max()); // expect: errorshield-ws-message-limit
  std::size_t total = 0;
  beast::error_code ec;
  for (;;) {
    beast::flat_buffer chunk;
    total += ws.read(chunk, ec);
    if (ec)
      break;
    out.push_back(beast::buffers_to_string(chunk.data()));
  }
  return total;
}

void mirror_archive(net::io_context &ioc, const std::string &host) {
  tcp::resolver r(ioc);
  ws_t ws(ioc);
  beast::get_lowest_layer(ws).connect(r.resolve(host, "9200"));
  ws.handshake(host, "/archive");
  std::vector<std::string> files;
  std::cout << "mirrored " << replicate_archive(ws, files) << " bytes\n";
}

// Pulsar timing tool pulls raw voltage dumps from the recorder.
void fetch_voltage_dump(net::io_context &ioc, const std::string &host) {
  tcp::resolver r(ioc);
  ws_t ws(ioc);
  beast::get_lowest_layer(ws).connect(r.resolve(host, "9100"));
  ws.handshake(host, "/dump");
  ws.read_message_max(64ull * 1024 * 1024 * 1024); // expect: errorshield-ws-message-limit
  beast::flat_buffer buf;
  ws.read(buf);
  std::cout << "dump " << buf.size() << " bytes\n";
  ws.close(websocket::close_code::normal);
}

// Health probe for the monitoring system; limits chosen per message type.
void probe_recorder(net::io_context &ioc, const std::string &host) {
  tcp::resolver r(ioc);
  ws_t ws(ioc);
  beast::get_lowest_layer(ws).connect(r.resolve(host, "9100"));
  ws.handshake(host, "/health");
  ws.read_message_max(16 * 1024);
  beast::flat_buffer buf;
  ws.read(buf);
  std::cout << beast::buffers_to_string(buf.data()) << "\n";
  ws.close(websocket::close_code::normal);
}

// ---------------------------------------------------------------------------
class Listener : public std::enable_shared_from_this<Listener> {
public:
  Listener(net::io_context &ioc, Mount &mount, unsigned short port)
      : acc_(ioc, tcp::endpoint(tcp::v4(), port)), mount_(mount), port_(port) {}

  void run() {
    acc_.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket s) {
      if (!ec) {
        if (self->port_ == 8443)
          std::make_shared<OperatorSession>(std::move(s), self->mount_)->start();
        else
          std::make_shared<CorrelatorLink>(std::move(s))->start();
      }
      self->run();
    });
  }

private:
  tcp::acceptor acc_;
  Mount &mount_;
  unsigned short port_;
};

template <class Handler>
net::awaitable<void> accept_loop(unsigned short port, Handler handler) {
  auto ex = co_await net::this_coro::executor;
  tcp::acceptor acc(ex, tcp::endpoint(tcp::v4(), port));
  for (;;) {
    auto s = co_await acc.async_accept(net::use_awaitable);
    net::co_spawn(ex, handler(std::move(s)), net::detached);
  }
}

} // namespace telescope

int main() {
  using namespace telescope;
  net::io_context ioc;
  Mount mount;
  std::make_shared<Listener>(ioc, mount, 8443)->run();
  std::make_shared<Listener>(ioc, mount, 8445)->run();
  net::co_spawn(ioc, accept_loop(8444, [](tcp::socket s) { return calibration_upload(std::move(s)); }), net::detached);
  net::co_spawn(ioc, accept_loop(8446, [](tcp::socket s) { return weather_feed(std::move(s)); }), net::detached);
  net::co_spawn(ioc, accept_loop(8447, [](tcp::socket s) { return schedule_feed(std::move(s)); }), net::detached);
  net::co_spawn(ioc, accept_loop(8448, [&mount](tcp::socket s) { return status_push(std::move(s), mount); }), net::detached);
  ioc.run();
}
