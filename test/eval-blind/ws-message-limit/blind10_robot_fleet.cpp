// checks: errorshield-ws-message-limit
// Warehouse robot fleet control: AMRs keep a control link to the fleet
// manager, operators steer robots from tablets, telemetry is streamed in.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace fleet {

struct FleetConfig {
  std::size_t control_frame_kb = 16;
  std::size_t diag_frame_kb = 512;
  std::string firmware_dir = "/var/lib/fleet/fw";
};

struct Pose {
  double x = 0, y = 0, theta = 0;
};

// Control link to one robot. Generic so the simulator can run it over a pipe.
template <class NextLayer>
class RobotLink : public std::enable_shared_from_this<RobotLink<NextLayer>> {
public:
  RobotLink(NextLayer next, FleetConfig const &cfg, std::string robot_id)
      : ws_(std::move(next)), robot_id_(std::move(robot_id)) {
    ws_.read_message_max(cfg.control_frame_kb * 1024);
    ws_.binary(true);
  }

  void start() {
    ws_.async_accept([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read_status();
    });
  }

  Pose const &pose() const { return pose_; }

private:
  void read_status() {
    ws_.async_read(buf_, [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec)
        return;
      auto j = json::from_cbor(std::vector<std::uint8_t>(static_cast<std::uint8_t const *>(self->buf_.data().data()),
                                                         static_cast<std::uint8_t const *>(self->buf_.data().data()) + n),
                               true, false);
      self->buf_.consume(n);
      if (j.is_object())
        self->pose_ = Pose{j.value("x", 0.0), j.value("y", 0.0), j.value("th", 0.0)};
      self->read_status();
    });
  }

  websocket::stream<NextLayer> ws_;
  std::string robot_id_;
  beast::flat_buffer buf_;
  Pose pose_;
};

template class RobotLink<beast::tcp_stream>;

// Operator tablet: manual jog commands, streamed in chunks.
class OperatorSession : public std::enable_shared_from_this<OperatorSession> {
public:
  explicit OperatorSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read_chunk();
    });
  }

private:
  void read_chunk() {
    ws_.async_read_some(net::buffer(chunk_), [self = shared_from_this()](beast::error_code ec, std::size_t n) { // expect: errorshield-ws-message-limit
      if (ec)
        return;
      self->pending_.append(self->chunk_.data(), n);
      if (self->ws_.is_message_done()) {
        std::clog << "jog command: " << self->pending_ << '\n';
        self->pending_.clear();
      }
      self->read_chunk();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::array<char, 4096> chunk_{};
  std::string pending_;
};

// Charging docks report state of charge; tiny JSON messages.
class DockSession : public std::enable_shared_from_this<DockSession> {
public:
  explicit DockSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      self->ws_.read_message_max(1024);
      self->ws_.async_read(self->buf_, [self](beast::error_code, std::size_t) {});
    });
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
};

// Robots push firmware crash dumps and accept OTA images over this channel.
class FirmwareChannel : public std::enable_shared_from_this<FirmwareChannel> {
public:
  explicit FirmwareChannel(tcp::socket sock) : ws_(std::move(sock)) {}

  void start() {
    ws_.read_message_max(0); // expect: errorshield-ws-message-limit
    ws_.binary(true);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->ws_.async_read(self->buf_, [self](beast::error_code ec, std::size_t n) {
          if (!ec)
            std::clog << "crash dump " << n << " bytes\n";
        });
    });
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
};

// Telemetry (lidar summaries, motor currents). Reading is paused while the
// fleet is in e-stop and resumed by the safety controller later on.
struct TelemetryChannel {
  explicit TelemetryChannel(tcp::socket sock) : ws(std::move(sock)) {}
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buf;
  std::string robot_id;
};

class FleetController {
public:
  void add_telemetry(std::shared_ptr<TelemetryChannel> ch) {
    channels_[ch->robot_id] = ch;
    TelemetryChannel *raw = ch.get();
    resume_[ch->robot_id] = [this, raw] {
      raw->ws.async_read(raw->buf, [this, raw](beast::error_code ec, std::size_t n) { // expect: errorshield-ws-message-limit
        if (ec)
          return;
        on_telemetry(raw->robot_id, beast::buffers_to_string(raw->buf.data()));
        raw->buf.consume(n);
        resume_[raw->robot_id]();
      });
    };
  }

  void estop_cleared() {
    for (auto &[id, resume] : resume_)
      resume();
  }

  // Broadcast a mission to every robot's telemetry socket (write-only use).
  void broadcast_mission(json const &mission) {
    auto text = std::make_shared<std::string>(mission.dump());
    for (auto &[id, ch] : channels_)
      ch->ws.async_write(net::buffer(*text), [text](beast::error_code, std::size_t) {});
  }

private:
  void on_telemetry(std::string const &robot, std::string const &payload) {
    std::clog << robot << " telemetry " << payload.size() << " bytes\n";
  }

  std::unordered_map<std::string, std::shared_ptr<TelemetryChannel>> channels_;
  std::unordered_map<std::string, std::function<void()>> resume_;
};

// Field-engineer diagnostics CLI: connects to a robot's debug port.
std::string dump_robot_diagnostics(net::io_context &ioc, tcp::endpoint robot) {
  websocket::stream<tcp::socket> ws(ioc);
  ws.next_layer().connect(robot);
  ws.handshake("robot.local", "/diag");
  ws.write(net::buffer(std::string(R"({"cmd":"dump"})")));
  beast::flat_buffer buf;
  ws.read(buf); // expect: errorshield-ws-message-limit
  return beast::buffers_to_string(buf.data());
}

// Same tool, map export: bounded by config.
std::string export_robot_map(net::io_context &ioc, tcp::endpoint robot, FleetConfig const &cfg) {
  websocket::stream<tcp::socket> ws(ioc);
  ws.read_message_max(cfg.diag_frame_kb * 1024);
  ws.next_layer().connect(robot);
  ws.handshake("robot.local", "/map");
  beast::flat_buffer buf;
  beast::error_code ec;
  ws.read(buf, ec);
  if (ec)
    return {};
  return beast::buffers_to_string(buf.data());
}

} // namespace fleet
