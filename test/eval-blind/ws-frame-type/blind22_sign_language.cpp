// checks: errorshield-ws-frame-type
// Video relay service (VRS) caption bridge: interpreters' booths stream
// encoded video chunks to the deaf caller's browser, and the caption engine
// exchanges JSON caption cues with both sides over the same WebSocket.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <deque>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace vrs {

struct VideoChunk {
  std::uint64_t pts_us = 0;
  bool keyframe = false;
  std::vector<std::uint8_t> bytes; // fragmented MP4 / H.264 NAL units
};

struct CaptionCue {
  std::string call_id;
  std::string text;
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  std::string lang = "en";
};

json cue_to_json(const CaptionCue& c) {
  return json{{"call", c.call_id}, {"text", c.text}, {"start", c.start_ms},
              {"end", c.end_ms}, {"lang", c.lang}};
}

void apply_correction(const json& j) {
  std::clog << "correction for " << j.value("call", std::string{}) << "\n";
}

void record_audio_description(const std::vector<std::uint8_t>& pcm) {
  std::clog << "audio description " << pcm.size() << " bytes\n";
}

// Booth -> caller session (callback style).
class RelaySession : public std::enable_shared_from_this<RelaySession> {
public:
  explicit RelaySession(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    ws_.async_accept(beast::bind_front_handler(&RelaySession::on_accept, shared_from_this()));
  }

  // Called by the booth encoder for each chunk.
  void push_video(std::shared_ptr<const VideoChunk> chunk) {
    ws_.text(true);
    ws_.async_write(net::buffer(chunk->bytes), // expect: errorshield-ws-frame-type
                    [self = shared_from_this(), chunk](beast::error_code ec, std::size_t) {
                      if (ec)
                        std::clog << "video push failed: " << ec.message() << "\n";
                    });
  }

  // Called by the caption engine.
  void push_cue(const CaptionCue& cue) {
    auto text = std::make_shared<std::string>(cue_to_json(cue).dump());
    ws_.text(true);
    ws_.async_write(net::buffer(*text), [self = shared_from_this(), text](beast::error_code, std::size_t) {});
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    do_read();
  }

  void do_read() {
    ws_.async_read(buf_, beast::bind_front_handler(&RelaySession::on_read, shared_from_this()));
  }

  // Interpreters send caption corrections back.
  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    auto j = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false); // expect: errorshield-ws-frame-type
    if (!j.is_discarded())
      apply_correction(j);
    buf_.consume(buf_.size());
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
};

// Caller-side browser session: browser sends JSON control messages as text
// and optional audio-description clips as binary.
class CallerSession : public std::enable_shared_from_this<CallerSession> {
public:
  explicit CallerSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read_next();
    });
  }

  void send_chunk(std::shared_ptr<const VideoChunk> chunk) {
    ws_.binary(true);
    ws_.async_write(net::buffer(chunk->bytes), [self = shared_from_this(), chunk](beast::error_code, std::size_t) {});
  }

private:
  void read_next() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      if (self->ws_.got_binary()) {
        auto d = self->buf_.data();
        auto p = static_cast<const std::uint8_t*>(d.data());
        record_audio_description(std::vector<std::uint8_t>(p, p + d.size()));
      } else {
        auto j = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
        if (!j.is_discarded())
          apply_correction(j);
      }
      self->buf_.consume(self->buf_.size());
      self->read_next();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
};

// Used by the recording archiver to forward a thumbnail to the supervisor console.
template <class NextLayer>
void send_thumbnail(websocket::stream<NextLayer>& ws, const std::vector<std::uint8_t>& jpeg) {
  ws.text(true);
  ws.write(net::buffer(jpeg)); // expect: errorshield-ws-frame-type
}

template <class NextLayer>
void send_keyframe(websocket::stream<NextLayer>& ws, const VideoChunk& kf) {
  ws.binary(true);
  ws.write(net::buffer(kf.bytes));
}

// Archiver side channel (blocking, runs on the archiver's own thread).
void archive_preview(tcp::socket sock, const VideoChunk& kf, const std::vector<std::uint8_t>& jpeg) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.handshake("supervisor.vrs.local", "/preview");
  send_keyframe(ws, kf);
  send_thumbnail(ws, jpeg);
}

// Supervisor console: coroutine that mirrors the interpreter's video.
net::awaitable<void> supervisor_mirror(tcp::socket sock, std::shared_ptr<std::deque<VideoChunk>> q) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_accept(net::use_awaitable);
  net::steady_timer t(co_await net::this_coro::executor);
  for (;;) {
    while (!q->empty()) {
      VideoChunk c = std::move(q->front());
      q->pop_front();
      co_await ws.async_write(net::buffer(c.bytes), net::use_awaitable); // expect: errorshield-ws-frame-type
    }
    t.expires_after(std::chrono::milliseconds(20));
    co_await t.async_wait(net::use_awaitable);
  }
}

// Caption engine uplink: receives cue JSON from the ASR service.
net::awaitable<void> asr_uplink(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    if (!ws.got_text()) {
      co_await ws.async_close(websocket::close_code::bad_payload, net::use_awaitable);
      co_return;
    }
    json cue = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    if (!cue.is_discarded())
      std::clog << "cue: " << cue.value("text", std::string{}) << "\n";
    buf.consume(buf.size());
  }
}

// Translation partner uplink (same protocol, older code path).
net::awaitable<void> partner_uplink(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    std::string payload = beast::buffers_to_string(buf.data());
    buf.consume(buf.size());
    json cue = json::parse(payload); // expect: errorshield-ws-frame-type
    std::clog << "partner cue: " << cue.value("text", std::string{}) << "\n";
  }
}

// Heartbeat to the caption engine; plain text.
net::awaitable<void> caption_heartbeat(websocket::stream<beast::tcp_stream>& ws) {
  net::steady_timer t(co_await net::this_coro::executor);
  for (;;) {
    ws.text(true);
    std::string hb = json{{"type", "hb"}}.dump();
    co_await ws.async_write(net::buffer(hb), net::use_awaitable);
    t.expires_after(std::chrono::seconds(5));
    co_await t.async_wait(net::use_awaitable);
  }
}

} // namespace vrs

int main() {
  net::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 8443});
  acc.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<vrs::CallerSession>(std::move(s))->start();
  });
  ioc.run();
}
