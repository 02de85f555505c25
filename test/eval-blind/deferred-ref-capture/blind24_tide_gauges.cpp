// checks: errorshield-deferred-ref-capture
// Tide gauge collector: gauges along the coast push water-level samples over
// TCP; the collector keeps one session per gauge and flushes batches to the
// archive on a timer.
#include <boost/asio.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace tide {

struct Sample {
  std::string station;
  double level_m = 0.0;
  std::int64_t epoch_ms = 0;
};

// Runs a callable when it leaves scope.
template <class Fn>
class OnExit {
public:
  explicit OnExit(Fn fn) : fn_(std::move(fn)) {}
  OnExit(const OnExit &) = delete;
  OnExit &operator=(const OnExit &) = delete;
  ~OnExit() { fn_(); }

private:
  Fn fn_;
};

template <class Fn>
OnExit<Fn> on_exit(Fn fn) { return OnExit<Fn>(std::move(fn)); }

class GaugeRegistry {
public:
  int attach(const std::string &station) {
    std::lock_guard lk(mu_);
    int slot = next_slot_++;
    slots_[slot] = station;
    return slot;
  }
  void detach(int slot) {
    std::lock_guard lk(mu_);
    slots_.erase(slot);
  }
  std::string station_of(int slot) const {
    std::lock_guard lk(mu_);
    auto it = slots_.find(slot);
    return it == slots_.end() ? std::string{} : it->second;
  }

private:
  mutable std::mutex mu_;
  std::map<int, std::string> slots_;
  int next_slot_ = 1;
};

void archive_batch(const std::string &station, const std::vector<Sample> &batch);
bool gauge_needs_recalibration(const std::string &station);

// Re-attach a gauge after it reported a clock jump: the old slot is released
// when we leave, the new one stays.
void reattach_after_clock_jump(GaugeRegistry &reg, const std::string &station) {
  int slot = reg.attach(station);
  auto release = on_exit([&] { reg.detach(slot); }); // expect: errorshield-deferred-ref-capture
  if (gauge_needs_recalibration(station)) {
    slot = reg.attach(station + "#recal");
  }
}

// Temporary probe slot used while checking a gauge's firmware banner.
void probe_gauge(GaugeRegistry &reg, const std::string &station) {
  const int slot = reg.attach(station + "#probe");
  auto release = on_exit([&] { reg.detach(slot); });
  (void)reg.station_of(slot);
}

// Same probe but keeping a copy of the slot id in the guard.
void probe_gauge_copy(GaugeRegistry &reg, std::string station) {
  int slot = reg.attach(station);
  auto release = on_exit([&reg, slot] { reg.detach(slot); });
  slot = 0;
  station.clear();
}

class GaugeSession : public std::enable_shared_from_this<GaugeSession> {
public:
  GaugeSession(tcp::socket sock, GaugeRegistry &reg)
      : sock_(std::move(sock)), flush_timer_(sock_.get_executor()), reg_(reg) {}

  void start(const std::string &station) {
    station_ = station;
    slot_ = reg_.attach(station_);
    schedule_flush();
    read_line();
  }

  // Called by the supervisor when the gauge stops answering.
  void drop_later(asio::io_context &ioc) {
    int slot = slot_;
    asio::post(ioc, [&slot, this] { reg_.detach(slot); }); // expect: errorshield-deferred-ref-capture
  }

  void drop_later_safe(asio::io_context &ioc) {
    asio::post(ioc, [self = shared_from_this(), slot = slot_] {
      self->reg_.detach(slot);
    });
  }

private:
  void schedule_flush() {
    flush_timer_.expires_after(30s);
    flush_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec)
        return;
      self->flush();
      self->schedule_flush();
    });
  }

  void flush() {
    std::vector<Sample> batch;
    batch.swap(pending_);
    archive_batch(station_, batch);
  }

  void read_line() {
    asio::async_read_until(sock_, asio::dynamic_buffer(line_), '\n',
        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
          if (ec) {
            self->reg_.detach(self->slot_);
            return;
          }
          Sample s{self->station_, std::stod(self->line_.substr(0, n)), 0};
          self->pending_.push_back(std::move(s));
          self->line_.erase(0, n);
          self->read_line();
        });
  }

  tcp::socket sock_;
  asio::steady_timer flush_timer_;
  GaugeRegistry &reg_;
  std::string station_;
  std::string line_;
  std::vector<Sample> pending_;
  int slot_ = 0;
};

// One-off grace timer for gauges that went quiet during a storm surge.
void arm_grace_timer(asio::io_context &ioc, GaugeRegistry &reg, int slot) {
  auto timer = std::make_shared<asio::steady_timer>(ioc, 5min);
  std::string station = reg.station_of(slot);
  timer->async_wait([timer, &station, &reg, slot](boost::system::error_code ec) { // expect: errorshield-deferred-ref-capture
    if (!ec && !station.empty())
      reg.detach(slot);
  });
}

// Flushes every gauge once, on a background worker that is joined before we
// return, so the references stay valid.
void flush_all_blocking(GaugeRegistry &reg, const std::vector<int> &slots) {
  std::vector<Sample> empty;
  std::thread worker([&] {
    for (int s : slots)
      archive_batch(reg.station_of(s), empty);
  });
  worker.join();
}

// Coroutine that waits for the gauge to confirm the tide table upload.
asio::awaitable<void> await_table_ack(GaugeRegistry &reg, int slot) {
  asio::steady_timer t(co_await asio::this_coro::executor, 10s);
  co_await t.async_wait(asio::use_awaitable);
  reg.detach(slot);
}

void push_tide_table(asio::io_context &ioc, GaugeRegistry &reg,
                     const std::string &station) {
  int slot = reg.attach(station + "#table");
  asio::co_spawn(ioc, [&]() -> asio::awaitable<void> { co_await await_table_ack(reg, slot); }, // expect: errorshield-deferred-ref-capture
                 asio::detached);
}

void push_tide_table_safe(asio::io_context &ioc, GaugeRegistry &reg,
                          const std::string &station) {
  int slot = reg.attach(station + "#table");
  asio::co_spawn(ioc, await_table_ack(reg, slot), asio::detached);
}

// Maintenance hook list run at the end of a sweep; the list owns copies.
class SweepHooks {
public:
  void add(std::function<void()> fn) { hooks_.push_back(std::move(fn)); }
  void run() {
    for (auto &h : hooks_)
      h();
    hooks_.clear();
  }

private:
  std::vector<std::function<void()>> hooks_;
};

void schedule_detach_hooks(SweepHooks &hooks, GaugeRegistry &reg,
                           const std::vector<int> &quiet_slots) {
  for (int slot : quiet_slots) {
    hooks.add([&slot, &reg] { reg.detach(slot); }); // expect: errorshield-deferred-ref-capture
  }
}

void schedule_detach_hooks_by_value(SweepHooks &hooks, GaugeRegistry &reg,
                                    const std::vector<int> &quiet_slots) {
  for (int slot : quiet_slots) {
    hooks.add([&reg, slot] { reg.detach(slot); });
  }
}

} // namespace tide
