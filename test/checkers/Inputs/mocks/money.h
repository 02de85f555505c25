// Minimal stand-ins for the standard library, nlohmann::json and Boost.Multiprecision: just the
// declarations errorshield-float-money looks at, so the test compiles with -nostdinc++ in
// milliseconds. The real headers are exercised by test/eval/float-money.
#pragma once

namespace std {
using size_t = decltype(sizeof 0);
using int64_t = long;
class string {
public:
  string(const char *);
};
template <class T> class optional {
public:
  optional(T);
};
template <class T> class allocator {};
template <class T, class A = allocator<T>> class vector {
public:
  T &operator[](size_t);
  T *begin();
  T *end();
};
template <class K, class V> class map {
public:
  V &operator[](const K &);
};
template <class T, size_t N> struct array { T data[N]; };
long long llround(double);
int printf(const char *, ...);
namespace chrono {
template <class Rep> class duration {
public:
  duration(Rep);
};
} // namespace chrono
} // namespace std

namespace nlohmann {
template <class Dummy = void> class basic_json {
public:
  basic_json();
  template <class T> basic_json(const T &); // like nlohmann's: any compatible value converts
  basic_json &operator[](const char *);
  const basic_json &operator[](const char *) const;
  const basic_json &at(const char *) const;
  template <class T> T get() const;
  template <class T> T &get_to(T &) const;
  template <class T> T value(const char *, const T &) const;
  template <class T> operator T() const;
};
using json = basic_json<>;
} // namespace nlohmann

namespace boost::multiprecision {
namespace backends {
template <unsigned Digits> class cpp_dec_float {};
} // namespace backends
using backends::cpp_dec_float;
template <class Backend> class number {
public:
  number();
  number(const char *);
  number(long long);
  number(double);
  number &operator=(double);
};
using cpp_dec_float_50 = number<cpp_dec_float<50>>;
} // namespace boost::multiprecision
