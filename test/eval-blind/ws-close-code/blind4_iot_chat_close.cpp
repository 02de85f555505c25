// checks: errorshield-ws-close-code
// IoT telemetry gateway with a chat-multi style shared_state used by the
// operator dashboard. Devices are kicked with various close codes.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;

namespace gw {

class device_session;

// chat-multi shape: shared_state tracks every live session.
class shared_state {
  std::mutex mutex_;
  std::unordered_set<device_session *> sessions_;

public:
  void join(device_session *s) {
    std::lock_guard<std::mutex> lock(mutex_);
    sessions_.insert(s);
  }
  void leave(device_session *s) {
    std::lock_guard<std::mutex> lock(mutex_);
    sessions_.erase(s);
  }
  void shutdown_all();
};

struct gateway_policy {
  std::uint16_t kick_code = websocket::close_code::policy_error;
  std::uint16_t firmware_outdated = 4426;
};

class device_session : public std::enable_shared_from_this<device_session> {
  websocket::stream<beast::tcp_stream> ws_;
  std::shared_ptr<shared_state> state_;
  gateway_policy policy_;
  beast::flat_buffer buffer_;
  static constexpr std::uint16_t kIdleKick = 1006;

public:
  device_session(tcp::socket &&s, std::shared_ptr<shared_state> st, gateway_policy p)
      : ws_(std::move(s)), state_(std::move(st)), policy_(p) {}
  ~device_session() { state_->leave(this); }

  void go_away() {
    ws_.async_close(websocket::close_code::going_away, [](beast::error_code) {});
  }

  // Correct: code comes from the configured policy.
  void kick() {
    ws_.async_close(policy_.kick_code, [self = shared_from_this()](beast::error_code) {});
  }

  void reject_firmware(std::string const &version) {
    websocket::close_reason cr;
    cr.code = policy_.firmware_outdated;
    cr.reason = "firmware " + version + " unsupported";
    ws_.async_close(cr, [self = shared_from_this()](beast::error_code) {});
  }

  // Bug: the "idle kick" constant is the abnormal-closure pseudo-code.
  void on_idle() {
    ws_.async_close(kIdleKick, [self = shared_from_this()](beast::error_code) {}); // expect: errorshield-ws-close-code
  }

  // Bug: builds a reason with 1005 and sends it.
  void on_protocol_glitch() {
    websocket::close_reason cr;
    cr.code = websocket::close_code::no_status;
    cr.reason = "glitch";
    ws_.async_close(cr, [self = shared_from_this()](beast::error_code) {}); // expect: errorshield-ws-close-code
  }

  // Bug on one branch of the ternary.
  void on_auth_result(bool authorized) {
    beast::error_code ec;
    ws_.close(authorized ? websocket::close_code::normal : websocket::close_code::abnormal, ec); // expect: errorshield-ws-close-code
  }

  void on_too_big() {
    ws_.async_close(websocket::close_code::too_big, [self = shared_from_this()](beast::error_code) {});
  }

  // Wrapper: the code is a parameter; decided by the caller.
  void terminate(std::uint16_t code, std::string why) {
    ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(code), why),
                    [self = shared_from_this()](beast::error_code) {});
  }
};

void shared_state::shutdown_all() {
  std::vector<device_session *> v;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    v.assign(sessions_.begin(), sessions_.end());
  }
  for (auto *s : v)
    s->go_away();
}

void on_quota_exceeded(device_session &s) {
  s.terminate(4029, "quota"); // private range: fine
}

void on_tls_downgrade(device_session &s) {
  s.terminate(1015, "tls"); // expect: errorshield-ws-close-code
}

// Coroutine-based firmware update channel (websocket_server_coro shape).
awaitable<void> firmware_channel(websocket::stream<beast::tcp_stream> ws, bool ok) {
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buffer;
  co_await ws.async_read(buffer, use_awaitable);
  if (ok)
    co_await ws.async_close(websocket::close_code::normal, use_awaitable);
  else
    co_await ws.async_close(websocket::close_code::no_status, use_awaitable); // expect: errorshield-ws-close-code
}

awaitable<void> telemetry_channel(websocket::stream<beast::tcp_stream> ws) {
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buffer;
  beast::error_code ec;
  co_await ws.async_read(buffer, net::redirect_error(use_awaitable, ec));
  if (ec == websocket::error::closed) {
    // Just inspecting what the device sent.
    auto peer = ws.reason().code;
    if (peer == websocket::close_code::abnormal || peer == 1015)
      co_return;
  }
  std::uint16_t code = ec ? websocket::close_code::internal_error : websocket::close_code::normal;
  co_await ws.async_close(code, use_awaitable);
}

// Sync provisioning tool talking to a device (client role).
void provision(net::io_context &ioc, std::string const &host) {
  websocket::stream<tcp::socket> ws{ioc};
  tcp::resolver r{ioc};
  net::connect(ws.next_layer(), r.resolve(host, "8080"));
  ws.handshake(host, "/provision");
  ws.write(net::buffer(std::string("{\"op\":\"provision\"}")));
  ws.close(static_cast<websocket::close_code>(3001));
  ws.close(static_cast<websocket::close_code>(1100)); // expect: errorshield-ws-close-code
}

} // namespace gw
