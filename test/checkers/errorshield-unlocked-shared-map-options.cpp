// Option variants. By default the catalog's lists apply (prefix DEFAULT). CheckOptions replace a
// list or value (prefix REPLACE; only std::set is a container, `_under_lock` is the locked suffix, the
// fix-it uses std::scoped_lock). An extra catalog appends app::SpinLock to the mutex types and
// app::SpinGuard to the lock types (prefix EXTEND).
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-unlocked-shared-map' -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=DEFAULT --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-unlocked-shared-map' \
// RUN:   -config="{CheckOptions: {errorshield-unlocked-shared-map.ContainerTypes: 'std::set', errorshield-unlocked-shared-map.LockedFunctionSuffixes: '_under_lock', errorshield-unlocked-shared-map.FixItLockType: 'std::scoped_lock'}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=REPLACE --implicit-check-not='{{warning|error|note}}:'
// RUN: cp %t.cpp %t.fix.cpp
// RUN: %clang_tidy %t.fix.cpp --fix --checks='-*,errorshield-unlocked-shared-map' \
// RUN:   -config="{CheckOptions: {errorshield-unlocked-shared-map.FixItLockType: 'std::scoped_lock'}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks
// RUN: FileCheck %s --check-prefix=SCOPED --input-file=%t.fix.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-unlocked-shared-map' \
// RUN:   -config="{CheckOptions: {ErrorShieldExtraCatalog: '%S/Inputs/catalogs/extra-locks.json'}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=EXTEND --implicit-check-not='{{warning|error|note}}:'
// With InferLockFromCallers, a private helper whose every caller holds a lock counts as locked
// (prefix INFER).
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-unlocked-shared-map' \
// RUN:   -config="{CheckOptions: {errorshield-unlocked-shared-map.InferLockFromCallers: true}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=INFER --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-unlocked-shared-map' --dump-config \
// RUN:   | FileCheck %s --check-prefix=DUMP
// DUMP-DAG: errorshield-unlocked-shared-map.ContainerTypes: 'std::map;std::multimap;
// DUMP-DAG: errorshield-unlocked-shared-map.InferLockFromCallers: 'false'
// DUMP-DAG: errorshield-unlocked-shared-map.FixItLockType: 'std::lock_guard'
// DUMP-DAG: errorshield-unlocked-shared-map.TaskFunctions: 'std::async'
// DUMP-DAG: errorshield-unlocked-shared-map.PoolPostFunctions: 'boost::asio::post;boost::asio::dispatch;boost::asio::defer'
// DUMP-DAG: errorshield-unlocked-shared-map.PoolTypes: 'boost::asio::thread_pool;boost::asio::basic_thread_pool'
// DUMP-DAG: errorshield-unlocked-shared-map.LockedFunctionSuffixes: 'Locked;_locked;
// DUMP-DAG: errorshield-unlocked-shared-map.ThreadTypes: 'std::thread;std::jthread;boost::thread;boost::asio::thread_pool'
// DUMP-DAG: errorshield-unlocked-shared-map.LockFunctions: 'std::lock;boost::lock'

#include "locking.h"

namespace app {
class SpinLock {
public:
  void lock();
  void unlock();
};
class SpinGuard {
public:
  explicit SpinGuard(SpinLock &);
};
} // namespace app

