// checks: errorshield-ws-timeouts
// Elevator bank feed: lobby panels and car displays get live car positions,
// hall-call buttons and maintenance terminals talk back over WebSocket.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>
#include <syslog.h>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace lift {

struct CarState {
  int car = 0;
  int floor = 0;
  int direction = 0;  // -1 down, 0 idle, +1 up
  bool doors_open = false;
};

class BankModel {
 public:
  explicit BankModel(int cars) : cars_(static_cast<std::size_t>(cars)) {
    for (int i = 0; i < cars; ++i) cars_[static_cast<std::size_t>(i)].car = i + 1;
  }
  json snapshot() {
    std::lock_guard lk(mu_);
    json arr = json::array();
    for (auto& c : cars_)
      arr.push_back({{"car", c.car}, {"floor", c.floor}, {"dir", c.direction}, {"doors", c.doors_open}});
    return {{"type", "bank"}, {"cars", arr}};
  }
  void hall_call(int floor, bool up) {
    std::lock_guard lk(mu_);
    calls_.push_back(up ? floor : -floor);
  }
  void apply_controller_update(const json& j) {
    std::lock_guard lk(mu_);
    auto idx = j.value("car", 1) - 1;
    if (idx < 0 || static_cast<std::size_t>(idx) >= cars_.size()) return;
    auto& c = cars_[static_cast<std::size_t>(idx)];
    c.floor = j.value("floor", c.floor);
    c.direction = j.value("dir", c.direction);
    c.doors_open = j.value("doors", c.doors_open);
  }

 private:
  std::mutex mu_;
  std::vector<CarState> cars_;
  std::vector<int> calls_;
};

template <class NextLayer>
void apply_panel_timeouts(websocket::stream<NextLayer>& ws) {
  websocket::stream_base::timeout opt{};
  opt.handshake_timeout = 5s;
  opt.idle_timeout = 20s;
  opt.keep_alive_pings = true;
  ws.set_option(opt);
}

// Lobby wall panels: push a snapshot every 500 ms.
class LobbyPanelSession : public std::enable_shared_from_this<LobbyPanelSession> {
 public:
  LobbyPanelSession(tcp::socket s, BankModel& bank)
      : ws_(std::move(s)), tick_(ws_.get_executor()), bank_(bank) {}

  void run() {
    beast::get_lowest_layer(ws_).expires_after(10s);
    http::async_read(ws_.next_layer(), buf_, req_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return;
                       beast::get_lowest_layer(self->ws_).expires_never();
                       self->ws_.async_accept(self->req_, [self](beast::error_code ec2) {
                         if (!ec2) self->push();
                       });
                     });
  }

 private:
  void push() {
    frame_ = bank_.snapshot().dump();
    ws_.async_write(asio::buffer(frame_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->tick_.expires_after(500ms);
      self->tick_.async_wait([self](beast::error_code ec2) { if (!ec2) self->push(); });
    });
  }

  websocket::stream<beast::tcp_stream> ws_; // expect: errorshield-ws-timeouts
  asio::steady_timer tick_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  std::string frame_;
  BankModel& bank_;
};

// Hall-call buttons on each floor.
class HallCallSession : public std::enable_shared_from_this<HallCallSession> {
 public:
  HallCallSession(tcp::socket s, BankModel& bank) : ws_(std::move(s)), bank_(bank) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  }

  void run(http::request<http::string_body> req) {
    req_ = std::move(req);
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) { if (!ec) self->read(); });
  }

 private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      auto j = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.consume(self->buf_.size());
      if (!j.is_discarded()) self->bank_.hall_call(j.value("floor", 0), j.value("up", true));
      self->read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  http::request<http::string_body> req_;
  beast::flat_buffer buf_;
  BankModel& bank_;
};

// Maintenance terminals: plain TCP on the machine-room LAN, TLS in the lobby.
template <class NextLayer>
class MaintenanceTerminal : public std::enable_shared_from_this<MaintenanceTerminal<NextLayer>> {
 public:
  MaintenanceTerminal(NextLayer&& layer, BankModel& bank) : ws_(std::move(layer)), bank_(bank) {}

  void run(http::request<http::string_body> req) {
    req_ = std::move(req);
    ws_.async_accept(req_, [self = this->shared_from_this()](beast::error_code ec) {
      if (!ec) self->serve();
    });
  }

