// checks: errorshield-ws-close-code
// Boarding gate displays at the ferry terminal subscribe over WebSocket to the
// sailing they are assigned to and render vehicle lane / foot passenger status.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using net::use_awaitable;

namespace gate {

enum class SailingState { scheduled, boarding, final_call, closed, departed, cancelled };

// Private-range codes understood by the display firmware.
namespace display_code {
constexpr std::uint16_t reassigned = 4100;
constexpr std::uint16_t firmware_outdated = 4101;
constexpr std::uint16_t sailing_cancelled = 4102;
}  // namespace display_code

struct Display {
  std::string gate_id;
  std::string sailing_id;
  std::string firmware;
  websocket::stream<beast::tcp_stream> ws;

  explicit Display(tcp::socket s) : ws(std::move(s)) {}
};

using DisplayPtr = std::shared_ptr<Display>;

json render(const std::string &sailing, SailingState st);
std::optional<SailingState> lookup_state(const std::string &sailing);
bool firmware_supported(const std::string &version);

websocket::close_reason reason_of(std::uint16_t code, const char *text) {
  websocket::close_reason r(code);
  r.reason = text;
  return r;
}

// Used by both the plain-TCP and the TLS listener.
template <class NextLayer>
net::awaitable<void> retire_display(websocket::stream<NextLayer> &ws, const std::string &why) {
  const std::string text = why.substr(0, 120);
  co_await ws.async_close(websocket::close_reason(static_cast<websocket::close_code>(2500), text), use_awaitable); // expect: errorshield-ws-close-code
}

template <class NextLayer>
net::awaitable<void> reassign_display(websocket::stream<NextLayer> &ws) {
  co_await ws.async_close(reason_of(display_code::reassigned, "gate reassigned"), use_awaitable);
}

class GateHub {
public:
  explicit GateHub(net::io_context &ioc) : ioc_(ioc), sweep_(ioc) {}

  net::awaitable<void> serve(DisplayPtr d) {
    co_await d->ws.async_accept(use_awaitable);

    beast::flat_buffer buf;
    co_await d->ws.async_read(buf, use_awaitable);
    json hello = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    if (hello.is_discarded()) {
      co_await d->ws.async_close(websocket::close_code::bad_payload, use_awaitable);
      co_return;
    }
    d->gate_id = hello.value("gate", "");
    d->sailing_id = hello.value("sailing", "");
    d->firmware = hello.value("fw", "");

    if (!firmware_supported(d->firmware)) {
      co_await d->ws.async_close(reason_of(display_code::firmware_outdated, "update firmware"), use_awaitable);
      co_return;
    }
    displays_[d->gate_id] = d;

    for (;;) {
      auto st = lookup_state(d->sailing_id);
      if (!st) {
        co_await d->ws.async_close(websocket::close_code::policy_error, use_awaitable);
        co_return;
      }
      if (*st == SailingState::departed) {
        co_await d->ws.async_close(websocket::close_reason(websocket::close_code::reserved1, "vessel departed"), // expect: errorshield-ws-close-code
                                   use_awaitable);
        co_return;
      }
      if (*st == SailingState::cancelled) {
        co_await d->ws.async_close(reason_of(display_code::sailing_cancelled, "sailing cancelled"), use_awaitable);
        co_return;
      }
      d->ws.text(true);
      co_await d->ws.async_write(net::buffer(render(d->sailing_id, *st).dump()), use_awaitable);

      net::steady_timer t(co_await net::this_coro::executor);
      t.expires_after(std::chrono::seconds(5));
      co_await t.async_wait(use_awaitable);
    }
  }

  // Ops console moves a display to another gate.
  void move_display(const std::string &gate) {
    auto it = displays_.find(gate);
    if (it == displays_.end()) return;
    DisplayPtr d = it->second;
    displays_.erase(it);
    net::co_spawn(ioc_, [d]() -> net::awaitable<void> { co_await reassign_display(d->ws); }, net::detached);
  }

  void decommission(const std::string &gate) {
    auto it = displays_.find(gate);
    if (it == displays_.end()) return;
    DisplayPtr d = it->second;
    displays_.erase(it);
    net::co_spawn(ioc_, [d]() -> net::awaitable<void> { co_await retire_display(d->ws, "decommissioned"); },
                  net::detached);
  }

  // Nightly sweep: displays whose sailing has been gone for a while are dropped.
  void start_sweep() {
    sweep_.expires_after(std::chrono::minutes(10));
    sweep_.async_wait([this](beast::error_code ec) {
      if (ec) return;
      for (auto it = displays_.begin(); it != displays_.end();) {
        Display *d = it->second.get();
        auto st = lookup_state(d->sailing_id);
        if (!st) {
          d->ws.async_close(static_cast<websocket::close_code>(1015), [keep = it->second](beast::error_code) {}); // expect: errorshield-ws-close-code
          it = displays_.erase(it);
        } else {
          ++it;
        }
      }
      start_sweep();
    });
  }

  // Terminal maintenance window: all displays go dark until power-cycle.
  void maintenance(bool planned) {
    for (auto &[gate, d] : displays_) {
      const std::uint16_t code = planned ? websocket::close_code::service_restart : websocket::close_code::try_again_later;
      d->ws.async_close(websocket::close_reason(code), [keep = d](beast::error_code) {});
    }
    displays_.clear();
  }

  // Called when the reservation backend reports an unexpected fault.
  void backend_fault(const std::string &sailing) {
    for (auto it = displays_.begin(); it != displays_.end();) {
      if (it->second->sailing_id == sailing) {
        it->second->ws.async_close(reason_of(999, "backend fault"), [keep = it->second](beast::error_code) {}); // expect: errorshield-ws-close-code
        it = displays_.erase(it);
      } else {
        ++it;
      }
    }
  }

  void power_down() {
    for (auto &[gate, d] : displays_) {
      beast::error_code ec;
      d->ws.close(websocket::close_code::going_away, ec);
    }
    displays_.clear();
  }

  // Stats pushed to the harbour master dashboard.
  json stats() const {
    std::map<std::uint16_t, int> last_close_codes{{1006, abnormal_drops_}, {1000, clean_closes_}};
    json j;
    for (auto &[code, n] : last_close_codes) j[std::to_string(code)] = n;
    j["connected"] = displays_.size();
    return j;
  }

  void record_close(const websocket::close_reason &r) {
    if (r.code == websocket::close_code::abnormal)
      ++abnormal_drops_;
    else if (r.code == websocket::close_code::normal)
      ++clean_closes_;
  }

private:
  net::io_context &ioc_;
  net::steady_timer sweep_;
  std::map<std::string, DisplayPtr> displays_;
  int abnormal_drops_ = 0;
  int clean_closes_ = 0;
};

void listen(net::io_context &ioc, GateHub &hub, tcp::acceptor &acc) {
  acc.async_accept([&ioc, &hub, &acc](beast::error_code ec, tcp::socket s) {
    if (!ec) {
      auto d = std::make_shared<Display>(std::move(s));
      net::co_spawn(ioc, hub.serve(d), [d, &hub](std::exception_ptr e) {
        if (e) hub.record_close(d->ws.reason());
      });
    }
    listen(ioc, hub, acc);
  });
}

}  // namespace gate
