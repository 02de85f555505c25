// checks: errorshield-deferred-ref-capture
// Order counter service for a chain of ice cream parlours: tills connect over TCP,
// push scoop orders, and the freezer-stock tracker is released when a till goes away.
#include <boost/asio.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace asio = boost::asio;
using asio::ip::tcp;

namespace parlour {

struct Order {
  int till_id = 0;
  std::string flavour;
  int scoops = 0;
};

class StockLedger {
public:
  void reserve(const std::string &flavour, int scoops) {
    std::lock_guard lk(mu_);
    reserved_[flavour] += scoops;
  }
  void release(const std::string &flavour, int scoops) {
    std::lock_guard lk(mu_);
    reserved_[flavour] -= scoops;
  }
  void drop_till(int till_id) {
    std::lock_guard lk(mu_);
    tills_.erase(till_id);
  }
  void add_till(int till_id) {
    std::lock_guard lk(mu_);
    tills_[till_id] = true;
  }

private:
  std::mutex mu_;
  std::map<std::string, int> reserved_;
  std::map<int, bool> tills_;
};

template <class Fn> class ScopeExit {
public:
  explicit ScopeExit(Fn fn) : fn_(std::move(fn)) {}
  ScopeExit(const ScopeExit &) = delete;
  ScopeExit &operator=(const ScopeExit &) = delete;
  ~ScopeExit() {
    if (armed_)
      fn_();
  }
  void dismiss() { armed_ = false; }

private:
  Fn fn_;
  bool armed_ = true;
};

template <class Fn> ScopeExit<Fn> on_exit(Fn fn) { return ScopeExit<Fn>(std::move(fn)); }

StockLedger &ledger() {
  static StockLedger l;
  return l;
}

int next_till_slot();
Order parse_order(const std::string &line);
bool freezer_has(const std::string &flavour, int scoops);

// Moves a till to a fresh slot; the old slot is freed once the move is done.
void migrate_till(int current_slot) {
  int slot = current_slot;
  auto free_old = on_exit([&] { ledger().drop_till(slot); }); // expect: errorshield-deferred-ref-capture
  slot = next_till_slot();
  ledger().add_till(slot);
}

// Reservation for a single order, rolled back if the freezer does not have it.
bool reserve_order(const Order &o) {
  std::string flavour = o.flavour;
  ledger().reserve(flavour, o.scoops);
  auto rollback = on_exit([&] { ledger().release(flavour, o.scoops); });
  if (!freezer_has(flavour, o.scoops))
    return false;
  rollback.dismiss();
  return true;
}

// Batch reservation: each line reserved, rollback queued until the batch commits.
void reserve_batch(const std::vector<std::string> &lines) {
  std::vector<std::function<void()>> undo_log;
  Order current;
  for (const auto &line : lines) {
    current = parse_order(line);
    ledger().reserve(current.flavour, current.scoops);
    undo_log.push_back([&current] { ledger().release(current.flavour, current.scoops); }); // expect: errorshield-deferred-ref-capture
  }
  bool ok = !undo_log.empty();
  if (!ok) {
    for (auto &u : undo_log)
      u();
  }
}

// Same idea, but each undo step keeps its own copy of the order.
void reserve_batch_safe(const std::vector<std::string> &lines) {
  std::vector<std::function<void()>> undo_log;
  for (const auto &line : lines) {
    Order o = parse_order(line);
    ledger().reserve(o.flavour, o.scoops);
    undo_log.push_back([o] { ledger().release(o.flavour, o.scoops); });
  }
  if (undo_log.size() > 64) {
    for (auto &u : undo_log)
      u();
  }
}

// Schedules a stock recount on the shared io_context after the till closes.
void schedule_recount(asio::io_context &ioc, int till_id) {
  std::string reason = "till-closed:" + std::to_string(till_id);
  asio::post(ioc, [&reason, till_id] { // expect: errorshield-deferred-ref-capture
    if (!reason.empty())
      ledger().drop_till(till_id);
  });
}

void schedule_recount_copy(asio::io_context &ioc, int till_id) {
  std::string reason = "till-closed:" + std::to_string(till_id);
  asio::post(ioc, [reason = std::move(reason), till_id] {
    if (!reason.empty())
      ledger().drop_till(till_id);
  });
}

class TillSession : public std::enable_shared_from_this<TillSession> {
public:
  TillSession(tcp::socket sock, int till_id)
      : sock_(std::move(sock)), timer_(sock_.get_executor()), till_id_(till_id) {}

  void start() {
    ledger().add_till(till_id_);
    arm_idle_timer();
    read_line();
  }

  // Sends a receipt for the order back to the till.
  void send_receipt(const Order &o) {
    std::string receipt = o.flavour + " x" + std::to_string(o.scoops) + "\n";
    asio::async_write(sock_, asio::buffer(receipt),
                      [&receipt, self = shared_from_this()](boost::system::error_code ec, std::size_t) { // expect: errorshield-deferred-ref-capture
                        if (ec)
                          self->fail(receipt);
                      });
  }

  // Receipt kept alive by the session until the write finishes.
  void send_receipt_owned(const Order &o) {
    auto receipt = std::make_shared<std::string>(o.flavour + " x" + std::to_string(o.scoops) + "\n");
    asio::async_write(sock_, asio::buffer(*receipt),
                      [receipt, self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                        if (ec)
                          self->fail(*receipt);
                      });
  }

private:
  void arm_idle_timer() {
    timer_.expires_after(std::chrono::minutes(5));
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec)
        self->sock_.close();
    });
  }

  void read_line() {
    asio::async_read_until(sock_, asio::dynamic_buffer(inbox_), '\n',
                           [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                             if (ec) {
                               ledger().drop_till(self->till_id_);
                               return;
                             }
                             std::string line = self->inbox_.substr(0, n);
                             self->inbox_.erase(0, n);
                             Order o = parse_order(line);
                             if (reserve_order(o))
                               self->send_receipt_owned(o);
                             self->read_line();
                           });
  }

  void fail(const std::string &what) {
    last_error_ = what;
    sock_.close();
  }

  tcp::socket sock_;
  asio::steady_timer timer_;
  int till_id_;
  std::string inbox_;
  std::string last_error_;
};

// Accept loop: each till gets the next slot number.
asio::awaitable<void> accept_tills(tcp::acceptor acc) {
  int till_id = 0;
  for (;;) {
    tcp::socket sock = co_await acc.async_accept(asio::use_awaitable);
    ++till_id;
    auto ex = co_await asio::this_coro::executor;
    asio::co_spawn(
        ex,
        [&till_id, s = std::move(sock)]() mutable -> asio::awaitable<void> { // expect: errorshield-deferred-ref-capture
          std::make_shared<TillSession>(std::move(s), till_id)->start();
          co_return;
        },
        asio::detached);
  }
}

// Nightly stock audit runs on its own thread and is waited for before returning.
void nightly_audit(const std::vector<std::string> &flavours) {
  int checked = 0;
  std::thread worker([&] {
    for (const auto &f : flavours)
      if (freezer_has(f, 1))
        ++checked;
  });
  worker.join();
  ledger().reserve("audit", checked);
}

// Local pool drained before the data it refers to goes away.
void drain_pending(const std::vector<Order> &pending) {
  asio::io_context local;
  int released = 0;
  for (const auto &o : pending)
    asio::post(local, [&o, &released] {
      ledger().release(o.flavour, o.scoops);
      ++released;
    });
  local.run();
}

} // namespace parlour
