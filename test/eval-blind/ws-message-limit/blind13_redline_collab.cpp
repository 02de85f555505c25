// checks: errorshield-ws-message-limit
// Contract redline collaboration: counsel on both sides edit the same draft; tracked changes,
// comments and document snapshots travel over WebSocket.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <utility>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr std::size_t kMaxRedlineOp = 256 * 1024;         // one tracked change or comment
constexpr std::size_t kMaxDocSnapshot = 8 * 1024 * 1024;  // full .docx-as-JSON snapshot

struct RedlineOp {
  std::string doc_id;
  std::string author;
  std::string kind;  // "insert", "delete", "comment", "accept", "reject"
  std::size_t pos = 0;
  std::string text;
};

inline void from_json(const nlohmann::json& j, RedlineOp& op) {
  j.at("doc").get_to(op.doc_id);
  j.at("author").get_to(op.author);
  j.at("kind").get_to(op.kind);
  j.at("pos").get_to(op.pos);
  op.text = j.value("text", "");
}

inline bool apply_op(const std::string& raw) {
  auto j = nlohmann::json::parse(raw, nullptr, false);
  if (j.is_discarded()) return false;
  try {
    auto op = j.get<RedlineOp>();
    std::cout << op.author << " " << op.kind << " @" << op.pos << " in " << op.doc_id << "\n";
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

inline void configure_collab(websocket::stream<beast::tcp_stream>& ws, std::size_t limit) {
  ws.read_message_max(limit);
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
}

// Main editing session, generic over the transport (plain TCP in the office, TLS at the edge).
template <class NextLayer>
class RedlineSession : public std::enable_shared_from_this<RedlineSession<NextLayer>> {
 public:
  explicit RedlineSession(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_read();
    });
  }

 private:
  void do_read() {
    ws_.async_read(buf_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-ws-message-limit
      if (ec) return;
      apply_op(beast::buffers_to_string(self->buf_.data()));
      self->buf_.consume(self->buf_.size());
      self->do_read();
    });
  }

  websocket::stream<NextLayer> ws_;
  beast::flat_buffer buf_;
};

// Read-only reviewers may still post comments.
class ReviewerSession : public std::enable_shared_from_this<ReviewerSession> {
 public:
  explicit ReviewerSession(tcp::socket s) : ws_(std::move(s)) { ws_.read_message_max(kMaxRedlineOp); }

  void run() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_read();
    });
  }

 private:
  void do_read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      apply_op(beast::buffers_to_string(self->buf_.data()));
      self->buf_.consume(self->buf_.size());
      self->do_read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
};

// Comment threads pause reading while the clause lock is held by another counsel and
// resume through a stored continuation.
class CommentThreadSession : public std::enable_shared_from_this<CommentThreadSession> {
 public:
  explicit CommentThreadSession(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    std::clog << "comment thread opened, max message " << ws_.read_message_max() << " bytes\n";
    resume_ = [this] {
      ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-ws-message-limit
        if (ec) return;
        if (!apply_op(beast::buffers_to_string(self->buf_.data()))) return;
        self->buf_.consume(self->buf_.size());
        if (self->clause_locked_) {
          self->paused_ = true;  // on_clause_unlocked() resumes
          return;
        }
        self->resume_();
      });
    };
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->resume_();
    });
  }

  void on_clause_locked() { clause_locked_ = true; }

  void on_clause_unlocked() {
    clause_locked_ = false;
    if (paused_ && resume_) {
      paused_ = false;
      resume_();
    }
  }

 private:
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  bool clause_locked_ = false;
  bool paused_ = false;
  std::function<void()> resume_;
};

// Full-document snapshots when a party reconnects.
class SnapshotSession : public std::enable_shared_from_this<SnapshotSession> {
 public:
  explicit SnapshotSession(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    configure_collab(ws_, kMaxDocSnapshot);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_read();
    });
  }

 private:
  void do_read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec) return;
      std::cout << "snapshot received, " << n << " bytes\n";
      self->buf_.consume(self->buf_.size());
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
};

// Bridge between a counsel's browser and the document-management system (DMS).
net::awaitable<void> bridge_to_dms(tcp::socket browser_sock, tcp::endpoint dms_ep) {
  auto ex = co_await net::this_coro::executor;
  websocket::stream<beast::tcp_stream> client{std::move(browser_sock)};
  websocket::stream<beast::tcp_stream> dms{ex};
  client.read_message_max(kMaxRedlineOp);
  co_await client.async_accept(net::use_awaitable);
  co_await beast::get_lowest_layer(dms).async_connect(dms_ep, net::use_awaitable);
  co_await dms.async_handshake("dms.internal", "/redline", net::use_awaitable);
  beast::flat_buffer in, back;
  for (;;) {
    co_await client.async_read(in, net::use_awaitable);
    dms.text(client.got_text());
    co_await dms.async_write(in.data(), net::use_awaitable);
    in.consume(in.size());
    co_await dms.async_read(back, net::use_awaitable); // expect: errorshield-ws-message-limit
    client.text(dms.got_text());
    co_await client.async_write(back.data(), net::use_awaitable);
    back.consume(back.size());
  }
}

// Batch jobs run on the blocking worker pool, not the io_context.
inline void export_redline_job(tcp::socket s) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  beast::error_code ec;
  ws.accept(ec);
  if (ec) return;
  beast::flat_buffer buf;
  ws.read(buf, ec); // expect: errorshield-ws-message-limit
  if (ec) return;
  std::cout << "export request: " << beast::buffers_to_string(buf.data()) << "\n";
  ws.close(websocket::close_code::normal, ec);
}

inline void import_redline_job(tcp::socket s) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.read_message_max(kMaxDocSnapshot);
  beast::error_code ec;
  ws.accept(ec);
  if (ec) return;
  beast::flat_buffer buf;
  ws.read(buf, ec);
  if (ec) return;
  std::cout << "imported " << buf.size() << " bytes\n";
  ws.close(websocket::close_code::normal, ec);
}

// Pooled presence connections (cursor positions), reached through the pool entry.
struct PresenceConn {
  std::unique_ptr<websocket::stream<beast::tcp_stream>> ws;
  beast::flat_buffer buf;
};

inline void pump_presence(PresenceConn* conn) {
  auto& ws = *conn->ws;
  ws.read_message_max(4 * 1024);
  ws.async_read(conn->buf, [conn](beast::error_code ec, std::size_t) {
    if (ec) return;
    conn->buf.consume(conn->buf.size());
    pump_presence(conn);
  });
}

class CollabListener : public std::enable_shared_from_this<CollabListener> {
 public:
  CollabListener(net::io_context& ioc, tcp::endpoint ep) : ioc_(ioc), acceptor_(ioc, ep) {}
  void run() { do_accept(); }

 private:
  void do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<RedlineSession<beast::tcp_stream>>(std::move(s))->run();
      self->do_accept();
    });
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
};
