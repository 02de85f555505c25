// checks: errorshield-ws-frame-type
// Print-farm controller: dashboards and slicer workstations talk to the
// controller over WebSocket. Job control is JSON; G-code chunks, camera
// snapshots and thumbnails are raw bytes.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace farm {

struct PrinterState {
  std::string id;
  double nozzle_c = 0;
  double bed_c = 0;
  int progress = 0;
};

inline std::map<std::string, PrinterState> &printers() {
  static std::map<std::string, PrinterState> p;
  return p;
}

inline std::vector<std::uint8_t> grab_camera_frame(const std::string &printer_id) {
  // JPEG from the enclosure camera (stubbed)
  return std::vector<std::uint8_t>(1024, static_cast<std::uint8_t>(printer_id.size()));
}

inline std::vector<std::uint8_t> render_thumbnail(const std::string &job) {
  return std::vector<std::uint8_t>(256, static_cast<std::uint8_t>(job.size()));
}

// Dashboard session: receives job commands, pushes status and camera frames.
class DashboardSession : public std::enable_shared_from_this<DashboardSession> {
public:
  explicit DashboardSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.read_message_max(256 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->do_read();
    });
  }

private:
  void do_read() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->on_command();
    });
  }

  void on_command() {
    if (!ws_.got_text()) {
      in_.consume(in_.size());
      return do_read();
    }
    auto cmd = json::parse(beast::buffers_to_string(in_.data()));
    in_.consume(in_.size());
    if (cmd.value("op", "") == "snapshot")
      send_snapshot(cmd.at("printer").get<std::string>());
    else
      send_status();
  }

  void send_status() {
    json j = json::array();
    for (auto &[id, st] : printers())
      j.push_back({{"id", id}, {"nozzle", st.nozzle_c}, {"bed", st.bed_c}, {"progress", st.progress}});
    out_text_ = j.dump();
    ws_.text(true);
    ws_.async_write(asio::buffer(out_text_),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (!ec)
                        self->do_read();
                    });
  }

  void send_snapshot(const std::string &printer_id) {
    out_bytes_ = grab_camera_frame(printer_id);
    ws_.text(true);
    ws_.async_write(asio::buffer(out_bytes_), // expect: errorshield-ws-frame-type
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (!ec)
                        self->do_read();
                    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  std::string out_text_;
  std::vector<std::uint8_t> out_bytes_;
};

// Slicer workstation upload: a JSON header frame followed by binary G-code chunks.
asio::awaitable<void> slicer_upload(tcp::socket s) {
  websocket::stream<beast::tcp_stream> ws(std::move(s));
  ws.read_message_max(8 * 1024 * 1024);
  co_await ws.async_accept(asio::use_awaitable);

  beast::flat_buffer buf;
  co_await ws.async_read(buf, asio::use_awaitable);
  auto header = json::parse(beast::buffers_to_string(buf.data())); // expect: errorshield-ws-frame-type
  buf.consume(buf.size());

  std::size_t expected = header.at("bytes").get<std::size_t>();
  std::vector<std::uint8_t> gcode;
  while (gcode.size() < expected) {
    co_await ws.async_read(buf, asio::use_awaitable);
    if (!ws.got_binary())
      break;
    auto data = buf.data();
    auto *p = static_cast<const std::uint8_t *>(data.data());
    gcode.insert(gcode.end(), p, p + data.size());
    buf.consume(buf.size());
  }
  std::cout << "received " << gcode.size() << " bytes of gcode\n";
}

// Firmware heartbeat from each printer board: tagged text JSON, checked properly.
asio::awaitable<void> printer_heartbeat(tcp::socket s) {
  websocket::stream<beast::tcp_stream> ws(std::move(s));
  ws.read_message_max(16 * 1024);
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    if (ws.got_text()) {
      auto hb = json::parse(beast::buffers_to_string(buf.data()));
      auto &st = printers()[hb.at("id").get<std::string>()];
      st.id = hb.at("id").get<std::string>();
      st.nozzle_c = hb.value("nozzle", 0.0);
      st.bed_c = hb.value("bed", 0.0);
      st.progress = hb.value("progress", 0);
    }
    buf.consume(buf.size());
  }
}

// Compact telemetry from newer boards comes as CBOR in binary frames.
asio::awaitable<void> printer_telemetry_cbor(tcp::socket s) {
  websocket::stream<beast::tcp_stream> ws(std::move(s));
  ws.read_message_max(16 * 1024);
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    if (ws.got_binary()) {
      auto d = buf.data();
      auto *p = static_cast<const std::uint8_t *>(d.data());
      auto t = json::from_cbor(std::vector<std::uint8_t>(p, p + d.size()));
      printers()[t.at("id").get<std::string>()].progress = t.value("progress", 0);
    }
    buf.consume(buf.size());
  }
}

// Thumbnail push used by the job queue view.
template <class Stream>
void push_thumbnail(websocket::stream<Stream> &ws, const std::string &job) {
  auto png = render_thumbnail(job);
  ws.write(asio::buffer(png)); // expect: errorshield-ws-frame-type
}

template <class Stream>
void push_thumbnail_binary(websocket::stream<Stream> &ws, const std::string &job) {
  auto png = render_thumbnail(job);
  ws.binary(true);
  ws.write(asio::buffer(png));
  ws.text(true);
}

// Legacy kiosk protocol: one message per request, synchronous.
void kiosk_session(tcp::socket s) {
  websocket::stream<tcp::socket> ws(std::move(s));
  ws.read_message_max(32 * 1024);
  ws.accept();
  beast::flat_buffer buf;
  beast::error_code ec;
  for (;;) {
    ws.read(buf, ec);
    if (ec)
      break;
    std::string body = beast::buffers_to_string(buf.data());
    buf.consume(buf.size());
    auto req = json::parse(body, nullptr, false); // expect: errorshield-ws-frame-type
    if (req.is_discarded())
      continue;
    if (req.value("op", "") == "thumb") {
      push_thumbnail(ws, req.value("job", ""));
      push_thumbnail_binary(ws, req.value("job", ""));
    } else {
      ws.text(true);
      ws.write(asio::buffer(json{{"printers", printers().size()}}.dump()));
    }
  }
}

// Camera relay for the wall display: binary frames but flagged as text.
asio::awaitable<void> camera_wall(tcp::socket s, std::string printer_id) {
  websocket::stream<beast::tcp_stream> ws(std::move(s));
  co_await ws.async_accept(asio::use_awaitable);
  asio::steady_timer tick(co_await asio::this_coro::executor);
  for (;;) {
    auto frame = grab_camera_frame(printer_id);
    ws.binary(false);
    co_await ws.async_write(asio::buffer(frame), asio::use_awaitable); // expect: errorshield-ws-frame-type
    tick.expires_after(std::chrono::milliseconds(200));
    co_await tick.async_wait(asio::use_awaitable);
  }
}

} // namespace farm

int main() {
  asio::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 8765});
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        for (;;) {
          auto s = co_await acc.async_accept(asio::use_awaitable);
          std::make_shared<farm::DashboardSession>(std::move(s))->start();
        }
      },
      asio::detached);
  ioc.run();
}
