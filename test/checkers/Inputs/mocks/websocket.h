// Minimal stand-ins for the Boost.Beast WebSocket/HTTP API shapes the errorshield-ws-* checks match
// (same qualified names and member names as Beast 1.81), plus the std and JSON pieces they touch.
#pragma once

using size_t = decltype(sizeof 0);
using uint8_t = unsigned char;

namespace std {
using size_t = ::size_t;
using uint8_t = ::uint8_t;
using uint16_t = unsigned short;
enum class byte : unsigned char {};
template <class T> T &&move(T &t) { return static_cast<T &&>(t); }
class string_view {
public:
  string_view(const char *) {}
  string_view(const char *, size_t) {}
  bool empty() const { return false; }
  friend bool operator==(string_view, string_view) { return true; }
  friend bool operator!=(string_view, string_view) { return false; }
};
class string {
public:
  string() {}
  string(const char *) {}
  template <class It> string(It, It) {}
  string(const char *, size_t) {}
  operator string_view() const { return ""; }
  const char *data() const { return ""; }
  size_t size() const { return 0; }
  string &append(const char *, size_t) { return *this; }
};
template <class T> class vector {
public:
  const T *begin() const { return nullptr; }
  const T *end() const { return nullptr; }
  T *data() { return nullptr; }
  const T *data() const { return nullptr; }
  size_t size() const { return 0; }
  T &front();
  T &operator[](size_t);
};
template <class T> class span {
public:
  T *data() const { return nullptr; }
  size_t size() const { return 0; }
};
template <class T> class shared_ptr {
public:
  T *operator->() const { return nullptr; }
  T &operator*() const { return *operator->(); }
  T *get() const { return nullptr; }
};
template <class T, class... A> shared_ptr<T> make_shared(A &&...);
template <class T> class optional {
public:
  template <class... A> T &emplace(A &&...);
  T *operator->();
  T &operator*();
};
template <class T> class enable_shared_from_this {
public:
  shared_ptr<T> shared_from_this();
};
template <long long N, long long D = 1> struct ratio {
  static constexpr long long num = N, den = D;
};
namespace chrono {
template <class Rep, class Period = ratio<1>> class duration {
  Rep r_{};

public:
  constexpr duration() {}
  constexpr explicit duration(Rep r) : r_(r) {}
  template <class R2, class P2>
  constexpr duration(const duration<R2, P2> &d)
      : r_(d.count() * P2::num * Period::den / (P2::den * Period::num)) {}
  constexpr Rep count() const { return r_; }
};
using milliseconds = duration<long long, ratio<1, 1000>>;
using seconds = duration<long long>;
using minutes = duration<long long, ratio<60>>;
using hours = duration<long long, ratio<3600>>;
using nanoseconds = duration<long long, ratio<1, 1000000000>>;
} // namespace chrono
inline namespace literals {
inline namespace chrono_literals {
constexpr chrono::seconds operator""s(unsigned long long n) { return chrono::seconds(n); }
constexpr chrono::minutes operator""min(unsigned long long n) { return chrono::minutes(n); }
constexpr chrono::hours operator""h(unsigned long long n) { return chrono::hours(n); }
} // namespace chrono_literals
} // namespace literals
} // namespace std

namespace boost::system {
class error_code {
public:
  explicit operator bool() const { return false; }
};
} // namespace boost::system

namespace boost::asio {
struct const_buffer {
  const_buffer(const void *, size_t) {}
};
struct mutable_buffer {
  mutable_buffer() = default;
  mutable_buffer(void *, size_t) {}
};
template <class T> const_buffer buffer(const T &);
inline const_buffer buffer(const void *p, size_t n) { return const_buffer(p, n); }
namespace ip {
struct tcp {
  class socket {};
};
} // namespace ip
class steady_timer {
public:
  template <class D> void expires_after(D) {}
  template <class H> void async_wait(H &&) {}
};
} // namespace boost::asio

