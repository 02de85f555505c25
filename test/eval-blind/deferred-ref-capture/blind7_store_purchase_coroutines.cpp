// checks: errorshield-deferred-ref-capture
// In-game store: purchase/refund flow built on asio coroutines and stackful spawn.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <nlohmann/json.hpp>

namespace asio = boost::asio;
using json = nlohmann::json;
using boost::system::error_code;

#define STORE_LOG(fmt, ...) std::fprintf(stderr, "[store] " fmt "\n", ##__VA_ARGS__)

namespace store {

struct StoreConfig {
  std::chrono::milliseconds receipt_retry{500};
  std::chrono::seconds hold_ttl{30};
  int max_receipt_retries = 3;
};

struct PurchaseRequest {
  std::string player_id;
  std::string sku;
  std::int64_t price_cents = 0;
  std::string idempotency_key;
};

template <class F>
class ScopeGuard {
 public:
  explicit ScopeGuard(F f) : f_(std::move(f)) {}
  ScopeGuard(ScopeGuard&& o) noexcept : f_(std::move(o.f_)), active_(std::exchange(o.active_, false)) {}
  ~ScopeGuard() {
    if (active_) f_();
  }
  void release() { active_ = false; }

 private:
  F f_;
  bool active_ = true;
};
template <class F>
ScopeGuard<F> make_scope_guard(F f) { return ScopeGuard<F>(std::move(f)); }

// Fires `fn` on `ex` after `delay`; `fn` is stored inside the timer handler.
template <class Executor, class F>
void run_after(Executor ex, std::chrono::milliseconds delay, F fn) {
  auto t = std::make_shared<asio::steady_timer>(ex, delay);
  t->async_wait([t, fn = std::move(fn)](error_code ec) mutable {
    if (!ec) fn();
  });
}

// Invokes `fn` synchronously while holding `m`.
template <class F>
auto with_lock(std::mutex& m, F&& fn) {
  std::lock_guard lk(m);
  return std::forward<F>(fn)();
}

class Ledger {
 public:
  void hold(const std::string& txn, std::int64_t cents) { STORE_LOG("hold %s %lld", txn.c_str(), static_cast<long long>(cents)); }
  void release_hold(const std::string& txn) { STORE_LOG("release %s", txn.c_str()); }
  void refund(const std::string& txn) { STORE_LOG("refund %s", txn.c_str()); }
};

class AuditSink {
 public:
  void record(const char* kind, const std::string& id) { STORE_LOG("audit %s %s", kind, id.c_str()); }
};

class PurchaseService : public std::enable_shared_from_this<PurchaseService> {
 public:
  PurchaseService(asio::io_context& ioc, StoreConfig cfg)
      : ioc_(ioc), strand_(asio::make_strand(ioc)), cfg_(cfg) {}

  asio::awaitable<void> purchase(PurchaseRequest req) {
    auto ex = co_await asio::this_coro::executor;
    std::string receipt_id = make_receipt_id(req);
    with_lock(ledger_mtx_, [&] { ledger_.hold(receipt_id, req.price_cents); });
    asio::post(ex, [&receipt_id, this] { audit_.record("purchase", receipt_id); }); // expect: errorshield-deferred-ref-capture
    co_return;
  }

  asio::awaitable<void> purchase_awaited(PurchaseRequest req) {
    auto ex = co_await asio::this_coro::executor;
    std::string receipt_id = make_receipt_id(req);
    // The child coroutine is awaited, so the parent frame (and receipt_id) outlives it.
    co_await asio::co_spawn(
        ex,
        [&]() -> asio::awaitable<void> {
          audit_.record("purchase", receipt_id);
          co_return;
        },
        asio::use_awaitable);
    asio::post(ex, [receipt_id, this] { audit_.record("purchase-posted", receipt_id); });
  }

  void schedule_receipt_retry(const PurchaseRequest& req, int attempt) {
    std::string key = req.idempotency_key;
    run_after(ioc_.get_executor(), cfg_.receipt_retry * attempt, [&key, this] { resend_receipt(key); }); // expect: errorshield-deferred-ref-capture
  }

  void schedule_receipt_retry_safe(const PurchaseRequest& req, int attempt) {
    run_after(ioc_.get_executor(), cfg_.receipt_retry * attempt,
              [key = req.idempotency_key, self = shared_from_this()] { self->resend_receipt(key); });
  }

