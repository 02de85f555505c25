// checks: errorshield-thread-per-connection
// Ground-station telemetry hub: antenna modems push decoded downlink frames over
// TCP, mission-ops consoles subscribe to the live stream, and the pass scheduler
// archives each satellite pass.
#include <boost/asio.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace gs {

struct TelemetryFrame {
  std::uint16_t spacecraft_id = 0;
  std::uint16_t virtual_channel = 0;
  std::uint32_t frame_count = 0;
  std::array<std::uint8_t, 1115> data{};
};

struct PassWindow {
  std::uint16_t spacecraft_id = 0;
  std::chrono::system_clock::time_point aos;
  std::chrono::system_clock::time_point los;
};

void archive_pass(const PassWindow& w);
void publish_frame(const TelemetryFrame& f);

// Bounded work queue used by the console side.
class JobQueue {
 public:
  explicit JobQueue(std::size_t cap) : cap_(cap) {}
  bool try_push(std::function<void()> job) {
    std::lock_guard lk(mu_);
    if (jobs_.size() >= cap_) return false;
    jobs_.push_back(std::move(job));
    cv_.notify_one();
    return true;
  }
  std::function<void()> pop() {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return !jobs_.empty() || stop_; });
    if (jobs_.empty()) return {};
    auto j = std::move(jobs_.front());
    jobs_.pop_front();
    return j;
  }
  void stop() {
    std::lock_guard lk(mu_);
    stop_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::size_t cap_;
  bool stop_ = false;
};

class TelemetryHub {
 public:
  TelemetryHub(unsigned short modem_port, unsigned short console_port, unsigned workers)
      : modem_acc_(ioc_, {tcp::v4(), modem_port}),
        console_acc_(ioc_, {tcp::v4(), console_port}),
        console_jobs_(64),
        worker_count_(workers) {}

  void start() {
    // Fixed set of console workers, sized from config.
    for (unsigned i = 0; i < worker_count_; ++i) {
      console_workers_.emplace_back([this] {
        while (auto job = console_jobs_.pop()) job();
      });
    }
    // One thread owns the modem accept loop.
    modem_thread_ = std::thread([this] { modem_accept_loop(); });
    // One housekeeping thread for the whole hub.
    scheduler_thread_ = std::thread([this] { pass_scheduler(); });

    accept_console();
    for (unsigned i = 0; i < 2; ++i) io_threads_.emplace_back([this] { ioc_.run(); });
  }

  void stop() {
    running_ = false;
    ioc_.stop();
    console_jobs_.stop();
    for (auto& t : io_threads_) t.join();
    for (auto& t : console_workers_) t.join();
    if (modem_thread_.joinable()) modem_thread_.join();
    if (scheduler_thread_.joinable()) scheduler_thread_.join();
  }

  void schedule_pass(const PassWindow& w) {
    std::lock_guard lk(pass_mu_);
    passes_.push_back(w);
  }

 private:
  // Modems connect once per pass and stream frames until LOS.
  void modem_accept_loop() {
    while (running_) {
      tcp::socket sock(ioc_);
      boost::system::error_code ec;
      modem_acc_.accept(sock, ec);
      if (ec) continue;
      std::thread(&TelemetryHub::serve_modem, this, std::move(sock)).detach(); // expect: errorshield-thread-per-connection
    }
  }

  void serve_modem(tcp::socket sock) {
    TelemetryFrame f;
    boost::system::error_code ec;
    for (;;) {
      asio::read(sock, asio::buffer(&f, sizeof f), ec);
      if (ec) break;
      publish_frame(f);
    }
  }

  void accept_console() {
    console_acc_.async_accept([this](boost::system::error_code ec, tcp::socket sock) {
      if (!ec) dispatch_console(std::move(sock));
      accept_console();
    });
  }

  void dispatch_console(tcp::socket sock) {
    auto s = std::make_shared<tcp::socket>(std::move(sock));
    if (console_jobs_.try_push([this, s] { serve_console(*s); })) return;
    // Queue full during a busy pass: don't refuse the operator.
    overflow_.emplace_back([this, s] { serve_console(*s); }); // expect: errorshield-thread-per-connection
  }