class Presence {
public:
  void join(int user) {
    std::lock_guard<std::mutex> lock(mu_);
    online_.insert(user);
    rooms_[user] = 1;
  }
  void leave(int user) { rooms_.erase(user); }
// DEFAULT: :[[@LINE-1]]:26: warning: shared container 'rooms_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// DEFAULT: :109:22: note: 'rooms_' is shared between threads: declared here
// DEFAULT: :107:14: note: 'mu_' is the mutex of 'Presence'; hold it while accessing 'rooms_'
// EXTEND: :[[@LINE-4]]:26: warning: shared container 'rooms_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// EXTEND: :109:22: note: 'rooms_' is shared between threads: declared here
// EXTEND: :107:14: note: 'mu_' is the mutex of 'Presence'; hold it while accessing 'rooms_'
// INFER: :[[@LINE-7]]:26: warning: shared container 'rooms_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// INFER: :109:22: note: 'rooms_' is shared between threads: declared here
// INFER: :107:14: note: 'mu_' is the mutex of 'Presence'; hold it while accessing 'rooms_'
  void kick(int user) {
    std::lock_guard<std::mutex> lock(mu_);
    forget(user);
  }
  void wipe_under_lock() { online_ = {}; }
// DEFAULT: :[[@LINE-1]]:28: warning: shared container 'online_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// DEFAULT: :108:17: note: 'online_' is shared between threads: declared here
// DEFAULT: :107:14: note: 'mu_' is the mutex of 'Presence'; hold it while accessing 'online_'
// EXTEND: :[[@LINE-4]]:28: warning: shared container 'online_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// EXTEND: :108:17: note: 'online_' is shared between threads: declared here
// EXTEND: :107:14: note: 'mu_' is the mutex of 'Presence'; hold it while accessing 'online_'
// INFER: :[[@LINE-7]]:28: warning: shared container 'online_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// INFER: :108:17: note: 'online_' is shared between threads: declared here
// INFER: :107:14: note: 'mu_' is the mutex of 'Presence'; hold it while accessing 'online_'
  bool online(int user) { return online_.contains(user); }
// DEFAULT: :[[@LINE-1]]:34: warning: shared container 'online_' is read without holding a lock while other code modifies it [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// DEFAULT: :108:17: note: 'online_' is shared between threads: declared here
// DEFAULT: :107:14: note: 'mu_' is the mutex of 'Presence'; hold it while accessing 'online_'
// REPLACE: :[[@LINE-4]]:34: warning: shared container 'online_' is read without holding a lock while other code modifies it [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// REPLACE: :108:17: note: 'online_' is shared between threads: declared here
// REPLACE: :107:14: note: 'mu_' is the mutex of 'Presence'; hold it while accessing 'online_'
// EXTEND: :[[@LINE-7]]:34: warning: shared container 'online_' is read without holding a lock while other code modifies it [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// EXTEND: :108:17: note: 'online_' is shared between threads: declared here
// EXTEND: :107:14: note: 'mu_' is the mutex of 'Presence'; hold it while accessing 'online_'
// INFER: :[[@LINE-10]]:34: warning: shared container 'online_' is read without holding a lock while other code modifies it [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// INFER: :108:17: note: 'online_' is shared between threads: declared here
// INFER: :107:14: note: 'mu_' is the mutex of 'Presence'; hold it while accessing 'online_'

private:
  void forget(int user) { rooms_.erase(user); }
// DEFAULT: :[[@LINE-1]]:27: warning: shared container 'rooms_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// DEFAULT: :109:22: note: 'rooms_' is shared between threads: declared here
// DEFAULT: :107:14: note: 'mu_' is the mutex of 'Presence'; hold it while accessing 'rooms_'
// EXTEND: :[[@LINE-4]]:27: warning: shared container 'rooms_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// EXTEND: :109:22: note: 'rooms_' is shared between threads: declared here
// EXTEND: :107:14: note: 'mu_' is the mutex of 'Presence'; hold it while accessing 'rooms_'

  std::mutex mu_;
  std::set<int> online_;
  std::map<int, int> rooms_;
};

class Spinning {
public:
  void put(int k) {
    app::SpinGuard guard(spin_);
    table_[k] = k;
  }
  void drop(int k) { table_.erase(k); }
// EXTEND: :[[@LINE-1]]:22: warning: shared container 'table_' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// EXTEND: :125:22: note: 'table_' is shared between threads: declared here
// EXTEND: :124:17: note: 'spin_' is the mutex of 'Spinning'; hold it while accessing 'table_'

private:
  app::SpinLock spin_;
  std::map<int, int> table_;
};

// SCOPED: {{^}}  void leave(int user) { std::scoped_lock<std::mutex> lock(mu_); rooms_.erase(user); }{{$}}
