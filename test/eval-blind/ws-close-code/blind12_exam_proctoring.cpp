// checks: errorshield-ws-close-code
// Proctoring session server: each candidate's browser holds a WebSocket to the
// proctor service while the exam is running. The server closes the socket when
// the exam is submitted, the time runs out, or an integrity rule is broken.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace proctor {

// Application-defined close codes live in the private 4000-4999 range.
enum class ExamClose : std::uint16_t {
  submitted = 4000,
  integrity_violation = 4001,
  time_expired = 4002,
  duplicate_login = 4003,
};

constexpr std::uint16_t to_wire(ExamClose c) { return static_cast<std::uint16_t>(c); }

inline websocket::close_reason make_reason(std::uint16_t code, std::string_view why) {
  websocket::close_reason cr(code);
  cr.reason.assign(why.data(), why.size());
  return cr;
}

void audit(std::string_view candidate, std::string_view event, json detail = {});

class ProctorSession : public std::enable_shared_from_this<ProctorSession> {
public:
  ProctorSession(tcp::socket sock, std::string candidate)
      : ws_(std::move(sock)), heartbeat_(ws_.get_executor()), candidate_(std::move(candidate)) {}

  void start(http::request<http::string_body> req) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(req, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return audit(self->candidate_, "accept_failed", {{"err", ec.message()}});
      self->arm_heartbeat();
      self->do_read();
    });
  }

  // Registered by the registry; invoked later if the candidate logs in elsewhere.
  void set_on_superseded(std::function<void()> f) { on_superseded_ = std::move(f); }
  void superseded() {
    if (on_superseded_) on_superseded_();
  }

  websocket::stream<beast::tcp_stream> &ws() { return ws_; }
  const std::string &candidate() const { return candidate_; }

  void install_default_superseded_handler() {
    std::weak_ptr<ProctorSession> weak = weak_from_this();
    on_superseded_ = [weak] {
      auto self = weak.lock();
      if (!self) return;
      self->ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(1015), "logged in elsewhere"), // expect: errorshield-ws-close-code
                            [self](beast::error_code) {});
    };
  }

  void install_duplicate_login_handler() {
    std::weak_ptr<ProctorSession> weak = weak_from_this();
    on_superseded_ = [weak] {
      if (auto self = weak.lock())
        self->ws_.async_close(make_reason(to_wire(ExamClose::duplicate_login), "logged in elsewhere"),
                              [self](beast::error_code) {});
    };
  }

