// checks: errorshield-ws-frame-type
// Live speech translation: clients stream PCM16 audio in binary frames, the server answers
// with caption JSON (text frames) and, optionally, synthesized speech (binary frames).
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace lingo {

using WsStream = websocket::stream<beast::tcp_stream>;

struct Hypothesis {
  std::uint64_t segment = 0;
  bool is_final = false;
  std::string source_text;
  std::string translated;
  double start_s = 0, end_s = 0;
};

struct SessionOptions {
  std::string source_lang = "en";
  std::string target_lang = "de";
  bool speak_back = false;
  int sample_rate = 16000;
};

class AsrMtEngine {
 public:
  virtual ~AsrMtEngine() = default;
  virtual std::vector<Hypothesis> feed(std::span<const std::int16_t> pcm) = 0;
  virtual std::vector<Hypothesis> flush() = 0;
};

class Tts {
 public:
  virtual ~Tts() = default;
  virtual std::vector<std::int16_t> synthesize(const std::string& text, const std::string& lang) = 0;
  virtual std::string synthesize_opus(const std::string& text, const std::string& lang) = 0;
};

inline json caption_json(const Hypothesis& h, const SessionOptions& o) {
  return {{"type", h.is_final ? "final" : "partial"},
          {"seg", h.segment},
          {"src", h.source_text},
          {"text", h.translated},
          {"lang", o.target_lang},
          {"t0", h.start_s},
          {"t1", h.end_s}};
}

inline std::vector<std::int16_t> to_samples(const beast::flat_buffer& b) {
  std::vector<std::int16_t> pcm(b.size() / 2);
  auto src = static_cast<const unsigned char*>(b.data().data());
  for (std::size_t i = 0; i < pcm.size(); ++i)
    pcm[i] = std::int16_t(src[2 * i] | (src[2 * i + 1] << 8));
  return pcm;
}

// Per-band RMS levels shown as a VU meter in the client while the user speaks.
template <std::size_t Bands>
std::array<float, Bands> band_levels(std::span<const std::int16_t> pcm) {
  std::array<float, Bands> out{};
  if (pcm.empty()) return out;
  std::size_t per = (pcm.size() + Bands - 1) / Bands;
  for (std::size_t b = 0; b < Bands; ++b) {
    double acc = 0;
    std::size_t n = 0;
    for (std::size_t i = b * per; i < pcm.size() && i < (b + 1) * per; ++i, ++n)
      acc += double(pcm[i]) * pcm[i];
    out[b] = n ? float(std::sqrt(acc / n) / 32768.0) : 0.f;
  }
  return out;
}

template <std::size_t Bands>
net::awaitable<void> push_meter(WsStream& ws, std::uint64_t seq, std::span<const std::int16_t> pcm) {
  auto levels = band_levels<Bands>(pcm);
  json hdr = {{"type", "meter"}, {"seq", seq}, {"bands", Bands}};
  ws.text(true);
  co_await ws.async_write(net::buffer(hdr.dump()), net::use_awaitable);
  co_await ws.async_write(net::buffer(levels), net::use_awaitable); // expect: errorshield-ws-frame-type
}

// Read-only audience (e.g. conference attendees) receiving the same captions.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(tcp::socket s, bool msgpack) : ws_(std::move(s)), wants_msgpack_(msgpack) {}
  WsStream& ws() { return ws_; }
  bool wants_msgpack() const { return wants_msgpack_; }

 private:
  WsStream ws_;
  bool wants_msgpack_;
};

class CaptionFanout {
 public:
  void attach(const std::shared_ptr<Listener>& l) {
    std::lock_guard lk(mu_);
    if (l->wants_msgpack()) {
      sinks_.push_back([l](const json& cap) {
        auto bytes = std::make_shared<std::vector<std::uint8_t>>(json::to_msgpack(cap));
        l->ws().async_write(net::buffer(*bytes), // expect: errorshield-ws-frame-type
                            [l, bytes](beast::error_code, std::size_t) {});
      });
    } else {
      sinks_.push_back([l](const json& cap) {
        auto text = std::make_shared<std::string>(cap.dump());
        l->ws().text(true);
        l->ws().async_write(net::buffer(*text), [l, text](beast::error_code, std::size_t) {});
      });
    }
  }

  // Archive recorder speaks msgpack too, but switches its stream explicitly.
  void attach_recorder(const std::shared_ptr<Listener>& rec) {
    std::lock_guard lk(mu_);
    sinks_.push_back([rec](const json& cap) {
      auto bytes = std::make_shared<std::vector<std::uint8_t>>(json::to_msgpack(cap));
      rec->ws().binary(true);
      rec->ws().async_write(net::buffer(*bytes), [rec, bytes](beast::error_code, std::size_t) {});
    });
  }

  void publish(const json& cap) {
    std::lock_guard lk(mu_);
    for (auto& s : sinks_) s(cap);
  }

