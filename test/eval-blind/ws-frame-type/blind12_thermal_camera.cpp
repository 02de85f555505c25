// checks: errorshield-ws-frame-type
// Thermal camera gateway: pushes radiometric frames from the FLIR-style core
// to browser viewers over WebSocket, plus JSON status/alarm side messages.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace thermal {

struct Frame {
  std::uint32_t seq = 0;
  std::uint16_t width = 160;
  std::uint16_t height = 120;
  float min_c = 0.0f;
  float max_c = 0.0f;
  std::vector<std::uint16_t> counts;  // raw 14-bit radiometric counts
};

struct Hotspot {
  int x = 0;
  int y = 0;
  float celsius = 0.0f;
};

// Provided by the sensor driver / codec layer.
Frame grab_frame();
std::vector<std::uint8_t> encode_png(const Frame& f);
std::vector<std::uint8_t> encode_jpeg(const Frame& f, int quality);
std::string base64_encode(const std::vector<std::uint8_t>& bytes);
std::vector<Hotspot> find_hotspots(const Frame& f, float threshold_c);

inline json hotspots_to_json(const std::vector<Hotspot>& spots) {
  json arr = json::array();
  for (const auto& s : spots) {
    arr.push_back({{"x", s.x}, {"y", s.y}, {"c", s.celsius}});
  }
  return arr;
}

using WsStream = websocket::stream<beast::tcp_stream>;

// Snapshot download used by the "save still" button; works for plain and
// TLS streams, hence the template.
template <class Ws>
void send_snapshot(Ws& ws, const Frame& f) {
  std::vector<std::uint8_t> png = encode_png(f);
  ws.text(true);
  ws.write(net::buffer(png));  // expect: errorshield-ws-frame-type
}

// Diagnostic overlay: text mode is correct here, the payload is JSON.
template <class Ws>
void send_overlay(Ws& ws, const Frame& f) {
  json j{{"seq", f.seq}, {"min", f.min_c}, {"max", f.max_c}};
  ws.text(true);
  ws.write(net::buffer(j.dump()));
}