namespace boost::beast {
using error_code = boost::system::error_code;
using string_view = std::string_view;
class tcp_stream {
public:
  void close() {}
  template <class D> void expires_after(D) {}
  void expires_never() {}
};
template <class S> tcp_stream &get_lowest_layer(S &);
enum class role_type { client, server };
struct const_buffers_type {
  const void *data() const { return nullptr; }
};
template <class Allocator = void> class basic_flat_buffer {
public:
  basic_flat_buffer() = default;
  explicit basic_flat_buffer(size_t limit); // reads past the limit fail with buffer_overflow
  const_buffers_type data() const { return {}; }
  const_buffers_type cdata() const { return {}; }
  size_t size() const { return 0; }
};
using flat_buffer = basic_flat_buffer<>;
template <size_t N> class flat_static_buffer {
public:
  const_buffers_type data() const { return {}; }
  size_t size() const { return 0; }
};
class multi_buffer {
public:
  const_buffers_type data() const { return {}; }
  size_t size() const { return 0; }
};
template <class B> std::string buffers_to_string(const B &);
template <class B> const char *buffers_begin(const B &);
template <class B> const char *buffers_end(const B &);
template <class B> std::string make_printable(const B &);
template <class F, class... A> F bind_front_handler(F f, A &&...) { return f; }

namespace http {
enum class field : unsigned short { unknown, host, origin, sec_websocket_protocol, user_agent, server };
class fields {
public:
  string_view operator[](field) const;
  string_view operator[](string_view) const;
  const char *find(field) const;
  const char *find(string_view) const;
  string_view at(field) const;
  size_t count(field) const;
  const char *end() const;
  void set(field, string_view);
  void set(string_view, string_view);
  void insert(field, string_view);
};
template <bool isRequest, class Body, class Fields = fields> class message : public Fields {
public:
  string_view target() const;
};
struct string_body {};
struct empty_body {};
template <class Body, class Fields = fields> using request = message<true, Body, Fields>;
template <class Body, class Fields = fields> using response = message<false, Body, Fields>;
} // namespace http

namespace websocket {
using response_type = http::response<http::string_body>;
enum close_code : unsigned short {
  normal = 1000, going_away = 1001, protocol_error = 1002, unknown_data = 1003, bad_payload = 1007,
  policy_error = 1008, too_big = 1009, needs_extension = 1010, internal_error = 1011,
  service_restart = 1012, try_again_later = 1013, none = 0, reserved1 = 1004, no_status = 1005,
  abnormal = 1006, reserved2 = 1014, reserved3 = 1015
};
struct close_reason {
  unsigned short code = close_code::none;
  close_reason() = default;
  close_reason(unsigned short c) : code(c) {}
  close_reason(const char *) {}
  close_reason(close_code c, string_view) : code(c) {}
};
struct stream_base {
  using duration = std::chrono::nanoseconds;
  static constexpr duration none() { return duration(); }
  struct timeout {
    duration handshake_timeout;
    duration idle_timeout;
    bool keep_alive_pings;
    static timeout suggested(role_type);
  };
  template <class F> struct decorator_t {};
  template <class F> static decorator_t<F> decorator(F) { return {}; }
};
template <class F> stream_base::decorator_t<F> decorator(F f) { return {}; }
template <class Next, bool deflate = true> class stream : public stream_base {
public:
  explicit stream(Next &&) {}
  template <class T> explicit stream(T &&) {}
  template <class Opt> void set_option(const Opt &) {}
  void read_message_max(size_t) {}
  size_t read_message_max() const { return 0; }
  bool got_text() const { return true; }
  bool got_binary() const { return false; }
  void text(bool) {}
  bool text() const { return true; }
  void binary(bool) {}
  bool binary() const { return false; }
  void accept() {}
  void accept(error_code &) {}
  template <class Body, class F> void accept(const http::message<true, Body, F> &) {}
  template <class H> void async_accept(H &&) {}
  template <class Body, class F, class H> void async_accept(const http::message<true, Body, F> &, H &&) {}
  void handshake(string_view, string_view) {}
  template <class H> void async_handshake(string_view, string_view, H &&) {}
  template <class B> size_t read(B &) { return 0; }
  template <class B> size_t read(B &, error_code &) { return 0; }
  template <class B, class H> void async_read(B &, H &&) {}
  template <class B> size_t read_some(B &, size_t) { return 0; }
  template <class B> size_t read_some(const B &) { return 0; } // a mutable buffer sequence
  template <class B, class H> void async_read_some(B &, size_t, H &&) {}
  template <class B, class H> void async_read_some(const B &, H &&) {} // a buffer sequence
  template <class B> size_t write(const B &) { return 0; }
  template <class B> size_t write_some(bool, const B &) { return 0; }
  template <class B, class H> void async_write(const B &, H &&) {}
  void close(const close_reason &) {}
  void close(const close_reason &, error_code &) {}
  template <class H> void async_close(const close_reason &, H &&) {}
  template <class H> void async_ping(const char *, H &&) {}
  Next &next_layer();
};
} // namespace websocket
} // namespace boost::beast

namespace nlohmann {
template <class = void> class basic_json {
public:
  template <class T> static basic_json parse(const T &);
  template <class T> static basic_json parse(const T &, decltype(nullptr), bool allow_exceptions);
  template <class It> static basic_json parse(It, It);
  template <class T> static bool accept(const T &);
  std::string dump(int indent = -1) const;
  bool is_discarded() const;
  static std::vector<std::uint8_t> to_cbor(const basic_json &);
  static std::vector<std::uint8_t> to_msgpack(const basic_json &);
};
using json = basic_json<>;
} // namespace nlohmann

namespace boost::json {
class value {};
value parse(boost::beast::string_view);
value parse(boost::beast::string_view, boost::system::error_code &);
} // namespace boost::json
