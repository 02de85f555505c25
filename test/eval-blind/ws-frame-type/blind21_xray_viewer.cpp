// checks: errorshield-ws-frame-type
// Radiology reading-room push service. When the modality finishes a study the
// PACS bridge pushes thumbnails, full-resolution pixel tiles and study metadata
// to the radiologist's browser viewer over a WebSocket.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace xray {

struct Study {
  std::string accession;
  std::string modality;  // "CR", "DX"
  int rows = 0;
  int cols = 0;
  std::vector<std::uint8_t> thumbnail_png;
  std::vector<std::byte> pixel_tile;  // 16-bit little endian, raw
};

inline Study load_study(const std::string& accession) {
  Study s;
  s.accession = accession;
  s.modality = "DX";
  s.rows = 3072;
  s.cols = 2560;
  s.thumbnail_png.assign(4096, 0x89);
  s.pixel_tile.assign(65536, std::byte{0});
  return s;
}

inline json study_header(const Study& s) {
  return json{{"accession", s.accession}, {"modality", s.modality}, {"rows", s.rows}, {"cols", s.cols}};
}

// ---------------------------------------------------------------------------
// Viewer session, callback style. The viewer sends JSON commands like
// {"open":"ACC123"} and {"window":{"center":40,"width":400}}.
class ViewerSession : public std::enable_shared_from_this<ViewerSession> {
 public:
  explicit ViewerSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.read_message_max(256 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read_command();
    });
  }

 private:
  void read_command() {
    ws_.async_read(in_, beast::bind_front_handler(&ViewerSession::on_command, shared_from_this()));
  }

  void on_command(beast::error_code ec, std::size_t) {
    if (ec) return;
    auto cmd = json::parse(beast::buffers_to_string(in_.data()), nullptr, false);  // expect: errorshield-ws-frame-type
    in_.consume(in_.size());
    if (!cmd.is_discarded() && cmd.contains("open")) {
      current_ = load_study(cmd["open"].get<std::string>());
      send_header();
      return;
    }
    read_command();
  }

  void send_header() {
    header_text_ = study_header(current_).dump();
    ws_.text(true);
    ws_.async_write(asio::buffer(header_text_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) self->send_thumbnail();
    });
  }

  void send_thumbnail() {
    // thumbnail is a PNG the browser turns into a Blob URL
    ws_.async_write(asio::buffer(current_.thumbnail_png), [self = shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-ws-frame-type
      if (!ec) self->read_command();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  Study current_;
  std::string header_text_;
};

// ---------------------------------------------------------------------------
// Full-resolution tile streaming for the diagnostic monitor (coroutine).
asio::awaitable<void> tile_stream(websocket::stream<tcp::socket>& ws, const Study& study) {
  ws.text(true);
  std::string meta = study_header(study).dump();
  co_await ws.async_write(asio::buffer(meta), asio::use_awaitable);
  co_await ws.async_write(asio::buffer(study.pixel_tile), asio::use_awaitable);  // expect: errorshield-ws-frame-type
}

asio::awaitable<void> diagnostic_monitor(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.read_message_max(64 * 1024);
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    std::string payload = beast::buffers_to_string(buf.data());
    buf.consume(buf.size());
    json req = json::parse(payload);  // expect: errorshield-ws-frame-type
    Study s = load_study(req.at("accession").get<std::string>());
    co_await tile_stream(ws, s);
  }
}

// Comparison view: prior study on the left, current on the right.
asio::awaitable<void> comparison_view(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.read_message_max(64 * 1024);
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    if (!ws.got_text()) {
      buf.consume(buf.size());
      continue;
    }
    auto req = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (req.is_discarded()) continue;
    Study prior = load_study(req.value("prior", ""));
    Study cur = load_study(req.value("current", ""));
    ws.binary(true);
    co_await ws.async_write(asio::buffer(prior.thumbnail_png), asio::use_awaitable);
    co_await ws.async_write(asio::buffer(cur.thumbnail_png), asio::use_awaitable);
    ws.text(true);
    std::string done = json{{"compare", "ready"}}.dump();
    co_await ws.async_write(asio::buffer(done), asio::use_awaitable);
  }
}

// ---------------------------------------------------------------------------
// Synchronous push used by the overnight teaching-file exporter.
template <class Stream>
void export_teaching_case(websocket::stream<Stream>& ws, const Study& s) {
  std::string hdr = study_header(s).dump();
  ws.text(true);
  ws.write(asio::buffer(hdr));
  std::vector<unsigned char> anonymized(s.thumbnail_png.begin(), s.thumbnail_png.end());
  ws.write(asio::buffer(anonymized));  // expect: errorshield-ws-frame-type
}

// Annotation upload from the viewer: measurements as JSON, key images as
// binary PNG frames; the frame type tells which is which.
void annotation_upload(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.read_message_max(2 * 1024 * 1024);
  ws.accept();
  beast::flat_buffer buf;
  beast::error_code ec;
  for (;;) {
    ws.read(buf, ec);
    if (ec) break;
    if (ws.got_binary()) {
      std::vector<std::uint8_t> key_image(buf.size());
      asio::buffer_copy(asio::buffer(key_image), buf.data());
      std::clog << "key image " << key_image.size() << " bytes\n";
    } else {
      auto note = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
      if (!note.is_discarded()) std::clog << "measurement: " << note.dump() << "\n";
    }
    buf.consume(buf.size());
  }
}

// Worklist refresh: plain JSON text, default frame type is text.
void push_worklist(websocket::stream<tcp::socket>& ws, const std::vector<Study>& list) {
  json arr = json::array();
  for (const auto& s : list) arr.push_back(study_header(s));
  std::string body = arr.dump();
  ws.write(asio::buffer(body));
}

// Dose report PDF attached to the study.
void push_dose_report(websocket::stream<tcp::socket>& ws, const std::vector<std::uint8_t>& pdf) {
  ws.binary(true);
  ws.write(asio::buffer(pdf));
}

}  // namespace xray

int main() {
  asio::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 8443});
  std::function<void()> do_accept;
  do_accept = [&] {
    acc.async_accept([&](beast::error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<xray::ViewerSession>(std::move(s))->start();
      do_accept();
    });
  };
  do_accept();
  tcp::acceptor diag(ioc, {tcp::v4(), 8444});
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        for (;;) {
          auto s = co_await diag.async_accept(asio::use_awaitable);
          asio::co_spawn(ioc, xray::diagnostic_monitor(std::move(s)), asio::detached);
        }
      },
      asio::detached);
  ioc.run();
}
