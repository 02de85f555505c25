// checks: errorshield-ws-frame-type
// Ham radio scanner relay: an SDR box streams demodulated audio plus
// metadata (frequency, mode, decoded callsign, signal strength) to web
// listeners; listeners can request a retune.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <deque>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace scanner {

struct Metadata {
  double freq_mhz = 145.500;
  std::string mode = "NFM";
  std::string callsign;
  int rssi_dbm = -120;
};

json to_json(const Metadata &m) {
  return {{"f", m.freq_mhz}, {"mode", m.mode}, {"call", m.callsign}, {"rssi", m.rssi_dbm}};
}

using PcmChunk = std::vector<std::int16_t>; // 8 kHz mono, 20 ms

// ---------------------------------------------------------------------------
// Listener on the legacy web page. Metadata was the first thing this carried,
// audio was bolted on later.
class Listener : public std::enable_shared_from_this<Listener> {
public:
  explicit Listener(tcp::socket s) : ws_(std::move(s)) { ws_.text(true); }

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read_loop();
    });
  }

  void push_audio(PcmChunk chunk) {
    audio_ = std::move(chunk);
    ws_.async_write(asio::buffer(audio_), [self = shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-ws-frame-type
      if (ec)
        std::cerr << "listener gone: " << ec.message() << "\n";
    });
  }

private:
  void read_loop() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->in_.clear();
      self->read_loop();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  PcmChunk audio_;
};

// ---------------------------------------------------------------------------
// Current listener protocol: audio frames binary, metadata text.
class ListenerV2 : public std::enable_shared_from_this<ListenerV2> {
public:
  explicit ListenerV2(tcp::socket s) : ws_(std::move(s)) {}

  void push_audio(PcmChunk chunk) {
    audio_ = std::move(chunk);
    ws_.binary(true);
    ws_.async_write(asio::buffer(audio_), [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  void push_metadata(const Metadata &m) {
    meta_ = to_json(m).dump();
    ws_.text(true);
    ws_.async_write(asio::buffer(meta_), [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
  PcmChunk audio_;
  std::string meta_;
};

// ---------------------------------------------------------------------------
// Control channel: listeners ask the SDR to retune.
asio::awaitable<void> control_channel(tcp::socket sock, Metadata &tuned) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    json req = json::parse(beast::buffers_to_string(buf.data())); // expect: errorshield-ws-frame-type
    buf.clear();
    if (req.contains("tune")) {
      tuned.freq_mhz = req["tune"].get<double>();
      ws.text(true);
      std::string ack = to_json(tuned).dump();
      co_await ws.async_write(asio::buffer(ack), asio::use_awaitable);
    }
  }
}

// Remote operator console: same requests, but it also uploads recorded
// voice IDs as binary frames, so it has to look at the frame type.
asio::awaitable<void> operator_console(tcp::socket sock, Metadata &tuned) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  std::vector<std::uint8_t> voice_id;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    if (ws.got_text()) {
      auto req = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
      if (req.is_object() && req.contains("mode"))
        tuned.mode = req["mode"].get<std::string>();
    } else {
      auto *p = static_cast<const std::uint8_t *>(buf.cdata().data());
      voice_id.assign(p, p + buf.size());
    }
    buf.clear();
  }
}

// ---------------------------------------------------------------------------
// Fan-out to a set of downstream relays (other club stations).
template <class Stream>
class RelayFanout {
public:
  void add(std::shared_ptr<websocket::stream<Stream>> ws) { peers_.push_back(std::move(ws)); }

  // Opus packets from the encoder.
  void forward_opus(const std::vector<unsigned char> &packet) {
    for (auto &p : peers_)
      p->write(asio::buffer(packet)); // expect: errorshield-ws-frame-type
  }

  void forward_metadata(const Metadata &m) {
    const std::string text = to_json(m).dump();
    for (auto &p : peers_) {
      p->text(true);
      p->write(asio::buffer(text));
    }
  }

  // Raw IQ snapshots for the waterfall display on the club site.
  void forward_iq(const std::vector<float> &iq) {
    for (auto &p : peers_) {
      p->binary(true);
      p->write(asio::buffer(iq));
    }
  }

private:
  std::deque<std::shared_ptr<websocket::stream<Stream>>> peers_;
};

// ---------------------------------------------------------------------------
// Waterfall bitmap for the low-bandwidth page (one row per message).
void send_waterfall_row(websocket::stream<tcp::socket> &ws, const std::array<std::uint8_t, 1024> &row) {
  std::string payload(reinterpret_cast<const char *>(row.data()), row.size());
  ws.text(true);
  ws.write(asio::buffer(payload)); // expect: errorshield-ws-frame-type
}

// Echo service used by the club's link test page.
void echo_test(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept();
  beast::flat_buffer buf;
  beast::error_code ec;
  for (;;) {
    ws.read(buf, ec);
    if (ec)
      break;
    ws.text(ws.got_text());
    ws.write(buf.data(), ec);
    buf.clear();
    if (ec)
      break;
  }
}

// APRS position beacons arrive from the TNC bridge as JSON.
void aprs_ingest(websocket::stream<tcp::socket> &ws) {
  beast::flat_buffer buf;
  beast::error_code ec;
  ws.read(buf, ec);
  if (ec)
    return;
  if (!ws.got_text()) {
    ws.close(websocket::close_code::bad_payload, ec);
    return;
  }
  auto beacon = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
  if (beacon.is_object())
    std::cout << beacon.value("src", "?") << " @ " << beacon.value("lat", 0.0) << "\n";
}

} // namespace scanner

int main() {
  asio::io_context ioc;
  scanner::Metadata tuned;
  tcp::acceptor acc(ioc, {tcp::v4(), 8073});
  scanner::RelayFanout<tcp::socket> fanout;
  fanout.forward_opus({});
  fanout.forward_metadata(tuned);
  fanout.forward_iq({});
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        for (;;) {
          auto s = co_await acc.async_accept(asio::use_awaitable);
          asio::co_spawn(ioc, scanner::control_channel(std::move(s), tuned), asio::detached);
        }
      },
      asio::detached);
  ioc.run();
}
