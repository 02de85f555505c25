// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-unlocked-shared-map' -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --fix --checks='-*,errorshield-unlocked-shared-map' -- -std=c++20 -nostdinc++ -isystem %mocks
// RUN: FileCheck %s --check-prefix=CHECK-FIXES --input-file=%t.cpp
// RUN: %clangxx -fsyntax-only -std=c++20 -nostdinc++ -isystem %mocks %t.cpp

#include "locking.h"

void consume(const std::map<int, int> &);

// ---- 1. Members of a class that owns a mutex ----

class Registry {
public:
  Registry() { sessions_[0] = 0; }
  ~Registry() { sessions_.clear(); }

  void add(int id, int conn) {
    std::lock_guard<std::mutex> lock(mu_);
    sessions_[id] = conn;
  }

  void remove(int id) {
    sessions_.erase(id);
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: shared container 'sessions_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :170:22: note: 'sessions_' is shared between threads: declared here
// CHECK-MESSAGES: :169:14: note: 'mu_' is the mutex of 'Registry'; hold it while accessing 'sessions_'
  }
  // The seed's disconnect path: the fix-it adds the lock the other paths take.

  std::size_t size() const {
    return sessions_.size();
// CHECK-MESSAGES: :[[@LINE-1]]:12: warning: shared container 'sessions_' is read without holding a lock while other code modifies it [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :170:22: note: 'sessions_' is shared between threads: declared here
// CHECK-MESSAGES: :169:14: note: 'mu_' is the mutex of 'Registry'; hold it while accessing 'sessions_'
  }

  void drop_all() {
    log("dropping");
    sessions_.clear();
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: shared container 'sessions_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :170:22: note: 'sessions_' is shared between threads: declared here
// CHECK-MESSAGES: :169:14: note: 'mu_' is the mutex of 'Registry'; hold it while accessing 'sessions_'
    sessions_[1] = 2;
// Not reported: the same container in the same function is reported once, at its first
// unguarded access (one lock at the top of the function fixes both).
//
  }

  void lock_ended_early(int id) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      sessions_[id] = 1;
    }
    sessions_.erase(id);
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: shared container 'sessions_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :170:22: note: 'sessions_' is shared between threads: declared here
// CHECK-MESSAGES: :169:14: note: 'mu_' is the mutex of 'Registry'; hold it while accessing 'sessions_'
  }

  void unlocked_midway(int id) {
    std::unique_lock<std::mutex> lock(mu_);
    int n = sessions_[id];
    lock.unlock();
    sessions_.erase(n);
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: shared container 'sessions_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :170:22: note: 'sessions_' is shared between threads: declared here
// CHECK-MESSAGES: :169:14: note: 'mu_' is the mutex of 'Registry'; hold it while accessing 'sessions_'
  }

  void deferred(int id) {
    std::unique_lock<std::mutex> lock(mu_, std::defer_lock);
    sessions_.erase(id);
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: shared container 'sessions_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :170:22: note: 'sessions_' is shared between threads: declared here
// CHECK-MESSAGES: :169:14: note: 'mu_' is the mutex of 'Registry'; hold it while accessing 'sessions_'
    lock.lock();
    sessions_.erase(id + 1);
  }

  // Both locks taken at once by std::lock, the deadlock-free way to lock two registries.
  void move_to(Registry &other, int id) {
    std::unique_lock<std::mutex> mine(mu_, std::defer_lock);
    std::unique_lock<std::mutex> theirs(other.mu_, std::defer_lock);
    sessions_.erase(id);
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: shared container 'sessions_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :170:22: note: 'sessions_' is shared between threads: declared here
// CHECK-MESSAGES: :169:14: note: 'mu_' is the mutex of 'Registry'; hold it while accessing 'sessions_'
    std::lock(mine, theirs);
    other.sessions_.erase(id);
    sessions_.erase(id + 1);
  }
  void manual(int id) {
    mu_.lock();
    sessions_.erase(id);
    mu_.unlock();
    sessions_.erase(id);
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: shared container 'sessions_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :170:22: note: 'sessions_' is shared between threads: declared here
// CHECK-MESSAGES: :169:14: note: 'mu_' is the mutex of 'Registry'; hold it while accessing 'sessions_'
  }

  void scoped(int id) {
    std::scoped_lock lock(mu_);
    for (auto &entry : sessions_)
      (void)entry;
    sessions_.erase(id);
  }

  void if_init(int id) {
    if (std::lock_guard<std::mutex> g(mu_); id > 0)
      sessions_.erase(id);
  }

  void wait_predicate() {
    std::unique_lock<std::mutex> lock(mu_);
    auto ready = [&] { return sessions_.size() > 0; };
    (void)ready;
  }

  void iterate() {
    for (auto &entry : sessions_)
// CHECK-MESSAGES: :[[@LINE-1]]:24: warning: shared container 'sessions_' is read without holding a lock while other code modifies it [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :170:22: note: 'sessions_' is shared between threads: declared here
// CHECK-MESSAGES: :169:14: note: 'mu_' is the mutex of 'Registry'; hold it while accessing 'sessions_'
      (void)entry;
  }

  void pass_along() { consume(sessions_); }

  void removeLocked(int id) { sessions_.erase(id); }
  void purge_locked() { sessions_.clear(); }
  void annotated(int id) __attribute__((requires_capability(mu_))) { sessions_.erase(id); }

  void public_api(int id) {
    std::lock_guard<std::mutex> lock(mu_);
    evict(id);
  }
  void also_public(int id) {
    std::lock_guard<std::mutex> lock(mu_);
    evict(id + 1);
    compact();
  }
  void careless() { compact(); }  // compact() is also called under the lock: no fix-it there

  // No fix-it: add() takes mu_, so a lock_guard here would deadlock.
  void calls_locking_member(int id) {
    sessions_.erase(id);
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: shared container 'sessions_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :170:22: note: 'sessions_' is shared between threads: declared here
// CHECK-MESSAGES: :169:14: note: 'mu_' is the mutex of 'Registry'; hold it while accessing 'sessions_'
    add(id, 0);
  }

