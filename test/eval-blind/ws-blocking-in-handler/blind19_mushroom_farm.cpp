// checks: errorshield-ws-blocking-in-handler
// Humidity control gateway for the grow rooms. Fogger/sensor controllers in each
// room connect over WebSocket, push RH/temperature readings and receive misting
// commands; the gateway relays setpoints to the room PLCs over a small TCP protocol.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

struct RoomReading {
  std::string room;
  double rh_percent = 0;
  double temp_c = 0;
  std::int64_t ts = 0;
};

// Append-only journal of readings, fsync'd so a power cut never loses a batch.
class ReadingJournal {
 public:
  explicit ReadingJournal(const char* path)
      : fd_(::open(path, O_WRONLY | O_CREAT | O_APPEND, 0644)) {}
  ~ReadingJournal() {
    if (fd_ >= 0) ::close(fd_);
  }

  bool append_durable(const RoomReading& r) {
    const std::string line =
        json{{"room", r.room}, {"rh", r.rh_percent}, {"t", r.temp_c}, {"ts", r.ts}}.dump() + "\n";
    std::lock_guard lk(mu_);
    if (::write(fd_, line.data(), line.size()) < 0) return false;
    return ::fsync(fd_) == 0;
  }

 private:
  int fd_;
  std::mutex mu_;
};