  // Releases the hold taken for the *first* transaction if the batch aborts,
  // but the loop keeps overwriting txn_id.
  void refund_batch(const std::vector<std::string>& txns) {
    if (txns.empty()) return;
    std::string txn_id = txns.front();
    auto unhold = make_scope_guard([&] { ledger_.release_hold(txn_id); }); // expect: errorshield-deferred-ref-capture
    for (const auto& t : txns) {
      txn_id = t;
      ledger_.refund(txn_id);
    }
  }

  void refund_single(const std::string& txn) {
    const std::string txn_id = txn;
    auto unhold = make_scope_guard([&] { ledger_.release_hold(txn_id); });
    ledger_.refund(txn_id);
    if (!txn_id.empty()) unhold.release();
  }

  void start_hold_expiry(PurchaseRequest req) {
    asio::spawn(
        strand_,
        [this, req](asio::yield_context yield) {
          std::int64_t hold_cents = req.price_cents;
          auto expiry = std::make_shared<asio::steady_timer>(ioc_, cfg_.hold_ttl);
          expiry->async_wait([expiry, &hold_cents, this](error_code ec) { if (!ec) STORE_LOG("expired hold of %lld", static_cast<long long>(hold_cents)); }); // expect: errorshield-deferred-ref-capture
          asio::steady_timer pause(ioc_, std::chrono::milliseconds(10));
          error_code ec;
          pause.async_wait(yield[ec]);
        },
        asio::detached);
  }

  void start_hold_expiry_safe(PurchaseRequest req) {
    asio::spawn(
        strand_,
        [this, req](asio::yield_context yield) {
          std::int64_t hold_cents = req.price_cents;
          asio::steady_timer expiry(ioc_, cfg_.hold_ttl);
          error_code ec;
          expiry.async_wait(yield[ec]);
          if (!ec) STORE_LOG("expired hold of %lld", static_cast<long long>(hold_cents));
        },
        asio::detached);
  }

  void arm_sku_timers(const std::vector<PurchaseRequest>& reqs) {
    sku_timers_.clear();
    for (std::size_t i = 0; i < reqs.size(); ++i) {
      auto& t = sku_timers_.emplace_back(std::make_unique<asio::steady_timer>(ioc_, cfg_.hold_ttl));
      t->async_wait([&i, this](error_code ec) { if (!ec) on_sku_timeout(i); }); // expect: errorshield-deferred-ref-capture
    }
  }

  void arm_sku_timers_safe(const std::vector<PurchaseRequest>& reqs) {
    sku_timers_.clear();
    for (std::size_t i = 0; i < reqs.size(); ++i) {
      auto& t = sku_timers_.emplace_back(std::make_unique<asio::steady_timer>(ioc_, cfg_.hold_ttl));
      t->async_wait([i, this](error_code ec) { if (!ec) on_sku_timeout(i); });
    }
  }

  json summarize(const std::vector<PurchaseRequest>& reqs) const {
    json out = json::array();
    std::int64_t total_cents = 0;
    auto append = [&](const PurchaseRequest& r) {
      total_cents += r.price_cents;
      out.push_back({{"sku", r.sku}, {"price_cents", r.price_cents}});
    };
    for (const auto& r : reqs) append(r);
    return json{{"items", out}, {"total_cents", total_cents}};
  }

 private:
  std::string make_receipt_id(const PurchaseRequest& r) const { return r.player_id + ":" + r.idempotency_key; }
  void resend_receipt(const std::string& key) { STORE_LOG("resend receipt %s", key.c_str()); }
  void on_sku_timeout(std::size_t idx) { STORE_LOG("sku slot %zu timed out", idx); }

  asio::io_context& ioc_;
  asio::strand<asio::io_context::executor_type> strand_;
  StoreConfig cfg_;
  std::mutex ledger_mtx_;
  Ledger ledger_;
  AuditSink audit_;
  std::vector<std::unique_ptr<asio::steady_timer>> sku_timers_;
};

}  // namespace store

int main() {
  asio::io_context ioc;
  auto svc = std::make_shared<store::PurchaseService>(ioc, store::StoreConfig{});
  store::PurchaseRequest req{"p1", "skin.dragon", 499, "k-1"};
  asio::co_spawn(ioc, svc->purchase_awaited(req), asio::detached);
  svc->schedule_receipt_retry_safe(req, 1);
  svc->start_hold_expiry_safe(req);
  ioc.run();
}
