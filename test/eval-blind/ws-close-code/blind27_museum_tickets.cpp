// checks: errorshield-ws-close-code
// Museum timed-entry tickets: visitors hold a live WebSocket while queueing for
// a slot; turnstiles at each gallery stream scans back to the server.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace museum {

// Application close codes agreed with the kiosk firmware team.
constexpr std::uint16_t kTicketExpired = 4001;
constexpr std::uint16_t kSlotFull = 4002;
constexpr std::uint16_t kTurnstileTlsLost = 1015;

struct Slot {
  std::string gallery;
  int capacity = 0;
  int booked = 0;
};

class SlotBook {
public:
  bool book(const std::string &slot_id) {
    std::lock_guard<std::mutex> lk(mu_);
    auto &s = slots_[slot_id];
    if (s.booked >= s.capacity)
      return false;
    ++s.booked;
    return true;
  }
  void add(const std::string &id, Slot s) {
    std::lock_guard<std::mutex> lk(mu_);
    slots_[id] = std::move(s);
  }

private:
  std::mutex mu_;
  std::map<std::string, Slot> slots_;
};

using ws_stream = websocket::stream<beast::tcp_stream>;

// Visitor queue session.
class VisitorSession : public std::enable_shared_from_this<VisitorSession> {
public:
  VisitorSession(tcp::socket sock, SlotBook &book) : ws_(std::move(sock)), book_(book) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(beast::bind_front_handler(&VisitorSession::on_accept, shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    read();
  }

  void read() {
    ws_.async_read(buf_, beast::bind_front_handler(&VisitorSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == websocket::error::closed)
      return;
    if (ec) {
      // The visitor's phone dropped off the museum wifi.
      ws_.async_close(websocket::close_code::abnormal, [self = shared_from_this()](beast::error_code) {}); // expect: errorshield-ws-close-code
      return;
    }
    json msg = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (msg.is_discarded()) {
      ws_.async_close(websocket::close_code::bad_payload, [self = shared_from_this()](beast::error_code) {});
      return;
    }
    const std::string slot = msg.value("slot", "");
    if (!book_.book(slot)) {
      ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(kSlotFull), "slot full"),
                      [self = shared_from_this()](beast::error_code) {});
      return;
    }
    if (msg.value("expired", false)) {
      ws_.async_close(websocket::close_reason(websocket::close_code::no_status, "ticket expired"), [self = shared_from_this()](beast::error_code) {}); // expect: errorshield-ws-close-code
      return;
    }
    read();
  }

  ws_stream ws_;
  beast::flat_buffer buf_;
  SlotBook &book_;
};

// Turnstile feed: coroutine per gallery gate.
net::awaitable<void> turnstile_feed(tcp::socket sock, SlotBook &book) {
  ws_stream ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buf, net::as_tuple(net::use_awaitable));
    if (ec) {
      if (ws.reason().code == websocket::close_code::abnormal)
        std::cerr << "turnstile vanished\n";
      co_return;
    }
    json scan = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(n);
    if (scan.is_discarded())
      continue;
    if (scan.value("tls_error", false)) {
      co_await ws.async_close(kTurnstileTlsLost, net::use_awaitable); // expect: errorshield-ws-close-code
      co_return;
    }
    if (scan.value("ticket_state", "") == "expired") {
      co_await ws.async_close(websocket::close_reason(static_cast<websocket::close_code>(kTicketExpired), "expired"), net::use_awaitable);
      co_return;
    }
    if (scan.value("firmware", 0) < 3) {
      co_await ws.async_close(websocket::close_code::reserved1, net::use_awaitable); // expect: errorshield-ws-close-code
      co_return;
    }
    (void)book.book(scan.value("slot", ""));
  }
}

// Shutdown helper shared by all stream types (plain and behind the TLS terminator).
template <class Stream> void shut_gallery(websocket::stream<Stream> &ws, bool maintenance) {
  beast::error_code ec;
  if (maintenance)
    ws.close(websocket::close_code::service_restart, ec);
  else
    ws.close(websocket::close_code::going_away, ec);
}

// Staff dashboard: closes with a custom code when a supervisor logs out.
template <class Stream> void staff_logout(websocket::stream<Stream> &ws) {
  const std::string why = "supervisor logout";
  beast::error_code ec;
  ws.close(websocket::close_reason(static_cast<websocket::close_code>(2001), why), ec); // expect: errorshield-ws-close-code
}

// Empty close frame: no status body at all.
void drop_silently(ws_stream &ws) {
  beast::error_code ec;
  ws.close(websocket::close_code::none, ec);
}

class GiftShopSession : public std::enable_shared_from_this<GiftShopSession> {
public:
  explicit GiftShopSession(tcp::socket sock) : ws_(std::move(sock)), timer_(ws_.get_executor()) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      self->timer_.expires_after(std::chrono::minutes(15));
      self->timer_.async_wait([self](beast::error_code ec) {
        if (ec)
          return;
        self->ws_.async_close(websocket::close_code::policy_error, [self](beast::error_code) {});
      });
    });
  }

  void museum_closing() {
    net::post(ws_.get_executor(), [self = shared_from_this()] {
      self->ws_.async_close(websocket::close_reason(1006), [self](beast::error_code) {}); // expect: errorshield-ws-close-code
    });
  }

private:
  ws_stream ws_;
  net::steady_timer timer_;
};

} // namespace museum

int main() {
  using namespace museum;
  net::io_context ioc;
  SlotBook book;
  book.add("10:00-east", Slot{"east", 40, 0});
  tcp::acceptor visitors(ioc, {tcp::v4(), 8110});
  visitors.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<VisitorSession>(std::move(s), book)->start();
  });
  net::co_spawn(ioc, turnstile_feed(tcp::socket(ioc), book), net::detached);
  ws_stream staff(ioc);
  shut_gallery(staff, true);
  staff_logout(staff);
  drop_silently(staff);
  auto shop = std::make_shared<GiftShopSession>(tcp::socket(ioc));
  shop->start();
  shop->museum_closing();
  ioc.run();
  return 0;
}
