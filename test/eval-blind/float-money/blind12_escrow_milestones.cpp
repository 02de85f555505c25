// checks: errorshield-float-money
// Escrow milestone feed: clients and freelancers subscribe over WebSocket to
// the milestones of a contract; the ledger service pushes funding/release
// events which are fanned out to subscribers.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace escrow {

enum class MilestoneState { draft, funded, submitted, approved, released, disputed };

NLOHMANN_JSON_SERIALIZE_ENUM(MilestoneState, {{MilestoneState::draft, "draft"},
                                              {MilestoneState::funded, "funded"},
                                              {MilestoneState::submitted, "submitted"},
                                              {MilestoneState::approved, "approved"},
                                              {MilestoneState::released, "released"},
                                              {MilestoneState::disputed, "disputed"}})

struct Milestone {
  std::string id;
  std::string contract_id;
  std::string title;
  std::int64_t amount_minor = 0;
  std::string currency = "USD";
  double progress_pct = 0.0;
  MilestoneState state = MilestoneState::draft;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Milestone, id, contract_id, title, amount_minor,
                                   currency, progress_pct, state)

struct BonusOffer {
  std::string milestone_id;
  std::string from_client;
  float tip = 0.0f; // expect: errorshield-float-money
  std::string note;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(BonusOffer, milestone_id, from_client, tip, note)

struct FreelancerProfile {
  std::string user_id;
  double client_rating = 0.0;
  double on_time_ratio = 0.0;
  int completed_contracts = 0;
};

class EscrowAccount {
public:
  explicit EscrowAccount(std::string contract) : contract_(std::move(contract)) {}

  void fund(std::int64_t minor) {
    std::lock_guard lk(mu_);
    balance_minor_ += minor;
  }

  bool release_minor(std::int64_t minor) {
    std::lock_guard lk(mu_);
    if (minor > balance_minor_ - held_minor_)
      return false;
    balance_minor_ -= minor;
    return true;
  }

  bool release(const std::string &milestone_id, double amount) { // expect: errorshield-float-money
    std::lock_guard lk(mu_);
    released_[milestone_id] += amount;
    if (amount > available_)
      return false;
    available_ -= amount;
    return true;
  }

  void hold_for_dispute(std::int64_t minor) {
    std::lock_guard lk(mu_);
    held_minor_ += minor;
    dispute_hold_ = minor / 100.0;
  }

  std::int64_t balance_minor() const {
    std::lock_guard lk(mu_);
    return balance_minor_;
  }

private:
  std::string contract_;
  mutable std::mutex mu_;
  std::int64_t balance_minor_ = 0;
  std::int64_t held_minor_ = 0;
  double available_ = 0.0; // expect: errorshield-float-money
  std::map<std::string, double> released_; // expect: errorshield-float-money
  std::optional<double> dispute_hold_; // expect: errorshield-float-money
};

// Platform fee in basis points, rounded half-up on the minor unit.
inline std::int64_t platform_fee_minor(std::int64_t gross_minor, int fee_bps) {
  return (gross_minor * fee_bps + 5000) / 10000;
}

class FeedHub {
public:
  void subscribe(const std::string &contract, std::weak_ptr<class Subscriber> s) {
    std::lock_guard lk(mu_);
    subs_[contract].push_back(std::move(s));
  }
  void publish(const std::string &contract, const json &event);

private:
  std::mutex mu_;
  std::map<std::string, std::vector<std::weak_ptr<Subscriber>>> subs_;
};

class Subscriber : public std::enable_shared_from_this<Subscriber> {
public:
  explicit Subscriber(tcp::socket s) : ws_(std::move(s)) {}

  void queue(std::string text) {
    net::post(ws_.get_executor(), [self = shared_from_this(), t = std::move(text)]() mutable {
      self->outbox_.push_back(std::move(t));
      if (self->outbox_.size() == 1)
        self->flush();
    });
  }

  websocket::stream<beast::tcp_stream> &ws() { return ws_; }

private:
  void flush() {
    ws_.text(true);
    ws_.async_write(net::buffer(outbox_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec)
                        return;
                      self->outbox_.erase(self->outbox_.begin());
                      if (!self->outbox_.empty())
                        self->flush();
                    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::vector<std::string> outbox_;
};

void FeedHub::publish(const std::string &contract, const json &event) {
  std::vector<std::shared_ptr<Subscriber>> live;
  {
    std::lock_guard lk(mu_);
    for (auto &w : subs_[contract])
      if (auto s = w.lock())
        live.push_back(std::move(s));
  }
  const std::string text = event.dump();
  for (auto &s : live)
    s->queue(text);
}

class MilestoneService {
public:
  MilestoneService(net::io_context &ioc, FeedHub &hub) : ioc_(ioc), hub_(hub) {}

  void on_ledger_event(const json &j) {
    Milestone m = j.at("milestone").get<Milestone>();
    const std::int64_t fee = platform_fee_minor(m.amount_minor, fee_bps_);
    json ev{{"type", "milestone"},
            {"milestone", m},
            {"fee_minor", fee},
            {"payout_minor", m.amount_minor - fee}};
    if (j.contains("bonus")) {
      BonusOffer b = j.at("bonus").get<BonusOffer>();
      ev["bonus"] = b;
    }
    hub_.publish(m.contract_id, ev);
  }

  // Preview shown in the "release milestone" dialog before the client confirms.
  json release_preview(const Milestone &m) const {
    auto net_of_fee = [bps = fee_bps_](double gross) { // expect: errorshield-float-money
      return gross - gross * bps / 10000.0;
    };
    const double completion = m.progress_pct / 100.0;
    return json{{"milestone", m.id},
                {"payout_estimate_minor",
                 static_cast<std::int64_t>(net_of_fee(m.amount_minor))},
                {"completion", completion}};
  }

  // Disputes are summed by the arbitration service; we just relay the figure.
  net::awaitable<double> disputed_total(std::string contract) { // expect: errorshield-float-money
    net::steady_timer t(co_await net::this_coro::executor);
    t.expires_after(retry_base_);
    co_await t.async_wait(net::use_awaitable);
    std::int64_t sum_minor = 0;
    for (const auto &[id, minor] : disputed_minor_)
      if (id.rfind(contract, 0) == 0)
        sum_minor += minor;
    co_return sum_minor / 100.0;
  }

  net::awaitable<std::int64_t> disputed_total_minor(std::string contract) {
    std::int64_t sum_minor = 0;
    double backoff = 1.0;
    for (int attempt = 0; attempt < 3; ++attempt) {
      net::steady_timer t(co_await net::this_coro::executor);
      t.expires_after(std::chrono::duration_cast<std::chrono::milliseconds>(
          retry_base_ * backoff));
      co_await t.async_wait(net::use_awaitable);
      backoff *= 1.5;
    }
    for (const auto &[id, minor] : disputed_minor_)
      if (id.rfind(contract, 0) == 0)
        sum_minor += minor;
    co_return sum_minor;
  }

  void report_disputes(std::string contract) {
    net::co_spawn(
        ioc_,
        [this, contract]() -> net::awaitable<void> {
          const std::int64_t minor = co_await disputed_total_minor(contract);
          hub_.publish(contract, json{{"type", "disputes"}, {"total_minor", minor}});
        },
        net::detached);
  }

private:
  net::io_context &ioc_;
  FeedHub &hub_;
  int fee_bps_ = 1000;
  std::chrono::milliseconds retry_base_{200};
  std::map<std::string, std::int64_t> disputed_minor_;
};

} // namespace escrow
