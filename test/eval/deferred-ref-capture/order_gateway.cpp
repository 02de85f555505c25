// checks: errorshield-deferred-ref-capture
// Order entry path of a trading gateway: JSON orders arrive from the FIX/WS
// front end, are risk-checked on a worker pool and forwarded to the matcher.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

using json = nlohmann::json;

// Minimal stand-in for absl::Cleanup (absl/cleanup/cleanup.h), not installed here.
namespace absl {
namespace cleanup_internal { struct Tag {}; }
template <class Arg, class Callback = void()>
class Cleanup final {
 public:
  Cleanup(Callback cb) : cb_(std::move(cb)) {}
  Cleanup(Cleanup&& o) noexcept : cb_(std::move(o.cb_)), engaged_(std::exchange(o.engaged_, false)) {}
  ~Cleanup() { if (engaged_) std::move(cb_)(); }
  void Cancel() && { engaged_ = false; }

 private:
  Callback cb_;
  bool engaged_ = true;
};
template <class Callback> Cleanup(Callback) -> Cleanup<cleanup_internal::Tag, Callback>;
template <class... Unused, class Callback>
Cleanup<cleanup_internal::Tag, Callback> MakeCleanup(Callback cb) { return {std::move(cb)}; }
}  // namespace absl

class ThreadPool {
 public:
  explicit ThreadPool(unsigned n) {
    // fine: the worker loop captures only `this`
    for (unsigned i = 0; i < n; ++i) workers_.emplace_back([this] { loop(); });
  }
  ~ThreadPool() {
    { std::lock_guard lk(mu_); stop_ = true; }
    cv_.notify_all();
    for (auto& w : workers_) w.join();
  }
  template <class F>
  auto submit(F&& f) -> std::future<std::invoke_result_t<F>> {
    auto task = std::make_shared<std::packaged_task<std::invoke_result_t<F>()>>(std::forward<F>(f));
    auto fut = task->get_future();
    enqueue([task] { (*task)(); });  // fine: shared_ptr copied by value
    return fut;
  }
  template <class F>
  void enqueue(F&& f) {
    { std::lock_guard lk(mu_); jobs_.emplace_back(std::forward<F>(f)); }
    cv_.notify_one();
  }

 private:
  void loop() {
    for (;;) {
      std::unique_lock lk(mu_);
      cv_.wait(lk, [this] { return stop_ || !jobs_.empty(); });
      if (stop_ && jobs_.empty()) return;
      auto job = std::move(jobs_.front());
      jobs_.pop_front();
      lk.unlock();
      job();
    }
  }
  std::vector<std::thread> workers_;
  std::deque<std::function<void()>> jobs_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
};

struct Order {
  std::string cl_ord_id, account, symbol;
  char side = 'B';
  double px = 0;
  long qty = 0;
};

bool risk_ok(const Order& o);
void audit_write(const Order& o);
void send_to_matcher(const Order& o);
void persist(const std::vector<Order>& book);
std::string normalize(const std::string& account);

class OrderGateway {
 public:
  using FillCallback = std::function<void(const std::string& cl_ord_id, long qty)>;
  void on_fill(FillCallback cb) { fill_cbs_.push_back(std::move(cb)); }

  void handle_new_order(const std::string& raw) {
    json j = json::parse(raw);
    Order order{j.at("clOrdId"), j.at("account"), j.at("symbol"), j.at("side").get<std::string>()[0], j.at("px"), j.at("qty")};
    // fine: the future is waited on before handle_new_order returns
    auto risk = pool_.submit([&order] { return risk_ok(order); });
    if (!risk.get()) return;
    // fire-and-forget audit job: order is a local that dies when this function returns
    pool_.enqueue([&order] { audit_write(order); });  // expect: errorshield-deferred-ref-capture
    send_to_matcher(order);
  }

  void handle_amend(const json& j) {
    std::string cl_ord_id = j.at("origClOrdId");
    std::lock_guard lk(book_mu_);
    locked_.push_back(cl_ord_id);
    // cl_ord_id is overwritten with the replacement id, so the wrong order gets unlocked
    absl::Cleanup unlock = [&cl_ord_id, this] { std::erase(locked_, cl_ord_id); };  // expect: errorshield-deferred-ref-capture
    for (auto& o : book_)
      if (o.cl_ord_id == cl_ord_id) o.px = j.at("px");
    cl_ord_id = j.at("clOrdId");
  }

  void handle_cancel(const json& j) {
    const std::string cl_ord_id = j.at("clOrdId");
    long cancelled = 0;
    // fine: nothing the cleanup reads is modified after it is created
    auto report = absl::MakeCleanup([&] { audit_cancel(cl_ord_id); });
    auto it = std::find_if(book_.begin(), book_.end(), [&cl_ord_id](const Order& o) { return o.cl_ord_id == cl_ord_id; });
    if (it != book_.end()) book_.erase(it);
    cancelled += 1;
  }

  void subscribe_fills(const std::string& account) {
    std::string acct = normalize(account);
    // on_fill keeps the callback in fill_cbs_; acct is destroyed on return
    on_fill([&acct](const std::string& id, long qty) { notify(acct, id, qty); });  // expect: errorshield-deferred-ref-capture
  }

  void subscribe_fills_owned(const std::string& account) {
    // fine: the normalized account is moved into the callback
    on_fill([acct = normalize(account)](const std::string& id, long qty) { notify(acct, id, qty); });
  }

  void start_snapshot() {
    std::vector<Order> book_copy = book_;
    // the future lives in a member, so the task can run after book_copy is destroyed
    snapshot_job_ = std::async(std::launch::async, [&book_copy] { persist(book_copy); });  // expect: errorshield-deferred-ref-capture
  }

  std::future<bool> precheck_async(const json& j) {
    Order probe{j.at("clOrdId"), j.at("account"), j.at("symbol"), 'B', j.at("px"), j.at("qty")};
    // the future is returned to the caller, so the check can run after probe is destroyed
    return std::async(std::launch::async, [&probe] { return risk_ok(probe); });  // expect: errorshield-deferred-ref-capture
  }

  void snapshot_now() {
    std::vector<Order> book_copy = book_;
    // fine: a local std::async future blocks in its destructor until the task is done
    auto done = std::async(std::launch::async, [&book_copy] { persist(book_copy); });
    done.wait();
  }

  std::vector<Order> best_bids(double ref_px) {
    std::vector<Order> out;
    // fine: algorithms run the predicate/comparator before returning
    std::copy_if(book_.begin(), book_.end(), std::back_inserter(out), [&](const Order& o) { return o.side == 'B' && o.px >= ref_px; });
    std::sort(out.begin(), out.end(), [&ref_px](const Order& a, const Order& b) { return a.px - ref_px > b.px - ref_px; });
    return out;
  }

 private:
  static void audit_cancel(const std::string& id);
  static void notify(const std::string& acct, const std::string& id, long qty);
  ThreadPool pool_{4};
  std::mutex book_mu_;
  std::vector<Order> book_;
  std::vector<std::string> locked_;
  std::vector<FillCallback> fill_cbs_;
  std::future<void> snapshot_job_;
};
