// Minimal stand-ins for <mutex>, <shared_mutex>, <map>, <unordered_map>, <set> and <string>:
// what errorshield-unlocked-shared-map looks at, compiled with -nostdinc++. The real headers are
// exercised by test/eval/unlocked-shared-map.
#pragma once

namespace std {
using size_t = decltype(sizeof 0);
class string {
public:
  string(const char *);
  bool operator<(const string &) const;
};
template <class T> struct less {};
template <class K, class V, class C = less<K>> class map {
public:
  using iterator = V *;
  V &operator[](const K &);
  iterator find(const K &);
  const V *find(const K &) const;
  iterator begin();
  iterator end();
  size_t size() const;
  size_t erase(const K &);
  void clear();
  map &operator=(const map &);
  template <class... A> void emplace(A &&...);
};
template <class K, class V> class unordered_map : public map<K, V> {};
template <class K> class set {
public:
  K *begin() const;
  K *end() const;
  bool contains(const K &) const;
  void insert(const K &);
  set &operator=(const set &);
};

class mutex {
public:
  void lock();
  void unlock();
};
class recursive_mutex {
public:
  void lock();
  void unlock();
};
class shared_mutex {
public:
  void lock();
  void unlock();
  void lock_shared();
  void unlock_shared();
};
struct defer_lock_t {};
inline constexpr defer_lock_t defer_lock{};
template <class M> class lock_guard {
public:
  explicit lock_guard(M &);
};
template <class M> class unique_lock {
public:
  explicit unique_lock(M &);
  unique_lock(M &, defer_lock_t);
  void lock();
  void unlock();
};
template <class L1, class L2, class... L> void lock(L1 &, L2 &, L &...);
template <class Sig> class function;
template <class R, class... A> class function<R(A...)> {
public:
  function() = default;
  template <class F> function(F) {}
  template <class F> function &operator=(F) { return *this; }
  R operator()(A...) const;
};
class thread {
public:
  template <class F> explicit thread(F) {}
  void join() {}
};
template <class... M> class scoped_lock {
public:
  explicit scoped_lock(M &...);
};
template <class M> class shared_lock {
public:
  explicit shared_lock(M &);
};
} // namespace std
