// checks: errorshield-deferred-ref-capture
// Picker push service: handheld scanners on the warehouse floor keep a WebSocket
// open and receive pick tasks pushed by the wave planner.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

template <class F>
class ScopeExit {
 public:
  explicit ScopeExit(F f) : f_(std::move(f)) {}
  ScopeExit(const ScopeExit&) = delete;
  ScopeExit& operator=(const ScopeExit&) = delete;
  ~ScopeExit() {
    if (armed_) f_();
  }
  void dismiss() noexcept { armed_ = false; }

 private:
  F f_;
  bool armed_ = true;
};

class PickerSession;

class PickerRegistry {
 public:
  void add(const std::string& picker, const std::shared_ptr<PickerSession>& s) {
    std::lock_guard lk(mu_);
    by_picker_[picker] = s;
  }
  void remove(const std::string& picker) {
    std::lock_guard lk(mu_);
    by_picker_.erase(picker);
  }
  std::shared_ptr<PickerSession> find(const std::string& picker) {
    std::lock_guard lk(mu_);
    auto it = by_picker_.find(picker);
    return it == by_picker_.end() ? nullptr : it->second.lock();
  }
  std::vector<std::string> stale() {
    std::lock_guard lk(mu_);
    std::vector<std::string> out;
    for (auto& [id, w] : by_picker_)
      if (w.expired()) out.push_back(id);
    return out;
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::weak_ptr<PickerSession>> by_picker_;
};

bool load_zone_assignment(const std::string& picker);
void release_open_tasks(const std::string& picker);
void audit_log(const std::string& line);

class PickerSession : public std::enable_shared_from_this<PickerSession> {
 public:
  PickerSession(tcp::socket sock, PickerRegistry& reg)
      : ws_(std::move(sock)), reg_(reg) {}

  std::function<void()> on_close;  // installed by the server, run once on teardown

  void start() {
    ws_.async_accept(beast::bind_front_handler(&PickerSession::on_accept, shared_from_this()));
  }

  void push(json task) {
    net::post(ws_.get_executor(), [self = shared_from_this(), t = std::move(task)]() mutable {
      self->outbox_.push_back(t.dump());
      if (self->outbox_.size() == 1) self->write_next();
    });
  }

  template <class Handler>
  void close_async(websocket::close_code code, Handler&& h) {
    ws_.async_close(code, std::forward<Handler>(h));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return teardown();
    read_next();
  }

  void read_next() {
    ws_.async_read(buf_, beast::bind_front_handler(&PickerSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return teardown();
    json msg = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (!msg.is_discarded()) {
      const std::string type = msg.value("type", "");
      if (type == "hello") on_hello(msg);
      else if (type == "rebind") on_rebind(msg);
    }
    read_next();
  }

  void on_hello(const json& msg) {
    std::string picker = msg.at("picker_id").get<std::string>();
    reg_.add(picker, shared_from_this());
    ScopeExit undo([&] { reg_.remove(picker); });  // expect: errorshield-deferred-ref-capture
    if (msg.contains("relief_for")) {
      // covering a colleague's zone during their break: also answer to their id
      picker = msg["relief_for"].get<std::string>();
      reg_.add(picker, shared_from_this());
    }
    if (!load_zone_assignment(picker)) return;
    picker_id_ = msg.at("picker_id").get<std::string>();
    undo.dismiss();
  }

  void on_rebind(const json& msg) {
    const std::string old_id = picker_id_;
    std::string new_id = msg.at("picker_id").get<std::string>();
    ScopeExit drop_old([&] { reg_.remove(old_id); });  // OK: old_id never changes
    ScopeExit log([id = new_id] { audit_log("rebind " + id); });  // OK: by value
    new_id += "@" + msg.value("device", std::string("unknown"));
    reg_.add(new_id, shared_from_this());
    picker_id_ = new_id;
  }

  void write_next() {
    ws_.text(true);
    ws_.async_write(net::buffer(outbox_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec) return self->teardown();
                      self->outbox_.pop_front();
                      if (!self->outbox_.empty()) self->write_next();
                    });
  }

  void teardown() {
    if (closed_) return;
    closed_ = true;
    if (on_close) on_close();
  }

  websocket::stream<beast::tcp_stream> ws_;
  PickerRegistry& reg_;
  beast::flat_buffer buf_;
  std::deque<std::string> outbox_;
  std::string picker_id_;
  bool closed_ = false;
};

template <class F>
void after(net::io_context& ioc, std::chrono::steady_clock::duration d, F f) {
  auto t = std::make_shared<net::steady_timer>(ioc, d);
  t->async_wait([t, f = std::move(f)](beast::error_code ec) {
    if (!ec) f();
  });
}

class PushServer {
 public:
  PushServer(net::io_context& ioc, tcp::endpoint ep) : ioc_(ioc), acceptor_(ioc, ep), sweep_(ioc) {}