private:
  void arm_heartbeat() {
    heartbeat_.expires_after(std::chrono::seconds(45));
    heartbeat_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec == net::error::operation_aborted) return;
      if (std::chrono::steady_clock::now() - self->last_seen_ > std::chrono::seconds(90)) {
        audit(self->candidate_, "heartbeat_lost");
        self->ws_.async_close(websocket::close_code::abnormal, [self](beast::error_code) {}); // expect: errorshield-ws-close-code
        return;
      }
      self->arm_heartbeat();
    });
  }

  void do_read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t n) { self->on_read(ec, n); });
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == websocket::error::closed) {
      const auto code = ws_.reason().code;
      if (code == websocket::close_code::abnormal || code == websocket::close_code::no_status)
        audit(candidate_, "browser_vanished", {{"code", static_cast<int>(code)}});
      heartbeat_.cancel();
      return;
    }
    if (ec) {
      heartbeat_.cancel();
      return audit(candidate_, "read_error", {{"err", ec.message()}});
    }
    last_seen_ = std::chrono::steady_clock::now();
    json msg;
    try {
      msg = json::parse(beast::buffers_to_string(buf_.data()));
    } catch (const json::parse_error &e) {
      buf_.consume(buf_.size());
      audit(candidate_, "bad_json", {{"what", e.what()}});
      ws_.async_close(websocket::close_code::bad_payload, [self = shared_from_this()](beast::error_code) {});
      return;
    }
    buf_.consume(buf_.size());
    handle(msg);
  }

  void handle(const json &msg) {
    const std::string type = msg.value("type", "");
    if (type == "heartbeat") {
      do_read();
    } else if (type == "submit") {
      audit(candidate_, "submitted", msg);
      terminate_with(to_wire(ExamClose::submitted), "exam submitted");
    } else if (type == "focus_lost") {
      if (++focus_losses_ > 3) {
        audit(candidate_, "integrity", {{"focus_losses", focus_losses_}});
        terminate_with(to_wire(ExamClose::integrity_violation), "too many focus losses");
        return;
      }
      do_read();
    } else if (type == "webcam_blocked") {
      audit(candidate_, "webcam_blocked");
      ws_.async_close(websocket::close_code::policy_error, [self = shared_from_this()](beast::error_code) {});
    } else if (type == "extension_detected") {
      terminate_with(1016, "unsupported browser extension"); // expect: errorshield-ws-close-code
    } else if (type == "clock_sync") {
      const auto remaining = msg.value("remaining_s", 0);
      if (remaining <= 0) {
        terminate_with(to_wire(ExamClose::time_expired), "time is up");
        return;
      }
      do_read();
    } else if (type == "window_closed") {
      terminate_with(5001, "exam window closed"); // expect: errorshield-ws-close-code
    } else {
      ws_.async_close(websocket::close_reason(websocket::close_code::unknown_data, "unknown message type"),
                      [self = shared_from_this()](beast::error_code) {});
    }
  }

  void terminate_with(std::uint16_t code, std::string_view why) {
    heartbeat_.cancel();
    ws_.async_close(make_reason(code, why), [self = shared_from_this()](beast::error_code ec) {
      if (ec) audit(self->candidate_, "close_failed", {{"err", ec.message()}});
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  net::steady_timer heartbeat_;
  beast::flat_buffer buf_;
  std::string candidate_;
  std::function<void()> on_superseded_;
  std::chrono::steady_clock::time_point last_seen_ = std::chrono::steady_clock::now();
  int focus_losses_ = 0;
};

class SessionRegistry {
public:
  void add(const std::shared_ptr<ProctorSession> &s) {
    std::lock_guard lk(mu_);
    auto &slot = by_candidate_[s->candidate()];
    if (auto old = slot.lock()) old->superseded();
    slot = s;
  }

  // Rolling deploy: tell every browser to reconnect to another node.
  void drain_for_restart() {
    std::lock_guard lk(mu_);
    for (auto &[id, weak] : by_candidate_) {
      if (auto s = weak.lock())
        s->ws().async_close(websocket::close_code::service_restart, [s](beast::error_code) {});
    }
    by_candidate_.clear();
  }

  // Proctor console "end exam for candidate" button.
  void force_end(const std::string &candidate, bool cheating) {
    std::shared_ptr<ProctorSession> s;
    {
      std::lock_guard lk(mu_);
      auto it = by_candidate_.find(candidate);
      if (it == by_candidate_.end()) return;
      s = it->second.lock();
    }
    if (!s) return;
    ProctorSession *raw = s.get();
    if (cheating)
      raw->ws().async_close(make_reason(to_wire(ExamClose::integrity_violation), "ended by proctor"),
                            [s](beast::error_code) {});
    else
      raw->ws().async_close(websocket::close_code::no_status, [s](beast::error_code) {}); // expect: errorshield-ws-close-code
  }

  // Shutdown from the admin thread, synchronous on purpose.
  void shutdown_all() {
    std::lock_guard lk(mu_);
    for (auto &[id, weak] : by_candidate_) {
      if (auto s = weak.lock()) {
        beast::error_code ec;
        s->ws().close(websocket::close_reason(websocket::close_code::going_away, "server shutting down"), ec);
      }
    }
  }

  json status_report() const {
    std::lock_guard lk(mu_);
    json legend = json::array({json{{"code", 1006}, {"label", "connection dropped"}},
                               json{{"code", 1005}, {"label", "no status"}},
                               json{{"code", to_wire(ExamClose::integrity_violation)}, {"label", "integrity"}}});
    return {{"active", by_candidate_.size()}, {"legend", legend}};
  }

private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::weak_ptr<ProctorSession>> by_candidate_;
};

}  // namespace proctor
