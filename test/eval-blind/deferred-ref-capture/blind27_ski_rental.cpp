// checks: errorshield-deferred-ref-capture
// Ski rental counter service: tracks gear checkout sessions per kiosk connection,
// releases reserved skis/boots when a kiosk disconnects or a hold times out.
#include <boost/asio.hpp>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace rental {

struct GearHold {
  std::uint64_t hold_id = 0;
  std::string kiosk;
  std::vector<std::string> items; // e.g. "ski-170cm", "boot-42"
};

class Inventory {
public:
  std::uint64_t reserve(const std::string &kiosk, std::vector<std::string> items) {
    auto id = ++next_;
    holds_[id] = GearHold{id, kiosk, std::move(items)};
    return id;
  }
  void release(std::uint64_t id) { holds_.erase(id); }
  bool contains(std::uint64_t id) const { return holds_.count(id) != 0; }
  std::size_t size() const { return holds_.size(); }

private:
  std::uint64_t next_ = 0;
  std::map<std::uint64_t, GearHold> holds_;
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

template <class Fn> ScopeExit<Fn> on_scope_exit(Fn fn) { return ScopeExit<Fn>(std::move(fn)); }

void log_release(std::uint64_t id) { std::cout << "released hold " << id << "\n"; }

// Processes a batch of fittings for one kiosk. If fitting throws midway, the
// current hold should go back to the shelf.
void fit_batch(Inventory &inv, const std::string &kiosk,
               const std::vector<std::vector<std::string>> &batch) {
  std::uint64_t hold = inv.reserve(kiosk, batch.front());
  auto guard = on_scope_exit([&] { inv.release(hold); log_release(hold); }); // expect: errorshield-deferred-ref-capture
  for (std::size_t i = 1; i < batch.size(); ++i) {
    // a new customer at the same kiosk gets a fresh hold
    hold = inv.reserve(kiosk, batch[i]);
  }
}

// Single fitting: the guard releases the hold unless the customer pays.
bool fit_single(Inventory &inv, const std::string &kiosk, std::vector<std::string> items,
                bool paid) {
  std::uint64_t hold = inv.reserve(kiosk, std::move(items));
  auto guard = on_scope_exit([&] { inv.release(hold); });
  if (paid) {
    guard.dismiss();
    return true;
  }
  return false;
}

// Fitting with an explicit copy of the id in the guard.
void fit_with_copy(Inventory &inv, const std::string &kiosk,
                   const std::vector<std::vector<std::string>> &batch) {
  std::uint64_t hold = inv.reserve(kiosk, batch.front());
  auto guard = on_scope_exit([&inv, hold] { inv.release(hold); });
  for (std::size_t i = 1; i < batch.size(); ++i)
    hold = inv.reserve(kiosk, batch[i]);
}

// Schedules a delayed release of an abandoned hold (customer walked away).
void schedule_abandon(asio::io_context &ioc, Inventory &inv, const std::string &kiosk) {
  std::uint64_t hold = inv.reserve(kiosk, {"helmet-M"});
  auto timer = std::make_shared<asio::steady_timer>(ioc, 15min);
  timer->async_wait([timer, &inv, &hold](boost::system::error_code ec) { // expect: errorshield-deferred-ref-capture
    if (!ec)
      inv.release(hold);
  });
}

// Same thing done right: the id travels by value.
void schedule_abandon_ok(asio::io_context &ioc, Inventory &inv, const std::string &kiosk) {
  std::uint64_t hold = inv.reserve(kiosk, {"helmet-L"});
  auto timer = std::make_shared<asio::steady_timer>(ioc, 15min);
  timer->async_wait([timer, &inv, hold](boost::system::error_code ec) {
    if (!ec)
      inv.release(hold);
  });
}

class KioskSession : public std::enable_shared_from_this<KioskSession> {
public:
  KioskSession(tcp::socket sock, Inventory &inv, asio::strand<asio::io_context::executor_type> st)
      : sock_(std::move(sock)), inv_(inv), strand_(st) {}

  void start() { read_line(); }

