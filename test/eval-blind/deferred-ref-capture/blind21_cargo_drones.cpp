// checks: errorshield-deferred-ref-capture
// Cargo drone dispatch: assigns drones to delivery legs, tracks live links
// to drones in flight and releases launch pads when a leg ends.
#include <boost/asio.hpp>
#include <chrono>
#include <cstdint>
#include <exception>
#include <algorithm>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

namespace dispatch {

template <class F>
class ScopeExit {
public:
  explicit ScopeExit(F f) : f_(std::move(f)) {}
  ScopeExit(const ScopeExit &) = delete;
  ScopeExit &operator=(const ScopeExit &) = delete;
  ~ScopeExit() { f_(); }

private:
  F f_;
};

struct Leg {
  std::uint64_t id = 0;
  std::string pad;
  std::string destination;
  double payload_kg = 0.0;
};

class PadRegistry {
public:
  void reserve(const std::string &pad) {
    std::lock_guard lk(mu_);
    busy_[pad] = true;
  }
  void release(const std::string &pad) {
    std::lock_guard lk(mu_);
    busy_.erase(pad);
  }
  std::string pick_free(const std::string &after) {
    std::lock_guard lk(mu_);
    return after + "-alt";
  }

private:
  std::mutex mu_;
  std::map<std::string, bool> busy_;
};

class LinkTable {
public:
  void add(std::uint64_t id, std::string drone) {
    std::lock_guard lk(mu_);
    links_.emplace(id, std::move(drone));
  }
  void drop(std::uint64_t id) {
    std::lock_guard lk(mu_);
    links_.erase(id);
  }

private:
  std::mutex mu_;
  std::map<std::uint64_t, std::string> links_;
};

bool preflight_ok(const Leg &leg) { return leg.payload_kg < 25.0; }

// Launch a leg; if the preflight fails we move to a fallback pad, the pad we
// reserved last must be freed when this function returns.
void launch_leg(PadRegistry &pads, Leg leg) {
  std::string pad = leg.pad;
  pads.reserve(pad);
  ScopeExit free_pad([&] { pads.release(pad); }); // expect: errorshield-deferred-ref-capture
  if (!preflight_ok(leg)) {
    pad = pads.pick_free(pad);
    pads.reserve(pad);
  }
  std::cout << "leg " << leg.id << " launching from " << pad << "\n";
}

// Same shape, but the guard owns a copy of the pad name and nothing changes it.
void launch_leg_fixed_pad(PadRegistry &pads, const Leg &leg) {
  const std::string pad = leg.pad;
  pads.reserve(pad);
  ScopeExit free_pad([&] { pads.release(pad); });
  ScopeExit log_done([id = leg.id] { std::cout << "leg " << id << " done\n"; });
  std::cout << "leg " << leg.id << " launching from " << pad << "\n";
}

// Each accepted drone link gets an id; the table entry is dropped when the
// link coroutine finishes.
awaitable<void> serve_link(tcp::socket sock) {
  char buf[256];
  for (;;) {
    std::size_t n = co_await sock.async_read_some(asio::buffer(buf), use_awaitable);
    if (n == 0)
      break;
  }
}

awaitable<void> accept_links(tcp::acceptor acceptor, LinkTable &table) {
  auto ex = co_await asio::this_coro::executor;
  std::uint64_t next_id = 0;
  std::uint64_t link_id = 0;
  for (;;) {
    tcp::socket sock = co_await acceptor.async_accept(use_awaitable);
    link_id = ++next_id;
    table.add(link_id, sock.remote_endpoint().address().to_string());
    asio::co_spawn(ex, serve_link(std::move(sock)),
                   [&](std::exception_ptr) { table.drop(link_id); }); // expect: errorshield-deferred-ref-capture
  }
}

awaitable<void> accept_links_by_value(tcp::acceptor acceptor, LinkTable &table) {
  auto ex = co_await asio::this_coro::executor;
  std::uint64_t next_id = 0;
  for (;;) {
    tcp::socket sock = co_await acceptor.async_accept(use_awaitable);
    const std::uint64_t link_id = ++next_id;
    table.add(link_id, sock.remote_endpoint().address().to_string());
    asio::co_spawn(ex, serve_link(std::move(sock)),
                   [&table, link_id](std::exception_ptr) { table.drop(link_id); });
  }
}

class LegScheduler {
public:
  LegScheduler(asio::io_context &ioc, PadRegistry &pads)
      : ioc_(ioc), strand_(asio::make_strand(ioc)), pads_(pads) {}

