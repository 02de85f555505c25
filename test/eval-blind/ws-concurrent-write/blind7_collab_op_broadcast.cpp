// checks: errorshield-ws-concurrent-write
// Collaborative editor backend: every accepted op is transformed and pushed to
// all editors of the document. The io_context is run by a thread pool; each
// connection lives on its own strand (see Listener::do_accept).
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace collab {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

struct BroadcastConfig {
  std::chrono::seconds keepalive{15};
  std::chrono::milliseconds cursor_flush{50};
  std::size_t max_queue = 256;
};

using SharedText = std::shared_ptr<const std::string>;

class EditorPeer : public std::enable_shared_from_this<EditorPeer> {
public:
  // The socket was accepted on a strand executor, so ws_, timer_ and every
  // handler below are serialized even though the pool has many threads.
  EditorPeer(tcp::socket &&s, BroadcastConfig cfg)
      : ws_(std::move(s)), timer_(ws_.get_executor()), cfg_(cfg) {}

  void deliver(SharedText msg) {
    net::post(ws_.get_executor(),
              beast::bind_front_handler(&EditorPeer::on_deliver, shared_from_this(), std::move(msg)));
  }

  void start_keepalive() {
    timer_.expires_after(cfg_.keepalive);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      // a ping may be outstanding together with one data write
      self->ws_.async_ping({}, [self](beast::error_code pec) {
        if (pec)
          std::clog << "ping failed: " << pec.message() << '\n';
      });
      self->start_keepalive();
    });
  }

  // Presence (who is viewing the doc) is small; sent straight away.
  void send_presence(const json &viewers) {
    auto text = std::make_shared<std::string>(json{{"type", "presence"}, {"who", viewers}}.dump());
    ws_.async_write(net::buffer(*text), // expect: errorshield-ws-concurrent-write
                    [self = shared_from_this(), text](beast::error_code ec, std::size_t) {
                      if (ec)
                        std::clog << "presence write failed: " << ec.message() << '\n';
                    });
  }

  void send_presence_queued(const json &viewers) {
    deliver(std::make_shared<const std::string>(json{{"type", "presence"}, {"who", viewers}}.dump()));
  }

private:
  void on_deliver(SharedText msg) {
    if (queue_.size() >= cfg_.max_queue) {
      std::clog << "editor too slow, dropping op\n";
      return;
    }
    queue_.push_back(std::move(msg));
    if (queue_.size() > 1)
      return;  // a write is already in flight; on_write continues the chain
    do_write();
  }

  void do_write() {
    ws_.async_write(net::buffer(*queue_.front()),
                    beast::bind_front_handler(&EditorPeer::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) {
      std::clog << "op write failed: " << ec.message() << '\n';
      queue_.clear();
      return;
    }
    queue_.pop_front();
    if (!queue_.empty())
      do_write();
  }

  websocket::stream<beast::tcp_stream> ws_;
  net::steady_timer timer_;
  BroadcastConfig cfg_;
  std::deque<SharedText> queue_;
};

class DocumentRoom {
public:
  void join(const std::shared_ptr<EditorPeer> &p) {
    std::lock_guard<std::mutex> lk(mu_);
    peers_.push_back(p);
  }

  // Called from any pool thread after the OT engine accepted an op.
  void broadcast(const json &transformed_op) {
    auto msg = std::make_shared<const std::string>(transformed_op.dump());
    std::vector<std::shared_ptr<EditorPeer>> live;
    {
      std::lock_guard<std::mutex> lk(mu_);
      for (auto &w : peers_)
        if (auto p = w.lock())
          live.push_back(std::move(p));
    }
    for (auto &p : live)
      p->deliver(msg);
  }

private:
  std::mutex mu_;
  std::vector<std::weak_ptr<EditorPeer>> peers_;
};

// Rooms migrated from the 1.x server still hold raw streams.
class LegacyRoom {
public:
  void add(websocket::stream<beast::tcp_stream> *ws) { streams_.push_back(ws); }

