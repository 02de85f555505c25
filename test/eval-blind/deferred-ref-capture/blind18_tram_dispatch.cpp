// checks: errorshield-deferred-ref-capture
// Tram dispatch service: hands depot vehicles to timetable blocks, drives the
// passenger information (PIS) feed and keeps dwell/headway timers per vehicle.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using json = nlohmann::json;

namespace tram {

template <class F>
class ScopeExit {
 public:
  explicit ScopeExit(F f) : f_(std::move(f)) {}
  ScopeExit(const ScopeExit&) = delete;
  ScopeExit& operator=(const ScopeExit&) = delete;
  ~ScopeExit() {
    if (armed_) f_();
  }
  void dismiss() noexcept { armed_ = false; }

 private:
  F f_;
  bool armed_ = true;
};

struct Vehicle {
  int fleet_no = 0;
  std::string line;
  std::string driver_badge;
  bool in_service = false;
  bool doors_open = false;
};

struct BlockAssignment {
  std::string block_id;  // e.g. "7-03"
  std::string line;
  int fleet_no = 0;
  std::chrono::system_clock::time_point pull_out;
};

class DepotRegistry {
 public:
  explicit DepotRegistry(std::vector<Vehicle> fleet) {
    for (auto& v : fleet) parked_.emplace(v.fleet_no, std::move(v));
  }

  // Returns a fleet number for a vehicle rated for `line`, or 0.
  int checkout(const std::string& line) {
    std::lock_guard lk(mu_);
    for (auto& [no, v] : parked_) {
      if (!v.in_service && !out_.contains(no) && (v.line.empty() || v.line == line)) {
        out_.insert(no);
        return no;
      }
    }
    return 0;
  }

  void release(int fleet_no) {
    std::lock_guard lk(mu_);
    out_.erase(fleet_no);
  }

  bool passes_predeparture_check(int fleet_no) const {
    std::lock_guard lk(mu_);
    auto it = parked_.find(fleet_no);
    return it != parked_.end() && !it->second.doors_open;
  }

  Vehicle* find(int fleet_no) {
    std::lock_guard lk(mu_);
    auto it = parked_.find(fleet_no);
    return it == parked_.end() ? nullptr : &it->second;
  }

 private:
  mutable std::mutex mu_;
  std::map<int, Vehicle> parked_;
  std::set<int> out_;
};

class DispatchService : public std::enable_shared_from_this<DispatchService> {
 public:
  using DepartureHook = std::function<void()>;

  DispatchService(asio::io_context& ioc, DepotRegistry& depot)
      : ioc_(ioc), strand_(asio::make_strand(ioc)), depot_(depot) {}

  // First run of the day: the vehicle goes back to the depot pool unless
  // everything below succeeds.
  bool assign_first_run(const BlockAssignment& plan) {
    const int fleet_no = depot_.checkout(plan.line);
    if (fleet_no == 0) return false;
    ScopeExit give_back([&] { depot_.release(fleet_no); });

    if (!depot_.passes_predeparture_check(fleet_no)) return false;
    if (blocks_.contains(plan.block_id)) return false;

    blocks_[plan.block_id] = fleet_no;
    give_back.dismiss();
    return true;
  }

  // Mid-day swap: a failed pre-departure check pulls a spare from the same pool.
  bool swap_vehicle(const std::string& block_id, const std::string& line) {
    int fleet_no = depot_.checkout(line);
    if (fleet_no == 0) return false;
    ScopeExit give_back([&] { depot_.release(fleet_no); });  // expect: errorshield-deferred-ref-capture

    if (!depot_.passes_predeparture_check(fleet_no)) {
      fleet_no = depot_.checkout(line);
      if (fleet_no == 0) return false;
    }
    auto it = blocks_.find(block_id);
    if (it == blocks_.end()) return false;

    it->second = fleet_no;
    give_back.dismiss();
    return true;
  }

  void announce_disruption(const std::string& line, int minutes) {
    std::string text = "Line " + line + ": delays of about " + std::to_string(minutes) + " min";
    asio::post(strand_, [this, &text] { broadcast_pis(text); });  // expect: errorshield-deferred-ref-capture
  }

  void announce_diversion(const std::string& line, std::string via) {
    std::string text = "Line " + line + " diverted via " + via;
    asio::post(strand_, [self = shared_from_this(), text = std::move(text)] {
      self->broadcast_pis(text);
    });
  }

  void schedule_pullouts(const std::vector<BlockAssignment>& plan) {
    for (const BlockAssignment& b : plan) {
      int fleet = b.fleet_no;
      departure_hooks_[b.block_id].push_back([this, &fleet] { mark_in_service(fleet); });  // expect: errorshield-deferred-ref-capture
    }
  }

