// checks: errorshield-ws-frame-type
// Scanner feed gateway: pushes trunked-radio call metadata (JSON) and decoded
// voice audio (Opus / raw PCM) to browser listeners over WebSocket.

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace scanner {

struct CallMeta {
  std::uint32_t talkgroup = 0;
  std::string alpha_tag;
  std::uint64_t freq_hz = 0;
  std::uint32_t unit_id = 0;
  bool encrypted = false;
  bool emergency = false;
};

struct AudioChunk {
  std::uint32_t talkgroup = 0;
  std::uint64_t seq = 0;
  std::vector<std::int16_t> pcm;  // 8 kHz mono, signed 16-bit
};

// Implemented in the codec translation unit.
std::vector<std::uint8_t> encode_opus(const std::vector<std::int16_t>& pcm);
std::string base64_encode(const std::uint8_t* data, std::size_t n);
void record_archive_size(std::uint32_t talkgroup, std::size_t bytes);

inline json meta_to_json(const CallMeta& m) {
  return json{{"type", "call_start"},
              {"tg", m.talkgroup},
              {"tag", m.alpha_tag},
              {"freq", m.freq_hz},
              {"unit", m.unit_id},
              {"enc", m.encrypted},
              {"emerg", m.emergency}};
}

using ws_t = websocket::stream<beast::tcp_stream>;

// Generic push used by the admin console. Frame type follows the payload type.
template <class Payload>
void push_payload(ws_t& ws, const Payload& p) {
  constexpr bool is_text = std::is_same_v<Payload, std::string>;
  ws.text(is_text);
  ws.write(net::buffer(p));  // OK: mode derived from payload type
}

class ListenerSession : public std::enable_shared_from_this<ListenerSession> {
 public:
  explicit ListenerSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(beast::bind_front_handler(&ListenerSession::on_accept, shared_from_this()));
  }

  // Called on the session strand when a new call begins.
  void on_call_start(const CallMeta& m) {
    auto body = std::make_shared<std::string>(meta_to_json(m).dump());
    ws_.text(true);
    ws_.async_write(net::buffer(*body),  // OK: JSON metadata in a text frame
                    [self = shared_from_this(), body](beast::error_code ec, std::size_t) {
                      if (ec) self->fail(ec, "meta");
                    });
  }

  // Called on the session strand for every 20 ms voice frame.
  void on_audio(const AudioChunk& c) {
    auto frame = std::make_shared<std::vector<std::uint8_t>>(encode_opus(c.pcm));
    ws_.async_write(net::buffer(*frame),  // expect: errorshield-ws-frame-type
                    [self = shared_from_this(), frame](beast::error_code ec, std::size_t) {
                      if (ec) self->fail(ec, "audio");
                    });
  }

  // Newer code path: explicitly switches to binary before each voice frame.
  void on_audio_v2(const AudioChunk& c) {
    auto frame = std::make_shared<std::vector<std::uint8_t>>(encode_opus(c.pcm));
    ws_.binary(true);
    ws_.async_write(net::buffer(*frame),  // OK: Opus bytes in a binary frame
                    [self = shared_from_this(), frame](beast::error_code ec, std::size_t) {
                      if (ec) self->fail(ec, "audio");
                    });
  }

  // Legacy listeners without an Opus decoder get base64 PCM inside JSON.
  void on_audio_legacy(const AudioChunk& c) {
    const auto* raw = reinterpret_cast<const std::uint8_t*>(c.pcm.data());
    json j{{"type", "pcm_b64"},
           {"tg", c.talkgroup},
           {"seq", c.seq},
           {"data", base64_encode(raw, c.pcm.size() * sizeof(std::int16_t))}};
    auto body = std::make_shared<std::string>(j.dump());
    ws_.text(true);
    ws_.async_write(net::buffer(*body),  // OK: base64 is plain ASCII text
                    [self = shared_from_this(), body](beast::error_code ec, std::size_t) {
                      if (ec) self->fail(ec, "legacy");
                    });
  }

  // Sent once when the listener leaves a talkgroup; the cbor blob is only
  // measured for the archive, the wire format stays JSON text.
  void on_call_end(std::uint32_t tg, std::chrono::milliseconds dur) {
    json j{{"type", "call_end"}, {"tg", tg}, {"ms", dur.count()}};
    std::vector<std::uint8_t> cbor = json::to_cbor(j);
    record_archive_size(tg, cbor.size());
    auto body = std::make_shared<std::string>(j.dump());
    ws_.text(true);
    ws_.async_write(net::buffer(*body),  // OK
                    [self = shared_from_this(), body](beast::error_code ec, std::size_t) {
                      if (ec) self->fail(ec, "end");
                    });
  }

  // Emergency alerts skip the browser's UTF-8 validation path.
  void on_emergency(const CallMeta& m) {
    auto body = std::make_shared<std::string>(meta_to_json(m).dump());
    ws_.binary(true);
    ws_.async_write(net::buffer(*body),  // expect: errorshield-ws-frame-type
                    [self = shared_from_this(), body](beast::error_code ec, std::size_t) {
                      if (ec) self->fail(ec, "emergency");
                    });
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "accept");
    ws_.async_read(in_, beast::bind_front_handler(&ListenerSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "read");
    if (!ws_.got_text()) {  // OK: only JSON subscribe commands are accepted
      in_.consume(in_.size());
    } else {
      auto cmd = json::parse(beast::buffers_to_string(in_.data()), nullptr, false);
      in_.consume(in_.size());
      if (!cmd.is_discarded() && cmd.value("op", "") == "sub")
        subscribed_tg_ = cmd.value("tg", 0u);
    }
    ws_.async_read(in_, beast::bind_front_handler(&ListenerSession::on_read, shared_from_this()));
  }

  void fail(beast::error_code, const char*) {}

  ws_t ws_;
  beast::flat_buffer in_;
  std::uint32_t subscribed_tg_ = 0;
};

