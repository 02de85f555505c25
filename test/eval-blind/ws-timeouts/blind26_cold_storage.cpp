// checks: errorshield-ws-timeouts
// Cold-storage warehouse telemetry hub: freezer-room sensors and forklift
// tablets keep WebSockets open to this server; the hub forwards alarms to the
// facilities team.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace coldhub {

void record_reading(const std::string &room, const std::string &payload);
void raise_alarm(const std::string &room, double celsius);

template <class Ws>
void apply_hub_timeouts(Ws &ws) {
  websocket::stream_base::timeout opt{};
  opt.handshake_timeout = 10s;
  opt.idle_timeout = 45s;
  opt.keep_alive_pings = true;
  ws.set_option(opt);
}

// Freezer-room sensor gateway: one per room, pushes a reading every few
// seconds.
class SensorSession : public std::enable_shared_from_this<SensorSession> {
public:
  SensorSession(tcp::socket s, std::string room) : ws_(std::move(s)), room_(std::move(room)) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read();
    });
  }

private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      record_reading(self->room_, beast::buffers_to_string(self->buf_.data()));
      self->buf_.consume(self->buf_.size());
      self->read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::string room_;
  beast::flat_buffer buf_;
};

// Blast-freezer rooms use an older gateway firmware; same protocol.
class BlastFreezerSession : public std::enable_shared_from_this<BlastFreezerSession> {
public:
  explicit BlastFreezerSession(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) { // expect: errorshield-ws-timeouts
      if (!ec) self->read();
    });
  }

private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      record_reading("blast", beast::buffers_to_string(self->buf_.data()));
      self->buf_.consume(self->buf_.size());
      self->read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
};

// Forklift tablets sit in docking cradles for hours without sending anything,
// so ops asked for the idle disconnect to be turned off.
class ForkliftSession : public std::enable_shared_from_this<ForkliftSession> {
public:
  explicit ForkliftSession(tcp::socket s) : stream_(std::move(s)) {}

  void run() {
    stream_.expires_after(30s);
    http::async_read(stream_, buf_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec || !websocket::is_upgrade(self->req_)) return;
      self->upgrade();
    });
  }

private:
  void upgrade() {
    ws_.emplace(std::move(stream_));
    beast::get_lowest_layer(*ws_).expires_never();
    ws_->set_option(websocket::stream_base::timeout{30s, websocket::stream_base::none(), false}); // expect: errorshield-ws-timeouts
    ws_->async_accept(req_, [self = shared_from_this()](beast::error_code ec) {
      if (!ec) std::cout << "forklift tablet online\n";
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  std::optional<websocket::stream<beast::tcp_stream>> ws_;
};

// Dock-door controllers: upgrade request read first, timeouts via helper.
class DockDoorSession : public std::enable_shared_from_this<DockDoorSession> {
public:
  explicit DockDoorSession(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    http::async_read(ws_.next_layer(), buf_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      beast::get_lowest_layer(self->ws_).expires_never();
      apply_hub_timeouts(self->ws_);
      self->ws_.async_accept(self->req_, [self](beast::error_code ec2) {
        if (!ec2) std::cout << "dock door online\n";
      });
    });
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
};

// Alarm console: facilities staff dashboards, coroutine based.
asio::awaitable<void> alarm_console(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  co_await ws.async_accept(asio::use_awaitable); // expect: errorshield-ws-timeouts
  beast::flat_buffer b;
  for (;;) {
    co_await ws.async_read(b, asio::use_awaitable);
    b.consume(b.size());
  }
}

asio::awaitable<void> alarm_console_v2(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
  opt.idle_timeout = 120s;
  ws.set_option(opt);
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer b;
  for (;;) {
    co_await ws.async_read(b, asio::use_awaitable);
    b.consume(b.size());
  }
}

// Inventory scanners: the handler was copied from the upstream sync client.
template <class Socket>
asio::awaitable<void> scanner_session(Socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client)); // expect: errorshield-ws-timeouts
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer b;
  for (;;) {
    co_await ws.async_read(b, asio::use_awaitable);
    record_reading("scanner", beast::buffers_to_string(b.data()));
    b.consume(b.size());
  }
}

// Upstream: the hub forwards alarms to the facilities SaaS as a client.
asio::awaitable<void> forward_alarms(std::string host) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver r(ex);
  websocket::stream<beast::tcp_stream> ws(ex);
  auto eps = co_await r.async_resolve(host, "80", asio::use_awaitable);
  co_await beast::get_lowest_layer(ws).async_connect(eps, asio::use_awaitable);
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  co_await ws.async_handshake(host, "/alarms", asio::use_awaitable);
  std::string msg = R"({"room":"F3","celsius":-12.5})";
  co_await ws.async_write(asio::buffer(msg), asio::use_awaitable);
}

asio::awaitable<void> listen(tcp::acceptor acc, int kind) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(asio::use_awaitable);
    auto ex = acc.get_executor();
    switch (kind) {
    case 0: std::make_shared<SensorSession>(std::move(s), "F1")->run(); break;
    case 1: std::make_shared<BlastFreezerSession>(std::move(s))->run(); break;
    case 2: std::make_shared<ForkliftSession>(std::move(s))->run(); break;
    case 3: std::make_shared<DockDoorSession>(std::move(s))->run(); break;
    case 4: asio::co_spawn(ex, alarm_console(std::move(s)), asio::detached); break;
    case 5: asio::co_spawn(ex, alarm_console_v2(std::move(s)), asio::detached); break;
    default: asio::co_spawn(ex, scanner_session(std::move(s)), asio::detached); break;
    }
  }
}

} // namespace coldhub

int main() {
  asio::io_context ioc;
  for (int kind = 0; kind < 7; ++kind)
    asio::co_spawn(ioc,
                   coldhub::listen(tcp::acceptor(ioc, {tcp::v4(), static_cast<unsigned short>(9400 + kind)}), kind),
                   asio::detached);
  asio::co_spawn(ioc, coldhub::forward_alarms("facilities.example"), asio::detached);
  ioc.run();
}
