// checks: errorshield-ws-frame-type
// Karaoke room server: pushes the backing track (Opus chunks) and the timed
// lyric lines to every singer's tablet, and receives cue commands and mic takes.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <iostream>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace karaoke {

struct LyricLine {
  std::int64_t start_ms;
  std::int64_t end_ms;
  std::string text;
};

inline json to_wire(const LyricLine& l) {
  return json{{"type", "lyric"}, {"start", l.start_ms}, {"end", l.end_ms},
              {"text", l.text}};
}

class RoomSession : public std::enable_shared_from_this<RoomSession> {
 public:
  explicit RoomSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_read();
    });
  }

  // One encoded Opus packet of the backing track.
  void send_audio(std::shared_ptr<const std::vector<std::uint8_t>> opus) {
    ws_.binary(true);
    ws_.async_write(asio::buffer(*opus),
                    [self = shared_from_this(), opus](beast::error_code, std::size_t) {});
  }

  // Pre-roll click track so the singer hears the count-in.
  void send_count_in(std::shared_ptr<const std::vector<std::uint8_t>> clicks) {
    ws_.text(true);
    ws_.async_write(asio::buffer(*clicks), // expect: errorshield-ws-frame-type
                    [self = shared_from_this(), clicks](beast::error_code, std::size_t) {});
  }

  void send_lyric(const LyricLine& line) {
    auto payload = std::make_shared<std::string>(to_wire(line).dump());
    ws_.text(true);
    ws_.async_write(asio::buffer(*payload),
                    [self = shared_from_this(), payload](beast::error_code, std::size_t) {});
  }

 private:
  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&RoomSession::on_read,
                                                      shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    if (ws_.got_binary()) {
      // Mic take from the singer, stored raw for the scoring pass.
      mic_takes_.emplace_back(beast::buffers_to_string(buffer_.data()));
    } else {
      auto cmd = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
      if (!cmd.is_discarded()) handle_command(cmd);
    }
    buffer_.consume(buffer_.size());
    do_read();
  }

  void handle_command(const json& cmd) {
    const auto op = cmd.value("op", std::string{});
    if (op == "pause") paused_ = true;
    else if (op == "resume") paused_ = false;
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::deque<std::string> mic_takes_;
  bool paused_ = false;
};

// Stage-side monitor connection: the host's console sends cue commands.
class CueSession : public std::enable_shared_from_this<CueSession> {
 public:
  explicit CueSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_read();
    });
  }

 private:
  void do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec,
                                                        std::size_t) {
      if (ec) return;
      auto cue = json::parse(beast::buffers_to_string(self->buffer_.data())); // expect: errorshield-ws-frame-type
      std::cout << "cue " << cue.value("song", "") << " @ "
                << cue.value("offset_ms", 0) << "\n";
      self->buffer_.clear();
      self->do_read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

// Coroutine that streams a whole song to one tablet.
asio::awaitable<void> play_song(websocket::stream<beast::tcp_stream>& ws,
                                const std::vector<std::vector<std::uint8_t>>& packets,
                                const std::vector<LyricLine>& lyrics) {
  asio::steady_timer pacer(co_await asio::this_coro::executor);
  std::size_t next_lyric = 0;
  for (std::size_t i = 0; i < packets.size(); ++i) {
    const auto now_ms = static_cast<std::int64_t>(i) * 20;
    if (next_lyric < lyrics.size() && lyrics[next_lyric].start_ms <= now_ms) {
      ws.text(true);
      co_await ws.async_write(asio::buffer(to_wire(lyrics[next_lyric]).dump()),
                              asio::use_awaitable);
      ++next_lyric;
    }
    ws.binary(true);
    co_await ws.async_write(asio::buffer(packets[i]), asio::use_awaitable);
    pacer.expires_after(std::chrono::milliseconds(20));
    co_await pacer.async_wait(asio::use_awaitable);
  }
}

// Preview mode for the song picker: a short snippet then the title card.
asio::awaitable<void> play_preview(tcp::socket sock,
                                   std::vector<std::uint8_t> snippet,
                                   std::string title) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_accept(asio::use_awaitable);
  co_await ws.async_write(asio::buffer(snippet), asio::use_awaitable); // expect: errorshield-ws-frame-type
  json card{{"type", "title"}, {"title", title}};
  co_await ws.async_write(asio::buffer(card.dump()), asio::use_awaitable);
}

// Duet mode: the second singer's take is mixed in and both get the result.
asio::awaitable<void> duet_exchange(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_accept(asio::use_awaitable);
  ws.binary(true);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    if (ws.got_text()) {
      auto msg = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
      if (msg.is_object() && msg.value("op", "") == "leave") co_return;
    } else {
      co_await ws.async_write(buf.data(), asio::use_awaitable);
    }
    buf.consume(buf.size());
    json ack{{"type", "ack"}, {"mixed", true}};
    co_await ws.async_write(asio::buffer(ack.dump()), asio::use_awaitable); // expect: errorshield-ws-frame-type
  }
}

// Pitch-guide waveform for the on-screen meter, generic over the transport.
template <class Stream>
class PitchGuide {
 public:
  explicit PitchGuide(websocket::stream<Stream>& ws) : ws_(ws) {}

  void push(std::span<const float> contour) {
    ws_.text(true);
    ws_.write(asio::buffer(contour.data(), contour.size_bytes())); // expect: errorshield-ws-frame-type
  }

  void push_label(const std::string& note_name) {
    ws_.text(true);
    ws_.write(asio::buffer(note_name));
  }

 private:
  websocket::stream<Stream>& ws_;
};

void guide_loop(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept();
  PitchGuide<tcp::socket> guide(ws);
  std::vector<float> contour(256, 220.0f);
  guide.push(contour);
  guide.push_label("A3");
}

asio::awaitable<void> listener(tcp::acceptor acc) {
  for (;;) {
    auto s = co_await acc.async_accept(asio::use_awaitable);
    std::make_shared<RoomSession>(std::move(s))->start();
  }
}

}  // namespace karaoke

int main() {
  asio::io_context ioc;
  tcp::acceptor rooms(ioc, {tcp::v4(), 8800});
  tcp::acceptor cues(ioc, {tcp::v4(), 8801});
  asio::co_spawn(ioc, karaoke::listener(std::move(rooms)), asio::detached);
  cues.async_accept([](beast::error_code ec, tcp::socket s) {
    if (!ec) std::make_shared<karaoke::CueSession>(std::move(s))->start();
  });
  ioc.run();
}