// Synchronous recorder uplink: the site controller streams to the central
// archive over a blocking WebSocket in its own worker.
class ArchiveUplink {
 public:
  explicit ArchiveUplink(ws_t& ws) : ws_(ws) {}

  void send_header(const CallMeta& m) {
    std::lock_guard lk(mu_);
    ws_.text(true);
    ws_.write(net::buffer(meta_to_json(m).dump()));  // OK
  }

  void send_pcm(const AudioChunk& c) {
    std::lock_guard lk(mu_);
    ws_.text(true);
    ws_.write(net::buffer(c.pcm));  // expect: errorshield-ws-frame-type
  }

  void send_pcm_fixed(const AudioChunk& c) {
    std::lock_guard lk(mu_);
    ws_.text(false);
    ws_.write(net::buffer(c.pcm));  // OK: text(false) == binary
  }

  // Flush is deferred until the squelch closes; the job runs later on the
  // uplink thread.
  std::function<void()> make_flush_job(AudioChunk tail) {
    return [this, tail = std::move(tail)] {
      std::lock_guard lk(mu_);
      ws_.text(true);
      ws_.write(net::buffer(tail.pcm.data(), tail.pcm.size() * sizeof(std::int16_t)));  // expect: errorshield-ws-frame-type
    };
  }

  // Forward a frame from the site controller exactly as it arrived.
  void relay(ws_t& from) {
    beast::flat_buffer buf;
    from.read(buf);
    std::lock_guard lk(mu_);
    ws_.text(from.got_text());
    ws_.write(buf.data());  // OK: mirrors the incoming frame type
  }

 private:
  ws_t& ws_;
  std::mutex mu_;
};

// Coroutine-based feed for the mobile app: header as CBOR, then audio.
net::awaitable<void> mobile_feed(ws_t& ws, CallMeta meta, std::vector<AudioChunk> chunks) {
  std::vector<std::uint8_t> header = json::to_cbor(meta_to_json(meta));
  ws.text(true);
  co_await ws.async_write(net::buffer(header), net::use_awaitable);  // expect: errorshield-ws-frame-type

  ws.binary(true);
  for (const auto& c : chunks) {
    std::vector<std::uint8_t> opus = encode_opus(c.pcm);
    co_await ws.async_write(net::buffer(opus), net::use_awaitable);  // OK
  }

  ws.text(true);
  std::string done = json{{"type", "eof"}, {"tg", meta.talkgroup}}.dump();
  co_await ws.async_write(net::buffer(done), net::use_awaitable);  // OK
}

void admin_dump(ws_t& ws, const CallMeta& m, const AudioChunk& c) {
  push_payload(ws, meta_to_json(m).dump());
  push_payload(ws, encode_opus(c.pcm));
}

}  // namespace scanner
