// checks: errorshield-ws-frame-type
// Jam-session relay: musicians stream Opus packets to each other through the
// server; control traffic (roster, chat, tempo) rides the same socket.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace jam {

struct OpusPacket {
  std::uint32_t seq = 0;
  std::uint64_t capture_ts_us = 0;
  std::vector<std::uint8_t> payload;
};

struct TempoState {
  double bpm = 120.0;
  int beats_per_bar = 4;
  std::uint64_t downbeat_ts_us = 0;
};

std::string base64_encode(std::span<const std::uint8_t> in);

// wire layout: seq (4, LE) | capture ts (8, LE) | opus payload
inline std::vector<std::uint8_t> frame_packet(const OpusPacket& p) {
  std::vector<std::uint8_t> out(12 + p.payload.size());
  std::memcpy(out.data(), &p.seq, 4);
  std::memcpy(out.data() + 4, &p.capture_ts_us, 8);
  std::memcpy(out.data() + 12, p.payload.data(), p.payload.size());
  return out;
}

using WsStream = websocket::stream<beast::tcp_stream>;

// Pushes a rendered stem (raw PCM) to one listener. Used by the bounce/export path.
template <class WS>
void push_stem(WS& ws, const std::vector<std::int16_t>& pcm) {
  ws.text(true);
  ws.write(asio::buffer(pcm)); // expect: errorshield-ws-frame-type
}

// Same idea, but for the metadata that accompanies the stem.
template <class WS>
void push_stem_info(WS& ws, const std::string& track, std::size_t samples) {
  json info{{"type", "stem"}, {"track", track}, {"samples", samples}};
  ws.text(true);
  ws.write(asio::buffer(info.dump()));
}

class Musician : public std::enable_shared_from_this<Musician> {
 public:
  Musician(tcp::socket sock, std::string name)
      : ws_(std::move(sock)), name_(std::move(name)) {}

  WsStream& ws() { return ws_; }
  const std::string& name() const { return name_; }

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      if (self->pending_flush_) {
        auto flush = std::move(self->pending_flush_);
        self->pending_flush_ = nullptr;
        flush();
      }
      self->read_next();
    });
  }

  // Live audio goes out as a binary frame.
  void send_audio(const OpusPacket& pkt) {
    auto framed = std::make_shared<std::vector<std::uint8_t>>(frame_packet(pkt));
    ws_.binary(true);
    ws_.async_write(asio::buffer(*framed),
                    [framed, self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  // Count-in click track, pre-rendered PCM.
  void send_count_in(const std::vector<std::uint8_t>& click_pcm) {
    ws_.text(true);
    ws_.write(asio::buffer(click_pcm)); // expect: errorshield-ws-frame-type
  }

  void send_roster(const json& roster) {
    auto body = std::make_shared<std::string>(roster.dump());
    ws_.text(true);
    ws_.async_write(asio::buffer(*body),
                    [body, self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  void send_chat(const std::string& from, const std::string& text) {
    json j{{"type", "chat"}, {"from", from}, {"text", text}};
    auto body = std::make_shared<std::string>(j.dump());
    ws_.binary(true);
    ws_.async_write(asio::buffer(*body), // expect: errorshield-ws-frame-type
                    [body, self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  // Tempo updates are sent ~20x/s, so they were switched to CBOR to save bytes.
  void send_tempo(const TempoState& t) {
    json j{{"bpm", t.bpm}, {"bpb", t.beats_per_bar}, {"downbeat", t.downbeat_ts_us}};
    auto cbor = std::make_shared<std::vector<std::uint8_t>>(json::to_cbor(j));
    ws_.text(true);
    ws_.async_write(asio::buffer(*cbor), // expect: errorshield-ws-frame-type
                    [cbor, self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  // Waveform peaks are base64'd into JSON for the browser's canvas widget.
  void send_waveform_preview(std::span<const std::uint8_t> peaks) {
    json j{{"type", "waveform"}, {"peaks_b64", base64_encode(peaks)}};
    auto body = std::make_shared<std::string>(j.dump());
    ws_.text(true);
    ws_.async_write(asio::buffer(*body),
                    [body, self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  // Latency report: the framed packet is only measured, the report is JSON.
  void send_latency_report(const OpusPacket& probe, std::uint64_t rtt_us) {
    const auto framed = frame_packet(probe);
    json j{{"type", "latency"}, {"rtt_us", rtt_us}, {"probe_bytes", framed.size()}};
    auto body = std::make_shared<std::string>(j.dump());
    ws_.text(true);
    ws_.async_write(asio::buffer(*body),
                    [body, self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  // After a reconnect the client asks for the audio it missed. The backlog is
  // flushed once the new handshake completes.
  void queue_backlog(std::vector<OpusPacket> backlog) {
    pending_flush_ = [this, backlog = std::move(backlog)]() {
      json hdr{{"type", "resync"}, {"count", backlog.size()}};
      ws_.text(true);
      ws_.write(asio::buffer(hdr.dump()));
      for (const auto& p : backlog) {
        auto bytes = frame_packet(p);
        ws_.write(asio::buffer(bytes)); // expect: errorshield-ws-frame-type
      }
    };
  }

  // Forward a message exactly as it arrived.
  void relay_from(Musician& src, const beast::flat_buffer& msg) {
    ws_.binary(src.ws().got_binary());
    ws_.write(msg.data());
  }

 private:
  void read_next() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->on_message();
    });
  }

  void on_message() {
    if (ws_.got_text()) {
      auto j = json::parse(beast::buffers_to_string(in_.data()), nullptr, false);
      if (!j.is_discarded() && j.value("type", "") == "chat" && on_chat_)
        on_chat_(j);
    } else if (on_audio_) {
      on_audio_(*this, in_);
    }
    in_.consume(in_.size());
    read_next();
  }

 public:
  std::function<void(const json&)> on_chat_;
  std::function<void(Musician&, const beast::flat_buffer&)> on_audio_;

 private:
  WsStream ws_;
  std::string name_;
  beast::flat_buffer in_;
  std::function<void()> pending_flush_;
};

class Room {
 public:
  void add(std::shared_ptr<Musician> m) {
    m->on_audio_ = [this](Musician& src, const beast::flat_buffer& buf) { fan_out(src, buf); };
    members_.push_back(std::move(m));
  }

  // Audio fan-out for the "monitor mix" listeners that are stored by pointer.
  void fan_out(Musician& src, const beast::flat_buffer& buf) {
    for (auto& m : members_) {
      if (m.get() == &src) continue;
      m->relay_from(src, buf);
    }
    for (Musician* listener : monitors_) {
      listener->ws().text(true);
      listener->ws().write(buf.data()); // expect: errorshield-ws-frame-type
    }
  }

  void bounce_stem(const std::string& track, const std::vector<std::int16_t>& pcm) {
    for (auto& m : members_) {
      push_stem_info(m->ws(), track, pcm.size());
      push_stem(m->ws(), pcm);
    }
  }

  void add_monitor(Musician* m) { monitors_.push_back(m); }

 private:
  std::vector<std::shared_ptr<Musician>> members_;
  std::vector<Musician*> monitors_;
};

}  // namespace jam
