// checks: errorshield-ws-frame-type
// Collaborative editor backend: one EditorSession per connected editor. Clients
// push operational-transform ops as JSON text frames; the server answers with
// acks (text) and full document snapshots (CBOR, binary frames).
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <iostream>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace collab {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

struct EditorConfig {
  std::size_t max_op_bytes = 64 * 1024;
  std::chrono::seconds idle_timeout{45};
  bool legacy_hello = true;  // pre-2.3 clients send a hello frame first
};

#define COLLAB_LOG(lvl, msg) (std::clog << "[collab][" lvl "] " << msg << '\n')

struct Operation {
  std::string doc_id;
  std::uint64_t base_rev = 0;
  std::string kind;  // "ins" / "del"
  std::size_t pos = 0;
  std::string text;
};

inline Operation op_from_json(const json &j) {
  Operation op;
  op.doc_id = j.at("doc").get<std::string>();
  op.base_rev = j.at("rev").get<std::uint64_t>();
  op.kind = j.at("k").get<std::string>();
  op.pos = j.at("p").get<std::size_t>();
  op.text = j.value("t", std::string{});
  return op;
}

class DocumentStore {
public:
  std::uint64_t apply(const Operation &op) { return ++revs_[op.doc_id]; }
  std::vector<std::uint8_t> snapshot_cbor(const std::string &doc) const {
    json snap{{"doc", doc}, {"rev", rev_of(doc)}, {"body", "..."}};
    return json::to_cbor(snap);
  }
  std::uint64_t rev_of(const std::string &doc) const {
    auto it = revs_.find(doc);
    return it == revs_.end() ? 0 : it->second;
  }

private:
  std::unordered_map<std::string, std::uint64_t> revs_;
};

struct Outgoing {
  std::string payload;
  bool binary = false;
};

class EditorSession : public std::enable_shared_from_this<EditorSession> {
public:
  EditorSession(tcp::socket sock, DocumentStore &store, EditorConfig cfg)
      : ws_(std::move(sock)), store_(store), cfg_(cfg) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(cfg_.max_op_bytes);
    ws_.async_accept(beast::bind_front_handler(&EditorSession::on_accept, shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec) {
      COLLAB_LOG("warn", "accept failed: " << ec.message());
      return;
    }
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&EditorSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) {
      COLLAB_LOG("info", "editor left: " << ec.message());
      return;
    }
    if (hello_pending_ && cfg_.legacy_hello) {
      hello_pending_ = false;
      // old clients: {"hello":"<doc>","user":"..."}
      auto hello = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false); // expect: errorshield-ws-frame-type
      if (!hello.is_discarded())
        doc_id_ = hello.value("hello", std::string{});
      buffer_.consume(buffer_.size());
      return do_read();
    }
    if (ws_.got_text())
      handle_text_op();
    else
      handle_binary_frame();
    buffer_.consume(buffer_.size());
    do_read();
  }

  // Only reached from on_read() after got_text() was checked.
  void handle_text_op() {
    json j = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
    if (j.is_discarded() || !j.contains("doc")) {
      COLLAB_LOG("warn", "malformed op from editor");
      return;
    }
    Operation op = op_from_json(j);
    if (op.base_rev < store_.rev_of(op.doc_id)) {
      // client is behind: resend a full snapshot as binary
      send_snapshot(op.doc_id);
      return;
    }
    send_ack(store_.apply(op));
  }

  // Binary frames carry CBOR-encoded cursor/selection batches.
  void handle_binary_frame() {
    auto bytes = static_cast<const std::uint8_t *>(buffer_.cdata().data());
    json batch = json::from_cbor(bytes, bytes + buffer_.size(), true, false);
    if (batch.is_discarded())
      COLLAB_LOG("warn", "bad cursor batch");
  }

  void send_ack(std::uint64_t rev) {
    enqueue(Outgoing{json{{"type", "ack"}, {"rev", rev}}.dump(), false});
  }

  void send_snapshot(const std::string &doc) {
    auto cbor = store_.snapshot_cbor(doc);
    enqueue(Outgoing{std::string(cbor.begin(), cbor.end()), true});
  }

  void enqueue(Outgoing msg) {
    queue_.push_back(std::move(msg));
    if (queue_.size() == 1)
      do_write();
  }

  void do_write() {
    // frame type is chosen per message from the queue entry
    ws_.binary(queue_.front().binary);
    ws_.async_write(net::buffer(queue_.front().payload),
                    beast::bind_front_handler(&EditorSession::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) {
      COLLAB_LOG("warn", "write failed: " << ec.message());
      return;
    }
    queue_.pop_front();
    if (!queue_.empty())
      do_write();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  DocumentStore &store_;
  EditorConfig cfg_;
  std::deque<Outgoing> queue_;
  std::string doc_id_;
  bool hello_pending_ = true;
};

// ---------------------------------------------------------------------------
// Synchronous helpers used by the resync worker and the admin replay tool.
// ---------------------------------------------------------------------------

// Resync an editor that reconnected: snapshot first, then the pending op log.
void resync_editor(websocket::stream<tcp::socket> &ws, const DocumentStore &store,
                   const std::string &doc, const std::vector<json> &pending_ops) {
  auto snap = store.snapshot_cbor(doc);
  ws.binary(true);
  ws.write(net::buffer(snap));
  ws.text(true);
  for (const auto &op : pending_ops)
    ws.write(net::buffer(op.dump()));
}

// Fast-path bootstrap for a freshly opened document tab.
void bootstrap_editor(websocket::stream<tcp::socket> &ws, const DocumentStore &store,
                      const std::string &doc) {
  ws.binary(true);
  ws.write(net::buffer(store.snapshot_cbor(doc)));
  json ready{{"type", "ready"}, {"doc", doc}, {"rev", store.rev_of(doc)}};
  ws.write(net::buffer(ready.dump())); // expect: errorshield-ws-frame-type
}

// Pushes the latest snapshot to a watcher that has just exchanged text ops.
void push_snapshot_after_ops(websocket::stream<tcp::socket> &ws, const DocumentStore &store,
                             const std::string &doc) {
  ws.text(true);
  ws.write(net::buffer(json{{"type", "compacting"}, {"doc", doc}}.dump()));
  auto snap = store.snapshot_cbor(doc);
  ws.write(net::buffer(snap)); // expect: errorshield-ws-frame-type
}

// Admin replay tool: reads recorded ops back from a staging editor.
std::vector<Operation> replay_from(websocket::stream<tcp::socket> &ws, std::size_t count) {
  std::vector<Operation> out;
  beast::flat_buffer buf;
  for (std::size_t i = 0; i < count; ++i) {
    ws.read(buf);
    if (!ws.got_text()) {
      COLLAB_LOG("warn", "replay: skipping binary frame");
      buf.consume(buf.size());
      continue;
    }
    out.push_back(op_from_json(json::parse(beast::buffers_to_string(buf.data()))));
    buf.consume(buf.size());
  }
  return out;
}

// Diff tool: compares two staging replicas op by op.
std::size_t count_divergent(websocket::stream<tcp::socket> &a, websocket::stream<tcp::socket> &b,
                            std::size_t n) {
  std::size_t diverged = 0;
  beast::flat_buffer ba, bb;
  for (std::size_t i = 0; i < n; ++i) {
    a.read(ba);
    b.read(bb);
    json ja = json::parse(beast::buffers_to_string(ba.data()), nullptr, false); // expect: errorshield-ws-frame-type
    json jb = json::parse(beast::buffers_to_string(bb.data()), nullptr, false); // expect: errorshield-ws-frame-type
    if (ja != jb)
      ++diverged;
    ba.consume(ba.size());
    bb.consume(bb.size());
  }
  return diverged;
}

// Echo endpoint used by the load tester: mirrors the incoming frame type.
void echo_once(websocket::stream<tcp::socket> &ws) {
  beast::flat_buffer buf;
  ws.read(buf);
  ws.text(ws.got_text());
  ws.write(buf.data());
}

} // namespace collab

int main() {
  collab::DocumentStore store;
  (void)store;
}
