// checks: errorshield-ws-blocking-in-handler
// Bedside-monitor gateway: patient monitors stream vitals as JSON lines over
// TCP; the gateway evaluates alarm limits, forwards to nurse-station dashboards
// over WebSocket, pages on critical alarms and keeps an audit trail.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using asio::awaitable;
using asio::use_awaitable;
using namespace std::chrono_literals;

namespace medgw {

struct AlarmLimits {
  int hr_low = 40, hr_high = 140;
  int spo2_low = 90;
};

struct Gateway {
  asio::io_context& ioc;
  asio::thread_pool& blocking_pool;
  websocket::stream<beast::tcp_stream>& nurse_ws;
  tcp::socket& pager;
  int audit_fd = -1;
  std::map<std::string, AlarmLimits> limits;  // per bed, loaded at startup
};

// Dedicated audit writer: owns the file, fsyncs every record. Runs on its own
// thread, never on the io_context.
class AuditWriter {
 public:
  explicit AuditWriter(int fd) : fd_(fd), th_([this] { loop(); }) {}
  ~AuditWriter() {
    { std::lock_guard lk(mu_); stop_ = true; }
    cv_.notify_one();
    th_.join();
  }
  void submit(std::string rec) {
    { std::lock_guard lk(mu_); q_.push_back(std::move(rec)); }
    cv_.notify_one();
  }

