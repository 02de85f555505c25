// checks: errorshield-ws-frame-type
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace planetarium {

// Booth console protocol (v3)
//   text frames  : JSON requests / replies ("cue_list", "status", "error", acks)
//   binary frames: PNG snapshots of the dome master, raw PCM cue uploads

struct Cue {
  std::string id;
  std::string scene;
  double start_s = 0.0;
  double fade_s = 2.0;
};

class DomeRenderer {
 public:
  virtual ~DomeRenderer() = default;
  virtual std::vector<std::uint8_t> snapshot_png(int width) = 0;
  virtual std::vector<Cue> cues() const = 0;
  virtual json status() const = 0;
};

class AudioLibrary {
 public:
  std::size_t store(std::string name, std::vector<std::uint8_t> pcm) {
    std::lock_guard lock(mu_);
    const std::size_t n = pcm.size();
    clips_.emplace_back(std::move(name), std::move(pcm));
    return n;
  }

 private:
  std::mutex mu_;
  std::vector<std::pair<std::string, std::vector<std::uint8_t>>> clips_;
};

inline json cue_json(const Cue& c) {
  return json{{"id", c.id}, {"scene", c.scene}, {"start", c.start_s}, {"fade", c.fade_s}};
}

// Overlay shown on the dome during pre-show; unrelated to the console link.
class DomeCaption {
 public:
  void text(std::string s) { text_ = std::move(s); }
  void binary(bool on) { mono_ = on; }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  bool mono_ = false;
};

// ---------------------------------------------------------------------------
// One session per operator tablet. Strictly request/response: one reply is
// written for each request before the next read is issued.

class ConsoleSession : public std::enable_shared_from_this<ConsoleSession> {
 public:
  ConsoleSession(tcp::socket socket, DomeRenderer& renderer, AudioLibrary& audio)
      : ws_(std::move(socket)), renderer_(renderer), audio_(audio) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(64 * 1024 * 1024);  // PCM uploads can be large
    ws_.async_accept(beast::bind_front_handler(&ConsoleSession::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    do_read();
  }

  void do_read() {
    buffer_.consume(buffer_.size());
    ws_.async_read(buffer_, beast::bind_front_handler(&ConsoleSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t bytes) {
    if (ec) return;  // closed or reset; session ends here

    if (ws_.got_binary()) {
      // PCM body for the name announced by the preceding "upload" request
      const auto* p = static_cast<const std::uint8_t*>(buffer_.data().data());
      std::vector<std::uint8_t> pcm(p, p + bytes);
      const std::size_t stored = audio_.store(pending_upload_, std::move(pcm));
      reply_ = json{{"type", "upload_ack"}, {"name", pending_upload_}, {"bytes", stored}}.dump();
      ws_.text(ws_.got_text());
      ws_.async_write(net::buffer(reply_), beast::bind_front_handler(&ConsoleSession::on_write, shared_from_this())); // expect: errorshield-ws-frame-type
      return;
    }

    json req = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
    if (req.is_discarded() || !req.contains("op") || !req["op"].is_string()) {
      send_error("malformed request");
      return;
    }
    const std::string op = req["op"].get<std::string>();

    if (op == "cue_list") {
      json list = json::array();
      for (const Cue& c : renderer_.cues()) list.push_back(cue_json(c));
      reply_ = json{{"type", "cue_list"}, {"cues", std::move(list)}}.dump();
      ws_.text(true);
      ws_.async_write(net::buffer(reply_), beast::bind_front_handler(&ConsoleSession::on_write, shared_from_this()));
    } else if (op == "snapshot") {
      snapshot_ = renderer_.snapshot_png(req.value("width", 1024));
      ws_.binary(true);
      ws_.async_write(net::buffer(snapshot_), beast::bind_front_handler(&ConsoleSession::on_write, shared_from_this()));
    } else if (op == "status") {
      reply_ = json{{"type", "status"}, {"dome", renderer_.status()}}.dump();
      ws_.text(true);
      ws_.async_write(net::buffer(reply_), beast::bind_front_handler(&ConsoleSession::on_write, shared_from_this()));
    } else if (op == "upload") {
      pending_upload_ = req.value("name", std::string("unnamed"));
      reply_ = json{{"type", "upload_ready"}, {"name", pending_upload_}}.dump();
      ws_.text(true);
      ws_.async_write(net::buffer(reply_), beast::bind_front_handler(&ConsoleSession::on_write, shared_from_this()));
    } else {
      send_error("unknown op: " + op);
    }
  }

  void send_error(std::string what) {
    reply_ = json{{"type", "error"}, {"message", std::move(what)}}.dump();
    ws_.async_write(net::buffer(reply_), beast::bind_front_handler(&ConsoleSession::on_write, shared_from_this())); // expect: errorshield-ws-frame-type
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return;
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  DomeRenderer& renderer_;
  AudioLibrary& audio_;
  std::string reply_;
  std::vector<std::uint8_t> snapshot_;
  std::string pending_upload_;
};

// ---------------------------------------------------------------------------
// Maintenance loopback: technicians use it to check the booth network.
// Frames come back exactly as they were sent.

class LoopbackSession : public std::enable_shared_from_this<LoopbackSession> {
 public:
  explicit LoopbackSession(tcp::socket socket) : ws_(std::move(socket)) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(1 << 20);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_read();
    });
  }

 private:
  void do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->ws_.text(self->ws_.got_text());
      self->ws_.async_write(self->buffer_.data(), [self](beast::error_code wec, std::size_t) {
        if (wec) return;
        self->buffer_.consume(self->buffer_.size());
        self->do_read();
      });
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

// ---------------------------------------------------------------------------
// Synchronous link to the projector blending controller (runs on the
// calibration thread, never on the io_context threads).

class ProjectorLink {
 public:
  ProjectorLink(net::io_context& ioc, std::string host, std::string port)
      : resolver_(ioc), ws_(ioc), host_(std::move(host)), port_(std::move(port)) {}

  void connect() {
    auto const results = resolver_.resolve(host_, port_);
    auto ep = net::connect(ws_.next_layer(), results);
    ws_.handshake(host_ + ":" + std::to_string(ep.port()), "/control");
  }

  void send_command(const json& cmd) {
    const std::string body = cmd.dump();
    ws_.text(true);
    ws_.write(net::buffer(body));
  }

  void set_blackout(int channel, bool on) {
    send_command(json{{"op", "blackout"}, {"channel", channel}, {"on", on}});
  }

  // Tile = 4-byte header (channel, reserved) followed by RGBA pixels.
  void send_tile(std::uint8_t channel, const std::vector<std::uint8_t>& rgba) {
    std::vector<std::uint8_t> frame;
    frame.reserve(rgba.size() + 4);
    frame.push_back(channel);
    frame.insert(frame.end(), 3, 0);
    frame.insert(frame.end(), rgba.begin(), rgba.end());
    ws_.binary(true);
    ws_.write(net::buffer(frame));
  }

  // Warp tables come from the calibration rig: little-endian float32 (u, v)
  // pairs, one per mesh vertex.
  void upload_warp_table(int channel, const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string table((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    send_command(json{{"op", "warp_begin"}, {"channel", channel}, {"bytes", table.size()}});
    ws_.write(net::buffer(table)); // expect: errorshield-ws-frame-type
    send_command(json{{"op", "warp_commit"}, {"channel", channel}});
  }

  // Calibration notes are plain UTF-8, edited by hand on the booth PC.
  void upload_notes(const std::string& path) {
    std::ifstream in(path);
    std::string notes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ws_.text(true);
    ws_.write(net::buffer(notes));
  }

  void close() { ws_.close(websocket::close_code::normal); }

 private:
  tcp::resolver resolver_;
  websocket::stream<tcp::socket> ws_;
  std::string host_;
  std::string port_;
};

// ---------------------------------------------------------------------------
// Show timecode fan-out to lighting desks and the laser controller.

template <class Stream>
void push_timecode(Stream& ws, std::int64_t frame, double fps) {
  const json tc = {{"f", frame}, {"fps", fps}};
  const std::vector<std::uint8_t> packed = json::to_msgpack(tc);
  ws.text(true);
  ws.write(net::buffer(packed)); // expect: errorshield-ws-frame-type
}

// Desks on pre-2019 firmware only parse JSON timecode.
template <class Stream>
void push_timecode_json(Stream& ws, std::int64_t frame, double fps) {
  const std::string body = json{{"f", frame}, {"fps", fps}}.dump();
  ws.text(true);
  ws.write(net::buffer(body));
}

template <class Stream>
void push_timecode_cbor(Stream& ws, std::int64_t frame, double fps) {
  const std::vector<std::uint8_t> packed = json::to_cbor(json{{"f", frame}, {"fps", fps}});
  ws.binary(true);
  ws.write(net::buffer(packed));
}

struct Desk {
  std::unique_ptr<websocket::stream<tcp::socket>> ws;
  enum class Format { msgpack, cbor, json } format = Format::json;
};

class TimecodeFanout {
 public:
  void add(Desk d) { desks_.push_back(std::move(d)); }

  void tick(std::int64_t frame, double fps) {
    for (Desk& d : desks_) {
      switch (d.format) {
        case Desk::Format::msgpack: push_timecode(*d.ws, frame, fps); break;
        case Desk::Format::cbor: push_timecode_cbor(*d.ws, frame, fps); break;
        case Desk::Format::json: push_timecode_json(*d.ws, frame, fps); break;
      }
    }
    caption_.text("T+" + std::to_string(frame / static_cast<std::int64_t>(fps)));
    caption_.binary(false);
  }

 private:
  std::vector<Desk> desks_;
  DomeCaption caption_;
};

}  // namespace planetarium