  void schedule_pullins(const std::vector<BlockAssignment>& plan) {
    for (const BlockAssignment& b : plan) {
      departure_hooks_[b.block_id + "/in"].push_back(
          [this, fleet = b.fleet_no] { depot_.release(fleet); });
    }
  }

  // Called by the signalling gateway when the block leaves the depot fan.
  void on_block_departed(const std::string& block_id) {
    auto it = departure_hooks_.find(block_id);
    if (it == departure_hooks_.end()) return;
    auto hooks = std::move(it->second);
    departure_hooks_.erase(it);
    for (auto& h : hooks) h();
  }

  // Holds a vehicle at a stop (timed transfer), then clears it to depart.
  void hold_at_stop(Vehicle* v, std::chrono::seconds dwell) {
    auto timer = std::make_shared<asio::steady_timer>(strand_, dwell);
    v->doors_open = true;
    timer->async_wait([&v, timer](const beast::error_code& ec) {  // expect: errorshield-deferred-ref-capture
      if (ec) return;
      v->doors_open = false;
      v->in_service = true;
    });
  }

  void hold_for_connection(int fleet_no, std::chrono::seconds dwell) {
    auto timer = std::make_shared<asio::steady_timer>(strand_, dwell);
    if (Vehicle* v = depot_.find(fleet_no)) v->doors_open = true;
    timer->async_wait([self = shared_from_this(), fleet_no, timer](const beast::error_code& ec) {
      if (ec) return;
      if (Vehicle* v = self->depot_.find(fleet_no)) {
        v->doors_open = false;
        v->in_service = true;
      }
    });
  }

  // Headway regulation: the next vehicle on the line is held for the
  // configured gap. The completion handler outlives this call.
  void regulate_headway(const std::string& line, std::chrono::seconds gap) {
    int next_fleet = next_on_line(line);
    if (next_fleet == 0) return;
    auto& timer = headway_timers_[line];
    if (!timer) timer = std::make_unique<asio::steady_timer>(strand_);
    timer->expires_after(gap);
    timer->async_wait([&](const beast::error_code& ec) {  // expect: errorshield-deferred-ref-capture
      if (!ec) mark_in_service(next_fleet);
    });
  }

  // Admin thread only (never from an io thread): snapshot taken on the strand.
  json snapshot_blocking() {
    std::promise<json> done;
    auto fut = done.get_future();
    asio::post(strand_, [&] {
      json out = json::object();
      for (const auto& [block, fleet] : blocks_) out[block] = fleet;
      done.set_value(std::move(out));
    });
    return fut.get();
  }

  std::vector<std::string> blocks_for_line(const std::string& line) const {
    std::vector<std::string> out;
    for (const auto& [block, fleet] : blocks_) {
      if (block.starts_with(line + "-")) out.push_back(block);
    }
    std::sort(out.begin(), out.end(), [&](const std::string& a, const std::string& b) {
      return blocks_.at(a) < blocks_.at(b);
    });
    return out;
  }

  http::response<http::string_body> status_response(unsigned version) {
    http::response<http::string_body> res{http::status::ok, version};
    res.set(http::field::content_type, "application/json");
    res.body() = snapshot_blocking().dump();
    res.prepare_payload();
    return res;
  }

  // Delays a departure by a number of minutes in the published timetable;
  // nothing here is asynchronous.
  static std::chrono::system_clock::time_point defer_departure(
      const BlockAssignment& b, int minutes) {
    auto when = b.pull_out;
    auto shift = [&] { when += std::chrono::minutes(minutes); };
    shift();
    return when;
  }

 private:
  int next_on_line(const std::string& line) const {
    for (const auto& [block, fleet] : blocks_) {
      if (block.starts_with(line + "-")) return fleet;
    }
    return 0;
  }

  void mark_in_service(int fleet_no) {
    if (Vehicle* v = depot_.find(fleet_no)) v->in_service = true;
  }

  void broadcast_pis(const std::string& text) {
    pis_log_.push_back(text);
    if (pis_log_.size() > 64) pis_log_.erase(pis_log_.begin());
  }

  asio::io_context& ioc_;
  asio::strand<asio::io_context::executor_type> strand_;
  DepotRegistry& depot_;
  std::map<std::string, int> blocks_;
  std::unordered_map<std::string, std::vector<DepartureHook>> departure_hooks_;
  std::unordered_map<std::string, std::unique_ptr<asio::steady_timer>> headway_timers_;
  std::vector<std::string> pis_log_;
};

}  // namespace tram