 private:
  void loop() {
    std::unique_lock lk(mu_);
    while (!stop_ || !q_.empty()) {
      cv_.wait(lk, [&] { return stop_ || !q_.empty(); });
      while (!q_.empty()) {
        auto rec = std::move(q_.front());
        q_.pop_front();
        lk.unlock();
        ::write(fd_, rec.data(), rec.size());
        ::fsync(fd_);
        lk.lock();
      }
    }
  }
  int fd_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> q_;
  bool stop_ = false;
  std::thread th_;
};

std::map<std::string, AlarmLimits> load_limits(const std::string& path) {
  std::map<std::string, AlarmLimits> out;
  std::ifstream in(path);
  std::string bed;
  AlarmLimits l;
  while (in >> bed >> l.hr_low >> l.hr_high >> l.spo2_low) out[bed] = l;
  return out;
}

// Sends a page; on failure falls back to the secondary route.
awaitable<void> page_critical(Gateway& gw, const std::string& bed, const std::string& what) {
  std::string page = "PAGE " + bed + " " + what + "\r\n";
  auto [ec, n] = co_await asio::async_write(gw.pager, asio::buffer(page),
                                            asio::as_tuple(use_awaitable));
  if (ec) {
    boost::system::error_code ec2;
    gw.pager.close(ec2);
    gw.pager.connect(tcp::endpoint(asio::ip::make_address("10.8.0.20"), 7100), ec2); // expect: errorshield-ws-blocking-in-handler
    if (!ec2) co_await asio::async_write(gw.pager, asio::buffer(page), use_awaitable);
  }
}

// Alarm must persist for 500 ms before it is raised (filters motion artefacts).
awaitable<bool> debounce_alarm(Gateway& gw, const std::string& bed, int hr) {
  std::this_thread::sleep_for(500ms); // expect: errorshield-ws-blocking-in-handler
  auto it = gw.limits.find(bed);
  co_return it != gw.limits.end() && (hr < it->second.hr_low || hr > it->second.hr_high);
}

// SpO2 version written later, with the timer.
awaitable<bool> debounce_spo2(Gateway& gw, const std::string& bed, int spo2) {
  asio::steady_timer t(gw.ioc, 500ms);
  co_await t.async_wait(use_awaitable);
  auto it = gw.limits.find(bed);
  co_return it != gw.limits.end() && spo2 < it->second.spo2_low;
}

// Critical alarms need an ack from the nurse station before we stop escalating.
awaitable<void> forward_alarm(Gateway& gw, const json& alarm, bool critical) {
  gw.nurse_ws.text(true);
  co_await gw.nurse_ws.async_write(asio::buffer(alarm.dump()), use_awaitable);
  if (!critical) co_return;
  beast::flat_buffer ack;
  gw.nurse_ws.read(ack); // expect: errorshield-ws-blocking-in-handler
  if (json::parse(beast::buffers_to_string(ack.data()), nullptr, false).value("ack", false) == false)
    co_await page_critical(gw, alarm.value("bed", "?"), "UNACKED");
}

awaitable<void> forward_trend(Gateway& gw, const json& trend) {
  beast::flat_buffer reply;
  gw.nurse_ws.text(true);
  co_await gw.nurse_ws.async_write(asio::buffer(trend.dump()), use_awaitable);
  co_await gw.nurse_ws.async_read(reply, use_awaitable);
}

awaitable<void> monitor_session(Gateway& gw, AuditWriter& audit, tcp::socket sock) {
  asio::streambuf buf;
  for (;;) {
    auto [ec, n] = co_await asio::async_read_until(sock, buf, '\n', asio::as_tuple(use_awaitable));
    if (ec) co_return;
    std::istream is(&buf);
    std::string line;
    std::getline(is, line);
    auto v = json::parse(line, nullptr, false);
    if (v.is_discarded()) continue;
    const std::string bed = v.value("bed", "");
    const int hr = v.value("hr", 0), spo2 = v.value("spo2", 100);

    audit.submit(line + "\n");  // OK: handed to the writer thread

    if (co_await debounce_alarm(gw, bed, hr)) {
      json alarm{{"bed", bed}, {"type", "HR"}, {"value", hr}};
      std::string rec = alarm.dump() + "\n";
      ::write(gw.audit_fd, rec.data(), rec.size()); // expect: errorshield-ws-blocking-in-handler
      co_await forward_alarm(gw, alarm, hr < 30 || hr > 180);
    }
    if (co_await debounce_spo2(gw, bed, spo2)) {
      json alarm{{"bed", bed}, {"type", "SPO2"}, {"value", spo2}};
      auto rec = std::make_shared<std::string>(alarm.dump() + "\n");
      asio::post(gw.blocking_pool, [fd = gw.audit_fd, rec] {
        ::write(fd, rec->data(), rec->size());
        ::fsync(fd);
      });
      co_await forward_alarm(gw, alarm, spo2 < 80);
    }
    if (v.contains("trend")) co_await forward_trend(gw, v["trend"]);
  }
}

// Legacy infusion pumps are bridged through a serial-to-fd adapter.
awaitable<void> pump_bridge(Gateway& gw, int serial_fd) {
  asio::posix::stream_descriptor serial(gw.ioc, ::dup(serial_fd));
  char chunk[256];
  for (;;) {
    auto [ec, n] = co_await serial.async_read_some(asio::buffer(chunk), asio::as_tuple(use_awaitable));
    if (ec) co_return;
    std::string frame(chunk, n);
    if (frame.rfind("OCCL", 0) == 0) {
      // occlusion: drain the rest of the status block before reporting
      char tail[64];
      ::read(serial_fd, tail, sizeof tail); // expect: errorshield-ws-blocking-in-handler
      co_await page_critical(gw, frame.substr(5, 4), "PUMP OCCLUSION");
    }
  }
}

awaitable<void> listener(Gateway& gw, AuditWriter& audit, unsigned short port) {
  tcp::acceptor acc(gw.ioc, {tcp::v4(), port});
  for (;;) {
    auto s = co_await acc.async_accept(use_awaitable);
    asio::co_spawn(gw.ioc, monitor_session(gw, audit, std::move(s)), asio::detached);
  }
}

int run(websocket::stream<beast::tcp_stream>& nurse_ws, tcp::socket& pager, asio::io_context& ioc) {
  asio::thread_pool pool(2);
  int audit_fd = ::open("/var/lib/medgw/audit.log", O_WRONLY | O_APPEND | O_CREAT, 0600);
  Gateway gw{ioc, pool, nurse_ws, pager, audit_fd, load_limits("/etc/medgw/limits.conf")};
  AuditWriter audit(::dup(audit_fd));
  pager.connect(tcp::endpoint(asio::ip::make_address("10.8.0.10"), 7100));  // startup, before run()
  asio::co_spawn(ioc, listener(gw, audit, 9400), asio::detached);
  asio::co_spawn(ioc, pump_bridge(gw, ::open("/dev/ttyUSB0", O_RDONLY)), asio::detached);
  ioc.run();
  pool.join();
  ::close(audit_fd);
  return 0;
}

}  // namespace medgw
