// checks: errorshield-ws-frame-type
// Swarm downlink relay: drones push H.264 NAL units (binary) and telemetry (JSON text)
// over WebSocket; ground-station viewers subscribe to the merged feed.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace swarm::downlink {

using Bytes = std::vector<std::uint8_t>;
using WsStream = websocket::stream<beast::tcp_stream>;

struct VideoChunk {
  std::uint32_t drone_id = 0;
  std::uint64_t pts_us = 0;
  bool keyframe = false;
  Bytes nal;
};

struct Thumbnail {
  std::uint32_t drone_id = 0;
  std::uint16_t width = 0, height = 0;
  Bytes jpeg;
};

Thumbnail grab_thumbnail(std::uint32_t drone_id);

inline std::string base64(const Bytes& in) {
  static constexpr char tbl[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    std::uint32_t v = (std::uint32_t(in[i]) << 16) | (std::uint32_t(in[i + 1]) << 8) | in[i + 2];
    out += tbl[(v >> 18) & 63];
    out += tbl[(v >> 12) & 63];
    out += tbl[(v >> 6) & 63];
    out += tbl[v & 63];
  }
  if (i < in.size()) {
    std::uint32_t v = std::uint32_t(in[i]) << 16;
    if (i + 1 < in.size()) v |= std::uint32_t(in[i + 1]) << 8;
    out += tbl[(v >> 18) & 63];
    out += tbl[(v >> 12) & 63];
    out += (i + 1 < in.size()) ? tbl[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// Chunk header on the uplink: drone_id(4) pts_us(8) flags(1) then NAL bytes.
inline std::optional<VideoChunk> parse_chunk(const std::uint8_t* p, std::size_t n) {
  constexpr std::size_t kHdr = 13;
  if (n < kHdr) return std::nullopt;
  VideoChunk c;
  std::memcpy(&c.drone_id, p, 4);
  std::memcpy(&c.pts_us, p + 4, 8);
  c.keyframe = (p[12] & 0x01) != 0;
  c.nal.assign(p + kHdr, p + n);
  return c;
}

// Small control messages pushed to ground stations during setup.
template <class Stream>
void write_control(Stream& ws, const json& msg) {
  beast::error_code ec;
  ws.binary(true);
  ws.write(net::buffer(msg.dump()), ec); // expect: errorshield-ws-frame-type
}

class Viewer : public std::enable_shared_from_this<Viewer> {
 public:
  explicit Viewer(tcp::socket s) : ws_(std::move(s)) {}

  void greet(std::uint32_t station_id) {
    write_control(ws_, json{{"type", "hello"}, {"station", station_id}, {"proto", 3}});
  }

  void push_video(const VideoChunk& c) {
    Outbound o;
    o.binary = true;
    o.payload.reserve(c.nal.size() + 8);
    for (int i = 0; i < 8; ++i) o.payload.push_back(std::uint8_t(c.pts_us >> (8 * i)));
    o.payload.insert(o.payload.end(), c.nal.begin(), c.nal.end());
    enqueue(std::move(o));
  }

  void push_status(const json& status) {
    auto s = status.dump();
    enqueue(Outbound{Bytes(s.begin(), s.end()), false});
  }

  // Keyframe index goes out as text, the keyframe itself as binary.
  void push_keyframe_marker(const VideoChunk& c) {
    json idx = {{"type", "kf"}, {"drone", c.drone_id}, {"pts", c.pts_us}, {"len", c.nal.size()}};
    auto s = std::make_shared<std::string>(idx.dump());
    ws_.text(true);
    ws_.async_write(net::buffer(*s), [self = shared_from_this(), s](beast::error_code, std::size_t) {});
  }

  WsStream& stream() { return ws_; }

 private:
  struct Outbound {
    Bytes payload;
    bool binary = false;
  };

  void enqueue(Outbound o) {
    net::post(ws_.get_executor(), [self = shared_from_this(), o = std::move(o)]() mutable {
      self->queue_.push_back(std::move(o));
      if (self->queue_.size() == 1) self->write_next();
    });
  }

  void write_next() {
    auto& front = queue_.front();
    ws_.binary(front.binary);
    ws_.async_write(net::buffer(front.payload),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec) return;
                      self->queue_.pop_front();
                      if (!self->queue_.empty()) self->write_next();
                    });
  }

  WsStream ws_;
  std::deque<Outbound> queue_;
};

// Uplink from one drone. Replies go back in the same frame type the drone used.
class DroneLink : public std::enable_shared_from_this<DroneLink> {
 public:
  DroneLink(tcp::socket s, std::function<void(VideoChunk)> sink)
      : ws_(std::move(s)), sink_(std::move(sink)) {}

  void start() { do_read(); }

 private:
  void do_read() {
    ws_.async_read(buf_, beast::bind_front_handler(&DroneLink::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    ws_.binary(ws_.got_binary());
    if (ws_.got_binary()) {
      auto chunk = parse_chunk(static_cast<const std::uint8_t*>(buf_.data().data()), buf_.size());
      buf_.consume(buf_.size());
      if (!chunk) {
        auto nack = std::make_shared<std::string>(
            json{{"type", "nack"}, {"drone", drone_id_}, {"reason", "short_header"}}.dump());
        ws_.async_write(net::buffer(*nack), // expect: errorshield-ws-frame-type
                        [self = shared_from_this(), nack](beast::error_code e, std::size_t) {
                          if (!e) self->do_read();
                        });
        return;
      }
      drone_id_ = chunk->drone_id;
      sink_(std::move(*chunk));
      do_read();
      return;
    }
    auto tele = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    auto ack = std::make_shared<std::string>(
        json{{"type", "ack"}, {"seq", tele.is_object() ? tele.value("seq", 0) : -1}}.dump());
    ws_.async_write(net::buffer(*ack), [self = shared_from_this(), ack](beast::error_code e, std::size_t) {
      if (!e) self->do_read();
    });
  }

  WsStream ws_;
  beast::flat_buffer buf_;
  std::function<void(VideoChunk)> sink_;
  std::uint32_t drone_id_ = 0;
};

// Low-rate thumbnail feed for the swarm overview map.
net::awaitable<void> thumbnail_feed(std::shared_ptr<WsStream> ws, std::vector<std::uint32_t> drones) {
  net::steady_timer tick(co_await net::this_coro::executor);
  for (;;) {
    for (auto id : drones) {
      Thumbnail t = grab_thumbnail(id);
      json meta = {{"type", "thumb"}, {"drone", id}, {"w", t.width}, {"h", t.height}};
      ws->text(true);
      co_await ws->async_write(net::buffer(meta.dump()), net::use_awaitable);
      co_await ws->async_write(net::buffer(t.jpeg), net::use_awaitable); // expect: errorshield-ws-frame-type
    }
    tick.expires_after(std::chrono::seconds(2));
    co_await tick.async_wait(net::use_awaitable);
  }
}

// Legacy map widget only understands text: thumbnails are embedded as base64.
net::awaitable<void> legacy_thumbnail_feed(std::shared_ptr<WsStream> ws, std::uint32_t drone) {
  Thumbnail t = grab_thumbnail(drone);
  json msg = {{"type", "thumb"}, {"drone", drone}, {"jpeg_b64", base64(t.jpeg)}};
  ws->text(true);
  co_await ws->async_write(net::buffer(msg.dump()), net::use_awaitable);
}

// Engineering tap: a dedicated thread drains queued jobs against a sync stream.
class DebugTap {
 public:
  explicit DebugTap(WsStream ws) : ws_(std::move(ws)) { ws_.text(true); }

  void on_mavlink(Bytes pkt) {
    post_job([this, pkt = std::move(pkt)] {
      beast::error_code ec;
      ws_.write(net::buffer(pkt), ec); // expect: errorshield-ws-frame-type
    });
  }

  void on_mavlink_hex(const Bytes& pkt) {
    static constexpr std::array<char, 16> hex = {'0', '1', '2', '3', '4', '5', '6', '7',
                                                 '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
    std::string line;
    for (auto b : pkt) {
      line += hex[b >> 4];
      line += hex[b & 0x0f];
    }
    post_job([this, line = std::move(line)] {
      beast::error_code ec;
      ws_.text(true);
      ws_.write(net::buffer(line), ec);
    });
  }

  void on_h264(Bytes nal) {
    post_job([this, nal = std::move(nal)] {
      beast::error_code ec;
      ws_.binary(true);
      ws_.write(net::buffer(nal), ec);
      ws_.text(true);
    });
  }

  void run() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lk(mu_);
        cv_.wait(lk, [this] { return !jobs_.empty() || stop_; });
        if (stop_) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
    }
  }

  void stop() {
    std::lock_guard lk(mu_);
    stop_ = true;
    cv_.notify_all();
  }

 private:
  void post_job(std::function<void()> f) {
    std::lock_guard lk(mu_);
    jobs_.push_back(std::move(f));
    cv_.notify_one();
  }

  WsStream ws_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stop_ = false;
};

}  // namespace swarm::downlink
