// A local container captured by reference by the tasks a loop starts on other threads (threads,
// std::async, posts to a thread pool) is shared while they run: an unlocked write in the task is
// reported. A lock in the task, a capture by value, a container made per iteration, a task waited
// for in the loop that started it, and a post to an executor that is not a thread pool are not.
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-unlocked-shared-map' -- -std=c++20 -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-unlocked-shared-map' \
// RUN:   --config="{CheckOptions: {errorshield-unlocked-shared-map.TaskFunctions: '', errorshield-unlocked-shared-map.PoolTypes: ''}}" \
// RUN:   -- -std=c++20 -isystem %mocks | FileCheck %s --check-prefix=CHECK-THREADS --implicit-check-not='{{warning|error|note}}:'

#include "asio_io.h"
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
int weigh(const std::string &);

std::map<std::string, int> tally_threads(const std::vector<std::string> &flights, unsigned n) {
  std::map<std::string, int> per_airline;
  std::vector<std::thread> workers;
  for (unsigned w = 0; w < n; ++w)
    workers.emplace_back([&, w] {
      for (std::size_t i = w; i < flights.size(); i += n)
        per_airline[flights[i].substr(0, 2)] += 1;
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: shared container 'per_airline' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :[[@LINE-7]]:30: note: 'per_airline' is shared between threads: declared here
// CHECK-MESSAGES: :[[@LINE-5]]:5: note: a task that captures 'per_airline' by reference is started here, once per iteration of the loop, to run beside the others
// CHECK-THREADS: :[[@LINE-4]]:9: warning: shared container 'per_airline' is modified
// CHECK-THREADS: :[[@LINE-10]]:30: note: 'per_airline' is shared
// CHECK-THREADS: :[[@LINE-8]]:5: note: a task that captures 'per_airline'
    });
  for (auto &t : workers)
    t.join();
  return per_airline;
}

std::map<std::string, int> plan_async(const std::vector<std::string> &pumps) {
  std::map<std::string, int> dosed;
  std::vector<std::future<void>> jobs;
  for (const auto &pump : pumps)
    jobs.push_back(std::async(std::launch::async, [&dosed, pump] { dosed[pump] = weigh(pump); }));
// CHECK-MESSAGES: :[[@LINE-1]]:68: warning: shared container 'dosed' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :[[@LINE-5]]:30: note: 'dosed' is shared between threads: declared here
// CHECK-MESSAGES: :[[@LINE-3]]:20: note: a task that captures 'dosed' by reference is started here, once per iteration of the loop, to run beside the others
  for (auto &j : jobs)
    j.get();
  return dosed;
}

std::set<std::string> scan_pool(net::thread_pool &pool, const std::vector<std::string> &rows) {
  std::set<std::string> lifts;
  for (const auto &row : rows)
    net::post(pool, [&lifts, row] {
      if (!lifts.count(row))
        lifts.insert(row);
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: shared container 'lifts' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :[[@LINE-6]]:25: note: 'lifts' is shared between threads: declared here
// CHECK-MESSAGES: :[[@LINE-5]]:5: note: a task that captures 'lifts' by reference is started here, once per iteration of the loop, to run beside the others
    });
  pool.join();
  return lifts;
}

// The caller's container, named by a reference parameter, is shared the same way.
void import_rows(net::thread_pool &pool, const std::vector<std::string> &feed,
                 std::set<std::string> &blocked, const std::set<std::string> &known) {
  for (const auto &row : feed)
    net::post(pool, [&blocked, &known, row] {
      if (!known.count(row))
        blocked.insert(row);
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: shared container 'blocked' is modified without holding a lock [ES-CONCURRENCY-001] [errorshield-unlocked-shared-map]
// CHECK-MESSAGES: :[[@LINE-6]]:41: note: 'blocked' is shared between threads: declared here
// CHECK-MESSAGES: :[[@LINE-5]]:5: note: a task that captures 'blocked' by reference is started here, once per iteration of the loop, to run beside the others
    });
}

// ---- Quiet ----
std::map<std::string, int> tally_locked(const std::vector<std::string> &rows) {
  std::map<std::string, int> counts;
  std::mutex mu;
  std::vector<std::thread> workers;
  for (const auto &row : rows)
    workers.emplace_back([&counts, &mu, row] {
      std::lock_guard<std::mutex> lock(mu);
      ++counts[row];
    });
  for (auto &t : workers)
    t.join();
  return counts;
}
void tally_copies(const std::vector<std::string> &rows) {
  std::map<std::string, int> seed;
  std::vector<std::thread> workers;
  for (const auto &row : rows)
    workers.emplace_back([seed, row]() mutable { ++seed[row]; });
  for (auto &t : workers)
    t.join();
}
void tally_each(const std::vector<std::string> &rows) {
  std::vector<std::thread> workers;
  for (const auto &row : rows) {
    std::map<std::string, int> local;
    workers.emplace_back([&local, row] { ++local[row]; });
    workers.back().join();
  }
}
std::map<std::string, int> tally_in_turn(const std::vector<std::string> &rows) {
  std::map<std::string, int> counts;
  for (const auto &row : rows) {
    auto job = std::async(std::launch::async, [&counts, row] { ++counts[row]; });
    job.get();
  }
  return counts;
}
std::map<std::string, int> tally_on_context(net::io_context &ioc,
                                            const std::vector<std::string> &rows) {
  std::map<std::string, int> counts;
  for (const auto &row : rows)
    net::post(ioc, [&counts, row] { ++counts[row]; });
  ioc.run();
  return counts;
}