 private:
  std::mutex mu_;
  std::vector<std::function<void(const json&)>> sinks_;
};

class TranslationSession : public std::enable_shared_from_this<TranslationSession> {
 public:
  TranslationSession(tcp::socket s, AsrMtEngine& eng, Tts& tts, CaptionFanout& fan)
      : ws_(std::move(s)), engine_(eng), tts_(tts), fanout_(fan) {}

  net::awaitable<void> run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    co_await ws_.async_accept(net::use_awaitable);
    ws_.text(true);
    co_await ws_.async_write(net::buffer(json{{"type", "ready"}, {"rate", opts_.sample_rate}}.dump()),
                             net::use_awaitable);
    beast::flat_buffer buf;
    std::uint64_t frames = 0;
    for (;;) {
      buf.clear();
      co_await ws_.async_read(buf, net::use_awaitable);
      if (ws_.got_text()) {
        co_await on_control(beast::buffers_to_string(buf.data()));
        continue;
      }
      auto pcm = to_samples(buf);
      if (++frames % 10 == 0) co_await push_meter<16>(ws_, frames, pcm);
      for (auto& h : engine_.feed(pcm)) co_await deliver(h);
    }
  }

 private:
  net::awaitable<void> deliver(const Hypothesis& h) {
    if (h.is_final && opts_.speak_back) {
      auto speech = tts_.synthesize(h.translated, opts_.target_lang);
      ws_.binary(true);
      co_await ws_.async_write(net::buffer(speech), net::use_awaitable);
    }
    auto cap = caption_json(h, opts_);
    fanout_.publish(cap);
    co_await ws_.async_write(net::buffer(cap.dump()), net::use_awaitable); // expect: errorshield-ws-frame-type
  }

  net::awaitable<void> on_control(const std::string& raw) {
    auto msg = json::parse(raw, nullptr, false);
    if (!msg.is_object()) co_return;
    const auto type = msg.value("type", std::string{});
    if (type == "config") {
      opts_.source_lang = msg.value("from", opts_.source_lang);
      opts_.target_lang = msg.value("to", opts_.target_lang);
      opts_.speak_back = msg.value("speak", false);
      ws_.text(true);
      co_await ws_.async_write(net::buffer(json{{"type", "config_ok"}}.dump()), net::use_awaitable);
    } else if (type == "ping") {
      ws_.text(ws_.got_text());
      co_await ws_.async_write(net::buffer(raw), net::use_awaitable);
    } else if (type == "flush") {
      for (auto& h : engine_.flush()) co_await deliver(h);
    } else if (type == "preview_voice") {
      // Short sample of the chosen voice so the user can decide on speak-back.
      std::string opus = tts_.synthesize_opus("Hallo, ich bin Ihre Stimme.", opts_.target_lang);
      ws_.text(true);
      co_await ws_.async_write(net::buffer(json{{"type", "voice_preview"}, {"bytes", opus.size()}}.dump()),
                               net::use_awaitable);
      co_await ws_.async_write(net::buffer(opus), net::use_awaitable); // expect: errorshield-ws-frame-type
    } else if (type == "stats") {
      // Audio is only measured here, never sent.
      auto sample = tts_.synthesize("test", opts_.target_lang);
      double seconds = double(sample.size()) / opts_.sample_rate;
      ws_.text(true);
      co_await ws_.async_write(net::buffer(json{{"type", "stats"}, {"tts_rtf", seconds}}.dump()),
                               net::use_awaitable);
    }
  }

  WsStream ws_;
  AsrMtEngine& engine_;
  Tts& tts_;
  CaptionFanout& fanout_;
  SessionOptions opts_;
};

// Replay of a finished segment for browsers without binary-frame support: base64 in JSON.
inline void send_replay_b64(WsStream& ws, const std::vector<std::int16_t>& pcm, std::uint64_t seg) {
  static constexpr char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  auto bytes = reinterpret_cast<const unsigned char*>(pcm.data());
  std::size_t n = pcm.size() * 2;
  std::string b64;
  for (std::size_t i = 0; i < n; i += 3) {
    std::uint32_t v = std::uint32_t(bytes[i]) << 16;
    if (i + 1 < n) v |= std::uint32_t(bytes[i + 1]) << 8;
    if (i + 2 < n) v |= bytes[i + 2];
    b64 += tbl[(v >> 18) & 63];
    b64 += tbl[(v >> 12) & 63];
    b64 += i + 1 < n ? tbl[(v >> 6) & 63] : '=';
    b64 += i + 2 < n ? tbl[v & 63] : '=';
  }
  beast::error_code ec;
  ws.text(true);
  ws.write(net::buffer(json{{"type", "replay"}, {"seg", seg}, {"pcm_b64", b64}}.dump()), ec);
}

}  // namespace lingo