private:
  // Every caller holds mu_, but without a REQUIRES annotation or a *Locked name that is not the
  // helper's contract: reported (InferLockFromCallers=true accepts it), and never given a fix-it.
  void evict(int id) { sessions_.erase(id); }
// CHECK-MESSAGES: :[[@LINE-1]]:24: warning: shared container 'sessions_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :170:22: note: 'sessions_' is shared between threads: declared here
// CHECK-MESSAGES: :169:14: note: 'mu_' is the mutex of 'Registry'; hold it while accessing 'sessions_'
  void compact() { sessions_.clear(); }
// CHECK-MESSAGES: :[[@LINE-1]]:20: warning: shared container 'sessions_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :170:22: note: 'sessions_' is shared between threads: declared here
// CHECK-MESSAGES: :169:14: note: 'mu_' is the mutex of 'Registry'; hold it while accessing 'sessions_'
  void log(const char *);

  std::mutex mu_;
  std::map<int, int> sessions_;
};

class Presence {
public:
  void join(int user) {
    std::lock_guard<std::mutex> lock(mu_);
    online_.insert(user);
  }
  void wipe() { online_ = {}; }
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: shared container 'online_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :186:17: note: 'online_' is shared between threads: declared here
// CHECK-MESSAGES: :185:14: note: 'mu_' is the mutex of 'Presence'; hold it while accessing 'online_'

private:
  std::mutex mu_;
  std::set<int> online_;
};

// Fix-it refusals and naming: a lambda run by a helper that locks (quiet: the helper holds the
// lock where it calls the lambda), a lock taken two calls deeper, an access in an initialiser,
// and a function that already has a variable called `lock`.
template <class F> void with_lock(std::mutex &m, F f) {
  std::lock_guard<std::mutex> l(m);
  f();
}

