// checks: errorshield-deferred-ref-capture
// Snow-removal dispatch server: plow trucks connect over TCP, report their
// position, and the dispatcher hands out street segments to clear.
#include <boost/asio.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <iostream>
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

namespace plowd {

// Small RAII helper used across the codebase to run cleanup on scope exit.
template <class Fn>
class ScopeExit {
public:
  explicit ScopeExit(Fn fn) : fn_(std::move(fn)) {}
  ScopeExit(const ScopeExit &) = delete;
  ScopeExit &operator=(const ScopeExit &) = delete;
  ~ScopeExit() {
    if (armed_) fn_();
  }
  void release() { armed_ = false; }

private:
  Fn fn_;
  bool armed_ = true;
};

template <class Fn>
ScopeExit<Fn> on_exit(Fn fn) { return ScopeExit<Fn>(std::move(fn)); }

struct Segment {
  std::uint32_t id = 0;
  std::string street;
  int priority = 0;
};

class TruckRegistry {
public:
  std::uint32_t attach(const std::string &plate) {
    std::lock_guard lk(mu_);
    auto id = ++next_;
    trucks_[id] = plate;
    return id;
  }
  void detach(std::uint32_t id) {
    std::lock_guard lk(mu_);
    trucks_.erase(id);
  }
  void release_segment(std::uint32_t segment) {
    std::lock_guard lk(mu_);
    claimed_.erase(segment);
  }
  bool claim_segment(std::uint32_t segment, std::uint32_t truck) {
    std::lock_guard lk(mu_);
    return claimed_.emplace(segment, truck).second;
  }

private:
  std::mutex mu_;
  std::uint32_t next_ = 0;
  std::map<std::uint32_t, std::string> trucks_;
  std::map<std::uint32_t, std::uint32_t> claimed_;
};

TruckRegistry &registry() {
  static TruckRegistry r;
  return r;
}

std::vector<Segment> load_backlog(int zone);
bool send_assignment(std::uint32_t truck, const Segment &seg);

// Hands out every segment of a zone to one truck, one at a time. If the
// assignment loop throws, the segment currently held must be released.
void assign_zone(std::uint32_t truck, int zone) {
  std::vector<Segment> backlog = load_backlog(zone);
  std::uint32_t current = 0;
  auto guard = on_exit([&] { registry().release_segment(current); }); // expect: errorshield-deferred-ref-capture
  for (const Segment &seg : backlog) {
    if (!registry().claim_segment(seg.id, truck)) continue;
    current = seg.id;
    if (!send_assignment(truck, seg)) break;
  }
}

// Same idea, but the held segment never changes after the guard is armed.
void assign_single(std::uint32_t truck, const Segment &seg) {
  const std::uint32_t held = seg.id;
  if (!registry().claim_segment(held, truck)) return;
  auto guard = on_exit([&] { registry().release_segment(held); });
  if (send_assignment(truck, seg)) guard.release();
}

// Connection-level bookkeeping: detach the truck when its socket goes away.
class TruckSession : public std::enable_shared_from_this<TruckSession> {
public:
  TruckSession(tcp::socket sock, asio::io_context &ioc)
      : sock_(std::move(sock)), ioc_(ioc), heartbeat_(ioc) {}

  void start(const std::string &plate) {
    truck_id_ = registry().attach(plate);
    arm_heartbeat();
    read_position();
  }

  // Called when a truck re-registers under a new plate on the same socket.
  void rebind(const std::string &plate) {
    std::uint32_t old_id = truck_id_;
    asio::post(ioc_, [&old_id] { registry().detach(old_id); }); // expect: errorshield-deferred-ref-capture
    truck_id_ = registry().attach(plate);
  }