  void serve_console(tcp::socket& s) {
    json hello{{"type", "hello"}, {"station", "GS-KIRUNA-2"}};
    std::string line = hello.dump() + "\n";
    boost::system::error_code ec;
    asio::write(s, asio::buffer(line), ec);
  }

  // One archive job per scheduled pass (not per connection).
  void pass_scheduler() {
    while (running_) {
      std::vector<PassWindow> due;
      {
        std::lock_guard lk(pass_mu_);
        auto now = std::chrono::system_clock::now();
        for (auto it = passes_.begin(); it != passes_.end();) {
          if (it->los <= now) {
            due.push_back(*it);
            it = passes_.erase(it);
          } else {
            ++it;
          }
        }
      }
      for (auto& w : due) archive_pass(w);
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }

  asio::io_context ioc_;
  tcp::acceptor modem_acc_;
  tcp::acceptor console_acc_;
  JobQueue console_jobs_;
  unsigned worker_count_;
  std::atomic<bool> running_{true};
  std::vector<std::thread> console_workers_;
  std::vector<std::thread> io_threads_;
  std::vector<std::jthread> overflow_;
  std::thread modem_thread_;
  std::thread scheduler_thread_;
  std::mutex pass_mu_;
  std::vector<PassWindow> passes_;
};

// Command uplink gateway: ground-ops tools open short-lived sessions to send
// telecommands. Written separately, later, by a different team.
class UplinkGateway {
 public:
  explicit UplinkGateway(unsigned short port) : acc_(ioc_, {tcp::v4(), port}), pool_(4) {}

  void run_forever() {
    for (;;) {
      tcp::socket sock(ioc_);
      acc_.accept(sock);
      auto peer = sock.remote_endpoint().address().to_string();
      if (peer.rfind("10.42.", 0) == 0) {
        // Trusted ops LAN: hand off to the fixed pool.
        asio::post(pool_, [s = std::make_shared<tcp::socket>(std::move(sock))] {
          handle_uplink(*s);
        });
      } else {
        pending_.push_back(std::async(std::launch::async, [s = std::move(sock)]() mutable { // expect: errorshield-thread-per-connection
          reject_untrusted(s);
        }));
      }
    }
  }

  // Two-way ranging sessions from the antenna controllers.
  void start_ranging(tcp::acceptor& ranging_acc) {
    accept_ranging(ranging_acc, [](tcp::socket& s) {
      std::array<std::uint8_t, 64> tone{};
      boost::system::error_code ec;
      while (!ec) {
        s.read_some(asio::buffer(tone), ec);
        if (!ec) asio::write(s, asio::buffer(tone), ec);
      }
    });
  }

  template <class Handler>
  void accept_ranging(tcp::acceptor& ranging_acc, Handler on_session) {
    ranging_acc.async_accept([this, &ranging_acc, on_session](boost::system::error_code ec, tcp::socket s) {
      if (ec) return;
      std::jthread worker([on_session, sock = std::move(s)]() mutable { on_session(sock); }); // expect: errorshield-thread-per-connection
      ranging_threads_.push_back(std::move(worker));
      accept_ranging(ranging_acc, on_session);
    });
  }

 private:
  static void handle_uplink(tcp::socket& s) {
    std::array<char, 256> cmd{};
    boost::system::error_code ec;
    s.read_some(asio::buffer(cmd), ec);
  }
  static void reject_untrusted(tcp::socket& s) {
    boost::system::error_code ec;
    asio::write(s, asio::buffer(std::string("NAK untrusted\n")), ec);
    s.close(ec);
  }

  asio::io_context ioc_;
  tcp::acceptor acc_;
  asio::thread_pool pool_;
  std::vector<std::future<void>> pending_;
  std::vector<std::jthread> ranging_threads_;
};

}  // namespace gs
