// A connection registry: the map is guarded by mu_ in add() but not in remove(), and an order price
// is held in a double. Two ErrorShield checks fire; the lock has a fix-it.
#include <map>
#include <mutex>
#include <string>

namespace chat {

class Registry {
public:
  void add(int id, std::string name) {
    std::lock_guard<std::mutex> lock(mu_);
    users_[id] = std::move(name);
  }
  void remove(int id) { users_.erase(id); }

private:
  std::mutex mu_;
  std::map<int, std::string> users_;
};

struct Order {
  double price = 0;
  int quantity = 0;
};

} // namespace chat
