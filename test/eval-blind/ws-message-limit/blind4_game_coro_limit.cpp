// checks: errorshield-ws-message-limit
// Game backend: coroutine match sessions, a sync level-editor upload
// endpoint and a matchmaker client.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <cstddef>
#include <memory>
#include <string>
#include <thread>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;

namespace game {

struct net_config {
  std::size_t max_message_bytes = 32 * 1024;
  std::size_t write_buffer = 8 * 1024;
};

using ws_t = websocket::stream<beast::tcp_stream>;

void configure(ws_t &ws, net_config const &cfg) {
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(cfg.max_message_bytes);
  ws.write_buffer_bytes(cfg.write_buffer);
}

// --- match: configured in a helper (correct) -------------------------------
awaitable<void> match_session(tcp::socket s, net_config cfg) {
  ws_t ws{std::move(s)};
  configure(ws, cfg);
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buffer;
  for (;;) {
    co_await ws.async_read(buffer, use_awaitable);
    buffer.consume(buffer.size());
  }
}

// --- chat: config struct value applied inline (correct) --------------------
awaitable<void> chat_session(tcp::socket s, net_config cfg) {
  ws_t ws{std::move(s)};
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(cfg.max_message_bytes);
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buffer;
  co_await ws.async_read(buffer, use_awaitable);
}

// --- voice: tuned for throughput, but no read limit --------------------------
awaitable<void> voice_session(tcp::socket s) {
  ws_t ws{std::move(s)};
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.auto_fragment(false);
  ws.write_buffer_bytes(16 * 1024);
  co_await ws.async_accept(use_awaitable); // expect: errorshield-ws-message-limit
  beast::flat_buffer buffer;
  for (;;) {
    co_await ws.async_read(buffer, use_awaitable);
    buffer.consume(buffer.size());
  }
}

// --- replays: a "limit" of one terabyte --------------------------------------
awaitable<void> replay_upload_session(tcp::socket s) {
  ws_t ws{std::move(s)};
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(1ull << 40); // expect: errorshield-ws-message-limit
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buffer;
  co_await ws.async_read(buffer, use_awaitable);
}

// --- stats: limit set right after the handshake, before any read (correct) --
awaitable<void> stats_session(tcp::socket s) {
  ws_t ws{std::move(s)};
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(use_awaitable);
  ws.read_message_max(4096);
  beast::flat_buffer buffer;
  co_await ws.async_read(buffer, use_awaitable);
}

// --- leaderboard: stream configured by the listener (correct) --------------
awaitable<void> leaderboard_session(ws_t ws) {
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buffer;
  co_await ws.async_read(buffer, use_awaitable);
}

awaitable<void> leaderboard_listener(tcp::endpoint ep) {
  auto ex = co_await net::this_coro::executor;
  tcp::acceptor acc{ex, ep};
  for (;;) {
    ws_t ws{co_await acc.async_accept(use_awaitable)};
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws.read_message_max(2048);
    net::co_spawn(ex, leaderboard_session(std::move(ws)), net::detached);
  }
}

// --- level editor upload: websocket_server_sync shape, no limit -------------
void do_level_upload(tcp::socket socket) {
  try {
    websocket::stream<tcp::socket> ws{std::move(socket)};
    ws.set_option(websocket::stream_base::decorator([](websocket::response_type &res) {
      res.set(beast::http::field::server, "level-editor");
    }));
    ws.accept(); // expect: errorshield-ws-message-limit
    for (;;) {
      beast::flat_buffer buffer;
      ws.read(buffer);
      ws.text(ws.got_text());
      ws.write(buffer.data());
    }
  } catch (beast::system_error const &se) {
    if (se.code() != websocket::error::closed)
      throw;
  }
}

void level_upload_server(net::io_context &ioc, tcp::endpoint ep) {
  tcp::acceptor acceptor{ioc, ep};
  for (;;) {
    tcp::socket socket{ioc};
    acceptor.accept(socket);
    std::thread(&do_level_upload, std::move(socket)).detach();
  }
}

// --- matchmaker (client): limits are the server's business -----------------
awaitable<void> matchmaker_client(std::string host) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver r{ex};
  ws_t ws{ex};
  auto eps = co_await r.async_resolve(host, "443", use_awaitable);
  co_await beast::get_lowest_layer(ws).async_connect(eps, use_awaitable);
  co_await ws.async_handshake(host, "/mm", use_awaitable);
  beast::flat_buffer b;
  co_await ws.async_read(b, use_awaitable);
}

} // namespace game
