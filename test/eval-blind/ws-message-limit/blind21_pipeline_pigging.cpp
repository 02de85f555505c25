// checks: errorshield-ws-message-limit
// Pig-tracking telemetry gateway for the northern crude trunk line.
// Field RTUs and the control-room HMI connect over WebSocket; each pig run
// pushes passage events (valve station, timestamp, differential pressure).
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <iostream>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace pigging {

constexpr std::size_t kMaxPassageEvent = 64 * 1024;

struct PassageEvent {
  std::string pig_id;
  std::string station;
  double kp = 0.0;  // kilometre post
  double dp_bar = 0.0;
};

inline PassageEvent decode_event(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  PassageEvent ev;
  if (j.is_discarded()) return ev;
  ev.pig_id = j.value("pig", "");
  ev.station = j.value("station", "");
  ev.kp = j.value("kp", 0.0);
  ev.dp_bar = j.value("dp", 0.0);
  return ev;
}

inline void record(const PassageEvent& ev) {
  std::clog << "pig " << ev.pig_id << " passed " << ev.station << " at KP " << ev.kp
            << " dP=" << ev.dp_bar << " bar\n";
}

// Shared options for every telemetry socket.
template <class Stream>
void apply_rtu_limits(websocket::stream<Stream>& ws) {
  ws.read_message_max(kMaxPassageEvent);
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
}

// ---------------------------------------------------------------------------
// RTU session (callback style). Each RTU sits at a launcher/receiver trap.
class RtuSession : public std::enable_shared_from_this<RtuSession> {
 public:
  explicit RtuSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.async_accept(beast::bind_front_handler(&RtuSession::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    read_next();
  }

  void read_next() {
    ws_.async_read(buffer_, beast::bind_front_handler(&RtuSession::on_read, shared_from_this())); // expect: errorshield-ws-message-limit
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    record(decode_event(beast::buffers_to_string(buffer_.data())));
    buffer_.consume(buffer_.size());
    read_next();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

// ---------------------------------------------------------------------------
// HMI session: operators acknowledge alarms from the control room.
class HmiSession : public std::enable_shared_from_this<HmiSession> {
 public:
  explicit HmiSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    apply_rtu_limits(ws_);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->loop();
    });
  }

 private:
  void loop() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      std::clog << "HMI ack: " << beast::buffers_to_string(self->buffer_.data()) << "\n";
      self->buffer_.consume(self->buffer_.size());
      self->loop();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

// ---------------------------------------------------------------------------
// Bulk upload of in-line inspection (ILI) summaries after a run. Engineers
// asked for "no cap" because the magnetic flux logs can be large.
asio::awaitable<void> ili_upload_session(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.read_message_max(0);  // expect: errorshield-ws-message-limit
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    std::clog << "ILI chunk " << buf.size() << " bytes\n";
    buf.consume(buf.size());
  }
}

// Tracking-point geophones stream raw sample frames.
asio::awaitable<void> geophone_session(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.read_message_max(std::numeric_limits<std::uint64_t>::max());  // expect: errorshield-ws-message-limit
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    buf.consume(buf.size());
  }
}

// Pig location query from the field tablet app.
asio::awaitable<void> tablet_session(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);  // expect: errorshield-ws-message-limit
    auto ev = decode_event(beast::buffers_to_string(buf.data()));
    ws.text(true);
    co_await ws.async_write(asio::buffer("{\"ok\":true}"), asio::use_awaitable);
    buf.consume(buf.size());
    (void)ev;
  }
}

// Pressure-transmitter session: a small bounded buffer is enough here.
asio::awaitable<void> pressure_session(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.read_message_max(8 * 1024);
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    buf.consume(buf.size());
  }
}

// ---------------------------------------------------------------------------
// Legacy synchronous tap for the SCADA historian (one thread, one peer).
void historian_tap(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  // Historian dumps whole shifts at once; give it room.
  ws.read_message_max(std::size_t{8} * 1024 * 1024 * 1024);  // expect: errorshield-ws-message-limit
  ws.accept();
  beast::flat_buffer buf;
  beast::error_code ec;
  while (!ec) {
    ws.read(buf, ec);
    buf.consume(buf.size());
  }
}

// Maintenance laptop: sync, limit applied by the shared helper.
void maintenance_tap(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  apply_rtu_limits(ws);
  ws.accept();
  beast::flat_buffer buf;
  beast::error_code ec;
  while (!ec) {
    ws.read(buf, ec);
    if (!ec) record(decode_event(beast::buffers_to_string(buf.data())));
    buf.consume(buf.size());
  }
}

// Template so the same reader serves the plain and the test-harness stream.
template <class NextLayer>
void drain_station_log(websocket::stream<NextLayer>& ws, std::vector<PassageEvent>& out) {
  beast::flat_buffer buf;
  beast::error_code ec;
  for (;;) {
    ws.read(buf, ec);  // expect: errorshield-ws-message-limit
    if (ec) break;
    out.push_back(decode_event(beast::buffers_to_string(buf.data())));
    buf.consume(buf.size());
  }
}

void station_log_session(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept();
  std::vector<PassageEvent> events;
  drain_station_log(ws, events);
  for (const auto& e : events) record(e);
}

// Trap-door interlock: a single short command per connection.
void interlock_session(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.read_message_max(4096);
  ws.accept();
  beast::flat_buffer buf;
  beast::error_code ec;
  ws.read(buf, ec);
  if (!ec) std::clog << "interlock: " << beast::buffers_to_string(buf.data()) << "\n";
}

// ---------------------------------------------------------------------------
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& ioc, tcp::endpoint ep) : ioc_(ioc), acceptor_(ioc, ep) {}
  void run() { accept(); }

 private:
  void accept() {
    acceptor_.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket s) {
      if (!ec) {
        if (s.local_endpoint().port() == 9101)
          std::make_shared<RtuSession>(std::move(s))->start();
        else
          std::make_shared<HmiSession>(std::move(s))->start();
      }
      self->accept();
    });
  }

  asio::io_context& ioc_;
  tcp::acceptor acceptor_;
};

}  // namespace pigging

int main() {
  asio::io_context ioc;
  std::make_shared<pigging::Listener>(ioc, tcp::endpoint{tcp::v4(), 9101})->run();
  tcp::acceptor ili(ioc, {tcp::v4(), 9102});
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        for (;;) {
          auto s = co_await ili.async_accept(asio::use_awaitable);
          asio::co_spawn(ioc, pigging::ili_upload_session(std::move(s)), asio::detached);
        }
      },
      asio::detached);
  ioc.run();
}
