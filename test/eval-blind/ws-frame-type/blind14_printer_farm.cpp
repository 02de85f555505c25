// checks: errorshield-ws-frame-type
// Printer farm dashboard gateway: pushes printer state, thumbnails and camera
// frames to operator browsers, and streams firmware images to printer controllers.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace farm {

struct PrinterState {
  std::string id;
  double nozzle_c = 0;
  double bed_c = 0;
  int progress_pct = 0;
  std::string job;
};

struct FarmMetrics {
  std::uint64_t json_bytes = 0;
  std::uint64_t cbor_bytes_estimate = 0;
};

inline json state_to_json(const PrinterState& s) {
  return json{{"id", s.id},
              {"nozzle", s.nozzle_c},
              {"bed", s.bed_c},
              {"progress", s.progress_pct},
              {"job", s.job}};
}

inline std::vector<std::uint8_t> load_file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Generic frame writer shared by the dashboard and the controller link.
template <class Stream, class ConstBuffer, class Handler>
void write_frame(Stream& ws, bool binary, const ConstBuffer& buf, Handler&& h) {
  ws.binary(binary);
  ws.async_write(buf, std::forward<Handler>(h));
}

class DashboardSession : public std::enable_shared_from_this<DashboardSession> {
public:
  explicit DashboardSession(tcp::socket sock)
      : ws_(std::move(sock)), camera_timer_(ws_.get_executor()) {}

  void start(std::vector<PrinterState> snapshot) {
    snapshot_ = std::move(snapshot);
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->send_initial_snapshot();
    });
  }

  // First frame after the handshake: the whole farm, msgpack encoded.
  void send_initial_snapshot() {
    json arr = json::array();
    for (const auto& s : snapshot_) arr.push_back(state_to_json(s));
    auto packed = std::make_shared<std::vector<std::uint8_t>>(json::to_msgpack(arr));
    ws_.async_write(net::buffer(*packed), // expect: errorshield-ws-frame-type
                    [self = shared_from_this(), packed](beast::error_code ec, std::size_t) {
                      self->on_write(ec);
                      if (!ec) self->do_read();
                    });
  }

  void send_status(const PrinterState& s) {
    auto body = std::make_shared<std::string>(state_to_json(s).dump());
    ws_.text(true);
    ws_.async_write(net::buffer(*body),
                    [self = shared_from_this(), body](beast::error_code ec, std::size_t) {
                      self->on_write(ec);
                    });
  }

  void send_thumbnail(const std::string& printer_id) {
    auto png = std::make_shared<std::vector<std::uint8_t>>(
        load_file_bytes("/var/lib/farm/thumbs/" + printer_id + ".png"));
    ws_.text(true);
    ws_.async_write(net::buffer(*png), // expect: errorshield-ws-frame-type
                    [self = shared_from_this(), png](beast::error_code ec, std::size_t) {
                      self->on_write(ec);
                    });
  }

  void send_telemetry_batch(const std::vector<PrinterState>& batch) {
    json arr = json::array();
    for (const auto& s : batch) arr.push_back(state_to_json(s));
    auto bytes = std::make_shared<std::vector<std::uint8_t>>(json::to_cbor(arr));
    ws_.binary(true);
    ws_.async_write(net::buffer(*bytes),
                    [self = shared_from_this(), bytes](beast::error_code ec, std::size_t) {
                      self->on_write(ec);
                    });
  }

  void send_alert(const std::string& printer_id, const std::string& reason) {
    json j = {{"type", "alert"}, {"printer", printer_id}, {"reason", reason}};
    auto text = std::make_shared<std::string>(j.dump());
    ws_.binary(true);
    ws_.async_write(net::buffer(*text), // expect: errorshield-ws-frame-type
                    [self = shared_from_this(), text](beast::error_code ec, std::size_t) {
                      self->on_write(ec);
                    });
  }

  void send_job_progress(const PrinterState& s) {
    json j = state_to_json(s);
    j["type"] = "progress";
    // Only used to estimate how much a binary protocol would save.
    auto cbor = json::to_cbor(j);
    metrics_.cbor_bytes_estimate += cbor.size();
    auto body = std::make_shared<std::string>(j.dump());
    metrics_.json_bytes += body->size();
    ws_.text(true);
    ws_.async_write(net::buffer(*body),
                    [self = shared_from_this(), body](beast::error_code ec, std::size_t) {
                      self->on_write(ec);
                    });
  }

  // Camera frames are held back until the webcam has warmed up.
  void schedule_camera_frame(const std::string& printer_id) {
    auto jpeg = std::make_shared<std::vector<std::uint8_t>>(
        load_file_bytes("/run/farm/cam/" + printer_id + ".jpg"));
    pending_camera_ = [this, jpeg] {
      ws_.text(true);
      ws_.async_write(net::buffer(*jpeg), // expect: errorshield-ws-frame-type
                      [self = shared_from_this(), jpeg](beast::error_code ec, std::size_t) {
                        self->on_write(ec);
                      });
    };
    camera_timer_.expires_after(std::chrono::milliseconds(750));
    camera_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec && self->pending_camera_) {
        auto run = std::move(self->pending_camera_);
        self->pending_camera_ = nullptr;
        run();
      }
    });
  }

  void send_gcode_preview(const std::string& job_file) {
    auto raw = load_file_bytes("/var/lib/farm/jobs/" + job_file);
    auto preview = std::make_shared<std::string>(raw.begin(),
                                                 raw.begin() + std::min<std::size_t>(raw.size(), 4096));
    write_frame(ws_, false, net::buffer(*preview),
                [self = shared_from_this(), preview](beast::error_code ec, std::size_t) {
                  self->on_write(ec);
                });
  }

  void send_layer_heightmap(const std::vector<float>& heights) {
    auto blob = std::make_shared<std::vector<float>>(heights);
    write_frame(ws_, true, net::buffer(*blob),
                [self = shared_from_this(), blob](beast::error_code ec, std::size_t) {
                  self->on_write(ec);
                });
  }

  void send_firmware_to_browser(const std::string& model) {
    auto image = std::make_shared<std::vector<std::uint8_t>>(
        load_file_bytes("/var/lib/farm/firmware/" + model + ".bin"));
    write_frame(ws_, false, net::buffer(*image), // expect: errorshield-ws-frame-type
                [self = shared_from_this(), image](beast::error_code ec, std::size_t) {
                  self->on_write(ec);
                });
  }