  // Swap to a fresh id; the previous id is dropped on the io thread later.
  void rotate(const std::string &plate) {
    std::uint32_t old_id = truck_id_;
    truck_id_ = registry().attach(plate);
    asio::post(ioc_, [old_id] { registry().detach(old_id); });
  }

private:
  void arm_heartbeat() {
    heartbeat_.expires_after(30s);
    heartbeat_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec) return;
      if (!self->seen_since_last_) {
        registry().detach(self->truck_id_);
        self->sock_.close();
        return;
      }
      self->seen_since_last_ = false;
      self->arm_heartbeat();
    });
  }

  void read_position() {
    asio::async_read_until(
        sock_, asio::dynamic_buffer(line_), '\n',
        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
          if (ec) {
            registry().detach(self->truck_id_);
            return;
          }
          self->seen_since_last_ = true;
          self->line_.erase(0, n);
          self->read_position();
        });
  }

  tcp::socket sock_;
  asio::io_context &ioc_;
  asio::steady_timer heartbeat_;
  std::string line_;
  std::uint32_t truck_id_ = 0;
  bool seen_since_last_ = true;
};

// Storm mode: a grace timer gives a disconnected truck a minute to come back
// before its segments are handed to someone else.
void schedule_reassign(asio::io_context &ioc, std::uint32_t segment) {
  auto timer = std::make_shared<asio::steady_timer>(ioc, 60s);
  std::uint32_t seg = segment;
  timer->async_wait([timer, &seg](boost::system::error_code ec) { // expect: errorshield-deferred-ref-capture
    if (!ec) registry().release_segment(seg);
  });
}

void schedule_reassign_ok(asio::io_context &ioc, std::uint32_t segment) {
  auto timer = std::make_shared<asio::steady_timer>(ioc, 60s);
  timer->async_wait([timer, segment](boost::system::error_code ec) {
    if (!ec) registry().release_segment(segment);
  });
}

// Coroutine that drains a depot queue; each truck id is released at the end
// of its turn.
asio::awaitable<void> drain_depot(std::vector<std::uint32_t> queue) {
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer pace(ex);
  for (std::uint32_t truck : queue) {
    std::uint32_t active = truck;
    auto done = on_exit([&active] { registry().detach(active); });
    pace.expires_after(250ms);
    co_await pace.async_wait(asio::use_awaitable);
  }
}

// Kick off a detached coroutine per zone supervisor.
void spawn_supervisors(asio::io_context &ioc, const std::vector<int> &zones) {
  for (int z : zones) {
    int zone = z;
    asio::co_spawn(
        ioc,
        [&zone]() -> asio::awaitable<void> { // expect: errorshield-deferred-ref-capture
          auto backlog = load_backlog(zone);
          std::cout << "zone " << zone << " has " << backlog.size() << " segments\n";
          co_return;
        },
        asio::detached);
  }
}

// Bulk release at end of shift: the worker threads are joined before return.
void end_of_shift(const std::vector<std::uint32_t> &segments) {
  std::vector<std::thread> workers;
  std::size_t half = segments.size() / 2;
  workers.emplace_back([&] {
    for (std::size_t i = 0; i < half; ++i) registry().release_segment(segments[i]);
  });
  workers.emplace_back([&] {
    for (std::size_t i = half; i < segments.size(); ++i) registry().release_segment(segments[i]);
  });
  for (auto &w : workers) w.join();
}

// Hand-rolled deferred queue used by the admin console.
struct Deferred {
  std::vector<std::function<void()>> jobs;
  void later(std::function<void()> f) { jobs.push_back(std::move(f)); }
  void flush() {
    for (auto &j : jobs) j();
    jobs.clear();
  }
};

void kick_trucks(Deferred &pending, const std::vector<std::uint32_t> &ids) {
  for (std::uint32_t id : ids) {
    std::uint32_t victim = id;
    pending.later([&victim] { registry().detach(victim); }); // expect: errorshield-deferred-ref-capture
  }
}

void kick_trucks_now(const std::vector<std::uint32_t> &ids) {
  Deferred local;
  for (std::uint32_t id : ids) local.later([id] { registry().detach(id); });
  local.flush();
}

} // namespace plowd

int main() {
  asio::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 7400});
  std::function<void()> accept_one;
  accept_one = [&] {
    acc.async_accept([&](boost::system::error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<plowd::TruckSession>(std::move(s), ioc)->start("unknown");
      accept_one();
    });
  };
  accept_one();
  plowd::spawn_supervisors(ioc, {1, 2, 3});
  ioc.run();
}
