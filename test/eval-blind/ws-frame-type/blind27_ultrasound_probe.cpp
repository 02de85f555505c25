// checks: errorshield-ws-frame-type
// Ultrasound probe gateway: streams B-mode frames from the probe to viewer
// workstations and accepts JSON control commands (gain, depth, freeze).
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace probe {

struct ScanLine {
  std::uint32_t index;
  std::vector<std::uint8_t> echo; // envelope-detected samples
};

struct ProbeSettings {
  int gain_db = 40;
  int depth_mm = 120;
  bool frozen = false;
};

std::vector<std::uint8_t> acquire_frame(const ProbeSettings &s) {
  std::vector<std::uint8_t> px(static_cast<std::size_t>(s.depth_mm) * 128);
  for (std::size_t i = 0; i < px.size(); ++i)
    px[i] = static_cast<std::uint8_t>((i * 7 + s.gain_db) & 0xff);
  return px;
}

void apply_command(ProbeSettings &s, const json &cmd) {
  if (cmd.contains("gain"))
    s.gain_db = cmd["gain"].get<int>();
  if (cmd.contains("depth"))
    s.depth_mm = cmd["depth"].get<int>();
  if (cmd.contains("freeze"))
    s.frozen = cmd["freeze"].get<bool>();
}

// Main viewer session (callback style).
class ViewerSession : public std::enable_shared_from_this<ViewerSession> {
public:
  explicit ViewerSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(64 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      self->read_command();
      self->push_frame();
    });
  }

private:
  void read_command() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      if (self->ws_.got_text()) {
        auto cmd = json::parse(beast::buffers_to_string(self->in_.data()), nullptr, false);
        if (!cmd.is_discarded())
          apply_command(self->settings_, cmd);
      }
      self->in_.consume(self->in_.size());
      self->read_command();
    });
  }

  void push_frame() {
    if (settings_.frozen)
      return;
    frame_ = acquire_frame(settings_);
    ws_.binary(true);
    ws_.async_write(asio::buffer(frame_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec)
        self->push_frame();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  std::vector<std::uint8_t> frame_;
  ProbeSettings settings_;
};

// Remote-review viewers get a reduced stream; written in a hurry for the pilot site.
class ReviewSession : public std::enable_shared_from_this<ReviewSession> {
public:
  explicit ReviewSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(64 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->send_thumbnail();
    });
  }

private:
  void send_thumbnail() {
    auto full = acquire_frame(settings_);
    thumb_.assign(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(full.size() / 4));
    ws_.async_write(asio::buffer(thumb_), [self = shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-ws-frame-type
      if (!ec)
        self->send_thumbnail();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::vector<std::uint8_t> thumb_;
  ProbeSettings settings_;
};

// Status channel: JSON in, JSON out, plus raw scan lines for the M-mode trace.
asio::awaitable<void> status_channel(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(64 * 1024);
  co_await ws.async_accept(asio::use_awaitable);
  ProbeSettings settings;
  for (;;) {
    beast::flat_buffer buf;
    co_await ws.async_read(buf, asio::use_awaitable);
    auto cmd = json::parse(beast::buffers_to_string(buf.data())); // expect: errorshield-ws-frame-type
    apply_command(settings, cmd);

    json ack = {{"gain", settings.gain_db}, {"depth", settings.depth_mm}};
    ws.text(true);
    co_await ws.async_write(asio::buffer(ack.dump()), asio::use_awaitable);

    ScanLine line{0, acquire_frame(settings)};
    ws.text(true);
    co_await ws.async_write(asio::buffer(line.echo), asio::use_awaitable); // expect: errorshield-ws-frame-type
  }
}

// Firmware maintenance port: accepts firmware chunks and JSON control.
asio::awaitable<void> maintenance_channel(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(1024 * 1024);
  co_await ws.async_accept(asio::use_awaitable);
  std::vector<std::uint8_t> image;
  for (;;) {
    beast::flat_buffer buf;
    co_await ws.async_read(buf, asio::use_awaitable);
    if (ws.got_binary()) {
      auto chunk = json::parse(beast::buffers_to_string(buf.data()), nullptr, false); // expect: errorshield-ws-frame-type
      if (!chunk.is_discarded() && chunk.contains("size"))
        image.reserve(chunk["size"].get<std::size_t>());
    } else {
      auto bytes = static_cast<const std::uint8_t *>(buf.data().data());
      image.insert(image.end(), bytes, bytes + buf.size());
    }
    json progress = {{"received", image.size()}};
    ws.text(true);
    co_await ws.async_write(asio::buffer(progress.dump()), asio::use_awaitable);
  }
}

// Shared helper for the recording service (raw RF data is std::byte).
template <class Stream>
void send_rf_block(websocket::stream<Stream> &ws, const std::array<std::byte, 4096> &block) {
  ws.text(true);
  ws.write(asio::buffer(block)); // expect: errorshield-ws-frame-type
}

template <class Stream>
void send_rf_header(websocket::stream<Stream> &ws, std::uint32_t seq) {
  json hdr = {{"seq", seq}, {"bytes", 4096}};
  ws.text(true);
  ws.write(asio::buffer(hdr.dump()));
}

template <class Stream>
void send_rf_block_checked(websocket::stream<Stream> &ws, const std::array<std::byte, 4096> &block) {
  ws.binary(true);
  ws.write(asio::buffer(block));
}

void recorder(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.read_message_max(16 * 1024);
  ws.accept();
  std::array<std::byte, 4096> block{};
  for (std::uint32_t seq = 0; seq < 16; ++seq) {
    send_rf_header(ws, seq);
    if (seq % 2)
      send_rf_block(ws, block);
    else
      send_rf_block_checked(ws, block);
  }
}

asio::awaitable<void> listen(tcp::acceptor acc) {
  for (;;) {
    auto s = co_await acc.async_accept(asio::use_awaitable);
    std::make_shared<ViewerSession>(std::move(s))->start();
  }
}

} // namespace probe

int main() {
  asio::io_context ioc;
  asio::co_spawn(ioc, probe::listen(tcp::acceptor(ioc, {tcp::v4(), 7400})), asio::detached);
  tcp::acceptor review(ioc, {tcp::v4(), 7401});
  review.async_accept([](beast::error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<probe::ReviewSession>(std::move(s))->start();
  });
  tcp::acceptor status(ioc, {tcp::v4(), 7402});
  status.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec)
      asio::co_spawn(ioc, probe::status_channel(std::move(s)), asio::detached);
  });
  tcp::acceptor maint(ioc, {tcp::v4(), 7403});
  maint.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec)
      asio::co_spawn(ioc, probe::maintenance_channel(std::move(s)), asio::detached);
  });
  ioc.run();
}
