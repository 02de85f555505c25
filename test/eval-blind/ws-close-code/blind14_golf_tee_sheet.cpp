// checks: errorshield-ws-close-code
// Golf club tee sheet: live tee-time updates for the clubhouse displays and
// the members' app. Sessions are closed when the sheet is locked for a
// tournament, on weather holds, when a member's login expires, on overload.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace teesheet {

enum class TeeClose : std::uint16_t {
  login_expired = 4401,
  sheet_locked = 4423,
  weather_hold = 5003,
  member_suspended = 4999,
};

constexpr std::uint16_t kClubId = 1005;   // club number in the federation registry
constexpr int kMaxFourballs = 1004;       // hard cap on bookings per day

// Used by the admin API to validate codes typed by staff before they are
// stored in the "custom close message" table.
inline bool is_sendable_code(std::uint16_t code) {
  switch (code) {
    case 1004:
    case 1005:
    case 1006:
    case 1014:
    case 1015:
      return false;
    default:
      break;
  }
  return (code >= 1000 && code <= 1013) || (code >= 3000 && code <= 4999);
}

constexpr std::uint16_t code_of(TeeClose c) { return static_cast<std::uint16_t>(c); }

struct TeeTime {
  std::string slot;     // "07:40"
  int players = 0;
  std::string booked_by;
};

class SheetSession : public std::enable_shared_from_this<SheetSession> {
 public:
  SheetSession(tcp::socket s, std::string member) : ws_(std::move(s)), member_(std::move(member)) {
    install_actions();
  }

  websocket::stream<beast::tcp_stream> ws_;

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read_loop();
    });
  }

  void run_action(const std::string& name) {
    if (auto it = actions_.find(name); it != actions_.end()) it->second();
  }

  void weather_hold() {
    // Lightning detected on the course: every session is told to stand by.
    ws_.async_close(code_of(TeeClose::weather_hold), [self = shared_from_this()](beast::error_code) {}); // expect: errorshield-ws-close-code
  }

  void lock_for_tournament() {
    websocket::close_reason cr{static_cast<websocket::close_code>(code_of(TeeClose::sheet_locked)),
                               "sheet locked for club championship"};
    ws_.async_close(cr, [self = shared_from_this()](beast::error_code) {}); // OK: 4423
  }

  void suspend_member() {
    ws_.async_close(code_of(TeeClose::member_suspended), [](beast::error_code) {}); // OK: 4999 is the top of the range
  }

  const std::string& member() const { return member_; }

 private:
  void install_actions() {
    actions_["login_expired"] = [this] {
      ws_.async_close(code_of(TeeClose::login_expired), [](beast::error_code) {}); // OK: 4401
    };
    actions_["unauthorised"] = [this] {
      ws_.async_close(3000, [](beast::error_code) {}); // OK: IANA-registered 3000
    };
    actions_["force_logout"] = [this] {
      ws_.async_close(websocket::close_code::reserved3, [](beast::error_code) {}); // expect: errorshield-ws-close-code
    };
  }

  void read_loop() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->on_message(ec, n);
    });
  }

  void on_message(beast::error_code ec, std::size_t n) {
    if (ec == websocket::error::closed) {
      const auto peer = ws_.reason().code;
      if (peer == 1005 || peer == 1006) std::clog << member_ << " dropped without a close frame\n";
      return;
    }
    if (ec) return;
    if (n > 16 * 1024) {
      ws_.async_close(websocket::close_code::too_big, [](beast::error_code) {}); // OK: 1009
      return;
    }
    auto req = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(n);
    if (req.is_discarded()) {
      ws_.async_close(websocket::close_code::unknown_data, [](beast::error_code) {}); // OK: 1003
      return;
    }
    if (req.contains("action")) run_action(req["action"].get<std::string>());
    read_loop();
  }

  beast::flat_buffer buf_;
  std::string member_;
  std::unordered_map<std::string, std::function<void()>> actions_;
};

// Clubhouse display board; a plain synchronous client driven by its own
// worker thread (one display per thread, there are only four of them).
class DisplayBoard {
 public:
  explicit DisplayBoard(net::io_context& ioc) : ws_(ioc) {}

  void connect(const std::string& host, const std::string& port) {
    tcp::resolver r(ws_.get_executor());
    beast::get_lowest_layer(ws_).connect(r.resolve(host, port));
    ws_.handshake(host, "/displays");
  }

  void shutdown(bool maintenance) {
    beast::error_code ec;
    if (maintenance) {
      ws_.close(websocket::close_code::service_restart, ec); // OK: 1012
    } else {
      ws_.close(websocket::close_code::normal, ec); // OK: 1000
    }
    if (ec && ec != net::error::operation_aborted) {
      // The board firmware rejected the close; try once more and give up.
      ws_.close(1006, ec); // expect: errorshield-ws-close-code
    }
  }

 private:
  websocket::stream<beast::tcp_stream> ws_;
};

template <class Range>
void close_all(Range& sessions, std::uint16_t code) {
  for (auto& s : sessions) s->ws_.async_close(code, [](beast::error_code) {});
}

class SheetHub {
 public:
  void add(std::shared_ptr<SheetSession> s) {
    std::lock_guard lk(mu_);
    sessions_.push_back(std::move(s));
  }

  void overloaded() {
    std::lock_guard lk(mu_);
    close_all(sessions_, websocket::close_code::try_again_later); // OK: 1013
    sessions_.clear();
  }

  void database_lost() {
    std::lock_guard lk(mu_);
    close_all(sessions_, websocket::close_code::abnormal); // expect: errorshield-ws-close-code
    sessions_.clear();
  }

  void publish(const TeeTime& t) {
    std::lock_guard lk(mu_);
    auto body = std::make_shared<std::string>(
        json{{"club", kClubId}, {"slot", t.slot}, {"players", t.players}, {"by", t.booked_by}}.dump());
    for (auto& s : sessions_)
      s->ws_.async_write(net::buffer(*body), [body](beast::error_code, std::size_t) {});
  }

 private:
  std::mutex mu_;
  std::vector<std::shared_ptr<SheetSession>> sessions_;
};

// Member app "booking assistant": walks the member through a booking.
net::awaitable<void> booking_flow(std::shared_ptr<SheetSession> s, int bookings_today) {
  if (bookings_today >= kMaxFourballs) {
    co_await s->ws_.async_close(websocket::close_code::policy_error, net::use_awaitable); // OK: 1008
    co_return;
  }
  beast::flat_buffer buf;
  beast::error_code ec;
  co_await s->ws_.async_read(buf, net::redirect_error(net::use_awaitable, ec));
  if (ec == beast::error::timeout) {
    // Member walked off mid-booking; release the slot and close.
    co_await s->ws_.async_close(websocket::close_reason(1005), net::redirect_error(net::use_awaitable, ec)); // expect: errorshield-ws-close-code
    co_return;
  }
  if (ec) co_return;
  const auto staff_code = json::parse(beast::buffers_to_string(buf.data()), nullptr, false).value("close_code", 1000);
  if (is_sendable_code(static_cast<std::uint16_t>(staff_code))) {
    co_await s->ws_.async_close(static_cast<std::uint16_t>(staff_code), net::use_awaitable); // OK: validated
  } else {
    co_await s->ws_.async_close(websocket::close_code::normal, net::use_awaitable); // OK: 1000
  }
}

void start_booking(net::io_context& ioc, std::shared_ptr<SheetSession> s, int bookings_today) {
  net::co_spawn(ioc, booking_flow(std::move(s), bookings_today), net::detached);
}

} // namespace teesheet
