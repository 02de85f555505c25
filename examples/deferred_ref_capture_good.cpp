// Demo input for errorshield-deferred-ref-capture: the seed incident (FIXED).
//
// Corrected twin of deferred_ref_capture_bad.cpp. The reconnect guard now
// captures a copy of the shared_ptr (shared ownership of user 1001's
// connection), so reassigning the loop variable no longer changes what the
// guard disconnects. The posted handler owns its string (capture by move), so
// it no longer refers to a local that is gone by the time it runs.
#include <boost/asio.hpp>

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <utility>

namespace asio = boost::asio;

// Runs its callable when the enclosing scope ends.
template <class F>
class ScopeExit {
 public:
  explicit ScopeExit(F f) : f_(std::move(f)) {}
  ScopeExit(const ScopeExit&) = delete;
  ScopeExit& operator=(const ScopeExit&) = delete;
  ~ScopeExit() { f_(); }

 private:
  F f_;
};

struct Connection {
  int user_id;
  bool open = true;
};

class Registry {
 public:
  explicit Registry(asio::io_context& ioc) : ioc_(ioc) {
    for (int id = 1001; id <= 1004; ++id) conns_[id] = std::make_shared<Connection>(Connection{id});
  }

  void disconnect(const std::shared_ptr<Connection>& c) {
    c->open = false;
    std::printf("disconnected user %d\n", c->user_id);
  }

  void reconnect_batch() {
    std::shared_ptr<Connection> conn = conns_.at(1001);
    // FIX: the guard shares ownership of user 1001's connection.
    ScopeExit drop_stale([stale = conn, this] { disconnect(stale); });
    for (int id = 1002; id <= 1004; ++id) {
      conn = conns_.at(id);  // no effect on the guard any more
      std::printf("refreshing user %d\n", conn->user_id);
    }
  }  // drop_stale disconnects user 1001, as intended

  void announce(int user_id) {
    std::string line = "user " + std::to_string(user_id) + " is back";
    // FIX: the handler owns its own copy of the text.
    asio::post(ioc_, [line = std::move(line)] { std::puts(line.c_str()); });
  }

 private:
  asio::io_context& ioc_;
  std::map<int, std::shared_ptr<Connection>> conns_;
};

int main() {
  asio::io_context ioc;
  Registry registry(ioc);
  registry.reconnect_batch();
  registry.announce(1001);
  ioc.run();
}