  void broadcast_raw(const json &op) {
    auto msg = std::make_shared<std::string>(op.dump());
    for (auto *ws : streams_) {
      ws->async_write(net::buffer(*msg), [msg](beast::error_code ec, std::size_t) { // expect: errorshield-ws-concurrent-write
        if (ec)
          std::clog << "legacy broadcast failed: " << ec.message() << '\n';
      });
    }
  }

private:
  std::vector<websocket::stream<beast::tcp_stream> *> streams_;
};

// Batches cursor moves and flushes them periodically to one editor.
class CursorBatcher : public std::enable_shared_from_this<CursorBatcher> {
public:
  CursorBatcher(websocket::stream<beast::tcp_stream> &ws, BroadcastConfig cfg)
      : ws_(ws), timer_(ws.get_executor()), cfg_(cfg) {}

  void add(std::string cursor_json) { pending_.push_back(std::move(cursor_json)); }

  void arm() {
    timer_.expires_after(cfg_.cursor_flush);
    timer_.async_wait(beast::bind_front_handler(&CursorBatcher::on_flush, shared_from_this()));
  }

private:
  void on_flush(beast::error_code ec) {
    if (ec)
      return;
    auto batch = std::make_shared<std::deque<std::string>>(std::move(pending_));
    pending_.clear();
    for (auto &c : *batch)
      ws_.async_write(net::buffer(c), [batch](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
    arm();
  }

  websocket::stream<beast::tcp_stream> &ws_;
  net::steady_timer timer_;
  BroadcastConfig cfg_;
  std::deque<std::string> pending_;
};

// Read-only preview endpoint: request/response, one message at a time.
class PreviewSession : public std::enable_shared_from_this<PreviewSession> {
public:
  explicit PreviewSession(tcp::socket &&s) : ws_(std::move(s)) {}

  void run() { do_read(); }

private:
  void do_read() {
    ws_.async_read(in_, beast::bind_front_handler(&PreviewSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    auto req = json::parse(beast::buffers_to_string(in_.data()), nullptr, false);
    in_.consume(in_.size());
    if (req.is_discarded()) {
      send_error_and_trailer("bad request");
      return;
    }
    header_ = json{{"type", "preview"}, {"doc", req.value("doc", "")}}.dump();
    body_ = "<rendered html>";
    // header first, body from the completion handler, next read after that
    ws_.async_write(net::buffer(header_), [self = shared_from_this()](beast::error_code ec2, std::size_t) {
      if (ec2)
        return;
      self->ws_.async_write(net::buffer(self->body_), [self](beast::error_code ec3, std::size_t) {
        if (!ec3)
          self->do_read();
      });
    });
  }

  void send_error_and_trailer(const std::string &why) {
    err_ = json{{"type", "error"}, {"why", why}}.dump();
    ws_.async_write(net::buffer(err_), [self = shared_from_this()](beast::error_code, std::size_t) {});
    ws_.async_write(net::buffer(trailer_), [self = shared_from_this()](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  std::string header_, body_, err_, trailer_ = R"({"type":"end"})";
};

class Listener : public std::enable_shared_from_this<Listener> {
public:
  Listener(net::io_context &ioc, tcp::endpoint ep, BroadcastConfig cfg)
      : ioc_(ioc), acceptor_(ioc, ep), cfg_(cfg) {}

  void do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_),
                           [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
                             if (!ec)
                               std::make_shared<EditorPeer>(std::move(s), self->cfg_)->start_keepalive();
                             self->do_accept();
                           });
  }

private:
  net::io_context &ioc_;
  tcp::acceptor acceptor_;
  BroadcastConfig cfg_;
};

} // namespace collab

int main() {
  boost::asio::io_context ioc{4};
  auto l = std::make_shared<collab::Listener>(ioc, collab::tcp::endpoint{collab::tcp::v4(), 8080},
                                              collab::BroadcastConfig{});
  l->do_accept();
}
