// checks: errorshield-deferred-ref-capture
// Socket and snapshot-file handling of a market-data recorder: every raw
// resource is released through a scope guard on all exit paths.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

// Minimal stand-ins for folly::makeGuard and gsl::finally (not installed here).
namespace folly {
template <class F>
class ScopeGuard {
 public:
  explicit ScopeGuard(F f) : f_(std::move(f)) {}
  ScopeGuard(ScopeGuard&& o) noexcept : f_(std::move(o.f_)), active_(std::exchange(o.active_, false)) {}
  ~ScopeGuard() { if (active_) f_(); }
  void dismiss() noexcept { active_ = false; }

 private:
  F f_;
  bool active_ = true;
};
template <class F>
[[nodiscard]] ScopeGuard<std::decay_t<F>> makeGuard(F&& f) { return ScopeGuard<std::decay_t<F>>(std::forward<F>(f)); }
}  // namespace folly

namespace gsl {
template <class F>
struct final_action {
  explicit final_action(F f) : f_(std::move(f)) {}
  final_action(final_action&&) = default;
  ~final_action() { f_(); }
  F f_;
};
template <class F>
[[nodiscard]] final_action<F> finally(F f) { return final_action<F>(std::move(f)); }
}  // namespace gsl

// In-house guard used by older code: runs the stored callable on destruction.
class OnExit {
 public:
  explicit OnExit(std::function<void()> fn) : fn_(std::move(fn)) {}
  OnExit(const OnExit&) = delete;
  ~OnExit() { if (fn_) fn_(); }

 private:
  std::function<void()> fn_;
};

struct Stats { long bytes = 0; long errors = 0; };

int connect_to(const std::string& endpoint);
bool handshake(int fd);
long pump(int fd, std::FILE* out);
void log_line(const std::string& s);

int open_feed(const std::string& primary, const std::string& backup, Stats& stats) {
  int fd = connect_to(primary);
  // fd is reassigned on failover: the guard closes the backup socket and leaks the primary
  auto close_fd = folly::makeGuard([&fd] { if (fd >= 0) ::close(fd); });  // expect: errorshield-deferred-ref-capture
  if (!handshake(fd)) {
    fd = connect_to(backup);
    stats.errors++;  // fine: stats is a reference parameter, and not captured anyway
    if (!handshake(fd)) return -1;
  }
  close_fd.dismiss();
  return fd;
}

long record(int fd, const std::string& out_path, Stats& stats) {
  std::FILE* out = std::fopen(out_path.c_str(), "ab");
  if (!out) return -1;
  // fine: out is not written after the guard is created
  auto close_out = gsl::finally([&] { std::fclose(out); });
  long n = pump(fd, out);
  // fine: stats is a reference parameter, not an automatic variable
  auto count = gsl::finally([&stats, n] { stats.bytes += n; });
  stats.errors += n < 0 ? 1 : 0;
  return n;
}

bool write_snapshot(std::string path, const std::vector<char>& data) {
  path += ".tmp";
  // path is reassigned to the published name below, so the deleter removes the published file
  auto discard = [&path](std::FILE* f) { std::fclose(f); std::remove(path.c_str()); };  // expect: errorshield-deferred-ref-capture
  std::unique_ptr<std::FILE, decltype(discard)> tmp(std::fopen(path.c_str(), "wb"), discard);
  if (!tmp) return false;
  std::fwrite(data.data(), 1, data.size(), tmp.get());
  std::string final_path = path.substr(0, path.size() - 4);
  std::rename(path.c_str(), final_path.c_str());
  path = final_path;
  log_line("snapshot published: " + path);
  return true;
}

void stream_to_disk(int fd, const std::string& dir) {
  std::string name = dir + "/.recorder.lock";
  int lock_fd = ::open(name.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
  if (lock_fd < 0) return;
  // name is reused for chunk files below: the guard deletes the last chunk instead of the lock
  OnExit unlock{[&] { ::close(lock_fd); std::remove(name.c_str()); }};  // expect: errorshield-deferred-ref-capture
  for (int chunk = 0;; ++chunk) {
    name = dir + "/chunk-" + std::to_string(chunk) + ".bin";
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(name.c_str(), "wb"), &std::fclose);
    if (!f || pump(fd, f.get()) <= 0) break;
  }
}

bool try_listen(int port);
void run_replay(int port, const std::string& file);

void replay_on_free_port(std::vector<int>& free_ports, const std::string& file) {
  int port = free_ports.back();
  free_ports.pop_back();
  // port is overwritten by the retry, so the first reserved port is never given back
  std::shared_ptr<void> give_back(nullptr, [&](void*) { free_ports.push_back(port); });  // expect: errorshield-deferred-ref-capture
  if (!try_listen(port)) {
    port = free_ports.back();
    free_ports.pop_back();
  }
  run_replay(port, file);
}

void add_flag(int& flags, int bit) { flags |= bit; }
long pump_nonblocking(int fd);

long poll_once(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  // meant to restore the original flags, but add_flag(flags, ...) modifies the saved copy in place
  auto restore = gsl::finally([&] { ::fcntl(fd, F_SETFL, flags); });  // expect: errorshield-deferred-ref-capture
  add_flag(flags, O_NONBLOCK);
  ::fcntl(fd, F_SETFL, flags);
  return pump_nonblocking(fd);
}

void drain(int fd) {
  int retries = 3;
  // fine: value capture, later writes to retries do not affect the guard
  auto note = gsl::finally([fd, retries] { log_line("drained fd " + std::to_string(fd) + ", retry budget " + std::to_string(retries)); });
  while (retries-- > 0 && ::shutdown(fd, SHUT_RD) != 0) {}
  // fine: the deleter only reads fd, and fd is never reassigned
  auto closer = [&fd](std::FILE* f) { std::fclose(f); log_line("closed fd " + std::to_string(fd)); };
  std::unique_ptr<std::FILE, decltype(closer)> in(::fdopen(fd, "rb"), closer);
  char sink[4096];
  while (in && std::fread(sink, 1, sizeof sink, in.get()) > 0) {}
}
