// checks: errorshield-deferred-ref-capture
// CAD unit-assignment push server. Dispatcher consoles connect over WebSocket, announce their
// position/sector and receive unit assignments for incidents in that sector. Units must
// acknowledge within a deadline or the assignment is reverted and the incident re-queued.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace cad {

template <class F>
class ScopeExit {
 public:
  explicit ScopeExit(F f) : f_(std::move(f)) {}
  ScopeExit(const ScopeExit&) = delete;
  ScopeExit& operator=(const ScopeExit&) = delete;
  ~ScopeExit() {
    if (armed_) f_();
  }
  void release() { armed_ = false; }

 private:
  F f_;
  bool armed_ = true;
};

struct Assignment {
  std::string incident_id;
  std::string unit_id;
  std::string sector;
  int priority = 3;
};

class ConsoleSession;
class Dispatcher;

class ConsoleHub {
 public:
  void attach(const std::string& console_id, const std::shared_ptr<ConsoleSession>& s) {
    std::lock_guard lk(mu_);
    consoles_[console_id] = s;
  }
  void detach(const std::string& console_id) {
    std::lock_guard lk(mu_);
    consoles_.erase(console_id);
  }
  void log_drop(const std::string& console_id, const std::string& reason);
  void for_each_in_sector(const std::string& sector,
                          const std::function<void(ConsoleSession&)>& fn);
  void broadcast(const Assignment& a);

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::weak_ptr<ConsoleSession>> consoles_;
  std::vector<std::string> drop_log_;
};

class ConsoleSession : public std::enable_shared_from_this<ConsoleSession> {
 public:
  ConsoleSession(tcp::socket sock, ConsoleHub& hub, Dispatcher& dispatcher)
      : ws_(std::move(sock)), hub_(hub), dispatcher_(dispatcher) {}

  void run(std::function<void()> on_close) {
    on_close_ = std::move(on_close);
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(64 * 1024);
    ws_.async_accept(beast::bind_front_handler(&ConsoleSession::on_accept, shared_from_this()));
  }

  void push(std::string payload) {
    net::post(ws_.get_executor(), [self = shared_from_this(), p = std::move(payload)]() mutable {
      self->queue_.push_back(std::move(p));
      if (self->queue_.size() == 1) self->do_write();
    });
  }

  const std::string& console_id() const { return console_id_; }
  const std::string& sector() const { return sector_; }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    do_read();
  }
  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&ConsoleSession::on_read, shared_from_this()));
  }
  void on_read(beast::error_code ec, std::size_t bytes);
  void do_write() {
    ws_.text(true);
    ws_.async_write(net::buffer(queue_.front()),
                    beast::bind_front_handler(&ConsoleSession::on_write, shared_from_this()));
  }
  void on_write(beast::error_code ec, std::size_t) {
    if (ec) {
      net::post(ws_.get_executor(), [self = shared_from_this(), reason = ec.message()] {
        self->hub_.log_drop(self->console_id_, reason);
      });
      return;
    }
    queue_.pop_front();
    if (!queue_.empty()) do_write();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  ConsoleHub& hub_;
  Dispatcher& dispatcher_;
  std::function<void()> on_close_;
  std::string console_id_;
  std::string sector_;
};

void ConsoleHub::log_drop(const std::string& console_id, const std::string& reason) {
  std::lock_guard lk(mu_);
  drop_log_.push_back(console_id + ": " + reason);
}

void ConsoleHub::for_each_in_sector(const std::string& sector,
                                    const std::function<void(ConsoleSession&)>& fn) {
  std::lock_guard lk(mu_);
  for (auto& [id, weak] : consoles_) {
    if (auto s = weak.lock(); s && (sector == "ALL" || s->sector() == sector)) fn(*s);
  }
}

void ConsoleHub::broadcast(const Assignment& a) {
  const std::string payload = json{{"type", "assignment"},  {"incident", a.incident_id},
                                   {"unit", a.unit_id},     {"sector", a.sector},
                                   {"priority", a.priority}}.dump();
  std::string sector = a.sector;
  for_each_in_sector(sector, [&](ConsoleSession& s) { s.push(payload); });
  if (a.priority == 1) {
    sector = "ALL";
    for_each_in_sector(sector, [&](ConsoleSession& s) { s.push(payload); });
  }
}

class Dispatcher {
 public:
  Dispatcher(net::io_context& ioc, ConsoleHub& hub) : ioc_(ioc), hub_(hub) {}

  void assign(const std::string& incident_id, const std::vector<std::string>& units,
              const std::string& sector, int priority) {
    std::string unit;
    for (const auto& u : units) {
      unit = u;
      pending_[unit] = incident_id;
      hub_.broadcast({incident_id, unit, sector, priority});
      auto timer = std::make_shared<net::steady_timer>(ioc_, ack_timeout_);
      timer->async_wait([&, timer](const beast::error_code& ec) { // expect: errorshield-deferred-ref-capture
        if (!ec) revert(unit);
      });
    }
  }

