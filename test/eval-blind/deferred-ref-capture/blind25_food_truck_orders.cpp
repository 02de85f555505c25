// checks: errorshield-deferred-ref-capture
// Food truck order service: customers reserve pickup slots at a truck, the
// kitchen marks orders ready, and slots are released when a customer leaves.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace foodtruck {

template <class Fn>
class on_exit {
public:
  explicit on_exit(Fn fn) : fn_(std::move(fn)) {}
  on_exit(const on_exit&) = delete;
  on_exit& operator=(const on_exit&) = delete;
  ~on_exit() {
    if (armed_) fn_();
  }
  void dismiss() { armed_ = false; }

private:
  Fn fn_;
  bool armed_ = true;
};

struct Order {
  std::string id;
  std::string truck;
  int customer_fd = -1;
  std::vector<std::string> items;
};

class SlotBook {
public:
  std::string reserve(const std::string& truck) {
    std::lock_guard lk(mu_);
    auto slot = truck + "#" + std::to_string(++seq_);
    slots_[slot] = truck;
    return slot;
  }
  void release(const std::string& slot) {
    std::lock_guard lk(mu_);
    slots_.erase(slot);
  }
  void drop_customer(int fd) {
    std::lock_guard lk(mu_);
    customers_.erase(fd);
  }
  void add_customer(int fd, std::string name) {
    std::lock_guard lk(mu_);
    customers_[fd] = std::move(name);
  }

private:
  std::mutex mu_;
  int seq_ = 0;
  std::map<std::string, std::string> slots_;
  std::map<int, std::string> customers_;
};

void send_push(const std::string& truck, const std::string& text) {
  std::cout << "[push " << truck << "] " << text << '\n';
}

// Reserve one slot per truck for a catering batch; if anything throws the
// reservation is handed back.
void reserve_catering_batch(SlotBook& book, const std::vector<Order>& batch) {
  if (batch.empty()) return;
  std::string slot = book.reserve(batch.front().truck);
  on_exit give_back([&] { book.release(slot); }); // expect: errorshield-deferred-ref-capture
  for (const auto& o : batch) {
    if (o.items.empty()) throw std::runtime_error("empty order " + o.id);
    if (o.truck != batch.front().truck) {
      slot = book.reserve(o.truck);
    }
  }
  give_back.dismiss();
}

// Single order: same guard, but the slot handle never changes afterwards.
std::string reserve_single(SlotBook& book, const Order& o) {
  std::string slot = book.reserve(o.truck);
  on_exit give_back([&] { book.release(slot); });
  if (o.items.empty()) throw std::runtime_error("empty order " + o.id);
  if (o.items.size() > 20) throw std::runtime_error("too many items");
  give_back.dismiss();
  return slot;
}

class Dispatcher {
public:
  explicit Dispatcher(net::io_context& ioc) : ioc_(ioc), strand_(net::make_strand(ioc)) {}

  SlotBook& book() { return book_; }

  // Called from the socket layer when a customer's connection drops.
  void customer_left(int fd) {
    int customer = fd;
    net::post(strand_, [&customer, this] { book_.drop_customer(customer); }); // expect: errorshield-deferred-ref-capture
  }

  // Same thing, for the kiosk path, copying the descriptor into the handler.
  void kiosk_left(int fd) {
    int customer = fd;
    net::post(strand_, [customer, this] { book_.drop_customer(customer); });
  }

  // Unclaimed pickups are released after ten minutes.
  void schedule_expiry(const std::string& order_id) {
    std::string slot_key = "pickup:" + order_id;
    auto timer = std::make_shared<net::steady_timer>(ioc_, 10min);
    timer->async_wait([&slot_key, timer, this](beast::error_code ec) { // expect: errorshield-deferred-ref-capture
      if (!ec) book_.release(slot_key);
    });
  }

  // Reminder variant: the key is moved into the handler.
  void schedule_reminder(const std::string& order_id) {
    std::string slot_key = "pickup:" + order_id;
    auto timer = std::make_shared<net::steady_timer>(ioc_, 5min);
    timer->async_wait([key = std::move(slot_key), timer](beast::error_code ec) {
      if (!ec) send_push(key, "your order is waiting");
    });
  }

