// Minimal stand-ins for the APIs errorshield-deferred-ref-capture recognises. Tests compile with
// -nostdinc++ against this file only, so they are fast and pin exactly the shapes the check uses.
#pragma once

using size_t = decltype(sizeof(0));

namespace std {
template <class T> struct remove_reference { using type = T; };
template <class T> struct remove_reference<T &> { using type = T; };
template <class T> struct remove_reference<T &&> { using type = T; };
template <class T> typename remove_reference<T>::type &&move(T &&t) noexcept {
  return static_cast<typename remove_reference<T>::type &&>(t);
}
template <class T> T &&forward(typename remove_reference<T>::type &t) noexcept {
  return static_cast<T &&>(t);
}

template <class C> class basic_string {
public:
  basic_string() = default;
  basic_string(const C *) {}
  basic_string &operator=(const C *) { return *this; }
  basic_string &operator+=(const C *) { return *this; }
  void clear() {}
  size_t size() const { return 0; }
};
using string = basic_string<char>;

template <class T> class vector {
public:
  template <class... A> void emplace_back(A &&...) {}
  void push_back(const T &) {}
  void push_back(T &&) {}
  T &operator[](size_t);
  T *begin();
  T *end();
  T &back();
  size_t size() const { return 0; }
};

template <class Sig> class function;
template <class R, class... A> class function<R(A...)> {
public:
  function() = default;
  template <class F> function(F) {}
  template <class F> function &operator=(F) { return *this; }
  R operator()(A...) const;
};

template <class T> struct default_delete { void operator()(T *) const {} };
template <class T, class D = default_delete<T>> class unique_ptr {
public:
  unique_ptr(T *p, D d) : p_(p), d_(d) {}
  unique_ptr(const unique_ptr &) = delete;
  ~unique_ptr() { d_(p_); }
private:
  T *p_;
  D d_;
};
template <class T> class shared_ptr {
public:
  template <class D> shared_ptr(T *, D) {}
  ~shared_ptr() {}
};

class thread {
public:
  template <class F, class... A> explicit thread(F &&, A &&...) {}
  thread(thread &&) = default;
  ~thread() {}
  void join() {}
  void detach() {}
};
class jthread {
public:
  template <class F> explicit jthread(F &&) {}
  ~jthread() {}
  void detach() {}
};

template <class T> class future {
public:
  T get();
  void wait() const {}
  ~future() {}
};
enum class launch { async = 1, deferred = 2 };
template <class F> future<int> async(launch, F &&) { return {}; }
template <class F> future<int> async(F &&) { return {}; }

template <class It, class F> F for_each(It, It, F f) { return f; }
} // namespace std

namespace boost::asio {
class io_context {
public:
  using executor_type = int;
  executor_type get_executor();
  size_t run() { return 0; }
  void stop() {}
};
class thread_pool {
public:
  void join() {}
};
template <class Ctx, class F> void post(Ctx &, F &&) {}
template <class Ctx, class F> void dispatch(Ctx &, F &&) {}
template <class E, class F> F bind_executor(const E &, F f) { return f; }
class steady_timer {
public:
  explicit steady_timer(io_context &) {}
  template <class H> void async_wait(H &&) {}
};
struct mutable_buffer {};
inline mutable_buffer buffer(std::string &) { return {}; }
namespace ip::tcp {
class socket {
public:
  explicit socket(io_context &) {}
  template <class B, class H> void async_read_some(const B &, H &&) {}
};
} // namespace ip::tcp
} // namespace boost::asio

namespace absl {
template <class F> class Cleanup {
public:
  Cleanup(F f) : f_(std::move(f)) {}
  ~Cleanup() { run(); }
private:
  void run() { f_(); } // indirect: recognised by name, not by shape
  F f_;
};
template <class F> Cleanup(F) -> Cleanup<F>;
template <class F> Cleanup<F> MakeCleanup(F f) { return Cleanup<F>(std::move(f)); }
} // namespace absl

namespace gsl {
template <class F> class final_action {
public:
  explicit final_action(F f) : f_(std::move(f)) {}
  ~final_action() { if (invoke_) f_(); }
private:
  F f_;
  bool invoke_ = true;
};
template <class F> final_action<F> finally(F f) { return final_action<F>(std::move(f)); }
} // namespace gsl

// A project-local guard with no well-known name: recognised because its destructor runs a member.
template <class F> struct OnExit {
  F fn;
  bool armed = true;
  ~OnExit() {
    if (armed)
      fn();
  }
  void dismiss() { armed = false; }
};
template <class F> OnExit<F> on_exit(F f) { return OnExit<F>{std::move(f)}; }

// A thread pool whose tasks run on its own threads, later.
class TaskPool {
public:
  template <class F> std::future<int> submit(F &&) { return {}; }
  template <class F> void enqueue(F &&) {}
};