  // Cool-down: a pad is released a fixed time after the drone lifts off.
  void schedule_cooldown(std::string pad, std::chrono::seconds delay) {
    auto timer = std::make_shared<asio::steady_timer>(ioc_, delay);
    timer->async_wait([this, timer, &pad](boost::system::error_code ec) { // expect: errorshield-deferred-ref-capture
      if (!ec)
        pads_.release(pad);
    });
  }

  void schedule_cooldown_owned(std::string pad, std::chrono::seconds delay) {
    auto timer = std::make_shared<asio::steady_timer>(ioc_, delay);
    timer->async_wait([this, timer, pad = std::move(pad)](boost::system::error_code ec) {
      if (!ec)
        pads_.release(pad);
    });
  }

  // Notify the ops console about every leg in a batch.
  void announce_batch(const std::vector<Leg> &batch) {
    for (const Leg &leg : batch) {
      std::string line = "leg " + std::to_string(leg.id) + " -> " + leg.destination;
      asio::post(strand_, [&line] { std::cout << line << "\n"; }); // expect: errorshield-deferred-ref-capture
    }
  }

  // Pads run through the registry synchronously, no deferral.
  void release_all(const std::vector<Leg> &batch) {
    std::vector<std::string> pads;
    for (const Leg &leg : batch)
      pads.push_back(leg.pad);
    std::for_each(pads.begin(), pads.end(), [&](const std::string &p) { pads_.release(p); });
  }

private:
  asio::io_context &ioc_;
  asio::strand<asio::io_context::executor_type> strand_;
  PadRegistry &pads_;
};

template <class Executor, class Handler>
void after_delay(Executor ex, std::chrono::milliseconds d, Handler h) {
  auto t = std::make_shared<asio::steady_timer>(ex, d);
  t->async_wait([t, h = std::move(h)](boost::system::error_code ec) mutable {
    if (!ec)
      h();
  });
}

// Retry a delivery handshake with the drone after a short backoff.
void retry_handshake(asio::io_context &ioc, LinkTable &table, std::uint64_t drone_link) {
  std::uint64_t attempt_link = drone_link;
  after_delay(ioc.get_executor(), std::chrono::milliseconds(500),
              [&attempt_link, &table] { table.drop(attempt_link); }); // expect: errorshield-deferred-ref-capture
}

// Offline tool: replay a leg log on a private io_context; everything posted
// runs before this function returns.
void replay_log(const std::vector<Leg> &legs) {
  asio::io_context local;
  std::size_t delivered = 0;
  for (const Leg &leg : legs)
    asio::post(local, [&delivered, kg = leg.payload_kg] {
      if (kg > 0)
        ++delivered;
    });
  local.run();
  std::cout << delivered << " legs replayed\n";
}

// Telemetry worker thread; joined before the locals it uses go away.
void crunch_telemetry(const std::vector<Leg> &legs) {
  double total_kg = 0;
  std::thread worker([&] {
    for (const Leg &l : legs)
      total_kg += l.payload_kg;
  });
  worker.join();
  std::cout << "total payload " << total_kg << " kg\n";
}

} // namespace dispatch

int main() {
  asio::io_context ioc;
  dispatch::PadRegistry pads;
  dispatch::LinkTable links;
  dispatch::LegScheduler sched(ioc, pads);
  tcp::acceptor acceptor(ioc, {tcp::v4(), 7400});
  asio::co_spawn(ioc, dispatch::accept_links(std::move(acceptor), links), asio::detached);
  dispatch::launch_leg(pads, {1, "pad-a", "north depot", 4.5});
  sched.schedule_cooldown("pad-a", std::chrono::seconds(30));
  dispatch::retry_handshake(ioc, links, 7);
  ioc.run();
}
