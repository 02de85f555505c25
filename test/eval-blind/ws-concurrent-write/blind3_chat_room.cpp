// checks: errorshield-ws-concurrent-write
// Multi-room chat server. Sessions register with a shared room state, messages
// are broadcast to every member.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <deque>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

class ChatSession;

class Room {
public:
  std::mutex mtx;
  std::unordered_set<ChatSession *> members;
  std::string history_tail;

  void join(ChatSession *s) {
    std::lock_guard<std::mutex> lk(mtx);
    members.insert(s);
  }
  void leave(ChatSession *s) {
    std::lock_guard<std::mutex> lk(mtx);
    members.erase(s);
  }
  void broadcast(const std::string &msg);
  void broadcast_fast(const std::string &msg);
};

class ChatSession : public std::enable_shared_from_this<ChatSession> {
public:
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buf;
  Room &room;
  std::deque<std::shared_ptr<const std::string>> outq;
  net::steady_timer ping_timer;

  ChatSession(tcp::socket &&s, Room &r)
      : ws(std::move(s)), room(r), ping_timer(ws.get_executor()) {}

  void start() {
    ws.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->room.join(self.get());
      self->send_backlog({"welcome", "rules: be nice", self->room.history_tail});
      self->do_read();
      self->schedule_ping();
    });
  }

  void do_read() {
    ws.async_read(buf, [self = shared_from_this()](beast::error_code ec,
                                                   std::size_t) {
      if (ec) return self->room.leave(self.get());
      self->room.broadcast(beast::buffers_to_string(self->buf.data()));
      self->buf.consume(self->buf.size());
      self->do_read(); // one read + one write at a time is allowed
    });
  }

  // Correct: queued send on the session's executor.
  void deliver(std::shared_ptr<const std::string> msg) {
    net::post(ws.get_executor(), [self = shared_from_this(), msg] {
      self->outq.push_back(msg);
      if (self->outq.size() > 1) return; // a write is already in flight
      self->write_next();
    });
  }

  void write_next() {
    ws.async_write(net::buffer(*outq.front()),
                   [self = shared_from_this()](beast::error_code ec,
                                               std::size_t) {
                     if (ec) return self->room.leave(self.get());
                     self->outq.pop_front();
                     if (!self->outq.empty()) self->write_next();
                   });
  }

  // Bug: several frames issued back to back without waiting.
  void send_backlog(std::vector<std::string> lines) {
    auto keep = std::make_shared<std::vector<std::string>>(std::move(lines));
    for (auto &l : *keep) {
      ws.async_write(net::buffer(l), // expect: errorshield-ws-concurrent-write
                     [self = shared_from_this(), keep](beast::error_code,
                                                      std::size_t) {});
    }
  }

  // Correct: backlog sent as a chain, next write issued from completion.
  void send_backlog_chained(std::shared_ptr<std::vector<std::string>> lines,
                            std::size_t i = 0) {
    if (i >= lines->size()) return;
    ws.async_write(net::buffer((*lines)[i]),
                   [self = shared_from_this(), lines, i](beast::error_code ec,
                                                         std::size_t) {
                     if (!ec) self->send_backlog_chained(lines, i + 1);
                   });
  }

  // Keepalive: async_ping may be outstanding alongside one async_write.
  void schedule_ping() {
    ping_timer.expires_after(std::chrono::seconds(20));
    ping_timer.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->ws.async_ping({}, [self](beast::error_code ec) {
        if (!ec) self->schedule_ping();
      });
    });
  }

  // Bug: keepalive implemented as an application-level text frame written
  // directly, racing with write_next().
  void schedule_app_ping() {
    ping_timer.expires_after(std::chrono::seconds(20));
    ping_timer.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      static const std::string ping = R"({"type":"ping"})";
      self->ws.async_write(net::buffer(ping), // expect: errorshield-ws-concurrent-write
                           [self](beast::error_code ec, std::size_t) {
                             if (!ec) self->schedule_app_ping();
                           });
    });
  }
};

// Correct broadcast: goes through each session's queue.
void Room::broadcast(const std::string &msg) {
  auto shared = std::make_shared<const std::string>(msg);
  std::vector<std::weak_ptr<ChatSession>> targets;
  {
    std::lock_guard<std::mutex> lk(mtx);
    history_tail = msg;
    for (auto *m : members) targets.push_back(m->weak_from_this());
  }
  for (auto &w : targets)
    if (auto s = w.lock()) s->deliver(shared);
}

// Bug: "fast path" writes straight to every socket.
void Room::broadcast_fast(const std::string &msg) {
  auto shared = std::make_shared<const std::string>(msg);
  std::lock_guard<std::mutex> lk(mtx);
  for (auto *m : members) {
    m->ws.async_write(net::buffer(*shared), // expect: errorshield-ws-concurrent-write
                      [shared](beast::error_code, std::size_t) {});
  }
}

// Reject a freshly accepted connection (not yet a session, nothing else
// writes to it): final text, then close once the text is out.
void reject(std::shared_ptr<websocket::stream<beast::tcp_stream>> ws,
            const std::string &reason) {
  auto txt = std::make_shared<std::string>("rejected: " + reason);
  ws->async_write(net::buffer(*txt), [txt, ws](beast::error_code ec, std::size_t) {
    if (ec) return;
    ws->async_close(websocket::close_code::policy_error,
                    [ws](beast::error_code) {});
  });
}

// Header + body as two frames (bug), versus one buffer sequence (correct).
void send_envelope(websocket::stream<beast::tcp_stream> &ws,
                   std::shared_ptr<std::string> header,
                   std::shared_ptr<std::string> body) {
  ws.async_write(net::buffer(*header), [header](beast::error_code, std::size_t) {});
  ws.async_write(net::buffer(*body), [body](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
}

void send_envelope_one_frame(websocket::stream<beast::tcp_stream> &ws,
                             std::shared_ptr<std::string> header,
                             std::shared_ptr<std::string> body) {
  std::array<net::const_buffer, 2> seq{net::buffer(*header), net::buffer(*body)};
  ws.async_write(seq, [header, body](beast::error_code, std::size_t) {});
}

// Sync writes one after another are fine (blocking, sequential).
void dump_history(websocket::stream<tcp::socket> &ws,
                  const std::vector<std::string> &lines) {
  for (auto const &l : lines) ws.write(net::buffer(l));
}

int main() {
  net::io_context ioc;
  Room room;
  tcp::acceptor acc(ioc, {tcp::v4(), 7000});
  std::function<void()> loop = [&] {
    acc.async_accept([&](beast::error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<ChatSession>(std::move(s), room)->start();
      loop();
    });
  };
  loop();
  ioc.run();
}
