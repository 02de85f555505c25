// checks: errorshield-ws-frame-type
// IoT telemetry ingestion over wss://. Newer devices send CBOR in binary frames, legacy firmware
// sends JSON text. The gateway pushes configuration and OTA firmware images back down.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using net::awaitable;
using net::use_awaitable;

using wss_stream = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

namespace telemetry {

struct Reading {
  std::string device;
  std::string sensor;
  double value = 0;
  std::int64_t ts_ms = 0;
};

void store(const Reading& r);
std::optional<Reading> reading_from(const json& j);
json device_config(const std::string& device_id);
std::vector<std::uint8_t> protobuf_forward(const std::string& device_id);
std::vector<std::vector<std::uint8_t>> ota_chunks(const std::string& device_id);

awaitable<void> write_text(wss_stream& ws, const std::string& body) {
  ws.text(true);
  co_await ws.async_write(net::buffer(body), use_awaitable);
}

awaitable<void> write_cbor(wss_stream& ws, const json& j) {
  auto bytes = json::to_cbor(j);
  ws.binary(true);
  co_await ws.async_write(net::buffer(bytes), use_awaitable);
}

// Main ingest loop for current firmware: handles both encodings correctly.
awaitable<void> ingest_loop(wss_stream& ws, std::string device_id) {
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    const bool is_text = ws.got_text();
    json doc;
    if (is_text) {
      doc = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    } else {
      auto raw = beast::buffers_to_string(buf.data());
      doc = json::from_cbor(raw, true, false);
    }
    buf.consume(buf.size());
    if (doc.is_discarded()) continue;
    if (auto r = reading_from(doc)) {
      r->device = device_id;
      store(*r);
    }
    co_await write_text(ws, R"({"ack":true})");
  }
}

// Firmware 1.x path: these devices were "known" to only send JSON, so nobody checked the opcode.
// Firmware 1.9 added a binary heartbeat frame, which now lands in json::parse.
awaitable<void> ingest_legacy(wss_stream& ws, std::string device_id) {
  beast::flat_buffer buf;
  ws.text(true);
  for (;;) {
    std::size_t n = co_await ws.async_read(buf, use_awaitable);
    if (n == 0) continue;
    auto doc = json::parse(beast::buffers_to_string(buf.data()), nullptr, false); // expect: errorshield-ws-frame-type
    buf.consume(buf.size());
    if (doc.is_discarded()) continue;
    if (auto r = reading_from(doc)) {
      r->device = device_id;
      store(*r);
    }
    co_await ws.async_write(net::buffer(std::string(R"({"ack":true})")), use_awaitable);
  }
}

// Batch upload: a device may send a text header followed by several binary chunks.
awaitable<std::size_t> ingest_batch(wss_stream& ws) {
  beast::flat_buffer buf;
  co_await ws.async_read(buf, use_awaitable);
  if (!ws.got_text()) {
    co_await ws.async_close(websocket::close_code::unknown_data, use_awaitable);
    co_return 0;
  }
  auto header = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
  buf.consume(buf.size());
  const auto chunks = header.value("chunks", 0);
  std::size_t stored = 0;
  for (int i = 0; i < chunks; ++i) {
    co_await ws.async_read(buf, use_awaitable);
    if (ws.got_binary()) {
      auto raw = beast::buffers_to_string(buf.data());
      auto doc = json::from_cbor(raw, true, false);
      if (auto r = reading_from(doc)) {
        store(*r);
        ++stored;
      }
    }
    buf.consume(buf.size());
  }
  co_return stored;
}

class DeviceLink {
 public:
  DeviceLink(tcp::socket sock, ssl::context& ctx, std::string device_id)
      : ws_(std::move(sock), ctx), device_id_(std::move(device_id)) {}

  awaitable<void> open() {
    co_await ws_.next_layer().async_handshake(ssl::stream_base::server, use_awaitable);
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    http::request<http::string_body> req;
    beast::flat_buffer b;
    co_await http::async_read(ws_.next_layer(), b, req, use_awaitable);
    // Device metadata travels as JSON in a header of the upgrade request, not in a frame.
    auto meta = json::parse(std::string(req["X-Device-Meta"]), nullptr, false);
    if (!meta.is_discarded()) model_ = meta.value("model", std::string{});
    co_await ws_.async_accept(req, use_awaitable);
    ws_.text(true);
  }

  awaitable<void> push_config() {
    co_await write_cbor(ws_, device_config(device_id_));
  }

  awaitable<void> push_config_compact() {
    // Text mode was set in open(); nothing switches it before this CBOR blob goes out.
    auto bytes = json::to_cbor(device_config(device_id_));
    co_await ws_.async_write(net::buffer(bytes), use_awaitable); // expect: errorshield-ws-frame-type
  }

  awaitable<void> forward_from_bus() {
    auto raw = protobuf_forward(device_id_);
    ws_.text(true);
    co_await ws_.async_write(net::buffer(raw), use_awaitable); // expect: errorshield-ws-frame-type
  }

  awaitable<void> push_ota() {
    auto chunks = ota_chunks(device_id_);
    co_await write_text(ws_, json{{"type", "ota_begin"}, {"parts", chunks.size()}}.dump());
    ws_.binary(true);
    for (auto& part : chunks) {
      co_await ws_.async_write(net::buffer(part), use_awaitable);
    }
    status_ = json{{"type", "ota_end"}, {"device", device_id_}}.dump();
    co_await ws_.async_write(net::buffer(status_), use_awaitable); // expect: errorshield-ws-frame-type
  }

  awaitable<void> push_ota_checked() {
    auto chunks = ota_chunks(device_id_);
    co_await write_text(ws_, json{{"type", "ota_begin"}, {"parts", chunks.size()}}.dump());
    for (auto& part : chunks) {
      ws_.binary(true);
      co_await ws_.async_write(net::buffer(part), use_awaitable);
    }
    co_await write_text(ws_, json{{"type", "ota_end"}, {"device", device_id_}}.dump());
  }

  awaitable<void> serve() {
    co_await open();
    co_await push_config();
    co_await ingest_loop(ws_, device_id_);
  }

 private:
  wss_stream ws_;
  std::string device_id_;
  std::string model_;
  std::string status_;
};

awaitable<void> accept_devices(tcp::acceptor& acc, ssl::context& ctx) {
  for (std::uint64_t n = 0;; ++n) {
    auto sock = co_await acc.async_accept(use_awaitable);
    auto link = std::make_shared<DeviceLink>(std::move(sock), ctx, "dev-" + std::to_string(n));
    net::co_spawn(
        acc.get_executor(),
        [link]() -> awaitable<void> { co_await link->serve(); },
        net::detached);
  }
}

}  // namespace telemetry
