// checks: errorshield-ws-frame-type
// Video relay service for sign-language interpreting: the interpreter's
// browser uploads fragmented WebM chunks, the relay fans them out to the deaf
// caller and forwards captions / call-control JSON in both directions.
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
#include <cstdio>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace vrs {

using WsStream = websocket::stream<beast::tcp_stream>;
using Bytes = std::vector<std::uint8_t>;

struct Caption {
  std::uint64_t call_id = 0;
  std::int64_t pts_ms = 0;
  std::string text;
  bool final = false;
};

inline json caption_json(const Caption& c) {
  return json{{"type", "caption"}, {"call", c.call_id}, {"pts", c.pts_ms}, {"text", c.text}, {"final", c.final}};
}

// Transcoder front-end; may fail when the interpreter's camera changes resolution.
struct Transcoder {
  bool push(std::span<const std::uint8_t> webm_chunk);
  Bytes pull_keyframe();
  Bytes pull_fragment();
  std::string last_error() const;
};

class Leg;

struct Call {
  std::uint64_t id = 0;
  std::shared_ptr<Leg> interpreter;
  std::shared_ptr<Leg> caller;
};

class Leg : public std::enable_shared_from_this<Leg> {
 public:
  Leg(tcp::socket s, Call* call) : ws_(std::move(s)), call_(call) {}

  WsStream ws_;
  Call* call_;
  beast::flat_buffer in_;
  Transcoder tc_;
  std::deque<std::shared_ptr<Bytes>> pending_video_;

  void fail(beast::error_code ec, const char* what) const {
    std::fprintf(stderr, "call %llu %s: %s\n", static_cast<unsigned long long>(call_->id), what,
                 ec.message().c_str());
  }

  Leg* other() {
    return this == call_->interpreter.get() ? call_->caller.get() : call_->interpreter.get();
  }

  // OK: relay whatever the sender used, frame type preserved.
  void forward_as_is(Leg* peer) {
    auto copy = std::make_shared<std::string>(beast::buffers_to_string(in_.data()));
    peer->ws_.text(ws_.got_text());
    peer->ws_.async_write(net::buffer(*copy), [copy](beast::error_code, std::size_t) {});
  }

  // OK: a video fragment is binary.
  void send_fragment(std::shared_ptr<Bytes> frag) {
    ws_.binary(true);
    ws_.async_write(net::buffer(*frag), [self = shared_from_this(), frag](beast::error_code ec, std::size_t) {
      if (ec) self->fail(ec, "fragment");
    });
  }

  // OK: captions are JSON in a text frame.
  void send_caption(const Caption& c) {
    auto body = std::make_shared<std::string>(caption_json(c).dump());
    ws_.text(true);
    ws_.async_write(net::buffer(*body), [self = shared_from_this(), body](beast::error_code ec, std::size_t) {
      if (ec) self->fail(ec, "caption");
    });
  }

  // OK: compact caption stream for the low-bandwidth app is MessagePack, binary.
  void send_caption_packed(const Caption& c) {
    auto packed = std::make_shared<Bytes>(json::to_msgpack(caption_json(c)));
    ws_.binary(true);
    ws_.async_write(net::buffer(*packed), [packed](beast::error_code, std::size_t) {});
  }

  // Same feed for the older kiosk app.
  void send_caption_packed_legacy(const Caption& c) {
    auto packed = std::make_shared<Bytes>(json::to_msgpack(caption_json(c)));
    ws_.text(true);
    ws_.async_write(net::buffer(*packed), [packed](beast::error_code, std::size_t) {});  // expect: errorshield-ws-frame-type
  }

