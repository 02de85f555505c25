// checks: errorshield-ws-frame-type
// Map sync service for a multiplayer sandbox game: tile chunks travel as a compact
// binary encoding, lobby and chat traffic as JSON text.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace mapsync {

constexpr int kChunkSide = 32;

struct TileChunk {
  std::int32_t cx = 0;
  std::int32_t cy = 0;
  std::uint32_t revision = 0;
  std::array<std::uint16_t, kChunkSide * kChunkSide> tiles{};
};

struct TileEdit {
  std::int32_t x = 0;
  std::int32_t y = 0;
  std::uint16_t tile = 0;
};

// Run-length encoded chunk: header followed by (count, tile) pairs.
inline std::vector<std::uint8_t> encode_chunk(const TileChunk& c) {
  std::vector<std::uint8_t> out;
  auto put32 = [&out](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  };
  put32(static_cast<std::uint32_t>(c.cx));
  put32(static_cast<std::uint32_t>(c.cy));
  put32(c.revision);
  std::size_t i = 0;
  while (i < c.tiles.size()) {
    std::size_t run = 1;
    while (i + run < c.tiles.size() && c.tiles[i + run] == c.tiles[i] && run < 255) ++run;
    out.push_back(static_cast<std::uint8_t>(run));
    out.push_back(static_cast<std::uint8_t>(c.tiles[i] & 0xff));
    out.push_back(static_cast<std::uint8_t>(c.tiles[i] >> 8));
    i += run;
  }
  return out;
}

inline std::vector<std::uint8_t> encode_edits(const std::vector<TileEdit>& edits) {
  std::vector<std::uint8_t> out;
  out.reserve(edits.size() * 10);
  for (const auto& e : edits) {
    auto* p = reinterpret_cast<const std::uint8_t*>(&e);
    out.insert(out.end(), p, p + sizeof(TileEdit));
  }
  return out;
}

struct OutFrame {
  std::shared_ptr<const std::vector<std::uint8_t>> bytes;
  bool binary = false;
};

class MapSession : public std::enable_shared_from_this<MapSession> {
public:
  explicit MapSession(tcp::socket s) : ws_(std::move(s)) {}

  void send_json(const json& j) {
    auto s = j.dump();
    enqueue(OutFrame{std::make_shared<const std::vector<std::uint8_t>>(s.begin(), s.end()), false});
  }

  void send_bytes(std::vector<std::uint8_t> b) {
    enqueue(OutFrame{std::make_shared<const std::vector<std::uint8_t>>(std::move(b)), true});
  }

  void send_chunk(const TileChunk& c) { send_bytes(encode_chunk(c)); }

  void send_edit_delta(const std::vector<TileEdit>& edits) {
    auto enc = encode_edits(edits);
    enqueue(OutFrame{std::make_shared<const std::vector<std::uint8_t>>(std::move(enc)), false}); // expect: errorshield-ws-frame-type
  }

  void send_roster(const std::vector<std::string>& players) {
    json j = {{"type", "roster"}, {"players", players}};
    auto s = j.dump();
    send_bytes(std::vector<std::uint8_t>(s.begin(), s.end())); // expect: errorshield-ws-frame-type
  }

  void send_chat(const std::string& from, const std::string& text) {
    send_json({{"type", "chat"}, {"from", from}, {"text", text}});
  }

  websocket::stream<beast::tcp_stream>& stream() { return ws_; }

private:
  void enqueue(OutFrame f) {
    queue_.push_back(std::move(f));
    if (queue_.size() == 1) do_write();
  }