class ViewerSession : public std::enable_shared_from_this<ViewerSession> {
 public:
  explicit ViewerSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(beast::bind_front_handler(&ViewerSession::on_accept, shared_from_this()));
  }

  WsStream& ws() { return ws_; }

  // OK: raw counts go out as a binary frame.
  void send_frame(const Frame& f) {
    auto buf = std::make_shared<std::vector<std::uint16_t>>(f.counts);
    ws_.binary(true);
    ws_.async_write(net::buffer(*buf),
                    [self = shared_from_this(), buf](beast::error_code ec, std::size_t) {
                      if (ec) self->fail(ec, "frame");
                    });
  }

  // OK: status is JSON, text frame.
  void send_status(double fps, float fpa_temp) {
    auto msg = std::make_shared<std::string>(
        json{{"type", "status"}, {"fps", fps}, {"fpa_c", fpa_temp}}.dump());
    ws_.text(true);
    ws_.async_write(net::buffer(*msg), [self = shared_from_this(), msg](beast::error_code ec, std::size_t) {
      if (ec) self->fail(ec, "status");
    });
  }

  // The colour lookup table is 256 RGB triples the viewer applies on the GPU.
  void send_palette(const std::vector<std::uint8_t>& lut) {
    lut_ = lut;
    ws_.text(true);
    ws_.async_write(net::buffer(lut_), [self = shared_from_this()](beast::error_code ec, std::size_t) {  // expect: errorshield-ws-frame-type
      if (ec) self->fail(ec, "palette");
    });
  }

  // Alarm when a hotspot crosses the configured threshold.
  void send_alarm(const std::vector<Hotspot>& spots, std::uint32_t seq) {
    auto body = std::make_shared<std::string>(
        json{{"type", "alarm"}, {"seq", seq}, {"spots", hotspots_to_json(spots)}}.dump());
    ws_.binary(true);
    ws_.async_write(net::buffer(*body), [self = shared_from_this(), body](beast::error_code ec, std::size_t) {  // expect: errorshield-ws-frame-type
      if (ec) self->fail(ec, "alarm");
    });
  }

  // OK: the thumbnail is base64 text, safe in a text frame.
  void send_thumbnail(const Frame& f) {
    auto b64 = std::make_shared<std::string>(base64_encode(encode_jpeg(f, 60)));
    ws_.text(true);
    ws_.async_write(net::buffer(*b64), [self = shared_from_this(), b64](beast::error_code ec, std::size_t) {
      if (ec) self->fail(ec, "thumb");
    });
  }

  // OK: CBOR blob is only measured for the log; what is sent is the JSON.
  void send_hotspot_summary(const std::vector<Hotspot>& spots) {
    json j{{"type", "hotspots"}, {"spots", hotspots_to_json(spots)}};
    std::vector<std::uint8_t> cbor = json::to_cbor(j);
    std::fprintf(stderr, "hotspots: json=%zu cbor=%zu\n", j.dump().size(), cbor.size());
    auto text = std::make_shared<std::string>(j.dump());
    ws_.text(true);
    ws_.async_write(net::buffer(*text), [self = shared_from_this(), text](beast::error_code ec, std::size_t) {
      if (ec) self->fail(ec, "hotspots");
    });
  }

  // Compact hotspot feed for the embedded dashboards.
  void send_hotspots_compact(const std::vector<Hotspot>& spots) {
    auto packed = std::make_shared<std::vector<std::uint8_t>>(json::to_cbor(hotspots_to_json(spots)));
    ws_.text(true);
    ws_.async_write(net::buffer(*packed), [self = shared_from_this(), packed](beast::error_code ec, std::size_t) {  // expect: errorshield-ws-frame-type
      if (ec) self->fail(ec, "compact");
    });
  }

  // Flat-field correction runs on the sensor; the driver calls us back later.
  void arm_ffc_notification() {
    on_ffc_done_ = [this](std::uint32_t seq) {
      auto note = std::make_shared<std::string>(json{{"type", "ffc_done"}, {"seq", seq}}.dump());
      ws_.binary(true);
      ws_.async_write(net::buffer(*note), [note](beast::error_code, std::size_t) {});  // expect: errorshield-ws-frame-type
    };
  }

  void ffc_finished(std::uint32_t seq) {
    if (on_ffc_done_) on_ffc_done_(seq);
  }

  // OK: command echo keeps whatever frame type the viewer used.
  void echo_command() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->fail(ec, "read");
      self->ws_.text(self->ws_.got_text());
      self->ws_.write(self->in_.data());
      self->in_.consume(self->in_.size());
    });
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "accept");
    echo_command();
  }

  void fail(beast::error_code ec, const char* what) {
    std::fprintf(stderr, "viewer %s: %s\n", what, ec.message().c_str());
  }

  WsStream ws_;
  beast::flat_buffer in_;
  std::vector<std::uint8_t> lut_;
  std::function<void(std::uint32_t)> on_ffc_done_;
};

// Coroutine streamer used by the headless recorder clients: every frame is a
// JSON header followed by the raw pixel block.
net::awaitable<void> stream_to_recorder(WsStream& ws, float alarm_c) {
  for (;;) {
    Frame f = grab_frame();
    json header{{"seq", f.seq}, {"w", f.width}, {"h", f.height}, {"min", f.min_c}, {"max", f.max_c}};
    std::string hdr = header.dump();
    ws.text(true);
    co_await ws.async_write(net::buffer(hdr), net::use_awaitable);

    co_await ws.async_write(net::buffer(f.counts), net::use_awaitable);  // expect: errorshield-ws-frame-type

    if (f.max_c > alarm_c) {
      std::string alarm = json{{"type", "alarm"}, {"seq", f.seq}}.dump();
      co_await ws.async_write(net::buffer(alarm), net::use_awaitable);
    }
  }
}

// OK: same protocol, frame type switched for every part.
net::awaitable<void> stream_to_viewer(WsStream& ws) {
  for (;;) {
    Frame f = grab_frame();
    std::string hdr = json{{"seq", f.seq}, {"w", f.width}, {"h", f.height}}.dump();
    ws.text(true);
    co_await ws.async_write(net::buffer(hdr), net::use_awaitable);
    ws.binary(true);
    co_await ws.async_write(net::buffer(f.counts), net::use_awaitable);
  }
}

void serve_one(tcp::socket sock, bool recorder) {
  auto session = std::make_shared<ViewerSession>(std::move(sock));
  session->start();
  if (recorder) {
    net::co_spawn(session->ws().get_executor(),
                  [session]() -> net::awaitable<void> { co_await stream_to_recorder(session->ws(), 80.0f); },
                  net::detached);
  }
}

void snapshot_and_overlay(WsStream& ws) {
  Frame f = grab_frame();
  send_overlay(ws, f);
  send_snapshot(ws, f);
}

}  // namespace thermal
