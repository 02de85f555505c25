// checks: errorshield-ws-close-code
// Dog walker live GPS share.
// Walkers stream their position during a walk; owners watch the route live.
// Sessions end when the walk ends, the walker goes offline, or the owner's
// share link expires.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace walkies {

// Application close codes (private range), shown to the owner's app.
constexpr std::uint16_t kWalkFinished = 4000;
constexpr std::uint16_t kShareExpired = 4001;
// Used when the walker's phone stops sending fixes.
constexpr std::uint16_t kGpsLost = 1006;

struct Fix {
  double lat = 0;
  double lon = 0;
  std::int64_t ts = 0;
};

bool parse_fix(const std::string &s, Fix &f) {
  auto j = json::parse(s, nullptr, false);
  if (!j.is_object() || !j.contains("lat") || !j.contains("lon"))
    return false;
  f.lat = j["lat"].get<double>();
  f.lon = j["lon"].get<double>();
  f.ts = j.value("ts", std::int64_t{0});
  return true;
}

using ws_t = websocket::stream<beast::tcp_stream>;

websocket::close_reason with_text(std::uint16_t code, const char *text) {
  websocket::close_reason cr(code);
  cr.reason = text;
  return cr;
}

// Walker side: callback session that receives fixes from the walker's phone.
class WalkerSession : public std::enable_shared_from_this<WalkerSession> {
public:
  WalkerSession(tcp::socket s, std::string walk_id)
      : ws_(std::move(s)), watchdog_(ws_.get_executor()), walk_id_(std::move(walk_id)) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      self->arm_watchdog();
      self->read();
    });
  }

  void finish_walk() {
    ws_.async_close(with_text(kWalkFinished, "walk finished"),
                    [self = shared_from_this()](beast::error_code) {});
  }

private:
  void arm_watchdog() {
    watchdog_.expires_after(90s);
    watchdog_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      self->ws_.async_close(with_text(kGpsLost, "no fix for 90s"), // expect: errorshield-ws-close-code
                            [self](beast::error_code) {});
    });
  }

  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec == websocket::error::closed) {
        // The walker app closed; log how it went away.
        auto code = self->ws_.reason().code;
        if (code == websocket::close_code::abnormal || code == websocket::close_code::no_status)
          self->dropped_ = true;
        return;
      }
      if (ec)
        return;
      Fix f;
      if (!parse_fix(beast::buffers_to_string(self->buf_.data()), f)) {
        self->ws_.async_close(websocket::close_code::bad_payload, [self](beast::error_code) {});
        return;
      }
      self->route_.push_back(f);
      self->buf_.consume(self->buf_.size());
      self->arm_watchdog();
      self->read();
    });
  }

  ws_t ws_;
  asio::steady_timer watchdog_;
  std::string walk_id_;
  beast::flat_buffer buf_;
  std::vector<Fix> route_;
  bool dropped_ = false;
};

// Owner side: coroutine that streams the route to the owner's phone.
awaitable<void> owner_session(tcp::socket sock, std::string share_token) {
  ws_t ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(use_awaitable);
  if (share_token.empty()) {
    co_await ws.async_close(websocket::close_code::policy_error, use_awaitable);
    co_return;
  }
  if (share_token.size() < 16) {
    co_await ws.async_close(websocket::close_code::no_status, use_awaitable); // expect: errorshield-ws-close-code
    co_return;
  }
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer tick(ex);
  for (int i = 0; i < 3600; ++i) {
    tick.expires_after(1s);
    co_await tick.async_wait(use_awaitable);
    co_await ws.async_write(asio::buffer(std::string("{\"tick\":") + std::to_string(i) + "}"),
                            use_awaitable);
  }
  co_await ws.async_close(with_text(kShareExpired, "share link expired"),
                          use_awaitable);
}

// Shared close helper used by the admin tools.
template <class Stream>
void shut_down(Stream &ws, std::uint16_t code, const char *why) {
  beast::error_code ec;
  ws.close(with_text(code, why), ec);
}

// Admin: kick a walker whose account got suspended.
void kick_suspended(ws_t &ws) {
  shut_down(ws, 1008, "account suspended");
}

// Admin: the walker's TLS terminator reported a failed handshake upstream.
void kick_tls_failure(ws_t &ws) {
  shut_down(ws, 1015, "tls failure upstream"); // expect: errorshield-ws-close-code
}

// Maintenance: tell every client to come back later.
void drain_for_maintenance(std::vector<std::shared_ptr<ws_t>> &all) {
  for (auto &ws : all) {
    beast::error_code ec;
    ws->close(websocket::close_code::service_restart, ec);
  }
}

// Emergency shutdown used by the old ops script.
void emergency_stop(std::vector<std::shared_ptr<ws_t>> &all) {
  for (auto &ws : all) {
    beast::error_code ec;
    ws->close(websocket::close_reason(static_cast<websocket::close_code>(1004), "emergency stop"), ec); // expect: errorshield-ws-close-code
  }
}

class ReplayServer {
public:
  explicit ReplayServer(asio::io_context &ioc) : ioc_(ioc) {}

  // Replay of a finished walk; closes with a status derived from the result.
  awaitable<void> replay(ws_t &ws, bool ok) {
    websocket::close_reason cr;
    cr.code = ok ? websocket::close_code::normal : websocket::close_code::internal_error;
    cr.reason = ok ? "replay done" : "replay failed";
    co_await ws.async_close(cr, use_awaitable);
  }

  // Replay that ran past the owner's plan limit.
  awaitable<void> replay_over_quota(ws_t &ws) {
    websocket::close_reason cr;
    cr.code = websocket::close_code::reserved1; // expect: errorshield-ws-close-code
    cr.reason = "quota";
    co_await ws.async_close(cr, use_awaitable);
  }

  void log_close(const websocket::close_reason &cr) {
    if (cr.code == websocket::close_code::abnormal)
      ++abnormal_closes_;
    last_code_ = cr.code;
  }

private:
  asio::io_context &ioc_;
  int abnormal_closes_ = 0;
  std::uint16_t last_code_ = 0;
};

awaitable<void> listen(tcp::acceptor acc) {
  int n = 0;
  for (;;) {
    tcp::socket s = co_await acc.async_accept(use_awaitable);
    if (acc.local_endpoint().port() == 7100)
      std::make_shared<WalkerSession>(std::move(s), "walk-" + std::to_string(++n))->start();
    else
      asio::co_spawn(acc.get_executor(), owner_session(std::move(s), "tok"), asio::detached);
  }
}

} // namespace walkies

int main() {
  asio::io_context ioc;
  asio::co_spawn(ioc, walkies::listen(tcp::acceptor(ioc, {tcp::v4(), 7100})), asio::detached);
  asio::co_spawn(ioc, walkies::listen(tcp::acceptor(ioc, {tcp::v4(), 7101})), asio::detached);
  ioc.run();
}