  void do_write() {
    const OutFrame& f = queue_.front();
    ws_.binary(f.binary);
    ws_.async_write(net::buffer(*f.bytes),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec) {
                        self->queue_.clear();
                        return;
                      }
                      self->queue_.pop_front();
                      if (!self->queue_.empty()) self->do_write();
                    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::deque<OutFrame> queue_;
};

struct Room {
  std::string name;
  std::vector<std::shared_ptr<MapSession>> members;
};

template <class Payload>
void broadcast(Room& room, const Payload& payload, bool binary) {
  for (auto& m : room.members) {
    std::vector<std::uint8_t> copy(payload.begin(), payload.end());
    if (binary)
      m->send_bytes(std::move(copy));
    else
      m->send_json(json::parse(copy.begin(), copy.end()));
  }
}

inline void announce_map_change(Room& room, const TileChunk& changed) {
  json note = {{"type", "chunk_changed"}, {"cx", changed.cx}, {"cy", changed.cy}};
  broadcast(room, note.dump(), false);
  broadcast(room, encode_chunk(changed), true);
}

// Synchronous dump used by the replay recorder bot.
inline void dump_region_to_recorder(websocket::stream<tcp::socket>& ws,
                                    const std::vector<TileChunk>& region) {
  json header = {{"type", "region"}, {"chunks", region.size()}};
  ws.text(true);
  ws.write(net::buffer(header.dump()));
  for (const auto& c : region) {
    auto bytes = encode_chunk(c);
    ws.write(net::buffer(bytes)); // expect: errorshield-ws-frame-type
  }
}

inline void dump_region_fixed(websocket::stream<tcp::socket>& ws,
                              const std::vector<TileChunk>& region) {
  json header = {{"type", "region"}, {"chunks", region.size()}};
  ws.text(true);
  ws.write(net::buffer(header.dump()));
  ws.binary(true);
  for (const auto& c : region) {
    auto bytes = encode_chunk(c);
    ws.write(net::buffer(bytes));
  }
}

// Spectator feed: each request/reply happens on one coroutine, so no write queue.
class SpectatorFeed {
public:
  explicit SpectatorFeed(std::unordered_map<std::uint64_t, TileChunk>& world) : world_(world) {}

  net::awaitable<void> run(websocket::stream<beast::tcp_stream> ws) {
    co_await ws.async_accept(net::use_awaitable);
    beast::flat_buffer buf;
    for (;;) {
      buf.clear();
      co_await ws.async_read(buf, net::use_awaitable);
      ws.text(ws.got_text());

      if (!ws.got_text()) {
        // Spectators may not edit: bounce binary frames back untouched.
        co_await ws.async_write(buf.data(), net::use_awaitable);
        continue;
      }

      auto req = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
      if (req.is_discarded()) continue;
      const std::string op = req.value("op", "");

      if (op == "ping") {
        std::string pong = json{{"op", "pong"}}.dump();
        co_await ws.async_write(net::buffer(pong), net::use_awaitable);
      } else if (op == "get_chunk") {
        auto key = (static_cast<std::uint64_t>(req.value("cx", 0)) << 32) |
                   static_cast<std::uint32_t>(req.value("cy", 0));
        auto it = world_.find(key);
        if (it == world_.end()) continue;
        auto bytes = encode_chunk(it->second);
        co_await ws.async_write(net::buffer(bytes), net::use_awaitable); // expect: errorshield-ws-frame-type
      } else if (op == "get_chunk_v2") {
        auto key = (static_cast<std::uint64_t>(req.value("cx", 0)) << 32) |
                   static_cast<std::uint32_t>(req.value("cy", 0));
        auto it = world_.find(key);
        if (it == world_.end()) continue;
        auto bytes = encode_chunk(it->second);
        ws.binary(true);
        co_await ws.async_write(net::buffer(bytes), net::use_awaitable);
      } else if (op == "bson_meta") {
        json meta = {{"chunks", world_.size()}};
        auto bson = json::to_bson(meta);
        ws.text(true);
        co_await ws.async_write(net::buffer(bson), net::use_awaitable); // expect: errorshield-ws-frame-type
      } else if (op == "meta") {
        json meta = {{"chunks", world_.size()}};
        auto size_hint = json::to_bson(meta).size();
        meta["bson_size"] = size_hint;
        std::string body = meta.dump();
        ws.text(true);
        co_await ws.async_write(net::buffer(body), net::use_awaitable);
      }
    }
  }

private:
  std::unordered_map<std::uint64_t, TileChunk>& world_;
};

} // namespace mapsync
