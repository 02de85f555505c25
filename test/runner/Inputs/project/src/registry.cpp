// The session registry of the push gateway, shared by the I/O threads.
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace push {

struct Session {
  int user_id = 0;
  std::string device;
};

class Registry {
public:
  void attach(int user_id, std::string device) {
    std::lock_guard<std::mutex> lock(mu_);
    sessions_[user_id] = Session{user_id, std::move(device)};
  }

  void detach(int user_id) {
    sessions_.erase(user_id);
  }

private:
  std::mutex mu_;
  std::unordered_map<int, Session> sessions_;
};

int reconnect(int user_id);
void hang_up(int fd);

void rotate(int user_id) {
  int fd = reconnect(user_id);
  auto close_old = [&fd](int *) { hang_up(fd); };
  std::unique_ptr<int, decltype(close_old)> guard(&user_id, close_old);
  fd = reconnect(user_id);
  std::printf("rotated %d\n", fd);
}

} // namespace push
