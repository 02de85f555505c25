// checks: errorshield-deferred-ref-capture
// Live wine auction: bidders hold a paddle, connect over WebSocket and bid on
// the current lot. Credit holds guard each leading bid; soft close extends the
// lot by 30 s after a late bid.
#include <boost/asio.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace cellar {

template <class F>
struct Finally {
  F fn;
  bool active = true;
  ~Finally() {
    if (active) fn();
  }
};
template <class F>
Finally(F) -> Finally<F>;

class CreditLedger {
 public:
  bool hold(const std::string& paddle, std::int64_t cents);
  void release(const std::string& paddle, std::int64_t cents);
  bool record_bid(const std::string& lot, const std::string& paddle, std::int64_t cents);
};

struct Lot {
  std::string id;
  std::string leader;
  std::int64_t current_cents = 0;
  std::int64_t increment_cents = 0;
  std::chrono::steady_clock::time_point closes_at;
};

struct Bid {
  std::string paddle;
  std::string lot;
  std::int64_t cents = 0;
};

template <class Handler>
void after(asio::steady_timer& timer, std::chrono::steady_clock::duration d, Handler&& h) {
  timer.expires_after(d);
  timer.async_wait(std::forward<Handler>(h));
}

class BidderSession : public std::enable_shared_from_this<BidderSession> {
 public:
  explicit BidderSession(tcp::socket s) : ws_(std::move(s)) {}

  void send(std::string text) {
    asio::post(ws_.get_executor(), [self = shared_from_this(), text = std::move(text)]() mutable {
      self->queue_.push_back(std::move(text));
      if (self->queue_.size() == 1) self->write_next();
    });
  }

