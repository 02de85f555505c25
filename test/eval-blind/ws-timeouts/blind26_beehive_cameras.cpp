// checks: errorshield-ws-timeouts
// Apiary monitoring hub: solar-powered cameras inside beehives stream thumbnails
// and hive sensor readings over WebSocket; beekeepers' phones subscribe to live
// views; the hub forwards alerts to the cloud as a WebSocket client.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using asio::ip::tcp;
using json = nlohmann::json;

namespace apiary {

using ws_t = websocket::stream<beast::tcp_stream>;

void store_thumbnail(const std::string &hive, const std::string &jpeg);
void store_reading(const json &reading);

// Hive cameras: one session per camera, cameras wake up every few minutes.
class CameraSession : public std::enable_shared_from_this<CameraSession> {
public:
  CameraSession(tcp::socket s, std::string hive) : ws_(std::move(s)), hive_(std::move(hive)) {}

  void start() {
    ws_.binary(true);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) { // expect: errorshield-ws-timeouts
      if (!ec)
        self->read_frame();
    });
  }

private:
  void read_frame() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      store_thumbnail(self->hive_, beast::buffers_to_string(self->buf_.data()));
      self->buf_.consume(self->buf_.size());
      self->read_frame();
    });
  }

  ws_t ws_;
  std::string hive_;
  beast::flat_buffer buf_;
};

// Hive sensors (weight, temperature, humidity) on the same hub.
class SensorSession : public std::enable_shared_from_this<SensorSession> {
public:
  explicit SensorSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read_reading();
    });
  }

private:
  void read_reading() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      json r = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.consume(self->buf_.size());
      if (!r.is_discarded())
        store_reading(r);
      self->read_reading();
    });
  }

  ws_t ws_;
  beast::flat_buffer buf_;
};

// Beekeeper live view. Phones sit on a hive page for a long time, so the
// pings are what keeps the NAT mapping alive.
asio::awaitable<void> live_view_session(tcp::socket sock) {
  ws_t ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client)); // expect: errorshield-ws-timeouts
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    buf.consume(buf.size());
    co_await ws.async_write(asio::buffer(std::string("{\"frame\":\"latest\"}")), asio::use_awaitable);
  }
}

// Swarm alarm feed: tuned for slow 3G links in the field.
asio::awaitable<void> swarm_alarm_session(tcp::socket sock) {
  ws_t ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout{std::chrono::seconds(20), std::chrono::seconds(90), true});
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;)
    co_await ws.async_read(buf, asio::use_awaitable);
}

// Queen-tracking feed from the RFID reader; the reader can go quiet for days.
asio::awaitable<void> queen_tracker_session(tcp::socket sock) {
  ws_t ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout{std::chrono::seconds(30), websocket::stream_base::none(), false}); // expect: errorshield-ws-timeouts
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    buf.consume(buf.size());
  }
}

// Shared setup for the maintenance consoles.
void configure_console(ws_t &ws) {
  auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
  opt.idle_timeout = std::chrono::minutes(2);
  ws.set_option(opt);
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type &res) {
    res.set(http::field::server, "apiary-hub");
  }));
}

class ConsoleSession : public std::enable_shared_from_this<ConsoleSession> {
public:
  explicit ConsoleSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    configure_console(ws_);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->ws_.async_read(self->buf_, [self](beast::error_code, std::size_t) {});
    });
  }

private:
  ws_t ws_;
  beast::flat_buffer buf_;
};

// Firmware update channel; the HTTP upgrade request is read first so the hive id
// in the path can be checked.
template <class Stream> class FirmwareChannel : public std::enable_shared_from_this<FirmwareChannel<Stream>> {
public:
  explicit FirmwareChannel(Stream s) : ws_(std::move(s)) {}

  void start(http::request<http::string_body> req) {
    req_ = std::move(req);
    beast::get_lowest_layer(ws_).expires_never();
    ws_.async_accept(req_, [self = this->shared_from_this()](beast::error_code ec) { // expect: errorshield-ws-timeouts
      if (!ec)
        self->send_chunk();
    });
  }

private:
  void send_chunk() {
    ws_.binary(true);
    ws_.async_write(asio::buffer(chunk_), [self = this->shared_from_this()](beast::error_code, std::size_t) {});
  }

  websocket::stream<Stream> ws_;
  http::request<http::string_body> req_;
  std::vector<char> chunk_ = std::vector<char>(4096);
};

template class FirmwareChannel<beast::tcp_stream>;

// Cloud alert uplink: the hub is the client here.
asio::awaitable<void> push_alert(std::string host, json alert) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  auto eps = co_await resolver.async_resolve(host, "80", asio::use_awaitable);
  ws_t ws(ex);
  beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(15));
  co_await beast::get_lowest_layer(ws).async_connect(eps, asio::use_awaitable);
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  co_await ws.async_handshake(host, "/alerts", asio::use_awaitable);
  co_await ws.async_write(asio::buffer(alert.dump()), asio::use_awaitable);
  co_await ws.async_close(websocket::close_code::normal, asio::use_awaitable);
}

asio::awaitable<void> listen(tcp::endpoint ep) {
  auto ex = co_await asio::this_coro::executor;
  tcp::acceptor acc(ex, ep);
  for (;;) {
    tcp::socket s = co_await acc.async_accept(asio::use_awaitable);
    std::make_shared<SensorSession>(std::move(s))->start();
  }
}

} // namespace apiary
