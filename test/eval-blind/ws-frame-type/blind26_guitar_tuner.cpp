// checks: errorshield-ws-frame-type
// Online guitar tuner: the browser streams microphone PCM, the server runs
// pitch detection and answers with note/cents readings and waveform previews.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace tuner {

struct Reading {
  float hz;
  float cents;
  std::int32_t string_no;
};

static const char* kNotes[] = {"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"};

Reading detect_pitch(const float* samples, std::size_t count) {
  std::size_t crossings = 0;
  for (std::size_t i = 1; i < count; ++i)
    if ((samples[i - 1] < 0.f) != (samples[i] < 0.f)) ++crossings;
  float hz = static_cast<float>(crossings) * 48000.f / (2.f * static_cast<float>(count ? count : 1));
  float midi = 69.f + 12.f * std::log2(hz > 0.f ? hz / 440.f : 1.f);
  return {hz, (midi - std::round(midi)) * 100.f, static_cast<std::int32_t>(midi) % 6};
}

std::string to_json(const Reading& r) {
  int idx = (static_cast<int>(std::round(69.f + 12.f * std::log2(r.hz / 440.f))) % 12 + 12) % 12;
  return json{{"hz", r.hz}, {"cents", r.cents}, {"note", kNotes[idx]}, {"string", r.string_no}}.dump();
}

std::vector<std::uint8_t> downsample_preview(const std::vector<float>& pcm) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i < pcm.size(); i += 32)
    out.push_back(static_cast<std::uint8_t>((pcm[i] + 1.f) * 127.5f));
  return out;
}

// Browser tuner: binary frames carry Float32 PCM, text frames carry settings.
class TunerSession : public std::enable_shared_from_this<TunerSession> {
 public:
  explicit TunerSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.read_message_max(1 << 20);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read();
    });
  }

 private:
  void read() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->on_message();
    });
  }

  void on_message() {
    if (ws_.got_text()) {
      auto cfg = json::parse(beast::buffers_to_string(in_.data()), nullptr, false);
      if (!cfg.is_discarded()) reference_hz_ = cfg.value("a4", 440.0f);
    } else {
      pcm_.resize(in_.size() / sizeof(float));
      net::buffer_copy(net::buffer(pcm_), in_.data());
      auto r = detect_pitch(pcm_.data(), pcm_.size());
      reply_ = to_json(r);
      in_.consume(in_.size());
      ws_.text(true);
      ws_.async_write(net::buffer(reply_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (!ec) self->read();
      });
      return;
    }
    in_.consume(in_.size());
    read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  std::vector<float> pcm_;
  std::string reply_;
  float reference_hz_ = 440.f;
};

