#include "io_pool.h"

namespace chat {

IoPool::IoPool(unsigned threads) {
  for (unsigned i = 0; i < threads; ++i) {
    // Concurrency hint 1: only one thread runs each context (other threads still post to it).
    contexts_.push_back(std::make_unique<net::io_context>(1));
    guards_.push_back(net::make_work_guard(*contexts_.back()));
  }
}

IoPool::~IoPool() {
  guards_.clear();
  // The main context last: it holds the listener, whose pending accept owns a socket of another
  // context; every other handler belongs to the context it is queued on.
  while (!contexts_.empty())
    contexts_.pop_back();
}

net::io_context &IoPool::next() {
  return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
}

void IoPool::run() {
  std::vector<std::thread> threads;
  threads.reserve(contexts_.size() - 1);
  for (std::size_t i = 1; i < contexts_.size(); ++i)
    threads.emplace_back([context = contexts_[i].get()] { context->run(); });
  contexts_.front()->run();
  for (auto &t : threads)
    t.join();
}

void IoPool::stop() {
  for (auto &context : contexts_)
    context->stop();
}

} // namespace chat
