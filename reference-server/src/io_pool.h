// A fixed pool of threads, each running its own io_context: the number of threads never depends
// on the number of connections, and a connection's handlers all run on one thread.
//
// One io_context shared by every thread made the threads contend for its queue and its reactor
// and wake each other for every handler; per message, that cost more CPU than a second thread
// gained. Here each connection lives on one context (chosen round-robin); work for another
// connection crosses threads only through that connection's strand (a post), as before.
#pragma once

#include "beast.h"

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace chat {

class IoPool {
public:
  explicit IoPool(unsigned threads);
  ~IoPool();
  IoPool(const IoPool &) = delete;
  IoPool &operator=(const IoPool &) = delete;

  // The context of the listener, the signals and the Redis bridge.
  net::io_context &main() { return *contexts_.front(); }
  // A context for the next connection, round-robin.
  net::io_context &next();

  // Runs every context, the calling thread running main(); returns once stop() was called.
  void run();
  void stop();

private:
  using Guard = net::executor_work_guard<net::io_context::executor_type>;
  std::vector<std::unique_ptr<net::io_context>> contexts_;
  std::vector<Guard> guards_; // Keeps idle contexts running until stop().
  std::atomic<std::size_t> next_{0};
};

} // namespace chat
