// checks: errorshield-unlocked-shared-map
// Chat server: session registry, room index, ban list, command router.
#include <boost/asio.hpp>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#define LOG_INFO(fmt, ...) std::fprintf(stderr, "[info] " fmt "\n", ##__VA_ARGS__)

namespace chat {

class Session;
using SessionPtr = std::shared_ptr<Session>;
using SessionTable = std::unordered_map<std::uint64_t, SessionPtr>;
using RoomIndex = std::map<std::string, std::unordered_set<std::uint64_t>>;

class Session {
 public:
  explicit Session(std::uint64_t id) : id_(id) {}
  std::uint64_t id() const { return id_; }
  void deliver(const std::string& msg) { outbox_.push_back(msg); }

 private:
  std::uint64_t id_;
  std::vector<std::string> outbox_;
};

class Registry {
 public:
  Registry();
  ~Registry();
  void add(SessionPtr s);
  void remove(std::uint64_t id);
  void join(std::uint64_t id, const std::string& room);
  void broadcast(const std::string& room, const std::string& msg);
  std::size_t online() const;
  bool contains(std::uint64_t id) const;
  std::vector<std::string> roomNames() const;
  void dropRoomLocked(const std::string& room);
  void reset(SessionTable fresh);
  void pruneEmptyRooms();

 private:
  void evictIdle();
  mutable std::shared_mutex mu_;
  SessionTable sessions_;
  RoomIndex rooms_;
};

Registry::Registry() {
  sessions_.reserve(1024);
  rooms_["lobby"] = {};
}

Registry::~Registry() {
  sessions_.clear();
  rooms_.clear();
}

void Registry::add(SessionPtr s) {
  std::unique_lock lock(mu_);
  sessions_.emplace(s->id(), s);
  LOG_INFO("session %llu added", static_cast<unsigned long long>(s->id()));
}

void Registry::remove(std::uint64_t id) {
  {
    std::unique_lock lock(mu_);
    sessions_.erase(id);
  }
  for (auto& [name, members] : rooms_)  // expect: errorshield-unlocked-shared-map
    members.erase(id);
}

void Registry::join(std::uint64_t id, const std::string& room) {
  std::shared_lock lock(mu_);
  if (!sessions_.count(id)) return;
  rooms_[room].insert(id);  // expect: errorshield-unlocked-shared-map
}

void Registry::broadcast(const std::string& room, const std::string& msg) {
  std::shared_lock lock(mu_);
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return;
  for (auto id : it->second) {
    if (auto s = sessions_.find(id); s != sessions_.end()) s->second->deliver(msg);
  }
}

std::size_t Registry::online() const {
  return sessions_.size();  // expect: errorshield-unlocked-shared-map
}

bool Registry::contains(std::uint64_t id) const {
  std::shared_lock lock(mu_);
  return sessions_.contains(id);
}

std::vector<std::string> Registry::roomNames() const {
  std::vector<std::string> out;
  std::lock_guard<std::shared_mutex> guard(mu_);
  for (const auto& entry : rooms_) out.push_back(entry.first);
  return out;
}

void Registry::dropRoomLocked(const std::string& room) {
  rooms_.erase(room);
}

void Registry::reset(SessionTable fresh) {
  sessions_ = std::move(fresh);  // expect: errorshield-unlocked-shared-map
}

void Registry::pruneEmptyRooms() {
  std::unique_lock lock(mu_);
  for (auto it = rooms_.begin(); it != rooms_.end();) {
    if (it->second.empty()) it = rooms_.erase(it); else ++it;
  }
  evictIdle();
}

// Called with mu_ held by pruneEmptyRooms, but nothing in the name or
// annotations says so.
void Registry::evictIdle() {
  for (auto it = sessions_.begin(); it != sessions_.end();) {  // same container, same function: reported once, at the first write
    if (it->second.use_count() == 1) it = sessions_.erase(it); else ++it;  // expect: errorshield-unlocked-shared-map
  }
}

// ---- process-wide tables -------------------------------------------------

namespace {
std::unordered_set<std::string> g_banned_nicks;
std::mutex g_banned_mu;
const std::map<std::string, int> kRoomLimits{{"lobby", 500}, {"ops", 20}};
std::map<std::string, std::string> g_motd{{"lobby", "welcome"}, {"ops", "be careful"}};
thread_local std::unordered_map<std::string, int> t_nick_cache;
}  // namespace

void ban(const std::string& nick) {
  std::lock_guard<std::mutex> g(g_banned_mu);
  g_banned_nicks.insert(nick);
}

bool isBanned(const std::string& nick) {
  return g_banned_nicks.count(nick) != 0;  // expect: errorshield-unlocked-shared-map
}

void unbanAll() {
  g_banned_mu.lock();
  g_banned_nicks.clear();
  g_banned_mu.unlock();
  LOG_INFO("ban list now has %zu entries", g_banned_nicks.size());  // expect: errorshield-unlocked-shared-map
}

int roomLimit(const std::string& room) {
  auto it = kRoomLimits.find(room);
  return it == kRoomLimits.end() ? 100 : it->second;
}

std::string motd(const std::string& room) {
  auto it = g_motd.find(room);
  return it != g_motd.end() ? it->second : std::string{};
}

int nickHash(const std::string& nick) {
  auto [it, fresh] = t_nick_cache.try_emplace(nick, 0);
  if (fresh) it->second = static_cast<int>(std::hash<std::string>{}(nick) & 0xffff);
  return it->second;
}

const std::string& canonicalRoom(const std::string& raw) {
  static std::unordered_map<std::string, std::string> memo;
  static std::mutex memo_mu;
  std::lock_guard g(memo_mu);
  auto [it, inserted] = memo.try_emplace(raw, raw);
  return it->second;
}

std::size_t countRoomsSeen(const std::string& room) {
  static std::set<std::string> seen;
  seen.insert(room);  // expect: errorshield-unlocked-shared-map
  return seen.size();  // same container, same function: reported once, at the first write
}

// ---- command routing -----------------------------------------------------

using Handler = std::function<void(const std::string&)>;

class CommandRouter {
 public:
  void on(const std::string& cmd, Handler h) {
    std::scoped_lock lk(mu_);
    handlers_[cmd] = std::move(h);
  }

