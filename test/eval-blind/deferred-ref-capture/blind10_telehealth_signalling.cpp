// checks: errorshield-deferred-ref-capture
// Signalling relay for clinician <-> patient video visits: SDP offers/answers
// and ICE candidates are forwarded between the two parties of a visit room.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace visit {

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

struct Participant {
  std::string peer_id;
  std::string role;  // "clinician" | "patient"
  std::weak_ptr<void> session;
};

class RoomRegistry {
public:
  void add(const std::string& room, Participant p) {
    std::lock_guard lk(mu_);
    rooms_[room].push_back(std::move(p));
  }
  void remove(const std::string& room, const std::string& peer_id) {
    std::lock_guard lk(mu_);
    auto it = rooms_.find(room);
    if (it == rooms_.end()) return;
    std::erase_if(it->second, [&](const Participant& p) { return p.peer_id == peer_id; });
    if (it->second.empty()) rooms_.erase(it);
  }
  std::size_t size(const std::string& room) const {
    std::lock_guard lk(mu_);
    auto it = rooms_.find(room);
    return it == rooms_.end() ? 0 : it->second.size();
  }

private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::vector<Participant>> rooms_;
};

std::string mint_peer_id();
bool verify_visit_token(const std::string& room, const std::string& token);
void audit(const std::string& event, const std::string& peer_id);

class SignallingHub {
public:
  explicit SignallingHub(asio::io_context& ioc) : ioc_(ioc), strand_(asio::make_strand(ioc)) {}

  // Registers the peer; the guard rolls the registration back if validation throws.
  void handle_join(const json& msg, std::shared_ptr<void> session) {
    const std::string room = msg.at("room").get<std::string>();
    std::string peer_id = msg.value("peer", std::string{});
    if (peer_id.empty()) peer_id = mint_peer_id();

    registry_.add(room, Participant{peer_id, msg.at("role").get<std::string>(), session});
    ScopeExit rollback([&] { registry_.remove(room, peer_id); }); // expect: errorshield-deferred-ref-capture

    if (!verify_visit_token(room, msg.at("token").get<std::string>()))
      throw std::runtime_error("bad visit token");

    if (msg.value("rejoin", false)) {
      // a reconnecting patient gets a fresh id so stale ICE candidates are ignored
      peer_id = mint_peer_id();
      registry_.add(room, Participant{peer_id, "patient", session});
    }
    if (registry_.size(room) > 2) throw std::runtime_error("room full");
    rollback.dismiss();
  }

  // Leave: nothing is written after the guard is armed.
  void handle_leave(const json& msg) {
    const std::string room = msg.at("room").get<std::string>();
    const std::string peer_id = msg.at("peer").get<std::string>();
    ScopeExit log_leave([&] { audit("leave", peer_id); });
    registry_.remove(room, peer_id);
  }

  // ICE gathering watchdog: each pending peer gets a timer.
  void arm_ice_watchdogs(const std::vector<std::pair<std::string, std::string>>& pending) {
    std::string owner;
    for (const auto& [room, peer] : pending) {
      owner = peer;
      auto t = std::make_shared<asio::steady_timer>(ioc_, std::chrono::seconds(15));
      t->async_wait([&owner, t, this, room](beast::error_code ec) { // expect: errorshield-deferred-ref-capture
        if (!ec) registry_.remove(room, owner);
      });
    }
  }

  // Same watchdog, done right: the peer id is copied into the handler.
  void arm_ice_watchdogs_fixed(const std::vector<std::pair<std::string, std::string>>& pending) {
    for (const auto& [room, peer] : pending) {
      auto t = std::make_shared<asio::steady_timer>(ioc_, std::chrono::seconds(15));
      t->async_wait([t, this, room = room, owner = peer](beast::error_code ec) {
        if (!ec) registry_.remove(room, owner);
      });
    }
  }

  // Hang-up hooks run when the visit is closed by the clinician.
  void register_hangup(const std::string& room, std::string media_token) {
    hangup_hooks_[room].push_back([&media_token] { revoke_media_token(media_token); }); // expect: errorshield-deferred-ref-capture
    media_token = rotate(media_token);
    audit("token-rotated", media_token);
  }

