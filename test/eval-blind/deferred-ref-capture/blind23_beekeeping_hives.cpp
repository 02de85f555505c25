// checks: errorshield-deferred-ref-capture
// Apiary telemetry collector. Hive scales connect over TCP and push one
// line per sample ("hive-id;weight_g;brood_temp_dc"). Samples are batched per
// apiary and flushed to the time-series store from the io_context.
#include <boost/asio.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

struct Sample {
  std::string hive_id;
  std::int64_t weight_g = 0;
  int brood_temp_dc = 0; // deci-degrees C
  std::int64_t ts = 0;
};

class HiveRegistry {
public:
  void attach(const std::string &hive, int scale_port) { scales_[hive] = scale_port; }
  void detach(const std::string &hive) { scales_.erase(hive); }
  bool known(const std::string &hive) const { return scales_.count(hive) != 0; }

private:
  std::map<std::string, int> scales_;
};

class SeriesStore {
public:
  void write(const std::vector<Sample> &batch) { written_ += batch.size(); }
  asio::awaitable<void> announce(std::string apiary) {
    std::cout << "apiary online: " << apiary << "\n";
    co_return;
  }

private:
  std::size_t written_ = 0;
};

template <class F> class OnExit {
public:
  explicit OnExit(F f) : f_(std::move(f)) {}
  OnExit(const OnExit &) = delete;
  OnExit &operator=(const OnExit &) = delete;
  ~OnExit() {
    if (armed_)
      f_();
  }
  void dismiss() { armed_ = false; }

private:
  F f_;
  bool armed_ = true;
};

template <class F> OnExit<F> on_exit(F f) { return OnExit<F>(std::move(f)); }

std::vector<Sample> drain_pending(const std::string &apiary) {
  return {Sample{apiary + "-h1", 41250, 345, 0}};
}

std::string load_apiary_name() { return "north-meadow"; }

// Walks the scales in the configured polling order; the registry entry of the
// scale being polled is dropped when we leave, whatever happens.
void rotate_polling(HiveRegistry &reg, const std::vector<std::string> &order) {
  if (order.empty())
    return;
  std::string polling = order.front();
  reg.attach(polling, 7001);
  auto drop = on_exit([&] { reg.detach(polling); }); // expect: errorshield-deferred-ref-capture
  for (const auto &hive : order) {
    polling = hive;
    reg.attach(polling, 7001);
  }
}

// Single-hive calibration: the guard only ever sees the one id.
void calibrate(HiveRegistry &reg, const std::string &hive) {
  const std::string id = hive;
  reg.attach(id, 7002);
  auto drop = on_exit([&] { reg.detach(id); });
  std::cout << "calibrating " << id << "\n";
}

// Flush the batch on the io thread so the storage client stays single threaded.
void queue_flush(asio::io_context &ioc, SeriesStore &store, const std::string &apiary) {
  std::vector<Sample> batch = drain_pending(apiary);
  asio::post(ioc, [&batch, &store] { store.write(batch); }); // expect: errorshield-deferred-ref-capture
}

void queue_flush_moved(asio::io_context &ioc, SeriesStore &store, const std::string &apiary) {
  std::vector<Sample> batch = drain_pending(apiary);
  asio::post(ioc, [b = std::move(batch), &store] { store.write(b); });
}

// Offline replay of an exported file: runs its own io_context to completion
// before returning, so locals are still alive when the handlers execute.
void replay_export(SeriesStore &store, const std::string &apiary) {
  asio::io_context local;
  std::vector<Sample> batch = drain_pending(apiary);
  asio::post(local, [&] { store.write(batch); });
  local.run();
}

void announce_apiary(asio::io_context &ioc, SeriesStore &store) {
  std::string apiary = load_apiary_name();
  asio::co_spawn(ioc, [&]() -> asio::awaitable<void> { co_await store.announce(apiary); }, asio::detached); // expect: errorshield-deferred-ref-capture
}

