// checks: errorshield-ws-close-code
// Bus depot gateway: buses report position/fuel over WebSocket while in the yard,
// the dispatch board subscribes to bay assignments, and the wash bay has a
// tiny sync controller.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using asio::awaitable;
using asio::use_awaitable;

namespace depot {

// Application-level close codes shared with the bus firmware team.
constexpr std::uint16_t kUnknownVehicle = 4001;
constexpr std::uint16_t kBayReassigned = 4002;
constexpr std::uint16_t kDepotShutdown = 2000;

class BusLink : public std::enable_shared_from_this<BusLink> {
 public:
  explicit BusLink(tcp::socket s) : ws_(std::move(s)), idle_(ws_.get_executor()) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read();
    });
  }

 private:
  void read() {
    arm_idle_timer();
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec == websocket::error::closed) {
        if (self->ws_.reason().code == websocket::close_code::abnormal)
          std::cerr << "bus dropped without close frame\n";
        return;
      }
      if (ec) return;
      self->on_report(beast::buffers_to_string(self->buf_.data()));
      self->buf_.consume(self->buf_.size());
      self->read();
    });
  }

  void arm_idle_timer() {
    idle_.expires_after(std::chrono::seconds(90));
    idle_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      // Bus went quiet (engine off in the yard); drop it.
      self->ws_.async_close(websocket::close_code::abnormal, [self](beast::error_code) {}); // expect: errorshield-ws-close-code
    });
  }

  void on_report(const std::string& text) {
    auto j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.contains("vehicle")) {
      ws_.async_close(websocket::close_reason(kUnknownVehicle), [self = shared_from_this()](beast::error_code) {});
      return;
    }
    std::cout << "bus " << j["vehicle"] << " fuel " << j.value("fuel_pct", -1) << "%\n";
  }

  websocket::stream<beast::tcp_stream> ws_;
  asio::steady_timer idle_;
  beast::flat_buffer buf_;
};

// Dispatch board: one long-lived subscriber per screen in the control room.
awaitable<void> dispatch_board(tcp::socket sock, std::vector<std::string> bays) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_accept(use_awaitable);
  for (const auto& bay : bays) {
    co_await ws.async_write(asio::buffer(bay), use_awaitable);
  }
  co_await ws.async_close(websocket::close_code::normal, use_awaitable);
}

awaitable<void> dispatch_board_legacy(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf;
  auto [ec, n] = co_await ws.async_read(buf, asio::as_tuple(use_awaitable));
  if (ec == beast::error::timeout) {
    // Old screens never finish the TLS offload handshake; tell them so.
    co_await ws.async_close(websocket::close_reason(1015), use_awaitable); // expect: errorshield-ws-close-code
    co_return;
  }
  co_await ws.async_close(websocket::close_reason(kBayReassigned), use_awaitable);
}

// Wash bay controller is a small blocking loop on its own thread.
void wash_bay_controller(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept();
  beast::flat_buffer buf;
  beast::error_code ec;
  ws.read(buf, ec);
  if (ec) {
    ws.close(websocket::close_code::no_status, ec); // expect: errorshield-ws-close-code
    return;
  }
  ws.text(true);
  ws.write(asio::buffer(std::string("wash cycle started")));
  ws.close(websocket::close_code::going_away, ec);
}

void shutdown_all(std::vector<std::shared_ptr<websocket::stream<beast::tcp_stream>>>& links) {
  for (auto& ws : links) {
    ws->async_close(websocket::close_reason(kDepotShutdown), [ws](beast::error_code) {}); // expect: errorshield-ws-close-code
  }
  links.clear();
}

void restart_all(std::vector<std::shared_ptr<websocket::stream<beast::tcp_stream>>>& links) {
  for (auto& ws : links) {
    ws->async_close(websocket::close_code::service_restart, [ws](beast::error_code) {});
  }
  links.clear();
}

// Charger telemetry for electric buses; plugs in with any stream type (plain or TLS).
template <class Stream>
class ChargerLink : public std::enable_shared_from_this<ChargerLink<Stream>> {
 public:
  explicit ChargerLink(Stream s) : ws_(std::move(s)) {}

  void maintenance_window() {
    ws_.async_close({websocket::close_code::reserved1, "charger maintenance"}, // expect: errorshield-ws-close-code
                    [self = this->shared_from_this()](beast::error_code) {});
  }

  void overloaded() {
    ws_.async_close({websocket::close_code::try_again_later, "grid limit reached"},
                    [self = this->shared_from_this()](beast::error_code) {});
  }

  void bad_telemetry() {
    ws_.async_close({websocket::close_code::policy_error, "malformed telemetry"},
                    [self = this->shared_from_this()](beast::error_code) {});
  }

 private:
  websocket::stream<Stream> ws_;
};

awaitable<void> accept_loop(tcp::acceptor& acc) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(use_awaitable);
    std::make_shared<BusLink>(std::move(s))->start();
  }
}

}  // namespace depot

int main() {
  asio::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 8701});
  asio::co_spawn(ioc, depot::accept_loop(acc), asio::detached);
  asio::co_spawn(ioc, depot::dispatch_board(tcp::socket(ioc), {"B1: 42", "B2: 17"}), asio::detached);
  asio::co_spawn(ioc, depot::dispatch_board_legacy(tcp::socket(ioc)), asio::detached);
  auto charger = std::make_shared<depot::ChargerLink<beast::tcp_stream>>(beast::tcp_stream(ioc));
  charger->maintenance_window();
  charger->overloaded();
  charger->bad_telemetry();
  std::vector<std::shared_ptr<websocket::stream<beast::tcp_stream>>> links;
  depot::restart_all(links);
  depot::shutdown_all(links);
  ioc.run();
}