  // End of the day: every truck in the list closes its queue.
  void close_trucks(const std::vector<std::string>& trucks) {
    for (std::string truck : trucks) {
      std::transform(truck.begin(), truck.end(), truck.begin(), ::tolower);
      net::post(strand_, [&truck] { send_push(truck, "closing, no more orders"); }); // expect: errorshield-deferred-ref-capture
    }
  }

  // Counting open orders per truck runs synchronously, the lambda never outlives the loop.
  std::size_t count_for(const std::vector<Order>& orders, const std::string& truck) const {
    std::string wanted = truck;
    return static_cast<std::size_t>(
        std::count_if(orders.begin(), orders.end(), [&](const Order& o) { return o.truck == wanted; }));
  }

  void announce_menu(const std::string& truck, const json& menu) {
    std::string body = menu.dump();
    std::thread([&body, &truck] { send_push(truck, body); }).detach(); // expect: errorshield-deferred-ref-capture
  }

  void announce_menu_and_wait(const std::string& truck, const json& menu) {
    std::string body = menu.dump();
    std::thread t([&body, &truck] { send_push(truck, body); });
    t.join();
  }

private:
  net::io_context& ioc_;
  net::strand<net::io_context::executor_type> strand_;
  SlotBook book_;
};

// Per-connection session for the customer app (line-oriented JSON).
class CustomerSession : public std::enable_shared_from_this<CustomerSession> {
public:
  CustomerSession(tcp::socket sock, Dispatcher& d) : sock_(std::move(sock)), disp_(d) {}

  void start() { read_next(); }

private:
  void read_next() {
    net::async_read_until(sock_, net::dynamic_buffer(inbox_), '\n',
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            if (ec) {
                              self->disp_.customer_left(self->fd());
                              return;
                            }
                            std::string line = self->inbox_.substr(0, n);
                            self->inbox_.erase(0, n);
                            self->handle(line);
                            self->read_next();
                          });
  }

  void handle(const std::string& line) {
    auto msg = json::parse(line, nullptr, false);
    if (msg.is_discarded() || !msg.contains("truck")) return;
    Order o;
    o.id = msg.value("id", "");
    o.truck = msg["truck"].get<std::string>();
    o.customer_fd = fd();
    outbox_ = reserve_single(disp_.book(), o) + "\n";
    disp_.schedule_expiry(o.id);
    net::async_write(sock_, net::buffer(outbox_),
                     [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  int fd() { return static_cast<int>(sock_.native_handle()); }

  tcp::socket sock_;
  Dispatcher& disp_;
  std::string inbox_;
  std::string outbox_;
};

// Kitchen display connection, coroutine style. The display holds its own
// station slot while connected and pulls the next order on "next".
net::awaitable<void> kitchen_display(tcp::socket sock, SlotBook& book, std::string truck) {
  std::string slot = book.reserve(truck + "-display");
  on_exit hand_back([&] { book.release(slot); }); // expect: errorshield-deferred-ref-capture
  std::string buf;
  for (;;) {
    std::size_t n = co_await net::async_read_until(sock, net::dynamic_buffer(buf), '\n', net::use_awaitable);
    std::string cmd = buf.substr(0, n - 1);
    buf.erase(0, n);
    if (cmd == "next") {
      slot = book.reserve(truck);
      send_push(truck, "cooking " + slot);
    } else if (cmd == "quit") {
      co_return;
    }
  }
}

// Ready-board connection: the guard only ever sees one value.
net::awaitable<void> ready_board(tcp::socket sock, SlotBook& book, std::string truck) {
  const std::string board_slot = book.reserve(truck + "-board");
  on_exit hand_back([&] { book.release(board_slot); });
  std::string buf;
  for (;;) {
    std::size_t n = co_await net::async_read_until(sock, net::dynamic_buffer(buf), '\n', net::use_awaitable);
    buf.erase(0, n);
    send_push(truck, "board refresh");
  }
}

net::awaitable<void> listen(tcp::acceptor acc, Dispatcher& d) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(net::use_awaitable);
    std::make_shared<CustomerSession>(std::move(s), d)->start();
  }
}

}  // namespace foodtruck

int main() {
  net::io_context ioc;
  foodtruck::Dispatcher d(ioc);
  net::co_spawn(ioc, foodtruck::listen(tcp::acceptor(ioc, {tcp::v4(), 8088}), d), net::detached);
  ioc.run();
}