  void reassign_single(const std::string& incident_id, std::string unit_id, const std::string& sector) {
    pending_[unit_id] = incident_id;
    hub_.broadcast({incident_id, unit_id, sector, 2});
    auto timer = std::make_shared<net::steady_timer>(ioc_, ack_timeout_);
    timer->async_wait([this, timer, unit_id](const beast::error_code& ec) {
      if (!ec) revert(unit_id);
    });
  }

  void acknowledge(const std::string& unit_id) { pending_.erase(unit_id); }

  void clear_unit(std::string unit) {
    if (!unit.empty() && unit.front() == '#') unit = unit.substr(1);
    ScopeExit audit([&] { audit_log_.push_back("cleared " + unit); });
    pending_.erase(unit);
  }

  net::awaitable<void> escalation_sweep(std::vector<std::string> incidents) {
    if (incidents.empty()) co_return;
    std::string locked = incidents.front();
    lock_incident(locked);
    ScopeExit unlock([&] { unlock_incident(locked); }); // expect: errorshield-deferred-ref-capture
    for (std::size_t i = 1; i < incidents.size(); ++i) {
      net::steady_timer pause(co_await net::this_coro::executor, std::chrono::seconds(2));
      co_await pause.async_wait(net::use_awaitable);
      locked = incidents[i];
      lock_incident(locked);
    }
  }

  net::awaitable<void> poll_avl_feed(std::string feed_name) {
    const std::string feed = std::move(feed_name);
    feeds_up_[feed] = true;
    ScopeExit down([&] { feeds_up_[feed] = false; });
    for (int i = 0; i < 3; ++i) {
      net::steady_timer t(co_await net::this_coro::executor, std::chrono::seconds(5));
      co_await t.async_wait(net::use_awaitable);
    }
  }

 private:
  void revert(const std::string& unit) {
    auto it = pending_.find(unit);
    if (it == pending_.end()) return;
    audit_log_.push_back("no ack from " + unit + " on " + it->second);
    pending_.erase(it);
  }
  void lock_incident(const std::string& id) { locks_[id] = true; }
  void unlock_incident(const std::string& id) { locks_.erase(id); }

  net::io_context& ioc_;
  ConsoleHub& hub_;
  std::chrono::seconds ack_timeout_{45};
  std::unordered_map<std::string, std::string> pending_;
  std::unordered_map<std::string, bool> locks_;
  std::unordered_map<std::string, bool> feeds_up_;
  std::vector<std::string> audit_log_;
};

void ConsoleSession::on_read(beast::error_code ec, std::size_t) {
  if (ec) {
    std::string reason = ec == websocket::error::closed ? "closed by console" : ec.message();
    net::post(ws_.get_executor(), [this, self = shared_from_this(), &reason] { // expect: errorshield-deferred-ref-capture
      hub_.log_drop(console_id_, reason);
      if (on_close_) on_close_();
    });
    return;
  }
  json msg = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
  buffer_.consume(buffer_.size());
  if (msg.is_object()) {
    const std::string type = msg.value("type", "");
    if (type == "hello") {
      console_id_ = msg.value("position", "");
      sector_ = msg.value("sector", "ALL");
      hub_.attach(console_id_, shared_from_this());
    } else if (type == "ack") {
      dispatcher_.acknowledge(msg.value("unit", ""));
    }
  }
  do_read();
}

class Server {
 public:
  Server(net::io_context& ioc, tcp::endpoint ep, tcp::endpoint supervisor_ep)
      : ioc_(ioc), acceptor_(ioc, ep), supervisor_(ioc, supervisor_ep), dispatcher_(ioc, hub_) {}

  void start() {
    net::co_spawn(ioc_, listen(), net::detached);
    net::co_spawn(ioc_, listen_supervisors(), net::detached);
  }

 private:
  net::awaitable<void> listen() {
    std::shared_ptr<ConsoleSession> session;
    for (;;) {
      tcp::socket sock = co_await acceptor_.async_accept(net::use_awaitable);
      session = std::make_shared<ConsoleSession>(std::move(sock), hub_, dispatcher_);
      session->run([&] { hub_.detach(session->console_id()); }); // expect: errorshield-deferred-ref-capture
    }
  }

  net::awaitable<void> listen_supervisors() {
    for (;;) {
      tcp::socket sock = co_await supervisor_.async_accept(net::use_awaitable);
      auto s = std::make_shared<ConsoleSession>(std::move(sock), hub_, dispatcher_);
      std::weak_ptr<ConsoleSession> weak = s;
      s->run([this, weak] {
        if (auto p = weak.lock()) hub_.detach(p->console_id());
      });
    }
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  tcp::acceptor supervisor_;
  ConsoleHub hub_;
  Dispatcher dispatcher_;
};

}  // namespace cad
