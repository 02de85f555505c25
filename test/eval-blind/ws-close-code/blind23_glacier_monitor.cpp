// checks: errorshield-ws-close-code
// Glacier movement monitoring: remote GNSS stations on the ice stream their
// displacement fixes to the base camp collector over WebSocket (satellite
// uplink). The collector drops stations that go silent, misreport, or are
// being serviced.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <string>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace closecodes {
// Application range (4000-4999) agreed with the station firmware team.
constexpr std::uint16_t kStationDecommissioned = 4001;
constexpr std::uint16_t kFirmwareTooOld = 4002;
// Sent when the uplink modem reports its crypto session dropped.
constexpr std::uint16_t kUplinkSecurityLost = 1015;
} // namespace closecodes

struct Fix {
  std::string station;
  double east_m = 0, north_m = 0, up_m = 0;
  std::int64_t epoch = 0;
};

struct StationStats {
  std::map<std::string, std::uint16_t> last_close;
  std::map<std::string, int> bad_fixes;
};

bool plausible(const Fix &f) {
  // Fast-flowing outlet glaciers move a few metres a day at most.
  return f.east_m < 50 && f.north_m < 50 && f.up_m < 10 && f.epoch > 0;
}

// ---------------------------------------------------------------------------
class StationSession : public std::enable_shared_from_this<StationSession> {
public:
  StationSession(tcp::socket s, StationStats &stats)
      : ws_(std::move(s)), silence_(ws_.get_executor()), stats_(stats) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      self->arm_silence_timer();
      self->read();
    });
  }

private:
  void arm_silence_timer() {
    silence_.expires_after(std::chrono::minutes(20));
    silence_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec == net::error::operation_aborted)
        return;
      // Station missed two reporting windows: treat like a dead link.
      self->ws_.async_close(websocket::close_code::abnormal, [self](beast::error_code) {}); // expect: errorshield-ws-close-code
    });
  }

  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        // Remember why the link went away for the ops dashboard.
        self->stats_.last_close[self->station_] =
            ec == websocket::error::closed ? self->ws_.reason().code
                                           : std::uint16_t(websocket::close_code::abnormal);
        return;
      }
      self->handle(beast::buffers_to_string(self->buf_.data()));
      self->buf_.consume(self->buf_.size());
      self->arm_silence_timer();
      self->read();
    });
  }

  void handle(const std::string &text) {
    auto j = json::parse(text, nullptr, false);
    if (!j.is_object()) {
      ws_.async_close({websocket::close_code::bad_payload, "not json"},
                      [self = shared_from_this()](beast::error_code) {});
      return;
    }
    Fix f{j.value("station", ""), j.value("e", 0.0), j.value("n", 0.0), j.value("u", 0.0),
          j.value("t", std::int64_t{0})};
    station_ = f.station;
    if (j.value("fw", 0) < 7) {
      ws_.async_close(closecodes::kFirmwareTooOld, [self = shared_from_this()](beast::error_code) {});
      return;
    }
    if (!plausible(f) && ++stats_.bad_fixes[f.station] > 5) {
      ws_.async_close(websocket::close_reason(websocket::close_code::no_status, "fixes rejected"), // expect: errorshield-ws-close-code
                      [self = shared_from_this()](beast::error_code) {});
    }
  }

  websocket::stream<beast::tcp_stream> ws_;
  net::steady_timer silence_;
  beast::flat_buffer buf_;
  std::string station_;
  StationStats &stats_;
};

// ---------------------------------------------------------------------------
// Service-mode link used by field technicians on snowmobile laptops.
net::awaitable<void> technician_link(websocket::stream<beast::tcp_stream> ws) {
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  co_await ws.async_read(buf, net::use_awaitable);
  auto cmd = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
  if (!cmd.is_object()) {
    co_await ws.async_close(websocket::close_code::protocol_error, net::use_awaitable);
    co_return;
  }
  if (cmd.value("modem", "") == "crypto-reset") {
    co_await ws.async_close(closecodes::kUplinkSecurityLost, net::use_awaitable); // expect: errorshield-ws-close-code
    co_return;
  }
  if (cmd.value("action", "") == "decommission") {
    co_await ws.async_close(closecodes::kStationDecommissioned, net::use_awaitable);
    co_return;
  }
  co_await ws.async_close(websocket::close_code::normal, net::use_awaitable);
}

// ---------------------------------------------------------------------------
// Generic drop helper shared by the station and relay collectors.
template <class Stream>
void drop_for_maintenance(websocket::stream<Stream> &ws, bool planned) {
  beast::error_code ec;
  if (planned)
    ws.close(websocket::close_code::service_restart, ec);
  else
    ws.close(websocket::close_code::reserved1, ec); // expect: errorshield-ws-close-code
  if (ec)
    std::cerr << "maintenance close: " << ec.message() << "\n";
}

template void drop_for_maintenance(websocket::stream<tcp::socket> &, bool);

// Relay stations (repeaters on nunataks) use a blocking link.
class RelayCollector {
public:
  explicit RelayCollector(tcp::socket s) : ws_(std::move(s)) {}

  void serve() {
    ws_.accept();
    beast::flat_buffer buf;
    for (int frames = 0;; ++frames) {
      beast::error_code ec;
      ws_.read(buf, ec);
      if (ec)
        return;
      buf.consume(buf.size());
      if (frames > 100000) {
        ws_.close(websocket::close_reason(2001)); // expect: errorshield-ws-close-code
        return;
      }
      if (frames % 1000 == 0 && overloaded()) {
        ws_.close({websocket::close_code::try_again_later, "collector busy"});
        return;
      }
    }
  }

  void shutdown() { ws_.close(websocket::close_code::going_away); }

private:
  bool overloaded() const { return false; }
  websocket::stream<tcp::socket> ws_;
};

// ---------------------------------------------------------------------------
void log_close(const websocket::stream<beast::tcp_stream> &ws) {
  auto code = ws.reason().code;
  if (code == websocket::close_code::abnormal || code == websocket::close_code::no_status)
    std::clog << "station link lost without close frame\n";
  else
    std::clog << "station closed with " << code << "\n";
}

int main() {
  net::io_context ioc;
  StationStats stats;
  tcp::acceptor acc(ioc, {tcp::v4(), 9600});
  net::co_spawn(
      ioc,
      [&]() -> net::awaitable<void> {
        for (;;) {
          tcp::socket s = co_await acc.async_accept(net::use_awaitable);
          std::make_shared<StationSession>(std::move(s), stats)->start();
        }
      },
      net::detached);
  ioc.run();
}
