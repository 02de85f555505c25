// checks: errorshield-ws-close-code
// Customer-support chat widget backend: one WebSocket per visitor, agents
// attach from the console; sessions are ended for many reasons.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace supportchat {

using WsStream = websocket::stream<beast::tcp_stream>;

// Application close codes shared with the widget JS (4000-4999 private range).
namespace app_close {
constexpr std::uint16_t transferred_to_agent = 4001;
constexpr std::uint16_t visitor_banned = 4003;
constexpr std::uint16_t widget_outdated = 4010;
} // namespace app_close

// Codes we only ever *observe* from peers, used to classify disconnects.
constexpr std::uint16_t kPeerVanished = 1006;
constexpr std::uint16_t kPeerNoStatus = 1005;

std::string classify_disconnect(websocket::close_reason const &cr) {
  switch (cr.code) {
  case kPeerVanished:
    return "vanished";
  case kPeerNoStatus:
    return "closed-without-status";
  case websocket::close_code::going_away:
    return "tab-closed";
  default:
    return "code-" + std::to_string(cr.code);
  }
}

// Ends a chat with a code + human readable reason (sync, used from the
// admin thread which owns its own io_context).
void end_chat(WsStream &ws, std::uint16_t code, std::string_view why) {
  websocket::close_reason cr{code};
  why = why.substr(0, 120);
  cr.reason.assign(why.data(), why.size());
  beast::error_code ec;
  ws.close(cr, ec);
  if (ec)
    std::clog << "end_chat: " << ec.message() << '\n';
}

class ChatSession : public std::enable_shared_from_this<ChatSession> {
public:
  ChatSession(tcp::socket sock, std::string visitor_id) : ws_(std::move(sock)), visitor_(std::move(visitor_id)) {}

  void start() {
    ws_.async_accept(beast::bind_front_handler(&ChatSession::on_accept, shared_from_this()));
  }

  // Called from the agent console when the conversation is resolved.
  void resolve() {
    ws_.async_close(websocket::close_reason(websocket::close_code::normal, "conversation resolved"),
                    [self = shared_from_this()](beast::error_code) {});
  }

  void transfer_to_agent_pool() {
    websocket::close_reason cr{app_close::transferred_to_agent};
    cr.reason = "reconnect to agent pool";
    ws_.async_close(cr, [self = shared_from_this()](beast::error_code) {});
  }

  void ban() {
    ws_.async_close(websocket::close_reason{app_close::visitor_banned},
                    [self = shared_from_this()](beast::error_code) {});
  }

  // The visitor clicked "End chat" in the widget; there is nothing to report.
  void visitor_ended() {
    ws_.async_close(websocket::close_code::no_status, [self = shared_from_this()](beast::error_code) {}); // expect: errorshield-ws-close-code
  }

  // CRM lookup blew up, drop the visitor so the widget shows the offline form.
  void on_crm_failure(std::string const &detail) {
    std::clog << "crm failure for " << visitor_ << ": " << detail << '\n';
    ws_.async_close(websocket::close_reason(websocket::close_code::abnormal, "crm unavailable"), // expect: errorshield-ws-close-code
                    [self = shared_from_this()](beast::error_code) {});
  }

  void on_widget_version(int version) {
    if (version < 7)
      ws_.async_close(websocket::close_reason{app_close::widget_outdated},
                      [self = shared_from_this()](beast::error_code) {});
  }

  WsStream &stream() { return ws_; }
  std::string const &visitor() const { return visitor_; }

private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&ChatSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == websocket::error::closed) {
      std::clog << visitor_ << " left: " << classify_disconnect(ws_.reason()) << '\n';
      return;
    }
    if (ec)
      return;
    auto msg = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
    buffer_.consume(buffer_.size());
    if (msg.is_discarded()) {
      ws_.async_close(websocket::close_code::bad_payload, [self = shared_from_this()](beast::error_code) {});
      return;
    }
    if (msg.value("type", "") == "hello")
      on_widget_version(msg.value("version", 0));
    else if (msg.value("type", "") == "bye")
      visitor_ended();
    do_read();
  }

  WsStream ws_;
  std::string visitor_;
  beast::flat_buffer buffer_;
};

// Agent-side registry. Runs on the admin thread.
class AgentDesk {
public:
  void attach(std::string const &visitor, std::shared_ptr<ChatSession> s) { sessions_[visitor] = std::move(s); }

  void kick_spammer(std::string const &visitor) {
    if (auto it = sessions_.find(visitor); it != sessions_.end()) {
      end_chat(it->second->stream(), websocket::close_code::policy_error, "spam detected");
      sessions_.erase(it);
    }
  }

  // Transcript exceeded what the ticketing system can store.
  void transcript_overflow(std::string const &visitor) {
    if (auto it = sessions_.find(visitor); it != sessions_.end())
      end_chat(it->second->stream(), 5001, "transcript too long, please open a ticket"); // expect: errorshield-ws-close-code
  }

  void shutdown_for_deploy() {
    for (auto &[visitor, s] : sessions_)
      end_chat(s->stream(), websocket::close_code::service_restart, "deploying, reconnect shortly");
    sessions_.clear();
  }

private:
  std::map<std::string, std::shared_ptr<ChatSession>> sessions_;
};

// Offline-hours gate in the coroutine front door.
net::awaitable<void> offline_gate(tcp::socket sock, bool business_hours) {
  WsStream ws(std::move(sock));
  co_await ws.async_accept(net::use_awaitable);
  if (!business_hours) {
    co_await ws.async_close(websocket::close_code::try_again_later, net::use_awaitable);
    co_return;
  }
  beast::flat_buffer buf;
  auto [ec, n] = co_await ws.async_read(buf, net::as_tuple(net::use_awaitable));
  if (ec)
    co_return;
  if (n > 8192)
    co_await ws.async_close(websocket::close_code::too_big, net::use_awaitable);
  else
    co_await ws.async_close(websocket::close_code::reserved3, net::use_awaitable); // expect: errorshield-ws-close-code
}

// Watchdog: agent disconnects are torn down at the TCP level only.
void drop_dead_socket(ChatSession &s) {
  beast::error_code ec;
  beast::get_lowest_layer(s.stream()).socket().close(ec);
  std::clog << "dropped " << s.visitor() << " (" << kPeerVanished << ")\n";
}

} // namespace supportchat