class Ledger {
public:
  void add(int id) {
    std::lock_guard<std::mutex> lock(mu_);
    rows_[id] = 1;
  }
  void drop_via_helper(int id) { with_lock(mu_, [&] { rows_.erase(id); }); }
// Quiet: with_lock's body calls the lambda (`f()`) with its lock_guard held, and the check follows
// a lambda into the function it is passed to when that function's body is here.
//
  void refresh(int id) { add(id); }
  void drop_then_refresh(int id) {
    rows_.erase(id);
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: shared container 'rows_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :252:22: note: 'rows_' is shared between threads: declared here
// CHECK-MESSAGES: :251:14: note: 'mu_' is the mutex of 'Ledger'; hold it while accessing 'rows_'
    refresh(id);
  }
  int get(int id) {
    auto it = rows_.find(id);
// CHECK-MESSAGES: :[[@LINE-1]]:15: warning: shared container 'rows_' is read without holding a lock while other code modifies it [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :252:22: note: 'rows_' is shared between threads: declared here
// CHECK-MESSAGES: :251:14: note: 'mu_' is the mutex of 'Ledger'; hold it while accessing 'rows_'
    return *it;
  }
  void shadowed(int id) {
    int lock = id;
    rows_.erase(lock);
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: shared container 'rows_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :252:22: note: 'rows_' is shared between threads: declared here
// CHECK-MESSAGES: :251:14: note: 'mu_' is the mutex of 'Ledger'; hold it while accessing 'rows_'
  }
  // Read and then written unlocked: one finding, at the write.
  void drop_if_present(int id) {
    auto it = rows_.find(id);
    if (it != rows_.end())
      rows_.erase(id);
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: shared container 'rows_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :252:22: note: 'rows_' is shared between threads: declared here
// CHECK-MESSAGES: :251:14: note: 'mu_' is the mutex of 'Ledger'; hold it while accessing 'rows_'
  }
  // Iterated and erased unguarded: the finding is at the erase, the lock goes before the loop.
  void sweep() {
    for (auto it = rows_.begin(); it != rows_.end(); ++it) {
      if (it == nullptr) {
        rows_.erase(0);
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: shared container 'rows_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :252:22: note: 'rows_' is shared between threads: declared here
// CHECK-MESSAGES: :251:14: note: 'mu_' is the mutex of 'Ledger'; hold it while accessing 'rows_'
      }
    }
  }

private:
  std::mutex mu_;
  std::map<int, int> rows_;
};

// A class template is judged in its instantiations; each finding is reported once.
template <class K> class TtlCache {
public:
  void put(const K &k) {
    std::lock_guard<std::mutex> lock(mu_);
    entries_[k] = 1;
  }
  void invalidate(const K &k) { entries_.erase(k); }
// CHECK-MESSAGES: :[[@LINE-1]]:33: warning: shared container 'entries_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :269:20: note: 'entries_' is shared between threads: declared here
// CHECK-MESSAGES: :268:14: note: 'mu_' is the mutex of 'TtlCache<int>'; hold it while accessing 'entries_'

private:
  std::mutex mu_;
  std::map<K, int> entries_;
};
void use_caches(TtlCache<int> &a, TtlCache<long> &b) {
  a.put(1);
  a.invalidate(1);
  b.invalidate(2);
}

// ---- 2. A reader-writer cache ----

class Cache {
public:
  int get(int key) {
    std::shared_lock<std::shared_mutex> lock(mu_);
    return *entries_.find(key);
  }
  void put(int key, int value) {
    std::shared_lock<std::shared_mutex> lock(mu_);
    entries_[key] = value;
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: shared container 'entries_' is modified while holding only a shared lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :305:32: note: 'entries_' is shared between threads: declared here
// CHECK-MESSAGES: :304:29: note: 'mu_' is the mutex of 'Cache'; hold it while accessing 'entries_'
  }
  void put_exclusive(int key, int value) {
    std::unique_lock<std::shared_mutex> lock(mu_);
    entries_[key] = value;
  }
  void reset(const std::unordered_map<int, int> &fresh) {
    entries_ = fresh;
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: shared container 'entries_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :305:32: note: 'entries_' is shared between threads: declared here
// CHECK-MESSAGES: :304:29: note: 'mu_' is the mutex of 'Cache'; hold it while accessing 'entries_'
  }

private:
  mutable std::shared_mutex mu_;
  std::unordered_map<int, int> entries_;
};

// ---- 3. Two mutexes: the note cannot name one, and there is no fix-it ----

class Router {
public:
  void route(const std::string &path) { routes_.insert(path); }
// CHECK-MESSAGES: :[[@LINE-1]]:41: warning: shared container 'routes_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :322:25: note: 'routes_' is shared between threads: declared here
  bool has(const std::string &path) const { return routes_.contains(path); }
// CHECK-MESSAGES: :[[@LINE-1]]:52: warning: shared container 'routes_' is read without holding a lock while other code modifies it [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :322:25: note: 'routes_' is shared between threads: declared here

private:
  std::mutex routes_mu_;
  std::mutex stats_mu_;
  std::set<std::string> routes_;
};

// ---- 4. Not shared: no mutex in the class, const, thread_local, locals ----

