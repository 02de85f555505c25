// checks: errorshield-unlocked-shared-map
// Hot-reloadable service configuration. A SIGHUP handler and an admin
// WebSocket both trigger reloads while request threads read settings.
#include <boost/asio.hpp>
#include <nlohmann/json.hpp>

#include <condition_variable>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <ostream>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
using json = nlohmann::json;
using Settings = std::unordered_map<std::string, std::string>;

Settings parse_file(const std::string& path) {
  Settings out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);  // fine: local
  }
  return out;
}

void print_settings(std::ostream& os, const Settings& s) {
  for (const auto& [k, v] : s) os << k << '=' << v << '\n';  // fine: parameter
}

class ConfigStore {
 public:
  explicit ConfigStore(Settings initial) : settings_(std::move(initial)) {}

  std::string get(const std::string& key, std::string def = {}) const {
    std::shared_lock lk(mu_);
    auto it = settings_.find(key);  // fine: shared_lock, read
    return it == settings_.end() ? def : it->second;  // fine: shared_lock, read
  }

  void reload(const std::string& path) {
    Settings fresh = parse_file(path);
    fresh.erase("");  // fine: local
    std::unique_lock lk(mu_);
    settings_.swap(fresh);  // fine: unique_lock held
    ++generation_;
  }

  void reload_from_json(const json& doc) {
    Settings fresh;
    for (auto& [k, v] : doc.items()) fresh[k] = v.is_string() ? v.get<std::string>() : v.dump();  // fine: local
    settings_ = std::move(fresh);  // expect: errorshield-unlocked-shared-map
    ++generation_;
  }

  void set_override(const std::string& key, const std::string& value) {
    std::shared_lock lk(mu_);
    settings_.insert_or_assign(key, value);  // expect: errorshield-unlocked-shared-map
  }

  void apply_overrides(const Settings& overrides) {
    if (overrides.empty()) return;  // fine: parameter
    std::unique_lock lk(mu_);
    for (const auto& [k, v] : overrides) settings_[k] = v;  // fine: unique_lock held
  }

  void rename_key(const std::string& from, const std::string& to) {
    auto node = settings_.extract(from);  // expect: errorshield-unlocked-shared-map
    if (node.empty()) return;
    node.key() = to;
    settings_.insert(std::move(node));  // same container, same function: reported once, at the first access
  }

  std::vector<std::string> keys() const {
    std::vector<std::string> out;
    out.reserve(settings_.size());  // expect: errorshield-unlocked-shared-map
    std::shared_lock lk(mu_);
    for (const auto& [k, v] : settings_) out.push_back(k);  // fine: shared_lock, read
    return out;
  }

  void dump(std::ostream& os) const {
    std::shared_lock lk(mu_);
    print_settings(os, settings_);  // fine: passed by reference under the lock
  }

  void dump_unlocked(std::ostream& os) const {
    print_settings(os, settings_);  // fine for this check: passing by reference is not an access
  }

 private:
  mutable std::shared_mutex mu_;
  Settings settings_;
  unsigned generation_ = 0;
};

// Reload requests are queued (deduplicated by path) for a single worker.
class ReloadQueue {
 public:
  void enqueue(const std::string& path) {
    {
      std::lock_guard<std::mutex> g(mu_);
      pending_[path]++;  // fine: lock_guard held in this inner block
    }
    cv_.notify_one();
  }

  std::string wait_next() {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [this] { return !pending_.empty(); });  // fine: predicate runs under the unique_lock
    auto node = pending_.extract(pending_.begin());  // fine: unique_lock held
    return node.key();
  }

  bool idle() const {
    return pending_.empty();  // expect: errorshield-unlocked-shared-map
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, int> pending_;
};

// Change subscribers. Everything runs on one strand, so the class has no
// mutex at all (the check does not look at strand-serialised classes).
class Subscribers {
 public:
  explicit Subscribers(asio::io_context& ioc) : strand_(asio::make_strand(ioc)) {}

  void subscribe(std::string key, std::function<void()> cb) {
    asio::post(strand_, [this, key = std::move(key), cb = std::move(cb)] {
      subs_[key].push_back(cb);  // fine: class has no mutex member
    });
  }

  void fire(const std::string& key) {
    asio::post(strand_, [this, key] {
      auto it = subs_.find(key);  // fine: class has no mutex member
      if (it == subs_.end()) return;  // fine: class has no mutex member
      for (auto& cb : it->second) cb();
    });
  }

 private:
  asio::strand<asio::io_context::executor_type> strand_;
  std::unordered_map<std::string, std::vector<std::function<void()>>> subs_;
};

void run_reloader(ConfigStore& store, ReloadQueue& q) {
  for (;;) store.reload(q.wait_next());
}
