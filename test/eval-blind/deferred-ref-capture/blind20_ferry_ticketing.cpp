// checks: errorshield-deferred-ref-capture
// Ferry ticketing gateway: HTTP front door for seat holds, boarding gates and
// manifest pushes to the port authority.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace ferry {

template <class Fn>
class ScopeExit {
public:
  explicit ScopeExit(Fn fn) : fn_(std::move(fn)) {}
  ScopeExit(const ScopeExit&) = delete;
  ScopeExit& operator=(const ScopeExit&) = delete;
  ~ScopeExit() {
    if (armed_) fn_();
  }
  void dismiss() { armed_ = false; }

private:
  Fn fn_;
  bool armed_ = true;
};

struct Hold {
  std::string sailing;
  int seats = 0;
};

class SeatLedger {
public:
  int place_hold(const std::string& sailing, int seats) {
    std::lock_guard lk(mu_);
    if (seats <= 0 || seats > 12) return -1;
    int id = next_++;
    holds_[id] = Hold{sailing, seats};
    return id;
  }
  void release(int hold_id) {
    std::lock_guard lk(mu_);
    holds_.erase(hold_id);
  }
  bool confirm(int hold_id) {
    std::lock_guard lk(mu_);
    return holds_.count(hold_id) != 0;
  }

private:
  std::mutex mu_;
  std::map<int, Hold> holds_;
  int next_ = 1;
};

// Outbound and return legs are held separately; if either fails, whatever we
// took so far must be given back.
bool book_round_trip(SeatLedger& ledger, const std::string& out_sailing,
                     const std::string& back_sailing, int seats) {
  int hold = ledger.place_hold(out_sailing, seats);
  if (hold < 0) return false;
  ScopeExit undo_out([&] { ledger.release(hold); }); // expect: errorshield-deferred-ref-capture

  hold = ledger.place_hold(back_sailing, seats);
  if (hold < 0) return false;
  ScopeExit undo_back([&ledger, hold] { ledger.release(hold); });

  if (!ledger.confirm(hold)) return false;
  undo_out.dismiss();
  undo_back.dismiss();
  return true;
}

// Same flow for single-leg bookings with a vehicle deck slot.
bool book_with_vehicle(SeatLedger& ledger, const std::string& sailing, int seats) {
  const int seat_hold = ledger.place_hold(sailing, seats);
  if (seat_hold < 0) return false;
  ScopeExit undo_seats([&] { ledger.release(seat_hold); });

  int deck_hold = ledger.place_hold(sailing + "/deck", 1);
  if (deck_hold < 0) return false;
  ScopeExit undo_deck([&ledger, deck_hold] { ledger.release(deck_hold); });
  deck_hold = 0; // reset for the log line below
  std::cout << "deck hold placed, reset=" << deck_hold << "\n";

  undo_seats.dismiss();
  undo_deck.dismiss();
  return true;
}

// Unpaid holds lapse after ten minutes.
void schedule_hold_expiry(asio::io_context& ioc, SeatLedger& ledger,
                          const std::vector<int>& fresh_holds) {
  for (int h : fresh_holds) {
    auto timer = std::make_shared<asio::steady_timer>(ioc, 10min);
    timer->async_wait([timer, &ledger, &h](const boost::system::error_code& ec) { // expect: errorshield-deferred-ref-capture
      if (!ec) ledger.release(h);
    });
  }
}

// Boarding gates report connect/disconnect; the gate controller keeps the
// callbacks and fires them when the turnstile link drops.
class GateController {
public:
  void on_disconnect(const std::string& gate, std::function<void()> fn) {
    std::lock_guard lk(mu_);
    handlers_[gate] = std::move(fn);
  }
  void link_dropped(const std::string& gate) {
    std::function<void()> fn;
    {
      std::lock_guard lk(mu_);
      auto it = handlers_.find(gate);
      if (it == handlers_.end()) return;
      fn = std::move(it->second);
      handlers_.erase(it);
    }
    fn();
  }

private:
  std::mutex mu_;
  std::unordered_map<std::string, std::function<void()>> handlers_;
};

using ConnTable = std::unordered_map<std::string, std::shared_ptr<tcp::socket>>;

