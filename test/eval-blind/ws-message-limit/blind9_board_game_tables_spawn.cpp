// checks: errorshield-ws-message-limit
// Turn-based board game server (chess, go, backgammon tables). Each connection
// is a conn_state owned by the server's map; handlers are free functions run as
// stackful coroutines (asio::spawn + yield_context) on a single io_context.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace tables {

constexpr std::size_t kMoveFrameMax = 2048;      // {"op":"move","san":"Nf3",...}
constexpr std::size_t kChatLineMax = 512;
constexpr std::size_t kReplayMaxKiB = 512;       // SGF/PGN upload, with variations
constexpr std::size_t kEngineChunk = 4096;

struct conn_state {
  // Players: cap applied as soon as the stream exists.
  conn_state(tcp::socket s, std::size_t frame_cap) : ws(std::move(s)) {
    ws.read_message_max(frame_cap);
  }
  // Everyone else.
  explicit conn_state(tcp::socket s) : ws(std::move(s)) {}

  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buf;
  std::string player;
  std::uint32_t table = 0;
};

struct game_server {
  net::io_context& ioc;
  std::map<std::uint64_t, std::shared_ptr<conn_state>> conns;
  std::map<std::uint32_t, json> boards;
  std::uint64_t next_id = 1;
};

static json take_json(conn_state& c) {
  auto j = json::parse(beast::buffers_to_string(c.buf.data()), nullptr, false);
  c.buf.consume(c.buf.size());
  return j;
}

static void apply_move(game_server& srv, std::uint32_t table, const json& mv) {
  auto& board = srv.boards[table];
  board["moves"].push_back(mv.value("san", ""));
  board["turn"] = board.value("turn", 0) + 1;
}

// Seated players: one move or resign/draw offer per frame.
void player_loop(game_server& srv, std::uint64_t id, net::yield_context yield) {
  auto c = srv.conns.at(id);
  beast::error_code ec;
  c->ws.async_accept(yield[ec]);
  if (ec) { srv.conns.erase(id); return; }
  for (;;) {
    c->ws.async_read(c->buf, yield[ec]);
    if (ec) break;
    auto msg = take_json(*c);
    if (msg.is_discarded()) continue;
    const auto op = msg.value("op", "");
    if (op == "sit") c->table = msg.value("table", 0u);
    else if (op == "move") apply_move(srv, c->table, msg);
  }
  srv.conns.erase(id);
}

// Spectators only send "watch table N" and emoji reactions.
void spectator_loop(game_server& srv, std::uint64_t id, net::yield_context yield) {
  auto c = srv.conns.at(id);
  beast::error_code ec;
  c->ws.async_accept(yield[ec]);
  if (ec) { srv.conns.erase(id); return; }
  for (;;) {
    c->ws.async_read(c->buf, yield[ec]); // expect: errorshield-ws-message-limit
    if (ec) break;
    auto msg = take_json(*c);
    if (!msg.is_discarded() && msg.value("op", "") == "watch")
      c->table = msg.value("table", 0u);
  }
  srv.conns.erase(id);
}

// Lobby chat: the dynamic buffer itself is bounded, so an oversized line
// fails the read with buffer_overflow instead of growing.
void lobby_chat_loop(game_server& srv, std::uint64_t id, net::yield_context yield) {
  auto c = srv.conns.at(id);
  beast::error_code ec;
  c->ws.async_accept(yield[ec]);
  if (ec) { srv.conns.erase(id); return; }
  beast::flat_buffer line(kChatLineMax);
  for (;;) {
    c->ws.async_read(line, yield[ec]);
    if (ec == websocket::error::buffer_overflow) {
      c->ws.async_close(websocket::close_code::too_big, yield[ec]);
      break;
    }
    if (ec) break;
    auto text = beast::buffers_to_string(line.data());
    line.consume(line.size());
    for (auto& [other_id, other] : srv.conns)
      if (other_id != id && other->table == 0) { /* queue text for other (writer not shown) */ }
    (void)text;
  }
  srv.conns.erase(id);
}

