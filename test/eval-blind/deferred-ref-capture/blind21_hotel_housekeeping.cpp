// checks: errorshield-deferred-ref-capture
// Housekeeping task push service: assigns room-cleaning tasks to housekeepers'
// handheld devices and releases room locks / device registrations afterwards.
#include <boost/asio.hpp>
#include <algorithm>
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

namespace hk {

template <class F>
class ScopeExit {
public:
  explicit ScopeExit(F f) : f_(std::move(f)) {}
  ScopeExit(const ScopeExit &) = delete;
  ScopeExit &operator=(const ScopeExit &) = delete;
  ~ScopeExit() {
    if (armed_)
      f_();
  }
  void dismiss() { armed_ = false; }

private:
  F f_;
  bool armed_ = true;
};

template <class F>
ScopeExit<F> on_scope_exit(F f) { return ScopeExit<F>(std::move(f)); }

struct Task {
  std::uint32_t id = 0;
  int room = 0;
  std::string kind; // "checkout", "stayover", "turndown"
  std::string assignee;
};

class RoomLocks {
public:
  bool acquire(int room) {
    std::lock_guard<std::mutex> lk(mu_);
    return held_.emplace(room, true).second;
  }
  void release(int room) {
    std::lock_guard<std::mutex> lk(mu_);
    held_.erase(room);
  }

private:
  std::mutex mu_;
  std::map<int, bool> held_;
};

class DeviceRegistry {
public:
  void attach(const std::string &device, const std::string &staff) {
    std::lock_guard<std::mutex> lk(mu_);
    by_device_[device] = staff;
  }
  void detach(const std::string &device) {
    std::lock_guard<std::mutex> lk(mu_);
    by_device_.erase(device);
  }
  std::string staff_of(const std::string &device) {
    std::lock_guard<std::mutex> lk(mu_);
    auto it = by_device_.find(device);
    return it == by_device_.end() ? std::string{} : it->second;
  }

private:
  std::mutex mu_;
  std::map<std::string, std::string> by_device_;
};

bool push_to_device(const std::string &staff, const Task &t) {
  std::cout << "push task " << t.id << " room " << t.room << " -> " << staff << "\n";
  return !staff.empty();
}

int next_dirty_room(int after) { return after + 1; }

// Assigns the first room, and if the push fails falls back to the next dirty
// room on the floor. The lock guard is set up for the first room only.
void assign_with_fallback(RoomLocks &locks, const std::string &staff, int first_room) {
  int room = first_room;
  if (!locks.acquire(room))
    return;
  auto unlock = on_scope_exit([&] { locks.release(room); }); // expect: errorshield-deferred-ref-capture
  Task t{1, room, "checkout", staff};
  if (!push_to_device(staff, t)) {
    room = next_dirty_room(room);
    t.room = room;
    push_to_device(staff, t);
  }
}

// Same shape, but the room number never changes while the guard is alive.
void assign_single(RoomLocks &locks, const std::string &staff, int room) {
  if (!locks.acquire(room))
    return;
  auto unlock = on_scope_exit([&] { locks.release(room); });
  Task t{2, room, "stayover", staff};
  push_to_device(staff, t);
}

// Device went offline: drop the registration on the io thread.
void schedule_detach(asio::io_context &ioc, DeviceRegistry &reg, const std::string &raw_id) {
  std::string device = "hh-" + raw_id;
  asio::post(ioc, [&reg, &device] { reg.detach(device); }); // expect: errorshield-deferred-ref-capture
}

void schedule_detach_copy(asio::io_context &ioc, DeviceRegistry &reg, const std::string &raw_id) {
  std::string device = "hh-" + raw_id;
  asio::post(ioc, [&reg, device] { reg.detach(device); });
}

class ShiftSession : public std::enable_shared_from_this<ShiftSession> {
public:
  ShiftSession(asio::io_context &ioc, DeviceRegistry &reg, RoomLocks &locks)
      : ioc_(ioc), timer_(ioc), reg_(reg), locks_(locks) {}

