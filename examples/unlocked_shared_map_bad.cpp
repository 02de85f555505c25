// Demo input for errorshield-unlocked-shared-map: the seed incident (BUGGY).
//
// A chat server keeps its live sessions in a hash map shared by the Asio
// worker threads. connect() takes the registry's mutex, but the disconnect
// path and the "who is online" counter were added later and touch the map
// without it. A disconnect that erases while another worker inserts (and the
// table rehashes) corrupts the map: sessions are lost, and the process crashes
// far from this code.
//
// Second bug: the per-user rate-limit table is a global map that every worker
// updates without any lock.
#include <boost/asio.hpp>

#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace asio = boost::asio;

struct Session {
  int user_id;
  std::string nick;
};

class SessionRegistry {
 public:
  void connect(int user_id, std::string nick) {
    std::lock_guard<std::mutex> lock(mu_);
    sessions_[user_id] = std::make_shared<Session>(Session{user_id, std::move(nick)});
  }

  void disconnect(int user_id) {
    // BUG: no lock; connect() may be inserting on another worker right now.
    sessions_.erase(user_id);
  }

  std::size_t online() const {
    // BUG: reads the map while other workers modify it.
    return sessions_.size();
  }

 private:
  mutable std::mutex mu_;
  std::unordered_map<int, std::shared_ptr<Session>> sessions_;
};

// Requests per user in the current window; every worker updates it.
std::map<int, int> g_requests;

bool allow_request(int user_id) {
  // BUG: an unsynchronised read-modify-write of a global map.
  return ++g_requests[user_id] <= 100;
}

int main() {
  SessionRegistry registry;
  asio::thread_pool workers(4);
  for (int id = 1001; id <= 1008; ++id) {
    asio::post(workers, [&registry, id] {
      registry.connect(id, "user" + std::to_string(id));
      if (allow_request(id)) std::printf("user %d: %zu online\n", id, registry.online());
      registry.disconnect(id);
    });
  }
  workers.join();
  std::printf("%zu sessions left\n", registry.online());
}