  // Kiosk swapped customers: release the old hold on the strand, take a new one.
  void switch_customer(std::vector<std::string> items) {
    std::uint64_t previous = current_hold_;
    asio::post(strand_, [this, &previous] { inv_.release(previous); }); // expect: errorshield-deferred-ref-capture
    current_hold_ = inv_.reserve(kiosk_name_, std::move(items));
  }

  // Disconnect handler registration; runs when the socket dies.
  void on_disconnect(std::function<void()> cb) { disconnect_cb_ = std::move(cb); }

  void release_current_later() {
    auto self = shared_from_this();
    std::uint64_t id = current_hold_;
    asio::post(strand_, [self, id] { self->inv_.release(id); });
  }

private:
  void read_line() {
    auto self = shared_from_this();
    asio::async_read_until(sock_, asio::dynamic_buffer(buf_), '\n',
                           [self](boost::system::error_code ec, std::size_t n) {
                             if (ec) {
                               if (self->disconnect_cb_)
                                 self->disconnect_cb_();
                               return;
                             }
                             std::string line = self->buf_.substr(0, n - 1);
                             self->buf_.erase(0, n);
                             self->handle(line);
                             self->read_line();
                           });
  }

  void handle(const std::string &line) {
    if (line.rfind("KIOSK ", 0) == 0)
      kiosk_name_ = line.substr(6);
    else if (!line.empty())
      switch_customer({line});
  }

  tcp::socket sock_;
  Inventory &inv_;
  asio::strand<asio::io_context::executor_type> strand_;
  std::string buf_;
  std::string kiosk_name_ = "unknown";
  std::uint64_t current_hold_ = 0;
  std::function<void()> disconnect_cb_;
};

class RentalServer {
public:
  RentalServer(asio::io_context &ioc, unsigned short port)
      : ioc_(ioc), acceptor_(ioc, tcp::endpoint(tcp::v4(), port)) {}

  void run_accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket sock) {
      if (!ec)
        attach(std::move(sock));
      run_accept();
    });
  }

  // Coroutine variant used by the newer kiosks.
  asio::awaitable<void> serve_kiosk(tcp::socket sock) {
    std::string kiosk = "k-" + std::to_string(++kiosk_seq_);
    std::uint64_t hold = inventory_.reserve(kiosk, {"poles-120"});
    auto ex = co_await asio::this_coro::executor;
    asio::co_spawn(ex, [&]() -> asio::awaitable<void> { // expect: errorshield-deferred-ref-capture
      asio::steady_timer t(co_await asio::this_coro::executor, 30min);
      co_await t.async_wait(asio::use_awaitable);
      inventory_.release(hold);
    }, asio::detached);
    char c;
    co_await sock.async_read_some(asio::buffer(&c, 1), asio::use_awaitable);
  }

  // Waits for the release to finish before the locals go away.
  void release_all_blocking(const std::vector<std::uint64_t> &ids) {
    std::size_t done = 0;
    std::thread worker([&] {
      for (auto id : ids) {
        inventory_.release(id);
        ++done;
      }
    });
    worker.join();
    std::cout << "released " << done << " holds\n";
  }

  void count_open(const std::vector<std::uint64_t> &ids) const {
    std::size_t open = 0;
    std::for_each(ids.begin(), ids.end(), [&](std::uint64_t id) {
      if (inventory_.contains(id))
        ++open;
    });
    std::cout << open << " holds still open\n";
  }

private:
  void attach(tcp::socket sock) {
    auto session = std::make_shared<KioskSession>(std::move(sock), inventory_,
                                                  asio::make_strand(ioc_));
    std::uint64_t slot = ++kiosk_seq_;
    session->on_disconnect([&slot, this] { // expect: errorshield-deferred-ref-capture
      std::cout << "kiosk slot " << slot << " gone, " << inventory_.size() << " holds\n";
    });
    session->start();
  }

  asio::io_context &ioc_;
  tcp::acceptor acceptor_;
  Inventory inventory_;
  std::uint64_t kiosk_seq_ = 0;
};

} // namespace rental

int main() {
  asio::io_context ioc;
  rental::RentalServer server(ioc, 7300);
  server.run_accept();
  ioc.run();
}