// Pedal-board companion app: sends JSON presets, gets waveform previews back.
class PedalSession : public std::enable_shared_from_this<PedalSession> {
 public:
  explicit PedalSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read();
    });
  }

 private:
  void read() {
    ws_.async_read(in_, beast::bind_front_handler(&PedalSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    auto preset = json::parse(beast::buffers_to_string(in_.data())); // expect: errorshield-ws-frame-type
    in_.consume(in_.size());
    last_capture_.assign(preset.value("samples", 256u), 0.25f);
    preview_ = downsample_preview(last_capture_);
    ws_.async_write(net::buffer(preview_), [self = shared_from_this()](beast::error_code ec2, std::size_t) { // expect: errorshield-ws-frame-type
      if (!ec2) self->read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  std::vector<float> last_capture_;
  std::vector<std::uint8_t> preview_;
};

// Shared helper used by the tuner kiosk to push the raw spectrum bins.
void send_spectrum(websocket::stream<tcp::socket>& ws, const std::vector<float>& bins) {
  ws.text(true);
  ws.write(net::buffer(bins)); // expect: errorshield-ws-frame-type
}

void send_reading(websocket::stream<tcp::socket>& ws, const Reading& r) {
  ws.text(true);
  ws.write(net::buffer(to_json(r)));
}

void send_waveform(websocket::stream<tcp::socket>& ws, const std::vector<std::uint8_t>& wave) {
  ws.binary(true);
  ws.write(net::buffer(wave));
}

// Kiosk in the shop: blocking loop on its own thread.
void kiosk_loop(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept();
  beast::flat_buffer buf;
  std::vector<float> pcm;
  beast::error_code ec;
  for (;;) {
    ws.read(buf, ec);
    if (ec) return;
    if (!ws.got_binary()) {
      buf.consume(buf.size());
      continue;
    }
    pcm.resize(buf.size() / sizeof(float));
    net::buffer_copy(net::buffer(pcm), buf.data());
    buf.consume(buf.size());
    auto r = detect_pitch(pcm.data(), pcm.size());
    send_reading(ws, r);
    send_waveform(ws, downsample_preview(pcm));
    send_spectrum(ws, pcm);
  }
}

// Mobile app: coroutine session, sends a packed Reading struct for low latency.
net::awaitable<void> mobile_session(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  std::vector<float> pcm;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    if (!ws.got_binary()) {
      buf.consume(buf.size());
      continue;
    }
    pcm.resize(buf.size() / sizeof(float));
    net::buffer_copy(net::buffer(pcm), buf.data());
    buf.consume(buf.size());
    Reading r = detect_pitch(pcm.data(), pcm.size());
    co_await ws.async_write(net::buffer(&r, sizeof r), net::use_awaitable); // expect: errorshield-ws-frame-type
  }
}

// Echo diagnostics: mirror whatever frame type the client used.
net::awaitable<void> echo_diag(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    ws.text(ws.got_text());
    co_await ws.async_write(buf.data(), net::use_awaitable);
    buf.consume(buf.size());
  }
}

// Lesson mode: teacher streams a reference tone as binary, student gets readings as text.
template <class Stream>
net::awaitable<void> lesson(websocket::stream<Stream>& ws, std::vector<float> tone) {
  ws.binary(true);
  co_await ws.async_write(net::buffer(tone), net::use_awaitable);
  beast::flat_buffer buf;
  co_await ws.async_read(buf, net::use_awaitable);
  if (!ws.got_text()) co_return;
  auto answer = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
  ws.text(true);
  Reading r{answer.value("hz", 0.f), 0.f, 0};
  co_await ws.async_write(net::buffer(to_json(r)), net::use_awaitable);
}

// Calibration: the client sends its mic profile as a JSON text message.
template <class Stream>
net::awaitable<float> read_calibration(websocket::stream<Stream>& ws) {
  beast::flat_buffer buf;
  co_await ws.async_read(buf, net::use_awaitable);
  auto profile = json::parse(beast::buffers_to_string(buf.data()), nullptr, false); // expect: errorshield-ws-frame-type
  co_return profile.is_discarded() ? 0.f : profile.value("gain_db", 0.f);
}

net::awaitable<void> lesson_session(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_accept(net::use_awaitable);
  float gain = co_await read_calibration(ws);
  std::vector<float> tone(4800);
  for (std::size_t i = 0; i < tone.size(); ++i)
    tone[i] = gain * std::sin(2.f * 3.14159265f * 110.f * static_cast<float>(i) / 48000.f);
  co_await lesson(ws, std::move(tone));
}

}  // namespace tuner

int main() {
  net::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 8440});
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    for (int n = 0;; ++n) {
      auto s = co_await acc.async_accept(net::use_awaitable);
      switch (n % 5) {
        case 0: std::make_shared<tuner::TunerSession>(std::move(s))->start(); break;
        case 1: std::make_shared<tuner::PedalSession>(std::move(s))->start(); break;
        case 2: net::co_spawn(ioc, tuner::mobile_session(std::move(s)), net::detached); break;
        case 3: net::co_spawn(ioc, tuner::lesson_session(std::move(s)), net::detached); break;
        default: net::co_spawn(ioc, tuner::echo_diag(std::move(s)), net::detached); break;
      }
    }
  }, net::detached);
  ioc.run();
}
