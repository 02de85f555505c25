// checks: errorshield-ws-frame-type
// Market-data push session: clients subscribe with JSON commands, the server
// answers with JSON acks and pushes compact binary tick snapshots.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

#pragma pack(push, 1)
struct TickWire {
  std::uint32_t instrument_id;
  std::int64_t price_e8;
  std::int64_t qty_e8;
  std::uint64_t ts_ns;
};
#pragma pack(pop)

std::string base64_encode(const std::uint8_t *data, std::size_t n);
TickWire latest_tick(std::uint32_t id);

class FeedSession : public std::enable_shared_from_this<FeedSession> {
public:
  explicit FeedSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(beast::bind_front_handler(&FeedSession::on_accept, shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&FeedSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    // Whatever arrives is treated as a JSON command, binary frames included.
    json cmd = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false); // expect: errorshield-ws-frame-type
    buffer_.consume(buffer_.size());
    if (cmd.is_discarded()) {
      do_read();
      return;
    }
    handle_command(cmd);
    do_read();
  }

  void handle_command(const json &cmd) {
    const std::string op = cmd.value("op", "");
    if (op == "subscribe") {
      subs_.push_back(cmd.value("id", 0u));
      send_ack(op);
    } else if (op == "snapshot") {
      send_snapshot_msgpack();
    } else if (op == "tick") {
      send_raw_tick(cmd.value("id", 0u));
    } else if (op == "tick64") {
      send_tick_base64(cmd.value("id", 0u));
    }
  }

  // JSON text in a text frame: correct.
  void send_ack(const std::string &op) {
    auto payload = std::make_shared<std::string>(json{{"ack", op}}.dump());
    ws_.text(true);
    ws_.async_write(net::buffer(*payload),
                    [self = shared_from_this(), payload](beast::error_code, std::size_t) {});
  }

  // MessagePack bytes go out while the stream is still in its default (text) mode.
  void send_snapshot_msgpack() {
    json snap;
    snap["subs"] = subs_;
    snap["seq"] = ++seq_;
    auto bytes = std::make_shared<std::vector<std::uint8_t>>(json::to_msgpack(snap));
    ws_.async_write(net::buffer(*bytes), // expect: errorshield-ws-frame-type
                    [self = shared_from_this(), bytes](beast::error_code, std::size_t) {});
  }

  // Packed struct sent as a text frame after the ack path switched to text.
  void send_raw_tick(std::uint32_t id) {
    auto tick = std::make_shared<TickWire>(latest_tick(id));
    ws_.text(true);
    ws_.async_write(net::buffer(tick.get(), sizeof(TickWire)), // expect: errorshield-ws-frame-type
                    [self = shared_from_this(), tick](beast::error_code, std::size_t) {});
  }

  // Base64 of the binary struct is printable ASCII: text frame is fine.
  void send_tick_base64(std::uint32_t id) {
    TickWire t = latest_tick(id);
    auto b64 = std::make_shared<std::string>(
        base64_encode(reinterpret_cast<const std::uint8_t *>(&t), sizeof t));
    ws_.text(true);
    ws_.async_write(net::buffer(*b64),
                    [self = shared_from_this(), b64](beast::error_code, std::size_t) {});
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::vector<std::uint32_t> subs_;
  std::uint64_t seq_ = 0;
};

// Second session type: a binary-aware gateway that does check frame types.
class GatewaySession : public std::enable_shared_from_this<GatewaySession> {
public:
  explicit GatewaySession(tcp::socket sock) : ws_(std::move(sock)) {}

  void run() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read_next();
    });
  }

private:
  void read_next() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->on_message(ec, n);
    });
  }

  void on_message(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    if (!ws_.got_text()) {
      // Binary frames carry CBOR from native clients.
      json j = json::from_cbor(static_cast<const std::uint8_t *>(buf_.data().data()),
                               static_cast<const std::uint8_t *>(buf_.data().data()) + buf_.size(),
                               true, false);
      buf_.consume(buf_.size());
      route(j, /*binary_client=*/true);
      return read_next();
    }
    // Only text frames reach this point.
    json j = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    route(j, /*binary_client=*/false);
    read_next();
  }

  void route(const json &req, bool binary_client) {
    json rsp{{"echo", req}};
    if (binary_client) {
      out_ = json::to_cbor(rsp);
      ws_.binary(true);
      ws_.async_write(net::buffer(out_), [self = shared_from_this()](beast::error_code, std::size_t) {
        self->read_next_after_write();
      });
    } else {
      text_out_ = rsp.dump();
      ws_.text(true);
      ws_.async_write(net::buffer(text_out_),
                      [self = shared_from_this()](beast::error_code, std::size_t) {
                        self->read_next_after_write();
                      });
    }
  }

  void read_next_after_write() {}

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  std::vector<std::uint8_t> out_;
  std::string text_out_;
};

// Legacy ingest endpoint: decodes MessagePack without caring what frame it came in.
void legacy_ingest(websocket::stream<tcp::socket> &ws, std::vector<json> &sink) {
  beast::flat_buffer b;
  ws.read(b);
  auto first = static_cast<const std::uint8_t *>(b.data().data());
  sink.push_back(json::from_msgpack(first, first + b.size())); // expect: errorshield-ws-frame-type
}

// Synchronous admin tool: frame type is checked with got_binary() before decoding.
void admin_ingest(websocket::stream<tcp::socket> &ws, std::vector<json> &sink) {
  beast::flat_buffer b;
  ws.read(b);
  if (ws.got_binary()) {
    auto first = static_cast<const std::uint8_t *>(b.data().data());
    sink.push_back(json::from_msgpack(first, first + b.size()));
  } else {
    sink.push_back(json::parse(beast::buffers_to_string(b.data())));
  }
}

// Binary mode set explicitly before sending the raw struct: correct.
void push_tick_binary(websocket::stream<tcp::socket> &ws, std::uint32_t id) {
  TickWire t = latest_tick(id);
  ws.binary(true);
  ws.write(net::buffer(&t, sizeof t));
}

// Compressed blob (zlib output) in a text frame after sending a JSON header.
void push_compressed_history(websocket::stream<tcp::socket> &ws, const std::string &header_json,
                             const std::vector<unsigned char> &deflated) {
  ws.text(true);
  ws.write(net::buffer(header_json));
  ws.write(net::buffer(deflated)); // expect: errorshield-ws-frame-type
}

// Same shape, but the mode is flipped to binary between the two writes: correct.
void push_compressed_history_ok(websocket::stream<tcp::socket> &ws, const std::string &header_json,
                                const std::vector<unsigned char> &deflated) {
  ws.text(true);
  ws.write(net::buffer(header_json));
  ws.binary(true);
  ws.write(net::buffer(deflated));
}
