// checks: errorshield-ws-close-code
// Carpool matching: riders and drivers keep a WebSocket open and receive
// match offers, pickup ETA updates and cancellations pushed by the matcher.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace carpool {

// Application close codes shared with the mobile apps (see apps/proto.md).
namespace close_codes {
inline constexpr std::uint16_t kMatchExpired = 4001;
inline constexpr std::uint16_t kDuplicateLogin = 4002;
inline constexpr std::uint16_t kAppTooOld = 2001;
inline constexpr std::uint16_t kAccountSuspended = 5003;
} // namespace close_codes

struct CloseStats {
  std::uint64_t by_peer = 0;
  std::uint64_t vanished = 0;
  std::uint16_t last_seen = 0;
};

bool sendable_close_code(std::uint16_t c) {
  if (c >= 4000 && c <= 4999)
    return true;
  switch (c) {
  case 1000: case 1001: case 1002: case 1003: case 1007: case 1008:
  case 1009: case 1010: case 1011: case 1012: case 1013:
    return true;
  default:
    return false;
  }
}

class PushSession : public std::enable_shared_from_this<PushSession> {
public:
  PushSession(tcp::socket s, std::string rider_id, CloseStats &stats)
      : ws_(std::move(s)), rider_id_(std::move(rider_id)), stats_(stats) {}

  websocket::stream<beast::tcp_stream> &ws() { return ws_; }
  const std::string &rider_id() const { return rider_id_; }

  void start_reading() {
    ws_.async_read(in_, beast::bind_front_handler(&PushSession::on_read,
                                                  shared_from_this()));
  }

  void on_match_expired() {
    ws_.async_close(websocket::close_reason(close_codes::kMatchExpired), // OK: private range
                    [self = shared_from_this()](beast::error_code) {});
  }

  void on_duplicate_login() {
    websocket::close_reason cr{close_codes::kDuplicateLogin};
    cr.reason = "signed in on another device";
    ws_.async_close(cr, [self = shared_from_this()](beast::error_code) {});
  }

  void on_account_suspended() {
    ws_.async_close(close_codes::kAccountSuspended, // expect: errorshield-ws-close-code
                    [self = shared_from_this()](beast::error_code) {});
  }

  void on_outdated_client(int build) {
    if (build >= 4120)
      return;
    ws_.async_close(websocket::close_reason{close_codes::kAppTooOld}, // expect: errorshield-ws-close-code
                    [self = shared_from_this()](beast::error_code) {});
  }

  void on_heartbeat_missed() {
    ws_.async_close(websocket::close_code::abnormal, // expect: errorshield-ws-close-code
                    [self = shared_from_this()](beast::error_code) {});
  }

  void on_server_drain() {
    ws_.async_close(websocket::close_code::going_away, // OK
                    [self = shared_from_this()](beast::error_code) {});
  }

  // Closing code forwarded from the matcher's dispatch service, which may
  // send anything; map to something legal first.
  void on_dispatch_verdict(std::uint16_t upstream_code) {
    std::uint16_t code = sendable_close_code(upstream_code)
                             ? upstream_code
                             : std::uint16_t{websocket::close_code::internal_error};
    ws_.async_close(code, [self = shared_from_this()](beast::error_code) {}); // OK: sanitized
  }

private:
  void close_with(std::uint16_t code, std::string_view why) {
    websocket::close_reason cr{code};
    cr.reason.assign(why.data(), why.size());
    ws_.async_close(cr, [self = shared_from_this()](beast::error_code) {});
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == websocket::error::closed) {
      stats_.by_peer++;
      stats_.last_seen = ws_.reason().code;
      if (ws_.reason().code == websocket::close_code::no_status) // OK: comparison only
        std::fprintf(stderr, "%s closed without status\n", rider_id_.c_str());
      return;
    }
    if (ec) {
      stats_.vanished++;
      websocket::close_reason observed{websocket::close_code::abnormal}; // OK: audit record, never sent
      audit_.push_back(json{{"rider", rider_id_}, {"close", observed.code}});
      return;
    }
    auto msg = json::parse(beast::buffers_to_string(in_.data()), nullptr, false);
    in_.consume(in_.size());
    if (msg.is_discarded()) {
      close_with(websocket::close_code::bad_payload, "json expected"); // OK
      return;
    }
    const auto type = msg.value("type", std::string{});
    if (type == "ack_offer") {
      if (!msg.contains("offer_id")) {
        close_with(1004, "ack without offer_id"); // expect: errorshield-ws-close-code
        return;
      }
    } else if (type == "bye") {
      close_with(websocket::close_code::normal, "bye"); // OK
      return;
    }
    start_reading();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  std::string rider_id_;
  CloseStats &stats_;
  std::vector<json> audit_;
};

// Region hub: when a pickup zone is shut (event traffic, flooding), every
// rider waiting there is disconnected by a callback registered at join time.
class RegionHub {
public:
  void join(const std::string &region, std::shared_ptr<PushSession> s) {
    std::lock_guard lk(mu_);
    on_region_closed_[region].push_back([s] {
      s->ws().async_close(websocket::close_code::no_status, // expect: errorshield-ws-close-code
                          [s](beast::error_code) {});
    });
    on_region_rebalanced_[region].push_back([s] {
      s->ws().async_close(websocket::close_code::try_again_later, // OK
                          [s](beast::error_code) {});
    });
  }

  void close_region(const std::string &region) {
    std::vector<std::function<void()>> todo;
    {
      std::lock_guard lk(mu_);
      auto it = on_region_closed_.find(region);
      if (it == on_region_closed_.end())
        return;
      todo = std::move(it->second);
      on_region_closed_.erase(it);
    }
    for (auto &fn : todo)
      fn();
  }

  void rebalance_region(const std::string &region) {
    std::vector<std::function<void()>> todo;
    {
      std::lock_guard lk(mu_);
      todo = std::move(on_region_rebalanced_[region]);
    }
    for (auto &fn : todo)
      fn();
  }

private:
  std::mutex mu_;
  std::unordered_map<std::string, std::vector<std::function<void()>>>
      on_region_closed_;
  std::unordered_map<std::string, std::vector<std::function<void()>>>
      on_region_rebalanced_;
};

} // namespace carpool
