// checks: errorshield-ws-frame-type
// Satellite telemetry gateway: ground stations push/pull housekeeping frames,
// operators send commands, dashboards get JSON summaries.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstring>
#include <deque>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace telemetry {

struct HousekeepingFrame {
  std::uint32_t spacecraft_id = 0;
  std::uint64_t met_ms = 0; // mission elapsed time
  float battery_v = 0.f;
  float panel_temp_c = 0.f;
  std::uint16_t mode = 0;
};

inline std::vector<std::uint8_t> pack(const HousekeepingFrame &f) {
  std::vector<std::uint8_t> out(sizeof(f));
  std::memcpy(out.data(), &f, sizeof(f));
  return out;
}

inline json summarize(const HousekeepingFrame &f) {
  return json{{"sc", f.spacecraft_id}, {"met", f.met_ms}, {"vbat", f.battery_v},
              {"temp", f.panel_temp_c}, {"mode", f.mode}};
}

inline void execute_command(const json &cmd) {
  std::cout << "uplink command: " << cmd.value("op", "noop") << '\n';
}

// Ground station link: raw housekeeping frames down, commands up.
class GroundStationSession : public std::enable_shared_from_this<GroundStationSession> {
public:
  explicit GroundStationSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->do_read();
    });
  }

  void send_frame(const HousekeepingFrame &f) {
    auto bytes = std::make_shared<std::vector<std::uint8_t>>(pack(f));
    ws_.text(true);
    ws_.async_write(asio::buffer(*bytes), // expect: errorshield-ws-frame-type
                    [self = shared_from_this(), bytes](beast::error_code, std::size_t) {});
  }

private:
  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&GroundStationSession::on_read,
                                                      shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    auto cmd = json::parse(beast::buffers_to_string(buffer_.data())); // expect: errorshield-ws-frame-type
    buffer_.consume(buffer_.size());
    execute_command(cmd);
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

// Mission-ops console: accepts both JSON commands and binary file uploads.
class OpsConsoleSession : public std::enable_shared_from_this<OpsConsoleSession> {
public:
  explicit OpsConsoleSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->do_read();
    });
  }

private:
  void do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->handle_message();
      self->do_read();
    });
  }

  void handle_message() {
    if (ws_.got_text()) {
      auto cmd = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
      if (!cmd.is_discarded())
        execute_command(cmd);
    } else {
      std::cout << "uplink file chunk: " << buffer_.size() << " bytes\n";
    }
    buffer_.consume(buffer_.size());
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

// Archive replay: streams stored passes to analysis tools as CBOR.
asio::awaitable<void> archive_replay(websocket::stream<tcp::socket> &ws,
                                     const std::vector<HousekeepingFrame> &pass) {
  for (const auto &f : pass) {
    std::vector<std::uint8_t> cbor = json::to_cbor(summarize(f));
    co_await ws.async_write(asio::buffer(cbor), asio::use_awaitable); // expect: errorshield-ws-frame-type
  }
}

// Live feed for the flight-dynamics team, MessagePack encoded.
asio::awaitable<void> flight_dynamics_feed(websocket::stream<tcp::socket> &ws,
                                           std::deque<HousekeepingFrame> &queue) {
  ws.binary(true);
  while (!queue.empty()) {
    auto packed = json::to_msgpack(summarize(queue.front()));
    queue.pop_front();
    co_await ws.async_write(asio::buffer(packed), asio::use_awaitable);
  }
}

// Browser dashboard: JSON text summaries.
asio::awaitable<void> dashboard_feed(websocket::stream<tcp::socket> &ws,
                                     const std::vector<HousekeepingFrame> &latest) {
  ws.text(true);
  for (const auto &f : latest) {
    std::string body = summarize(f).dump();
    co_await ws.async_write(asio::buffer(body), asio::use_awaitable);
  }
}

// Mobile alert app: sends alarm JSON.
asio::awaitable<void> alert_push(websocket::stream<tcp::socket> &ws, const HousekeepingFrame &f) {
  json alarm = {{"alarm", "undervoltage"}, {"sc", f.spacecraft_id}, {"vbat", f.battery_v}};
  std::string text = alarm.dump();
  ws.binary(true);
  co_await ws.async_write(asio::buffer(text), asio::use_awaitable); // expect: errorshield-ws-frame-type
}

// Raw ADC samples for the payload team, synchronous tool link.
template <class WebSocket>
void push_raw_samples(WebSocket &ws, const std::vector<float> &samples) {
  ws.text(true);
  ws.write(asio::buffer(samples)); // expect: errorshield-ws-frame-type
}

// Calibration tool: checks the opcode before decoding.
template <class WebSocket> json read_calibration(WebSocket &ws) {
  beast::flat_buffer buf;
  ws.read(buf);
  if (ws.got_binary()) {
    auto data = static_cast<const std::uint8_t *>(buf.data().data());
    return json::from_cbor(data, data + buf.size());
  }
  return json::parse(beast::buffers_to_string(buf.data()));
}

// Downlink of raw frames for the antenna site, sent in binary mode.
void relay_raw(websocket::stream<tcp::socket> &ws, const HousekeepingFrame &f) {
  auto bytes = pack(f);
  ws.binary(true);
  ws.write(asio::buffer(bytes));
}

// Payload-team tool session (runs on its own worker).
void payload_tool_session(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept();
  auto cal = read_calibration(ws);
  std::vector<float> samples(cal.value("n", 256), 0.f);
  push_raw_samples(ws, samples);
}

} // namespace telemetry

int main() {
  asio::io_context ioc;
  tcp::acceptor acceptor(ioc, {tcp::v4(), 7400});
  acceptor.async_accept([&](beast::error_code ec, tcp::socket sock) {
    if (ec)
      return;
    auto gs = std::make_shared<telemetry::GroundStationSession>(std::move(sock));
    gs->start();
    gs->send_frame(telemetry::HousekeepingFrame{42, 1000, 28.1f, -12.5f, 3});
  });
  ioc.run();
}