  // Interpreter uploads a chunk; transcode and hand it to the caller leg.
  void on_upload(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "upload");
    if (ws_.got_text()) {
      // Call-control JSON from the interpreter: forward unchanged.
      forward_as_is(other());
    } else {
      auto data = in_.data();
      std::span<const std::uint8_t> chunk(static_cast<const std::uint8_t*>(data.data()), data.size());
      if (!tc_.push(chunk)) {
        report_transcoder_error();
      } else {
        auto frag = std::make_shared<Bytes>(tc_.pull_fragment());
        Leg* peer = other();
        peer->ws_.text(true);
        peer->ws_.async_write(net::buffer(*frag), [frag](beast::error_code, std::size_t) {});  // expect: errorshield-ws-frame-type
      }
    }
    in_.consume(in_.size());
    ws_.async_read(in_, beast::bind_front_handler(&Leg::on_upload, shared_from_this()));
  }

  // Rare: transcoder rejected the chunk. The leg is in binary mode because
  // it only ever sends video downstream.
  void report_transcoder_error() {
    auto err = std::make_shared<std::string>(
        json{{"type", "error"}, {"code", "transcode"}, {"detail", tc_.last_error()}}.dump());
    ws_.binary(true);
    ws_.async_write(net::buffer(*err), [err](beast::error_code, std::size_t) {});  // expect: errorshield-ws-frame-type
  }

  // Keyframe requests arrive from the caller's decoder; the reply is
  // deferred until the transcoder has one ready.
  void request_keyframe() {
    auto kf = std::make_shared<Bytes>(tc_.pull_keyframe());
    auto deliver = [kf, leg = other()]() {
      leg->ws_.text(true);
      leg->ws_.async_write(net::buffer(*kf), [kf](beast::error_code, std::size_t) {});  // expect: errorshield-ws-frame-type
    };
    net::post(ws_.get_executor(), std::move(deliver));
  }

  // OK: keepalive literal in text mode.
  void send_ping_text() {
    static constexpr std::string_view kPing = "{\"type\":\"ping\"}";
    ws_.text(true);
    ws_.async_write(net::buffer(kPing.data(), kPing.size()), [](beast::error_code, std::size_t) {});
  }
};

// Caller side coroutine: announces the stream, then pushes the pending
// fragments; a caption may interleave between fragments.
net::awaitable<void> pump_to_caller(std::shared_ptr<Leg> leg, std::shared_ptr<std::deque<Caption>> captions) {
  WsStream& ws = leg->ws_;
  std::string hello = json{{"type", "stream_start"}, {"codec", "vp8"}}.dump();
  ws.text(true);
  co_await ws.async_write(net::buffer(hello), net::use_awaitable);
  ws.binary(true);

  while (!leg->pending_video_.empty()) {
    auto frag = leg->pending_video_.front();
    leg->pending_video_.pop_front();
    co_await ws.async_write(net::buffer(*frag), net::use_awaitable);  // expect: errorshield-ws-frame-type

    if (!captions->empty()) {
      std::string cap = caption_json(captions->front()).dump();
      captions->pop_front();
      ws.text(true);
      co_await ws.async_write(net::buffer(cap), net::use_awaitable);
    }
  }
}

// Interpreter side recap: after the call ends the session summary goes out,
// then the recording index.
net::awaitable<void> send_call_summary(std::shared_ptr<Leg> leg, Bytes recording_index) {
  WsStream& ws = leg->ws_;
  ws.binary(true);
  co_await ws.async_write(net::buffer(recording_index), net::use_awaitable);
  std::string summary = json{{"type", "summary"}, {"call", leg->call_->id}}.dump();
  co_await ws.async_write(net::buffer(summary), net::use_awaitable);  // expect: errorshield-ws-frame-type
}

// OK: summary first in text mode, then index after switching to binary.
net::awaitable<void> send_call_summary_v2(std::shared_ptr<Leg> leg, Bytes recording_index) {
  WsStream& ws = leg->ws_;
  std::string summary = json{{"type", "summary"}, {"call", leg->call_->id}}.dump();
  ws.text(true);
  co_await ws.async_write(net::buffer(summary), net::use_awaitable);
  ws.binary(true);
  co_await ws.async_write(net::buffer(recording_index), net::use_awaitable);
}

void start_pump(std::shared_ptr<Leg> leg) {
  auto captions = std::make_shared<std::deque<Caption>>();
  net::co_spawn(leg->ws_.get_executor(), pump_to_caller(leg, captions), net::detached);
}

}  // namespace vrs
