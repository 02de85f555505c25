// checks: errorshield-ws-frame-type
// IoT telemetry collector (sync, thread per device) and the firmware upload client.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <span>
#include <sstream>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

void store_reading(const std::string& device, double value);
void store_blob(const std::string& device, const void* data, std::size_t size);

// Collector v1: every frame is assumed to be a JSON document.
void collect(tcp::socket socket) {
  websocket::stream<tcp::socket> ws{std::move(socket)};
  ws.accept();
  beast::flat_buffer buffer;
  for (;;) {
    ws.read(buffer);
    std::string text = beast::buffers_to_string(buffer.data());
    buffer.consume(buffer.size());
    auto reading = nlohmann::json::parse(text); // expect: errorshield-ws-frame-type
    store_reading(reading.at("device").get<std::string>(), reading.at("value").get<double>());
  }
}

// Collector v2: binary frames are raw sensor dumps, text frames are JSON.
void collect_v2(tcp::socket socket) {
  websocket::stream<tcp::socket> ws{std::move(socket)};
  ws.accept();
  beast::flat_buffer buffer;
  std::string device = "unknown";
  for (;;) {
    ws.read(buffer);
    if (ws.got_text()) {
      auto reading = nlohmann::json::parse(beast::buffers_to_string(buffer.data()));
      device = reading.value("device", device);
      store_reading(device, reading.value("value", 0.0));
    } else {
      store_blob(device, buffer.data().data(), buffer.size());
    }
    buffer.consume(buffer.size());
  }
}

// Config-driven collector: the JSON parsed up front comes from a file, the frames are only stored.
void collect_from_config(tcp::socket socket, const std::string& config_path) {
  std::ifstream cfg_file{config_path};
  auto cfg = nlohmann::json::parse(cfg_file);
  const std::string device = cfg.value("device", "sensor-0");
  websocket::stream<tcp::socket> ws{std::move(socket)};
  ws.accept();
  beast::flat_buffer buffer;
  for (;;) {
    ws.read(buffer);
    store_blob(device, buffer.data().data(), buffer.size());
    buffer.consume(buffer.size());
  }
}

// Shared helper: the stream arrives by reference, but this helper reads and parses it unchecked.
nlohmann::json read_json(websocket::stream<tcp::socket>& ws) {
  beast::flat_buffer buffer;
  ws.read(buffer);
  return nlohmann::json::parse(beast::buffers_to_string(buffer.data())); // expect: errorshield-ws-frame-type
}

// Control-plane client: logs through make_printable, then parses the logged text.
nlohmann::json fetch_device_config(net::io_context& ioc, const std::string& host, const std::string& port) {
  tcp::resolver resolver{ioc};
  websocket::stream<tcp::socket> ws{ioc};
  net::connect(ws.next_layer(), resolver.resolve(host, port));
  ws.handshake(host, "/config");
  beast::flat_buffer buffer;
  ws.read(buffer);
  std::ostringstream os;
  os << beast::make_printable(buffer.data());
  std::clog << "config frame: " << os.str() << "\n";
  auto config = nlohmann::json::parse(os.str()); // expect: errorshield-ws-frame-type
  ws.close(websocket::close_code::normal);
  return config;
}

// Command client: builds the string from the buffer's bytes by hand.
std::string wait_for_command(net::io_context& ioc, const std::string& host) {
  tcp::resolver resolver{ioc};
  websocket::stream<tcp::socket> ws{ioc};
  net::connect(ws.next_layer(), resolver.resolve(host, "8080"));
  ws.handshake(host, "/commands");
  beast::flat_buffer buffer;
  ws.read(buffer);
  auto bytes = buffer.data();
  std::string payload(static_cast<const char*>(bytes.data()), bytes.size());
  auto cmd = nlohmann::json::parse(payload); // expect: errorshield-ws-frame-type
  return cmd.value("op", "noop");
}

// Firmware upload: image bytes sent as a text frame.
void upload_firmware(net::io_context& ioc, const std::string& host, const std::vector<std::uint8_t>& image) {
  tcp::resolver resolver{ioc};
  websocket::stream<tcp::socket> ws{ioc};
  net::connect(ws.next_layer(), resolver.resolve(host, "8080"));
  ws.handshake(host, "/firmware");
  ws.text(true);
  ws.write(net::buffer(image)); // expect: errorshield-ws-frame-type
  ws.close(websocket::close_code::normal);
}

// Chunked upload: a std::span of bytes, with binary mode switched off.
void upload_chunk(net::io_context& ioc, const std::string& host, std::span<const std::byte> chunk) {
  tcp::resolver resolver{ioc};
  websocket::stream<tcp::socket> ws{ioc};
  net::connect(ws.next_layer(), resolver.resolve(host, "8080"));
  ws.handshake(host, "/chunks");
  ws.binary(false);
  ws.write(net::buffer(chunk.data(), chunk.size())); // expect: errorshield-ws-frame-type
}

// Correct upload: JSON manifest as text, then the image as binary.
void upload_with_manifest(net::io_context& ioc, const std::string& host, const std::vector<std::uint8_t>& image) {
  tcp::resolver resolver{ioc};
  websocket::stream<tcp::socket> ws{ioc};
  net::connect(ws.next_layer(), resolver.resolve(host, "8080"));
  ws.handshake(host, "/firmware");
  const std::string manifest = nlohmann::json{{"size", image.size()}, {"version", "2.1.0"}}.dump();
  ws.text(true);
  ws.write(net::buffer(manifest));
  ws.binary(true);
  ws.write(net::buffer(image));
  ws.close(websocket::close_code::normal);
}

// Status reporter: text mode with a string payload.
void report_status(net::io_context& ioc, const std::string& host, double battery) {
  tcp::resolver resolver{ioc};
  websocket::stream<tcp::socket> ws{ioc};
  net::connect(ws.next_layer(), resolver.resolve(host, "8080"));
  ws.handshake(host, "/status");
  std::string status = nlohmann::json{{"battery", battery}}.dump();
  ws.text(true);
  ws.write(net::buffer(status));
}
