// checks: errorshield-deferred-ref-capture
// Checkout path of a concert box office: seats are held while the card is
// charged, holds expire on a timer, and the payment gateway answers async.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using json = nlohmann::json;

namespace boxoffice {

using HoldId = std::uint64_t;
using OrderId = std::uint64_t;

struct SeatRef {
  std::string section;
  int row = 0;
  int seat = 0;
};

class Inventory {
public:
  std::optional<HoldId> hold(const SeatRef& s, const std::string& buyer);
  void release(HoldId id);
  void confirm(HoldId id, OrderId order);
  std::vector<SeatRef> alternatives(const SeatRef& s, std::size_t n) const;
};

class PaymentGateway {
public:
  using Callback = std::function<void(bool approved, std::string reference)>;
  void charge(OrderId order, std::int64_t amount_cents, Callback cb);
  void refund(const std::string& reference);
};

template <class F>
struct OnExit {
  F f;
  bool active = true;
  ~OnExit() {
    if (active) f();
  }
};
template <class F>
OnExit<F> on_exit(F f) { return OnExit<F>{std::move(f)}; }

OrderId next_order_id();
void metric(const char* name, std::uint64_t v);

class Checkout {
public:
  Checkout(asio::io_context& ioc, Inventory& inv, PaymentGateway& pg)
      : ioc_(ioc), inv_(inv), pg_(pg) {}

  // Try the requested seat, fall back to adjacent ones; the hold is released
  // on any exit path unless the order is confirmed.
  std::optional<HoldId> hold_best_seat(const SeatRef& wanted, const std::string& buyer) {
    HoldId hold = 0;
    auto release = on_exit([&] { if (hold) inv_.release(hold); }); // expect: errorshield-deferred-ref-capture
    if (auto h = inv_.hold(wanted, buyer)) hold = *h;

    for (const auto& alt : inv_.alternatives(wanted, 3)) {
      if (hold && !seat_blocked(hold)) break;
      if (auto h = inv_.hold(alt, buyer)) hold = *h;  // earlier hold is still pending
    }
    if (!hold) return std::nullopt;
    release.active = false;
    return hold;
  }

  // Correct: the guard is armed only once the hold id is final.
  std::optional<HoldId> hold_exact_seat(const SeatRef& wanted, const std::string& buyer) {
    auto h = inv_.hold(wanted, buyer);
    if (!h) return std::nullopt;
    const HoldId hold = *h;
    auto release = on_exit([&] { inv_.release(hold); });
    if (seat_blocked(hold)) return std::nullopt;
    release.active = false;
    return hold;
  }

  // Each seat in the cart is charged separately (split payments for groups).
  void charge_cart(const std::vector<std::pair<HoldId, std::int64_t>>& cart) {
    OrderId order = 0;
    for (const auto& [hold, cents] : cart) {
      order = next_order_id();
      pg_.charge(order, cents, [this, hold = hold, &order](bool ok, std::string ref) { // expect: errorshield-deferred-ref-capture
        if (ok) inv_.confirm(hold, order);
        else inv_.release(hold);
        metric("charge.done", ref.size());
      });
    }
  }

  void charge_cart_fixed(const std::vector<std::pair<HoldId, std::int64_t>>& cart) {
    for (const auto& [hold, cents] : cart) {
      const OrderId order = next_order_id();
      pg_.charge(order, cents, [this, hold = hold, order](bool ok, std::string) {
        if (ok) inv_.confirm(hold, order);
        else inv_.release(hold);
      });
    }
  }

  // Holds lapse after N minutes unless confirmed.
  template <class Duration>
  void schedule_expiry(std::vector<HoldId> holds, Duration ttl) {
    HoldId current{};
    for (auto h : holds) {
      current = h;
      auto timer = std::make_shared<asio::steady_timer>(ioc_, ttl);
      timer->async_wait([this, timer, &current](const beast::error_code& ec) { // expect: errorshield-deferred-ref-capture
        if (ec != asio::error::operation_aborted) inv_.release(current);
      });
      expiry_timers_.push_back(timer);
    }
  }

  template <class Duration>
  void schedule_expiry_fixed(const std::vector<HoldId>& holds, Duration ttl) {
    for (auto h : holds) {
      auto timer = std::make_shared<asio::steady_timer>(ioc_, ttl);
      timer->async_wait([this, timer, h](const beast::error_code& ec) {
        if (ec != asio::error::operation_aborted) inv_.release(h);
      });
      expiry_timers_.push_back(timer);
    }
  }

  // Refund flow for a cancelled show; the reference is written back in the
  // gateway response before the cleanup handler gets a chance to run.
  void cancel_order(std::string reference, std::string buyer_email) {
    asio::post(ioc_, [this, &reference] { pg_.refund(reference); }); // expect: errorshield-deferred-ref-capture
    reference = "void:" + reference;
    notify(buyer_email, reference);
  }

  void cancel_order_fixed(std::string reference, std::string buyer_email) {
    asio::post(ioc_, [this, ref = reference] { pg_.refund(ref); });
    notify(buyer_email, "void:" + reference);
  }

  // Audits a batch synchronously: the lambda is used before we return.
  std::size_t count_blocked(const std::vector<HoldId>& holds) {
    std::size_t blocked = 0;
    auto visit = [&](HoldId h) { if (seat_blocked(h)) ++blocked; };
    for (auto h : holds) visit(h);
    blocked = std::min(blocked, holds.size());
    return blocked;
  }

  // Scope guard that only logs: the captured counter is final before the guard.
  void sweep_stale(const std::vector<HoldId>& holds) {
    std::uint64_t released = 0;
    for (auto h : holds)
      if (seat_blocked(h)) { inv_.release(h); ++released; }
    auto report = on_exit([&] { metric("sweep.released", released); });
  }

private:
  bool seat_blocked(HoldId id) const;
  void notify(const std::string& email, const std::string& ref);

  asio::io_context& ioc_;
  Inventory& inv_;
  PaymentGateway& pg_;
  std::vector<std::shared_ptr<asio::steady_timer>> expiry_timers_;
};

// HTTP entrypoint: POST /checkout with {"buyer": "...", "seats":[...]}
http::response<http::string_body> handle_checkout(Checkout& co, const http::request<http::string_body>& req) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  auto body = json::parse(req.body(), nullptr, false);
  if (body.is_discarded() || !body.contains("seats")) {
    res.result(http::status::bad_request);
    res.body() = R"({"error":"malformed"})";
    res.prepare_payload();
    return res;
  }
  json held = json::array();
  const std::string buyer = body.value("buyer", std::string{});
  for (const auto& s : body["seats"]) {
    SeatRef ref{s.at("section").get<std::string>(), s.at("row").get<int>(), s.at("seat").get<int>()};
    if (auto h = co.hold_best_seat(ref, buyer)) held.push_back(*h);
  }
  co.schedule_expiry(held.get<std::vector<HoldId>>(), std::chrono::minutes(8));
  res.body() = json{{"holds", held}}.dump();
  res.prepare_payload();
  return res;
}

}  // namespace boxoffice
