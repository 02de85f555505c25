// checks: errorshield-ws-frame-type
// IoT telemetry gateway (CBOR from devices, JSON to dashboards, JPEG
// snapshots) and a game state broadcaster.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace iot {

std::string base64_encode(std::vector<char> const &in);
void store_reading(json const &j);

using ws_t = websocket::stream<tcp::socket>;

// Devices upload CBOR as binary; the gateway answers with CBOR (correct).
void device_loop(ws_t &ws) {
  beast::flat_buffer buffer;
  for (;;) {
    ws.read(buffer);
    if (ws.got_binary()) {
      auto d = buffer.data();
      auto const *p = static_cast<std::uint8_t const *>(d.data());
      store_reading(json::from_cbor(p, p + d.size()));
    }
    buffer.consume(buffer.size());
    ws.binary(true);
    ws.write(net::buffer(json::to_cbor(json{{"ok", true}})));
  }
}

// Legacy devices: JSON, but the gateway never looks at the opcode.
void legacy_device_loop(ws_t &ws) {
  beast::flat_buffer buffer;
  for (;;) {
    ws.read(buffer);
    auto j = json::parse(beast::buffers_to_string(buffer.data()), nullptr, false); // expect: errorshield-ws-frame-type
    if (!j.is_discarded())
      store_reading(j);
    buffer.consume(buffer.size());
  }
}

// Dashboards: early-return on binary, then parse (correct).
void dashboard_loop(ws_t &ws) {
  beast::flat_buffer buffer;
  for (;;) {
    ws.read(buffer);
    if (ws.got_binary()) {
      buffer.consume(buffer.size());
      continue;
    }
    auto cmd = json::parse(beast::buffers_to_string(buffer.data()));
    buffer.consume(buffer.size());
    ws.text(true);
    ws.write(net::buffer(json{{"echo", cmd}}.dump()));
  }
}

// Camera snapshot straight to the dashboard, stream left in its default
// (text) mode.
void send_snapshot(ws_t &ws, std::string const &path) {
  std::ifstream f(path, std::ios::binary);
  std::vector<char> jpeg{std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
  ws.write(net::buffer(jpeg)); // expect: errorshield-ws-frame-type
}

// Same snapshot, base64 inside a JSON envelope as text (correct).
void send_snapshot_b64(ws_t &ws, std::string const &path) {
  std::ifstream f(path, std::ios::binary);
  std::vector<char> jpeg{std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
  ws.text(true);
  ws.write(net::buffer(json{{"jpeg", base64_encode(jpeg)}}.dump()));
}

// Firmware config pushed as CBOR in a text frame.
void push_config(ws_t &ws, json const &cfg) {
  ws.text(true);
  ws.write(net::buffer(json::to_cbor(cfg))); // expect: errorshield-ws-frame-type
}

} // namespace iot

namespace game {

struct snapshot {
  std::vector<std::byte> encode() const;
};

// Broadcaster: the frame mode is chosen once at accept time, and the state
// snapshots are a packed binary encoding.
class state_broadcaster : public std::enable_shared_from_this<state_broadcaster> {
  websocket::stream<beast::tcp_stream> ws_;
  std::vector<std::byte> out_;
  std::string chat_out_;

public:
  explicit state_broadcaster(tcp::socket &&s) : ws_(std::move(s)) {}

  void run() {
    ws_.async_accept(beast::bind_front_handler(&state_broadcaster::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    ws_.text(true); // the lobby used to send JSON
  }

  void broadcast(snapshot const &s) {
    out_ = s.encode();
    ws_.async_write(net::buffer(out_), [self = shared_from_this()](beast::error_code, std::size_t) {}); // expect: errorshield-ws-frame-type
  }
};

// Chat relay: JSON text with an explicit text(true) before each write (correct).
class chat_relay : public std::enable_shared_from_this<chat_relay> {
  websocket::stream<beast::tcp_stream> ws_;
  std::string out_;

public:
  explicit chat_relay(tcp::socket &&s) : ws_(std::move(s)) {}

  void say(std::string const &who, std::string const &msg) {
    out_ = json{{"from", who}, {"msg", msg}}.dump();
    ws_.text(true);
    ws_.async_write(net::buffer(out_), [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  // Input validation: parse only text frames.
  void on_read(beast::flat_buffer &b) {
    if (ws_.got_text()) {
      auto j = json::parse(beast::buffers_to_string(b.data()));
      say(j.value("from", "?"), j.value("msg", ""));
    }
    b.consume(b.size());
  }
};

} // namespace game
