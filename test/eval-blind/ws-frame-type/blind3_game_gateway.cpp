// checks: errorshield-ws-frame-type
// Realtime game gateway: C++20 coroutines, TLS websockets. World state is
// msgpack-encoded, lobby chat is JSON.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;

// ---- tiny msgpack-like encoder (stand-in for msgpack-c) ------------------
namespace msgpack {
class sbuffer {
  std::vector<char> buf_;

public:
  void write(const char *p, std::size_t n) { buf_.insert(buf_.end(), p, p + n); }
  const char *data() const { return buf_.data(); }
  std::size_t size() const { return buf_.size(); }
};
template <class T> void pack(sbuffer &b, const T &v) {
  b.write(reinterpret_cast<const char *>(&v), sizeof(v));
}
struct object_handle {};
inline object_handle unpack(const char *, std::size_t) { return {}; }
} // namespace msgpack

struct PlayerState {
  std::uint32_t id;
  float x, y, vx, vy;
};

using wss_stream = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

std::vector<PlayerState> snapshot_world();
void apply_input(std::uint32_t player, const msgpack::object_handle &h);
void post_chat(const std::string &room, const std::string &text);

// ---------------------------------------------------------------------------
// World stream: correct - binary mode set once after handshake, only msgpack
// ever goes out on this socket.
awaitable<void> world_stream(wss_stream ws) {
  co_await ws.next_layer().async_handshake(ssl::stream_base::server,
                                           use_awaitable);
  co_await ws.async_accept(use_awaitable);
  ws.binary(true);
  net::steady_timer tick(co_await net::this_coro::executor);
  for (;;) {
    msgpack::sbuffer sb;
    for (const auto &p : snapshot_world()) msgpack::pack(sb, p);
    co_await ws.async_write(net::buffer(sb.data(), sb.size()), use_awaitable);
    tick.expires_after(std::chrono::milliseconds(50));
    co_await tick.async_wait(use_awaitable);
  }
}

// Player input: bug - decodes msgpack without confirming a binary frame.
awaitable<void> input_stream(wss_stream &ws, std::uint32_t player) {
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    auto cb = buf.cdata();
    auto h = msgpack::unpack(static_cast<const char *>(cb.data()), cb.size()); // expect: errorshield-ws-frame-type
    apply_input(player, h);
    buf.consume(buf.size());
  }
}

// Player input, hardened variant used by the v2 protocol.
awaitable<void> input_stream_v2(wss_stream &ws, std::uint32_t player) {
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    if (ws.got_text()) {
      co_await ws.async_close(websocket::close_code::bad_payload, use_awaitable);
      co_return;
    }
    auto cb = buf.cdata();
    apply_input(player, msgpack::unpack(static_cast<const char *>(cb.data()), cb.size()));
    buf.consume(buf.size());
  }
}

// ---------------------------------------------------------------------------
// Lobby chat.
awaitable<void> lobby(wss_stream ws, std::string room) {
  co_await ws.next_layer().async_handshake(ssl::stream_base::server,
                                           use_awaitable);
  co_await ws.async_accept(use_awaitable);
  // copy-pasted from world_stream
  ws.binary(true);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    if (!ws.got_text()) {
      buf.consume(buf.size());
      continue;
    }
    auto msg = nlohmann::json::parse(beast::buffers_to_string(buf.cdata()));
    buf.consume(buf.size());
    post_chat(room, msg.value("text", ""));
    nlohmann::json reply = {{"type", "delivered"}, {"id", msg.value("id", 0)}};
    std::string out = reply.dump();
    co_await ws.async_write(net::buffer(out), use_awaitable); // expect: errorshield-ws-frame-type
  }
}

// Lobby chat, fixed: text(true) is the mode for JSON.
awaitable<void> lobby_fixed(wss_stream ws, std::string room) {
  co_await ws.next_layer().async_handshake(ssl::stream_base::server,
                                           use_awaitable);
  co_await ws.async_accept(use_awaitable);
  ws.text(true);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    if (!ws.got_text()) {
      buf.consume(buf.size());
      continue;
    }
    auto msg = nlohmann::json::parse(beast::buffers_to_string(buf.cdata()));
    buf.consume(buf.size());
    post_chat(room, msg.value("text", ""));
    std::string out = nlohmann::json{{"type", "delivered"}}.dump();
    co_await ws.async_write(net::buffer(out), use_awaitable);
  }
}

// ---------------------------------------------------------------------------
// Outbound connection to the matchmaking service (we are the client).
awaitable<void> register_with_matchmaker(ssl::context &ctx, std::string host,
                                         std::vector<PlayerState> roster) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver(ex);
  wss_stream ws(ex, ctx);
  auto eps = co_await resolver.async_resolve(host, "443", use_awaitable);
  co_await beast::get_lowest_layer(ws).async_connect(eps, use_awaitable);
  co_await ws.next_layer().async_handshake(ssl::stream_base::client,
                                           use_awaitable);
  co_await ws.async_handshake(host, "/register", use_awaitable);

  // hello is JSON, default text mode: fine
  std::string hello = nlohmann::json{{"server", "gw-1"}}.dump();
  co_await ws.async_write(net::buffer(hello), use_awaitable);

  // roster: msgpack, but nobody flipped the mode
  msgpack::sbuffer sb;
  for (const auto &p : roster) msgpack::pack(sb, p);
  co_await ws.async_write(net::buffer(sb.data(), sb.size()), use_awaitable); // expect: errorshield-ws-frame-type

  // roster as CBOR via nlohmann: binary bytes, mode set right before
  std::vector<std::uint8_t> cbor = nlohmann::json::to_cbor(nlohmann::json{{"n", roster.size()}});
  ws.binary(true);
  co_await ws.async_write(net::buffer(cbor), use_awaitable);

  // and another CBOR blob after switching to text for a log line: bug
  ws.text(true);
  co_await ws.async_write(net::buffer(std::string("roster sent")), use_awaitable);
  std::vector<std::uint8_t> more = nlohmann::json::to_msgpack(nlohmann::json{{"done", true}});
  co_await ws.async_write(net::buffer(more), use_awaitable); // expect: errorshield-ws-frame-type

  co_await ws.async_close(websocket::close_code::normal, use_awaitable);
}

// Sync admin tool: dumps raw player structs as binary (correct).
void dump_players(websocket::stream<tcp::socket> &ws,
                  const std::vector<PlayerState> &players) {
  ws.binary(true);
  ws.write(net::buffer(players));
}

// Sync admin tool: same, but mode never set (bug).
void dump_players_legacy(websocket::stream<tcp::socket> &ws,
                         const std::vector<PlayerState> &players) {
  ws.write(net::buffer(players.data(), players.size() * sizeof(PlayerState))); // expect: errorshield-ws-frame-type
}

int main() {
  net::io_context ioc;
  ssl::context ctx{ssl::context::tlsv12};
  tcp::acceptor acc(ioc, {tcp::v4(), 8443});
  net::co_spawn(
      ioc,
      [&]() -> awaitable<void> {
        for (;;) {
          auto sock = co_await acc.async_accept(use_awaitable);
          net::co_spawn(acc.get_executor(),
                        world_stream(wss_stream(std::move(sock), ctx)),
                        net::detached);
        }
      },
      net::detached);
  ioc.run();
}
