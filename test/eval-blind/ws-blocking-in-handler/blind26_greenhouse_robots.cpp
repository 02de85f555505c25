// checks: errorshield-ws-blocking-in-handler
// Greenhouse robot controller: watering/harvest robots report telemetry over
// WebSocket, the controller answers with motion commands and logs to disk.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace greenhouse {

struct ValveBus {
  int fd = -1;
  bool open(const char* dev) {
    fd = ::open(dev, O_RDWR | O_NOCTTY);
    return fd >= 0;
  }
};

struct IrrigationPlanner {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<json> plans;

  json wait_for_plan() {
    std::unique_lock lk(mu);
    cv.wait(lk, [this] { return !plans.empty(); });
    json p = std::move(plans.front());
    plans.pop_front();
    return p;
  }
};

json plan_row(const json& telemetry) {
  return {{"row", telemetry.value("row", 0)}, {"litres", telemetry.value("moisture", 0.5) < 0.3 ? 2.0 : 0.0}};
}

// One session per watering robot.
class RobotSession : public std::enable_shared_from_this<RobotSession> {
 public:
  RobotSession(tcp::socket s, ValveBus& bus, IrrigationPlanner& planner, net::thread_pool& disk)
      : ws_(std::move(s)), bus_(bus), planner_(planner), disk_(disk) {}

  void start() {
    ws_.read_message_max(64 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read();
    });
  }

 private:
  void read() {
    ws_.async_read(buf_, beast::bind_front_handler(&RobotSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    auto t = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (t.is_discarded()) return read();

    if (t.value("stalled", false)) {
      // give the arm a moment to settle before re-homing
      std::this_thread::sleep_for(500ms); // expect: errorshield-ws-blocking-in-handler
    }

    auto cmd = plan_row(t);
    ws_.text(true);
    ws_.write(net::buffer(cmd.dump())); // expect: errorshield-ws-blocking-in-handler

    // archive telemetry off the I/O threads
    net::post(disk_, [line = t.dump()] {
      std::ofstream log("/var/log/greenhouse/telemetry.jsonl", std::ios::app);
      log << line << '\n';
    });
    read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  ValveBus& bus_;
  IrrigationPlanner& planner_;
  net::thread_pool& disk_;
};

// Harvest robots: coroutine sessions.
net::awaitable<void> harvest_session(tcp::socket sock, ValveBus& bus) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.read_message_max(64 * 1024);
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    auto msg = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (msg.is_discarded()) continue;

    // the conveyor gate controller reports 'K' once the basket is seated
    char ack = 0;
    ::read(bus.fd, &ack, 1); // expect: errorshield-ws-blocking-in-handler

    net::steady_timer settle(co_await net::this_coro::executor, 200ms);
    co_await settle.async_wait(net::use_awaitable);

    ws.text(true);
    co_await ws.async_write(net::buffer(json{{"gate_ack", ack == 'K'}}.dump()), net::use_awaitable);
  }
}

// Periodic irrigation tick: pulls the next plan from the planner thread.
class IrrigationTicker {
 public:
  IrrigationTicker(net::io_context& ioc, IrrigationPlanner& p) : timer_(ioc), planner_(p) {}

  void start() {
    timer_.expires_after(30s);
    timer_.async_wait([this](beast::error_code ec) {
      if (ec) return;
      json plan = planner_.wait_for_plan(); // expect: errorshield-ws-blocking-in-handler
      std::cout << "irrigating: " << plan.dump() << "\n";
      start();
    });
  }

 private:
  net::steady_timer timer_;
  IrrigationPlanner& planner_;
};

// Climate sensors answer through a std::future from the vendor SDK.
std::future<double> query_humidity_sensor(int zone) {
  return std::async(std::launch::async, [zone] { return 0.55 + zone * 0.01; });
}

template <class Executor>
void schedule_climate_check(Executor ex, int zone) {
  net::post(ex, [zone] {
    auto f = query_humidity_sensor(zone);
    double h = f.get(); // expect: errorshield-ws-blocking-in-handler
    if (h > 0.85) std::cout << "zone " << zone << ": open vents\n";
  });
}

// Same vendor SDK, but we only poll the future from the timer.
class HumidityPoller {
 public:
  HumidityPoller(net::io_context& ioc, int zone) : timer_(ioc), zone_(zone) {}

  void start() {
    pending_ = query_humidity_sensor(zone_);
    poll();
  }

 private:
  void poll() {
    timer_.expires_after(100ms);
    timer_.async_wait([this](beast::error_code ec) {
      if (ec) return;
      if (pending_.wait_for(0s) != std::future_status::ready) return poll();
      std::cout << "zone " << zone_ << " humidity " << pending_.get() << "\n";
    });
  }

  net::steady_timer timer_;
  int zone_;
  std::future<double> pending_;
};

// Planner runs on its own thread and publishes a plan every few seconds.
void planner_thread(IrrigationPlanner& p, std::atomic<bool>& stop) {
  while (!stop) {
    std::this_thread::sleep_for(5s);
    {
      std::lock_guard lk(p.mu);
      p.plans.push_back(json{{"row", 3}, {"litres", 1.5}});
    }
    p.cv.notify_one();
  }
}

// Firmware push for a robot being serviced at the bench, on a dedicated thread.
void firmware_push(tcp::socket sock, const std::string& image) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept();
  ws.binary(true);
  ws.write(net::buffer(image));
  std::this_thread::sleep_for(1s);
  ws.close(websocket::close_code::normal);
}

net::awaitable<void> listen(tcp::acceptor acc, ValveBus& bus, IrrigationPlanner& planner, net::thread_pool& disk) {
  for (int n = 0;; ++n) {
    auto sock = co_await acc.async_accept(net::use_awaitable);
    if (n % 2)
      std::make_shared<RobotSession>(std::move(sock), bus, planner, disk)->start();
    else
      net::co_spawn(acc.get_executor(), harvest_session(std::move(sock), bus), net::detached);
  }
}

}  // namespace greenhouse

int main() {
  net::io_context ioc;
  net::thread_pool disk(1);
  greenhouse::ValveBus bus;
  bus.open("/dev/ttyUSB0");
  greenhouse::IrrigationPlanner planner;
  std::atomic<bool> stop{false};
  std::thread planner_worker(greenhouse::planner_thread, std::ref(planner), std::ref(stop));

  net::co_spawn(ioc, greenhouse::listen(tcp::acceptor(ioc, {tcp::v4(), 9300}), bus, planner, disk), net::detached);
  greenhouse::IrrigationTicker ticker(ioc, planner);
  ticker.start();
  greenhouse::HumidityPoller poller(ioc, 2);
  poller.start();
  greenhouse::schedule_climate_check(ioc.get_executor(), 4);

  ioc.run();
  stop = true;
  planner_worker.join();
  disk.join();
}