  void run() {
    net::co_spawn(ioc_, accept_loop(), net::detached);
    arm_sweep();
  }

  net::awaitable<void> accept_loop() {
    std::string slot;
    for (;;) {
      tcp::socket sock = co_await acceptor_.async_accept(net::use_awaitable);
      slot = "dock-" + sock.remote_endpoint().address().to_string();
      auto s = std::make_shared<PickerSession>(std::move(sock), registry_);
      s->on_close = [this, &slot] { registry_.remove(slot); };  // expect: errorshield-deferred-ref-capture
      registry_.add(slot, s);
      s->start();
    }
  }

  net::awaitable<void> accept_loop_fixed() {
    for (;;) {
      tcp::socket sock = co_await acceptor_.async_accept(net::use_awaitable);
      std::string slot = "dock-" + sock.remote_endpoint().address().to_string();
      auto s = std::make_shared<PickerSession>(std::move(sock), registry_);
      s->on_close = [this, slot] { registry_.remove(slot); };  // OK: copy per connection
      registry_.add(slot, s);
      s->start();
    }
  }

  void expire_dropped() {
    std::string id;
    for (const auto& stale_id : registry_.stale()) {
      id = stale_id;
      auto grace = std::make_shared<net::steady_timer>(ioc_, 30s);
      grace->async_wait([this, grace, &id](beast::error_code ec) {  // expect: errorshield-deferred-ref-capture
        if (!ec) {
          release_open_tasks(id);
          registry_.remove(id);
        }
      });
    }
  }

  void expire_dropped_fixed() {
    for (const auto& stale_id : registry_.stale()) {
      after(ioc_, 30s, [this, stale_id] {  // OK: copied into the timer callback
        release_open_tasks(stale_id);
        registry_.remove(stale_id);
      });
    }
  }

  void kick(const std::string& picker_arg, const std::string& reason) {
    std::string who = picker_arg;
    auto s = registry_.find(who);
    if (!s) return;
    audit_log("kick " + who + ": " + reason);
    if (reason == "duplicate-login") {
      s->close_async(websocket::close_code::policy_error, [this, &who](beast::error_code) {  // expect: errorshield-deferred-ref-capture
        registry_.remove(who);
      });
      return;
    }
    s->close_async(websocket::close_code::normal, [this, who](beast::error_code) {  // OK: by value
      registry_.remove(who);
    });
  }

  void broadcast_wave(const json& wave) {
    std::vector<std::string> pickers = wave.at("pickers").get<std::vector<std::string>>();
    std::sort(pickers.begin(), pickers.end(),
              [&](const std::string& a, const std::string& b) { return a < b; });  // OK: runs now
    std::for_each(pickers.begin(), pickers.end(), [&](const std::string& p) {  // OK: runs now
      if (auto s = registry_.find(p)) s->push(wave);
    });
  }

 private:
  void arm_sweep() {
    sweep_.expires_after(15s);
    sweep_.async_wait([this](beast::error_code ec) {  // OK: server outlives the io_context run
      if (ec) return;
      expire_dropped_fixed();
      arm_sweep();
    });
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  net::steady_timer sweep_;
  PickerRegistry registry_;
};