// Runs probe calibrations on its own thread; each one needs the chamber to settle.
class Calibrator {
 public:
  Calibrator() : worker_([this] { run(); }) {}
  ~Calibrator() {
    {
      std::lock_guard lk(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    worker_.join();
  }

  std::future<double> request(std::string room) {
    std::promise<double> p;
    auto f = p.get_future();
    {
      std::lock_guard lk(mu_);
      jobs_.push_back(Job{std::move(room), std::move(p)});
    }
    cv_.notify_one();
    return f;
  }

 private:
  struct Job {
    std::string room;
    std::promise<double> result;
  };

  void run() {
    for (;;) {
      std::unique_lock lk(mu_);
      cv_.wait(lk, [this] { return stop_ || !jobs_.empty(); });
      if (stop_) return;
      Job job = std::move(jobs_.front());
      jobs_.pop_front();
      lk.unlock();
      std::this_thread::sleep_for(2s);  // probe settle time
      job.result.set_value(job.room.size() * 0.1);
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  bool stop_ = false;
  std::thread worker_;
};

class Gateway {
 public:
  Gateway(asio::io_context& ioc, tcp::endpoint plc_ep)
      : ioc_(ioc), plc_ep_(plc_ep), plc_sock_(ioc), rotate_timer_(ioc), journal_("/var/lib/shroom/readings.jsonl") {
    on_plc_reply_ = [this](beast::error_code ec, std::size_t n) {
      if (ec == asio::error::eof || ec == asio::error::connection_reset) {
        plc_sock_.close();
        plc_sock_.connect(plc_ep_); // expect: errorshield-ws-blocking-in-handler
        return read_plc_reply();
      }
      if (ec) return;
      std::cout << "plc ack " << std::string(plc_reply_.data(), n) << "\n";
      read_plc_reply();
    };
  }

  // Called from main before the io threads start.
  void start() {
    plc_sock_.connect(plc_ep_);
    read_plc_reply();
    schedule_rotation();
  }

  ReadingJournal& journal() { return journal_; }
  Calibrator& calibrator() { return calibrator_; }
  asio::thread_pool& disk_pool() { return disk_pool_; }

  void record_alarm(RoomReading r) {
    {
      std::lock_guard lk(drain_mu_);
      ++pending_writes_;
    }
    asio::post(disk_pool_, [this, r = std::move(r)] {
      journal_.append_durable(r);
      std::lock_guard lk(drain_mu_);
      if (--pending_writes_ == 0) drained_cv_.notify_all();
    });
  }

  asio::awaitable<void> ramp_humidity(std::string room, double from, double to) {
    asio::steady_timer step_timer(co_await asio::this_coro::executor);
    const int steps = 10;
    for (int i = 1; i <= steps; ++i) {
      const double sp = from + (to - from) * i / steps;
      const std::string frame = "SP " + room + " " + std::to_string(sp) + "\n";
      asio::write(plc_sock_, asio::buffer(frame)); // expect: errorshield-ws-blocking-in-handler
      step_timer.expires_after(30s);
      co_await step_timer.async_wait(asio::use_awaitable);
    }
  }

  asio::awaitable<void> set_fan(std::string room, int pct) {
    const std::string frame = "FAN " + room + " " + std::to_string(pct) + "\n";
    co_await asio::async_write(plc_sock_, asio::buffer(frame), asio::use_awaitable);
  }

  void send_plc(std::shared_ptr<std::string> frame) {
    asio::async_write(plc_sock_, asio::buffer(*frame), [frame](beast::error_code, std::size_t) {});
  }

 private:
  void read_plc_reply() { plc_sock_.async_read_some(asio::buffer(plc_reply_), on_plc_reply_); }

  void schedule_rotation() {
    rotate_timer_.expires_after(1h);
    rotate_timer_.async_wait([this](beast::error_code ec) {
      if (ec) return;
      {
        std::unique_lock lk(drain_mu_);
        drained_cv_.wait(lk, [this] { return pending_writes_ == 0; }); // expect: errorshield-ws-blocking-in-handler
      }
      std::cout << "journal rotated\n";
      schedule_rotation();
    });
  }

  asio::io_context& ioc_;
  tcp::endpoint plc_ep_;
  tcp::socket plc_sock_;
  std::array<char, 256> plc_reply_{};
  std::function<void(beast::error_code, std::size_t)> on_plc_reply_;
  asio::steady_timer rotate_timer_;
  ReadingJournal journal_;
  Calibrator calibrator_;
  asio::thread_pool disk_pool_{2};
  std::mutex drain_mu_;
  std::condition_variable drained_cv_;
  int pending_writes_ = 0;
};

class ControllerSession : public std::enable_shared_from_this<ControllerSession> {
 public:
  ControllerSession(tcp::socket sock, Gateway& gw)
      : ws_(std::move(sock)), gw_(gw), pulse_timer_(ws_.get_executor()), poll_timer_(ws_.get_executor()) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(64 * 1024);
    ws_.async_accept(beast::bind_front_handler(&ControllerSession::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    do_read();
  }

  void do_read() {
    ws_.async_read(buf_, beast::bind_front_handler(&ControllerSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    auto msg = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (msg.is_discarded() || !msg.contains("room")) return do_read();

    const std::string type = msg.value("type", "");
    const std::string room = msg["room"].get<std::string>();
    if (type == "reading") {
      RoomReading r{room, msg.value("rh", 0.0), msg.value("t", 0.0), msg.value("ts", std::int64_t{0})};
      if (r.rh_percent > 97.0 || r.rh_percent < 75.0) {
        gw_.record_alarm(r);
      } else {
        gw_.journal().append_durable(r); // expect: errorshield-ws-blocking-in-handler
      }
    } else if (type == "mist_pulse") {
      const int ms = msg.value("ms", 500);
      gw_.send_plc(std::make_shared<std::string>("MIST " + room + " ON\n"));
      std::this_thread::sleep_for(std::chrono::milliseconds(ms)); // expect: errorshield-ws-blocking-in-handler
      gw_.send_plc(std::make_shared<std::string>("MIST " + room + " OFF\n"));
    } else if (type == "fan_pulse") {
      const int ms = msg.value("ms", 500);
      asio::co_spawn(ws_.get_executor(), gw_.set_fan(room, 100), asio::detached);
      pulse_timer_.expires_after(std::chrono::milliseconds(ms));
      pulse_timer_.async_wait([self = shared_from_this(), room](beast::error_code ec) {
        if (!ec) asio::co_spawn(self->ws_.get_executor(), self->gw_.set_fan(room, 20), asio::detached);
      });
    } else if (type == "ramp") {
      asio::co_spawn(ws_.get_executor(), gw_.ramp_humidity(room, msg.value("from", 85.0), msg.value("to", 92.0)),
                     asio::detached);
    } else if (type == "calibrate") {
      start_calibration(room);
    }
    do_read();
  }

  // The calibrator resolves the future on its own thread; poll it without blocking.
  void start_calibration(const std::string& room) {
    calib_ = gw_.calibrator().request(room);
    poll_calibration(room);
  }

  void poll_calibration(std::string room) {
    if (calib_.valid() && calib_.wait_for(0s) == std::future_status::ready) {
      const double offset = calib_.get();
      send(json{{"type", "calibrated"}, {"room", room}, {"offset", offset}}.dump());
      return;
    }
    poll_timer_.expires_after(250ms);
    poll_timer_.async_wait([self = shared_from_this(), room](beast::error_code ec) {
      if (!ec) self->poll_calibration(room);
    });
  }

  void send(std::string text) {
    outbox_.push_back(std::move(text));
    if (outbox_.size() == 1) write_next();
  }

  void write_next() {
    ws_.text(true);
    ws_.async_write(asio::buffer(outbox_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->outbox_.pop_front();
      if (!self->outbox_.empty()) self->write_next();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  Gateway& gw_;
  beast::flat_buffer buf_;
  asio::steady_timer pulse_timer_;
  asio::steady_timer poll_timer_;
  std::future<double> calib_;
  std::deque<std::string> outbox_;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& ioc, tcp::endpoint ep, Gateway& gw) : acceptor_(ioc, ep), gw_(gw) {}

  void run() { do_accept(); }

 private:
  void do_accept() {
    acceptor_.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket sock) {
      if (!ec) std::make_shared<ControllerSession>(std::move(sock), self->gw_)->run();
      self->do_accept();
    });
  }

  tcp::acceptor acceptor_;
  Gateway& gw_;
};

int main() {
  asio::io_context ioc;
  Gateway gw(ioc, tcp::endpoint(asio::ip::make_address("10.20.0.5"), 5020));

  // Wait for the PLC to come up before accepting controllers.
  for (int attempt = 0;; ++attempt) {
    try {
      gw.start();
      break;
    } catch (const boost::system::system_error& e) {
      if (attempt == 5) throw;
      std::this_thread::sleep_for(2s);
    }
  }

  // Baseline calibration of the spawn-run room before opening up.
  auto baseline = gw.calibrator().request("spawn-run");
  std::cout << "baseline offset " << baseline.get() << "\n";

  std::make_shared<Listener>(ioc, tcp::endpoint(tcp::v4(), 8081), gw)->run();

  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) threads.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : threads) t.join();
}