  template <class Handler>
  void accept(Handler&& h) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(16 * 1024);
    ws_.async_accept(std::forward<Handler>(h));
  }

  void close(websocket::close_code code, std::function<void(beast::error_code)> done) {
    ws_.async_close(code, std::move(done));
  }

 private:
  void write_next() {
    ws_.text(true);
    ws_.async_write(asio::buffer(queue_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec) return;
                      self->queue_.pop_front();
                      if (!self->queue_.empty()) self->write_next();
                    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::deque<std::string> queue_;
};

class AuctionRoom {
 public:
  AuctionRoom(asio::io_context& ioc, CreditLedger& ledger)
      : strand_(asio::make_strand(ioc)), soft_close_(strand_), open_timer_(strand_), ledger_(ledger) {}

  bool place_bid(const Bid& bid) {
    Lot& lot = lots_.at(bid.lot);
    if (bid.cents < lot.current_cents + lot.increment_cents) return false;

    std::string paddle = bid.paddle;
    if (!ledger_.hold(paddle, bid.cents)) return false;
    Finally undo{[&] { ledger_.release(paddle, bid.cents); }};  // expect: errorshield-deferred-ref-capture

    if (!lot.leader.empty() && lot.leader != bid.paddle) {
      paddle = lot.leader;
      ledger_.release(paddle, lot.current_cents);
      notify(paddle, json{{"type", "outbid"}, {"lot", lot.id}});
    }
    if (!ledger_.record_bid(lot.id, bid.paddle, bid.cents)) return false;

    lot.leader = bid.paddle;
    lot.current_cents = bid.cents;
    undo.active = false;
    if (lot.closes_at - std::chrono::steady_clock::now() < std::chrono::seconds(30))
      extend_soft_close(current_lot_);
    return true;
  }

  bool withdraw_bid(const std::string& paddle, const std::string& lot_id) {
    Lot& lot = lots_.at(lot_id);
    if (lot.leader != paddle) return false;
    const std::int64_t held = lot.current_cents;
    Finally release{[&] { ledger_.release(paddle, held); }};
    lot.leader.clear();
    lot.current_cents = 0;
    return true;
  }

  // Auctioneer pressed "next lot" (or the previous lot was hammered).
  void open_next_lot(const std::string& lot_id, std::chrono::seconds duration) {
    current_lot_ = lot_id;
    lots_.at(lot_id).closes_at = std::chrono::steady_clock::now() + duration;
    const std::string lot = lot_id;
    after(open_timer_, duration, [this, lot](beast::error_code ec) {
      if (!ec) hammer(lot);
    });
  }

  void extend_soft_close(const std::string& lot_id) {
    lots_.at(lot_id).closes_at = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    after(soft_close_, std::chrono::seconds(30), [this, &lot_id](beast::error_code ec) {  // expect: errorshield-deferred-ref-capture
      if (!ec) hammer(lot_id);
    });
  }

  // Heartbeat sweep: drop bidders whose clients stopped answering pings.
  void evict_idle(const std::vector<std::string>& idle_paddles) {
    std::string paddle;
    for (const auto& p : idle_paddles) {
      paddle = p;
      auto it = sessions_.find(paddle);
      if (it == sessions_.end()) continue;
      it->second->close(websocket::close_code::going_away, [this, &paddle](beast::error_code) {  // expect: errorshield-deferred-ref-capture
        asio::post(strand_, [this, paddle] { sessions_.erase(paddle); });
      });
    }
  }

  void kick(const std::string& paddle_in) {
    auto it = sessions_.find(paddle_in);
    if (it == sessions_.end()) return;
    it->second->close(websocket::close_code::policy_error,
                      [this, paddle = paddle_in](beast::error_code) {
                        asio::post(strand_, [this, paddle] { sessions_.erase(paddle); });
                      });
  }

  void notify_results(const std::vector<Bid>& winning) {
    for (const Bid& w : winning) {
      asio::post(strand_, [this, w] {
        notify(w.paddle, json{{"type", "won"}, {"lot", w.lot}, {"cents", w.cents}});
      });
    }
  }

  // Admin REST path: estimate the hammer price with the pricing model on the
  // worker pool and wait for it before answering.
  std::int64_t estimate(asio::thread_pool& pool, const std::string& lot_id) {
    const Lot& lot = lots_.at(lot_id);
    std::vector<std::int64_t> history = price_history(lot_id);
    std::future<std::int64_t> f = asio::post(pool, asio::use_future([&] {
      std::sort(history.begin(), history.end());
      return history.empty() ? lot.current_cents : history[history.size() / 2];
    }));
    return f.get();
  }

  void join(std::string paddle, std::shared_ptr<BidderSession> s) {
    sessions_[paddle] = std::move(s);
  }

 private:
  void hammer(const std::string& lot_id);
  void notify(const std::string& paddle, const json& msg) {
    auto it = sessions_.find(paddle);
    if (it != sessions_.end()) it->second->send(msg.dump());
  }
  std::vector<std::int64_t> price_history(const std::string& lot_id);

  asio::strand<asio::io_context::executor_type> strand_;
  asio::steady_timer soft_close_;
  asio::steady_timer open_timer_;
  CreditLedger& ledger_;
  std::string current_lot_;
  std::map<std::string, Lot> lots_;
  std::map<std::string, std::shared_ptr<BidderSession>> sessions_;
};

class BidderListener {
 public:
  BidderListener(asio::io_context& ioc, tcp::endpoint ep, AuctionRoom& room)
      : ioc_(ioc), acceptor_(ioc, ep), room_(room) {}

  void run() { do_accept(); }

 private:
  void do_accept() {
    acceptor_.async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket sock) {
      if (ec) return;
      std::string paddle = paddle_for(sock);
      auto s = std::make_shared<BidderSession>(std::move(sock));
      s->accept([this, s, &paddle](beast::error_code aec) {  // expect: errorshield-deferred-ref-capture
        if (!aec) room_.join(paddle, s);
      });
      do_accept();
    });
  }

  std::string paddle_for(const tcp::socket& sock);

  asio::io_context& ioc_;
  tcp::acceptor acceptor_;
  AuctionRoom& room_;
};

Bid parse_bid(const json& j) {
  Bid b;
  b.paddle = j.at("paddle").get<std::string>();
  b.lot = j.at("lot").get<std::string>();
  b.cents = j.at("cents").get<std::int64_t>();
  return b;
}

}  // namespace cellar
