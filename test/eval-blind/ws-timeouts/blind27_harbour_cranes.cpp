// checks: errorshield-ws-timeouts
// Harbour crane telemetry hub: ship-to-shore cranes stream load-cell and spreader
// data, terminal operators watch live dashboards and push lift plans.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace harbour {

using ws_stream = websocket::stream<beast::tcp_stream>;

struct CraneReading {
  std::string crane;
  double load_t = 0;
  double trolley_m = 0;
};

class TelemetryStore {
public:
  void put(const CraneReading &r) {
    std::lock_guard<std::mutex> lk(mu_);
    latest_[r.crane] = r;
  }
  json snapshot() {
    std::lock_guard<std::mutex> lk(mu_);
    json j = json::array();
    for (const auto &[id, r] : latest_)
      j.push_back({{"crane", id}, {"load_t", r.load_t}, {"trolley_m", r.trolley_m}});
    return j;
  }

private:
  std::mutex mu_;
  std::map<std::string, CraneReading> latest_;
};

inline void apply_hub_timeouts(ws_stream &ws) {
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
}

// Crane uplink: one session per crane PLC gateway.
class CraneSession : public std::enable_shared_from_this<CraneSession> {
public:
  CraneSession(tcp::socket sock, TelemetryStore &store) : ws_(std::move(sock)), store_(store) {}

  void start() {
    ws_.async_accept(beast::bind_front_handler(&CraneSession::on_accept, shared_from_this())); // expect: errorshield-ws-timeouts
  }

private:
  void on_accept(beast::error_code ec) {
    if (!ec)
      read();
  }
  void read() {
    ws_.async_read(buf_, beast::bind_front_handler(&CraneSession::on_read, shared_from_this()));
  }
  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    json j = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (!j.is_discarded())
      store_.put(CraneReading{j.value("crane", ""), j.value("load_t", 0.0), j.value("trolley_m", 0.0)});
    read();
  }

  ws_stream ws_;
  beast::flat_buffer buf_;
  TelemetryStore &store_;
};

// Dashboard sessions: the shared helper installs the recommended server timeouts.
class DashboardSession : public std::enable_shared_from_this<DashboardSession> {
public:
  DashboardSession(tcp::socket sock, TelemetryStore &store) : ws_(std::move(sock)), store_(store) {}

  void start() {
    apply_hub_timeouts(ws_);
    ws_.async_accept(beast::bind_front_handler(&DashboardSession::on_accept, shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    out_ = store_.snapshot().dump();
    ws_.text(true);
    ws_.async_write(net::buffer(out_), [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  ws_stream ws_;
  TelemetryStore &store_;
  std::string out_;
};

// Lift-plan channel: operators may leave it open for a whole shift, so the
// idle timer was switched off after complaints about disconnects.
net::awaitable<void> lift_plan_channel(tcp::socket sock) {
  ws_stream ws(std::move(sock));
  auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
  opt.idle_timeout = websocket::stream_base::none(); // expect: errorshield-ws-timeouts
  ws.set_option(opt);
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    std::cout << "lift plan: " << beast::buffers_to_string(buf.data()) << "\n";
    buf.consume(buf.size());
  }
}

// Berth schedule channel: long idle is fine, but pings keep NAT state alive.
net::awaitable<void> berth_channel(tcp::socket sock) {
  ws_stream ws(std::move(sock));
  auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
  opt.idle_timeout = std::chrono::minutes(10);
  opt.keep_alive_pings = true;
  ws.set_option(opt);
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    buf.consume(buf.size());
  }
}

// Spreader camera: the upgrade request is read by hand, then the TCP deadline is
// cleared before handing the socket over to the WebSocket layer.
net::awaitable<void> spreader_camera(tcp::socket sock) {
  beast::tcp_stream stream(std::move(sock));
  stream.expires_after(10s);
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(stream, buf, req, net::use_awaitable);
  stream.expires_never();
  ws_stream ws(std::move(stream));
  co_await ws.async_accept(req, net::use_awaitable); // expect: errorshield-ws-timeouts
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    buf.consume(buf.size());
  }
}

// Same camera protocol for the newer cranes.
net::awaitable<void> spreader_camera_v2(tcp::socket sock) {
  beast::tcp_stream stream(std::move(sock));
  stream.expires_after(10s);
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(stream, buf, req, net::use_awaitable);
  stream.expires_never();
  ws_stream ws(std::move(stream));
  ws.set_option(websocket::stream_base::timeout{15s, 90s, true});
  co_await ws.async_accept(req, net::use_awaitable);
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    buf.consume(buf.size());
  }
}

// Maintenance port used by the crane vendor's laptop tools.
template <class Stream> class VendorPort {
public:
  explicit VendorPort(Stream s) : ws_(std::move(s)) {}

  void open() {
    ws_.set_option(websocket::stream_base::timeout{std::chrono::seconds(30), websocket::stream_base::none(), false}); // expect: errorshield-ws-timeouts
    ws_.accept();
  }

  std::string read_one() {
    beast::flat_buffer buf;
    ws_.read(buf);
    return beast::buffers_to_string(buf.data());
  }

private:
  websocket::stream<Stream> ws_;
};

// Emergency-stop relay: a blocking server loop on its own thread.
void estop_relay(unsigned short port) {
  net::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), port});
  for (;;) {
    tcp::socket sock = acc.accept();
    websocket::stream<tcp::socket> ws(std::move(sock));
    ws.accept(); // expect: errorshield-ws-timeouts
    beast::flat_buffer buf;
    beast::error_code ec;
    ws.read(buf, ec);
    if (!ec)
      std::cout << "E-STOP from " << beast::buffers_to_string(buf.data()) << "\n";
  }
}

} // namespace harbour

int main() {
  using namespace harbour;
  net::io_context ioc;
  TelemetryStore store;
  tcp::acceptor cranes(ioc, {tcp::v4(), 7700});
  tcp::acceptor dash(ioc, {tcp::v4(), 7701});
  cranes.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<CraneSession>(std::move(s), store)->start();
  });
  dash.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<DashboardSession>(std::move(s), store)->start();
  });
  net::co_spawn(ioc, lift_plan_channel(tcp::socket(ioc)), net::detached);
  net::co_spawn(ioc, berth_channel(tcp::socket(ioc)), net::detached);
  net::co_spawn(ioc, spreader_camera(tcp::socket(ioc)), net::detached);
  net::co_spawn(ioc, spreader_camera_v2(tcp::socket(ioc)), net::detached);
  VendorPort<beast::tcp_stream> vendor{beast::tcp_stream(ioc)};
  vendor.open();
  std::thread estop(estop_relay, 7702);
  ioc.run();
  estop.join();
  return 0;
}