  void dispatch(const std::string& cmd, const std::string& arg) {
    Handler h;
    {
      std::scoped_lock lk(mu_);
      if (auto it = handlers_.find(cmd); it != handlers_.end()) h = it->second;
    }
    if (h) h(arg);
  }

  void installDefaults() {
    on("ping", [this](const std::string&) { ++pings_; });
    on("reset", [this](const std::string&) { handlers_.clear(); });  // expect: errorshield-unlocked-shared-map
  }

 private:
  std::mutex mu_;
  std::map<std::string, Handler> handlers_;
  int pings_ = 0;
};

// Single-threaded helper: owns no mutex, so its map is not shared.
class LocalStats {
 public:
  void hit(const std::string& k) { counts_[k]++; }
  int get(const std::string& k) const {
    auto it = counts_.find(k);
    return it == counts_.end() ? 0 : it->second;
  }

 private:
  std::map<std::string, int> counts_;
};

std::vector<std::string> topWords(const std::vector<std::string>& words) {
  std::map<std::string, int> freq;
  for (const auto& w : words) freq[w]++;
  std::vector<std::string> out;
  for (const auto& [w, n] : freq)
    if (n > 3) out.push_back(w);
  return out;
}

void serve(boost::asio::io_context& ioc, Registry& reg, CommandRouter& router) {
  LocalStats stats;
  stats.hit("boot");
  reg.add(std::make_shared<Session>(1));
  router.installDefaults();
  boost::asio::post(ioc, [&reg] { reg.broadcast("lobby", "hello"); });
  (void)stats.get("boot");
}

}  // namespace chat