  void register_hangup_fixed(const std::string& room, std::string media_token) {
    hangup_hooks_[room].push_back([tok = media_token] { revoke_media_token(tok); });
    media_token = rotate(media_token);
    audit("token-rotated", media_token);
  }

  void close_visit(const std::string& room) {
    auto it = hangup_hooks_.find(room);
    if (it == hangup_hooks_.end()) return;
    for (auto& hook : it->second) hook();
    hangup_hooks_.erase(it);
  }

  // Relay of an SDP offer: the relay job runs on the strand after we return.
  void relay_offer(const json& msg) {
    std::string target = msg.at("to").get<std::string>();
    std::string sdp = msg.at("sdp").get<std::string>();
    asio::post(strand_, [this, target, sdp = std::move(sdp)] { forward(target, sdp); });
  }

  // Candidate batches arrive as an array; each one is forwarded asynchronously.
  void relay_candidates(const json& msg) {
    std::string target;
    for (const auto& c : msg.at("candidates")) {
      target = c.at("to").get<std::string>();
      asio::post(strand_, [&, cand = c.dump()] { forward(target, cand); }); // expect: errorshield-deferred-ref-capture
    }
  }

  // Synchronous fan-out to a small worker thread; joined before returning.
  void snapshot_rooms(const std::vector<std::string>& rooms) {
    std::vector<std::size_t> counts(rooms.size());
    std::thread worker([&] {
      for (std::size_t i = 0; i < rooms.size(); ++i) counts[i] = registry_.size(rooms[i]);
    });
    worker.join();
    for (std::size_t i = 0; i < rooms.size(); ++i) audit("room-size:" + std::to_string(counts[i]), rooms[i]);
  }

  // Ranks rooms in place; the comparator runs immediately, not deferred.
  void order_by_load(std::vector<std::string>& rooms) {
    std::string tie_break = "clinic-a";
    std::sort(rooms.begin(), rooms.end(), [&](const std::string& a, const std::string& b) {
      auto la = registry_.size(a), lb = registry_.size(b);
      if (la != lb) return la < lb;
      return (a == tie_break) > (b == tie_break);
    });
    tie_break = "clinic-b";
  }

private:
  static void revoke_media_token(const std::string& tok);
  static std::string rotate(const std::string& tok);
  void forward(const std::string& target, const std::string& payload);

  asio::io_context& ioc_;
  asio::strand<asio::io_context::executor_type> strand_;
  RoomRegistry registry_;
  std::unordered_map<std::string, std::vector<std::function<void()>>> hangup_hooks_;
};

// One WebSocket session per connected browser.
class SignalSession : public std::enable_shared_from_this<SignalSession> {
public:
  SignalSession(tcp::socket s, SignallingHub& hub) : ws_(std::move(s)), hub_(hub) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read_next();
    });
  }

  void read_next() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      auto text = beast::buffers_to_string(self->buf_.data());
      self->buf_.consume(self->buf_.size());
      self->dispatch(json::parse(text, nullptr, false));
      self->read_next();
    });
  }

private:
  void dispatch(const json& msg) {
    if (msg.is_discarded()) return;
    const auto type = msg.value("type", std::string{});
    if (type == "join") hub_.handle_join(msg, shared_from_this());
    else if (type == "leave") hub_.handle_leave(msg);
    else if (type == "offer" || type == "answer") hub_.relay_offer(msg);
    else if (type == "candidates") hub_.relay_candidates(msg);
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  SignallingHub& hub_;
};

// Periodic presence ping; the session id for the next cycle is picked after arming.
void presence_loop(asio::steady_timer& timer, std::vector<std::string>& online) {
  std::size_t cursor = 0;
  timer.expires_after(std::chrono::seconds(5));
  timer.async_wait([&cursor, &online](beast::error_code ec) { // expect: errorshield-deferred-ref-capture
    if (!ec && cursor < online.size()) audit("ping", online[cursor]);
  });
  cursor = online.size() / 2;
}

}  // namespace visit
