// checks: errorshield-ws-concurrent-write
// Blood donor drive: check-in kiosks register donors, staff dashboards get
// live queue / chair status over WebSocket, and a networked label printer
// prints the tube labels for each donation.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace donordrive {

struct Donor {
  std::string donor_id;
  std::string blood_group;   // "O-", "A+", ...
  int chair = -1;
};

class Dashboard : public std::enable_shared_from_this<Dashboard> {
 public:
  explicit Dashboard(tcp::socket s) : ws_(std::move(s)) {}

  websocket::stream<beast::tcp_stream>& ws() { return ws_; }

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read_loop();
    });
  }

  // The one sanctioned way to talk to a dashboard.
  void send(std::string text) {
    net::post(ws_.get_executor(), [self = shared_from_this(), text = std::move(text)]() mutable {
      self->outbox_.push_back(std::move(text));
      if (self->outbox_.size() == 1) self->flush();
    });
  }

  // Staff tapped "announce" - messages collected while the dashboard was
  // busy are replayed later by replay_pending().
  void defer_announcement(std::string text) {
    auto msg = std::make_shared<std::string>(std::move(text));
    pending_.push_back([this, msg] {
      ws_.async_write(net::buffer(*msg), [msg](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
    });
  }

  void replay_pending() {
    for (auto& fn : pending_) fn();
    pending_.clear();
  }

 private:
  void flush() {
    ws_.async_write(net::buffer(outbox_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) { // OK: serialised by outbox_
      if (ec) return;
      self->outbox_.pop_front();
      if (!self->outbox_.empty()) self->flush();
    });
  }

  void read_loop() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      auto cmd = json::parse(beast::buffers_to_string(self->in_.data()), nullptr, false);
      self->in_.consume(self->in_.size());
      if (!cmd.is_discarded() && cmd.value("cmd", "") == "ack_alert") {
        // Echo the acknowledgement straight back so the nurse sees it instantly.
        auto ack = std::make_shared<std::string>(json{{"ack", cmd.value("alert", 0)}}.dump());
        self->ws_.async_write(net::buffer(*ack), [ack](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
      } else if (!cmd.is_discarded() && cmd.value("cmd", "") == "refresh") {
        self->send(json{{"type", "refresh_ok"}}.dump()); // OK: via the outbox
      }
      self->read_loop();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  std::deque<std::string> outbox_;
  std::vector<std::function<void()>> pending_;
};

// Networked Zebra-style label printer on a raw TCP port.
class LabelPrinter {
 public:
  explicit LabelPrinter(net::io_context& ioc) : sock_(ioc) {}

  void connect(const tcp::endpoint& ep) { sock_.connect(ep); }

  void print_tube_labels(const Donor& d) {
    header_ = "^XA^FO20,20^A0N,40,40^FD" + d.donor_id + "^FS";
    body_ = "^FO20,80^FDGroup " + d.blood_group + "^FS^XZ";
    net::async_write(sock_, net::buffer(header_), [](beast::error_code, std::size_t) {});
    net::async_write(sock_, net::buffer(body_), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
  }

  void print_bag_label(const Donor& d) {
    bag_header_ = "^XA^FO20,20^FDBAG " + d.donor_id + "^FS";
    bag_body_ = "^FO20,80^FD" + d.blood_group + "^FS^XZ";
    std::array<net::const_buffer, 2> parts{net::buffer(bag_header_), net::buffer(bag_body_)};
    net::async_write(sock_, parts, [](beast::error_code, std::size_t) {}); // OK: one gathered write
  }

 private:
  tcp::socket sock_;
  std::string header_, body_, bag_header_, bag_body_;
};

class DriveHub {
 public:
  void add_dashboard(int station, std::shared_ptr<Dashboard> d) {
    std::lock_guard lk(mu_);
    dashboards_[station] = std::move(d);
  }

  void donor_checked_in(const Donor& d) {
    std::lock_guard lk(mu_);
    const std::string ev = json{{"type", "checkin"}, {"donor", d.donor_id}, {"group", d.blood_group}}.dump();
    for (auto& [station, dash] : dashboards_) dash->send(ev); // OK: queued per dashboard
  }

  // O-negative stock fell under the threshold: page the charge nurse's station.
  void shortage_alert(int station, const std::string& group) {
    std::lock_guard lk(mu_);
    auto it = dashboards_.find(station);
    if (it == dashboards_.end()) return;
    Dashboard& dash = *it->second;
    auto msg = std::make_shared<std::string>(json{{"type", "shortage"}, {"group", group}}.dump());
    dash.ws().async_write(net::buffer(*msg), [msg](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
  }

  std::shared_ptr<Dashboard> at(int station) {
    std::lock_guard lk(mu_);
    auto it = dashboards_.find(station);
    return it == dashboards_.end() ? nullptr : it->second;
  }

 private:
  std::mutex mu_;
  std::map<int, std::shared_ptr<Dashboard>> dashboards_;
};

// Chair monitor coroutine: polls the chairs and streams updates to the
// blood bank's central system over its own WebSocket client connection.
net::awaitable<void> chair_monitor(websocket::stream<beast::tcp_stream>& bank, std::vector<Donor>& chairs) {
  net::steady_timer tick(co_await net::this_coro::executor);
  std::vector<std::string> frames;
  for (;;) {
    tick.expires_after(std::chrono::seconds(2));
    co_await tick.async_wait(net::use_awaitable);
    frames.clear();
    for (const auto& c : chairs) frames.push_back(json{{"chair", c.chair}, {"donor", c.donor_id}}.dump());
    for (const auto& f : frames) {
      bank.async_write(net::buffer(f), net::detached); // expect: errorshield-ws-concurrent-write
    }
  }
}

// End-of-day summary: awaited one after the other.
net::awaitable<void> send_day_summary(websocket::stream<beast::tcp_stream>& bank, int units, int deferrals) {
  const std::string units_msg = json{{"units_collected", units}}.dump();
  const std::string deferral_msg = json{{"deferrals", deferrals}}.dump();
  co_await bank.async_write(net::buffer(units_msg), net::use_awaitable);    // OK: awaited
  co_await bank.async_write(net::buffer(deferral_msg), net::use_awaitable); // OK: previous finished
}

// Kiosk HTTP endpoint: a 100-continue interim response, then the final one,
// the second started from the first one's completion handler.
class KioskRequest : public std::enable_shared_from_this<KioskRequest> {
 public:
  explicit KioskRequest(beast::tcp_stream s) : stream_(std::move(s)) {}

  void reply(const std::string& body) {
    interim_.result(http::status::continue_);
    interim_.version(11);
    final_.result(http::status::ok);
    final_.version(11);
    final_.body() = body;
    final_.prepare_payload();
    http::async_write(stream_, interim_, [self = shared_from_this()](beast::error_code ec, std::size_t) { // OK: first
      if (ec) return;
      http::async_write(self->stream_, self->final_, [self](beast::error_code, std::size_t) {}); // OK: chained
    });
  }

 private:
  beast::tcp_stream stream_;
  http::response<http::empty_body> interim_;
  http::response<http::string_body> final_;
};

void start_monitor(net::io_context& ioc, websocket::stream<beast::tcp_stream>& bank, std::vector<Donor>& chairs) {
  net::co_spawn(ioc, chair_monitor(bank, chairs), net::detached);
}

} // namespace donordrive
