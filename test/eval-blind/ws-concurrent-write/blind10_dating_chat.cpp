// checks: errorshield-ws-concurrent-write
// Match chat service: one WebSocket per logged-in member, messages fanned out
// to the two participants of a match conversation.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

class ChatSession;

struct MatchRoom {
  std::string match_id;
  std::vector<std::shared_ptr<ChatSession>> members;
};

class ChatSession : public std::enable_shared_from_this<ChatSession> {
public:
  ChatSession(tcp::socket sock, std::string member_id)
      : ws_(std::move(sock)), nudge_timer_(ws_.get_executor()),
        member_id_(std::move(member_id)) {}

  websocket::stream<beast::tcp_stream> &ws() { return ws_; }
  const std::string &member_id() const { return member_id_; }

  void start(MatchRoom *room) {
    room_ = room;
    ws_.text(true);
    do_read();
    arm_nudge_timer();
  }

  // OK: every outbound chat message goes through the queue.
  void deliver(std::string payload) {
    outbox_.push_back(std::make_shared<std::string>(std::move(payload)));
    if (writing_)
      return;
    write_next();
  }

  // BUG: the typing indicator bypasses the outbox while a message may be in flight.
  void send_typing(const std::string &from) {
    auto frame = std::make_shared<std::string>(
        json{{"type", "typing"}, {"from", from}}.dump());
    ws_.async_write(net::buffer(*frame), // expect: errorshield-ws-concurrent-write
                    [frame](beast::error_code, std::size_t) {});
  }

private:
  void write_next() {
    writing_ = true;
    auto self = shared_from_this();
    auto msg = outbox_.front();
    // OK: only one write in flight, next one is started from the handler.
    ws_.async_write(net::buffer(*msg),
                    [self, msg](beast::error_code ec, std::size_t) {
                      self->on_write(ec);
                    });
  }

  void on_write(beast::error_code ec) {
    outbox_.pop_front();
    if (ec) {
      outbox_.clear();
      writing_ = false;
      return;
    }
    if (outbox_.empty()) {
      writing_ = false;
      return;
    }
    write_next();
  }

  void do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec,
                                                        std::size_t) {
      if (ec)
        return;
      self->on_message();
    });
  }

  void on_message() {
    json in = json::parse(beast::buffers_to_string(buffer_.data()), nullptr,
                          false);
    buffer_.consume(buffer_.size());
    if (in.is_discarded()) {
      do_read();
      return;
    }
    const std::string kind = in.value("type", "");
    if (kind == "typing") {
      for (auto &peer : room_->members)
        if (peer.get() != this)
          peer->send_typing(member_id_);
    } else if (kind == "msg") {
      auto ack = std::make_shared<std::string>(
          json{{"type", "ack"}, {"client_id", in.value("client_id", "")}}
              .dump());
      // BUG: the ack bypasses the outbox; a queued delivery may be mid-write.
      ws_.async_write(net::buffer(*ack), // expect: errorshield-ws-concurrent-write
                      [ack](beast::error_code, std::size_t) {});
      broadcast_raw(in.value("text", ""));
    }
    do_read();
  }

  void broadcast_raw(const std::string &text) {
    auto body = std::make_shared<std::string>(
        json{{"type", "msg"}, {"from", member_id_}, {"text", text}}.dump());
    for (auto &peer : room_->members) {
      if (peer.get() == this)
        continue;
      // BUG: writes directly on the peer's stream; the peer may be mid-write already.
      peer->ws().async_write(net::buffer(*body), // expect: errorshield-ws-concurrent-write
                             [body](beast::error_code, std::size_t) {});
    }
  }

  void arm_nudge_timer() {
    nudge_timer_.expires_after(std::chrono::minutes(10));
    auto self = shared_from_this();
    nudge_ = [self] {
      auto text = std::make_shared<std::string>(
          R"({"type":"nudge","text":"Your match is waiting for a reply"})");
      // BUG: fires whenever the timer expires, regardless of the outbox state.
      self->ws_.async_write(net::buffer(*text), // expect: errorshield-ws-concurrent-write
                            [text](beast::error_code, std::size_t) {});
    };
    nudge_timer_.async_wait([self](beast::error_code ec) {
      if (!ec && self->nudge_)
        self->nudge_();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  net::steady_timer nudge_timer_;
  std::string member_id_;
  MatchRoom *room_ = nullptr;
  beast::flat_buffer buffer_;
  std::deque<std::shared_ptr<std::string>> outbox_;
  bool writing_ = false;
  std::function<void()> nudge_;
};

// OK: a coroutine that awaits each write before starting the next one.
net::awaitable<void>
replay_history(websocket::stream<beast::tcp_stream> &ws,
               std::vector<std::string> history) {
  for (const auto &line : history) {
    co_await ws.async_write(net::buffer(line), net::use_awaitable);
  }
  json done{{"type", "history_done"}, {"count", history.size()}};
  std::string tail = done.dump();
  co_await ws.async_write(net::buffer(tail), net::use_awaitable);
}

// BUG: detached writes are fire-and-forget; the second one starts immediately.
net::awaitable<void>
send_match_banner(websocket::stream<beast::tcp_stream> &ws,
                  std::shared_ptr<std::string> banner,
                  std::shared_ptr<std::string> icebreaker) {
  ws.async_write(net::buffer(*banner), net::detached);
  ws.async_write(net::buffer(*icebreaker), net::detached); // expect: errorshield-ws-concurrent-write
  co_return;
}

using MemberWs = websocket::stream<beast::tcp_stream>;

// OK: runs right after both handshakes, before any session owns the streams;
// one write per distinct stream.
void notify_new_match(MemberWs &a, MemberWs &b,
                      std::shared_ptr<std::string> note_a,
                      std::shared_ptr<std::string> note_b) {
  a.async_write(net::buffer(*note_a),
                [note_a](beast::error_code, std::size_t) {});
  b.async_write(net::buffer(*note_b),
                [note_b](beast::error_code, std::size_t) {});
}

// OK: used on a detached stream being shut down; second write issued only
// from the completion handler of the first.
void send_unmatch_notice(std::shared_ptr<MemberWs> ws) {
  auto first = std::make_shared<std::string>(R"({"type":"unmatched"})");
  ws->async_write(
      net::buffer(*first), [ws, first](beast::error_code ec, std::size_t) {
        if (ec)
          return;
        auto bye = std::make_shared<std::string>(R"({"type":"room_closed"})");
        ws->async_write(net::buffer(*bye),
                        [ws, bye](beast::error_code, std::size_t) {});
      });
}

// OK: routed through the session queue.
void send_safety_tip(ChatSession &s) {
  s.deliver(json{{"type", "tip"}, {"text", "Meet in a public place"}}.dump());
  s.deliver(json{{"type", "tip"}, {"text", "Tell a friend where you go"}}.dump());
}
