// checks: errorshield-deferred-ref-capture
// Chat gateway: websocket sessions, presence bookkeeping, and cleanup guards.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/scope_exit.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace chat {

// Minimal scope guard with dismiss(), as found in many code bases.
class ScopeGuard {
public:
  explicit ScopeGuard(std::function<void()> fn) : fn_(std::move(fn)) {}
  ScopeGuard(const ScopeGuard &) = delete;
  ScopeGuard &operator=(const ScopeGuard &) = delete;
  ~ScopeGuard() {
    if (active_ && fn_)
      fn_();
  }
  void dismiss() noexcept { active_ = false; }

private:
  std::function<void()> fn_;
  bool active_ = true;
};

class Presence {
public:
  void online(const std::string &user, int conn_id) {
    std::lock_guard<std::mutex> lk(mu_);
    conns_[user] = conn_id;
  }
  void offline(const std::string &user) {
    std::lock_guard<std::mutex> lk(mu_);
    conns_.erase(user);
  }
  int lookup(const std::string &user) const {
    std::lock_guard<std::mutex> lk(mu_);
    auto it = conns_.find(user);
    return it == conns_.end() ? -1 : it->second;
  }

private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, int> conns_;
};

Presence g_presence;

std::string read_frame(int conn_id);
bool authenticate(const json &msg);
void send_to(int conn_id, const std::string &payload);

// BUG: one connection may carry several logins (account switch). The guard
// captures `user` by reference; when the loop re-binds `user` to the second
// account, the guard at scope exit marks the *second* account offline and
// leaves the first one dangling in the presence map.
void serve_multi_login(int conn_id) {
  std::string user = "anonymous";
  ScopeGuard mark_offline([&] { g_presence.offline(user); }); // expect: errorshield-deferred-ref-capture
  for (;;) {
    json msg = json::parse(read_frame(conn_id));
    if (msg.value("type", "") == "bye")
      break;
    if (msg.value("type", "") == "login" && authenticate(msg)) {
      user = msg.at("user").get<std::string>();
      g_presence.online(user, conn_id);
    }
  }
}

// OK: the guard captures by value the identity fixed at login time; the
// later re-binding of `user` does not affect what the guard erases.
void serve_single_login(int conn_id) {
  json hello = json::parse(read_frame(conn_id));
  std::string user = hello.at("user").get<std::string>();
  g_presence.online(user, conn_id);
  ScopeGuard mark_offline([user] { g_presence.offline(user); });
  user = "(logged-out)";
  send_to(conn_id, json{{"type", "welcome"}}.dump());
}

// OK: the variable is written only before the guard is armed.
void serve_with_rename(int conn_id) {
  std::string user = read_frame(conn_id);
  if (user.empty())
    user = "guest-" + std::to_string(conn_id);
  ScopeGuard mark_offline([&] { g_presence.offline(user); });
  g_presence.online(user, conn_id);
  send_to(conn_id, "ok");
}

// OK: the guard is dismissed on the success path before `user` is reused.
void transfer_session(int conn_id, std::string &out_user) {
  std::string user = read_frame(conn_id);
  g_presence.online(user, conn_id);
  ScopeGuard rollback([&] { g_presence.offline(user); });
  send_to(conn_id, "transfer");
  rollback.dismiss();
  out_user = std::move(user);
}

// BUG: BOOST_SCOPE_EXIT with a by-reference capture; the connection id is
// reassigned when the client reconnects, and the exit block closes the new id.
void serve_reconnecting(int conn_id) {
  int active = conn_id;
  BOOST_SCOPE_EXIT(&active) { send_to(active, "close"); } // expect: errorshield-deferred-ref-capture
  BOOST_SCOPE_EXIT_END
  if (read_frame(active) == "reconnect")
    active = conn_id + 1000;
  send_to(active, "resumed");
}

// ---------------------------------------------------------------------------
// Asynchronous websocket session
// ---------------------------------------------------------------------------

class Session : public std::enable_shared_from_this<Session> {
public:
  Session(tcp::socket sock, int id) : ws_(std::move(sock)), id_(id) {}

