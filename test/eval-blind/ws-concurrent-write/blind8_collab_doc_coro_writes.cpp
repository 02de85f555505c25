// checks: errorshield-ws-concurrent-write
// Collaborative document editing server (C++20 coroutines). Each editor connection has a reader
// coroutine applying operations and a writer coroutine draining an outbox; the document room
// fans out transformed operations and cursor positions to every participant.
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
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
using namespace net::experimental::awaitable_operators;

namespace collab {

struct Operation {
  std::uint64_t rev = 0;
  std::string author;
  json delta;
};

class DocumentRoom;

class Editor : public std::enable_shared_from_this<Editor> {
 public:
  Editor(tcp::socket s, DocumentRoom& room, std::string user)
      : ws_(std::move(s)), wake_(ws_.get_executor()), room_(room), user_(std::move(user)) {
    wake_.expires_at(std::chrono::steady_clock::time_point::max());
  }

  awaitable<void> run();

  // Enqueue for the writer coroutine. All callers run on the io_context thread.
  void deliver(std::string frame) {
    outbox_.push_back(std::move(frame));
    wake_.cancel_one();
  }

  // Cursor moves are high-frequency; the first version wrote them straight to the socket.
  void deliver_cursor_fast(const json& cursor) {
    auto frame = std::make_shared<std::string>(cursor.dump());
    ws_.async_write(net::buffer(*frame), [frame](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
  }

  websocket::stream<beast::tcp_stream>& stream() { return ws_; }
  const std::string& user() const { return user_; }

 private:
  awaitable<void> reader();
  awaitable<void> writer();
  awaitable<void> send_history();

  websocket::stream<beast::tcp_stream> ws_;
  net::steady_timer wake_;
  std::deque<std::string> outbox_;
  DocumentRoom& room_;
  std::string user_;
  bool closed_ = false;
};

class DocumentRoom {
 public:
  explicit DocumentRoom(net::any_io_executor ex) : ex_(std::move(ex)) {}

  void join(std::shared_ptr<Editor> e) { editors_.push_back(std::move(e)); }

  Operation apply(const std::string& author, const json& delta) {
    Operation op{++rev_, author, delta};
    history_.push_back(op);
    return op;
  }

  const std::vector<Operation>& history() const { return history_; }

  void broadcast_op(const Operation& op) {
    const auto frame = json{{"rev", op.rev}, {"author", op.author}, {"delta", op.delta}}.dump();
    for (auto& e : editors_)
      if (e->user() != op.author) e->deliver(frame);
  }

  void broadcast_presence(const json& presence) {
    auto frame = std::make_shared<std::string>(presence.dump());
    for (auto& e : editors_) {
      // Presence updates are sent as independent coroutines so a slow editor doesn't block others.
      net::co_spawn(ex_, e->stream().async_write(net::buffer(*frame), use_awaitable), // expect: errorshield-ws-concurrent-write
                    [frame](std::exception_ptr, std::size_t) {});
    }
  }

  void broadcast_cursor(const json& cursor) {
    for (auto& e : editors_) e->deliver(cursor.dump());
  }

 private:
  net::any_io_executor ex_;
  std::vector<std::shared_ptr<Editor>> editors_;
  std::vector<Operation> history_;
  std::uint64_t rev_ = 0;
};

awaitable<void> Editor::run() {
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws_.async_accept(use_awaitable);
  room_.join(shared_from_this());
  co_await send_history();
  co_await (reader() || writer());
  closed_ = true;
}

awaitable<void> Editor::send_history() {
  // Runs before the writer coroutine starts; every write is awaited before the next begins.
  for (const auto& op : room_.history()) {
    auto frame = json{{"rev", op.rev}, {"author", op.author}, {"delta", op.delta}}.dump();
    co_await ws_.async_write(net::buffer(frame), use_awaitable);
  }
}

awaitable<void> Editor::writer() {
  for (;;) {
    while (!outbox_.empty()) {
      std::string frame = std::move(outbox_.front());
      outbox_.pop_front();
      co_await ws_.async_write(net::buffer(frame), use_awaitable);
    }
    auto [ec] = co_await wake_.async_wait(net::as_tuple(use_awaitable));
    if (ec != net::error::operation_aborted) co_return;
  }
}

awaitable<void> Editor::reader() {
  beast::flat_buffer buf;
  for (;;) {
    co_await ws_.async_read(buf, use_awaitable);
    auto msg = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (msg.is_discarded()) continue;

    const auto kind = msg.value("kind", "");
    if (kind == "op") {
      Operation op = room_.apply(user_, msg["delta"]);
      // Ack the author directly so its local revision counter advances without waiting in line.
      auto ack = json{{"ack", op.rev}}.dump();
      co_await ws_.async_write(net::buffer(ack), use_awaitable); // expect: errorshield-ws-concurrent-write
      room_.broadcast_op(op);
    } else if (kind == "cursor") {
      room_.broadcast_cursor(msg);
    } else if (kind == "resync") {
      deliver(json{{"kind", "resync_begin"}}.dump());
      for (const auto& op : room_.history())
        deliver(json{{"rev", op.rev}, {"delta", op.delta}}.dump());
      deliver(json{{"kind", "resync_end"}}.dump());
    } else if (kind == "snapshot+meta") {
      // The client wanted both in one round trip, so both frames are written "in parallel".
      auto snap = json{{"kind", "snapshot"}, {"rev", room_.history().size()}}.dump();
      auto meta = json{{"kind", "meta"}, {"editors", 0}}.dump();
      co_await (ws_.async_write(net::buffer(snap), use_awaitable) && // expect: errorshield-ws-concurrent-write
                ws_.async_write(net::buffer(meta), use_awaitable));
    }
  }
}

// Persistence link: every accepted operation is mirrored to the archive and to a hot replica.
// Those are two different streams, so writing them concurrently is fine.
awaitable<void> mirror_operation(websocket::stream<beast::tcp_stream>& archive,
                                 websocket::stream<beast::tcp_stream>& replica, const Operation& op) {
  auto frame = json{{"rev", op.rev}, {"author", op.author}, {"delta", op.delta}}.dump();
  co_await (archive.async_write(net::buffer(frame), use_awaitable) &&
            replica.async_write(net::buffer(frame), use_awaitable));
}

// Read with an idle deadline: a read racing a timer, no concurrent writes involved.
awaitable<bool> read_with_deadline(websocket::stream<beast::tcp_stream>& ws, beast::flat_buffer& buf) {
  net::steady_timer t(ws.get_executor());
  t.expires_after(std::chrono::seconds(30));
  auto res = co_await (ws.async_read(buf, use_awaitable) || t.async_wait(use_awaitable));
  co_return res.index() == 0;
}

// Export job: stackful coroutine dumping a document to a read-only viewer, one frame at a time.
void export_to_viewer(websocket::stream<beast::tcp_stream>& viewer, const DocumentRoom& room,
                      net::yield_context yield) {
  beast::error_code ec;
  viewer.text(true);
  for (const auto& op : room.history()) {
    auto frame = json{{"rev", op.rev}, {"delta", op.delta}}.dump();
    viewer.async_write(net::buffer(frame), yield[ec]);
    if (ec) return;
  }
  std::string done = R"({"kind":"export_done"})";
  viewer.async_write(net::buffer(done), yield[ec]);
}

// Export with comments: the comment thread is streamed by a second stackful coroutine so the
// body export isn't delayed, but both target the same viewer stream.
void export_with_comments(websocket::stream<beast::tcp_stream>& viewer, const DocumentRoom& room,
                          std::shared_ptr<std::vector<std::string>> comments, net::yield_context yield) {
  net::spawn(
      yield.get_executor(),
      [&viewer, comments](net::yield_context y) {
        beast::error_code ec;
        for (const auto& c : *comments) {
          viewer.async_write(net::buffer(c), y[ec]); // expect: errorshield-ws-concurrent-write
          if (ec) return;
        }
      },
      net::detached);
  export_to_viewer(viewer, room, yield);
}

}  // namespace collab
