// Demo input for errorshield-deferred-ref-capture: the seed incident (BUGGY).
//
// A push server keeps one connection per user (1001-1004). During a batch
// reconnect, a scope guard is meant to disconnect the user it was created for.
// It captures `conn` by reference, and the loop below keeps reassigning `conn`,
// so when the guard finally runs it disconnects the LAST user (1004) and the
// first user's stale connection (1001) is never closed.
//
// Second bug: announce() posts a handler that captures the local `line` by
// reference. The handler runs on the io_context after announce() has returned,
// so it reads a destroyed std::string.
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
    // BUG: the guard holds a reference to `conn`, not the connection of user 1001.
    ScopeExit drop_stale([&conn, this] { disconnect(conn); });
    for (int id = 1002; id <= 1004; ++id) {
      conn = conns_.at(id);  // reassigned after the guard was created
      std::printf("refreshing user %d\n", conn->user_id);
    }
  }  // drop_stale runs here and disconnects user 1004

  void announce(int user_id) {
    std::string line = "user " + std::to_string(user_id) + " is back";
    // BUG: `line` is destroyed when announce() returns, before the handler runs.
    asio::post(ioc_, [&line] { std::puts(line.c_str()); });
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
