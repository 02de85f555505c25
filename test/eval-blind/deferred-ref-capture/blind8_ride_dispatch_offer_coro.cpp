// checks: errorshield-deferred-ref-capture
// Ride-hailing dispatch: for each trip request the dispatcher offers the trip to
// nearby drivers one at a time, with an acceptance window per offer. Written
// with C++20 coroutines on Boost.Asio.
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace net = boost::asio;
using net::awaitable;
using net::use_awaitable;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace dispatch {

struct TripRequest {
  std::string trip_id;
  std::string rider_id;
  double pickup_lat = 0;
  double pickup_lon = 0;
};

struct DriverCandidate {
  std::string driver_id;
  int eta_seconds = 0;
};

void audit(const std::string& line);
void notify_driver(const std::string& driver_id, const json& payload);
void release_hold(const std::string& trip_id);
std::vector<DriverCandidate> nearest_drivers(const TripRequest& req);

template <class F>
struct Finally {
  F fn;
  ~Finally() { fn(); }
};
template <class F>
Finally<F> finally(F fn) { return Finally<F>{std::move(fn)}; }

class Dispatcher {
 public:
  explicit Dispatcher(net::any_io_executor ex) : ex_(ex) {}

  // Entry point from the HTTP layer: fire-and-forget the offer round.
  void submit(const json& body) {
    TripRequest req;
    req.trip_id = body.at("trip_id").get<std::string>();
    req.rider_id = body.at("rider_id").get<std::string>();
    net::co_spawn(ex_, [&req, this]() -> awaitable<void> { // expect: errorshield-deferred-ref-capture
      co_await run_offer_round(req);
    }, net::detached);
  }

  void submit_owned(const json& body) {
    TripRequest req;
    req.trip_id = body.at("trip_id").get<std::string>();
    req.rider_id = body.at("rider_id").get<std::string>();
    net::co_spawn(ex_, run_offer_round(std::move(req)), net::detached);
  }

  awaitable<void> run_offer_round(TripRequest req) {
    auto candidates = nearest_drivers(req);
    for (const auto& cand : candidates) {
      if (co_await offer_to(req, cand)) {
        audit("trip " + req.trip_id + " assigned to " + cand.driver_id);
        co_return;
      }
    }
    audit("trip " + req.trip_id + " unassigned");
  }

  // Offers the trip to one driver and waits for accept/decline or timeout.
  awaitable<bool> offer_to(const TripRequest& req, const DriverCandidate& cand) {
    auto ex = co_await net::this_coro::executor;
    net::steady_timer window(ex, 12s);
    std::string offer_key = req.trip_id + ":" + cand.driver_id;
    pending_[offer_key] = false;
    notify_driver(cand.driver_id, json{{"type", "offer"}, {"trip", req.trip_id}});

    // Sub-coroutine is awaited, so the references into this frame stay valid.
    co_await net::co_spawn(ex, [&]() -> awaitable<void> {
      co_await window.async_wait(use_awaitable);
    }, net::redirect_error(use_awaitable, last_ec_));

    bool accepted = pending_[offer_key];
    pending_.erase(offer_key);
    co_return accepted;
  }

  // Soft reminder sent halfway through the acceptance window. The coroutine
  // returns right after arming the timer.
  awaitable<void> arm_reminder(std::string driver_id, std::string trip_id) {
    auto timer = std::make_shared<net::steady_timer>(co_await net::this_coro::executor, 6s);
    json reminder{{"type", "offer_reminder"}, {"trip", trip_id}};
    timer->async_wait([timer, &driver_id, reminder](const boost::system::error_code& ec) { // expect: errorshield-deferred-ref-capture
      if (!ec) notify_driver(driver_id, reminder);
    });
    co_return;
  }

  awaitable<void> arm_reminder_owned(std::string driver_id, std::string trip_id) {
    auto timer = std::make_shared<net::steady_timer>(co_await net::this_coro::executor, 6s);
    json reminder{{"type", "offer_reminder"}, {"trip", trip_id}};
    timer->async_wait([timer, driver_id = std::move(driver_id), reminder](const boost::system::error_code& ec) {
      if (!ec) notify_driver(driver_id, reminder);
    });
    co_return;
  }

  // Pulls trips off the intake channel; every claimed trip gets a cleanup
  // callback that the reaper runs when the rider session ends.
  awaitable<void> intake_loop() {
    std::string trip_id;
    while (!intake_.empty()) {
      trip_id = intake_.front();
      intake_.pop_front();
      cleanups_.push_back([&trip_id] { release_hold(trip_id); }); // expect: errorshield-deferred-ref-capture
      co_await run_offer_round(TripRequest{trip_id, "r?", 0, 0});
    }
  }

  awaitable<void> intake_loop_owned() {
    while (!intake_.empty()) {
      std::string trip_id = intake_.front();
      intake_.pop_front();
      cleanups_.push_back([trip_id] { release_hold(trip_id); });
      co_await run_offer_round(TripRequest{trip_id, "r?", 0, 0});
    }
  }

  // Geo index refresh: the worker runs while the coroutine keeps going.
  awaitable<void> refresh_zone(std::string zone) {
    std::vector<DriverCandidate> fresh;
    workers_.emplace_back([&] { // expect: errorshield-deferred-ref-capture
      fresh = nearest_drivers(TripRequest{"probe", zone, 0, 0});
      audit("zone " + zone + " refreshed");
    });
    co_return;
  }

  // jthread joins in its destructor, which runs before `fresh`/`zone` die.
  awaitable<std::size_t> refresh_zone_sync(std::string zone) {
    std::vector<DriverCandidate> fresh;
    {
      std::jthread worker([&] {
        fresh = nearest_drivers(TripRequest{"probe", zone, 0, 0});
      });
    }
    co_return fresh.size();
  }

  // Scope guard with reference capture: nothing reassigns trip_id after it.
  awaitable<void> cancel_trip(std::string trip_id) {
    auto done = finally([&] { release_hold(trip_id); });
    auto ex = co_await net::this_coro::executor;
    net::steady_timer grace(ex, 2s);
    co_await grace.async_wait(use_awaitable);
    audit("trip " + trip_id + " cancelled");
  }

  void run_cleanups() {
    for (auto& fn : cleanups_) fn();
    cleanups_.clear();
  }

 private:
  net::any_io_executor ex_;
  boost::system::error_code last_ec_;
  std::unordered_map<std::string, bool> pending_;
  std::deque<std::string> intake_;
  std::vector<std::function<void()>> cleanups_;
  std::vector<std::jthread> workers_;
};

void start_dispatch(net::io_context& ioc, Dispatcher& d) {
  net::co_spawn(ioc, d.intake_loop_owned(), net::detached);
  net::co_spawn(ioc, d.arm_reminder_owned("drv-1", "trip-1"), net::detached);
  net::co_spawn(ioc, d.cancel_trip("trip-9"), net::detached);
}

}  // namespace dispatch
