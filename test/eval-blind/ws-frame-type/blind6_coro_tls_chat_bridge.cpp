// checks: errorshield-ws-frame-type
// TLS chat bridge written with C++20 coroutines. Browser clients speak JSON in
// text frames; mobile clients speak BSON/CBOR in binary frames.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using net::awaitable;
using net::use_awaitable;

using tls_ws = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

// Hand-rolled stand-in for a generated protobuf message.
struct PresenceProto {
  std::string user;
  int status = 0;
  std::string SerializeAsString() const; // binary wire format
};

struct Room {
  std::vector<json> history;
  void append(json j) { history.push_back(std::move(j)); }
};

json to_event(const std::string &room, const json &body) { return json{{"room", room}, {"body", body}}; }

// Browser-facing loop: checks the opcode before parsing as JSON text.
awaitable<void> browser_loop(tls_ws &ws, Room &room) {
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    if (ws.got_binary()) {
      buf.consume(buf.size());
      co_await ws.async_close(websocket::close_code::unknown_data, use_awaitable);
      co_return;
    }
    json msg = json::parse(beast::buffers_to_string(buf.data()));
    buf.consume(buf.size());
    room.append(to_event("lobby", msg));

    std::string reply = json{{"ok", true}}.dump();
    ws.text(true);
    co_await ws.async_write(net::buffer(reply), use_awaitable);
  }
}

// Mobile loop: frame type is never looked at, binary CBOR gets fed to the text parser.
awaitable<void> mobile_loop(tls_ws &ws, Room &room) {
  beast::flat_buffer buf;
  ws.binary(true);
  for (;;) {
    std::size_t n = co_await ws.async_read(buf, use_awaitable);
    if (n == 0)
      continue;
    std::string raw = beast::buffers_to_string(buf.data());
    buf.consume(n);
    auto msg = json::parse(raw, nullptr, false); // expect: errorshield-ws-frame-type
    if (msg.is_discarded())
      continue;
    room.append(to_event("mobile", msg));

    // Binary mode was selected once before the loop: CBOR in binary frames is fine.
    std::vector<std::uint8_t> ack = json::to_cbor(json{{"ok", true}});
    co_await ws.async_write(net::buffer(ack), use_awaitable);
  }
}

// Frame kind captured into a local and tested later: still a proper check.
awaitable<void> hybrid_loop(tls_ws &ws, Room &room) {
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    const bool is_text = ws.got_text();
    std::string raw = beast::buffers_to_string(buf.data());
    buf.consume(buf.size());
    json msg;
    if (is_text) {
      msg = json::parse(raw, nullptr, false);
    } else {
      msg = json::from_bson(raw, true, false);
    }
    if (msg.is_discarded())
      continue;
    room.append(to_event("hybrid", msg));
  }
}

// Export history to a browser as BSON without switching out of text mode.
awaitable<void> export_history(tls_ws &ws, const Room &room) {
  json doc;
  doc["history"] = room.history;
  std::vector<std::uint8_t> bson = json::to_bson(doc);
  ws.text(true);
  co_await ws.async_write(net::buffer(bson), use_awaitable); // expect: errorshield-ws-frame-type
}

// Same export, binary mode selected: correct.
awaitable<void> export_history_binary(tls_ws &ws, const Room &room) {
  json doc;
  doc["history"] = room.history;
  std::vector<std::uint8_t> bson = json::to_bson(doc);
  ws.binary(true);
  co_await ws.async_write(net::buffer(bson), use_awaitable);
}

// Protobuf wire bytes stuffed into a std::string and pushed in a text frame.
awaitable<void> push_presence(tls_ws &ws, const PresenceProto &p) {
  std::string wire = p.SerializeAsString();
  ws.text(true);
  co_await ws.async_write(net::buffer(wire), use_awaitable); // expect: errorshield-ws-frame-type
}

// The reverse: a JSON notice for a browser goes out after the stream was left in binary mode.
awaitable<void> push_notice_after_blob(tls_ws &ws, const std::vector<std::uint8_t> &avatar_png,
                                       const std::string &user) {
  ws.binary(true);
  co_await ws.async_write(net::buffer(avatar_png), use_awaitable);
  std::string notice = json{{"type", "avatar"}, {"user", user}}.dump();
  co_await ws.async_write(net::buffer(notice), use_awaitable); // expect: errorshield-ws-frame-type
}

// Same sequence with the mode restored to text before the JSON notice: correct.
awaitable<void> push_notice_after_blob_ok(tls_ws &ws, const std::vector<std::uint8_t> &avatar_png,
                                          const std::string &user) {
  ws.binary(true);
  co_await ws.async_write(net::buffer(avatar_png), use_awaitable);
  std::string notice = json{{"type", "avatar"}, {"user", user}}.dump();
  ws.text(true);
  co_await ws.async_write(net::buffer(notice), use_awaitable);
}

// Parsing an HTTP upgrade request body (not a websocket frame): no frame type applies.
awaitable<std::optional<json>> read_upgrade(tls_ws &ws, beast::flat_buffer &buf) {
  http::request<http::string_body> req;
  co_await http::async_read(ws.next_layer(), buf, req, use_awaitable);
  std::optional<json> hello;
  if (!req.body().empty())
    hello = json::parse(req.body(), nullptr, false);
  co_await ws.async_accept(req, use_awaitable);
  co_return hello;
}

awaitable<void> serve(tcp::socket sock, ssl::context &ctx, Room &room) {
  tls_ws ws(std::move(sock), ctx);
  co_await ws.next_layer().async_handshake(ssl::stream_base::server, use_awaitable);
  beast::flat_buffer buf;
  auto hello = co_await read_upgrade(ws, buf);
  if (hello && hello->value("client", "") == "mobile")
    co_await mobile_loop(ws, room);
  else if (hello && hello->value("client", "") == "hybrid")
    co_await hybrid_loop(ws, room);
  else
    co_await browser_loop(ws, room);
}

awaitable<void> listen(tcp::acceptor acc, ssl::context &ctx, Room &room) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(use_awaitable);
    net::co_spawn(acc.get_executor(), serve(std::move(s), ctx, room), net::detached);
  }
}

int main() {
  net::io_context ioc;
  ssl::context ctx(ssl::context::tls_server);
  Room room;
  net::co_spawn(ioc, listen(tcp::acceptor(ioc, {tcp::v4(), 8443}), ctx, room), net::detached);
  ioc.run();
}