 private:
  void serve() {
    ws_.async_read(buf_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->buf_.consume(self->buf_.size());
      self->out_ = self->bank_.snapshot().dump();
      self->ws_.async_write(asio::buffer(self->out_), [self](beast::error_code ec2, std::size_t) {
        if (!ec2) self->serve();
      });
    });
  }

  websocket::stream<NextLayer> ws_; // expect: errorshield-ws-timeouts
  http::request<http::string_body> req_;
  beast::flat_buffer buf_;
  std::string out_;
  BankModel& bank_;
};

// Fire-service override panel: must notice a dead link fast.
class FireServicePanel {
 public:
  explicit FireServicePanel(BankModel& bank) : bank_(bank) {}

  void attach(tcp::socket s, http::request<http::string_body> req) {
    ws_ = std::make_unique<websocket::stream<beast::tcp_stream>>(std::move(s));
    apply_panel_timeouts(*ws_);
    req_ = std::move(req);
    ws_->async_accept(req_, [this](beast::error_code ec) {
      if (ec) { syslog(LOG_CRIT, "fire panel handshake failed: %s", ec.message().c_str()); return; }
      out_ = bank_.snapshot().dump();
      ws_->async_write(asio::buffer(out_), [](beast::error_code, std::size_t) {});
    });
  }

 private:
  BankModel& bank_;
  std::unique_ptr<websocket::stream<beast::tcp_stream>> ws_;
  http::request<http::string_body> req_;
  std::string out_;
};

// In-car displays (coroutine per car).
asio::awaitable<void> car_display(tcp::socket s, http::request<http::string_body> req, BankModel& bank) {
  websocket::stream<beast::tcp_stream> ws(std::move(s)); // expect: errorshield-ws-timeouts
  auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
  opt.idle_timeout = 15s;
  syslog(LOG_INFO, "car display: idle %lds",
         static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(opt.idle_timeout).count()));
  co_await ws.async_accept(req, asio::use_awaitable);
  asio::steady_timer t(ws.get_executor());
  for (;;) {
    auto frame = bank.snapshot().dump();
    co_await ws.async_write(asio::buffer(frame), asio::use_awaitable);
    t.expires_after(250ms);
    co_await t.async_wait(asio::use_awaitable);
  }
}

// Uplink to the group controller (we are the client here).
asio::awaitable<void> controller_uplink(std::string host, std::string port, BankModel& bank) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  auto eps = co_await resolver.async_resolve(host, port, asio::use_awaitable);
  websocket::stream<beast::tcp_stream> ws(ex);
  beast::get_lowest_layer(ws).expires_after(5s);
  co_await beast::get_lowest_layer(ws).async_connect(eps, asio::use_awaitable);
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client)); // expect: errorshield-ws-timeouts
  co_await ws.async_handshake(host, "/group/v1/cars", asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    auto j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (!j.is_discarded()) bank.apply_controller_update(j);
  }
}

// Building-management bridge: the BMS polls us, custom timeouts.
asio::awaitable<void> bms_bridge(tcp::socket s, http::request<http::string_body> req, BankModel& bank) {
  websocket::stream<beast::tcp_stream> ws(std::move(s));
  websocket::stream_base::timeout opt{};
  opt.handshake_timeout = 10s;
  opt.idle_timeout = 60s;
  opt.keep_alive_pings = false;
  ws.set_option(opt);
  co_await ws.async_accept(req, asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    buf.consume(buf.size());
    auto frame = bank.snapshot().dump();
    co_await ws.async_write(asio::buffer(frame), asio::use_awaitable);
  }
}

// Plain HTTP health probe for the building's monitoring.
void health_probe(tcp::socket s, BankModel& bank) {
  beast::tcp_stream stream(std::move(s));
  stream.expires_after(3s);
  beast::flat_buffer buf;
  http::request<http::empty_body> req;
  beast::error_code ec;
  http::read(stream, buf, req, ec);
  if (ec) return;
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.body() = bank.snapshot().dump();
  res.prepare_payload();
  http::write(stream, res, ec);
}

void instantiate_terminals(tcp::socket s, http::request<http::string_body> req, BankModel& bank) {
  auto t = std::make_shared<MaintenanceTerminal<beast::tcp_stream>>(beast::tcp_stream(std::move(s)), bank);
  t->run(std::move(req));
}

}  // namespace lift
