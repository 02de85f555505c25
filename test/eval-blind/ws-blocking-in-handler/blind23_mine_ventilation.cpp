// checks: errorshield-ws-blocking-in-handler
// Mine ventilation control gateway: the surface control room sends fan
// commands over WebSocket, the gateway drives the fan PLCs over Modbus/TCP
// and raises alarms from the methane sensor heads.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace vent {

// Writes one holding register on the fan PLC and waits for the echo.
bool modbus_write_register(tcp::socket& plc, std::uint16_t reg, std::uint16_t value) {
  static std::uint16_t txn = 0;
  ++txn;
  std::array<std::uint8_t, 12> req{
      std::uint8_t(txn >> 8), std::uint8_t(txn), 0, 0, 0, 6, 1, 0x06,
      std::uint8_t(reg >> 8), std::uint8_t(reg), std::uint8_t(value >> 8), std::uint8_t(value)};
  std::array<std::uint8_t, 12> rsp{};
  beast::error_code ec;
  asio::write(plc, asio::buffer(req), ec);
  if (!ec) asio::read(plc, asio::buffer(rsp), ec);
  return !ec && rsp[7] == 0x06;
}

double read_methane_percent(int head) { return 0.15 + 0.01 * head; }

constexpr std::uint16_t kFanSpeedReg = 40001;

// Control-room session: one per operator console.
class ControlSession : public std::enable_shared_from_this<ControlSession> {
 public:
  ControlSession(tcp::socket s, tcp::socket& plc, asio::thread_pool& blocking)
      : ws_(std::move(s)), plc_(plc), blocking_(blocking), ramp_timer_(ws_.get_executor()) {}

