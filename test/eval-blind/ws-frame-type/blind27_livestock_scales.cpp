// checks: errorshield-ws-frame-type
// Sale-yard weighbridge hub: scales push readings, auction screens subscribe.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
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

namespace yard {

#pragma pack(push, 1)
struct RawSample {
  std::uint32_t scale_id;
  std::uint32_t tag;      // NLIS ear tag (low 32 bits)
  std::int32_t grams;
  std::uint64_t ts_ms;
};
#pragma pack(pop)

struct Reading {
  std::uint32_t scale_id = 0;
  std::string tag;
  double kg = 0;
};

inline std::vector<std::uint8_t> pack(const std::vector<RawSample> &samples) {
  std::vector<std::uint8_t> out(samples.size() * sizeof(RawSample));
  if (!samples.empty())
    std::memcpy(out.data(), samples.data(), out.size());
  return out;
}

inline std::string to_text(const Reading &r) {
  return json{{"scale", r.scale_id}, {"tag", r.tag}, {"kg", r.kg}}.dump();
}

using ws_t = websocket::stream<beast::tcp_stream>;

// ---------------------------------------------------------------------------
// A scale head unit. It sends JSON readings as text frames and firmware
// diagnostics as binary frames.
class ScaleSession : public std::enable_shared_from_this<ScaleSession> {
public:
  explicit ScaleSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(64 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read();
    });
  }

private:
  void read() {
    ws_.async_read(buf_, beast::bind_front_handler(&ScaleSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    if (ws_.got_text()) {
      auto j = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
      if (!j.is_discarded())
        last_.kg = j.value("kg", 0.0);
    } else {
      diag_bytes_ += buf_.size();
    }
    buf_.consume(buf_.size());
    read();
  }

  ws_t ws_;
  beast::flat_buffer buf_;
  Reading last_;
  std::size_t diag_bytes_ = 0;
};

// ---------------------------------------------------------------------------
// Auction-screen feed. Screens get the live reading as JSON text, and the
// yard office pulls raw sample batches for audit.
class ScreenFeed : public std::enable_shared_from_this<ScreenFeed> {
public:
  explicit ScreenFeed(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(4 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->await_request();
    });
  }

  void push_reading(const Reading &r) {
    out_ = to_text(r);
    ws_.text(true);
    ws_.async_write(net::buffer(out_), [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  void push_audit_batch(const std::vector<RawSample> &samples) {
    blob_ = pack(samples);
    ws_.async_write(net::buffer(blob_), // expect: errorshield-ws-frame-type
                    [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

private:
  void await_request() {
    ws_.async_read(req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      // Screen tells us which ring it is on.
      auto j = json::parse(beast::buffers_to_string(self->req_.data()), nullptr, false); // expect: errorshield-ws-frame-type
      if (!j.is_discarded())
        self->ring_ = j.value("ring", 0);
      self->req_.clear();
      self->await_request();
    });
  }

  ws_t ws_;
  beast::flat_buffer req_;
  std::string out_;
  std::vector<std::uint8_t> blob_;
  int ring_ = 0;
};

// ---------------------------------------------------------------------------
// Coroutine bridge to the NLIS tag registry.
net::awaitable<void> registry_sync(tcp::socket s) {
  ws_t ws(std::move(s));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(256 * 1024);
  co_await ws.async_accept(net::use_awaitable);

  for (;;) {
    beast::flat_buffer buf;
    co_await ws.async_read(buf, net::use_awaitable);
    if (!ws.got_text()) {
      co_await ws.async_close(websocket::close_code::bad_payload, net::use_awaitable);
      co_return;
    }
    auto j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    if (j.is_discarded())
      continue;
    json ack{{"ok", true}, {"n", j.size()}};
    ws.text(true);
    co_await ws.async_write(net::buffer(ack.dump()), net::use_awaitable);
  }
}

// Weight-ticket printer bridge: tickets are rendered PCL bytes.
net::awaitable<void> ticket_printer(tcp::socket s, std::vector<std::uint8_t> pcl) {
  ws_t ws(std::move(s));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(net::use_awaitable);
  ws.text(true);
  co_await ws.async_write(net::buffer(pcl), net::use_awaitable); // expect: errorshield-ws-frame-type
  co_await ws.async_close(websocket::close_code::normal, net::use_awaitable);
}

// Camera stills that accompany each weighing.
net::awaitable<void> photo_upload(ws_t &ws, const std::vector<std::uint8_t> &jpeg) {
  ws.binary(true);
  co_await ws.async_write(net::buffer(jpeg), net::use_awaitable);
}

// ---------------------------------------------------------------------------
// Generic sync client used by the yard office tool (plain or TLS).
template <class NextLayer>
Reading fetch_reading(websocket::stream<NextLayer> &ws, std::uint32_t scale) {
  ws.text(true);
  ws.write(net::buffer(json{{"scale", scale}}.dump()));
  beast::flat_buffer buf;
  ws.read(buf);
  auto j = json::parse(beast::buffers_to_string(buf.data())); // expect: errorshield-ws-frame-type
  Reading r;
  r.scale_id = scale;
  r.tag = j.value("tag", "");
  r.kg = j.value("kg", 0.0);
  return r;
}

template <class NextLayer>
std::vector<RawSample> fetch_samples(websocket::stream<NextLayer> &ws, std::uint32_t scale) {
  ws.text(true);
  ws.write(net::buffer(json{{"samples", scale}}.dump()));
  beast::flat_buffer buf;
  ws.read(buf);
  std::vector<RawSample> out;
  if (ws.got_binary()) {
    out.resize(buf.size() / sizeof(RawSample));
    net::buffer_copy(net::buffer(out), buf.data());
  }
  return out;
}

void office_tool(net::io_context &ioc, const std::string &host) {
  tcp::resolver r(ioc);
  ws_t ws(ioc);
  beast::get_lowest_layer(ws).connect(r.resolve(host, "7070"));
  ws.handshake(host, "/office");
  auto rd = fetch_reading(ws, 3);
  auto samples = fetch_samples(ws, 3);
  std::cout << rd.tag << " " << rd.kg << "kg, " << samples.size() << " samples\n";

  // Vendor tare opcode (binary, see scale-head protocol manual section 4.2).
  std::array<std::uint8_t, 4> tare_cmd{0xA5, 0x5A, 0x01, 0x00};
  ws.write(net::buffer(tare_cmd)); // expect: errorshield-ws-frame-type
  ws.close(websocket::close_code::normal);
}

} // namespace yard

int main(int argc, char **argv) {
  net::io_context ioc;
  if (argc > 1) {
    yard::office_tool(ioc, argv[1]);
    return 0;
  }
  tcp::acceptor acc(ioc, tcp::endpoint(tcp::v4(), 7070));
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    for (;;) {
      auto s = co_await acc.async_accept(net::use_awaitable);
      net::co_spawn(ioc, yard::registry_sync(std::move(s)), net::detached);
    }
  }, net::detached);
  tcp::acceptor scales(ioc, tcp::endpoint(tcp::v4(), 7071));
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    for (;;) {
      auto s = co_await scales.async_accept(net::use_awaitable);
      std::make_shared<yard::ScaleSession>(std::move(s))->start();
    }
  }, net::detached);
  ioc.run();
}
