// checks: errorshield-deferred-ref-capture
// washhub gateway: washers/dryers connect over WebSocket, the gateway reserves
// machines for customers, pre-authorises card payments and voids stale holds.
#include <boost/asio.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace washhub {

template <class F>
class ScopeExit {
 public:
  explicit ScopeExit(F f) : fn_(std::move(f)) {}
  ScopeExit(const ScopeExit&) = delete;
  ScopeExit& operator=(const ScopeExit&) = delete;
  ~ScopeExit() {
    if (armed_) fn_();
  }
  void dismiss() noexcept { armed_ = false; }

 private:
  F fn_;
  bool armed_ = true;
};

template <class F>
[[nodiscard]] ScopeExit<F> make_scope_exit(F f) {
  return ScopeExit<F>(std::move(f));
}

class MachineRegistry {
 public:
  bool try_reserve(const std::string& machine, const std::string& card) {
    std::lock_guard lk(mu_);
    return reserved_.emplace(machine, card).second;
  }
  void release(const std::string& machine) {
    std::lock_guard lk(mu_);
    reserved_.erase(machine);
  }
  void attach(std::uint64_t session, std::string machine) {
    std::lock_guard lk(mu_);
    sessions_[session] = std::move(machine);
  }
  void detach(std::uint64_t session) {
    std::lock_guard lk(mu_);
    sessions_.erase(session);
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::string> reserved_;
  std::unordered_map<std::uint64_t, std::string> sessions_;
};

class PaymentGateway {
 public:
  bool preauthorize(const std::string& card_token, std::int64_t cents);
  bool capture(const std::string& card_token, std::int64_t cents);
  void void_authorization(const std::string& card_token);
};

std::string paired_dryer(const std::string& washer);
std::string last_card_used_on(const std::string& machine);
void audit_refund(const std::string& card_token, std::int64_t cents);
void award_points(const std::string& loyalty_card, std::int64_t cents);

std::int64_t price_for(const json& opts) {
  std::int64_t total = opts.value("base_cents", std::int64_t{350});
  auto add = [&](std::int64_t extra) { total += extra; };
  if (opts.value("hot", false)) add(75);
  if (opts.value("extra_rinse", false)) add(50);
  if (total > 900) total = 900;  // capped by the site tariff
  return total;
}

bool start_wash_and_dry(MachineRegistry& reg, PaymentGateway& pay, const json& req) {
  const std::string card = req.at("card_token").get<std::string>();
  const std::int64_t price = price_for(req);
  std::string machine = req.at("machine").get<std::string>();

  if (!reg.try_reserve(machine, card)) return false;
  auto rollback = make_scope_exit([&] { reg.release(machine); });  // expect: errorshield-deferred-ref-capture

  if (req.value("with_dryer", false)) {
    machine = paired_dryer(machine);
    if (!reg.try_reserve(machine, card)) return false;
  }
  if (!pay.preauthorize(card, price)) return false;
  rollback.dismiss();
  return true;
}

bool start_combo_cycle(MachineRegistry& reg, PaymentGateway& pay, const json& req) {
  const std::string card = req.at("card_token").get<std::string>();
  const std::int64_t price = price_for(req);
  const std::string washer = req.at("machine").get<std::string>();

  if (!reg.try_reserve(washer, card)) return false;
  auto undo_washer = make_scope_exit([&] { reg.release(washer); });

  std::string dryer;
  if (req.value("with_dryer", false)) {
    dryer = paired_dryer(washer);
    if (!reg.try_reserve(dryer, card)) return false;
  }
  auto undo_dryer = make_scope_exit([&] {
    if (!dryer.empty()) reg.release(dryer);
  });
  if (!pay.preauthorize(card, price)) return false;
  undo_washer.dismiss();
  undo_dryer.dismiss();
  return true;
}

void refund_cycle(PaymentGateway& pay, const json& req) {
  const std::string machine = req.at("machine").get<std::string>();
  std::string card = req.value("card_token", std::string{});
  if (card.empty()) card = last_card_used_on(machine);
  const std::int64_t cents = req.at("cents").get<std::int64_t>();
  auto audit = make_scope_exit([&] { audit_refund(card, cents); });
  if (cents <= 0) return;
  pay.void_authorization(card);
}

struct PendingHold {
  std::uint64_t id = 0;
  std::string card_token;
  std::chrono::steady_clock::time_point expires;
};

class HoldSweeper {
 public:
  HoldSweeper(asio::io_context& ioc, PaymentGateway& pay) : ioc_(ioc), pay_(pay) {}