  void start() {
    ws_.read_message_max(4096);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read_command();
    });
  }

 private:
  void read_command() {
    ws_.async_read(buf_, beast::bind_front_handler(&ControlSession::on_command, shared_from_this()));
  }

  void on_command(beast::error_code ec, std::size_t) {
    if (ec) return;
    auto cmd = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    const auto op = cmd.value("op", "");
    if (op == "ramp") {
      // Large axial fans must not be stepped faster than one step per 2 s.
      for (int rpm = cmd.value("from", 0); rpm <= cmd.value("to", 0); rpm += 50) {
        pending_rpm_ = rpm;
        std::this_thread::sleep_for(2s); // expect: errorshield-ws-blocking-in-handler
      }
      ack("ramp");
    } else if (op == "ramp_async") {
      target_rpm_ = cmd.value("to", 0);
      pending_rpm_ = cmd.value("from", 0);
      step_ramp();
    } else if (op == "set") {
      const auto rpm = static_cast<std::uint16_t>(cmd.value("rpm", 0));
      if (modbus_write_register(plc_, kFanSpeedReg, rpm)) ack("set"); // expect: errorshield-ws-blocking-in-handler
    } else if (op == "set_offloaded") {
      const auto rpm = static_cast<std::uint16_t>(cmd.value("rpm", 0));
      asio::post(blocking_, [self = shared_from_this(), rpm] {
        bool ok = modbus_write_register(self->plc_, kFanSpeedReg, rpm);
        asio::post(self->ws_.get_executor(), [self, ok] {
          if (ok) self->ack("set_offloaded");
        });
      });
    }
    read_command();
  }

  void step_ramp() {
    if (pending_rpm_ > target_rpm_) return ack("ramp_async");
    ramp_timer_.expires_after(2s);
    ramp_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->pending_rpm_ += 50;
      self->step_ramp();
    });
  }

  void ack(const std::string& what) {
    auto msg = std::make_shared<std::string>(json{{"ack", what}, {"rpm", pending_rpm_}}.dump());
    outbox_.push_back(msg);
    if (outbox_.size() == 1) flush();
  }
  void flush() {
    ws_.text(true);
    ws_.async_write(asio::buffer(*outbox_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->outbox_.erase(self->outbox_.begin());
      if (!ec && !self->outbox_.empty()) self->flush();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  tcp::socket& plc_;
  asio::thread_pool& blocking_;
  asio::steady_timer ramp_timer_;
  beast::flat_buffer buf_;
  std::vector<std::shared_ptr<std::string>> outbox_;
  int pending_rpm_ = 0;
  int target_rpm_ = 0;
};

// Methane watch: periodic sampling, alarm pushed to the shift supervisor's display.
class GasWatch {
 public:
  GasWatch(asio::io_context& ioc, websocket::stream<tcp::socket>& supervisor)
      : timer_(ioc), supervisor_(supervisor) {}

  void arm() {
    timer_.expires_after(1s);
    timer_.async_wait([this](beast::error_code ec) {
      if (ec) return;
      for (int head = 0; head < 12; ++head) {
        const double ch4 = read_methane_percent(head);
        if (ch4 >= 1.0) {
          const std::string alarm = json{{"alarm", "CH4"}, {"head", head}, {"pct", ch4}}.dump();
          supervisor_.write(asio::buffer(alarm)); // expect: errorshield-ws-blocking-in-handler
        }
      }
      arm();
    });
  }

 private:
  asio::steady_timer timer_;
  websocket::stream<tcp::socket>& supervisor_;
};

// Pre-shift purge sequence: fans to 100% for the purge window, then back.
asio::awaitable<void> purge_sequence(tcp::socket& plc, std::chrono::seconds window) {
  auto ex = co_await asio::this_coro::executor;
  co_await asio::post(ex, asio::use_awaitable);
  asio::steady_timer t(ex);
  std::clog << "purge start\n";
  t.expires_after(window);
  t.wait(); // expect: errorshield-ws-blocking-in-handler
  std::clog << "purge done\n";
  (void)plc;
}

asio::awaitable<void> reentry_check(std::chrono::seconds settle) {
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer t(ex);
  t.expires_after(settle);
  co_await t.async_wait(asio::use_awaitable);
  std::clog << "re-entry reading: " << read_methane_percent(0) << "%\n";
}

// Diagnostics pulled from the drive inverters (slow vendor API, runs async).
template <class Reporter>
class InverterDiagnostics {
 public:
  InverterDiagnostics(asio::io_context& ioc, Reporter r) : ioc_(ioc), report_(std::move(r)) {}

  void request(int drive) {
    auto fut = std::async(std::launch::async, [drive] {
      std::this_thread::sleep_for(300ms);  // vendor DLL is slow
      return json{{"drive", drive}, {"temp_c", 61}};
    });
    asio::post(ioc_, [this, f = std::make_shared<std::future<json>>(std::move(fut))] {
      report_(f->get()); // expect: errorshield-ws-blocking-in-handler
    });
  }

 private:
  asio::io_context& ioc_;
  Reporter report_;
};

// Dedicated Modbus poller thread: reads fan status every 500 ms.
void poller(tcp::socket& plc, std::atomic<bool>& running) {
  while (running) {
    modbus_write_register(plc, kFanSpeedReg + 10, 1);  // heartbeat register
    std::this_thread::sleep_for(500ms);
  }
}

}  // namespace vent

int main() {
  asio::io_context ioc;
  asio::thread_pool blocking(2);

  tcp::socket plc(ioc);
  // Wait for the PLC to come up before accepting operators.
  for (int attempt = 0; attempt < 10; ++attempt) {
    beast::error_code ec;
    plc.connect({asio::ip::make_address("10.20.0.5"), 502}, ec);
    if (!ec) break;
    plc.close();
    std::this_thread::sleep_for(3s);
  }

  tcp::acceptor acc(ioc, {tcp::v4(), 8800});
  acc.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec) std::make_shared<vent::ControlSession>(std::move(s), plc, blocking)->start();
  });

  websocket::stream<tcp::socket> supervisor(ioc);
  vent::GasWatch watch(ioc, supervisor);
  watch.arm();

  asio::co_spawn(ioc, vent::purge_sequence(plc, std::chrono::seconds(300)), asio::detached);
  asio::co_spawn(ioc, vent::reentry_check(std::chrono::seconds(60)), asio::detached);

  auto reporter = [](const json& j) { std::clog << j.dump() << "\n"; };
  vent::InverterDiagnostics<decltype(reporter)> diag(ioc, reporter);
  diag.request(3);

  std::atomic<bool> running{true};
  std::thread poll([&] { vent::poller(plc, running); });
  ioc.run();
  running = false;
  poll.join();
  blocking.join();
}
