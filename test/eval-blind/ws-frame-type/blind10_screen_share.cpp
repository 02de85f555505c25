// checks: errorshield-ws-frame-type
// Screen-sharing gateway: the host agent pushes dirty-rect tiles, cursor state
// and clipboard contents to browser viewers over one WebSocket per viewer.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using asio::awaitable;
using asio::use_awaitable;

namespace rd {

struct Rect {
  int x = 0, y = 0, w = 0, h = 0;
};

struct Tile {
  Rect area;
  std::vector<std::byte> jpeg;  // encoded by the capture pipeline
};

struct CursorState {
  int x = 0, y = 0;
  bool visible = true;
  std::uint32_t shape_id = 0;
};

struct Clipboard {
  bool is_image = false;
  std::string text;                  // valid when !is_image
  std::vector<std::uint8_t> png;     // valid when is_image
};

// Implemented by the capture library.
std::vector<std::byte> encode_dirty_rect(const Rect& r, int quality);
std::string grab_snapshot_png(int display);
std::string to_data_uri(const std::vector<std::uint8_t>& png);
std::optional<Tile> next_tile();

using Ws = websocket::stream<beast::tcp_stream>;

struct Viewer {
  explicit Viewer(tcp::socket s) : ws(std::move(s)) {}
  Ws ws;
  std::string id;
  int quality = 70;
  bool wants_cursor = true;
};

// Tiles are the bulk of the traffic.
awaitable<void> push_tiles(Viewer& v) {
  while (auto tile = next_tile()) {
    json hdr{{"type", "tile"}, {"x", tile->area.x}, {"y", tile->area.y},
             {"w", tile->area.w}, {"h", tile->area.h}};
    v.ws.text(true);
    co_await v.ws.async_write(asio::buffer(hdr.dump()), use_awaitable);
    v.ws.binary(true);
    co_await v.ws.async_write(asio::buffer(tile->jpeg), use_awaitable);
  }
}

// Keyframe after a viewer joins or after packet loss.
awaitable<void> push_full_frame(Viewer& v, int width, int height) {
  auto bytes = encode_dirty_rect(Rect{0, 0, width, height}, v.quality);
  v.ws.text(true);
  co_await v.ws.async_write(asio::buffer(bytes), use_awaitable); // expect: errorshield-ws-frame-type
}

// Cursor updates: packed with MessagePack because they are sent per mouse move.
awaitable<void> push_cursor(Viewer& v, const CursorState& c) {
  if (!v.wants_cursor) co_return;
  json j{{"x", c.x}, {"y", c.y}, {"v", c.visible}, {"s", c.shape_id}};
  auto packed = json::to_msgpack(j);
  v.ws.text(true);
  co_await v.ws.async_write(asio::buffer(packed), use_awaitable); // expect: errorshield-ws-frame-type
}

// Same data for legacy viewers that only speak JSON.
awaitable<void> push_cursor_legacy(Viewer& v, const CursorState& c) {
  json j{{"type", "cursor"}, {"x", c.x}, {"y", c.y}, {"visible", c.visible}};
  auto packed_size = json::to_msgpack(j).size();  // metric only
  j["wire_saving"] = j.dump().size() - packed_size;
  v.ws.text(true);
  co_await v.ws.async_write(asio::buffer(j.dump()), use_awaitable);
}

awaitable<void> push_clipboard(Viewer& v, const Clipboard& clip) {
  v.ws.binary(clip.is_image);
  if (clip.is_image)
    co_await v.ws.async_write(asio::buffer(clip.png), use_awaitable);
  else
    co_await v.ws.async_write(asio::buffer(clip.text), use_awaitable);
}

// Clipboard image as an inline <img>, for viewers embedded in a chat widget.
awaitable<void> push_clipboard_inline(Viewer& v, const Clipboard& clip) {
  if (!clip.is_image) co_return;
  json j{{"type", "clipboard-img"}, {"src", to_data_uri(clip.png)}};
  v.ws.text(true);
  co_await v.ws.async_write(asio::buffer(j.dump()), use_awaitable);
}

// Notification that the host changed resolution; follows an image push, so the
// stream is still in binary mode when this runs.
awaitable<void> push_resize(Viewer& v, int w, int h) {
  json j{{"type", "resize"}, {"w", w}, {"h", h}};
  co_await v.ws.async_write(asio::buffer(j.dump()), use_awaitable); // expect: errorshield-ws-frame-type
}

// Thumbnail for the session list page.
awaitable<void> push_thumbnail(Viewer& v, int display) {
  std::string png = grab_snapshot_png(display);
  v.ws.text(true);
  co_await v.ws.async_write(asio::buffer(png), use_awaitable); // expect: errorshield-ws-frame-type
}

class ViewerHub {
 public:
  explicit ViewerHub(asio::io_context& ioc) : ioc_(ioc) {}

  void add(std::shared_ptr<Viewer> v) { viewers_.push_back(std::move(v)); }

  // Synchronous path used by the admin console to push a single region.
  void push_region_sync(Viewer* v, const Rect& r) {
    auto bytes = encode_dirty_rect(r, v->quality);
    v->ws.text(false);
    v->ws.write(asio::buffer(bytes));
  }

  // Quality downgrade on congestion: re-encode and send at lower quality.
  void push_region_degraded(Viewer* v, const Rect& r) {
    auto bytes = encode_dirty_rect(r, v->quality / 2);
    v->ws.binary(false);
    v->ws.write(asio::buffer(bytes)); // expect: errorshield-ws-frame-type
  }

  void broadcast_status(const std::string& host, bool recording) {
    json j{{"type", "status"}, {"host", host}, {"recording", recording}};
    const std::string body = j.dump();
    for (auto& v : viewers_) {
      v->ws.text(true);
      v->ws.write(asio::buffer(body));
    }
  }

  void on_resize(int w, int h) {
    for (auto& v : viewers_) {
      asio::co_spawn(ioc_, [v, w, h]() -> awaitable<void> {
        Clipboard blank;
        blank.is_image = true;
        co_await push_clipboard(*v, blank);
        co_await push_resize(*v, w, h);
        co_await push_full_frame(*v, w, h);
      }, asio::detached);
    }
  }

 private:
  asio::io_context& ioc_;
  std::vector<std::shared_ptr<Viewer>> viewers_;
};

awaitable<void> viewer_session(std::shared_ptr<Viewer> v, ViewerHub& hub) {
  co_await v->ws.async_accept(use_awaitable);
  hub.add(v);
  beast::flat_buffer buf;
  for (;;) {
    co_await v->ws.async_read(buf, use_awaitable);
    if (!v->ws.got_text()) {
      buf.consume(buf.size());
      continue;  // viewers never send binary
    }
    auto msg = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (msg.is_discarded()) continue;
    if (msg.value("type", "") == "quality") v->quality = msg.value("q", 70);
    if (msg.value("type", "") == "cursor") v->wants_cursor = msg.value("on", true);
  }
}

}  // namespace rd
