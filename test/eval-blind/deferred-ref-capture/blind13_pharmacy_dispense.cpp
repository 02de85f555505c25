// checks: errorshield-deferred-ref-capture
// Dispensing queue for the outpatient pharmacy robot (vial picker + label printer).
// Orders arrive as JSON from the pharmacist workstation; the robot is driven from a
// single io_context with a strand for queue state.
#include <boost/asio.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace asio = boost::asio;
using json = nlohmann::json;
using boost::system::error_code;

namespace pharmacy {

struct DispenseOrder {
  std::string order_id;
  std::string patient_id;
  std::string ndc;
  int quantity = 0;
  int priority = 0;
};

inline DispenseOrder parse_order(const json& j) {
  DispenseOrder o;
  o.order_id = j.at("order_id").get<std::string>();
  o.patient_id = j.at("patient_id").get<std::string>();
  o.ndc = j.at("ndc").get<std::string>();
  o.quantity = j.value("quantity", 1);
  o.priority = j.value("priority", 0);
  return o;
}

class ScopeExit {
 public:
  explicit ScopeExit(std::function<void()> fn) : fn_(std::move(fn)) {}
  ScopeExit(const ScopeExit&) = delete;
  ScopeExit& operator=(const ScopeExit&) = delete;
  ~ScopeExit() {
    if (fn_) fn_();
  }
  void dismiss() { fn_ = nullptr; }

 private:
  std::function<void()> fn_;
};

// Hardware facade, implemented in robot_driver.cpp.
class RobotArm {
 public:
  int reserve_bay(const std::string& order_id);
  void release_bay(int bay);
  bool pick(const DispenseOrder& o, int bay);
  bool print_label(const DispenseOrder& o);
  void home();
  void abort_motion(const std::string& order_id);
};

class AuditLog {
 public:
  void write(const std::string& event, const std::string& order_id);
};

class DispenseQueue : public std::enable_shared_from_this<DispenseQueue> {
 public:
  DispenseQueue(asio::io_context& ioc, RobotArm& arm, AuditLog& audit)
      : ioc_(ioc), strand_(asio::make_strand(ioc)), arm_(arm), audit_(audit), watchdog_(ioc) {}

  // ---------------------------------------------------------------- bay handling

  bool dispense_with_retry(const DispenseOrder& order) {
    int bay = arm_.reserve_bay(order.order_id);
    ScopeExit release([&] { arm_.release_bay(bay); }); // expect: errorshield-deferred-ref-capture
    for (int attempt = 0; attempt < 3; ++attempt) {
      if (arm_.pick(order, bay)) return arm_.print_label(order);
      arm_.home();
      bay = arm_.reserve_bay(order.order_id);  // jammed bay: try a different one
    }
    audit_.write("pick_failed", order.order_id);
    return false;
  }

  bool dispense_with_retry_fixed(const DispenseOrder& order) {
    for (int attempt = 0; attempt < 3; ++attempt) {
      const int bay = arm_.reserve_bay(order.order_id);
      ScopeExit release([this, bay] { arm_.release_bay(bay); });  // OK: one guard per bay, by value
      if (arm_.pick(order, bay)) return arm_.print_label(order);
      arm_.home();
    }
    audit_.write("pick_failed", order.order_id);
    return false;
  }

  bool dispense_single(const DispenseOrder& order) {
    int bay = arm_.reserve_bay(order.order_id);
    if (bay < 0) bay = arm_.reserve_bay(order.order_id);  // assigned before the guard exists
    ScopeExit release([&] { arm_.release_bay(bay); });  // OK: bay never changes afterwards
    if (!arm_.pick(order, bay)) return false;
    return arm_.print_label(order);
  }

  // ---------------------------------------------------------------- queue edits

  void cancel(const std::string& order_id) {
    std::string id = order_id;
    asio::post(strand_, [this, &id] { drop_from_queue(id); }); // expect: errorshield-deferred-ref-capture
  }

  void cancel_fixed(const std::string& order_id) {
    asio::post(strand_, [self = shared_from_this(), id = order_id] { self->drop_from_queue(id); });  // OK
  }

  void enqueue(const json& body) {
    auto order = parse_order(body);
    asio::post(strand_, [self = shared_from_this(), order = std::move(order)]() mutable {
      self->queue_.push_back(std::move(order));
      self->sort_queue();
    });
  }

  // ---------------------------------------------------------------- batch + watchdog