void attach_gate(GateController& gates, ConnTable& conns, const std::string& gate,
                 std::shared_ptr<tcp::socket> sock) {
  std::string conn_key = gate + "@" + sock->remote_endpoint().address().to_string();
  conns[conn_key] = std::move(sock);
  gates.on_disconnect(gate, [&conn_key, &conns] { conns.erase(conn_key); }); // expect: errorshield-deferred-ref-capture
}

void attach_gate_v2(GateController& gates, ConnTable& conns, const std::string& gate,
                    std::shared_ptr<tcp::socket> sock) {
  std::string conn_key = gate + "#" + std::to_string(sock->native_handle());
  conns[conn_key] = std::move(sock);
  gates.on_disconnect(gate, [&conns, key = conn_key] { conns.erase(key); });
}

// Manifest push to the port authority, one coroutine per sailing.
asio::awaitable<void> send_manifest(tcp::endpoint authority, std::string body) {
  auto ex = co_await asio::this_coro::executor;
  tcp::socket sock(ex);
  co_await sock.async_connect(authority, asio::use_awaitable);
  co_await asio::async_write(sock, asio::buffer(body), asio::use_awaitable);
}

void push_manifest(asio::io_context& ioc, tcp::endpoint authority,
                   const std::vector<std::string>& passengers) {
  std::string manifest = json{{"passengers", passengers}}.dump();
  asio::co_spawn(ioc, [&manifest, authority]() -> asio::awaitable<void> { // expect: errorshield-deferred-ref-capture
    co_await send_manifest(authority, manifest);
  }, asio::detached);
}

void push_manifest_owned(asio::io_context& ioc, tcp::endpoint authority,
                         const std::vector<std::string>& passengers) {
  std::string manifest = json{{"passengers", passengers}}.dump();
  asio::co_spawn(ioc, send_manifest(authority, std::move(manifest)), asio::detached);
}

// Per-connection HTTP session.
class TicketSession : public std::enable_shared_from_this<TicketSession> {
public:
  TicketSession(tcp::socket s, SeatLedger& ledger) : stream_(std::move(s)), ledger_(ledger) {}

  void start() { read(); }

private:
  void read() {
    req_ = {};
    http::async_read(stream_, buf_, req_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec) self->on_request();
                     });
  }

  void on_request() {
    std::string ticket_id = std::string(req_.target());
    res_ = {http::status::ok, req_.version()};
    res_.set(http::field::content_type, "application/json");
    res_.body() = json{{"ticket", ticket_id}, {"valid", true}}.dump();
    res_.prepare_payload();
    http::async_write(stream_, res_, [this, &ticket_id, self = shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-deferred-ref-capture
      audit(ticket_id, ec);
      if (!ec) read();
    });
  }

  void on_request_owned() {
    std::string ticket_id = std::string(req_.target());
    res_ = {http::status::ok, req_.version()};
    res_.prepare_payload();
    http::async_write(stream_, res_,
                      [self = shared_from_this(), ticket_id = std::move(ticket_id)](
                          beast::error_code ec, std::size_t) {
                        self->audit(ticket_id, ec);
                        if (!ec) self->read();
                      });
  }

  void audit(const std::string& ticket, beast::error_code ec) {
    std::cout << "ticket " << ticket << (ec ? " write failed" : " served") << "\n";
  }

  beast::tcp_stream stream_;
  SeatLedger& ledger_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

// Nightly reconciliation runs on a worker but we wait for it.
std::size_t reconcile(const std::vector<int>& holds, SeatLedger& ledger) {
  std::size_t confirmed = 0;
  std::thread worker([&] {
    for (int h : holds)
      if (ledger.confirm(h)) ++confirmed;
  });
  worker.join();
  return confirmed;
}

} // namespace ferry

int main() {
  asio::io_context ioc;
  ferry::SeatLedger ledger;
  std::string banner = "ferry gateway up";
  asio::post(ioc, [&banner, &ledger] {
    std::cout << banner << ", probe hold=" << ledger.place_hold("probe", 1) << "\n";
  });
  tcp::acceptor acc(ioc, {tcp::v4(), 8088});
  ioc.run();
  return 0;
}
