// checks: errorshield-ws-close-code
// Ride-hailing dispatch gateway. Drivers hold a long-lived socket served by a stackful coroutine
// (spawn/yield_context); riders use a short-lived C++20 coroutine session per trip request.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace dispatch {

enum class TripEnd { Completed, RiderCancelled, DriverCancelled, NoDriversFound, FraudSuspected, RegionClosed };

// Legacy driver app (v3) rejects offers with a small integer reason 0..9.
enum RejectReason : int { TooFar = 0, VehicleFull = 1, EndingShift = 2, BadRating = 3, Other = 9 };

struct DispatchBoard {
  bool authenticate(const std::string& token, std::string& driver_id);
  bool rate_limited(const std::string& rider_ip);
  json next_offer(const std::string& driver_id);
  void record_reject(const std::string& driver_id, int reason);
  bool suspended(const std::string& driver_id);
  bool draining = false;
};

std::uint16_t close_code_for(TripEnd e) {
  switch (e) {
    case TripEnd::Completed: return websocket::close_code::normal;
    case TripEnd::RiderCancelled: return 4010;
    case TripEnd::DriverCancelled: return 4011;
    case TripEnd::NoDriversFound: return websocket::close_code::try_again_later;
    case TripEnd::FraudSuspected: return websocket::close_code::policy_error;
    case TripEnd::RegionClosed: return 5003; // expect: errorshield-ws-close-code
  }
  return websocket::close_code::internal_error;
}

void driver_session(tcp::socket sock, DispatchBoard& board, net::yield_context yield) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(32 * 1024);
  beast::error_code ec;
  ws.async_accept(yield[ec]);
  if (ec) return;

  beast::flat_buffer buf;
  ws.async_read(buf, yield[ec]);
  if (ec) return;
  std::string driver_id;
  auto hello = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
  buf.consume(buf.size());
  if (hello.is_discarded() || !board.authenticate(hello.value("token", ""), driver_id)) {
    ws.async_close(websocket::close_reason(websocket::close_code::policy_error, "bad token"), yield[ec]);
    return;
  }
  if (board.suspended(driver_id)) {
    // 3003 = "Forbidden" in the IANA registry.
    ws.async_close(websocket::close_reason(std::uint16_t{3003}), yield[ec]);
    return;
  }

  int missed_pings = 0;
  for (;;) {
    if (board.draining) {
      ws.async_close(websocket::close_reason(websocket::close_code::going_away, "dispatch node draining"), yield[ec]);
      return;
    }
    ws.async_write(net::buffer(board.next_offer(driver_id).dump()), yield[ec]);
    if (ec) return;
    ws.async_read(buf, yield[ec]);
    if (ec == websocket::error::closed) {
      std::clog << driver_id << " closed with " << ws.reason().code << "\n";
      return;
    }
    if (ec == beast::error::timeout) {
      if (++missed_pings < 3) continue;
      // Driver's phone went into a tunnel; mark it as an abnormal drop for the analytics pipeline.
      ws.async_close(websocket::close_code::abnormal, yield[ec]); // expect: errorshield-ws-close-code
      return;
    }
    if (ec) return;
    missed_pings = 0;
    auto reply = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (reply.is_discarded()) {
      ws.async_close(websocket::close_code::bad_payload, yield[ec]);
      return;
    }
    if (reply.value("action", "") == "reject") {
      const int reason = reply.value("reason", static_cast<int>(Other));
      board.record_reject(driver_id, reason);
      if (reason == EndingShift) {
        ws.async_close(websocket::close_code::normal, yield[ec]);
        return;
      }
      if (reply.value("app", 4) == 3) {
        // v3 apps expect the reject reason echoed in the close code.
        ws.async_close(websocket::close_reason(static_cast<std::uint16_t>(1000 + reason)), yield[ec]); // expect: errorshield-ws-close-code
      } else {
        ws.async_close(websocket::close_reason(static_cast<std::uint16_t>(4100 + (reason & 0x0f))), yield[ec]);
      }
      return;
    }
  }
}

class RiderSession : public std::enable_shared_from_this<RiderSession> {
 public:
  RiderSession(tcp::socket s, DispatchBoard& b) : ws_(std::move(s)), board_(b) {}

  net::awaitable<void> run() {
    beast::flat_buffer hb;
    http::request<http::string_body> req;
    co_await http::async_read(ws_.next_layer(), hb, req, net::use_awaitable);
    const auto ip = ws_.next_layer().socket().remote_endpoint().address().to_string();
    if (board_.rate_limited(ip)) {
      // Plain HTTP rejection before the upgrade: an HTTP status is correct here.
      http::response<http::string_body> res{http::status::too_many_requests, req.version()};
      res.set(http::field::retry_after, "30");
      res.prepare_payload();
      co_await http::async_write(ws_.next_layer(), res, net::use_awaitable);
      co_return;
    }
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    co_await ws_.async_accept(req, net::use_awaitable);
    TripEnd end = co_await track_trip();
    co_await finish(end);
  }

  net::awaitable<void> reject_busy() {
    // Surge overload after the upgrade: someone reused the HTTP status as the close code.
    co_await ws_.async_close(websocket::close_reason(static_cast<std::uint16_t>(http::status::too_many_requests)), // expect: errorshield-ws-close-code
                             net::use_awaitable);
  }

 private:
  net::awaitable<TripEnd> track_trip() {
    beast::flat_buffer buf;
    for (;;) {
      auto [ec, n] = co_await ws_.async_read(buf, net::as_tuple(net::use_awaitable));
      if (ec == websocket::error::closed) co_return TripEnd::RiderCancelled;
      if (ec) co_return TripEnd::NoDriversFound;
      auto ev = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
      buf.consume(n);
      if (ev.is_discarded()) continue;
      const auto type = ev.value("type", "");
      if (type == "arrived") co_return TripEnd::Completed;
      if (type == "cancel") co_return TripEnd::RiderCancelled;
      if (type == "fraud") co_return TripEnd::FraudSuspected;
    }
  }

  net::awaitable<void> finish(TripEnd end) {
    if (!ws_.is_open()) co_return;
    const std::uint16_t code = close_code_for(end);
    auto [ec] = co_await ws_.async_close(websocket::close_reason(code), net::as_tuple(net::use_awaitable));
    if (ec) std::clog << "rider close: " << ec.message() << "\n";
  }

  websocket::stream<beast::tcp_stream> ws_;
  DispatchBoard& board_;
};

void run_gateway(net::io_context& ioc, tcp::acceptor& drivers, tcp::acceptor& riders, DispatchBoard& board) {
  net::spawn(
      drivers.get_executor(),
      [&](net::yield_context yield) {
        for (;;) {
          beast::error_code ec;
          tcp::socket s(ioc);
          drivers.async_accept(s, yield[ec]);
          if (ec) continue;
          net::spawn(
              ioc,
              [s = std::move(s), &board](net::yield_context y) mutable { driver_session(std::move(s), board, y); },
              net::detached);
        }
      },
      net::detached);

  net::co_spawn(
      ioc,
      [&]() -> net::awaitable<void> {
        for (;;) {
          auto s = co_await riders.async_accept(net::use_awaitable);
          auto rs = std::make_shared<RiderSession>(std::move(s), board);
          net::co_spawn(ioc, [rs]() -> net::awaitable<void> { co_await rs->run(); }, net::detached);
        }
      },
      net::detached);
}

}  // namespace dispatch