  void start() { do_read(); }

  // BUG: `text` is a local; the completion handler runs after the function
  // has returned, so it reads a destroyed string.
  void broadcast_notice(const std::string &notice) {
    std::string text = json{{"type", "notice"}, {"text", notice}}.dump();
    ws_.async_write(net::buffer(text), [&text, self = shared_from_this()]( // expect: errorshield-deferred-ref-capture
                                           beast::error_code ec, std::size_t) {
      if (ec)
        std::cerr << "notice failed (" << text.size() << " bytes)\n";
    });
  }

  // OK: the payload is owned by a shared_ptr captured by value.
  void send_json(const json &j) {
    auto payload = std::make_shared<std::string>(j.dump());
    ws_.async_write(net::buffer(*payload),
                    [payload, self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec)
                        std::cerr << "write failed: " << ec.message() << "\n";
                    });
  }

private:
  void do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->on_read(ec, n);
    });
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) {
      g_presence.offline(std::to_string(id_));
      return;
    }
    buffer_.consume(buffer_.size());
    do_read();
  }

  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buffer_;
  int id_;
};

// ---------------------------------------------------------------------------
// Admin tasks posted to the io_context
// ---------------------------------------------------------------------------

// BUG: `uid` is the loop variable; each posted lambda refers to the same
// (reassigned, then destroyed) variable, so every kick targets the wrong user.
void kick_all(net::io_context &ioc, const std::vector<std::string> &users) {
  for (std::size_t i = 0; i < users.size(); ++i) {
    std::string uid = users[i];
    net::post(ioc, [&uid] { g_presence.offline(uid); }); // expect: errorshield-deferred-ref-capture
  }
}

// OK: by-value copy per iteration.
void kick_all_fixed(net::io_context &ioc, const std::vector<std::string> &users) {
  for (const auto &u : users) {
    net::post(ioc, [uid = u] { g_presence.offline(uid); });
  }
}

// OK: the io_context is local and is run to completion before `report`
// goes out of scope, so the by-reference capture is safe.
std::string collect_report(const std::vector<std::string> &users) {
  net::io_context local;
  std::string report;
  for (const auto &u : users)
    net::post(local, [&report, &u] { report += u + "=" + std::to_string(g_presence.lookup(u)) + ";"; });
  local.run();
  return report;
}

// BUG: detached thread keeps referencing a stack variable.
void audit_async(const std::string &who) {
  std::string line = "audit:" + who;
  std::thread([&line] { std::cout << line << std::endl; }).detach(); // expect: errorshield-deferred-ref-capture
}

// OK: joined before the captured variable dies, and never reassigned.
void audit_sync(const std::string &who) {
  std::string line = "audit:" + who;
  std::thread t([&line] { std::cout << line << std::endl; });
  t.join();
}

// OK: capturing a namespace-scope object by reference is fine.
void flush_presence_later(net::io_context &ioc) {
  net::post(ioc, [] { (void)g_presence.lookup("system"); });
}

// Listener keeps a list of callbacks that its destructor invokes.
class Listener {
public:
  ~Listener() {
    for (auto &cb : on_destroy_)
      cb();
  }
  void on_destroy(std::function<void()> cb) { on_destroy_.push_back(std::move(cb)); }

private:
  std::vector<std::function<void()>> on_destroy_;
};

// BUG: callback registered on a longer-lived Listener captures a local.
void register_cleanup(Listener &l, int conn_id) {
  std::string key = "conn-" + std::to_string(conn_id);
  l.on_destroy([&key] { g_presence.offline(key); }); // expect: errorshield-deferred-ref-capture
}

// OK: captured by value.
void register_cleanup_ok(Listener &l, int conn_id) {
  std::string key = "conn-" + std::to_string(conn_id);
  l.on_destroy([key] { g_presence.offline(key); });
}

} // namespace chat

int main() {
  net::io_context ioc;
  chat::kick_all_fixed(ioc, {"a", "b"});
  ioc.run();
}