private:
  void do_read() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->on_message();
      self->do_read();
    });
  }

  void on_message() {
    json cmd;
    if (ws_.got_binary()) {
      auto data = static_cast<const std::uint8_t*>(in_.cdata().data());
      cmd = json::from_cbor(data, data + in_.size(), true, false);
    } else {
      cmd = json::parse(beast::buffers_to_string(in_.cdata()), nullptr, false);
    }
    in_.consume(in_.size());
    if (cmd.is_discarded()) return;
    if (cmd.value("op", "") == "thumb") send_thumbnail(cmd.value("printer", ""));
    if (cmd.value("op", "") == "cam") schedule_camera_frame(cmd.value("printer", ""));
  }

  void on_write(beast::error_code ec) {
    if (ec) last_error_ = ec;
  }

  websocket::stream<beast::tcp_stream> ws_;
  net::steady_timer camera_timer_;
  beast::flat_buffer in_;
  std::vector<PrinterState> snapshot_;
  std::function<void()> pending_camera_;
  FarmMetrics metrics_;
  beast::error_code last_error_;
};

// Controller link: the gateway is the client, the printer's controller board
// runs a tiny WebSocket server that accepts firmware in binary chunks.
net::awaitable<void> push_firmware(websocket::stream<beast::tcp_stream>& ws,
                                   std::vector<std::uint8_t> image, std::string version) {
  json hello = {{"op", "begin_flash"}, {"size", image.size()}, {"version", version}};
  std::string hello_text = hello.dump();
  ws.text(true);
  co_await ws.async_write(net::buffer(hello_text), net::use_awaitable);

  ws.binary(true);
  constexpr std::size_t chunk = 16 * 1024;
  for (std::size_t off = 0; off < image.size(); off += chunk) {
    std::size_t n = std::min(chunk, image.size() - off);
    co_await ws.async_write(net::buffer(image.data() + off, n), net::use_awaitable);
  }

  json done = {{"op", "end_flash"}, {"version", version}};
  std::string done_text = done.dump();
  co_await ws.async_write(net::buffer(done_text), net::use_awaitable); // expect: errorshield-ws-frame-type

  beast::flat_buffer ack;
  co_await ws.async_read(ack, net::use_awaitable);
  if (!ws.got_text()) co_return;
  auto reply = json::parse(beast::buffers_to_string(ack.cdata()), nullptr, false);
  (void)reply;
}

} // namespace farm
