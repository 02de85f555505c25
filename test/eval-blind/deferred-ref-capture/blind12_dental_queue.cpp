// checks: errorshield-deferred-ref-capture
// Waiting-room queue for a dental clinic: the check-in kiosk and the reception
// tablets feed a queue, the TV screens in the waiting room subscribe over WebSocket.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

struct OnExit {
  std::function<void()> fn;
  ~OnExit() {
    if (fn) fn();
  }
  void release() { fn = nullptr; }
};

struct Ticket {
  std::string code;      // "B-014"
  std::string patient;   // display name, initials only on the TV
  int chair = -1;
  bool called = false;
};

class Screen : public std::enable_shared_from_this<Screen> {
 public:
  explicit Screen(tcp::socket s) : ws_(std::move(s)) {}
  std::function<void()> on_gone;

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->gone();
      self->wait_for_close();
    });
  }
  void show(std::string text) {
    net::post(ws_.get_executor(), [self = shared_from_this(), t = std::move(text)]() mutable {
      self->pending_.push_back(std::move(t));
      if (self->pending_.size() == 1) self->flush();
    });
  }

 private:
  void wait_for_close() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->gone();
      self->in_.clear();
      self->wait_for_close();
    });
  }
  void flush() {
    ws_.async_write(net::buffer(pending_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec) return self->gone();
                      self->pending_.pop_front();
                      if (!self->pending_.empty()) self->flush();
                    });
  }
  void gone() {
    if (on_gone) std::exchange(on_gone, nullptr)();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  std::deque<std::string> pending_;
};

template <class Fn>
void in_background(net::any_io_executor ex, Fn&& fn) {
  net::post(ex, std::forward<Fn>(fn));
}

template <class Fn>
void remind_after(net::steady_timer& t, std::chrono::seconds d, Fn fn) {
  t.expires_after(d);
  t.async_wait([fn = std::move(fn)](beast::error_code ec) {
    if (!ec) fn();
  });
}

std::string issue_code(const json& person);
void sms_reminder(const std::string& patient, const std::string& msg);
void notify_pms_withdrawn(const std::string& code);

class WaitingRoom {
 public:
  explicit WaitingRoom(net::io_context& ioc)
      : ioc_(ioc), strand_(net::make_strand(ioc)), no_show_(ioc), reminder_(ioc) {}

  // --- check-in -----------------------------------------------------------
  bool check_in_family(const json& req) {
    std::string code = issue_code(req.at("guardian"));
    queue_.push_back({code, req.at("guardian").value("name", ""), -1, false});
    OnExit undo{[&] { withdraw(code); }};  // expect: errorshield-deferred-ref-capture
    for (const auto& child : req.value("children", json::array())) {
      code = issue_code(child);
      if (code.empty()) return false;
      queue_.push_back({code, child.value("name", ""), -1, false});
    }
    undo.release();
    publish();
    return true;
  }

  bool check_in_single(const json& req) {
    const std::string code = issue_code(req);
    queue_.push_back({code, req.value("name", ""), -1, false});
    OnExit undo{[&] { withdraw(code); }};  // OK: code is const, nothing reassigns it
    if (!req.contains("insurance")) return false;
    undo.release();
    publish();
    return true;
  }

  // --- calling patients in --------------------------------------------------
  void call_next(int chair) {
    if (queue_.empty()) return;
    Ticket& t = queue_.front();
    t.called = true;
    t.chair = chair;
    std::string code = t.code;
    publish();
    no_show_.expires_after(5min);
    no_show_.async_wait([this, &code](beast::error_code ec) {  // expect: errorshield-deferred-ref-capture
      if (!ec) withdraw(code);
    });
  }

  void call_specific(int chair, const std::string& code) {
    auto it = std::find_if(queue_.begin(), queue_.end(),
                           [&](const Ticket& t) { return t.code == code; });  // OK: runs now
    if (it == queue_.end()) return;
    it->called = true;
    it->chair = chair;
    no_show_.expires_after(5min);
    no_show_.async_wait([this, c = it->code](beast::error_code ec) {  // OK: copy
      if (!ec) withdraw(c);
    });
    publish();
  }

  void remind_first_waiting(const std::vector<std::string>& patients) {
    std::string patient;
    for (const auto& p : patients) {
      if (!p.empty()) {
        patient = p;
        break;
      }
    }
    if (patient.empty()) return;
    remind_after(reminder_, 60s, [&patient] {  // expect: errorshield-deferred-ref-capture
      sms_reminder(patient, "The dentist is running about 15 minutes late.");
    });
  }

  void schedule_running_late_sms_fixed(std::string patient) {
    remind_after(reminder_, 60s, [patient = std::move(patient)] {  // OK: moved in
      sms_reminder(patient, "The dentist is running about 15 minutes late.");
    });
  }

  // --- screens --------------------------------------------------------------
  void attach_screen(tcp::socket sock, const std::string& room) {
    auto s = std::make_shared<Screen>(std::move(sock));
    std::string key = room;
    if (room == "lobby") key += "#" + std::to_string(lobby_seq_++);
    screens_[key] = s;
    s->on_gone = [this, &key] { screens_.erase(key); };  // expect: errorshield-deferred-ref-capture
    s->start();
  }

  void attach_screen_fixed(tcp::socket sock, const std::string& room) {
    auto s = std::make_shared<Screen>(std::move(sock));
    screens_[room] = s;
    s->on_gone = [this, room] { screens_.erase(room); };  // OK: copy of the room name
    s->start();
  }

  // --- end of day ------------------------------------------------------------
  void close_for_day(const std::string& reason) {
    std::vector<std::string> leftover;
    for (auto& t : queue_) leftover.push_back(t.code);
    in_background(strand_, [&leftover, reason] {  // expect: errorshield-deferred-ref-capture
      for (const auto& c : leftover) notify_pms_withdrawn(c + " " + reason);
    });
    queue_.clear();
    publish();
  }

  void close_for_day_fixed(const std::string& reason) {
    std::vector<std::string> leftover;
    for (auto& t : queue_) leftover.push_back(t.code);
    std::thread sync([&leftover, &reason] {  // OK: joined before leftover dies
      for (const auto& c : leftover) notify_pms_withdrawn(c + " " + reason);
    });
    sync.join();
    queue_.clear();
    publish();
  }

 private:
  void withdraw(const std::string& code) {
    std::erase_if(queue_, [&](const Ticket& t) { return t.code == code; });  // OK: runs now
    publish();
  }

  void publish() {
    json board = json::array();
    for (const auto& t : queue_)
      board.push_back({{"code", t.code}, {"called", t.called}, {"chair", t.chair}});
    const std::string text = board.dump();
    for (auto& [room, w] : screens_)
      if (auto s = w.lock()) s->show(text);
  }

  net::io_context& ioc_;
  net::strand<net::io_context::executor_type> strand_;
  net::steady_timer no_show_;
  net::steady_timer reminder_;
  std::deque<Ticket> queue_;
  std::map<std::string, std::weak_ptr<Screen>> screens_;
  int lobby_seq_ = 0;
};
