// checks: errorshield-ws-frame-type
// Smart-home hub: devices (thermostats, cameras, locks) keep a WebSocket to the
// hub and speak CBOR in binary frames (newer firmware) or JSON in text frames
// (older firmware); the phone app talks JSON. The hub also pushes firmware
// images to devices in binary chunks.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

class app_session;

struct hub_registry {
  std::map<std::string, std::weak_ptr<app_session>> apps;      // by household id
  std::map<std::string, std::vector<std::uint8_t>> firmware;   // by model
};

// ---------------------------------------------------------------------------
// Phone app connection: JSON commands in, JSON events out. The stream is
// never switched out of its default text mode for events.
class app_session : public std::enable_shared_from_this<app_session> {
public:
  app_session(tcp::socket s, hub_registry& reg) : ws_(std::move(s)), reg_(reg) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(16 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read_cmd();
    });
  }

  void push_event(const json& ev) {
    out_.push_back(ev.dump());
    if (out_.size() == 1) flush();
  }

  // Doorbell camera still: forwarded as-is to the phone.
  void push_snapshot(std::shared_ptr<std::vector<std::uint8_t>> jpeg) {
    ws_.async_write(asio::buffer(*jpeg), [self = shared_from_this(), jpeg](beast::error_code, std::size_t) {}); // expect: errorshield-ws-frame-type
  }

private:
  void read_cmd() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec) return;
      self->on_cmd(n);
    });
  }

  void on_cmd(std::size_t n) {
    auto cmd = json::parse(beast::buffers_to_string(in_.data()), nullptr, false); // expect: errorshield-ws-frame-type
    in_.consume(n);
    if (!cmd.is_discarded() && cmd.value("op", "") == "bind")
      reg_.apps[cmd.value("household", "")] = weak_from_this();
    read_cmd();
  }

  void flush() {
    ws_.async_write(asio::buffer(out_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->out_.pop_front();
      if (!self->out_.empty()) self->flush();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  hub_registry& reg_;
  beast::flat_buffer in_;
  std::deque<std::string> out_;
};

// ---------------------------------------------------------------------------
// Device connection. Outgoing frames carry their own type; the writer applies
// it right before each write.
class device_link : public std::enable_shared_from_this<device_link> {
  struct frame {
    std::string bytes;
    bool binary;
  };

public:
  device_link(tcp::socket s, hub_registry& reg) : ws_(std::move(s)), reg_(reg) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(256 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read_next();
    });
  }

  void send_setpoint(double celsius) {
    json j{{"op", "setpoint"}, {"c", celsius}};
    if (cbor_capable_) {
      auto b = json::to_cbor(j);
      enqueue({std::string(b.begin(), b.end()), true});
    } else {
      enqueue({j.dump(), false});
    }
  }

  void start_ota(const std::string& model) {
    auto it = reg_.firmware.find(model);
    if (it == reg_.firmware.end()) return;
    ota_image_ = &it->second;
    ota_offset_ = 0;
    send_ota_chunk();
  }

private:
  void read_next() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec) return;
      self->on_message(n);
      self->read_next();
    });
  }

  void on_message(std::size_t n) {
    json msg;
    if (ws_.got_binary()) {
      auto* p = static_cast<const std::uint8_t*>(in_.data().data());
      msg = json::from_cbor(p, p + n, true, false);
      cbor_capable_ = true;
    } else {
      msg = json::parse(beast::buffers_to_string(in_.data()), nullptr, false);
    }
    in_.consume(n);
    if (msg.is_discarded()) return;
    route(msg);
  }

  void route(const json& msg) {
    const auto kind = msg.value("kind", "");
    if (kind == "telemetry") return forward_telemetry(msg);
    if (kind == "doorbell") return request_snapshot();
    if (kind == "echo") return echo_back();
  }

  // Diagnostic echo: reply with the same frame type the device used.
  void echo_back() {
    ws_.binary(ws_.got_binary());
    echo_buf_ = "echo";
    ws_.async_write(asio::buffer(echo_buf_), [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  void forward_telemetry(const json& t) {
    if (auto app = reg_.apps[t.value("household", "")].lock()) app->push_event(t);
    // Compact receipt so the device can drop the sample from its retry buffer.
    telemetry_cbor_ = json::to_cbor(json{{"ack", t.value("seq", 0)}});
    ws_.text(true);
    ws_.async_write(asio::buffer(telemetry_cbor_), [self = shared_from_this()](beast::error_code, std::size_t) {}); // expect: errorshield-ws-frame-type
  }

  void request_snapshot() {
    enqueue({R"({"op":"snapshot"})", false});
  }

  void send_ota_chunk() {
    const std::size_t chunk = 16 * 1024;
    auto left = ota_image_->size() - ota_offset_;
    if (left == 0) return send_ota_done();
    auto len = std::min(chunk, left);
    ws_.binary(true);
    ws_.async_write(asio::buffer(ota_image_->data() + ota_offset_, len),
                    [self = shared_from_this(), len](beast::error_code ec, std::size_t) {
                      if (ec) return;
                      self->ota_offset_ += len;
                      self->send_ota_chunk();
                    });
  }

  void send_ota_done() {
    ota_status_ = json{{"op", "ota_commit"}, {"size", ota_image_->size()}}.dump();
    ws_.async_write(asio::buffer(ota_status_), [self = shared_from_this()](beast::error_code, std::size_t) {}); // expect: errorshield-ws-frame-type
  }

  void enqueue(frame f) {
    q_.push_back(std::move(f));
    if (q_.size() == 1) write_front();
  }

  void write_front() {
    ws_.binary(q_.front().binary);
    ws_.async_write(asio::buffer(q_.front().bytes), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->q_.pop_front();
      if (!self->q_.empty()) self->write_front();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  hub_registry& reg_;
  beast::flat_buffer in_;
  std::deque<frame> q_;
  std::vector<std::uint8_t> telemetry_cbor_;
  const std::vector<std::uint8_t>* ota_image_ = nullptr;
  std::size_t ota_offset_ = 0;
  std::string ota_status_, echo_buf_;
  bool cbor_capable_ = false;
};

int main() {
  asio::io_context ioc;
  hub_registry reg;
  tcp::acceptor devices(ioc, {tcp::v4(), 8700});
  tcp::acceptor apps(ioc, {tcp::v4(), 8701});

  std::function<void()> accept_device = [&] {
    devices.async_accept([&](beast::error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<device_link>(std::move(s), reg)->start();
      accept_device();
    });
  };
  std::function<void()> accept_app = [&] {
    apps.async_accept([&](beast::error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<app_session>(std::move(s), reg)->start();
      accept_app();
    });
  };
  accept_device();
  accept_app();
  ioc.run();
}
