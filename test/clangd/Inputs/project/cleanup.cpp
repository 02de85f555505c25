// The seed bug: a scope guard captures the connection id by reference and the id is reassigned
// before the guard runs, so the wrong connection is closed.
#include <functional>
#include <utility>

void close_connection(int id);

struct ScopeExit {
  explicit ScopeExit(std::function<void()> f) : f_(std::move(f)) {}
  ~ScopeExit() { f_(); }
  std::function<void()> f_;
};

void serve(int first, int second) {
  int conn = first;
  ScopeExit guard([&] { close_connection(conn); });
  conn = second;
}

int total(int a, int b) {
  auto sum = a + b;
  return sum;
}