  // Housekeeper scanned a badge on a new device; the old one is detached
  // once the handover grace period is over.
  void handover(std::string old_device, const std::string &new_device, const std::string &staff) {
    reg_.attach(new_device, staff);
    timer_.expires_after(std::chrono::seconds(30));
    timer_.async_wait([&old_device, this](boost::system::error_code ec) { // expect: errorshield-deferred-ref-capture
      if (!ec)
        reg_.detach(old_device);
    });
  }

  void handover_safe(std::string old_device, const std::string &new_device, const std::string &staff) {
    reg_.attach(new_device, staff);
    timer_.expires_after(std::chrono::seconds(30));
    timer_.async_wait([self = shared_from_this(), old = std::move(old_device)](boost::system::error_code ec) {
      if (!ec)
        self->reg_.detach(old);
    });
  }

  // Batch push of the morning checkout list. Each room gets a release hook
  // that the end-of-shift sweep runs.
  void queue_checkouts(const std::vector<int> &rooms) {
    for (int r : rooms) {
      int room = r;
      if (!locks_.acquire(room))
        continue;
      end_of_shift_.push_back([&room, this] { locks_.release(room); }); // expect: errorshield-deferred-ref-capture
    }
  }

  void queue_checkouts_by_value(const std::vector<int> &rooms) {
    for (int room : rooms) {
      if (!locks_.acquire(room))
        continue;
      end_of_shift_.push_back([room, this] { locks_.release(room); });
    }
  }

  void end_shift() {
    for (auto &fn : end_of_shift_)
      fn();
    end_of_shift_.clear();
  }

private:
  asio::io_context &ioc_;
  asio::steady_timer timer_;
  DeviceRegistry &reg_;
  RoomLocks &locks_;
  std::vector<std::function<void()>> end_of_shift_;
};

// Generic "notify when the supervisor confirms" helper used by the
// inspection workflow. Runs the callback on the strand later.
template <class Executor>
void confirm_inspection(Executor ex, DeviceRegistry &reg, std::vector<Task> &pending) {
  for (std::size_t i = 0; i < pending.size(); ++i) {
    std::string staff = pending[i].assignee;
    asio::defer(ex, [&] { std::cout << "inspection ok for " << staff << " / " << reg.staff_of(staff) << "\n"; }); // expect: errorshield-deferred-ref-capture
  }
}

// Sorting and counting run synchronously, reference captures are fine here.
std::size_t count_rooms_on_floor(std::vector<Task> &tasks, int floor) {
  std::sort(tasks.begin(), tasks.end(), [&](const Task &a, const Task &b) { return a.room < b.room; });
  return static_cast<std::size_t>(
      std::count_if(tasks.begin(), tasks.end(), [&](const Task &t) { return t.room / 100 == floor; }));
}

// Pushes the whole list from a worker and waits for it before returning.
void bulk_push_blocking(const std::vector<Task> &tasks, const std::string &staff) {
  int sent = 0;
  std::thread worker([&] {
    for (const auto &t : tasks)
      sent += push_to_device(staff, t) ? 1 : 0;
  });
  worker.join();
  std::cout << "pushed " << sent << " tasks\n";
}

} // namespace hk

int main() {
  asio::io_context ioc;
  hk::DeviceRegistry reg;
  hk::RoomLocks locks;

  hk::assign_with_fallback(locks, "maria", 412);
  hk::assign_single(locks, "jun", 305);
  hk::schedule_detach(ioc, reg, "0042");
  hk::schedule_detach_copy(ioc, reg, "0043");

  auto shift = std::make_shared<hk::ShiftSession>(ioc, reg, locks);
  shift->handover("hh-0001", "hh-0002", "maria");
  shift->handover_safe("hh-0003", "hh-0004", "jun");
  shift->queue_checkouts({101, 102, 103});
  shift->queue_checkouts_by_value({201, 202});

  std::vector<hk::Task> pending{{7, 501, "turndown", "li"}, {8, 502, "turndown", "ana"}};
  auto strand = asio::make_strand(ioc);
  hk::confirm_inspection(strand, reg, pending);
  std::cout << hk::count_rooms_on_floor(pending, 5) << "\n";
  hk::bulk_push_blocking(pending, "li");

  ioc.run();
  shift->end_shift();
}
