// checks: errorshield-ws-message-limit
// Collaborative document editor backend: CRDT op batches, cursors, comments,
// full-snapshot uploads, presence heartbeats and an outbound spell-check link.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
using json = nlohmann::json;
using DocSocket = websocket::stream<beast::tcp_stream>;

namespace collab {

constexpr std::size_t kOpBatchMax = 256 * 1024;
constexpr std::size_t kSnapshotMax = 2 * 1024 * 1024;
constexpr std::size_t kCommentMax = 16 * 1024;

template <class WebSocket> void harden(WebSocket &ws, std::size_t max_msg) {
  ws.read_message_max(max_msg);
  ws.auto_fragment(false);
}

void apply_ops(const std::string &doc_id, const json &ops) {
  std::cout << doc_id << " <- " << ops.size() << " ops\n";
}

// Editors send CRDT operation batches.
awaitable<void> edit_session(tcp::socket sock, std::string doc_id) {
  DocSocket ws(std::move(sock));
  harden(ws, kOpBatchMax);
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    apply_ops(doc_id, json::parse(beast::buffers_to_string(buf.data()), nullptr, false));
    buf.consume(buf.size());
  }
}

// Cursor / selection updates, many per second per user.
awaitable<void> cursor_session(tcp::socket sock) {
  DocSocket ws(std::move(sock));
  ws.auto_fragment(false);
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable); // expect: errorshield-ws-message-limit
    buf.consume(buf.size());
  }
}

// Full snapshot upload after offline editing.
awaitable<void> snapshot_upload(tcp::socket sock) {
  DocSocket ws(std::move(sock));
  ws.binary(true);
  ws.read_message_max(std::uint64_t{1} << 34); // expect: errorshield-ws-message-limit
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf;
  co_await ws.async_read(buf, use_awaitable);
  std::cout << "snapshot " << buf.size() << " bytes\n";
}

// Inline comments: read piecewise into a fixed chunk and capped by hand.
awaitable<void> comment_session(tcp::socket sock) {
  DocSocket ws(std::move(sock));
  co_await ws.async_accept(use_awaitable);
  std::array<char, 4096> chunk{};
  std::string comment;
  for (;;) {
    std::size_t n = co_await ws.async_read_some(asio::buffer(chunk), use_awaitable);
    if (comment.size() + n > kCommentMax) {
      co_await ws.async_close(websocket::close_code::too_big, use_awaitable);
      co_return;
    }
    comment.append(chunk.data(), n);
    if (ws.is_message_done()) {
      std::cout << "comment: " << comment << "\n";
      comment.clear();
    }
  }
}

// A room member is either an editor or a read-only viewer.
class DocRoomMember {
public:
  DocRoomMember(tcp::socket s, std::string doc) : ws_(std::move(s)), doc_(std::move(doc)) {}

  awaitable<void> run(bool editor) {
    co_await ws_.async_accept(use_awaitable);
    if (editor) {
      configure_editor_limits();
      co_await edit_loop();
    } else {
      co_await viewer_loop();
    }
  }

private:
  void configure_editor_limits() {
    ws_.read_message_max(kOpBatchMax);
    ws_.write_buffer_bytes(32 * 1024);
  }

  awaitable<void> edit_loop() {
    beast::flat_buffer buf;
    for (;;) {
      co_await ws_.async_read(buf, use_awaitable);
      apply_ops(doc_, json::parse(beast::buffers_to_string(buf.data()), nullptr, false));
      buf.consume(buf.size());
    }
  }

  // Viewers only send "follow user X" and scroll-sync messages.
  awaitable<void> viewer_loop() {
    beast::flat_buffer buf;
    for (;;) {
      co_await ws_.async_read(buf, use_awaitable); // expect: errorshield-ws-message-limit
      buf.consume(buf.size());
    }
  }

  DocSocket ws_;
  std::string doc_;
};

// Presence heartbeats, still on the stackful coroutine server.
void run_presence(asio::io_context &ioc, tcp::acceptor &acc) {
  asio::spawn(
      ioc,
      [&acc](asio::yield_context yield) {
        for (;;) {
          tcp::socket sock = acc.async_accept(yield);
          asio::spawn(
              acc.get_executor(),
              [s = std::move(sock)](asio::yield_context y) mutable {
                websocket::stream<tcp::socket> ws(std::move(s));
                ws.async_accept(y);
                beast::flat_buffer hb;
                for (;;) {
                  ws.async_read(hb, y); // expect: errorshield-ws-message-limit
                  hb.clear();
                }
              },
              asio::detached);
        }
      },
      asio::detached);
}

// Export jobs (PDF/DOCX), same server, limits applied.
void run_export_channel(asio::io_context &ioc, tcp::acceptor &acc) {
  asio::spawn(
      ioc,
      [&acc](asio::yield_context yield) {
        for (;;) {
          tcp::socket sock = acc.async_accept(yield);
          asio::spawn(
              acc.get_executor(),
              [s = std::move(sock)](asio::yield_context y) mutable {
                websocket::stream<tcp::socket> ws(std::move(s));
                ws.read_message_max(kSnapshotMax);
                ws.async_accept(y);
                beast::flat_buffer req;
                ws.async_read(req, y);
                ws.text(true);
                ws.async_write(asio::buffer(std::string("{\"export\":\"queued\"}")), y);
              },
              asio::detached);
        }
      },
      asio::detached);
}

// Outbound link to the spell-check service (we are the client).
awaitable<void> spellcheck_link(std::string host, std::vector<std::string> paragraphs) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  DocSocket ws(ex);
  auto eps = co_await resolver.async_resolve(host, "7070", use_awaitable);
  co_await beast::get_lowest_layer(ws).async_connect(eps, use_awaitable);
  ws.read_message_max(512 * 1024);
  co_await ws.async_handshake(host, "/check", use_awaitable);
  beast::flat_buffer buf;
  for (auto &p : paragraphs) {
    co_await ws.async_write(asio::buffer(json{{"text", p}}.dump()), use_awaitable);
    co_await ws.async_read(buf, use_awaitable);
    buf.consume(buf.size());
  }
}

awaitable<void> listen(tcp::acceptor acc) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(use_awaitable);
    asio::co_spawn(acc.get_executor(), edit_session(std::move(s), "doc-42"), asio::detached);
  }
}

} // namespace collab