void announce_apiary_copy(asio::io_context &ioc, SeriesStore &store) {
  asio::co_spawn(ioc, [&store, apiary = load_apiary_name()]() -> asio::awaitable<void> {
    co_await store.announce(apiary);
  }, asio::detached);
}

class ScaleSession : public std::enable_shared_from_this<ScaleSession> {
public:
  ScaleSession(tcp::socket sock, HiveRegistry &reg, SeriesStore &store)
      : sock_(std::move(sock)), watchdog_(sock_.get_executor()), registry_(reg), store_(store) {}

  void start() {
    arm_watchdog();
    read_line();
  }

  // Hooks run by the collector when it shuts down.
  std::vector<std::function<void()>> &shutdown_hooks() { return shutdown_hooks_; }

  void register_hive(const std::string &raw_id) {
    std::string key = "hive:" + raw_id;
    registry_.attach(key, 7003);
    shutdown_hooks_.push_back([this, &key] { registry_.detach(key); }); // expect: errorshield-deferred-ref-capture
  }

  void register_hive_owned(const std::string &raw_id) {
    std::string key = "hive:" + raw_id;
    registry_.attach(key, 7003);
    shutdown_hooks_.push_back([this, key] { registry_.detach(key); });
  }

private:
  void arm_watchdog() {
    std::string hive = hive_id_;
    watchdog_.expires_after(45s);
    watchdog_.async_wait([this, &hive](boost::system::error_code ec) { if (!ec) registry_.detach(hive); }); // expect: errorshield-deferred-ref-capture
  }

  void rearm_watchdog() {
    watchdog_.expires_after(45s);
    watchdog_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec)
        self->registry_.detach(self->hive_id_);
    });
  }

  void read_line() {
    asio::async_read_until(sock_, asio::dynamic_buffer(line_), '\n',
                           [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                             if (ec)
                               return;
                             self->handle(self->line_.substr(0, n - 1));
                             self->line_.erase(0, n);
                             self->rearm_watchdog();
                             self->read_line();
                           });
  }

  void handle(const std::string &line) {
    auto sep = line.find(';');
    if (sep == std::string::npos)
      return;
    hive_id_ = line.substr(0, sep);
    pending_.push_back(Sample{hive_id_, std::stoll(line.substr(sep + 1)), 0, 0});
    if (pending_.size() >= 32) {
      store_.write(pending_);
      pending_.clear();
    }
  }

  tcp::socket sock_;
  asio::steady_timer watchdog_;
  HiveRegistry &registry_;
  SeriesStore &store_;
  std::string hive_id_;
  std::string line_;
  std::vector<Sample> pending_;
  std::vector<std::function<void()>> shutdown_hooks_;
};

// Background compaction of the local spool directory for one apiary.
void spawn_compactor(const std::string &apiary_in) {
  std::string spool = "/var/spool/hives/" + apiary_in;
  std::thread([&spool] { std::cout << "compacting " << spool << "\n"; }).detach(); // expect: errorshield-deferred-ref-capture
}

void compact_now(const std::string &apiary_in) {
  std::string spool = "/var/spool/hives/" + apiary_in;
  std::thread worker([&spool] { std::cout << "compacting " << spool << "\n"; });
  worker.join();
}

void accept_loop(tcp::acceptor &acc, HiveRegistry &reg, SeriesStore &store) {
  acc.async_accept([&acc, &reg, &store](boost::system::error_code ec, tcp::socket sock) {
    if (!ec)
      std::make_shared<ScaleSession>(std::move(sock), reg, store)->start();
    accept_loop(acc, reg, store);
  });
}

int main() {
  asio::io_context ioc;
  HiveRegistry registry;
  SeriesStore store;
  tcp::acceptor acc(ioc, {tcp::v4(), 7000});
  accept_loop(acc, registry, store);
  queue_flush_moved(ioc, store, "north-meadow");
  announce_apiary_copy(ioc, store);
  calibrate(registry, "h7");
  ioc.run();
}