  void run_batch(std::vector<DispenseOrder> batch) {
    if (batch.empty()) return;
    DispenseOrder current = batch.front();
    watchdog_.expires_after(std::chrono::seconds(45));
    watchdog_.async_wait([this, &current](error_code ec) { // expect: errorshield-deferred-ref-capture
      if (!ec) arm_.abort_motion(current.order_id);
    });
    for (const auto& o : batch) {
      current = o;
      if (!dispense_with_retry_fixed(current)) break;
    }
    watchdog_.cancel();
  }

  void run_batch_fixed(std::vector<DispenseOrder> batch) {
    auto current = std::make_shared<std::string>();
    for (const auto& o : batch) {
      *current = o.order_id;
      watchdog_.expires_after(std::chrono::seconds(45));
      watchdog_.async_wait([self = shared_from_this(), current](error_code ec) {  // OK: shared state
        if (!ec) self->arm_.abort_motion(*current);
      });
      if (!dispense_with_retry_fixed(o)) break;
    }
    watchdog_.cancel();
  }

  // ---------------------------------------------------------------- patient hold

  // Pharmacist puts a patient on hold (allergy review); releasing the hold must happen
  // on the strand once the review message arrives.
  void hold_patient(const json& msg) {
    std::string patient = msg.at("patient_id").get<std::string>();
    held_patients_.push_back(patient);
    on_review_done_.push_back([this, &patient] { unhold(patient); }); // expect: errorshield-deferred-ref-capture
  }

  void hold_patient_fixed(const json& msg) {
    std::string patient = msg.at("patient_id").get<std::string>();
    held_patients_.push_back(patient);
    on_review_done_.push_back([this, patient] { unhold(patient); });  // OK: by value
  }

  void review_finished() {
    auto hooks = std::move(on_review_done_);
    on_review_done_.clear();
    for (auto& h : hooks) asio::post(strand_, std::move(h));
  }

  // ---------------------------------------------------------------- label printer errors

  void reprint_labels(const std::vector<DispenseOrder>& orders) {
    int failures = 0;
    std::string last_failed;
    for (const auto& o : orders) {
      if (arm_.print_label(o)) continue;
      ++failures;
      last_failed = o.order_id;
      if (failures == 1) {
        // first failure: tell the workstation once the printer has been reset
        after_printer_reset([&] { audit_.write("label_reprint_failed", last_failed); }); // expect: errorshield-deferred-ref-capture
      }
    }
  }

  void reprint_labels_fixed(const std::vector<DispenseOrder>& orders) {
    std::vector<std::string> failed;
    for (const auto& o : orders)
      if (!arm_.print_label(o)) failed.push_back(o.order_id);
    if (failed.empty()) return;
    after_printer_reset([this, failed = std::move(failed)] {  // OK: moved in
      for (const auto& id : failed) audit_.write("label_reprint_failed", id);
    });
  }

  // ---------------------------------------------------------------- synchronous helpers

  std::size_t count_for_patient(const std::string& patient_id) const {
    std::string key = patient_id;
    auto n = std::count_if(queue_.begin(), queue_.end(),
                           [&](const DispenseOrder& o) { return o.patient_id == key; });  // OK: runs now
    key.clear();
    return static_cast<std::size_t>(n);
  }

  void self_test() {
    int bays_ok = 0;
    std::thread probe([&] {  // OK: joined before bays_ok goes away
      for (int b = 0; b < 8; ++b)
        if (arm_.reserve_bay("selftest") >= 0) ++bays_ok;
    });
    probe.join();
    bays_ok = bays_ok > 0 ? bays_ok : -1;
    audit_.write("self_test_bays=" + std::to_string(bays_ok), "-");
  }

 private:
  template <class F>
  void after_printer_reset(F&& fn) {
    printer_reset_timer_.expires_after(std::chrono::seconds(2));
    printer_reset_timer_.async_wait(
        [self = shared_from_this(), fn = std::forward<F>(fn)](error_code ec) mutable {
          if (!ec) fn();
        });
  }

  void drop_from_queue(const std::string& id) {
    std::erase_if(queue_, [&](const DispenseOrder& o) { return o.order_id == id; });
  }

  void unhold(const std::string& patient) {
    std::erase(held_patients_, patient);
  }

  void sort_queue() {
    std::sort(queue_.begin(), queue_.end(),
              [](const DispenseOrder& a, const DispenseOrder& b) { return a.priority > b.priority; });
  }

  asio::io_context& ioc_;
  asio::strand<asio::io_context::executor_type> strand_;
  RobotArm& arm_;
  AuditLog& audit_;
  asio::steady_timer watchdog_;
  asio::steady_timer printer_reset_timer_{ioc_};
  std::deque<DispenseOrder> queue_;
  std::vector<std::string> held_patients_;
  std::vector<std::function<void()>> on_review_done_;
};

}  // namespace pharmacy
