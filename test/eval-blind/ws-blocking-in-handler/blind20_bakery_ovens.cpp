// checks: errorshield-ws-blocking-in-handler
// Oven monitor for the production bakery: tunnel ovens report zone
// temperatures, the line dashboard subscribes over WebSocket, alarms are
// forwarded to the plant SCADA gateway.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

struct ZoneReading {
  int oven = 0;
  int zone = 0;
  double celsius = 0.0;
};

class OvenState {
public:
  void update(ZoneReading r) {
    std::lock_guard lk(mu_);
    zones_[{r.oven, r.zone}] = r.celsius;
  }
  json snapshot() const {
    std::lock_guard lk(mu_);
    json j = json::array();
    for (auto const &[key, c] : zones_)
      j.push_back({{"oven", key.first}, {"zone", key.second}, {"c", c}});
    return j;
  }

private:
  mutable std::mutex mu_;
  std::map<std::pair<int, int>, double> zones_;
};

// Zone probes on the RS-485 bus. A dedicated reader thread owns the port.
class ProbeBus {
public:
  ProbeBus(net::io_context &ioc, OvenState &state, char const *dev) : ioc_(ioc), state_(state) {
    fd_ = ::open(dev, O_RDONLY | O_NOCTTY);
    reader_ = std::thread([this] { read_loop(); });
  }
  ~ProbeBus() {
    stop_ = true;
    reader_.join();
    if (fd_ >= 0)
      ::close(fd_);
  }

private:
  void read_loop() {
    std::array<unsigned char, 8> frame{};
    while (!stop_) {
      if (fd_ < 0 || ::read(fd_, frame.data(), frame.size()) != static_cast<ssize_t>(frame.size())) {
        std::this_thread::sleep_for(200ms);
        continue;
      }
      ZoneReading r{frame[0], frame[1], (frame[2] << 8 | frame[3]) / 10.0};
      net::post(ioc_, [this, r] { state_.update(r); });
    }
  }
  net::io_context &ioc_;
  OvenState &state_;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread reader_;
};

// Line dashboard session.
class DashboardSession : public std::enable_shared_from_this<DashboardSession> {
public:
  DashboardSession(tcp::socket s, OvenState &state) : ws_(std::move(s)), state_(state), tick_(ws_.get_executor()) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(4096);
    ws_.async_accept(beast::bind_front_handler(&DashboardSession::on_accept, shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    do_read();
    schedule_push();
  }

  void do_read() {
    ws_.async_read(buf_, beast::bind_front_handler(&DashboardSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    auto req = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (req.is_object() && req.value("cmd", "") == "ack_alarm") {
      std::string reply = json{{"acked", req.value("id", 0)}}.dump();
      ws_.write(net::buffer(reply)); // expect: errorshield-ws-blocking-in-handler
    }
    do_read();
  }

  void schedule_push() {
    tick_.expires_after(1s);
    tick_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      self->out_ = self->state_.snapshot().dump();
      self->ws_.async_write(net::buffer(self->out_), [self](beast::error_code wec, std::size_t) {
        if (!wec)
          self->schedule_push();
      });
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  OvenState &state_;
  net::steady_timer tick_;
  beast::flat_buffer buf_;
  std::string out_;
};

// Burner controller over Modbus-over-serial: after a setpoint change, the
// burner needs a moment before the confirmation register is valid.
void on_setpoint_written(int serial_fd, websocket::stream<beast::tcp_stream> &ws, beast::flat_buffer &buf) {
  ws.async_read(buf, [serial_fd, &ws, &buf](beast::error_code ec, std::size_t) {
    if (ec)
      return;
    std::this_thread::sleep_for(250ms); // expect: errorshield-ws-blocking-in-handler
    unsigned char confirm[4];
    ssize_t n = ::read(serial_fd, confirm, sizeof confirm); // expect: errorshield-ws-blocking-in-handler
    buf.consume(buf.size());
    if (n == 4)
      ws.async_write(net::buffer(std::string("{\"setpoint\":\"confirmed\"}")), [](beast::error_code, std::size_t) {});
  });
}

// Recipe changes from the planning system.
net::awaitable<void> recipe_session(websocket::stream<beast::tcp_stream> ws) {
  ws.read_message_max(64 * 1024);
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    auto req = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (!req.is_object())
      continue;
    auto validation = std::async(std::launch::async, [req] { return req.contains("bake_minutes"); });
    bool ok = validation.get(); // expect: errorshield-ws-blocking-in-handler
    co_await ws.async_write(net::buffer(json{{"ok", ok}}.dump()), net::use_awaitable);
  }
}

// Alarm forwarding to SCADA; the gateway host comes from config.
class AlarmForwarder {
public:
  AlarmForwarder(net::io_context &ioc, std::string host) : ioc_(ioc), host_(std::move(host)), retry_(ioc) {}

  void raise(json alarm) {
    net::post(ioc_, [this, alarm = std::move(alarm)] {
      tcp::resolver resolver(ioc_);
      auto endpoints = resolver.resolve(host_, "502"); // expect: errorshield-ws-blocking-in-handler
      auto stream = std::make_shared<beast::tcp_stream>(ioc_);
      stream->async_connect(endpoints, [stream, body = alarm.dump()](beast::error_code ec, tcp::endpoint) {
        if (!ec)
          net::async_write(stream->socket(), net::buffer(body), [stream](beast::error_code, std::size_t) {});
      });
    });
  }

  void raise_with_backoff(json alarm) {
    retry_.expires_after(2s);
    retry_.async_wait([this, alarm = std::move(alarm)](beast::error_code ec) mutable {
      if (ec)
        return;
      auto resolver = std::make_shared<tcp::resolver>(ioc_);
      resolver->async_resolve(host_, "502", [resolver, body = alarm.dump()](beast::error_code rec, auto results) {
        if (!rec)
          std::cout << "alarm gateway resolved: " << results.size() << " endpoint(s); " << body << "\n";
      });
    });
  }

private:
  net::io_context &ioc_;
  std::string host_;
  net::steady_timer retry_;
};

// HACCP export: auditors fetch the last shift's temperature log.
net::awaitable<void> haccp_export(beast::tcp_stream stream, OvenState &state) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(stream, buf, req, net::use_awaitable);
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  res.body() = state.snapshot().dump();
  res.prepare_payload();
  co_await http::async_write(stream, res, net::use_awaitable);
}

std::string load_gateway_host(char const *path) {
  std::ifstream in(path);
  std::string host;
  std::getline(in, host);
  return host.empty() ? "scada.local" : host;
}

int main() {
  std::string host = load_gateway_host("/etc/ovenmon/gateway.conf");
  net::io_context ioc;
  OvenState state;
  ProbeBus probes(ioc, state, "/dev/ttyUSB0");
  AlarmForwarder alarms(ioc, host);

  tcp::acceptor acc(ioc, {tcp::v4(), 8700});
  std::function<void()> accept_next = [&] {
    acc.async_accept([&](beast::error_code ec, tcp::socket s) {
      if (!ec)
        std::make_shared<DashboardSession>(std::move(s), state)->start();
      accept_next();
    });
  };
  accept_next();

  net::steady_timer watchdog(ioc);
  watchdog.expires_after(30s);
  watchdog.async_wait([&](beast::error_code ec) {
    if (!ec)
      alarms.raise_with_backoff(json{{"alarm", "watchdog"}, {"snapshot", state.snapshot()}});
  });
  ioc.run();
}
