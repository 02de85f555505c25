// Demo input for errorshield-unlocked-shared-map: the seed incident (FIXED).
//
// Corrected twin of unlocked_shared_map_bad.cpp. Every access to the session
// map holds the registry's mutex (the disconnect and online() locks are the
// ones the check's fix-it inserts), and the global rate-limit table has a mutex
// of its own that allow_request() holds for its read-modify-write.
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
    // FIX: the same lock as connect().
    std::lock_guard<std::mutex> lock(mu_);
    sessions_.erase(user_id);
  }

  std::size_t online() const {
    // FIX: readers lock too (mu_ is mutable so a const member can take it).
    std::lock_guard<std::mutex> lock(mu_);
    return sessions_.size();
  }

 private:
  mutable std::mutex mu_;
  std::unordered_map<int, std::shared_ptr<Session>> sessions_;
};

// Requests per user in the current window; every worker updates it.
std::map<int, int> g_requests;
std::mutex g_requests_mu;  // FIX: guards g_requests

bool allow_request(int user_id) {
  std::lock_guard<std::mutex> lock(g_requests_mu);
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
