// checks: errorshield-deferred-ref-capture
// Pickup locker service for the bakery: customers pre-order, the service
// reserves a heated locker, and releases it when the order is collected or the
// reservation lapses.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace bakery {

class LockerBank {
public:
  std::optional<int> reserve(const std::string &order_id);
  void release(int locker);
  void mark_collected(const std::string &order_id);
  std::optional<int> locker_for(const std::string &order_id) const;
};

void audit(const std::string &what, const std::string &order_id);

// Minimal scope-exit helper used across the locker code.
template <class F>
struct ScopeExit {
  F fn;
  bool armed = true;
  ~ScopeExit() {
    if (armed)
      fn();
  }
  void dismiss() { armed = false; }
};
template <class F>
ScopeExit<F> make_scope_exit(F fn) { return ScopeExit<F>{std::move(fn)}; }

// Moves an order to a locker on oven line B (it keeps bread warmer); the old
// locker is freed once the move is done.
void move_to_line_b(LockerBank &bank, const std::string &order_id) {
  auto cur = bank.locker_for(order_id);
  if (!cur)
    return;
  int locker = *cur;
  auto free_old = make_scope_exit([&] { bank.release(locker); }); // expect: errorshield-deferred-ref-capture
  if (auto fresh = bank.reserve(order_id + "/B"))
    locker = *fresh;
  audit("moved", order_id);
}

// Reservation for a single order; guard releases on any early return.
bool reserve_single(LockerBank &bank, const std::string &order_id, bool paid) {
  auto got = bank.reserve(order_id);
  if (!got)
    return false;
  const int locker = *got;
  auto undo = make_scope_exit([&] { bank.release(locker); });
  if (!paid)
    return false;
  audit("reserved", order_id);
  undo.dismiss();
  return true;
}

class PickupSession : public std::enable_shared_from_this<PickupSession> {
public:
  PickupSession(tcp::socket s, LockerBank &bank)
      : stream_(std::move(s)), bank_(bank) {}

  void run() { do_read(); }

  // Hook invoked by the server when the kiosk connection goes away.
  std::function<void()> on_disconnect;

private:
  void do_read() {
    req_ = {};
    http::async_read(stream_, buf_, req_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) {
          if (ec) {
            if (self->on_disconnect)
              self->on_disconnect();
            return;
          }
          self->handle();
        });
  }

  void handle() {
    auto body = json::parse(req_.body(), nullptr, false);
    std::string order_id = body.value("order_id", "");
    if (req_.target() == "/collect") {
      collect(order_id);
      return;
    }
    if (req_.target() == "/hold") {
      hold(order_id);
      return;
    }
    reply(http::status::not_found, json{{"error", "unknown route"}});
  }

  void collect(const std::string &order_id) {
    auto locker = bank_.locker_for(order_id);
    if (!locker) {
      reply(http::status::not_found, json{{"error", "no locker"}});
      return;
    }
    int num = *locker;
    auto res = std::make_shared<http::response<http::string_body>>(http::status::ok, req_.version());
    res->set(http::field::content_type, "application/json");
    res->body() = json{{"locker", num}}.dump();
    res->prepare_payload();
    http::async_write(stream_, *res,
        [self = shared_from_this(), res, &num, order_id](beast::error_code ec, std::size_t) { // expect: errorshield-deferred-ref-capture
          if (!ec) {
            self->bank_.mark_collected(order_id);
            self->bank_.release(num);
          }
          self->do_read();
        });
  }

  void hold(const std::string &order_id) {
    auto locker = bank_.reserve(order_id);
    if (!locker) {
      reply(http::status::conflict, json{{"error", "bank full"}});
      return;
    }
    int held = *locker;
    // If the kiosk walks away, free the locker it was holding.
    on_disconnect = [this, &held] { bank_.release(held); }; // expect: errorshield-deferred-ref-capture
    reply(http::status::ok, json{{"locker", held}});
  }

  void hold_for_staff(const std::string &order_id) {
    if (auto locker = bank_.reserve(order_id)) {
      on_disconnect = [self = shared_from_this(), held = *locker] {
        self->bank_.release(held);
      };
    }
  }

  void reply(http::status st, const json &j) {
    auto res = std::make_shared<http::response<http::string_body>>(st, req_.version());
    res->set(http::field::content_type, "application/json");
    res->body() = j.dump();
    res->prepare_payload();
    http::async_write(stream_, *res,
        [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
          if (!ec)
            self->do_read();
        });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  LockerBank &bank_;
};

// Lapsed reservations: every order not collected by closing time is released.
class ExpiryQueue {
public:
  explicit ExpiryQueue(asio::io_context &ioc) : ioc_(ioc) {}

  void expire_later(LockerBank &bank, const std::string &order_id) {
    auto locker = bank.locker_for(order_id);
    if (!locker)
      return;
    int l = *locker;
    asio::post(ioc_, [&bank, &l] { bank.release(l); }); // expect: errorshield-deferred-ref-capture
  }

  void expire_later_copy(LockerBank &bank, const std::string &order_id) {
    if (auto locker = bank.locker_for(order_id)) {
      asio::post(ioc_, [&bank, l = *locker, order_id] {
        bank.release(l);
        audit("expired", order_id);
      });
    }
  }

  // Closing time: synchronous, we wait for the audit to complete.
  void close_day(LockerBank &bank, const std::vector<std::string> &orders) {
    std::string label = "closing";
    auto fut = std::async(std::launch::async, [&] {
      for (const auto &o : orders) {
        audit(label, o);
        if (auto l = bank.locker_for(o))
          bank.release(*l);
      }
    });
    fut.get();
  }

private:
  asio::io_context &ioc_;
};

// Deferred release through a timer owned by the caller's io_context.
template <class Executor>
void release_after(Executor ex, LockerBank &bank, const std::string &order_id,
                   std::chrono::seconds grace) {
  auto timer = std::make_shared<asio::steady_timer>(ex, grace);
  std::string id = order_id;
  timer->async_wait([timer, &bank, &id](beast::error_code ec) { // expect: errorshield-deferred-ref-capture
    if (ec)
      return;
    if (auto l = bank.locker_for(id))
      bank.release(*l);
  });
}

template <class Executor>
void release_after_copy(Executor ex, LockerBank &bank, std::string order_id,
                        std::chrono::seconds grace) {
  auto timer = std::make_shared<asio::steady_timer>(ex, grace);
  timer->async_wait([timer, &bank, id = std::move(order_id)](beast::error_code ec) {
    if (ec)
      return;
    if (auto l = bank.locker_for(id))
      bank.release(*l);
  });
}

void wire(asio::io_context &ioc, LockerBank &bank) {
  release_after(ioc.get_executor(), bank, "A-1001", 900s);
  release_after_copy(ioc.get_executor(), bank, "A-1002", 900s);
}

} // namespace bakery
