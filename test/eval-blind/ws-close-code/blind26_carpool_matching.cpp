// checks: errorshield-ws-close-code
// Carpool matching service: riders and drivers keep a WebSocket open while the
// matcher looks for a shared route; the socket is closed when a match is made,
// the request expires, or the rider is kicked for abuse.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::ip::tcp;
using json = nlohmann::json;

namespace carpool {

// Application close codes, from the private range agreed with the mobile team.
constexpr std::uint16_t kMatchFound = 4000;
constexpr std::uint16_t kRequestExpired = 4001;
constexpr std::uint16_t kRiderBanned = 4003;

using ws_t = websocket::stream<beast::tcp_stream>;

bool route_compatible(const json &a, const json &b);

// Shared shutdown path for rider and driver sockets.
template <class Stream> void end_session(Stream &ws, websocket::close_reason why) {
  ws.async_close(why, [&ws](beast::error_code) { beast::get_lowest_layer(ws).close(); });
}

class RiderSession : public std::enable_shared_from_this<RiderSession> {
public:
  explicit RiderSession(tcp::socket s) : ws_(std::move(s)), expiry_(ws_.get_executor()) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      self->arm_expiry();
      self->read_request();
    });
  }

  void on_matched(const std::string &driver_id) {
    expiry_.cancel();
    websocket::close_reason cr(static_cast<websocket::close_code>(kMatchFound), driver_id);
    end_session(ws_, cr);
  }

  void on_banned() {
    expiry_.cancel();
    end_session(ws_, websocket::close_reason(static_cast<websocket::close_code>(kRiderBanned), "banned"));
  }

  // Network layer reported the peer vanished mid-match.
  void on_peer_lost() {
    expiry_.cancel();
    end_session(ws_, websocket::close_code::abnormal); // expect: errorshield-ws-close-code
  }

private:
  void arm_expiry() {
    expiry_.expires_after(std::chrono::minutes(10));
    expiry_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      end_session(self->ws_, websocket::close_reason(static_cast<websocket::close_code>(kRequestExpired), "expired"));
    });
  }

  void read_request() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      json req = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.consume(self->buf_.size());
      if (req.is_discarded()) {
        self->ws_.async_close(websocket::close_code::bad_payload, [self](beast::error_code) {});
        return;
      }
      self->route_ = std::move(req);
      self->read_request();
    });
  }

  ws_t ws_;
  asio::steady_timer expiry_;
  beast::flat_buffer buf_;
  json route_;
};

// Drivers: coroutine per connection.
asio::awaitable<void> driver_session(tcp::socket sock) {
  ws_t ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buf, asio::as_tuple(asio::use_awaitable));
    if (ec == websocket::error::closed)
      co_return;
    if (ec) {
      // TLS terminator dropped us; tell the app so it reconnects through the other edge.
      co_await ws.async_close(websocket::close_code::reserved3, asio::use_awaitable); // expect: errorshield-ws-close-code
      co_return;
    }
    json msg = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(n);
    if (msg.is_discarded() || !msg.contains("seats")) {
      co_await ws.async_close(websocket::close_code::protocol_error, asio::use_awaitable);
      co_return;
    }
    if (msg["seats"].get<int>() == 0) {
      co_await ws.async_close(websocket::close_reason(websocket::close_code::normal, "car full"),
                              asio::use_awaitable);
      co_return;
    }
  }
}

// Matcher maintenance mode: everybody is told to come back later.
class Lobby {
public:
  void add(std::shared_ptr<ws_t> ws) { waiting_.push_back(std::move(ws)); }

  void drain_for_maintenance() {
    for (auto &ws : waiting_)
      ws->async_close(websocket::close_code::try_again_later, [ws](beast::error_code) {});
    waiting_.clear();
  }

  void drain_for_deploy() {
    for (auto &ws : waiting_)
      ws->async_close(websocket::close_code::service_restart, [ws](beast::error_code) {});
    waiting_.clear();
  }

  // Old admin tool sends a bare status-less close when purging stale requests.
  void purge_stale() {
    for (auto &ws : waiting_) {
      beast::error_code ec;
      ws->close(websocket::close_code::no_status, ec); // expect: errorshield-ws-close-code
    }
    waiting_.clear();
  }

  void shed_load(std::size_t keep) {
    while (waiting_.size() > keep) {
      auto ws = waiting_.back();
      waiting_.pop_back();
      ws->async_close(websocket::close_reason(static_cast<websocket::close_code>(5003), "overloaded"), [ws](beast::error_code) {}); // expect: errorshield-ws-close-code
    }
  }

  void shed_load_v2(std::size_t keep) {
    while (waiting_.size() > keep) {
      auto ws = waiting_.back();
      waiting_.pop_back();
      ws->async_close(websocket::close_reason(websocket::close_code::try_again_later, "overloaded"),
                      [ws](beast::error_code) {});
    }
  }

private:
  std::deque<std::shared_ptr<ws_t>> waiting_;
};

// Pairing: riders on incompatible routes are bounced with the legacy code the
// v1 app understood.
void pair_or_reject(ws_t &rider, const json &rider_route, const json &driver_route) {
  if (route_compatible(rider_route, driver_route))
    return;
  websocket::close_reason cr;
  cr.code = 1004; // expect: errorshield-ws-close-code
  cr.reason = "no compatible route";
  rider.async_close(cr, [](beast::error_code) {});
}

void pair_or_reject_v2(ws_t &rider, const json &rider_route, const json &driver_route) {
  if (route_compatible(rider_route, driver_route))
    return;
  websocket::close_reason cr;
  cr.code = websocket::close_code::policy_error;
  cr.reason = "no compatible route";
  rider.async_close(cr, [](beast::error_code) {});
}

void shutdown_server(Lobby &lobby, ws_t &admin) {
  lobby.drain_for_deploy();
  beast::error_code ec;
  admin.close(websocket::close_code::going_away, ec);
}

} // namespace carpool