  // Called at boot with every hold the database still has open.
  void arm_from_db(const std::vector<PendingHold>& holds) {
    std::string card;
    for (const auto& h : holds) {
      card = h.card_token;
      auto t = std::make_shared<asio::steady_timer>(ioc_, h.expires);
      t->async_wait([this, t, &card](beast::error_code ec) {  // expect: errorshield-deferred-ref-capture
        if (!ec) pay_.void_authorization(card);
      });
    }
  }

  void arm_one(PendingHold h) {
    auto t = std::make_shared<asio::steady_timer>(ioc_, h.expires);
    t->async_wait([this, t, h = std::move(h)](beast::error_code ec) {
      if (!ec) pay_.void_authorization(h.card_token);
    });
  }

 private:
  asio::io_context& ioc_;
  PaymentGateway& pay_;
};

class MachineSession : public std::enable_shared_from_this<MachineSession> {
 public:
  MachineSession(tcp::socket sock, MachineRegistry& reg, PaymentGateway& pay, std::uint64_t id)
      : ws_(std::move(sock)), reg_(reg), pay_(pay), id_(id) {}

  void on_closed(std::function<void()> cb) { on_closed_ = std::move(cb); }

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(64 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->finish();
      asio::co_spawn(self->ws_.get_executor(), self->run(), asio::detached);
    });
  }

 private:
  json next_event(beast::flat_buffer& buf) {
    json ev = json::parse(beast::buffers_to_string(buf.data()));
    buf.consume(buf.size());
    return ev;
  }

  asio::awaitable<void> run() {
    auto self = shared_from_this();
    auto closed = make_scope_exit([&] { finish(); });
    beast::flat_buffer buf;
    try {
      co_await ws_.async_read(buf, asio::use_awaitable);
      json hello = next_event(buf);
      const std::string machine = hello.at("machine").get<std::string>();
      reg_.attach(id_, machine);
      auto release = make_scope_exit([&] { reg_.release(machine); });

      co_await ws_.async_read(buf, asio::use_awaitable);
      json tap = next_event(buf);
      std::string card = tap.at("card_token").get<std::string>();
      const std::int64_t price = price_for(tap);
      if (!pay_.preauthorize(card, price)) co_return;
      auto void_on_abort = make_scope_exit([&] { pay_.void_authorization(card); });  // expect: errorshield-deferred-ref-capture

      for (;;) {
        co_await ws_.async_read(buf, asio::use_awaitable);
        json ev = next_event(buf);
        const auto type = ev.at("type").get<std::string>();
        if (type == "loyalty_tap") {
          card = ev.at("loyalty_card").get<std::string>();
          award_points(card, price);
        } else if (type == "cycle_done") {
          if (pay_.capture(tap.at("card_token").get<std::string>(), price))
            void_on_abort.dismiss();
          co_return;
        } else if (type == "door_fault") {
          co_return;
        }
      }
    } catch (const std::exception&) {
      // peer went away or sent garbage; guards above clean up
    }
  }

  void finish() {
    if (on_closed_) std::exchange(on_closed_, nullptr)();
  }

  websocket::stream<beast::tcp_stream> ws_;
  MachineRegistry& reg_;
  PaymentGateway& pay_;
  std::uint64_t id_;
  std::function<void()> on_closed_;
};

class WashHubServer {
 public:
  WashHubServer(asio::io_context& ioc, tcp::endpoint machines, tcp::endpoint kiosks,
                MachineRegistry& reg, PaymentGateway& pay)
      : ioc_(ioc), machine_acceptor_(ioc, machines), kiosk_acceptor_(ioc, kiosks), reg_(reg), pay_(pay) {}

  void start() {
    accept_machine();
    accept_kiosk();
  }

 private:
  void accept_machine() {
    machine_acceptor_.async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket sock) {
      if (!ec) {
        ++next_session_;
        auto s = std::make_shared<MachineSession>(std::move(sock), reg_, pay_, next_session_);
        s->on_closed([this, &sid = next_session_] { reg_.detach(sid); });  // expect: errorshield-deferred-ref-capture
        s->start();
      }
      accept_machine();
    });
  }

  void accept_kiosk() {
    kiosk_acceptor_.async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket sock) {
      if (!ec) {
        const std::uint64_t sid = ++next_session_;
        auto s = std::make_shared<MachineSession>(std::move(sock), reg_, pay_, sid);
        s->on_closed([this, sid] { reg_.detach(sid); });
        s->start();
      }
      accept_kiosk();
    });
  }

  asio::io_context& ioc_;
  tcp::acceptor machine_acceptor_;
  tcp::acceptor kiosk_acceptor_;
  MachineRegistry& reg_;
  PaymentGateway& pay_;
  std::uint64_t next_session_ = 0;
};

}  // namespace washhub
