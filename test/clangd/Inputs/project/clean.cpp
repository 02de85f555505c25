// Correct code: the map is only touched under the lock, money is held in integer cents.
#include <cstdint>
#include <map>
#include <mutex>

class Balances {
public:
  void credit(int user, std::int64_t cents) {
    std::lock_guard<std::mutex> lock(mu_);
    cents_[user] += cents;
  }

private:
  std::mutex mu_;
  std::map<int, std::int64_t> cents_;
};
