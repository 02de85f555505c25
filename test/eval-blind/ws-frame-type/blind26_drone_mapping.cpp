// checks: errorshield-ws-frame-type
// Drone mapping ground station: survey drones upload telemetry and orthophoto tiles,
// browser map viewers subscribe to tile updates and mission status.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <deque>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace groundstation {

struct tile {
  int zoom = 0, x = 0, y = 0;
  std::vector<std::uint8_t> png; // encoded image bytes
};

struct telemetry {
  std::string drone_id;
  double lat = 0, lon = 0, alt_m = 0;
  int battery_pct = 0;
};

inline void to_json(json &j, const telemetry &t) {
  j = json{{"drone_id", t.drone_id}, {"lat", t.lat}, {"lon", t.lon}, {"alt_m", t.alt_m},
           {"battery_pct", t.battery_pct}};
}

inline std::vector<std::uint8_t> render_tile(int z, int x, int y) {
  // placeholder: real renderer stitches the latest photos
  return std::vector<std::uint8_t>{0x89, 'P', 'N', 'G', static_cast<std::uint8_t>(z),
                                   static_cast<std::uint8_t>(x), static_cast<std::uint8_t>(y)};
}

// One map viewer in a browser.
class viewer_session : public std::enable_shared_from_this<viewer_session> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  std::deque<std::vector<std::uint8_t>> tiles_;

public:
  explicit viewer_session(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read_request();
    });
  }

private:
  void read_request() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->on_request();
    });
  }

  void on_request() {
    if (!ws_.got_text()) {
      in_.consume(in_.size());
      read_request();
      return;
    }
    auto req = json::parse(beast::buffers_to_string(in_.data()), nullptr, false);
    in_.consume(in_.size());
    if (req.is_discarded()) {
      read_request();
      return;
    }
    auto png = render_tile(req.value("z", 0), req.value("x", 0), req.value("y", 0));
    send_tile(std::move(png));
  }

  void send_tile(std::vector<std::uint8_t> png) {
    tiles_.push_back(std::move(png));
    auto &front = tiles_.front();
    ws_.async_write(net::buffer(front), [self = shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-ws-frame-type
      self->tiles_.pop_front();
      if (!ec)
        self->read_request();
    });
  }
};

// Drone uplink: drones send JSON telemetry as text and raw tiles as binary frames.
net::awaitable<void> drone_uplink(tcp::socket s) {
  websocket::stream<beast::tcp_stream> ws(std::move(s));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(net::use_awaitable);
  for (;;) {
    beast::flat_buffer buf;
    co_await ws.async_read(buf, net::use_awaitable);
    if (ws.got_binary()) {
      std::cout << "tile upload " << buf.size() << " bytes\n";
      continue;
    }
    auto msg = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    if (!msg.is_discarded())
      std::cout << "telemetry from " << msg.value("drone_id", "?") << "\n";
  }
}

// Legacy fleet (firmware < 3.2): only ever sends telemetry, so we just parse it.
net::awaitable<void> legacy_uplink(tcp::socket s) {
  websocket::stream<beast::tcp_stream> ws(std::move(s));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    auto msg = json::parse(beast::buffers_to_string(buf.data())); // expect: errorshield-ws-frame-type
    buf.consume(buf.size());
    std::cout << "legacy telemetry alt=" << msg.value("alt_m", 0.0) << "\n";
  }
}

// Mission status push to the operations dashboard, compact CBOR to save bandwidth.
template <class Stream>
net::awaitable<void> push_mission_status(websocket::stream<Stream> &ws, const telemetry &t) {
  std::vector<std::uint8_t> packed = json::to_cbor(json(t));
  ws.text(true);
  co_await ws.async_write(net::buffer(packed), net::use_awaitable); // expect: errorshield-ws-frame-type
}

// Same dashboard, human-readable variant for the debug view.
template <class Stream>
net::awaitable<void> push_mission_status_debug(websocket::stream<Stream> &ws, const telemetry &t) {
  std::string text = json(t).dump();
  ws.text(true);
  co_await ws.async_write(net::buffer(text), net::use_awaitable);
}

// Flight-log archive: binary, marked as such.
inline void archive_flight_log(websocket::stream<tcp::socket> &ws, const std::vector<telemetry> &log) {
  json arr = json::array();
  for (const auto &t : log)
    arr.push_back(t);
  std::vector<std::uint8_t> packed = json::to_msgpack(arr);
  ws.binary(true);
  ws.write(net::buffer(packed));
}

// Geofence alerts sent to the safety officer's tablet.
class alert_channel {
  websocket::stream<tcp::socket> ws_;

public:
  explicit alert_channel(tcp::socket s) : ws_(std::move(s)) { ws_.accept(); }

  void send_alert(const std::string &drone, const std::vector<std::uint8_t> &snapshot_jpeg) {
    json j{{"type", "geofence"}, {"drone", drone}};
    ws_.text(true);
    ws_.write(net::buffer(j.dump()));
    ws_.write(net::buffer(snapshot_jpeg)); // expect: errorshield-ws-frame-type
  }

  void send_alert_fixed(const std::string &drone, const std::vector<std::uint8_t> &snapshot_jpeg) {
    json j{{"type", "geofence"}, {"drone", drone}};
    ws_.text(true);
    ws_.write(net::buffer(j.dump()));
    ws_.binary(true);
    ws_.write(net::buffer(snapshot_jpeg));
  }

  // Echo tool for field testing: reply with the same frame type we received.
  void echo_once() {
    beast::flat_buffer b;
    ws_.read(b);
    ws_.text(ws_.got_text());
    ws_.write(b.data());
  }

  // Operator commands come in as text; anything else is rejected.
  json read_command() {
    beast::flat_buffer b;
    ws_.read(b);
    if (ws_.got_binary())
      return json{{"error", "binary frames not accepted"}};
    return json::parse(beast::buffers_to_string(b.data()), nullptr, false);
  }

  // Elevation model chunks from the photogrammetry worker, always decoded as CBOR.
  json read_elevation_chunk() {
    beast::flat_buffer b;
    ws_.read(b);
    if (ws_.got_text())
      return json{{"error", "expected CBOR chunk"}};
    std::string raw = beast::buffers_to_string(b.data());
    return json::from_cbor(raw, true, false);
  }

  // Ground control points are typed in by the surveyor as text.
  json read_gcp() {
    beast::flat_buffer b;
    ws_.read(b);
    std::string body = beast::buffers_to_string(b.data());
    return json::parse(body); // expect: errorshield-ws-frame-type
  }
};

net::awaitable<void> accept_loop(tcp::acceptor acc, bool legacy) {
  for (;;) {
    auto s = co_await acc.async_accept(net::use_awaitable);
    if (legacy)
      net::co_spawn(acc.get_executor(), legacy_uplink(std::move(s)), net::detached);
    else
      net::co_spawn(acc.get_executor(), drone_uplink(std::move(s)), net::detached);
  }
}

} // namespace groundstation

int main() {
  net::io_context ioc;
  net::co_spawn(ioc, groundstation::accept_loop(tcp::acceptor(ioc, {tcp::v4(), 7000}), false), net::detached);
  net::co_spawn(ioc, groundstation::accept_loop(tcp::acceptor(ioc, {tcp::v4(), 7001}), true), net::detached);
  tcp::acceptor viewers(ioc, {tcp::v4(), 8080});
  viewers.async_accept([](beast::error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<groundstation::viewer_session>(std::move(s))->start();
  });
  ioc.run();
}