class SingleThreaded {
public:
  void put(int k) { index_[k] = k; }

private:
  std::map<int, int> index_;
};

const std::map<int, int> kLimits{};
thread_local std::map<int, int> t_scratch;

int lookups(int k) {
  std::map<int, int> local;
  local[k] = 1;
  t_scratch[k] = 2;
  return *kLimits.find(k);
}

// ---- 5. Globals and statics ----

std::map<std::string, int> g_prices;
std::map<std::string, int> g_symbols;
std::mutex g_prices_mu;

void on_tick(const std::string &symbol, int price) {
  g_prices[symbol] = price;
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: shared container 'g_prices' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :347:28: note: 'g_prices' is shared between threads: declared here
}

int quote(const std::string &symbol) {
  return *g_prices.find(symbol);
// CHECK-MESSAGES: :[[@LINE-1]]:11: warning: shared container 'g_prices' is read without holding a lock while other code modifies it [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :347:28: note: 'g_prices' is shared between threads: declared here
}

int quote_locked_properly(const std::string &symbol) {
  std::lock_guard<std::mutex> lock(g_prices_mu);
  return *g_prices.find(symbol);
}

int symbol_id(const std::string &symbol) {
  return *g_symbols.find(symbol);
}

struct Limits {
  static std::map<int, int> per_user;
};

void bump(int user) {
  Limits::per_user[user] = 1;
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: shared container 'per_user' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :373:29: note: 'per_user' is shared between threads: declared here
  static std::map<int, int> seen;
  seen[user] = 1;
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: shared container 'seen' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :380:29: note: 'seen' is shared between threads: declared here
}

// The fixed file: each lock_guard lands at the start of the block that holds the access.
// CHECK-FIXES: {{^}}  void remove(int id) {{[{]$}}
// CHECK-FIXES-NEXT: {{^}}    std::lock_guard<std::mutex> lock(mu_);{{$}}
// CHECK-FIXES-NEXT: {{^}}    sessions_.erase(id);{{$}}
// CHECK-FIXES: {{^}}  std::size_t size() const {{[{]$}}
// CHECK-FIXES-NEXT: {{^}}    return sessions_.size();{{$}}
// CHECK-FIXES: {{^}}  void drop_all() {{[{]$}}
// CHECK-FIXES-NEXT: {{^}}    std::lock_guard<std::mutex> lock(mu_);{{$}}
// CHECK-FIXES-NEXT: {{^}}    log("dropping");{{$}}
// CHECK-FIXES: {{^}}    sessions_.clear();{{$}}
// CHECK-FIXES: {{^}}    sessions_[1] = 2;{{$}}
// CHECK-FIXES: {{^}}  void calls_locking_member(int id) {{[{]$}}
// CHECK-FIXES-NEXT: {{^}}    sessions_.erase(id);{{$}}
// CHECK-FIXES: {{^}}  void evict(int id) { sessions_.erase(id); }{{$}}
// CHECK-FIXES: {{^}}  void compact() { sessions_.clear(); }{{$}}
// CHECK-FIXES: {{^}}  void wipe() { std::lock_guard<std::mutex> lock(mu_); online_ = {}; }{{$}}
// CHECK-FIXES: {{^}}  void drop_via_helper(int id) { with_lock(mu_, [&] { rows_.erase(id); }); }{{$}}
// CHECK-FIXES: {{^}}  void drop_then_refresh(int id) {{[{]$}}
// CHECK-FIXES-NEXT: {{^}}    rows_.erase(id);{{$}}
// CHECK-FIXES: {{^}}  int get(int id) {{[{]$}}
// CHECK-FIXES-NEXT: {{^}}    std::lock_guard<std::mutex> lock(mu_);{{$}}
// CHECK-FIXES-NEXT: {{^}}    auto it = rows_.find(id);{{$}}
// CHECK-FIXES: {{^}}  void shadowed(int id) {{[{]$}}
// CHECK-FIXES-NEXT: {{^}}    std::lock_guard<std::mutex> guard(mu_);{{$}}
// CHECK-FIXES-NEXT: {{^}}    int lock = id;{{$}}
// CHECK-FIXES: {{^}}  void drop_if_present(int id) {{[{]$}}
// CHECK-FIXES-NEXT: {{^}}    std::lock_guard<std::mutex> lock(mu_);{{$}}
// CHECK-FIXES-NEXT: {{^}}    auto it = rows_.find(id);{{$}}
// CHECK-FIXES: {{^}}  void sweep() {{[{]$}}
// CHECK-FIXES-NEXT: {{^}}    std::lock_guard<std::mutex> lock(mu_);{{$}}
// CHECK-FIXES-NEXT: {{^}}    for (auto it = rows_.begin(); it != rows_.end(); ++it) {{[{]$}}
// CHECK-FIXES: {{^}}  void invalidate(const K &k) { std::lock_guard<std::mutex> lock(mu_); entries_.erase(k); }{{$}}
// CHECK-FIXES: {{^}}  void reset(const std::unordered_map<int, int> &fresh) {{[{]$}}
// CHECK-FIXES-NEXT: {{^}}    std::lock_guard<std::shared_mutex> lock(mu_);{{$}}
// CHECK-FIXES: {{^}}  void route(const std::string &path) { routes_.insert(path); }{{$}}

