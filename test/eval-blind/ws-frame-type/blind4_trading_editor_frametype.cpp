// checks: errorshield-ws-frame-type
// Trading UI feed (JSON for the browser, MessagePack for the native
// terminal) plus a collaborative-editor op channel.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using net::awaitable;
using net::use_awaitable;

namespace ui {

struct quote {
  std::string symbol;
  double bid = 0, ask = 0;
  std::uint64_t ts = 0;
};

json to_json(quote const &q) { return {{"s", q.symbol}, {"b", q.bid}, {"a", q.ask}, {"t", q.ts}}; }

void apply_op(json const &op);

// --- browser feed: JSON as text (correct) ---------------------------------
class browser_feed : public std::enable_shared_from_this<browser_feed> {
  websocket::stream<beast::tcp_stream> ws_;
  std::string out_;

public:
  explicit browser_feed(tcp::socket &&s) : ws_(std::move(s)) {}

  void publish(quote const &q) {
    out_ = to_json(q).dump();
    ws_.text(true);
    ws_.async_write(net::buffer(out_), [self = shared_from_this()](beast::error_code, std::size_t) {});
  }
};

// --- terminal feed: MessagePack as binary (correct) ------------------------
class terminal_feed : public std::enable_shared_from_this<terminal_feed> {
  websocket::stream<beast::tcp_stream> ws_;
  std::vector<std::uint8_t> out_;

public:
  explicit terminal_feed(tcp::socket &&s) : ws_(std::move(s)) {}

  void publish(quote const &q) {
    out_ = json::to_msgpack(to_json(q));
    ws_.binary(true);
    ws_.async_write(net::buffer(out_), [self = shared_from_this()](beast::error_code, std::size_t) {});
  }
};

// --- mobile feed: MessagePack, but the stream is in text mode --------------
class mobile_feed : public std::enable_shared_from_this<mobile_feed> {
  websocket::stream<beast::tcp_stream> ws_;
  std::vector<std::uint8_t> out_;

public:
  explicit mobile_feed(tcp::socket &&s) : ws_(std::move(s)) {}

  void publish(quote const &q) {
    out_ = json::to_msgpack(to_json(q));
    ws_.text(true);
    ws_.async_write(net::buffer(out_), [self = shared_from_this()](beast::error_code, std::size_t) {}); // expect: errorshield-ws-frame-type
  }
};

// --- risk dashboard: JSON pushed as binary frames ---------------------------
void push_risk(websocket::stream<beast::tcp_stream> &ws, json const &risk) {
  std::string body = risk.dump();
  ws.binary(true);
  ws.write(net::buffer(body)); // expect: errorshield-ws-frame-type
}

// --- order entry: parses without looking at the frame type -----------------
awaitable<void> order_entry(websocket::stream<beast::tcp_stream> ws) {
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buffer;
  for (;;) {
    co_await ws.async_read(buffer, use_awaitable);
    auto order = json::parse(beast::buffers_to_string(buffer.data())); // expect: errorshield-ws-frame-type
    buffer.consume(buffer.size());
    ws.text(true);
    std::string ack = json{{"ack", order.value("id", 0)}}.dump();
    co_await ws.async_write(net::buffer(ack), use_awaitable);
  }
}

// --- editor ops: checks got_text() before parsing (correct) ----------------
awaitable<void> editor_ops(websocket::stream<beast::tcp_stream> ws) {
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buffer;
  for (;;) {
    co_await ws.async_read(buffer, use_awaitable);
    if (!ws.got_text()) {
      co_await ws.async_close(websocket::close_code::unknown_data, use_awaitable);
      co_return;
    }
    apply_op(json::parse(beast::buffers_to_string(buffer.data())));
    buffer.consume(buffer.size());
  }
}

// --- editor snapshots: accepts JSON text or MessagePack binary (correct) ---
void on_snapshot(websocket::stream<beast::tcp_stream> &ws, beast::flat_buffer &buffer) {
  auto data = buffer.data();
  auto const *p = static_cast<std::uint8_t const *>(data.data());
  json doc;
  if (ws.got_text())
    doc = json::parse(p, p + data.size());
  else
    doc = json::from_msgpack(p, p + data.size());
  apply_op(doc);
  buffer.consume(buffer.size());
}

// --- presence: guarded the wrong way round ---------------------------------
void on_presence(websocket::stream<beast::tcp_stream> &ws, beast::flat_buffer &buffer) {
  if (ws.got_binary()) {
    auto j = json::parse(beast::buffers_to_string(buffer.data())); // expect: errorshield-ws-frame-type
    apply_op(j);
  }
  buffer.consume(buffer.size());
}

// --- echo (websocket_server_async shape): mirrors the frame type (correct) -
class echo_session : public std::enable_shared_from_this<echo_session> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;

public:
  explicit echo_session(tcp::socket &&s) : ws_(std::move(s)) {}

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    ws_.text(ws_.got_text());
    ws_.async_write(buffer_.data(), beast::bind_front_handler(&echo_session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    buffer_.consume(buffer_.size());
  }
};

// --- history: a small helper only called after a got_text() check ----------
static json decode_history(beast::flat_buffer const &b) {
  return json::parse(beast::buffers_to_string(b.data()));
}

void on_history(websocket::stream<beast::tcp_stream> &ws, beast::flat_buffer &b) {
  if (!ws.got_text())
    return;
  apply_op(decode_history(b));
}

} // namespace ui
