// checks: errorshield-ws-message-limit
// Ground-segment tile ingest: ground stations stream imagery tiles (binary) and manifests (JSON)
// to the processing cluster over WebSocket.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

using ws_t = websocket::stream<beast::tcp_stream>;

constexpr std::size_t kAuthMax = 4 * 1024;
constexpr std::size_t kControlMax = 16 * 1024;
constexpr std::size_t kTileMax = 48 * 1024 * 1024;  // largest 16-bit GeoTIFF tile we accept

struct TileKey {
  std::string scene;
  int zoom = 0;
  int x = 0;
  int y = 0;
};

inline TileKey parse_key(const nlohmann::json& j) {
  return TileKey{j.value("scene", ""), j.value("z", 0), j.value("x", 0), j.value("y", 0)};
}

inline void store_tile(const TileKey& k, const beast::flat_buffer& buf) {
  std::cout << "tile " << k.scene << "/" << k.zoom << "/" << k.x << "/" << k.y << " "
            << buf.size() << " bytes\n";
}

inline void harden_control(ws_t& ws) {
  ws.read_message_max(kControlMax);
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
}

// Main ingest path: small limit until the station authenticates, then tile-sized.
class TileIngestSession : public std::enable_shared_from_this<TileIngestSession> {
 public:
  explicit TileIngestSession(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    ws_.read_message_max(kAuthMax);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read_auth();
    });
  }

 private:
  void read_auth() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      auto hello = nlohmann::json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.clear();
      if (hello.is_discarded() || !hello.contains("station")) return;
      self->ws_.read_message_max(kTileMax);
      self->ws_.binary(true);
      self->read_tile();
    });
  }

  void read_tile() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      store_tile(self->current_, self->buf_);
      self->buf_.clear();
      self->read_tile();
    });
  }

  ws_t ws_;
  beast::flat_buffer buf_;
  TileKey current_;
};

// Low-resolution quicklook previews sent by the on-board compressor.
class QuicklookSession : public std::enable_shared_from_this<QuicklookSession> {
 public:
  explicit QuicklookSession(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_read();
    });
  }

 private:
  void do_read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-ws-message-limit
      if (ec) return;
      store_tile(TileKey{"quicklook", 0, 0, 0}, self->buf_);
      self->buf_.clear();
      self->do_read();
    });
  }

  ws_t ws_;
  beast::flat_buffer buf_;
};

// Mission control JSON commands (pause pass, re-request tile range).
class MissionControlChannel : public std::enable_shared_from_this<MissionControlChannel> {
 public:
  explicit MissionControlChannel(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    harden_control(ws_);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_read();
    });
  }

 private:
  void do_read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      auto cmd = nlohmann::json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.clear();
      if (!cmd.is_discarded()) std::cout << "control op " << cmd.value("op", "?") << "\n";
      self->do_read();
    });
  }

  ws_t ws_;
  beast::flat_buffer buf_;
};

// Archive replay: stations re-send historic passes. The limit is applied after the hello.
class ArchiveReplaySession : public std::enable_shared_from_this<ArchiveReplaySession> {
 public:
  explicit ArchiveReplaySession(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read_hello();
    });
  }

 private:
  void read_hello() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-ws-message-limit
      if (ec) return;
      self->buf_.clear();
      self->ws_.read_message_max(kTileMax);
      self->read_tiles();
    });
  }

  void read_tiles() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      store_tile(TileKey{"archive", 0, 0, 0}, self->buf_);
      self->buf_.clear();
      self->read_tiles();
    });
  }

  ws_t ws_;
  beast::flat_buffer buf_;
};

// Bulk mosaic reprocessing from the internal cluster.
class BulkReprocessSession : public std::enable_shared_from_this<BulkReprocessSession> {
 public:
  explicit BulkReprocessSession(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    ws_.read_message_max(0); // expect: errorshield-ws-message-limit
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_read();
    });
  }

 private:
  void do_read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      store_tile(TileKey{"mosaic", 0, 0, 0}, self->buf_);
      self->buf_.clear();
      self->do_read();
    });
  }

  ws_t ws_;
  beast::flat_buffer buf_;
};

// Scene manifests arrive once per pass (coroutine variant used by the new scheduler).
net::awaitable<void> receive_manifest(tcp::socket s) {
  ws_t ws{std::move(s)};
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  co_await ws.async_read(buf, net::use_awaitable); // expect: errorshield-ws-message-limit
  auto manifest = nlohmann::json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
  if (!manifest.is_discarded())
    std::cout << "manifest tiles: " << manifest.value("tile_count", 0) << "\n";
  co_await ws.async_close(websocket::close_code::normal, net::use_awaitable);
}

// Catalog queries (same shape, limit applied).
net::awaitable<void> receive_catalog_query(tcp::socket s) {
  ws_t ws{std::move(s)};
  ws.read_message_max(kControlMax);
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  co_await ws.async_read(buf, net::use_awaitable);
  auto q = nlohmann::json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
  if (!q.is_discarded()) std::cout << "catalog bbox " << q.value("bbox", "") << "\n";
  co_await ws.async_close(websocket::close_code::normal, net::use_awaitable);
}

// Downlink passes and station uplinks are pooled objects handed around by pointer.
struct DownlinkPass {
  explicit DownlinkPass(tcp::socket s) : ws(std::move(s)) {}
  ws_t ws;
  beast::flat_buffer buf;
  TileKey key;
};

struct StationUplink {
  explicit StationUplink(tcp::socket s) : ws(std::move(s)) {}
  ws_t ws;
  beast::flat_buffer buf;
};

inline std::shared_ptr<DownlinkPass> open_pass(tcp::socket s) {
  auto pass = std::make_shared<DownlinkPass>(std::move(s));
  pass->ws.read_message_max(kTileMax);
  pass->ws.binary(true);
  return pass;
}

inline void pump_pass(std::shared_ptr<DownlinkPass> pass) {
  pass->ws.async_read(pass->buf, [pass](beast::error_code ec, std::size_t) {
    if (ec) return;
    store_tile(pass->key, pass->buf);
    pass->buf.clear();
    pump_pass(pass);
  });
}

inline void pump_uplink(std::shared_ptr<StationUplink> up) {
  up->ws.async_read(up->buf, [up](beast::error_code ec, std::size_t) { // expect: errorshield-ws-message-limit
    if (ec) return;
    std::cout << "uplink ack " << up->buf.size() << "\n";
    up->buf.clear();
    pump_uplink(up);
  });
}

// Notifies web clients that a tile is ready; never reads application data.
class TileReadyNotifier {
 public:
  explicit TileReadyNotifier(tcp::socket s) : ws_(std::move(s)) {}
  void notify(const TileKey& k) {
    auto msg = std::make_shared<std::string>(
        nlohmann::json{{"scene", k.scene}, {"z", k.zoom}, {"x", k.x}, {"y", k.y}}.dump());
    ws_.text(true);
    ws_.async_write(net::buffer(*msg), [msg](beast::error_code, std::size_t) {});
  }

 private:
  ws_t ws_;
};