// Finished-game uploads for the archive. Tournament SGFs with variations and
// comments are much larger than move frames.
void replay_upload(game_server& srv, std::uint64_t id, net::yield_context yield) {
  auto c = srv.conns.at(id);
  beast::error_code ec;
  c->ws.read_message_max(kReplayMaxKiB << 20); // expect: errorshield-ws-message-limit
  c->ws.async_accept(yield[ec]);
  if (ec) { srv.conns.erase(id); return; }
  c->ws.async_read(c->buf, yield[ec]);
  if (!ec) {
    json ack{{"op", "stored"}, {"bytes", c->buf.size()}};
    c->buf.consume(c->buf.size());
    auto out = ack.dump();
    c->ws.text(true);
    c->ws.async_write(net::buffer(out), yield[ec]);
  }
  srv.conns.erase(id);
}

// Engine analysis for post-game review: we are the client of the engine pool.
// Long principal variations arrive as fragmented messages, so we reassemble.
std::string fetch_engine_analysis(net::io_context& ioc, const tcp::endpoint& engine,
                                  const std::string& fen, net::yield_context yield) {
  websocket::stream<beast::tcp_stream> ews(ioc);
  beast::get_lowest_layer(ews).async_connect(engine, yield);
  ews.async_handshake("engine-pool", "/analyse", yield);
  std::string req = json{{"fen", fen}, {"depth", 22}}.dump();
  ews.async_write(net::buffer(req), yield);

  std::string analysis;
  char chunk[kEngineChunk];
  do {
    auto n = ews.async_read_some(net::buffer(chunk), yield); // expect: errorshield-ws-message-limit
    analysis.append(chunk, n);
  } while (!ews.is_message_done());
  beast::error_code ec;
  ews.async_close(websocket::close_code::normal, yield[ec]);
  return analysis;
}

// Premium move hints: same reassembly, but with a running cap and the
// stream-level limit set before the first read.
std::string fetch_hint(net::io_context& ioc, const tcp::endpoint& engine, const std::string& fen,
                       net::yield_context yield) {
  websocket::stream<beast::tcp_stream> ews(ioc);
  ews.read_message_max(kMoveFrameMax);
  beast::get_lowest_layer(ews).async_connect(engine, yield);
  ews.async_handshake("engine-pool", "/hint", yield);
  std::string req = json{{"fen", fen}, {"depth", 12}}.dump();
  ews.async_write(net::buffer(req), yield);

  std::string hint;
  char chunk[256];
  do {
    auto n = ews.async_read_some(net::buffer(chunk), yield);
    if (hint.size() + n > kMoveFrameMax) break;
    hint.append(chunk, n);
  } while (!ews.is_message_done());
  return hint;
}

enum class port_role { players, spectators, lobby, uploads };

void accept_loop(game_server& srv, tcp::acceptor& acc, port_role role, net::yield_context yield) {
  for (;;) {
    beast::error_code ec;
    tcp::socket sock = acc.async_accept(yield[ec]);
    if (ec) continue;
    auto id = srv.next_id++;
    if (role == port_role::players) {
      srv.conns.emplace(id, std::make_shared<conn_state>(std::move(sock), kMoveFrameMax));
      net::spawn(srv.ioc, [&srv, id](net::yield_context y) { player_loop(srv, id, y); },
                 net::detached);
    } else {
      srv.conns.emplace(id, std::make_shared<conn_state>(std::move(sock)));
      switch (role) {
        case port_role::spectators:
          net::spawn(srv.ioc, [&srv, id](net::yield_context y) { spectator_loop(srv, id, y); },
                     net::detached);
          break;
        case port_role::lobby:
          net::spawn(srv.ioc, [&srv, id](net::yield_context y) { lobby_chat_loop(srv, id, y); },
                     net::detached);
          break;
        case port_role::uploads:
          net::spawn(srv.ioc, [&srv, id](net::yield_context y) { replay_upload(srv, id, y); },
                     net::detached);
          break;
        default: break;
      }
    }
  }
}

}  // namespace tables
