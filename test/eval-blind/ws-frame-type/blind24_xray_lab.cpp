// checks: errorshield-ws-frame-type
// Dental imaging: keeps the x-ray viewers in each operatory in sync. The
// sensor workstation publishes 16-bit grayscale tiles, dentists annotate
// (caries markers, measurements) and every viewer follows window/level.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace xray {

struct Tile {
  std::uint32_t study_id = 0;
  std::uint16_t x = 0, y = 0;
  std::vector<std::uint16_t> pixels; // 256x256, 12 bits used
};

struct WindowLevel {
  int center = 2048;
  int width = 4096;
};

// ---------------------------------------------------------------------------
// Operatory viewer connection (legacy protocol, v1 clients).
class ViewerSession : public std::enable_shared_from_this<ViewerSession> {
public:
  explicit ViewerSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read_loop();
    });
  }

  void send_tile(const Tile &t) {
    current_ = t;
    ws_.async_write(asio::buffer(current_.pixels), [self = shared_from_this()](beast::error_code, std::size_t) {}); // expect: errorshield-ws-frame-type
  }

private:
  void read_loop() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec)
        return;
      self->on_message(n);
      self->read_loop();
    });
  }

  void on_message(std::size_t n) {
    auto msg = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false); // expect: errorshield-ws-frame-type
    buf_.consume(n);
    if (msg.is_discarded())
      return;
    if (msg.value("type", "") == "wl") {
      wl_.center = msg.value("c", wl_.center);
      wl_.width = msg.value("w", wl_.width);
    }
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  Tile current_;
  WindowLevel wl_;
};

// ---------------------------------------------------------------------------
// v2 viewers: tiles are binary frames, control is JSON text frames.
class ViewerSessionV2 : public std::enable_shared_from_this<ViewerSessionV2> {
public:
  explicit ViewerSessionV2(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read_loop();
    });
  }

  void send_tile(const Tile &t) {
    current_ = t;
    ws_.binary(true);
    ws_.async_write(asio::buffer(current_.pixels), [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  void send_window_level(const WindowLevel &wl) {
    out_ = json{{"type", "wl"}, {"c", wl.center}, {"w", wl.width}}.dump();
    ws_.text(true);
    ws_.async_write(asio::buffer(out_), [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

private:
  void read_loop() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec)
        return;
      if (!self->ws_.got_text()) {
        self->buf_.consume(n);
        self->read_loop();
        return;
      }
      auto msg = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.consume(n);
      if (msg.is_object())
        std::cout << "viewer says " << msg.value("type", "?") << "\n";
      self->read_loop();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  Tile current_;
  std::string out_;
};

// ---------------------------------------------------------------------------
// Annotation sync for the chairside tablet (coroutine).
asio::awaitable<void> annotation_sync(tcp::socket sock, std::vector<std::uint8_t> snapshot_png) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  co_await ws.async_accept(asio::use_awaitable);

  ws.text(true);
  std::string hello = json{{"type", "hello"}, {"format", "png"}}.dump();
  co_await ws.async_write(asio::buffer(hello), asio::use_awaitable);

  // tablet shows a rendered snapshot, not raw tiles
  co_await ws.async_write(asio::buffer(snapshot_png), asio::use_awaitable); // expect: errorshield-ws-frame-type

  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    if (ws.got_binary()) {
      // compact annotations from the tablet app are CBOR
      auto ann = json::from_cbor(beast::buffers_to_string(buf.data()), true, false);
      if (!ann.is_discarded())
        std::cout << "annotation " << ann.value("kind", "") << "\n";
    }
    buf.clear();
  }
}

// ---------------------------------------------------------------------------
// Replicates the annotation log to the practice-management server as CBOR.
template <class Stream>
void replicate_annotations(websocket::stream<Stream> &ws, const json &log) {
  std::vector<std::uint8_t> packed = json::to_cbor(log);
  ws.text(true);
  ws.write(asio::buffer(packed)); // expect: errorshield-ws-frame-type
}

// Sends the study index as plain JSON; the PMS parses it as text.
template <class Stream>
void publish_study_index(websocket::stream<Stream> &ws, const json &index) {
  std::string body = index.dump();
  ws.text(true);
  ws.write(asio::buffer(body));
}

// ---------------------------------------------------------------------------
// Measurement tool: calibration uploads from the sensor workstation.
void calibration_listener(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept();
  beast::flat_buffer buf;
  beast::error_code ec;
  auto handle = [&](const beast::flat_buffer &b) {
    auto cal = json::parse(asio::buffers_begin(b.data()), asio::buffers_end(b.data())); // expect: errorshield-ws-frame-type
    std::cout << "pixel spacing " << cal.value("mm_per_px", 0.0) << "\n";
  };
  while (!ec) {
    ws.read(buf, ec);
    if (ec)
      break;
    handle(buf);
    buf.clear();
  }
}

// Relays frames from the sensor workstation to the archive, preserving type.
void archive_relay(websocket::stream<tcp::socket> &from, websocket::stream<tcp::socket> &to) {
  beast::flat_buffer buf;
  beast::error_code ec;
  for (;;) {
    from.read(buf, ec);
    if (ec)
      break;
    to.text(from.got_text());
    to.write(buf.data(), ec);
    buf.clear();
    if (ec)
      break;
  }
}

// Status text for the reception screen.
void send_status(websocket::stream<tcp::socket> &ws, const std::string &patient_initials) {
  std::string line = "imaging: " + patient_initials + " ready";
  ws.write(asio::buffer(line));
}

} // namespace xray

int main() {
  asio::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 9200});
  std::vector<std::shared_ptr<xray::ViewerSessionV2>> viewers;
  acc.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (ec)
      return;
    auto v = std::make_shared<xray::ViewerSessionV2>(std::move(s));
    v->start();
    viewers.push_back(v);
  });
  websocket::stream<tcp::socket> pms(ioc);
  xray::replicate_annotations(pms, json::array());
  xray::publish_study_index(pms, json::object());
  ioc.run();
}
