// checks: errorshield-ws-close-code
// Customer-support chat: a customer's browser talks to a session which relays to a human agent.
// Sessions end for many reasons; each ends with a close frame the widget uses to pick a banner.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <iostream>
#include <memory>
#include <string>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace support {

// Application close codes understood by the chat widget (private-use range 4000-4999).
constexpr std::uint16_t kTicketResolved = 4001;
constexpr std::uint16_t kAgentTransferred = 4002;
constexpr std::uint16_t kWidgetOutdated = 4999;

class AgentRouter;

class ChatSession : public std::enable_shared_from_this<ChatSession> {
 public:
  ChatSession(tcp::socket s, AgentRouter& router, std::string ticket)
      : ws_(std::move(s)), idle_(ws_.get_executor()), router_(router), ticket_(std::move(ticket)) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(16 * 1024);
    ws_.async_accept(beast::bind_front_handler(&ChatSession::on_accept, shared_from_this()));
  }

  // --- Events raised by the AgentRouter -------------------------------------------------
  void on_ticket_resolved() { end_chat(kTicketResolved, "ticket resolved"); }

  void on_agent_transferred() { end_chat(kAgentTransferred, "transferred"); }

  void on_queue_full() { end_chat(websocket::close_code::try_again_later, "all agents busy"); }

  void on_customer_blocked() { end_chat(websocket::close_code::policy_error, "blocked"); }

  void on_agent_link_lost() {
    // The agent's console dropped; tell the widget the connection "broke" so it shows reconnect.
    end_chat(1006, "agent connection lost"); // expect: errorshield-ws-close-code
  }

  void on_session_expired() {
    end_chat(5001, "session expired"); // expect: errorshield-ws-close-code
  }

  void on_escalated_to_phone() {
    end_chat(2001, "escalated to phone support"); // expect: errorshield-ws-close-code
  }

  void on_auth_revoked() {
    // 3000 is the IANA-registered "Unauthorized" code.
    end_chat(3000, "login expired");
  }

  void on_server_drain() { end_chat(websocket::close_code::service_restart, "deploying"); }

  void on_old_widget() { end_chat(kWidgetOutdated, "please reload the page"); }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    arm_idle();
    do_read();
  }

  void arm_idle() {
    idle_.expires_after(std::chrono::minutes(15));
    idle_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      // 3008 is registered as "Timeout" in the IANA WebSocket close code registry.
      self->end_chat(3008, "idle for 15 minutes");
    });
  }

  void do_read() {
    ws_.async_read(in_, beast::bind_front_handler(&ChatSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == websocket::error::closed) {
      auto const& why = ws_.reason();
      // Only logging what the peer sent; 1005/1006 are legitimate values to *observe*.
      if (why.code == websocket::close_code::no_status || why.code == websocket::close_code::abnormal)
        std::clog << "ticket " << ticket_ << ": widget vanished\n";
      idle_.cancel();
      return;
    }
    if (ec == websocket::error::message_too_big) {
      end_chat(websocket::close_code::too_big, "message too long");
      return;
    }
    if (ec) {
      closing_ = true;
      ws_.async_close(websocket::close_code::no_status, // expect: errorshield-ws-close-code
                      [self = shared_from_this()](beast::error_code) { self->idle_.cancel(); });
      return;
    }
    if (!ws_.got_text()) {
      end_chat(websocket::close_code::unknown_data, "text only");
      return;
    }
    handle_customer_line();
    in_.consume(in_.size());
    arm_idle();
    do_read();
  }

  void handle_customer_line() {
    auto msg = json::parse(beast::buffers_to_string(in_.data()), nullptr, false);
    if (msg.is_discarded()) {
      end_chat(websocket::close_code::bad_payload, "malformed message");
      return;
    }
    if (msg.value("type", "") == "bye") {
      end_chat(websocket::close_code::normal, "customer left");
      return;
    }
    if (msg.value("type", "") == "rate") {
      end_chat(close_code_for_rating(msg.value("stars", 0)), "rated");
      return;
    }
    relay_to_agent(msg.value("text", ""));
  }

  static std::uint16_t close_code_for_rating(int stars) {
    // Widget shows a follow-up survey for 4100..4105.
    return static_cast<std::uint16_t>(4100 + (stars < 0 ? 0 : stars > 5 ? 5 : stars));
  }

  void relay_to_agent(const std::string& text);

  void end_chat(std::uint16_t code, std::string reason) {
    if (closing_) return;
    closing_ = true;
    idle_.cancel();
    ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(code), reason),
                    [self = shared_from_this()](beast::error_code ec) {
                      if (ec) std::clog << "close failed: " << ec.message() << "\n";
                    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  net::steady_timer idle_;
  AgentRouter& router_;
  std::string ticket_;
  beast::flat_buffer in_;
  bool closing_ = false;
};

// Agent consoles use a simpler synchronous close path from a worker thread that owns the stream.
void close_agent_console(websocket::stream<beast::tcp_stream>& ws, bool shift_over, bool crashed) {
  beast::error_code ec;
  if (shift_over) {
    ws.close(websocket::close_reason(websocket::close_code::going_away, "shift over"), ec);
  } else if (crashed) {
    ws.close(websocket::close_reason(websocket::close_code::internal_error, "console error"), ec);
  } else {
    ws.close(websocket::close_code::reserved1, ec); // expect: errorshield-ws-close-code
  }
}

void close_agent_console_normal(websocket::stream<beast::tcp_stream>& ws) {
  beast::error_code ec;
  websocket::close_reason cr;
  cr.code = websocket::close_code::normal;
  cr.reason = "logout";
  ws.close(cr, ec);
}

}  // namespace support
