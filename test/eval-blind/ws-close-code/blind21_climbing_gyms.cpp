// checks: errorshield-ws-close-code
// Route-setting board for a climbing gym chain: setters' tablets connect
// over WebSocket to publish new boulder problems, strip old ones and
// reserve wall sections. The board kicks idle or misbehaving tablets.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace board {

// Application-specific codes, agreed with the tablet app team.
constexpr std::uint16_t kWallReserved = 4001;
constexpr std::uint16_t kSetterLoggedOut = 4002;
constexpr std::uint16_t kGymClosed = 1015;

struct Route {
  std::string wall;
  std::string grade; // V-scale
  std::string setter;
};

class SetterSession : public std::enable_shared_from_this<SetterSession> {
public:
  SetterSession(tcp::socket s, std::map<std::string, Route> &routes)
      : ws_(std::move(s)), routes_(routes) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read();
    });
  }

private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec == websocket::error::closed) {
        // tablet said goodbye; log why so support can tell a crash from a normal exit
        auto code = self->ws_.reason().code;
        if (code == websocket::close_code::abnormal || code == websocket::close_code::no_status)
          std::cerr << "tablet dropped without a proper close\n";
        return;
      }
      if (ec)
        return;
      self->handle(beast::buffers_to_string(self->buf_.data()));
      self->buf_.consume(self->buf_.size());
      self->read();
    });
  }

  void handle(const std::string &text) {
    json msg = json::parse(text, nullptr, false);
    if (msg.is_discarded()) {
      ws_.async_close(websocket::close_code::bad_payload, [](beast::error_code) {});
      return;
    }
    const auto op = msg.value("op", "");
    if (op == "publish") {
      Route r{msg.value("wall", ""), msg.value("grade", ""), msg.value("setter", "")};
      if (r.wall.empty()) {
        ws_.async_close(websocket::close_code::abnormal, [](beast::error_code) {}); // expect: errorshield-ws-close-code
        return;
      }
      if (routes_.count(r.wall)) {
        ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(kWallReserved), "wall reserved"), [](beast::error_code) {});
        return;
      }
      routes_[r.wall] = r;
    } else if (op == "strip") {
      routes_.erase(msg.value("wall", ""));
    } else if (op == "logout") {
      ws_.async_close(websocket::close_reason(kSetterLoggedOut), [](beast::error_code) {});
    } else {
      ws_.async_close(websocket::close_reason(websocket::close_code::no_status, "unknown op"), [](beast::error_code) {}); // expect: errorshield-ws-close-code
    }
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  std::map<std::string, Route> &routes_;
};

// Helper used by the nightly shutdown and maintenance paths.
template <class Stream>
void kick(Stream &ws, websocket::close_reason why) {
  ws.async_close(why, [](beast::error_code ec) {
    if (ec)
      std::cerr << "close failed: " << ec.message() << "\n";
  });
}

template <class Stream>
void close_for_night(Stream &ws) {
  kick(ws, websocket::close_reason(websocket::close_code{kGymClosed}, "gym closed")); // expect: errorshield-ws-close-code
}

template <class Stream>
void close_for_restart(Stream &ws) {
  kick(ws, websocket::close_reason(websocket::close_code::service_restart, "board restarting"));
}

// Scoreboard feed (read-only display screens near the walls), coroutines.
asio::awaitable<void> scoreboard_feed(tcp::socket s) {
  websocket::stream<beast::tcp_stream> ws(std::move(s));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(asio::use_awaitable);
  beast::error_code ec;
  for (int i = 0; i < 3; ++i) {
    co_await ws.async_write(asio::buffer(std::string("{\"top\":\"V7\"}")),
                            asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      websocket::close_reason cr;
      cr.code = 1006;
      cr.reason = "write failed";
      co_await ws.async_close(cr, asio::redirect_error(asio::use_awaitable, ec)); // expect: errorshield-ws-close-code
      co_return;
    }
  }
  co_await ws.async_close(websocket::close_code::going_away, asio::use_awaitable);
}

// Old kiosk firmware uses the blocking API from a dedicated thread.
void kiosk_session(tcp::socket s) {
  websocket::stream<tcp::socket> ws(std::move(s));
  beast::error_code ec;
  ws.accept(ec);
  if (ec)
    return;
  beast::flat_buffer b;
  ws.read(b, ec);
  if (ec) {
    ws.close(websocket::close_code::reserved1, ec); // expect: errorshield-ws-close-code
    return;
  }
  if (beast::buffers_to_string(b.data()) == "bye")
    ws.close(websocket::close_code::normal, ec);
  else
    ws.close(websocket::close_code::policy_error, ec);
}

websocket::close_reason reason_for_ban(bool repeat_offender) {
  return repeat_offender ? websocket::close_reason(websocket::close_code::policy_error, "banned")
                         : websocket::close_reason(websocket::close_code{4403}, "suspended");
}

} // namespace board

int main() {
  asio::io_context ioc;
  std::map<std::string, board::Route> routes;
  std::make_shared<board::SetterSession>(tcp::socket(ioc), routes)->start();
  asio::co_spawn(ioc, board::scoreboard_feed(tcp::socket(ioc)), asio::detached);

  websocket::stream<beast::tcp_stream> maint(ioc);
  board::close_for_night(maint);
  board::close_for_restart(maint);
  board::kick(maint, board::reason_for_ban(true));

  ioc.run();
  board::kiosk_session(tcp::socket(ioc));
}
