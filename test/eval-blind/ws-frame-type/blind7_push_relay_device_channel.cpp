// checks: errorshield-ws-frame-type
// Mobile push-notification relay: app backends connect over TLS WebSocket and
// submit notifications (JSON text) or pre-encoded provider frames (binary);
// the relay forwards to device-side long-poll channels and reports delivery.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace relay {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using net::awaitable;
using net::use_awaitable;

using tls_ws = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;
using plain_ws = websocket::stream<beast::tcp_stream>;

struct RelayConfig {
  std::size_t max_payload = 4096;
  bool accept_msgpack = true;
  std::string region = "eu-west";
};

struct Notification {
  std::string device_token;
  std::string title;
  std::string body;
  int badge = 0;
};

class RelayLog {
public:
  explicit RelayLog(std::string component) : component_(std::move(component)) {}
  void warn(const std::string &m) const { std::cerr << component_ << " WARN " << m << '\n'; }
  void info(const std::string &m) const { std::cerr << component_ << " INFO " << m << '\n'; }

private:
  std::string component_;
};

inline std::optional<Notification> notification_from(const json &j) {
  if (!j.is_object() || !j.contains("token"))
    return std::nullopt;
  return Notification{j["token"].get<std::string>(), j.value("title", ""), j.value("body", ""),
                      j.value("badge", 0)};
}

// Encodes a notification into the provider's framed binary wire format.
std::vector<std::uint8_t> encode_provider_frame(const Notification &n) {
  std::vector<std::uint8_t> out{0x02, 0x00};
  out.insert(out.end(), n.device_token.begin(), n.device_token.end());
  out.push_back(0x00);
  out.insert(out.end(), n.body.begin(), n.body.end());
  return out;
}

// Always writes a JSON document as a text frame, whatever the stream was
// last used for.
template <class Stream>
awaitable<void> write_json(websocket::stream<Stream> &ws, const json &j) {
  ws.text(true);
  co_await ws.async_write(net::buffer(j.dump()), use_awaitable);
}

// Ingest loop for an app backend submitting notifications.
awaitable<void> ingest_loop(tls_ws &ws, RelayConfig cfg, RelayLog log) {
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    const bool is_text = ws.got_text();
    if (!is_text) {
      if (!cfg.accept_msgpack) {
        log.warn("binary submit rejected");
        buf.consume(buf.size());
        continue;
      }
      auto p = static_cast<const std::uint8_t *>(buf.cdata().data());
      json j = json::from_msgpack(p, p + buf.size(), true, false);
      if (auto n = notification_from(j))
        log.info("msgpack submit for " + n->device_token);
      buf.consume(buf.size());
      continue;
    }
    json j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (auto n = notification_from(j)) {
      // provider frame goes back to the backend for its audit log, then a JSON receipt
      auto frame = encode_provider_frame(*n);
      ws.binary(true);
      co_await ws.async_write(net::buffer(frame), use_awaitable);
      co_await write_json(ws, json{{"status", "queued"}, {"token", n->device_token}});
    } else {
      co_await write_json(ws, json{{"status", "rejected"}});
    }
  }
}

// Reads delivery receipts from a downstream provider connection.
awaitable<std::size_t> drain_receipts(plain_ws &ws, std::size_t expected, RelayLog log) {
  std::size_t delivered = 0;
  beast::flat_buffer buf;
  while (expected-- > 0) {
    co_await ws.async_read(buf, use_awaitable);
    auto receipt = json::parse(beast::buffers_to_string(buf.data())); // expect: errorshield-ws-frame-type
    if (receipt.value("ok", false))
      ++delivered;
    else
      log.warn("receipt failure: " + receipt.value("reason", std::string{"?"}));
    buf.consume(buf.size());
  }
  co_return delivered;
}

// Forwards one notification to a device-side channel (older Android SDK).
awaitable<void> forward_to_device(plain_ws &device, const Notification &n) {
  auto frame = encode_provider_frame(n);
  device.text(true);
  co_await device.async_write(net::buffer(frame), use_awaitable); // expect: errorshield-ws-frame-type
}

// Forwards the same notification to the newer SDK, which wants a binary
// provider frame followed by a JSON badge update.
awaitable<void> forward_with_badge(plain_ws &device, const Notification &n) {
  auto frame = encode_provider_frame(n);
  device.binary(true);
  co_await device.async_write(net::buffer(frame), use_awaitable);
  json badge{{"type", "badge"}, {"count", n.badge}};
  co_await device.async_write(net::buffer(badge.dump()), use_awaitable); // expect: errorshield-ws-frame-type
}

// Correct variant: mode is reset before the JSON follow-up.
awaitable<void> forward_with_badge_v2(plain_ws &device, const Notification &n) {
  auto frame = encode_provider_frame(n);
  device.binary(true);
  co_await device.async_write(net::buffer(frame), use_awaitable);
  device.text(true);
  co_await device.async_write(net::buffer(json{{"type", "badge"}, {"count", n.badge}}.dump()),
                              use_awaitable);
}

// Control channel from the ops dashboard; commands are JSON, heartbeats binary.
awaitable<void> control_channel(plain_ws &ws, RelayLog log) {
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    if (ws.got_binary()) {
      // heartbeat frames are a JSON blob too, just sent by the Go dashboard as binary
      json hb = json::parse(beast::buffers_to_string(buf.data()), nullptr, false); // expect: errorshield-ws-frame-type
      log.info("heartbeat seq=" + std::to_string(hb.value("seq", 0)));
      buf.consume(buf.size());
      continue;
    }
    json cmd = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (cmd.is_discarded())
      continue;
    if (cmd.value("op", "") == "stats")
      co_await write_json(ws, json{{"queued", 0}, {"region", "eu-west"}});
  }
}

// Bulk export of a backend's pending queue as MessagePack.
awaitable<void> export_pending(plain_ws &ws, const std::vector<Notification> &pending) {
  json arr = json::array();
  for (const auto &n : pending)
    arr.push_back({{"token", n.device_token}, {"title", n.title}, {"body", n.body}});
  std::vector<std::uint8_t> packed = json::to_msgpack(arr);
  ws.binary(true);
  co_await ws.async_write(net::buffer(packed), use_awaitable);
  co_await write_json(ws, json{{"type", "export_done"}, {"count", pending.size()}});
}

// Token validator: only text frames are considered.
awaitable<bool> read_auth(tls_ws &ws, const std::string &expected_key) {
  beast::flat_buffer buf;
  co_await ws.async_read(buf, use_awaitable);
  if (!ws.got_text())
    co_return false;
  auto auth = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
  co_return !auth.is_discarded() && auth.value("key", "") == expected_key;
}

} // namespace relay

int main() {
  boost::asio::io_context ioc;
  boost::asio::ssl::context ctx{boost::asio::ssl::context::tlsv12_server};
  relay::tls_ws ws{ioc, ctx};
  boost::asio::co_spawn(ioc, relay::read_auth(ws, "k"), boost::asio::detached);
}