// No fix-it two calls away from a lock either: api() locks, calls evict(), which calls erase_one().
class Chain {
public:
  void api(int i) {
    std::lock_guard<std::mutex> l(mu_);
    evict(i);
  }
  void other(int i) {
    std::lock_guard<std::mutex> l(mu_);
    m_[i] = 1;
  }

private:
  void evict(int i) { erase_one(i); }
  void erase_one(int i) { m_.erase(i); }
// CHECK-MESSAGES: :[[@LINE-1]]:27: warning: shared container 'm_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :[[@LINE+3]]:22: note: 'm_' is shared between threads: declared here
// CHECK-MESSAGES: :[[@LINE+1]]:14: note: 'mu_' is the mutex of 'Chain'; hold it while accessing 'm_'
  std::mutex mu_;
  std::map<int, int> m_;
};
// CHECK-FIXES: {{^}}  void erase_one(int i) { m_.erase(i); }{{$}}

// Start-up code: the function fills the map, then starts the threads that share it.
class Lobby {
public:
  void run() {
    limits_[1] = 500; // nothing runs concurrently yet
    std::thread worker([this] { serve(); });
    limits_[2] = 50;
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: shared container 'limits_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :[[@LINE+8]]:22: note: 'limits_' is shared between threads: declared here
// CHECK-MESSAGES: :[[@LINE+6]]:14: note: 'mu_' is the mutex of 'Lobby'; hold it while accessing 'limits_'
    worker.join();
  }
  void serve();

private:
  std::mutex mu_;
  std::map<int, int> limits_;
};

// Tear-down: the function joins the threads it started, then has the map to itself.
class Desk {
public:
  void run() {
    std::thread worker([this] { serve(); });
    worker.join();
    quotes_.clear(); // every thread this function started has been joined
    quotes_[0] = 0;
  }
  void restart(std::thread &other) {
    other.join(); // a thread it did not start: others may still run
    quotes_.clear();
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: shared container 'quotes_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :[[@LINE+17]]:22: note: 'quotes_' is shared between threads: declared here
// CHECK-MESSAGES: :[[@LINE+15]]:14: note: 'mu_' is the mutex of 'Desk'; hold it while accessing 'quotes_'
  }
  void rerun() {
    std::thread first([this] { serve(); });
    first.join();
    std::thread second([this] { serve(); }); // started again after the join
    quotes_[1] = 1;
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: shared container 'quotes_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :[[@LINE+8]]:22: note: 'quotes_' is shared between threads: declared here
// CHECK-MESSAGES: :[[@LINE+6]]:14: note: 'mu_' is the mutex of 'Desk'; hold it while accessing 'quotes_'
    second.join();
  }
  void serve();

private:
  std::mutex mu_;
  std::map<int, int> quotes_;
};

// ---- A lambda the constructor stores runs later, on whichever thread calls it ----
class Hub {
public:
  Hub() {
    sessions_[0] = 0; // the object is not shared yet
    on_close_ = [this](int id) {
      sessions_.erase(id);
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: shared container 'sessions_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :[[@LINE+14]]:22: note: 'sessions_' is shared between threads: declared here
// CHECK-MESSAGES: :[[@LINE+12]]:14: note: 'mu_' is the mutex of 'Hub'; hold it while accessing 'sessions_'
    };
    on_open_ = [this](int id) {
      std::lock_guard<std::mutex> lock(mu_);
      sessions_[id] = 1;
    };
  }
  void run() {
    std::thread t([this] { on_close_(1); });
  }

private:
  std::mutex mu_;
  std::map<int, int> sessions_;
  std::function<void(int)> on_close_, on_open_;
};

// ---- A local reference bound to the container: accesses through it are the container's ----
class Valves {
public:
  void record(int valve, int lpm) {
    auto &audit = audit_;
    audit[valve] = lpm;
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: shared container 'audit_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :[[@LINE+16]]:22: note: 'audit_' is shared between threads: declared here
// CHECK-MESSAGES: :[[@LINE+14]]:14: note: 'mu_' is the mutex of 'Valves'; hold it while accessing 'audit_'
  }
  void record_locked(int valve, int lpm) {
    std::lock_guard<std::mutex> lock(mu_);
    auto &audit = audit_;
    audit[valve] = lpm;
  }
  int peek(int valve) {
    std::lock_guard<std::mutex> lock(mu_);
    const auto &audit = audit_;
    return audit.size() > static_cast<unsigned>(valve) ? 1 : 0;
  }

private:
  std::mutex mu_;
  std::map<int, int> audit_;
};

// ---- Helpers: a writer taking the container by reference, a lock passed by reference, a wrapper
// that calls its function under the lock, a loader only the constructor runs ----
template <class Map, class Key, class Value> void upsert(Map &m, const Key &k, const Value &v) {
  m[k] = v;
}
void count_drop(std::map<int, int> &drops, int gateway) { ++drops[gateway]; }
bool known(std::map<int, int> &table, int key) { return table.find(key) != table.end(); }

class ProbeTelemetry {
public:
  ProbeTelemetry() { load_limits(); }
  void on_fault(int probe) {
    upsert(faults_, probe, 1);
// CHECK-MESSAGES: :[[@LINE-1]]:12: warning: shared container 'faults_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :{{[0-9]+}}:22: note: 'faults_' is shared between threads: declared here
// CHECK-MESSAGES: :{{[0-9]+}}:14: note: 'mu_' is the mutex of 'ProbeTelemetry'; hold it while accessing 'faults_'
  }
  void on_drop(int gateway) {
    count_drop(drops_, gateway);
// CHECK-MESSAGES: :[[@LINE-1]]:16: warning: shared container 'drops_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :{{[0-9]+}}:22: note: 'drops_' is shared between threads: declared here
// CHECK-MESSAGES: :{{[0-9]+}}:14: note: 'mu_' is the mutex of 'ProbeTelemetry'; hold it while accessing 'drops_'
  }
  void on_drop_held(std::unique_lock<std::mutex> &held, int gateway) {
    count_drop(drops_, gateway);
  }
  void on_drop_wrapped(int gateway) {
    with_lock([&] { count_drop(drops_, gateway); });
  }
  void on_fault_unwrapped(int probe) {
    run_now([&] { faults_[probe] = 2; });
// CHECK-MESSAGES: :[[@LINE-1]]:19: warning: shared container 'faults_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :{{[0-9]+}}:22: note: 'faults_' is shared between threads: declared here
// CHECK-MESSAGES: :{{[0-9]+}}:14: note: 'mu_' is the mutex of 'ProbeTelemetry'; hold it while accessing 'faults_'
  }
  bool seen(int gateway) { return known(limits_, gateway); }

private:
  void load_limits() {
    limits_[0] = 10;
    limits_[1] = 20;
  }
  template <class Fn> void with_lock(Fn &&fn) {
    std::lock_guard<std::mutex> lock(mu_);
    fn();
  }
  template <class Fn> void run_now(Fn &&fn) { fn(); }

  std::mutex mu_;
  std::map<int, int> faults_;
  std::map<int, int> drops_;
  std::map<int, int> limits_;
};
// CHECK-FIXES: {{^}}  void on_fault(int probe) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}    std::lock_guard<std::mutex> lock(mu_);{{$}}
// CHECK-FIXES-NEXT: {{^}}    upsert(faults_, probe, 1);{{$}}
// CHECK-FIXES: {{^}}  void on_drop(int gateway) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}    std::lock_guard<std::mutex> lock(mu_);{{$}}
// CHECK-FIXES-NEXT: {{^}}    count_drop(drops_, gateway);{{$}}
// CHECK-FIXES: {{^}}  void on_drop_held(std::unique_lock<std::mutex> &held, int gateway) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}    count_drop(drops_, gateway);{{$}}
